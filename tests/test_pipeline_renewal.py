"""A long batch keeps memory bounded by renewing its pipeline, with unchanged records."""
import shutil
from pathlib import Path

import pytest

import pipeline.nlp as nlp_module
from pipeline.nlp import build_nlp, outgrown, renewed, shared_nlp
from pipeline.run import RECORDS_FILE, extract, run_batch

REPO = Path(__file__).resolve().parent.parent
PAGES = ["allentown-pa.txt", "erie-pa.txt", "sumter-sc-page.html", "news-sioux-falls-reverse-sting.txt",
         "woburn-ma.txt"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    for name in PAGES:
        shutil.copy(REPO / "raw" / name, folder / name)
    return folder


def test_a_pipeline_is_kept_until_its_vocabulary_outgrows_the_budget():
    nlp = build_nlp()
    assert not outgrown(nlp) and renewed(nlp) is nlp
    nlp("A page with words this vocabulary has never seen: Zyxwvut, 4817263, qqqplorp.")
    assert outgrown(nlp, budget=2) and not outgrown(nlp, budget=1000)
    fresh = renewed(nlp, budget=2)
    assert fresh is not nlp and fresh.pipe_names == nlp.pipe_names
    assert len(fresh.vocab.strings) < len(nlp.vocab.strings)
    assert "qqqplorp" not in fresh.vocab.strings


def test_a_renewed_pipeline_reads_the_same_models_folder(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(REPO / "models", models)
    nlp = build_nlp(models)
    fresh = renewed(nlp, budget=-1)
    assert fresh is not nlp
    assert fresh.config["components"]["profilex_tactics"]["models_dir"] == str(models.resolve())


def test_the_shared_pipeline_is_renewed_when_outgrown(monkeypatch):
    first = shared_nlp()
    assert shared_nlp() is first
    monkeypatch.setattr(nlp_module, "STRINGS_BUDGET", -1)
    second = shared_nlp()
    assert second is not first
    monkeypatch.setattr(nlp_module, "STRINGS_BUDGET", 10**9)
    assert shared_nlp() is second


def test_extract_renewing_after_every_chunk_gives_the_same_records(nlp, pages, monkeypatch):
    paths = sorted(str(p) for p in pages.iterdir())
    expected = [o.record.model_dump_json() for o in extract(paths, nlp)]
    monkeypatch.setattr(nlp_module, "STRINGS_BUDGET", -1)  # every chunk on a fresh pipeline
    renewing = [o.record.model_dump_json() for o in extract(paths, build_nlp(), batch_size=2)]
    assert renewing == expected


def test_a_batch_renewing_between_partitions_writes_the_same_records(nlp, pages, tmp_path, monkeypatch):
    run_batch([str(pages)], tmp_path / "once", nlp, workers=1)
    monkeypatch.setattr(nlp_module, "STRINGS_BUDGET", -1)
    monkeypatch.setattr("pipeline.run.PARTITION_SIZE", {"inline": 2, "pool": 2, "dask": 2})
    run_batch([str(pages)], tmp_path / "renewing", build_nlp(), workers=1)
    once = (tmp_path / "once" / RECORDS_FILE).read_text().replace(str(tmp_path / "once"), "OUT")
    assert (tmp_path / "renewing" / RECORDS_FILE).read_text().replace(str(tmp_path / "renewing"), "OUT") == once


def test_a_callers_own_pipeline_is_never_replaced():
    import spacy

    own = spacy.blank("en")
    own("Words the blank vocabulary has not seen: Zyxwvut qqqplorp 4817263.")
    assert outgrown(own, budget=1)
    assert renewed(own, budget=1) is own
