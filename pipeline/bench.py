"""`python -m pipeline.bench` (`make bench`): how fast and how lean the batch is.

Builds a corpus of N pages by varying the sample pages in raw/ (numbers
redrawn, years among plausible years, capitalized words swapped between
pages, so the tokenizer meets new strings as on unseen pages), then prints
in one run:

- the floor: `spacy.blank("en")` tokenization alone over the same texts
  (and with the project's tokenizer), in docs/s and words/s, the median of
  three passes;
- the full `profilex run` in a fresh process, start-up included (wall and
  CPU seconds), one worker and the machine's cores, and its ratio to the
  floor; the start-up alone (a run of one page) and the ratio without it;
- peak memory (max RSS of the run's process) for N and 4N pages, and their
  ratio (the batch streams: it should not grow with N);
- where the time goes inside the pipeline: loading, the tokenizer, each
  component, building and serializing the record.

Rates are per CPU second (steady on a shared machine); wall seconds are
printed beside them. The package's bytecode is compiled first, as an
installed package has it: where PYTHONDONTWRITEBYTECODE is set, an edited
module would otherwise be compiled again at every start (0.2 s of start-up).
"""
from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"\d+")
YEAR = re.compile(r"(?:19|20)\d\d")
CAPITALIZED = re.compile(r"\b[A-Z][a-z]{3,}\b")


def vary(text: str, rng: random.Random, names: list[str]) -> str:
    """A new page shaped like `text`: other numbers, some capitalized words swapped."""
    def number(m: re.Match) -> str:
        digits = m.group()
        if YEAR.fullmatch(digits):  # a year stays a plausible year, as on a real page
            return str(rng.randint(1985, 2025))
        first = str(rng.randint(1, 9)) if digits[0] != "0" else "0"
        return first + "".join(str(rng.randint(0, 9)) for _ in digits[1:])

    def name(m: re.Match) -> str:
        return rng.choice(names) if names and rng.random() < 0.15 else m.group()

    return CAPITALIZED.sub(name, NUMBER.sub(number, text))


def build_corpus(raw: Path, out: Path, pages: int, seed: int = 13) -> list[Path]:
    """`pages` files in `out`, each a varied copy of a sample page of `raw`."""
    samples = sorted(p for p in raw.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm"))
    if not samples:
        raise SystemExit(f"no sample pages in {raw}")
    texts = [p.read_text(encoding="utf-8-sig", errors="replace") for p in samples]
    names = sorted({w for t in texts for w in CAPITALIZED.findall(t)})
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(pages):
        k = i % len(samples)
        text = texts[k] if i < len(samples) else vary(texts[k], rng, names)
        path = out / f"p{i:06d}-{samples[k].stem}{samples[k].suffix}"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def load_texts(paths: list[Path]) -> list[str]:
    from pipeline.load import load_document

    return [load_document(str(p), p.stem).text for p in paths]


def tokenizer_floor(texts: list[str], tokenizer) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, words) to tokenize every text once with `tokenizer`."""
    tokenizer("Warm up, 1 time.")
    words = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        doc = tokenizer(text)
        words += sum(1 for t in doc if not t.is_space)
    return time.perf_counter() - wall, time.process_time() - cpu, words


def median_run(measure, times: int = 3) -> tuple:
    """The run with the median CPU time of `times` runs of `measure` (each on a fresh tokenizer:
    a single pass over new text, as in a batch). The floor is a second or two; one run of it swings
    by a third on a shared machine, the median much less."""
    runs = sorted((measure() for _ in range(times)), key=lambda r: r[1])
    return runs[len(runs) // 2]


def run_cli(corpus: Path, out: Path, workers: int) -> dict:
    """`profilex run` in a fresh process: wall and CPU seconds (its workers included), peak RSS (MiB)."""
    return run_child("profilex run", [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out),
                                      "--force", "--quiet", "--workers", str(workers)])


def import_spacy_cpu() -> float:
    """CPU seconds a fresh process spends importing spaCy: start-up that no pipeline built on it avoids."""
    return run_child("import spacy", [sys.executable, "-c", "import spacy"])["cpu"]


# The floor as a batch of its own: a fresh process that imports spaCy, builds spacy.blank("en"),
# reads every page and tokenizes it: start-up included, as (b) has it.
FLOOR_PROCESS = ("import sys, spacy\nfrom pathlib import Path\ntokenizer = spacy.blank('en').tokenizer\n"
                 "for path in sorted(Path(sys.argv[1]).iterdir()):\n    tokenizer(path.read_text(encoding='utf-8'))\n")


def floor_process_cpu(corpus: Path) -> float:
    """CPU seconds of FLOOR_PROCESS over the pages in `corpus`."""
    return run_child("the floor process", [sys.executable, "-c", FLOOR_PROCESS, str(corpus)])["cpu"]


def run_child(what: str, cmd: list[str]) -> dict:
    """Run `cmd` (`what`, for the error) in the repo: wall and CPU seconds (its children included), peak RSS (MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{stderr}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_mib": usage.ru_maxrss / 1024}


def stage_profile(paths: list[Path]) -> list[tuple[str, float]]:
    """CPU seconds spent per stage over `paths`, in this process (the pipeline built once)."""
    from pipeline.build import build_record
    from pipeline.load import DocIds, load_document
    from pipeline.nlp import build_nlp
    from pipeline.rules import rules_hash
    from pipeline.write import record_line

    nlp = build_nlp()
    rules = rules_hash()
    ids = DocIds()
    spent: dict[str, float] = {"load": 0.0, "tokenizer": 0.0}
    for name in nlp.pipe_names:
        spent[name] = 0.0
    spent["build record"] = spent["serialize"] = 0.0
    clock = time.process_time
    for path in paths:
        t0 = clock()
        document = load_document(str(path), ids(str(path)))
        t1 = clock()
        doc = nlp.make_doc(document.text)
        t2 = clock()
        spent["load"] += t1 - t0
        spent["tokenizer"] += t2 - t1
        for name, proc in nlp.pipeline:
            t = clock()
            doc = proc(doc)
            spent[name] += clock() - t
        t = clock()
        record = build_record(doc, document, rules)
        t3 = clock()
        record_line(record)
        spent["build record"] += t3 - t
        spent["serialize"] += clock() - t3
    return list(spent.items())


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, metavar="N", help="corpus size N (default 1000)")
    parser.add_argument("--raw", default=str(REPO / "raw"), metavar="DIR", help="sample pages to vary")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="workers for the parallel run (default: the machine's cores)")
    parser.add_argument("--no-memory", action="store_true", help="skip the 4N memory run")
    args = parser.parse_args(argv)
    import spacy

    from pipeline.nlp import build_nlp

    compileall.compile_dir(str(REPO / "pipeline"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="profilex-bench-"))
    try:
        n = args.pages
        corpus = work / "corpus"
        paths = build_corpus(Path(args.raw), corpus, n)
        texts = load_texts(paths)
        chars = sum(len(t) for t in texts)
        print(f"corpus: {n} pages varied from {args.raw}, {chars:,} characters")

        print("                                          CPU s   docs/s    words/s     wall s")
        wall, floor, words = median_run(lambda: tokenizer_floor(texts, spacy.blank("en").tokenizer))
        print(f"(a) tokenizer floor, spacy.blank('en'):  {floor:6.2f} {rate(n, floor):>8} {rate(words, floor):>10} "
              f"{wall:10.2f}   ({words:,} words)")
        wall, ours, _ = median_run(lambda: tokenizer_floor(texts, build_nlp().tokenizer))
        print(f"    the project's tokenizer:             {ours:6.2f} {rate(n, ours):>8} {rate(words, ours):>10} "
              f"{wall:10.2f}")
        single = run_cli(corpus, work / "out1", 1)
        cpu = single["cpu"]
        print(f"(b) profilex run, 1 worker (start-up in): {cpu:6.2f} {rate(n, cpu):>8} {rate(words, cpu):>10} "
              f"{single['wall']:10.2f}")
        print(f"    ratio (b)/(a): {cpu / floor:.1f}x in CPU time (goal: at most 1.5x)")
        process_floor = floor_process_cpu(corpus)
        print(f"    (a) as a process of its own, start-up in (import spaCy, spacy.blank, read, tokenize): "
              f"{process_floor:.2f} CPU s; (b) is {cpu / process_floor:.1f}x that")
        one = work / "one"
        one.mkdir()
        shutil.copy(paths[0], one / paths[0].name)
        startup = run_cli(one, work / "out0", 1)["cpu"]
        per_page = (cpu - startup) / n
        print(f"    start-up (a run of one page): {startup:.2f} CPU s ({startup / floor:.2f}x the floor; importing "
              f"spaCy alone: {import_spacy_cpu():.2f} s); after it, {1000 * per_page:.2f} ms/page, "
              f"{per_page * n / floor:.1f}x the floor")
        if args.workers > 1:
            multi = run_cli(corpus, work / "outN", args.workers)
            print(f"    profilex run, {args.workers} workers:         {multi['cpu']:6.2f} "
                  f"{rate(n, multi['cpu']):>8} {rate(words, multi['cpu']):>10} {multi['wall']:10.2f}"
                  f"   (CPU of all workers; wall speed-up {single['wall'] / multi['wall']:.2f}x)")

        if not args.no_memory:
            big = work / "corpus4"
            build_corpus(Path(args.raw), big, 4 * n)
            quad = run_cli(big, work / "out4", 1)
            growth = quad["maxrss_mib"] / single["maxrss_mib"] - 1
            print(f"peak memory (max RSS, 1 worker): {n} pages {single['maxrss_mib']:.0f} MiB, "
                  f"{4 * n} pages {quad['maxrss_mib']:.0f} MiB: {growth:+.0%} (goal: within 20 %)")
            shutil.rmtree(big, ignore_errors=True)

        spent = stage_profile(paths)
        total = sum(s for _, s in spent)
        print(f"where the time goes, in one process ({total:.2f} s over {n} pages, start-up excluded):")
        for name, seconds in sorted(spent, key=lambda kv: -kv[1]):
            print(f"    {name:28s} {seconds:7.3f} s  {seconds / total:6.1%}  {1000 * seconds / n:7.2f} ms/page")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
