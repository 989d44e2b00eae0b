"""An interrupted run leaves a valid folder, and the next run finishes only what is missing."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.manifest import JOURNAL_FILE, Journal, PageKey
from pipeline.run import ERRORS_FILE, RECORDS_FILE, run_batch

REPO = Path(__file__).resolve().parent.parent


def same_records(a: Path, b: Path) -> bool:
    """records.jsonl of two folders, equal once each folder's own name is taken out."""
    ra = (a / RECORDS_FILE).read_text(encoding="utf-8").replace(str(a), "OUT")
    rb = (b / RECORDS_FILE).read_text(encoding="utf-8").replace(str(b), "OUT")
    return ra == rb


def journal_lines(out: Path) -> int:
    try:
        return (out / JOURNAL_FILE).read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted((REPO / "raw").iterdir())[:8]:
        shutil.copy(p, folder / p.name)
    return folder


class Stop(KeyboardInterrupt):
    pass


def test_ctrl_c_keeps_previous_outputs_and_the_next_run_resumes(nlp, pages, tmp_path):
    out, reference = tmp_path / "out", tmp_path / "ref"
    run_batch([str(pages)], reference, nlp)
    (out).mkdir()
    (out / RECORDS_FILE).write_text("previous\n")

    def interrupt_after_three(*, total, done, failed):
        if done == 3:
            raise Stop()

    with pytest.raises(Stop):
        run_batch([str(pages)], out, nlp, progress=interrupt_after_three)
    assert (out / RECORDS_FILE).read_text() == "previous\n"  # untouched until the run completes
    assert journal_lines(out) == 3
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]

    result = run_batch([str(pages)], out, nlp)
    assert (result.resumed, result.extracted, result.kept) == (3, 5, 0)
    assert same_records(out, reference)
    assert not (out / JOURNAL_FILE).exists()


def test_sigkill_mid_run_then_the_next_run_finishes_only_what_is_missing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    pages = sorted((REPO / "raw").glob("*.txt"))[:16]
    for p in pages:
        shutil.copy(p, folder / p.name)
    out, reference = tmp_path / "out", tmp_path / "ref"
    cmd = [sys.executable, "-m", "pipeline", "run", str(folder), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(cmd + ["--out", str(out)], cwd=REPO, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while journal_lines(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    done = journal_lines(out)
    assert 2 <= done < len(pages)
    assert not (out / RECORDS_FILE).exists()  # nothing half-written under a final name
    killed_keys = {(k["rules"], k["code"]) for k in (json.loads(line)["key"] for line in
                   (out / JOURNAL_FILE).read_text(encoding="utf-8").splitlines())}

    resumed = subprocess.run(cmd + ["--out", str(out)], cwd=REPO, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert not resumed.stderr
    lines = (out / "manifest.jsonl").read_text().splitlines()
    if {(e["rules"], e["code"]) for e in map(json.loads, lines[1:])} != killed_keys:
        pytest.skip("models/ or pipeline/ changed while the test ran (rightly re-extracted)")
    header = json.loads(lines[0])["run"]
    assert header["resumed"] >= done and header["resumed"] + header["extracted"] == len(pages)
    assert subprocess.run(cmd + ["--out", str(reference)], cwd=REPO).returncode == 0
    assert same_records(out, reference)
    assert (out / ERRORS_FILE).read_text() == ""


def key(path: str, sha: str = "a" * 64) -> PageKey:
    return PageKey(path=path, doc_id=Path(path).stem, sha256=sha, rules="r", code="c")


def test_journal_drops_a_line_cut_short_and_keeps_the_complete_ones(tmp_path):
    journal = Journal(tmp_path)
    journal.append(key("a.txt"), "record", '{"doc_id":"a"}\n', "run1")
    journal.append(key("b.txt"), "error", '{"source":"b.txt"}\n', "run1")
    journal.close()
    with open(tmp_path / JOURNAL_FILE, "ab") as handle:
        handle.write(b'{"key": {"path": "c.txt", "doc')  # killed mid-write
    again = Journal(tmp_path)
    assert again.lookup(key("a.txt"))["line"] == '{"doc_id":"a"}\n'
    assert again.lookup(key("b.txt"))["outcome"] == "error"
    assert again.lookup(key("c.txt")) is None
    again.append(key("c.txt"), "record", '{"doc_id":"c"}\n', "run2")
    again.close()
    lines = (tmp_path / JOURNAL_FILE).read_bytes().splitlines()
    assert len(lines) == 3 and all(json.loads(line) for line in lines)


def test_journal_entry_of_a_page_since_changed_is_not_reused(tmp_path):
    journal = Journal(tmp_path)
    journal.append(key("a.txt", "a" * 64), "record", "{}\n", "run1")
    journal.close()
    again = Journal(tmp_path)
    assert again.lookup(key("a.txt", "b" * 64)) is None
    assert again.lookup(key("a.txt", "a" * 64)) is not None
    again.remove()
    assert not (tmp_path / JOURNAL_FILE).exists()


def test_forced_run_starts_a_fresh_journal(tmp_path):
    journal = Journal(tmp_path)
    journal.append(key("a.txt"), "record", "{}\n", "run1")
    journal.close()
    fresh = Journal(tmp_path, reuse=False)
    assert fresh.lookup(key("a.txt")) is None and fresh.resumed == 0
    fresh.close()
    assert os.path.getsize(tmp_path / JOURNAL_FILE) == 0


def test_a_second_run_on_a_busy_folder_is_a_usage_error(nlp, tmp_path):
    from pipeline.manifest import FolderBusy
    from pipeline.run import UsageError

    page = tmp_path / "a.txt"
    page.write_text("Erie, PA\n\nPolice arrested 9 men in June 2018.\n")
    out = tmp_path / "out"
    out.mkdir()
    held = Journal(out)
    with pytest.raises(FolderBusy):
        Journal(out)
    with pytest.raises(UsageError, match="another profilex run"):
        run_batch([str(page)], out, nlp)
    held.close()
    assert run_batch([str(page)], out, nlp).records == 1
