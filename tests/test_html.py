"""HTML pages: turned into text with block structure, boilerplate dropped,
spans indexing the saved text, and the same values as the plain-text page."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.html_text import html_to_text
from pipeline.load import load_document

REPO = Path(__file__).resolve().parent.parent


def test_html_keeps_blocks_and_list_items_as_lines():
    text = html_to_text("<h1>Erie, PA</h1><h2>Tactics Used</h2><ul><li>Reverse Stings</li>"
                        "<li>John School</li></ul><p>Erie is a city.</p>")
    assert text.splitlines() == ["Erie, PA", "", "Tactics Used", "", "Reverse Stings", "John School",
                                 "", "Erie is a city."]


def test_html_drops_scripts_navigation_and_comment_forms():
    text = html_to_text("<nav><a>Home</a></nav><script>var x = 'police';</script><style>p{}</style>"
                        "<p>Police arrested 9 men.</p><div id='comments'><form>Leave a reply"
                        "<textarea></textarea></form></div><footer>© Site</footer>")
    assert text.strip() == "Police arrested 9 men."


def test_html_entities_are_decoded():
    assert html_to_text("<p>Sheriff&rsquo;s Office &amp; DA</p>").strip() == "Sheriff’s Office & DA"


def test_html_file_loads_as_its_text(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>Tacoma, WA</p></body></html>", encoding="utf-8")
    doc = load_document(str(page), "p")
    assert doc.from_html and doc.text.strip() == "Tacoma, WA"


def test_html_with_no_visible_text_is_an_empty_error(tmp_path):
    from pipeline.load import LoadError

    page = tmp_path / "p.htm"
    page.write_text("<html><head><script>x()</script></head><body></body></html>", encoding="utf-8")
    with pytest.raises(LoadError) as err:
        load_document(str(page), "p")
    assert err.value.code == "empty"


def values_only(obj):
    """A record's values with every span, offset and provenance field removed."""
    if isinstance(obj, dict):
        return {k: values_only(v) for k, v in obj.items()
                if k not in {"span", "spans", "mentions", "evidence", "sentence", "start", "end",
                             "rule", "source", "doc_id", "sections", "confidence"}}
    if isinstance(obj, list):
        return [values_only(v) for v in obj]
    return obj


def test_sample_html_page_gives_the_record_of_the_same_page_as_text(tmp_path):
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "pipeline", "run", str(REPO / "raw" / "sumter-sc.txt"),
                    str(REPO / "raw" / "sumter-sc-page.html"), "--out", str(out), "--quiet"],
                   check=True, cwd=tmp_path)
    text_record, html_record = [json.loads(line) for line in (out / "records.jsonl").open()]
    assert html_record["source"]["text_path"] == str(out / "text" / "sumter-sc-page.txt")
    saved = Path(html_record["source"]["text_path"]).read_text(encoding="utf-8")
    assert html_record["source"]["chars"] == len(saved)
    for field in ("title", "tactics", "arrests", "dates", "agencies", "citations"):
        assert values_only(html_record[field]) == values_only(text_record[field]), field
    assert values_only(html_record["population"]) == values_only(text_record["population"])
    assert values_only(html_record["jurisdiction"]) == values_only(text_record["jurisdiction"])
