"""The batch: load every input, run the spaCy pipeline, write records and errors.

`extract(paths, nlp)` is the in-process API (the eval command and the web
API use it): one `Outcome` per path, in input order, in chunks; between
chunks the pipeline is replaced by a fresh one once its vocabulary has
outgrown its budget (pipeline.nlp.renewed), so memory stays bounded however
many pages go through.

`run_batch` is `profilex run`: it streams the pages through the stages and
writes DIR/records.jsonl (input order), DIR/errors.jsonl and
DIR/manifest.jsonl. It is incremental and resumable (pipeline.manifest): a
page whose bytes, rules, code and version are unchanged keeps its record; a
page finished by an interrupted run is taken from the journal. The pages
left go through one of the engines of pipeline.parallel (this process, N
local processes, or Dask tasks), each returning small JSON lines; records
are put back in input order only at the end, when records.jsonl,
errors.jsonl and manifest.jsonl are written to temporary names and renamed.
A page that fails anywhere (unreadable, an extractor error, an invalid
record) becomes one line of errors.jsonl and the batch goes on.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import __version__
from pipeline.build import build_record
from pipeline.load import DEFAULT_MAX_BYTES, DocIds, Document, LoadError, expand_inputs, load_document
from pipeline.manifest import (MANIFEST_FILE, FolderBusy, Journal, PageKey, code_hash, entry_for,
                               file_sha256, key_of, manifest_header, read_line_at, read_manifest,
                               record_matches)
from pipeline.nlp import renewed
from pipeline.records import Record
from pipeline.rules import rules_hash
from pipeline.write import atomic_writer, check_writable, json_line, record_line

log = logging.getLogger("profilex")

RECORDS_FILE = "records.jsonl"
ERRORS_FILE = "errors.jsonl"
TEXT_DIR = "text"
FAILED_KEY = "profilex_failed"
ENGINES = ("local", "dask")
# Pages per unit of work: one nlp.pipe batch in this process, one task for a
# local worker process (small, to balance), one Dask task.
PARTITION_SIZE = {"inline": 32, "pool": 4, "dask": 8}


class UsageError(Exception):
    """Bad invocation (no inputs, unwritable output folder): exit status 2."""


@dataclass
class BatchResult:
    records: int = 0
    errors: int = 0
    error_lines: list[dict] = field(default_factory=list)
    extracted: int = 0  # pages run through the pipeline by this run
    kept: int = 0       # unchanged pages whose record was kept from the previous run
    resumed: int = 0    # pages taken from the journal of an interrupted run

    @property
    def exit_status(self) -> int:
        return 1 if self.errors else 0


@dataclass
class Outcome:
    """What one input became: a record (object, or its JSONL line in run_batch), or an error line."""
    path: str
    record: Optional[Record] = None
    error: Optional[dict] = None
    line: Optional[str] = None


@dataclass
class Item:
    """One loaded page on its way through the pipeline."""
    index: int
    document: Document
    text_path: Optional[str]


@dataclass
class Result:
    """What a worker hands back for one page: small, plain JSON text."""
    index: int
    path: str
    outcome: str  # "record" or "error"
    line: str     # the JSONL line for records.jsonl or errors.jsonl
    sha256: str
    text: Optional[str] = None  # an HTML page's text, saved at text_path by the caller


def _mark_failure(name: str, component: Callable, docs: list[Doc], err: Exception) -> None:
    """spaCy error handler: remember the first failing component on each Doc."""
    for doc in docs:
        doc.user_data.setdefault(FAILED_KEY, f"{name}: {type(err).__name__}: {err}")
    log.debug("component %s failed:\n%s", name, traceback.format_exc())


def error_line(path: str, code: str, message: str) -> dict:
    return {"source": path, "error": code, "message": message}


def text_path_for(document: Document, out_dir: Optional[Path]) -> Optional[str]:
    """Where the text of an HTML page is saved (None for plain-text pages)."""
    if not document.from_html or out_dir is None:
        return None
    return str(Path(out_dir) / TEXT_DIR / f"{document.doc_id}.txt")


def _text_path(doc_id: str, path: str, out_dir: Optional[Path]) -> Optional[str]:
    """text_path_for, from the path alone (before the page is loaded)."""
    from pipeline.html_text import is_html_path

    if out_dir is None or not is_html_path(path):
        return None
    return str(Path(out_dir) / TEXT_DIR / f"{doc_id}.txt")


def process_items(nlp: Language, items: list[Item],
                  rules: str) -> Iterator[tuple[Item, Optional[Record], Optional[dict]]]:
    """Stages 3-5 for a few loaded pages: (item, record, None) or (item, None, error line).

    A page whose component fails becomes an `extract_failed` error line.
    The caller keeps memory bounded by renewing `nlp` between groups of
    pages (pipeline.nlp.renewed).
    """
    nlp.set_error_handler(_mark_failure)
    for item in items:
        # One call per page, not nlp.pipe: pipe drops a Doc whose component
        # failed, __call__ hands it on flagged (FAILED_KEY).
        try:
            doc = nlp(item.document.text)
        except Exception as err:  # the tokenizer itself, or a component returning no Doc
            log.debug("pipeline failed on %s:\n%s", item.document.path, traceback.format_exc())
            yield item, None, error_line(item.document.path, "extract_failed",
                                         f"{type(err).__name__}: {err}")
            continue
        yield (item, *_build(doc, item.document, rules, item.text_path))


def _build(doc: Doc, document: Document, rules: str,
           text_path: Optional[str]) -> tuple[Optional[Record], Optional[dict]]:
    failure = doc.user_data.get(FAILED_KEY)
    if failure:
        return None, error_line(document.path, "extract_failed", failure)
    try:
        return build_record(doc, document, rules, text_path=text_path), None
    except Exception as err:  # an extractor produced something the contract rejects
        log.debug("record for %s is invalid:\n%s", document.path, traceback.format_exc())
        return None, error_line(document.path, "invalid_record", f"{type(err).__name__}: {err}")


def iter_partition(nlp: Language, items: list[Item], rules: str) -> Iterator[Result]:
    """Pages in, JSON lines out, one page at a time."""
    for item, record, error in process_items(nlp, items, rules):
        d = item.document
        if record is not None:
            line = record_line(record)
            yield Result(item.index, d.path, "record", line, d.sha256, d.text if item.text_path else None)
        else:
            yield Result(item.index, d.path, "error", json_line(error), d.sha256)


def _inline(nlp: Language, partitions: Iterable[list[Item]], rules: str) -> Iterator[Result]:
    """Every partition in this process, the pipeline renewed between partitions when outgrown."""
    for part in partitions:
        nlp = renewed(nlp)
        yield from iter_partition(nlp, part, rules)


def extract_partition(nlp: Language, items: list[Item], rules: str) -> list[Result]:
    """What every engine runs on a partition: pages in, JSON lines out."""
    return list(iter_partition(nlp, items, rules))


def save_text(text_path: str, text: str) -> None:
    Path(text_path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(Path(text_path)) as handle:
        handle.write(text)


def extract(paths: Iterable[str], nlp: Language, *, max_bytes: int = DEFAULT_MAX_BYTES,
            models_dir: Optional[str] = None, batch_size: int = 64,
            out_dir: Optional[Path] = None) -> Iterator[Outcome]:
    """Yield one Outcome per input path, in input order (in this process).

    `out_dir` is where the text of HTML pages is saved (DIR/text/<doc_id>.txt).
    """
    rules = rules_hash(models_dir)
    doc_ids = DocIds()
    chunk: list[str] = []
    for path in paths:
        chunk.append(path)
        if len(chunk) >= batch_size:
            yield from _extract_chunk(chunk, doc_ids, nlp, rules, max_bytes, out_dir)
            nlp = renewed(nlp)
            chunk = []
    if chunk:
        yield from _extract_chunk(chunk, doc_ids, nlp, rules, max_bytes, out_dir)


def _extract_chunk(paths: list[str], doc_ids: DocIds, nlp: Language, rules: str, max_bytes: int,
                   out_dir: Optional[Path]) -> Iterator[Outcome]:
    outcomes = [Outcome(path) for path in paths]
    items = []
    for i, path in enumerate(paths):
        try:
            document = load_document(path, doc_ids(path), max_bytes=max_bytes)
        except LoadError as err:
            outcomes[i].error = error_line(path, err.code, err.message)
            continue
        items.append(Item(i, document, text_path_for(document, out_dir)))
    for item, record, error in process_items(nlp, items, rules):
        outcome = outcomes[item.index]
        if record is not None and item.text_path:
            try:
                save_text(item.text_path, item.document.text)
            except OSError as err:
                record, error = None, error_line(item.document.path, "write_failed",
                                                 f"cannot save the page text: {err.strerror or err}")
        outcome.record, outcome.error = record, error
    yield from outcomes


# --- the batch -------------------------------------------------------------

@dataclass(slots=True)
class Page:
    """One input of the batch and where its line will come from (kept small: one per input)."""
    path: str
    key: PageKey
    source: str  # "kept" (previous records.jsonl), "journal", or "todo"
    kept: Optional[tuple[int, int, Optional[str]]] = None  # offset, length, run of a kept record


def run_batch(inputs: Iterable[str], out_dir: Path, nlp: Optional[Language] = None, *,
              max_bytes: int = DEFAULT_MAX_BYTES, models_dir: Optional[str] = None,
              on_outcome: Optional[Callable[[Outcome], None]] = None,
              workers: int = 1, engine: str = "local", scheduler: Optional[str] = None,
              force: bool = False, progress: Optional[Callable[..., object]] = None,
              dask_processes: bool = True) -> BatchResult:
    """Process `inputs` into `out_dir`/records.jsonl, errors.jsonl and manifest.jsonl.

    `workers` local processes (1: this process), or `engine="dask"` with a
    `scheduler` address (None: a LocalCluster of `workers` processes).
    `force` re-extracts every page. `progress(total=, done=, failed=)` is
    told how far the run is (see pipeline.progress). `nlp` is built when
    needed and not given.
    """
    paths = list(expand_inputs(inputs))
    if not paths:
        raise UsageError("no input files found (give .txt, .html or .htm files or folders holding them)")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    out_dir = Path(out_dir)
    try:
        check_writable(out_dir)
    except OSError as err:
        raise UsageError(f"cannot write to {out_dir}: {err.strerror or err}") from None
    rules, code = rules_hash(models_dir), code_hash()
    run_id = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        journal = Journal(out_dir, reuse=not force)
    except FolderBusy as err:
        raise UsageError(str(err)) from None
    old_records = _open_or_none(out_dir / RECORDS_FILE)
    result = BatchResult()
    try:
        previous = {} if force else read_manifest(out_dir)
        pages = _plan(paths, out_dir, rules, code, previous, journal, old_records)
        del previous, paths
        result.kept = sum(p.source == "kept" for p in pages)
        result.resumed = sum(p.source == "journal" for p in pages)
        todo = [i for i, p in enumerate(pages) if p.source == "todo"]
        result.extracted = len(todo)
        _extract_missing(pages, todo, journal, run_id, nlp, models_dir, rules, max_bytes, out_dir,
                         workers, engine, scheduler, dask_processes, progress)
        journal.sync()
        _assemble(pages, journal, old_records, out_dir, run_id, result, on_outcome)
    finally:
        journal.close()
        if old_records:
            old_records.close()
    journal.remove()
    return result


def _open_or_none(path: Path):
    try:
        return open(path, "rb")
    except OSError:
        return None


def _plan(paths: list[str], out_dir: Path, rules: str, code: str, previous: dict[str, dict],
          journal: Journal, old_records) -> list[Page]:
    """Each input's key, and whether its line is already there (kept, journal) or to make."""
    doc_ids = DocIds()
    pages = []
    for path in paths:
        doc_id = doc_ids(path)
        text_path = _text_path(doc_id, path, out_dir)
        key = PageKey(path=path, doc_id=doc_id, sha256=file_sha256(path), rules=rules, code=code,
                      version=__version__, text_path=text_path)
        page = Page(path, key, "todo")
        if key.sha256 is not None and (text_path is None or Path(text_path).is_file()):
            entry = previous.get(doc_id)
            if journal.lookup(key) is not None:
                page.source = "journal"
            elif (entry and entry.get("outcome") == "record" and key_of(entry) == key
                  and old_records is not None):
                line = read_line_at(old_records, entry.get("offset"), entry.get("length"))
                if line is not None and record_matches(line, key):
                    page.source, page.kept = "kept", (entry["offset"], entry["length"], entry.get("run"))
        pages.append(page)
    return pages


def _partitions(pages: list[Page], todo: list[int], size: int, max_bytes: int, out_dir: Path,
                on_load_error: Callable[[Page, LoadError], None]) -> Iterator[list[Item]]:
    """Load the pages to extract, lazily, in partitions of `size` (load errors go aside)."""
    part: list[Item] = []
    for index in todo:
        page = pages[index]
        try:
            document = load_document(page.path, page.key.doc_id, max_bytes=max_bytes)
        except LoadError as err:
            on_load_error(page, err)
            continue
        part.append(Item(index, document, text_path_for(document, out_dir)))
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _extract_missing(pages: list[Page], todo: list[int], journal: Journal, run_id: str,
                     nlp: Optional[Language], models_dir: Optional[str], rules: str, max_bytes: int,
                     out_dir: Path, workers: int, engine: str, scheduler: Optional[str],
                     dask_processes: bool, progress: Optional[Callable[..., object]]) -> None:
    from pipeline import parallel

    done = failed = 0
    if progress:
        progress(total=len(todo), done=0, failed=0)

    def finished(page: Page, outcome: str, line: str, sha256: Optional[str]) -> None:
        nonlocal done, failed
        key = page.key if sha256 == page.key.sha256 else replace(page.key, sha256=sha256)
        journal.append(key, outcome, line, run_id)
        done += 1
        failed += outcome == "error"
        if progress:
            progress(total=len(todo), done=done, failed=failed)

    def load_failed(page: Page, err: LoadError) -> None:
        finished(page, "error", json_line(error_line(page.path, err.code, err.message)), page.key.sha256)

    if not todo:
        return
    if engine == "dask":
        mode = "dask"
    else:
        mode = "pool" if workers > 1 and len(todo) > PARTITION_SIZE["pool"] else "inline"
    if nlp is None and mode != "dask":
        from pipeline.nlp import build_nlp
        nlp = build_nlp(models_dir)
    parts = _partitions(pages, todo, PARTITION_SIZE[mode], max_bytes, out_dir, load_failed)
    if mode == "inline":
        batches = ([res] for res in _inline(nlp, parts, rules))
    elif mode == "pool":
        batches = parallel.run_pool(parts, workers=workers, nlp=nlp, models_dir=models_dir, rules=rules)
    else:
        batches = parallel.run_dask(parts, workers=workers, scheduler=scheduler, nlp=nlp,
                                    models_dir=models_dir, rules=rules, processes=dask_processes)
    for batch in batches:
        for res in batch:
            page = pages[res.index]
            line, outcome = res.line, res.outcome
            if outcome == "record" and res.text is not None:
                try:
                    save_text(page.key.text_path, res.text)
                except OSError as err:
                    outcome = "error"
                    line = json_line(error_line(page.path, "write_failed",
                                                f"cannot save the page text: {err.strerror or err}"))
            finished(page, outcome, line, res.sha256)


def _assemble(pages: list[Page], journal: Journal, old_records, out_dir: Path, run_id: str,
              result: BatchResult, on_outcome: Optional[Callable[[Outcome], None]]) -> None:
    """Write records.jsonl, errors.jsonl and manifest.jsonl in input order, then rename them."""
    targets = [out_dir / RECORDS_FILE, out_dir / ERRORS_FILE, out_dir / MANIFEST_FILE, None]
    temps = []
    try:
        for target in targets:
            name = target.name if target else "manifest-entries"
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            temps.append((os.fdopen(fd, "w+b"), tmp))
        (records, _), (errors, _), (manifest, _), (entries, _) = temps
        offset = 0
        for page in pages:
            if page.source == "kept":
                data = read_line_at(old_records, page.kept[0], page.kept[1])
                outcome, run, key = "record", page.kept[2], page.key
            else:
                logged = journal.entry(page.key.doc_id)
                if logged is None:
                    raise RuntimeError(f"no result for {page.path}")
                data = logged["line"].encode("utf-8")
                outcome, run, key = logged["outcome"], logged.get("run", run_id), key_of(logged["key"])
            if outcome == "record":
                records.write(data)
                entries.write(json_line(entry_for(key, "record", run, offset=offset, length=len(data))).encode())
                offset += len(data)
                result.records += 1
                if on_outcome:
                    on_outcome(Outcome(page.path, line=data.decode("utf-8")))
            else:
                errors.write(data)
                line = json.loads(data)
                entries.write(json_line(entry_for(key, "error", run, error=line.get("error"))).encode())
                result.errors += 1
                result.error_lines.append(line)
                if on_outcome:
                    on_outcome(Outcome(page.path, error=line))
        summary = {"id": run_id, "pages": len(pages), "records": result.records, "errors": result.errors,
                   "extracted": result.extracted, "kept": result.kept, "resumed": result.resumed}
        manifest.write(json_line(manifest_header(summary)).encode("utf-8"))
        entries.seek(0)
        shutil.copyfileobj(entries, manifest)
        for handle, _ in temps:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        for (_, tmp), target in zip(temps, targets):
            if target is not None:
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
    except BaseException:
        for handle, tmp in temps:
            handle.close()
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
