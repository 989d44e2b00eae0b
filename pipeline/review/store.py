"""Reviewers' decisions: an append-only table in SQLite or PostgreSQL.

One row per decision (accept, reject, correct, add) with the reviewer, the
time and the anchor of the item it concerns (see pipeline.review.anchoring):
doc_id, text sha256, field, key value, span and its surrounding text. Rows
are only ever inserted; the current state of an item is its latest decision
(highest id), the rest is history.

`DecisionStore("extracted/review.sqlite")` or
`DecisionStore("postgresql://user@host/db")` (SQLAlchemy Core, parameterized
statements only).

For export: `apply_decisions(records, decisions_or_db)` returns the records
with a `review` object on every item (status accepted, corrected, added or
open, with reviewer, time and note of the decision), corrections applied,
items added by reviewers appended and rejected items dropped.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import sqlalchemy as sa

from pipeline.review.anchoring import context_of, resolve, text_sha256
from pipeline.review.fields import FIELDS, items_of

log = logging.getLogger("profilex.review")

ACTIONS = ("accept", "reject", "correct", "add")
TABLE = "review_decisions"

_meta = sa.MetaData()
decisions_table = sa.Table(
    TABLE, _meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.Text, nullable=False),
    sa.Column("text_sha256", sa.String(64), nullable=False),
    sa.Column("source_sha256", sa.String(64)),
    sa.Column("text_chars", sa.Integer),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("item_index", sa.Integer),
    sa.Column("key_json", sa.Text, nullable=False),
    sa.Column("span_start", sa.Integer),
    sa.Column("span_end", sa.Integer),
    sa.Column("span_text", sa.Text),
    sa.Column("context_before", sa.Text),
    sa.Column("context_after", sa.Text),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("value_json", sa.Text),
    sa.Column("snapshot_json", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.CheckConstraint("action IN ('accept', 'reject', 'correct', 'add')", name="ck_review_action"),
)
sa.Index("ix_review_decisions_doc_id", decisions_table.c.doc_id)


def db_url(target: Union[str, Path]) -> str:
    """A SQLAlchemy URL: a file path becomes sqlite, postgres:// URLs use psycopg 3."""
    target = str(target)
    for prefix in ("postgresql://", "postgres://"):
        if target.startswith(prefix):
            return "postgresql+psycopg://" + target[len(prefix):]
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser().resolve()}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class DecisionStore:
    """Append-only decisions; safe to share between threads (one connection per call)."""

    def __init__(self, target: Union[str, Path], create: bool = True):
        self.url = db_url(target)
        if self.url.startswith("sqlite:///") and create:
            Path(self.url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, future=True)
        if self.url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        if create:
            _meta.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def add(self, *, doc_id: str, text: str, field: str, action: str, item_index: Optional[int],
            key: dict, span: Optional[dict], value: Optional[dict] = None,
            snapshot: Optional[dict] = None, note: Optional[str] = None, reviewer: str,
            source_sha256: Optional[str] = None, at: Optional[str] = None) -> dict:
        """Record one decision about an item of document `doc_id` whose text is `text`."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}")
        before, after = context_of(text, span)
        row = {
            "doc_id": doc_id, "text_sha256": text_sha256(text), "source_sha256": source_sha256,
            "text_chars": len(text), "field": field, "item_index": item_index,
            "key_json": json.dumps(key, ensure_ascii=False, sort_keys=True),
            "span_start": span["start"] if span else None, "span_end": span["end"] if span else None,
            "span_text": span["text"] if span else None,
            "context_before": before, "context_after": after, "action": action,
            "value_json": json.dumps(value, ensure_ascii=False) if value is not None else None,
            "snapshot_json": json.dumps(snapshot, ensure_ascii=False) if snapshot is not None else None,
            "note": note or None, "reviewer": reviewer, "created_at": at or now_iso(),
        }
        with self.engine.begin() as conn:
            result = conn.execute(decisions_table.insert().values(**row))
            row["id"] = result.inserted_primary_key[0]
        return _decision(row)

    def for_doc(self, doc_id: str) -> list[dict]:
        """The decisions about one document, oldest first."""
        query = decisions_table.select().where(decisions_table.c.doc_id == doc_id).order_by(decisions_table.c.id)
        with self.engine.connect() as conn:
            return [_decision(dict(r._mapping)) for r in conn.execute(query)]

    def all(self) -> dict[str, list[dict]]:
        """Every decision, grouped by doc_id, oldest first."""
        out: dict[str, list[dict]] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(decisions_table.select().order_by(decisions_table.c.id)):
                d = _decision(dict(r._mapping))
                out.setdefault(d["doc_id"], []).append(d)
        return out


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _decision(row: dict) -> dict:
    """A row as the decision dict the anchoring functions read."""
    span = None
    if row.get("span_start") is not None:
        span = {"start": row["span_start"], "end": row["span_end"], "text": row["span_text"] or ""}
    return {
        "id": row["id"], "doc_id": row["doc_id"], "text_sha256": row["text_sha256"],
        "source_sha256": row.get("source_sha256"), "text_chars": row.get("text_chars"),
        "field": row["field"], "item_index": row.get("item_index"), "key": json.loads(row["key_json"]),
        "span": span, "before": row.get("context_before") or "", "after": row.get("context_after") or "",
        "action": row["action"],
        "value": json.loads(row["value_json"]) if row.get("value_json") else None,
        "snapshot": json.loads(row["snapshot_json"]) if row.get("snapshot_json") else None,
        "note": row.get("note"), "reviewer": row["reviewer"], "at": row["created_at"],
    }


# ------------------------------------------------------------------ export hook

def load_decisions(target: Union[str, Path]) -> dict[str, list[dict]]:
    """Every decision of a review database (path or URL), grouped by doc_id."""
    store = DecisionStore(target, create=False)
    try:
        if not sa.inspect(store.engine).has_table(TABLE):
            return {}
        return store.all()
    finally:
        store.close()


def review_of(state: Any) -> dict:
    latest = state.latest or {}
    return {"status": state.status, "reviewer": latest.get("reviewer"), "at": latest.get("at"),
            "note": latest.get("note"), "decision": latest.get("id")}


def apply_decisions(records: Iterable[dict], decisions: Union[str, Path, dict, None],
                    texts: Optional[dict[str, str]] = None, base: Optional[Path] = None) -> list[dict]:
    """Records with reviewers' decisions applied, for export.

    `decisions` is a database path or URL, or what `load_decisions` returned.
    Every item gets `review`: {"status": accepted | corrected | added | open,
    "reviewer", "at", "note", "decision"}; corrected values replace the
    extracted ones, added items are appended, rejected items are dropped (a
    rejected title, jurisdiction or population becomes null). The record gets
    `review`: {"stale": [decisions that match no item], "text_found": bool}.
    Document texts come from `texts` (doc_id -> text) or are read from
    source.text_path / source.path (relative to `base`, default the cwd).
    """
    from pipeline.review.batch import read_text  # the text files, as the app reads them

    if decisions is None:
        decisions = {}
    elif not isinstance(decisions, dict):
        decisions = load_decisions(decisions)
    out = []
    for record in records:
        record = json.loads(json.dumps(record))  # a copy the caller's objects do not share
        doc_decisions = decisions.get(record.get("doc_id"), [])
        text = (texts or {}).get(record.get("doc_id"))
        if text is None:
            try:
                text = read_text(record, base)
            except (OSError, ValueError) as err:
                text = None
                if doc_decisions:
                    log.warning("%s: document text not readable (%s): its decisions cannot be placed",
                                record.get("doc_id"), err)
        out.append(apply_to_record(record, doc_decisions, text))
    return out


def apply_to_record(record: dict, decisions: list[dict], text: Optional[str]) -> dict:
    """One record (a dict, changed in place and returned) with its decisions applied."""
    text_found = text is not None
    if text_found:
        review = resolve(items_of(record), decisions, text)
        stale = review.stale
    else:  # without the text no decision can be placed: every one is reported stale
        review = resolve(items_of(record), [], "")
        stale = list(decisions)
    for spec in FIELDS.values():
        states = review.of_field(spec.name)
        if spec.many:
            kept = []
            for state in states:
                if state.status == "rejected":
                    continue
                value = state.value
                value["review"] = review_of(state)
                kept.append(value)
            record[spec.name] = kept
        elif record.get(spec.name) is not None or states:
            live = [s for s in states if s.status != "rejected"]
            if not live:
                record[spec.name] = None if states else record.get(spec.name)
            else:
                value = live[-1].value
                value["review"] = review_of(live[-1])
                record[spec.name] = value
    record["review"] = {"stale": [{k: d[k] for k in ("id", "field", "action", "key", "span", "value",
                                                     "note", "reviewer", "at")} for d in stale],
                        "text_found": text_found}
    return record

