"""The review app: a small WSGI application served by the standard library.

Routes (every HTML page has a JSON twin):

    GET  /                       document list (filters ?status= &flag=)    GET /docs.json
    GET  /docs/{doc_id}          document page: highlighted text, fields    GET /docs/{doc_id}.json
    GET  /queue                  open items, lowest confidence first        GET /queue.json
    POST /docs/{doc_id}/decisions  a decision: JSON body (answers JSON 201) or a form (answers 303)
    GET  /static/{name}          the page's CSS and script

Safety: page text is escaped by the templates; the server binds 127.0.0.1
unless told otherwise; a POST needs the per-session CSRF token (the
`X-CSRF-Token` header or the `csrf_token` form field, matching the session
cookie) and, when the browser sends an Origin, one naming this server; doc
ids are looked up in the records, never used as paths.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from http.cookies import SimpleCookie
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, Callable, Iterable, Optional
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pipeline.review.batch import Batch, BatchError
from pipeline.review.fields import FIELDS
from pipeline.review.render import STATIC, context_html, environment, highlight, marks_of
from pipeline.review.service import DOC_STATUSES, ReviewError, ReviewService

log = logging.getLogger("profilex.review")

SESSION_COOKIE = "profilex_review_session"
MAX_BODY = 256 * 1024
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
REF = re.compile(r"^[a-z]+\.\d+$")


def _choices() -> dict:
    from typing import get_args

    from pipeline import records as m

    return {("agencies", "kind"): list(get_args(m.AgencyKind)), ("arrests", "role"): list(get_args(m.ArrestRole)),
            ("arrests", "qualifier"): list(get_args(m.ArrestQualifier)),
            ("dates", "mod"): list(get_args(m.TimexMod)),
            ("jurisdiction", "type"): list(get_args(m.JurisdictionType))}


def tactic_labels() -> list[str]:
    """The known tactic labels (models/tactics/labels.json), offered when correcting or adding a tactic."""
    from pipeline.rules import models_dir

    try:
        data = json.loads((models_dir() / "tactics" / "labels.json").read_text(encoding="utf-8"))
        return sorted(data.get("labels", {}))
    except (OSError, ValueError, AttributeError):
        return []


class HttpError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


STATUS_TEXT = {200: "OK", 201: "Created", 303: "See Other", 400: "Bad Request", 403: "Forbidden",
               404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
               415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable"}


class ReviewApp:
    """The WSGI application."""

    def __init__(self, service: ReviewService, secret: Optional[bytes] = None):
        self.service = service
        self.secret = secret or secrets.token_bytes(32)
        self.env = environment()
        self.choices = _choices()
        self.tactic_labels = tactic_labels()

    # ------------------------------------------------------------ plumbing
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        session, new_session = self._session(environ)
        try:
            status, headers, body = self.route(environ, session)
        except HttpError as err:
            status, headers, body = self._error(environ, err.status, err.message)
        except ReviewError as err:
            status, headers, body = self._error(environ, err.status, err.message)
        except BatchError as err:
            status, headers, body = self._error(environ, 503, str(err))
        except Exception:  # a bug: say so plainly, keep serving
            log.exception("review app: error on %s", environ.get("PATH_INFO"))
            status, headers, body = self._error(environ, 500, "internal error (see the server's log)")
        headers = list(headers) + [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                                   ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store"),
                                   ("X-CSRF-Token", self.csrf_token(session))]
        if new_session:
            headers.append(("Set-Cookie", f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict"))
        start_response(f"{status} {STATUS_TEXT.get(status, '')}".strip(), headers)
        return [body]

    def _session(self, environ: dict) -> tuple[str, bool]:
        cookie = SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except Exception:
            pass
        morsel = cookie.get(SESSION_COOKIE)
        if morsel and re.fullmatch(r"[A-Za-z0-9_-]{20,64}", morsel.value):
            return morsel.value, False
        return secrets.token_urlsafe(24), True

    def csrf_token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode(), hashlib.sha256).hexdigest()

    def _error(self, environ: dict, status: int, message: str) -> tuple[int, list, bytes]:
        wants_json = (environ.get("PATH_INFO", "").endswith(".json")
                      or "application/json" in environ.get("CONTENT_TYPE", "")
                      or "application/json" in environ.get("HTTP_ACCEPT", ""))
        if wants_json:
            return status, [("Content-Type", "application/json; charset=utf-8")], \
                json.dumps({"error": message, "status": status}).encode()
        return status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode()

    def _json(self, data: Any, status: int = 200) -> tuple[int, list, bytes]:
        return status, [("Content-Type", "application/json; charset=utf-8")], \
            json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    def _html(self, template: str, session: str, **context: Any) -> tuple[int, list, bytes]:
        page = self.env.get_template(template).render(csrf=self.csrf_token(session),
                                                      reviewer=self.service.reviewer, **context)
        return 200, [("Content-Type", "text/html; charset=utf-8"),
                     ("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                                 "script-src 'self'; img-src 'self'; object-src 'none'; "
                                                 "base-uri 'none'; form-action 'self'")], page.encode("utf-8")

    # ------------------------------------------------------------ routing
    def route(self, environ: dict, session: str) -> tuple[int, list, bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/") or "/"
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path.startswith("/static/"):
            return self.static(path[len("/static/"):], method)
        parts = [p for p in path.split("/") if p]
        if method == "POST":
            if len(parts) == 3 and parts[0] == "docs" and parts[2] == "decisions":
                return self.post_decision(environ, session, parts[1])
            raise HttpError(405 if self._is_get_route(parts) else 404, f"no POST route {path}")
        if method not in ("GET", "HEAD"):
            raise HttpError(405, f"{method} is not allowed here")
        if parts in ([], ["docs"]):
            return self.doc_list(session, query)
        if parts == ["docs.json"]:
            return self._json(self.service.doc_list(query.get("status") or None, query.get("flag") or None))
        if parts == ["queue"]:
            return self.queue(session)
        if parts == ["queue.json"]:
            return self._json(self.service.queue(self._limit(query)))
        if len(parts) == 2 and parts[0] == "docs":
            if parts[1].endswith(".json"):
                return self._json(self.service.doc_json(parts[1][:-len(".json")]))
            return self.doc_page(session, parts[1], query)
        if len(parts) == 3 and parts[0] == "docs" and parts[2] == "decisions":
            data = self.service.doc_json(parts[1])
            return self._json({"doc_id": data["doc_id"], "decisions": data["decisions"]})
        raise HttpError(404, f"nothing at {path}")

    @staticmethod
    def _is_get_route(parts: list[str]) -> bool:
        return parts in ([], ["docs"], ["docs.json"], ["queue"], ["queue.json"]) or (
            len(parts) == 2 and parts[0] == "docs")

    @staticmethod
    def _limit(query: dict) -> int:
        try:
            return max(1, min(int(query.get("limit", 200)), 5000))
        except ValueError:
            raise HttpError(400, "limit must be a number") from None

    def static(self, name: str, method: str) -> tuple[int, list, bytes]:
        files = {p.name: p for p in STATIC.iterdir() if p.suffix in STATIC_TYPES}
        if name not in files:  # looked up among the package's files, never joined into a path
            raise HttpError(404, f"no static file {name}")
        return 200, [("Content-Type", STATIC_TYPES[files[name].suffix])], files[name].read_bytes()

    # ------------------------------------------------------------ pages
    def doc_list(self, session: str, query: dict) -> tuple[int, list, bytes]:
        status, flag = query.get("status") or None, query.get("flag") or None
        data = self.service.doc_list(status, flag)
        q = urlencode({k: v for k, v in (("status", status), ("flag", flag)) if v})
        return self._html("list.html", session, data=data, statuses=DOC_STATUSES, query=q)

    def queue(self, session: str) -> tuple[int, list, bytes]:
        data = self.service.queue()
        for entry in data["items"]:
            span, context = entry["span"], entry["context"]
            if span:
                doc = self.service.document(entry["doc_id"])
                entry["context_html"] = context_html(doc.text or "", span["start"], span["end"]) \
                    if doc.text else context
            else:
                entry["context_html"] = ""
        return self._html("queue.html", session, data=data)

    def doc_page(self, session: str, doc_id: str, query: dict) -> tuple[int, list, bytes]:
        data = self.service.doc_json(doc_id)
        doc = self.service.document(doc_id)
        text_html = highlight(doc.text, marks_of(data["items"])) if doc.text is not None else ""
        by_field = {name: [i for i in data["items"] if i["field"] == name] for name in FIELDS}
        refs = [i["ref"] for name in FIELDS for i in by_field[name]]
        next_of = {ref: (refs[n + 1] if n + 1 < len(refs) else ref) for n, ref in enumerate(refs)}
        return self._html("doc.html", session, data=data, text_html=text_html, by_field=by_field,
                          next_of=next_of, queue=query.get("queue") == "1",
                          choices={"kind": self.choices[("agencies", "kind")]}, tactic_labels=self.tactic_labels,
                          choices_for=lambda f, k: self.choices.get((f, k)))

    # ------------------------------------------------------------ decisions
    def post_decision(self, environ: dict, session: str, doc_id: str) -> tuple[int, list, bytes]:
        self._check_origin(environ)
        content_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        body = self._body(environ)
        if content_type == "application/json":
            token = environ.get("HTTP_X_CSRF_TOKEN", "")
            self._check_csrf(session, token)
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise HttpError(400, f"the body is not JSON: {err}") from None
            result = self.service.decide(doc_id, payload)
            return self._json(result, 201)
        if content_type == "application/x-www-form-urlencoded":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            self._check_csrf(session, form.get("csrf_token", ""))
            payload = form_payload(form)
            result = self.service.decide(doc_id, payload)
            return self._redirect_after(doc_id, form, payload, result)
        raise HttpError(415, "send the decision as JSON (application/json) or as a form")

    def _redirect_after(self, doc_id: str, form: dict, payload: dict, result: dict) -> tuple[int, list, bytes]:
        target = form.get("next") if payload["action"] != "add" else None
        if payload["action"] == "add" and result.get("item"):
            target = result["item"]["ref"]
        if form.get("then") == "queue":
            upcoming = self.service.queue(limit=1)["items"]
            location = upcoming[0]["url"] + "&queue=1" if upcoming else "/queue"
        else:
            location = f"/docs/{doc_id}"
            if target and REF.match(target):
                location += f"?item={target}"
        return 303, [("Location", location), ("Content-Type", "text/plain; charset=utf-8")], b"saved\n"

    def _check_csrf(self, session: str, token: str) -> None:
        if not token or not hmac.compare_digest(token, self.csrf_token(session)):
            raise HttpError(403, "missing or wrong CSRF token: reload the page (JSON clients: send the "
                                 "X-CSRF-Token header from any GET, with its session cookie)")

    @staticmethod
    def _check_origin(environ: dict) -> None:
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
        if urlsplit(origin).netloc.lower() != host.lower():
            raise HttpError(403, f"cross-origin request from {origin} refused")

    @staticmethod
    def _body(environ: dict) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HttpError(400, "bad Content-Length") from None
        if length > MAX_BODY:
            raise HttpError(413, f"a decision is at most {MAX_BODY} bytes")
        return environ["wsgi.input"].read(length) if length > 0 else b""


def form_payload(form: dict) -> dict:
    """A decision from an HTML form: value.<key> fields make the value, span_start/span_end the span."""
    payload: dict = {"field": form.get("field"), "action": form.get("action")}
    if form.get("item", "") != "":
        try:
            payload["item"] = int(form["item"])
        except ValueError:
            raise HttpError(400, "item must be a number") from None
    if form.get("key"):
        try:
            payload["key"] = json.loads(form["key"])
        except json.JSONDecodeError:
            raise HttpError(400, "key must be JSON") from None
    values = {k[len("value."):]: v for k, v in form.items() if k.startswith("value.")}
    if payload["action"] == "add":
        values = {k: v for k, v in values.items() if v.strip()}
        if form.get("value", "").strip():
            spec = FIELDS.get(payload["field"] or "")
            if spec:
                values[spec.key[0]] = form["value"]
        if form.get("span_start", "") != "" or form.get("span_end", "") != "":
            try:
                payload["span"] = {"start": int(form.get("span_start", "")), "end": int(form.get("span_end", ""))}
            except ValueError:
                raise HttpError(400, "span start and end must be numbers") from None
    else:
        values = {k: (v if v.strip() else None) for k, v in values.items()}
    if values:
        payload["value"] = values
    if form.get("note", "").strip():
        payload["note"] = form["note"].strip()
    if form.get("reviewer", "").strip():
        payload["reviewer"] = form["reviewer"].strip()
    return payload


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        log.info("%s - %s", self.address_string(), format % args)


def make_app(folder: Path, db: Optional[str] = None, reviewer: str = "reviewer",
             base: Optional[Path] = None) -> ReviewApp:
    from pipeline.review.store import DecisionStore

    batch = Batch(Path(folder), base=base)
    store = DecisionStore(db or Path(folder) / "review.sqlite")
    return ReviewApp(ReviewService(batch, store, reviewer=reviewer))


def make_review_server(app: ReviewApp, host: str = "127.0.0.1", port: int = 8765):
    """A threading WSGI server for `app` (port 0 picks a free one); call serve_forever()."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)


def serve(folder: Path, host: str = "127.0.0.1", port: int = 8765, db: Optional[str] = None,
          reviewer: str = "reviewer") -> None:
    app = make_app(folder, db, reviewer)
    server = make_review_server(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"profilex review: {folder} at http://{shown}:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.service.store.close()
