"""Re-runs: unchanged pages keep their records, changed pages and rules re-extract."""
import json
import shutil
from pathlib import Path

import pytest

from pipeline.manifest import JOURNAL_FILE, MANIFEST_FILE, read_manifest
from pipeline.run import RECORDS_FILE, run_batch

REPO = Path(__file__).resolve().parent.parent
PAGES = ["news-polk-operation-traffic-stop-b.txt", "news-ohio-operation-4th-and-goal-b.txt",
         "sanford-fl.txt", "sumter-sc-page.html"]


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in PAGES:
        shutil.copy(REPO / "raw" / name, folder / name)
    return folder


def records_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / RECORDS_FILE).read_text(encoding="utf-8").splitlines()]


def header_of(out: Path) -> dict:
    return json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8").splitlines()[0])


def test_rerun_skips_unchanged_pages_and_keeps_records_byte_identical(nlp, pages, tmp_path):
    out = tmp_path / "out"
    first = run_batch([str(pages)], out, nlp)
    assert (first.records, first.extracted, first.kept) == (4, 4, 0)
    before = (out / RECORDS_FILE).read_bytes()
    entries = read_manifest(out)
    assert [Path(e["path"]).name for e in entries.values()] == sorted(PAGES)
    assert all(e["outcome"] == "record" and len(e["sha256"]) == 64 and e["rules"] and e["version"]
               for e in entries.values())

    second = run_batch([str(pages)], out, nlp)
    assert (second.records, second.extracted, second.kept) == (4, 0, 4)
    assert (out / RECORDS_FILE).read_bytes() == before
    assert read_manifest(out) == entries  # same runs named: nothing was re-extracted
    assert header_of(out)["run"]["kept"] == 4 and header_of(out)["run"]["extracted"] == 0
    assert not (out / JOURNAL_FILE).exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_changed_page_is_re_extracted_and_keeps_its_place(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp)
    old = records_of(out)
    page = pages / "sanford-fl.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\nPolice arrested 12 men in 2021.\n", encoding="utf-8")

    result = run_batch([str(pages)], out, nlp)
    assert (result.extracted, result.kept) == (1, 3)
    new = records_of(out)
    assert [r["source"]["path"] for r in new] == [r["source"]["path"] for r in old]
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert [Path(new[i]["source"]["path"]).name for i in changed] == ["sanford-fl.txt"]
    assert new[changed[0]]["source"]["chars"] > old[changed[0]]["source"]["chars"]
    runs = {Path(e["path"]).name: e["run"] for e in read_manifest(out).values()}
    assert runs["sanford-fl.txt"] != runs["sumter-sc-page.html"]


def test_changed_rules_re_extract_every_page(nlp, pages, tmp_path):
    models = tmp_path / "models"
    shutil.copytree(REPO / "models", models)
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp, models_dir=str(models))
    (models / "README.md").write_text((models / "README.md").read_text() + "\nA note.\n")
    from pipeline.rules import _hash_tree

    _hash_tree.cache_clear()
    result = run_batch([str(pages)], out, nlp, models_dir=str(models))
    assert (result.extracted, result.kept) == (4, 0)
    assert len({r["extractor"]["rules"] for r in records_of(out)}) == 1


def test_force_re_extracts_everything_with_the_same_records(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp)
    before = (out / RECORDS_FILE).read_bytes()
    result = run_batch([str(pages)], out, nlp, force=True)
    assert (result.extracted, result.kept) == (4, 0)
    assert (out / RECORDS_FILE).read_bytes() == before


def test_added_and_removed_pages_keep_input_order(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp)
    (pages / "sanford-fl.txt").unlink()
    shutil.copy(REPO / "raw" / "high-point-nc.txt", pages / "high-point-nc.txt")
    result = run_batch([str(pages)], out, nlp)
    assert (result.extracted, result.kept) == (1, 3)
    names = [Path(r["source"]["path"]).name for r in records_of(out)]
    assert names == sorted(["news-polk-operation-traffic-stop-b.txt", "news-ohio-operation-4th-and-goal-b.txt",
                            "sumter-sc-page.html", "high-point-nc.txt"])
    assert len(read_manifest(out)) == 4


def test_a_missing_html_text_file_re_extracts_its_page(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp)
    text_file = out / "text" / "sumter-sc-page.txt"
    assert text_file.is_file()
    text_file.unlink()
    result = run_batch([str(pages)], out, nlp)
    assert result.extracted == 1 and text_file.is_file()


def test_error_pages_are_listed_in_order_and_retried(nlp, pages, tmp_path):
    (pages / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    first = run_batch([str(pages)], out, nlp)
    assert first.exit_status == 1 and [e["error"] for e in first.error_lines] == ["empty"]
    (pages / "empty.txt").write_text("Erie, PA\n\nPolice arrested 9 men in June 2018.\n")
    second = run_batch([str(pages)], out, nlp)
    assert second.exit_status == 0 and (second.extracted, second.kept) == (1, 4)
    assert (out / "errors.jsonl").read_text() == ""
    names = [Path(r["source"]["path"]).name for r in records_of(out)]
    assert names == sorted(PAGES + ["empty.txt"])


def test_a_manifest_that_no_longer_matches_records_is_not_trusted(nlp, pages, tmp_path):
    out = tmp_path / "out"
    run_batch([str(pages)], out, nlp)
    records = (out / RECORDS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    (out / RECORDS_FILE).write_text("".join(reversed(records)), encoding="utf-8")  # offsets now wrong
    result = run_batch([str(pages)], out, nlp)
    assert result.records == 4 and result.kept < 4
    assert [Path(r["source"]["path"]).name for r in records_of(out)] == sorted(PAGES)


def test_a_page_given_twice_gives_two_records_and_both_are_kept(nlp, pages, tmp_path):
    out = tmp_path / "out"
    page = str(pages / "sanford-fl.txt")
    first = run_batch([page, page], out, nlp)
    ids = [r["doc_id"] for r in records_of(out)]
    assert first.records == 2 and ids == ["sanford-fl", "sanford-fl-2"]
    second = run_batch([page, page], out, nlp)
    assert (second.kept, second.extracted) == (2, 0)
    assert [r["doc_id"] for r in records_of(out)] == ids


def test_code_hash_follows_extraction_code_only(tmp_path, monkeypatch):
    from pipeline import manifest

    root = tmp_path / "pipeline"
    (root / "components").mkdir(parents=True)
    (root / "review").mkdir()
    (root / "components" / "dates.py").write_text("A = 1\n")
    (root / "review" / "server.py").write_text("B = 1\n")
    (root / "export.py").write_text("C = 1\n")
    monkeypatch.setattr(manifest, "CODE_ROOT", root)

    def fresh():
        manifest.code_hash.cache_clear()
        return manifest.code_hash()

    first = fresh()
    (root / "review" / "server.py").write_text("B = 2\n")
    (root / "export.py").write_text("C = 2\n")
    assert fresh() == first
    (root / "components" / "dates.py").write_text("A = 2\n")
    assert fresh() != first
    manifest.code_hash.cache_clear()
