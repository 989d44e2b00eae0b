"""Writing fails mid-run (a full disk): a clear error, and the previous outputs intact."""
import errno
import os
from pathlib import Path

from pipeline.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_full_disk_keeps_the_previous_outputs_and_says_why(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.txt"
    page.write_text((REPO / "raw" / "sumter-sc.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(page), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    status = main(["run", str(page), "--out", str(out), "--quiet", "--workers", "1", "--force"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert status == 2
    assert "No space left on device" in err and "Traceback" not in err
    assert (out / "records.jsonl").read_bytes() == before["records.jsonl"]
    assert (out / "errors.jsonl").read_bytes() == before["errors.jsonl"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    # The next run, with room again, completes.
    assert main(["run", str(page), "--out", str(out), "--quiet", "--workers", "1"]) == 0


def test_a_file_that_disappears_before_it_is_read_is_an_error_line(tmp_path, monkeypatch):
    from pipeline import run as run_module

    pages = []
    for name in ("a.txt", "b.txt"):
        p = tmp_path / name
        p.write_text("Erie, PA\n\nPolice arrested 4 men in 2019.\n", encoding="utf-8")
        pages.append(str(p))
    real_expand = run_module.expand_inputs

    def expand_then_delete(inputs):
        found = list(real_expand(inputs))
        os.unlink(found[1])  # gone between listing the folder and reading the file
        return iter(found)

    monkeypatch.setattr(run_module, "expand_inputs", expand_then_delete)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path), "--out", str(out), "--quiet", "--workers", "1"]) == 1
    errors = (out / "errors.jsonl").read_text().splitlines()
    assert len(errors) == 1 and '"not_found"' in errors[0] and "b.txt" in errors[0]
    assert len((out / "records.jsonl").read_text().splitlines()) == 1
