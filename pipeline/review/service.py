"""What the review app does, for its HTML pages and their JSON twins alike.

`ReviewService` joins the batch (records and texts), the decision store and
the anchoring: a document's items with their current decisions, summaries for
the document list, the lowest-confidence-first queue, and `decide`, which
checks a reviewer's decision and appends it to the store. Bad input raises
`ReviewError(status, message)`, which the server turns into a 4xx with the
plain message.
"""
from __future__ import annotations

from typing import Any, Optional

from pipeline.review.anchoring import ItemState, Review, resolve
from pipeline.review.batch import Batch, Document
from pipeline.review.fields import (FIELDS, BadValue, added, coerce_value, corrected, describe, item_key, items_of,
                                    same_key)
from pipeline.review.store import ACTIONS, DecisionStore

MAX_NOTE = 2000
MAX_REVIEWER = 100
DOC_STATUSES = ("open", "done", "stale", "problem")


class ReviewError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class ReviewService:
    def __init__(self, batch: Batch, store: DecisionStore, reviewer: str = "reviewer"):
        self.batch = batch
        self.store = store
        self.reviewer = reviewer

    # ---------------------------------------------------------------- reading
    def document(self, doc_id: str) -> Document:
        doc = self.batch.document(doc_id) if isinstance(doc_id, str) else None
        if doc is None:
            raise ReviewError(404, f"no document {doc_id!r} in this batch")
        return doc

    def review(self, doc: Document, decisions: Optional[list[dict]] = None) -> Review:
        """The document's items with their decisions (read from the store unless given)."""
        if decisions is None:
            decisions = self.store.for_doc(doc.doc_id)
        if doc.text is None:
            # nothing can be placed without the text: every decision shows as stale
            review = resolve(items_of(doc.record), [], "")
            review.stale = [dict(d, history=[d]) for d in decisions]
            return review
        return resolve(items_of(doc.record), decisions, doc.text, doc.sha)

    def summary(self, doc: Document, review: Optional[Review] = None) -> dict:
        review = review or self.review(doc)
        counts = review.counts()
        record = doc.record
        title = (record.get("title") or {}).get("value") or doc.doc_id
        flags = sorted({f.get("code") for f in record.get("flags") or [] if f.get("code")})
        min_conf = min((s.confidence for s in review.items if s.status == "open" and s.confidence is not None),
                       default=None)
        return {"doc_id": doc.doc_id, "title": title, "counts": counts, "flags": flags,
                "status": self.doc_status(counts, doc), "problem": doc.problem,
                "lowest_open_confidence": min_conf, "url": f"/docs/{doc.doc_id}"}

    @staticmethod
    def doc_status(counts: dict, doc: Document) -> str:
        if doc.problem:
            return "problem"
        if counts["stale"]:
            return "stale"
        return "open" if counts["open"] else "done"

    def doc_list(self, status: Optional[str] = None, flag: Optional[str] = None) -> dict:
        if status and status not in DOC_STATUSES:
            raise ReviewError(400, f"status must be one of {', '.join(DOC_STATUSES)}")
        docs, all_flags = [], set()
        totals = {"documents": 0, "items": 0, "decided": 0, "open": 0, "accepted": 0, "rejected": 0,
                  "corrected": 0, "added": 0, "stale": 0}
        every = self.store.all()  # one query for the whole batch
        for doc_id in self.batch.doc_ids():
            doc = self.document(doc_id)
            summary = self.summary(doc, self.review(doc, every.get(doc_id, [])))
            all_flags.update(summary["flags"])
            totals["documents"] += 1
            for key in totals:
                if key != "documents":
                    totals[key] += summary["counts"][key]
            if status and summary["status"] != status and not (status == "open" and summary["counts"]["open"]):
                continue
            if flag and flag not in summary["flags"]:
                continue
            docs.append(summary)
        totals["progress"] = round(totals["decided"] / totals["items"], 4) if totals["items"] else 1.0
        return {"documents": docs, "totals": totals, "flags": sorted(all_flags),
                "filters": {"status": status, "flag": flag}}

    def item_json(self, doc: Document, state: ItemState) -> dict:
        latest = state.latest
        return {
            "field": state.field, "item": state.index, "ref": state.ref, "origin": state.origin,
            "status": state.status, "key": state.key, "value": state.value, "extracted": state.data,
            "describe": describe(state.field, state.value), "span": state.span, "spans": state.spans,
            "confidence": state.confidence,
            "span_ok": bool(doc.text is not None and all(
                s["end"] <= len(doc.text) and doc.text[s["start"]:s["end"]] == s["text"] for s in state.spans)),
            "decision": _public(latest) if latest else None,
            "history": [_public(d) for d in state.decisions],
        }

    def doc_json(self, doc_id: str) -> dict:
        doc = self.document(doc_id)
        review = self.review(doc)
        ids = self.batch.doc_ids()
        at = ids.index(doc.doc_id)
        return {
            "doc_id": doc.doc_id, "record": doc.record, "text_sha256": doc.sha, "problem": doc.problem,
            "summary": self.summary(doc, review),
            "items": [self.item_json(doc, s) for s in review.items],
            "stale": [dict(_public(d), history=[_public(h) for h in d["history"]]) for d in review.stale],
            "decisions": [_public(d) for d in self.store.for_doc(doc.doc_id)],
            "previous": ids[at - 1] if at > 0 else None,
            "next": ids[at + 1] if at + 1 < len(ids) else None,
        }

    def queue(self, limit: int = 200) -> dict:
        """Open items of every document, lowest confidence first."""
        entries = []
        every = self.store.all()
        for order, doc_id in enumerate(self.batch.doc_ids()):
            doc = self.document(doc_id)
            for state in self.review(doc, every.get(doc_id, [])).items:
                if state.status != "open":
                    continue
                conf = state.confidence if state.confidence is not None else 1.0
                context = ""
                if doc.text is not None and state.span:
                    s = state.span
                    context = doc.text[max(0, s["start"] - 60):s["end"] + 60]
                entries.append((conf, order, state.field, state.index, {
                    "doc_id": doc_id, "field": state.field, "item": state.index, "ref": state.ref,
                    "confidence": state.confidence, "describe": describe(state.field, state.value),
                    "span": state.span, "context": context,
                    "url": f"/docs/{doc_id}?item={state.ref}"}))
        entries.sort(key=lambda e: e[:4])
        return {"items": [e[-1] for e in entries[:limit]], "open": len(entries)}

    # ---------------------------------------------------------------- deciding
    def decide(self, doc_id: str, payload: Any, reviewer: Optional[str] = None) -> dict:
        """Check and store one decision; returns the item as it now stands."""
        if not isinstance(payload, dict):
            raise ReviewError(400, "the body must be a JSON object")
        unknown = sorted(set(payload) - {"field", "item", "action", "value", "span", "note", "reviewer", "key"})
        if unknown:
            raise ReviewError(400, f"unknown key(s): {', '.join(unknown)}")
        doc = self.document(doc_id)
        if doc.text is None:
            raise ReviewError(409, doc.problem or "the document text cannot be read")
        field, action = payload.get("field"), payload.get("action")
        if field not in FIELDS:
            raise ReviewError(400, f"field must be one of {', '.join(FIELDS)}")
        if action not in ACTIONS:
            raise ReviewError(400, f"action must be one of {', '.join(ACTIONS)}")
        note = payload.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            raise ReviewError(400, f"note must be text of at most {MAX_NOTE} characters")
        who = payload.get("reviewer") or reviewer or self.reviewer
        if not isinstance(who, str) or not who.strip() or len(who) > MAX_REVIEWER:
            raise ReviewError(400, f"reviewer must be a name of at most {MAX_REVIEWER} characters")
        who = " ".join(who.split())
        review = self.review(doc)
        try:
            if action == "add":
                decision = self._add(doc, review, field, payload, note, who)
            else:
                decision = self._on_item(doc, review, field, action, payload, note, who)
        except BadValue as err:
            raise ReviewError(400, str(err)) from None
        after = self.review(doc)
        for state in after.items:
            if any(d["id"] == decision["id"] for d in state.decisions):
                return {"decision": _public(decision), "item": self.item_json(doc, state)}
        return {"decision": _public(decision), "item": None}

    def _on_item(self, doc: Document, review: Review, field: str, action: str, payload: dict,
                 note: Optional[str], who: str) -> dict:
        index = payload.get("item")
        if isinstance(index, bool) or not isinstance(index, int):
            raise ReviewError(400, "item must be the item's number (an integer) in its field")
        state = review.find(field, index)
        if state is None:
            raise ReviewError(404, f"{doc.doc_id} has no {field} item {index}")
        expected = payload.get("key")
        if expected is not None and (not isinstance(expected, dict) or not same_key(expected, state.key)):
            raise ReviewError(409, f"{field} item {index} is now {describe(field, state.data)!r}: the records "
                                   "changed since the page was loaded; reload it")
        value = None
        if action == "correct":
            value = coerce_value(field, payload.get("value"))
            corrected(field, state.value, value)  # raises BadValue when the model refuses it
        elif payload.get("value") is not None:
            raise ReviewError(400, f"a value goes with correct or add, not {action}")
        return self.store.add(doc_id=doc.doc_id, text=doc.text, field=field, action=action,
                              item_index=index, key=state.key, span=state.span, value=value,
                              snapshot=state.data, note=note, reviewer=who,
                              source_sha256=(doc.record.get("source") or {}).get("sha256"))

    def _add(self, doc: Document, review: Review, field: str, payload: dict, note: Optional[str],
             who: str) -> dict:
        span = _checked_span(payload.get("span"), doc.text)
        value = coerce_value(field, payload.get("value"))
        if not FIELDS[field].many and any(s.status != "rejected" for s in review.of_field(field)):
            raise ReviewError(409, f"the document already has a {field}: correct it, or reject it first")
        item = added(field, value, span)
        return self.store.add(doc_id=doc.doc_id, text=doc.text, field=field, action="add", item_index=None,
                              key=item_key(field, item), span=span, value=value, snapshot=item, note=note,
                              reviewer=who, source_sha256=(doc.record.get("source") or {}).get("sha256"))


def _checked_span(span: Any, text: str) -> dict:
    if not isinstance(span, dict):
        raise ReviewError(400, "add needs a span: {\"start\": N, \"end\": N} in the document text")
    start, end = span.get("start"), span.get("end")
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
        raise ReviewError(400, "span start and end must be integers")
    if not 0 <= start < end <= len(text):
        raise ReviewError(400, f"span {start}:{end} is not a stretch of this document's "
                               f"{len(text)} characters")
    if "text" in span and span["text"] != text[start:end]:
        raise ReviewError(400, f"span text {span['text'][:40]!r} is not the document text at "
                               f"{start}:{end} ({text[start:end][:40]!r})")
    return {"start": start, "end": end, "text": text[start:end]}


def _public(decision: dict) -> dict:
    keys = ("id", "field", "item_index", "action", "key", "value", "span", "note", "reviewer", "at", "text_sha256")
    return {k: decision.get(k) for k in keys}
