"""Local worker processes and Dask tasks give the records of a single-process run."""
import json
import shutil
from pathlib import Path

import pytest

from pipeline.manifest import read_manifest
from pipeline.run import ERRORS_FILE, RECORDS_FILE, run_batch

REPO = Path(__file__).resolve().parent.parent
PAGES = ["allentown-pa.txt", "erie-pa.txt", "news-polk-operation-traffic-stop-b.txt", "sanford-fl.txt",
         "sumter-sc-page.html", "news-sioux-falls-reverse-sting.txt", "woburn-ma.txt", "high-point-nc.txt"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    for name in PAGES:
        shutil.copy(REPO / "raw" / name, folder / name)
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    return folder


@pytest.fixture(scope="module")
def single(nlp, pages, tmp_path_factory):
    out = tmp_path_factory.mktemp("single")
    result = run_batch([str(pages)], out, nlp, workers=1)
    assert result.records == len(PAGES) and result.errors == 1
    return out


def normalized(out: Path, name: str = RECORDS_FILE) -> str:
    return (out / name).read_text(encoding="utf-8").replace(str(out), "OUT")


def test_two_local_workers_give_the_records_of_one_process(nlp, pages, single, tmp_path):
    out = tmp_path / "out"
    result = run_batch([str(pages)], out, nlp, workers=2)
    assert result.extracted == len(PAGES) + 1
    assert normalized(out) == normalized(single)
    assert normalized(out, ERRORS_FILE) == normalized(single, ERRORS_FILE)
    assert (out / "text" / "sumter-sc-page.txt").read_text() == (single / "text" / "sumter-sc-page.txt").read_text()


def test_run_batch_builds_its_own_pipeline_when_given_none(pages, single, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, None, workers=2)
    assert normalized(out) == normalized(single)


def test_a_caller_running_threads_gets_spawned_workers_with_the_same_records(nlp, pages, single, tmp_path):
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        out = tmp_path / "out"
        run_batch([str(pages)], out, nlp, workers=2)
    finally:
        stop.set()
        other.join()
    assert normalized(out) == normalized(single)


def test_records_come_back_in_input_order_whatever_finishes_first(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp, workers=2)
    paths = [json.loads(line)["source"]["path"] for line in (out / RECORDS_FILE).read_text().splitlines()]
    assert paths == sorted(str(pages / name) for name in PAGES)


def test_dask_local_cluster_gives_the_records_of_one_process(nlp, pages, single, tmp_path):
    pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    result = run_batch([str(pages)], out, nlp, engine="dask", workers=2, dask_processes=False)
    assert result.extracted == len(PAGES) + 1
    assert normalized(out) == normalized(single)
    assert normalized(out, ERRORS_FILE) == normalized(single, ERRORS_FILE)
    entries = read_manifest(out)
    assert [e["outcome"] for e in entries.values()].count("error") == 1


def test_cli_dask_engine_with_worker_processes_gives_the_same_records(pages, single, tmp_path):
    import subprocess
    import sys

    pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline", "run", str(pages), "--out", str(out),
                             "--engine", "dask", "--workers", "1", "--quiet"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # broken.txt is an error line
    assert normalized(out) == normalized(single)
    assert "broken.txt: binary" in result.stderr and "Traceback" not in result.stderr
