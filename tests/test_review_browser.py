"""The review app in a real browser: headless Chromium driven through Debian's chromedriver.

Open the list, open a page, accept one item, correct another, add a missed
one, reload and see them kept; re-run extraction on the same pages and on a
changed page and see the decisions re-attached and one stale.

Needs Debian's chromium and chromium-driver (.ci/setup-chromium.sh installs
them) and selenium; the `browser` fixture (tests/conftest.py) skips saying why without them, except under
CI=true, where it fails. PROFILEX_REVIEW_SCREENSHOT=docs/review.png saves a
screenshot of the document page on the way.
"""
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGE = "fitchburg-ma"


@pytest.fixture
def served(tmp_path, nlp, monkeypatch):
    """The real pipeline's output for two raw pages, and the review app serving it on a free port."""
    from pipeline.review.server import make_app, make_review_server
    from pipeline.run import run_batch

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in (f"{PAGE}.txt", "erie-pa.txt"):
        shutil.copy(REPO / "raw" / name, raw / name)
    monkeypatch.chdir(tmp_path)
    result = run_batch(["raw"], Path("extracted"), nlp)
    assert not result.errors, result.error_lines  # the pipeline must read both pages
    app = make_app(Path("extracted"), reviewer="tester")
    server = make_review_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def rerun():
        again = run_batch(["raw"], Path("extracted"), nlp)
        assert not again.errors, again.error_lines

    yield f"http://127.0.0.1:{server.server_port}", tmp_path, rerun
    server.shutdown()
    server.server_close()
    app.service.store.close()


def _doc_json(tmp_path):
    from pipeline.review.batch import Batch
    from pipeline.review.service import ReviewService
    from pipeline.review.store import DecisionStore

    store = DecisionStore(tmp_path / "extracted" / "review.sqlite")
    try:
        return ReviewService(Batch(tmp_path / "extracted"), store).doc_json(PAGE)
    finally:
        store.close()


def _pick_correctable(data, text):
    """A list item (not the title) whose span text occurs once in the page, preferring dates."""
    order = {"dates": 0, "agencies": 1, "arrests": 2, "tactics": 3, "citations": 4}
    candidates = [i for i in data["items"] if i["field"] in order and i["span"] and len(i["span"]["text"]) >= 4
                  and text.count(i["span"]["text"]) == 1]
    assert candidates, "the extractors gave no list item to correct on the sample page"
    return sorted(candidates, key=lambda i: order[i["field"]])[0]


def _badge(driver, ref):
    from selenium.webdriver.common.by import By

    field, index = ref.split(".")
    return driver.find_element(By.CSS_SELECTOR, f"#item-{field}-{index} .badge").text


def _wait(driver, condition, timeout=30):
    """Wait for `condition`, riding over the moments a page is replaced by the next one."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(NoSuchElementException,
                                                              StaleElementReferenceException)).until(condition)


SELECT_JS = """
const [start, end] = arguments;
function point(offset) {
  for (const seg of document.querySelectorAll('#text .seg')) {
    const s = Number(seg.dataset.s), e = Number(seg.dataset.e);
    if (s <= offset && offset < e) return [seg.firstChild, offset - s];
  }
  throw new Error('no segment at ' + offset);
}
const range = document.createRange();
range.setStart(...point(start));
const [node, off] = point(end - 1);
range.setEnd(node, off + 1);
const sel = window.getSelection();
sel.removeAllRanges();
sel.addRange(range);
"""


def test_review_in_a_browser_keeps_decisions_across_reload_and_reruns(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    base, folder, rerun = served
    text = (folder / "raw" / f"{PAGE}.txt").read_text(encoding="utf-8")
    data = _doc_json(folder)
    target = _pick_correctable(data, text)

    # the list: both pages, with their counts; open ours
    browser.get(base + "/")
    links = {a.text: a for a in browser.find_elements(By.CSS_SELECTOR, "a.doc-link")}
    assert len(links) == 2 and "Fitchburg, MA" in links
    assert "0 of" in browser.find_element(By.CSS_SELECTOR, ".progress").text
    links["Fitchburg, MA"].click()
    _wait(browser, lambda d: d.find_elements(By.ID, "text"))
    assert browser.current_url.endswith(f"/docs/{PAGE}")

    # the page text is highlighted, one colour per field, and clicking an item outlines its span
    assert browser.find_elements(By.CSS_SELECTOR, "#text .seg.hl.f-title")
    item = browser.find_element(By.ID, "item-" + target["ref"].replace(".", "-"))
    item.find_element(By.CSS_SELECTOR, ".quote").click()
    outlined = browser.find_elements(By.CSS_SELECTOR, "#text .seg.outlined")
    assert outlined and target["span"]["text"].startswith(outlined[0].text[:3])

    # accept the title with the keyboard: select it, press "a"
    browser.find_element(By.CSS_SELECTOR, "#item-title-0 .quote").click()
    browser.find_element(By.TAG_NAME, "body").send_keys("a")
    _wait(browser, lambda d: _badge(d, "title.0") == "accepted")

    # correct another item: open its form, change the value, save
    item = browser.find_element(By.ID, "item-" + target["ref"].replace(".", "-"))
    item.find_element(By.CSS_SELECTOR, "button.toggle-correct").click()
    key = {"dates": "value", "agencies": "name", "arrests": "count", "tactics": "label", "citations": "title"}[
        target["field"]]
    new_value = {"dates": "1999", "agencies": "Corrected Agency", "arrests": "99", "tactics": "John School",
                 "citations": "Corrected title"}[target["field"]]
    box = item.find_element(By.CSS_SELECTOR, f"form.correct [name='value.{key}']")
    box.clear()
    box.send_keys(new_value)
    item.find_element(By.CSS_SELECTOR, "form.correct [name='note']").send_keys("checked against the page")
    item.find_element(By.CSS_SELECTOR, "button.save-correction").click()
    _wait(browser, lambda d: _badge(d, target["ref"]) == "corrected")

    # add a missed item: select text in the page, choose the field, fill the value
    phrase = "providing tips to police"
    start = text.index(phrase)
    browser.execute_script(SELECT_JS, start, start + len(phrase))
    _wait(browser, lambda d: d.find_element(By.ID, "add-start").get_attribute("value") == str(start))
    assert browser.find_element(By.ID, "add-end").get_attribute("value") == str(start + len(phrase))
    Select(browser.find_element(By.ID, "add-field")).select_by_value("tactics")
    value = browser.find_element(By.ID, "add-value")
    assert value.get_attribute("list") == "tactic-labels"  # the known labels are offered
    value.clear()
    value.send_keys("Neighborhood Action")
    browser.find_element(By.ID, "add-button").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.item.status-added"))
    added_ref = browser.find_element(By.CSS_SELECTOR, "li.item.status-added").get_attribute("data-ref")

    if os.environ.get("PROFILEX_REVIEW_SCREENSHOT"):
        browser.get(base + f"/docs/{PAGE}?item={target['ref']}")
        browser.save_screenshot(str(REPO / os.environ["PROFILEX_REVIEW_SCREENSHOT"]))

    # reload: everything kept
    browser.refresh()
    assert _badge(browser, "title.0") == "accepted"
    assert _badge(browser, target["ref"]) == "corrected"
    assert _badge(browser, added_ref) == "added"
    added_segment = browser.find_elements(By.CSS_SELECTOR, f'#text .seg.hl[data-refs~="{added_ref}"]')
    assert "".join(s.text for s in added_segment) == phrase
    assert not browser.find_elements(By.ID, "stale")

    # re-run extraction on the same pages: the decisions are re-attached
    rerun()
    browser.refresh()
    assert _badge(browser, "title.0") == "accepted"
    assert _badge(browser, target["ref"]) == "corrected"
    assert browser.find_elements(By.CSS_SELECTOR, "li.item.status-added")
    assert not browser.find_elements(By.ID, "stale")

    # the page changes (a new paragraph, the corrected item's words gone) and is extracted again
    changed = text.replace(target["span"]["text"], "at one time")
    first_break = changed.index("\n\n")
    changed = changed[:first_break] + "\n\nThis profile was revised." + changed[first_break:]
    (folder / "raw" / f"{PAGE}.txt").write_text(changed, encoding="utf-8", newline="")
    rerun()
    browser.refresh()
    assert _badge(browser, "title.0") == "accepted"
    added = browser.find_elements(By.CSS_SELECTOR, "li.item.status-added")
    assert len(added) == 1 and phrase in added[0].text
    stale = browser.find_element(By.ID, "stale")
    assert "Stale decisions (1)" in stale.text and "correct" in stale.text and new_value in stale.text
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.item.status-corrected")) == 0

    # the list says so too
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    browser.get(base + "/?status=stale")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.doc")
    assert len(rows) == 1 and "Fitchburg, MA" in rows[0].text
    data = json.loads(browser.execute_script(
        "return fetch('/docs/%s.json').then(r => r.text())" % PAGE))
    assert len(data["stale"]) == 1 and len(data["decisions"]) == 3


HOSTILE = ("\ufeffMesa, AZ\r\n\r\nIn 2019 \U0001F694 police arrested 12 men; <script>window.pwned = 1</script> "
           "<img src=x onerror=\"window.pwned = 2\"> \u201cThe Mesa Police Department\u201d said 4 more\u00a0men "
           "were cited.\r\n")


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    """Two constructed pages: BOM, CRLF, an emoji, a non-breaking space and markup in the text."""
    from pipeline.records import Agency, Arrest, Extractor, Record, Source, Span, Title
    from pipeline.review.server import make_app, make_review_server

    text = HOSTILE[1:]  # the document text: the BOM removed

    def span(needle):
        at = text.index(needle)
        return Span(start=at, end=at + len(needle), text=needle)

    (tmp_path / "mesa-az.txt").write_bytes(HOSTILE.encode("utf-8"))
    (tmp_path / "tempe-az.txt").write_text("Tempe, AZ\n\nNothing yet.\n", encoding="utf-8")
    records = [
        Record(doc_id="mesa-az", source=Source(path="mesa-az.txt", sha256="0" * 64, chars=len(text)),
               extractor=Extractor(version="t", rules="t"), title=Title(value="Mesa, AZ", span=span("Mesa, AZ")),
               arrests=[Arrest(count=12, span=span("12"), confidence=0.3)],
               agencies=[Agency(name="Mesa Police Department", kind="police",
                                mentions=[span("Mesa Police Department")], confidence=0.5)]),
        Record(doc_id="tempe-az", source=Source(path="tempe-az.txt", sha256="0" * 64, chars=24),
               extractor=Extractor(version="t", rules="t"),
               title=Title(value="Tempe, AZ", span=Span(start=0, end=9, text="Tempe, AZ"))),
    ]
    (tmp_path / "extracted").mkdir()
    (tmp_path / "extracted" / "records.jsonl").write_text(
        "".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    app = make_app(Path("extracted"), reviewer="tester")
    server = make_review_server(app, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", text
    server.shutdown()
    server.server_close()
    app.service.store.close()


def test_browser_shows_markup_as_text_and_maps_selections_to_code_points(browser, hostile):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, text = hostile
    browser.get(base + "/docs/mesa-az")
    pre = browser.find_element(By.ID, "text")
    shown = browser.execute_script("return document.getElementById('text').textContent")
    assert "<script>window.pwned = 1</script>" in shown and '<img src=x onerror="window.pwned = 2">' in shown
    assert shown == text.replace("\r", "")  # every character but the carriage returns, in order
    assert not browser.find_elements(By.CSS_SELECTOR, "#text script, #text img")
    assert browser.execute_script("return window.pwned === undefined")

    # clicking a highlight selects its item; j / k move between items
    pre.find_element(By.CSS_SELECTOR, '.seg.hl[data-refs="arrests.0"]').click()
    assert browser.find_element(By.CSS_SELECTOR, "li.item.selected").get_attribute("data-ref") == "arrests.0"
    browser.find_element(By.TAG_NAME, "body").send_keys("j")
    assert browser.find_element(By.CSS_SELECTOR, "li.item.selected").get_attribute("data-ref") == "agencies.0"
    assert browser.find_elements(By.CSS_SELECTOR, '#text .seg.outlined[data-refs="agencies.0"]')

    # a selection after the emoji (two UTF-16 units, one code point) and the CRLFs gives code-point offsets
    start = text.index("police arrested")
    assert text[start - 2] == "\U0001F694"
    browser.execute_script(SELECT_JS_CP, start, start + len("police"))
    _wait(browser, lambda d: d.find_element(By.ID, "add-start").get_attribute("value") == str(start))
    assert browser.find_element(By.ID, "add-end").get_attribute("value") == str(start + len("police"))
    Select(browser.find_element(By.ID, "add-field")).select_by_value("agencies")
    value = browser.find_element(By.ID, "add-value")
    value.clear()
    value.send_keys("Mesa police")
    Select(browser.find_element(By.CSS_SELECTOR, "#add-form select[name='value.kind']")).select_by_value("police")
    browser.find_element(By.ID, "add-button").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "li.item.status-added"))
    data = json.loads(browser.execute_script("return fetch('/docs/mesa-az.json').then(r => r.text())"))
    added = next(i for i in data["items"] if i["origin"] == "added")
    assert added["span"] == {"start": start, "end": start + 6, "text": "police"}
    assert added["value"]["name"] == "Mesa police" and added["value"]["kind"] == "police"

    # "r" rejects the selected item, "]" opens the next document
    browser.find_element(By.CSS_SELECTOR, "#item-title-0 .quote").click()
    browser.find_element(By.TAG_NAME, "body").send_keys("r")
    _wait(browser, lambda d: _badge(d, "title.0") == "rejected")
    browser.find_element(By.TAG_NAME, "body").send_keys("]")
    _wait(browser, lambda d: d.current_url.endswith("/docs/tempe-az"))

    # lowest confidence first, across documents
    browser.get(base + "/queue")
    browser.find_element(By.ID, "start-queue").click()
    _wait(browser, lambda d: "/docs/mesa-az?item=arrests.0" in d.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "li.item.selected").get_attribute("data-ref") == "arrests.0"
    browser.find_element(By.TAG_NAME, "body").send_keys("a")
    _wait(browser, lambda d: "item=agencies.0" in d.current_url and "queue=1" in d.current_url)


# Like SELECT_JS, for text with characters outside the BMP: offsets are code points, the DOM counts UTF-16 units.
SELECT_JS_CP = """
const [start, end] = arguments;
function point(offset) {
  for (const seg of document.querySelectorAll('#text .seg')) {
    const s = Number(seg.dataset.s), e = Number(seg.dataset.e);
    if (s <= offset && offset < e) {
      const chars = Array.from(seg.firstChild.data).slice(0, offset - s).join('');
      return [seg.firstChild, chars.length];
    }
  }
  throw new Error('no segment at ' + offset);
}
const range = document.createRange();
range.setStart(...point(start));
const [node, off] = point(end - 1);
range.setEnd(node, off + Array.from(node.data.slice(off))[0].length);
const sel = window.getSelection();
sel.removeAllRanges();
sel.addRange(range);
"""
