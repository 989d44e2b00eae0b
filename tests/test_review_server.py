"""The review app's routes: JSON twins, decisions, CSRF and origin checks, escaping, the CLI."""
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest

from pipeline.records import Agency, Arrest, DateItem, Extractor, Record, Source, Span, Tactic, Title
from pipeline.review.batch import Batch
from pipeline.review.server import ReviewApp, form_payload
from pipeline.review.service import ReviewService
from pipeline.review.store import DecisionStore, apply_decisions

REPO = Path(__file__).resolve().parent.parent

EVIL = ("Erie, PA\n\nIn 2019 police arrested 12 men. <script>alert('x')</script> and "
        "<img src=x onerror=alert(1)> & \"quotes\" said the Erie Police Department.\n")


def sp(text, needle, nth=0):
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return Span(start=at, end=at + len(needle), text=needle)


def make_record(doc_id, path, text, **fields):
    return Record(doc_id=doc_id, source=Source(path=path, sha256="0" * 64, chars=len(text)),
                  extractor=Extractor(version="t", rules="t"), **fields).model_dump(mode="json")


def evil_record(text, path="pages/erie-pa.txt"):
    return make_record(
        "erie-pa", path, text, title=Title(value="Erie, PA", span=sp(text, "Erie, PA")),
        arrests=[Arrest(count=12, span=sp(text, "12"), confidence=0.4)],
        dates=[DateItem(value="2019", span=sp(text, "2019"), confidence=0.9)],
        agencies=[Agency(name="Erie Police Department", kind="police",
                         mentions=[sp(text, "Erie Police Department")], confidence=0.7)],
        tactics=[Tactic(label="<b>Sting</b>", listed=False, evidence=[sp(text, "<script>alert('x')</script>")],
                        confidence=0.2)],
        flags=[{"code": "population_mismatch", "message": "<i>odd</i>"}])


def write_batch(folder, records):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


class Client:
    """Calls the WSGI app directly, keeping its session cookie."""

    def __init__(self, app):
        self.app = app
        self.cookie = None
        self.token = None

    def request(self, method, path, body=b"", content_type=None, headers=None, with_cookie=True):
        environ = {}
        setup_testing_defaults(environ)
        path, _, query = path.partition("?")
        environ.update({"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                        "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                        "HTTP_HOST": "127.0.0.1:8765"})
        if content_type:
            environ["CONTENT_TYPE"] = content_type
        if self.cookie and with_cookie:
            environ["HTTP_COOKIE"] = self.cookie
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        seen = {}

        def start_response(status, response_headers):
            seen["status"] = int(status.split()[0])
            seen["headers"] = response_headers

        data = b"".join(self.app(environ, start_response))
        headers = dict(seen["headers"])
        for name, value in seen["headers"]:
            if name == "Set-Cookie":
                self.cookie = value.split(";")[0]
        self.token = headers.get("X-CSRF-Token", self.token)
        return seen["status"], headers, data

    def get(self, path):
        return self.request("GET", path)

    def get_json(self, path):
        status, _, data = self.get(path)
        assert status == 200, data
        return json.loads(data)

    def post_json(self, path, payload, token=True, headers=None):
        if self.token is None:
            self.get("/docs.json")
        hdrs = {"X-CSRF-Token": self.token} if token else {}
        hdrs.update(headers or {})
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        status, h, data = self.request("POST", path, body, "application/json", hdrs)
        return status, json.loads(data) if h.get("Content-Type", "").startswith("application/json") else data


@pytest.fixture
def batch_dir(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "erie-pa.txt").write_text(EVIL, encoding="utf-8", newline="")
    other = "Ames, IA\r\n\r\nIn 2015, 3 buyers were cited.\r\n"
    (pages / "ames-ia.txt").write_bytes(b"\xef\xbb\xbf" + other.encode())
    write_batch(tmp_path / "out", [
        evil_record(EVIL),
        make_record("ames-ia", "pages/ames-ia.txt", other, title=Title(value="Ames, IA", span=sp(other, "Ames, IA")),
                    arrests=[Arrest(count=3, role="buyer", span=sp(other, "3"), confidence=0.95)]),
    ])
    return tmp_path


@pytest.fixture
def client(batch_dir):
    store = DecisionStore(batch_dir / "out" / "review.sqlite")
    app = ReviewApp(ReviewService(Batch(batch_dir / "out", base=batch_dir), store, reviewer="tester"))
    yield Client(app)
    store.close()


def test_docs_json_lists_every_document_with_counts_and_progress(client):
    data = client.get_json("/docs.json")
    assert [d["doc_id"] for d in data["documents"]] == ["erie-pa", "ames-ia"]
    erie = data["documents"][0]
    assert erie["counts"]["items"] == 5 and erie["counts"]["open"] == 5
    assert erie["flags"] == ["population_mismatch"] and erie["lowest_open_confidence"] == 0.2
    assert data["totals"]["items"] == 7 and data["totals"]["progress"] == 0


def test_doc_json_has_record_items_and_decisions(client):
    data = client.get_json("/docs/ames-ia.json")
    assert data["record"]["doc_id"] == "ames-ia" and data["decisions"] == []
    assert [i["ref"] for i in data["items"]] == ["title.0", "arrests.0"]
    assert all(i["span_ok"] for i in data["items"])  # BOM removed, CRLF kept: spans index the text
    assert data["previous"] == "erie-pa" and data["next"] is None


def test_accept_correct_add_then_the_document_shows_them(client):
    assert client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"})[0] == 201
    status, body = client.post_json("/docs/erie-pa/decisions", {
        "field": "agencies", "item": 0, "action": "correct", "value": {"name": "Erie Police Dept.", "kind": "police"},
        "note": "short form"})
    assert status == 201 and body["item"]["status"] == "corrected"
    at = EVIL.index("said")
    status, body = client.post_json("/docs/erie-pa/decisions", {
        "field": "tactics", "action": "add", "value": "Public Education", "span": {"start": at, "end": at + 4}})
    assert status == 201 and body["item"]["origin"] == "added" and body["item"]["span"]["text"] == "said"
    data = client.get_json("/docs/erie-pa.json")
    statuses = {i["ref"]: i["status"] for i in data["items"]}
    assert statuses["arrests.0"] == "accepted" and statuses["agencies.0"] == "corrected"
    assert statuses["tactics.1"] == "added"
    agency = next(i for i in data["items"] if i["ref"] == "agencies.0")
    assert agency["value"]["name"] == "Erie Police Dept." and agency["decision"]["note"] == "short form"
    assert len(data["decisions"]) == 3 and {d["reviewer"] for d in data["decisions"]} == {"tester"}
    summary = client.get_json("/docs.json")["documents"][0]["counts"]
    assert (summary["accepted"], summary["corrected"], summary["added"], summary["open"]) == (1, 1, 1, 3)


def test_two_reviewers_on_one_item_the_later_wins_and_both_stay_in_history(client):
    client.post_json("/docs/ames-ia/decisions", {"field": "arrests", "item": 0, "action": "accept", "reviewer": "ann"})
    client.post_json("/docs/ames-ia/decisions", {"field": "arrests", "item": 0, "action": "reject", "reviewer": "bob"})
    item = client.get_json("/docs/ames-ia.json")["items"][1]
    assert item["status"] == "rejected" and [h["reviewer"] for h in item["history"]] == ["ann", "bob"]


@pytest.mark.parametrize("payload,status,message", [
    ({"field": "arrests", "item": 0, "action": "approve"}, 400, "action must be one of"),
    ({"field": "victims", "item": 0, "action": "accept"}, 400, "field must be one of"),
    ({"field": "arrests", "item": 9, "action": "accept"}, 404, "no arrests item 9"),
    ({"field": "arrests", "item": "0", "action": "accept"}, 400, "item must be"),
    ({"field": "arrests", "item": 0, "action": "correct", "value": -1}, 400, "whole number"),
    ({"field": "dates", "item": 0, "action": "correct", "value": "summer 2019"}, 400, "EDTF"),
    ({"field": "agencies", "item": 0, "action": "correct", "value": {"kind": "army"}}, 400, "kind"),
    ({"field": "arrests", "action": "add", "value": 4}, 400, "add needs a span"),
    ({"field": "arrests", "action": "add", "value": 4, "span": {"start": 5, "end": 99999}}, 400, "not a stretch"),
    ({"field": "arrests", "action": "add", "value": 4, "span": {"start": 0, "end": 4, "text": "Ames"}}, 400,
     "is not the document text"),
    ({"field": "title", "action": "add", "value": "X", "span": {"start": 0, "end": 4}}, 409, "already has a title"),
    ({"field": "arrests", "item": 0, "action": "accept", "value": 3}, 400, "a value goes with correct or add"),
    ({"field": "arrests", "item": 0, "action": "accept", "evil": 1}, 400, "unknown key"),
    ([1, 2], 400, "must be a JSON object"),
])
def test_bad_decisions_get_a_4xx_with_a_plain_message(client, payload, status, message):
    got, body = client.post_json("/docs/erie-pa/decisions", payload)
    assert got == status and message in body["error"]
    assert client.get_json("/docs/erie-pa.json")["decisions"] == []


def test_body_that_is_not_json_is_a_400(client):
    got, body = client.post_json("/docs/erie-pa/decisions", b"{nope")
    assert got == 400 and "not JSON" in body["error"]


def test_post_without_csrf_token_is_refused(client):
    got, body = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"},
                                 token=False)
    assert got == 403 and "CSRF" in body["error"]
    # a token from another session does not do either
    other = Client(client.app)
    other.get("/docs.json")
    client.token = other.token
    got, _ = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"})
    assert got == 403


def test_post_from_another_origin_is_refused(client):
    got, body = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"},
                                 headers={"Origin": "http://evil.example"})
    assert got == 403 and "cross-origin" in body["error"]
    got, _ = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"},
                              headers={"Origin": "http://127.0.0.1:8765"})
    assert got == 201


@pytest.mark.parametrize("path", ["/docs/..%2F..%2Fetc%2Fpasswd", "/docs/../records.jsonl", "/docs/nope",
                                  "/docs/nope.json", "/static/../server.py", "/static/review.py"])
def test_unknown_doc_ids_and_files_are_404_never_paths(client, path):
    status, _, body = client.get(path)
    assert status == 404 and b"root:" not in body


def test_page_text_with_script_and_img_renders_as_text(client):
    status, headers, body = client.get("/docs/erie-pa")
    page = body.decode()
    assert status == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;Sting&lt;/b&gt;" in page and "<b>Sting" not in page and "<i>odd" not in page
    assert page.count("<script") == 1 and '<script src="/static/review.js"></script>' in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_document_page_highlights_every_span_with_its_offsets(client):
    page = client.get("/docs/ames-ia")[2].decode()
    text = "Ames, IA\r\n\r\nIn 2015, 3 buyers were cited.\r\n"
    at = text.index("3 buyers")
    assert f'data-s="{at}" data-e="{at + 1}" data-refs="arrests.0"' in page
    assert 'class="seg cr"' in page  # carriage returns kept as their own offsets
    assert 'id="item-arrests-0"' in page and "Add a missed item" in page
    assert '<datalist id="tactic-labels">' in page and '<option value="John School">' in page


def test_form_post_saves_and_redirects_to_the_next_item(client):
    import html

    page = client.get("/docs/erie-pa")[2].decode()
    token = client.token
    item = page[page.index('id="item-arrests-0"'):]
    key = html.unescape(re.search(r"name=\"key\" value='([^']*)'", item).group(1))
    assert json.loads(key) == {"count": 12}
    form = urlencode({"csrf_token": token, "field": "arrests", "item": "0", "action": "accept", "key": key,
                      "next": "dates.0", "note": "", "reviewer": "cat"}).encode()
    status, headers, _ = client.request("POST", "/docs/erie-pa/decisions", form,
                                        "application/x-www-form-urlencoded")
    assert status == 303 and headers["Location"] == "/docs/erie-pa?item=dates.0"
    decision = client.get_json("/docs/erie-pa.json")["decisions"][0]
    assert decision["reviewer"] == "cat" and decision["action"] == "accept"


def test_form_post_with_an_open_redirect_target_stays_on_the_page(client):
    client.get("/docs/erie-pa")
    form = urlencode({"csrf_token": client.token, "field": "arrests", "item": "0", "action": "reject",
                      "next": "//evil.example/"}).encode()
    status, headers, _ = client.request("POST", "/docs/erie-pa/decisions", form, "application/x-www-form-urlencoded")
    assert status == 303 and headers["Location"] == "/docs/erie-pa"


def test_form_payload_maps_value_fields_and_span():
    assert form_payload({"field": "agencies", "item": "2", "action": "correct", "value.name": "Erie PD",
                         "value.kind": "police", "note": " ok "}) == {
        "field": "agencies", "item": 2, "action": "correct", "value": {"name": "Erie PD", "kind": "police"},
        "note": "ok"}
    assert form_payload({"field": "arrests", "action": "add", "value": "4", "value.kind": "",
                         "span_start": "3", "span_end": "5"}) == {
        "field": "arrests", "action": "add", "value": {"count": "4"}, "span": {"start": 3, "end": 5}}


def test_list_filters_by_status_and_flag(client):
    client.post_json("/docs/ames-ia/decisions", {"field": "title", "item": 0, "action": "accept"})
    client.post_json("/docs/ames-ia/decisions", {"field": "arrests", "item": 0, "action": "accept"})
    assert [d["doc_id"] for d in client.get_json("/docs.json?status=done")["documents"]] == ["ames-ia"]
    assert [d["doc_id"] for d in client.get_json("/docs.json?status=open")["documents"]] == ["erie-pa"]
    assert [d["doc_id"] for d in client.get_json("/docs.json?flag=population_mismatch")["documents"]] == ["erie-pa"]
    page = client.get("/?status=done")[2].decode()
    assert re.search(r"<strong>2</strong> of <strong>7</strong> items decided\s+\(29%\) in 2 documents", page)
    assert "/docs/ames-ia" in page and "/docs/erie-pa\"" not in page
    assert client.get("/docs.json?status=bogus")[0] == 400


def test_queue_orders_open_items_by_lowest_confidence_first(client):
    queue = client.get_json("/queue.json")
    confidences = [1.0 if q["confidence"] is None else q["confidence"] for q in queue["items"]]
    assert confidences == sorted(confidences) and queue["items"][0]["ref"] == "tactics.0"
    client.post_json("/docs/erie-pa/decisions", {"field": "tactics", "item": 0, "action": "reject"})
    assert client.get_json("/queue.json")["items"][0]["ref"] == "arrests.0"
    page = client.get("/queue")[2].decode()
    assert "<mark>12</mark>" in page and "&lt;script&gt;" in page


def test_rerun_with_changed_page_reattaches_and_shows_stale(client, batch_dir):
    client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept"})
    client.post_json("/docs/erie-pa/decisions", {"field": "dates", "item": 0, "action": "reject"})
    changed = "UPDATE: new intro.\n" + EVIL.replace("In 2019 police", "Police")
    (batch_dir / "pages" / "erie-pa.txt").write_text(changed, encoding="utf-8", newline="")
    # the re-run on the changed page no longer finds the date
    new = make_record("erie-pa", "pages/erie-pa.txt", changed,
                      title=Title(value="Erie, PA", span=sp(changed, "Erie, PA")),
                      arrests=[Arrest(count=12, span=sp(changed, "12"), confidence=0.4)])
    records = [new] + [json.loads(line) for line in (batch_dir / "out" / "records.jsonl").read_text().splitlines()[1:]]
    write_batch(batch_dir / "out", records)
    data = client.get_json("/docs/erie-pa.json")
    arrests = next(i for i in data["items"] if i["ref"] == "arrests.0")
    assert arrests["status"] == "accepted" and arrests["span"]["start"] == changed.index("12")
    assert [s["action"] for s in data["stale"]] == ["reject"] and data["summary"]["status"] == "stale"
    assert "Stale decisions" in client.get("/docs/erie-pa")[2].decode()


def test_missing_text_is_reported_not_a_crash(client, batch_dir):
    (batch_dir / "pages" / "ames-ia.txt").unlink()
    data = client.get_json("/docs/ames-ia.json")
    assert "cannot be read" in data["problem"]
    status, _, page = client.get("/docs/ames-ia")
    assert status == 200 and b"cannot be read" in page
    got, body = client.post_json("/docs/ames-ia/decisions", {"field": "arrests", "item": 0, "action": "accept"})
    assert got == 409


def test_apply_decisions_for_export_reads_the_database(client, batch_dir, monkeypatch):
    client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "correct", "value": 13})
    client.post_json("/docs/erie-pa/decisions", {"field": "tactics", "item": 0, "action": "reject"})
    records = [json.loads(line) for line in (batch_dir / "out" / "records.jsonl").read_text().splitlines()]
    monkeypatch.chdir(batch_dir)  # source paths are relative to where the command runs
    out = apply_decisions(records, batch_dir / "out" / "review.sqlite")
    erie = out[0]
    assert erie["arrests"][0]["count"] == 13 and erie["arrests"][0]["review"]["status"] == "corrected"
    assert erie["tactics"] == [] and erie["dates"][0]["review"]["status"] == "open"
    assert records[0]["arrests"][0]["count"] == 12  # the caller's records are not changed


def test_real_pipeline_output_on_raw_pages_renders_and_takes_decisions(nlp, tmp_path, monkeypatch):
    from pipeline.run import run_batch

    pages = tmp_path / "raw"
    pages.mkdir()
    for name in ("fitchburg-ma.txt", "erie-pa.txt", "sumter-sc-page.html"):
        shutil.copy(REPO / "raw" / name, pages / name)
    monkeypatch.chdir(tmp_path)
    result = run_batch(["raw"], Path("out"), nlp)
    assert not result.errors, result.error_lines
    store = DecisionStore(tmp_path / "out" / "review.sqlite")
    c = Client(ReviewApp(ReviewService(Batch(Path("out")), store)))
    listing = c.get_json("/docs.json")
    assert {d["doc_id"] for d in listing["documents"]} == {"fitchburg-ma", "erie-pa", "sumter-sc-page"}
    html_record = c.get_json("/docs/sumter-sc-page.json")["record"]
    assert html_record["source"]["text_path"]  # an HTML page: its spans index the saved text
    for doc in listing["documents"]:
        data = c.get_json(f"/docs/{doc['doc_id']}.json")
        assert data["problem"] is None and all(i["span_ok"] for i in data["items"])
        assert c.get(f"/docs/{doc['doc_id']}")[0] == 200
    first = c.get_json("/docs/fitchburg-ma.json")["items"][0]
    status, body = c.post_json("/docs/fitchburg-ma/decisions", {"field": first["field"], "item": first["item"],
                                                                "action": "accept"})
    assert status == 201 and body["item"]["status"] == "accepted"
    store.close()


def test_read_text_decodes_with_the_records_encoding_and_drops_a_bom(tmp_path):
    from pipeline.review.batch import read_text

    (tmp_path / "legacy.txt").write_bytes("Caf\u00e9 \u201cstings\u201d\r\n".encode("cp1252"))
    assert read_text({"source": {"path": "legacy.txt", "encoding": "cp1252"}}, tmp_path) == \
        "Caf\u00e9 \u201cstings\u201d\r\n"
    (tmp_path / "wide.txt").write_bytes("Tempe, AZ\r\n".encode("utf-16"))
    assert read_text({"source": {"path": "wide.txt", "encoding": "utf-16"}}, tmp_path) == "Tempe, AZ\r\n"
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfAmes\r\n")
    assert read_text({"source": {"path": "bom.txt", "encoding": "utf-8"}}, tmp_path) == "Ames\r\n"
    (tmp_path / "page.txt").write_bytes("from HTML \u2014 ok".encode("utf-8"))
    record = {"source": {"path": "page.html", "encoding": "cp1252", "text_path": "page.txt"}}
    assert read_text(record, tmp_path) == "from HTML \u2014 ok"  # the saved text is UTF-8


def test_review_command_has_help_and_refuses_a_folder_without_records(tmp_path, capsys):
    from pipeline.cli import main

    with pytest.raises(SystemExit) as done:
        main(["review", "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "--port" in out and "--db" in out and "127.0.0.1" in out
    assert main(["review", str(tmp_path)]) == 2
    assert "no records.jsonl" in capsys.readouterr().err


def test_review_command_defaults_to_this_machine_only():
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["review"])
    assert (args.folder, args.host, args.port, args.db) == ("extracted", "127.0.0.1", 8765, None)


def test_review_command_serves_and_prints_its_address(batch_dir):
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "review", "out", "--port", "0"], cwd=batch_dir,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert address, line + proc.stderr.read() if proc.poll() is not None else line
        with urllib.request.urlopen(address.group(0) + "docs.json", timeout=10) as response:
            assert [d["doc_id"] for d in json.load(response)["documents"]] == ["erie-pa", "ames-ia"]
        assert (batch_dir / "out" / "review.sqlite").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_segments_cut_at_every_span_boundary_and_around_carriage_returns():
    from pipeline.review.render import Mark, segments

    text = "ab\r\ncd ef"
    segs = segments(text, [Mark(0, 7, "title.0", "title"), Mark(4, 6, "dates.0", "dates"),
                           Mark(5, 99, "bad.0", "arrests")])  # out of range: ignored
    assert [(s.start, s.end, s.refs) for s in segs] == [
        (0, 2, ("title.0",)), (2, 3, ("title.0",)), (3, 4, ("title.0",)), (4, 6, ("dates.0", "title.0")),
        (6, 7, ("title.0",)), (7, 9, ())]
    assert segs[3].field == "dates"  # the innermost span gives the colour
    assert "".join(text[s.start:s.end] for s in segs) == text


def test_highlight_escapes_every_segment():
    from pipeline.review.render import Mark, highlight

    text = "<b>x</b> & <script>y</script>\r\n"
    html = str(highlight(text, [Mark(0, 8, "tactics.0", "tactics")]))
    assert "<b>" not in html and "<script>" not in html
    assert '&lt;b&gt;x&lt;/b&gt;</span>' in html and "&amp; &lt;script&gt;y&lt;/script&gt;" in html
    assert '<span class="seg cr" data-s="29" data-e="30"></span>' in html


def test_templates_and_static_files_are_installed_as_package_data():
    import fnmatch
    import tomllib

    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "pipeline.review"]
    package = REPO / "pipeline" / "review"
    files = [p.relative_to(package).as_posix() for folder in ("templates", "static")
             for p in (package / folder).iterdir()]
    assert files and all(any(fnmatch.fnmatch(f, pat) for pat in patterns) for f in files), files


def test_a_decision_naming_the_items_key_is_refused_when_the_item_changed(client):
    got, body = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept",
                                                             "key": {"count": 11}})
    assert got == 409 and "reload" in body["error"]
    got, _ = client.post_json("/docs/erie-pa/decisions", {"field": "arrests", "item": 0, "action": "accept",
                                                          "key": {"count": 12}})
    assert got == 201


def test_page_changed_after_extraction_is_a_problem_not_wrong_highlights(client, batch_dir):
    page = batch_dir / "pages" / "erie-pa.txt"
    page.write_text("Preface.\n" + EVIL, encoding="utf-8", newline="")
    data = client.get_json("/docs/erie-pa.json")
    assert "re-run `profilex run`" in data["problem"] and data["summary"]["status"] == "problem"
    assert not any(i["span_ok"] for i in data["items"])
    assert 'data-refs=' not in client.get("/docs/erie-pa")[2].decode()
    assert [d["doc_id"] for d in client.get_json("/docs.json?status=problem")["documents"]] == ["erie-pa"]
