"""`profilex report`: figures checked against the export tables, and the file in a real browser."""
import json
import os
from pathlib import Path

import pytest

from pipeline.report import build_report, load_batch, render_report, report_numbers
from pipeline.tables import to_frames

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("PROFILEX_ARTIFACTS", REPO / "tests" / "artifacts"))


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory, nlp):
    from pipeline.run import run_batch

    out = tmp_path_factory.mktemp("batch")
    run_batch([str(REPO / "raw")], out, nlp)
    (out / "errors.jsonl").write_text(json.dumps({"source": "raw/x.txt", "error": "binary",
                                                  "message": "contains NUL bytes"}) + "\n")
    return out


@pytest.fixture(scope="module")
def numbers(batch_dir):
    return report_numbers(load_batch(batch_dir))


@pytest.fixture(scope="module")
def frames(batch_dir):
    records = [json.loads(line) for line in (batch_dir / "records.jsonl").read_text().splitlines()]
    return to_frames(records)


def test_glance_counts_match_the_tables(numbers, frames):
    assert numbers["records"] == len(frames["documents"])
    assert numbers["pages"] == len(frames["documents"]) + 1
    assert numbers["errors_by_code"] == {"binary": 1}
    for table, count in numbers["items_per_field"].items():
        assert count == len(frames[table]), table
    docs_with_arrests = frames["arrests"]["doc_id"].nunique()
    assert numbers["share_with_field"]["arrests"] == pytest.approx(docs_with_arrests / len(frames["documents"]))
    assert sum(numbers["flags_by_code"].values()) == len(frames["flags"])


def test_tactic_counts_are_pages_listing_and_pages_evidencing(numbers, frames):
    t = frames["tactics"]
    for row in numbers["tactics"]:
        of_label = t[t["label"].astype(str) == row["label"]]
        assert row["listed"] == of_label[of_label["listed"]]["doc_id"].nunique()
        assert row["evidenced"] == of_label[of_label["evidence_count"] > 0]["doc_id"].nunique()


def test_arrests_by_year_and_role_sum_the_dated_counts(numbers, frames):
    a = frames["arrests"]
    dated = a[a["date_start"].notna()]
    total = sum(sum(roles.values()) for roles in numbers["arrests_by_year_role"].values())
    assert total == int(dated["count"].sum())
    assert numbers["largest_operations"][0]["count"] == int(a["count"].max())


def test_pages_table_has_every_page_with_its_values(numbers, frames):
    docs = frames["documents"].set_index("doc_id")
    assert [p["doc_id"] for p in numbers["pages_table"]] == list(docs.index)
    for page in numbers["pages_table"]:
        assert page["tactics"] == docs.loc[page["doc_id"], "tactics"]
        assert page["arrest_statements"] == (frames["arrests"]["doc_id"] == page["doc_id"]).sum()


def test_low_confidence_pages_count_items_below_the_mark(numbers, frames):
    from pipeline.report import ITEM_TABLES, LOW_CONFIDENCE

    for page in numbers["low_confidence_pages"]:
        low = sum(int(((frames[t]["doc_id"] == page["doc_id"]) & (frames[t]["confidence"] < LOW_CONFIDENCE)).sum())
                  for t in ITEM_TABLES)
        assert page["low_items"] == low


def test_page_text_in_the_report_is_escaped(numbers):
    hostile = dict(numbers, pages_table=[dict(numbers["pages_table"][0], title="<script>alert(1)</script>")])
    page = render_report(hostile)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_report_is_self_contained(batch_dir, tmp_path):
    out = tmp_path / "report.html"
    build_report(batch_dir, out)
    page = out.read_text(encoding="utf-8")
    # Nothing is fetched: no scripts, stylesheets, images or imports from elsewhere.
    for loader in ("<script", "<link", " src=", "@import", "<img", "<iframe"):
        assert loader not in page, loader
    assert page.count("<svg") >= 4


def test_report_command_without_records_is_a_usage_error(tmp_path):
    from pipeline.cli import main

    assert main(["report", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 2


def test_report_renders_in_chromium(batch_dir, tmp_path, browser):
    from selenium.webdriver.common.by import By

    out = tmp_path / "report.html"
    build_report(batch_dir, out)
    browser.set_window_size(1200, 2400)
    browser.get(out.as_uri())
    charts = browser.find_elements(By.CSS_SELECTOR, ".chart svg")
    assert len(charts) >= 4
    assert all(c.size["width"] > 100 and c.size["height"] > 50 for c in charts)
    assert browser.find_elements(By.CSS_SELECTOR, "#pages tbody tr")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "report.png"))
