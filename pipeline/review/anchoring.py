"""Anchoring reviewers' decisions to items, and re-attaching them after a re-run.

A decision is anchored to the document (doc_id and the sha256 of its text),
the field, the item's key value (fields.item_key) and its first span, with a
little text on either side of the span. When extraction is re-run (new rules)
or the page re-scraped (new text), `resolve` re-attaches every decision to the
item that matches it now:

1. the span is found again in the current text: at the same offsets when the
   text is unchanged, else at the occurrence of the span's text whose
   surrounding text agrees best with the anchor's (ties: the nearest to where
   it was, relative to the text's length), provided enough of that text
   agrees (MIN_AGREEMENT) or the span's text is long and found just once;
2. the matching item is one of the same field whose key value equals the
   anchor's (or the reviewer's corrected value) and one of whose spans
   overlaps the span found (the widest overlap wins).

A decision that matches nothing is *stale*: kept and shown, never dropped.
Among the decisions attached to one item the latest wins (the store's order);
all of them stay in its history. An `add` that matches no extracted item
becomes an added item, on which later decisions attach the same way.

Pure functions over plain dicts and the Items of pipeline.review.fields.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Optional

from pipeline.review.fields import FIELDS, Item, item_key, norm, same_key

CONTEXT_CHARS = 40
# In a changed text, an occurrence of the span's text counts as the span found
# again only when this many characters around it agree with the anchor's
# context (fewer when the anchor had less context), unless the span's text is
# long (UNIQUE_CHARS or more) and occurs exactly once.
MIN_AGREEMENT = 10
UNIQUE_CHARS = 8

STATUS_OF_ACTION = {"accept": "accepted", "reject": "rejected", "correct": "corrected", "add": "added"}


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def context_of(text: str, span: Optional[dict], chars: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The text just before and just after a span (empty when there is no span)."""
    if not span:
        return "", ""
    start, end = span["start"], span["end"]
    return text[max(0, start - chars):start], text[end:end + chars]


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def relocate(decision: dict, text: str, sha: str) -> Optional[tuple[int, int]]:
    """Where the decision's span is in `text` now, or None when it is gone."""
    span = decision.get("span")
    if not span:
        return None
    wanted = span["text"]
    start, end = span["start"], span["end"]
    if decision.get("text_sha256") == sha:
        return (start, end) if text[start:end] == wanted else None
    if not wanted:
        return None
    before, after = decision.get("before") or "", decision.get("after") or ""
    old_chars = decision.get("text_chars") or len(text) or 1
    best: Optional[tuple] = None
    occurrences = 0
    found = text.find(wanted)
    while found != -1:
        occurrences += 1
        here_before, here_after = context_of(text, {"start": found, "end": found + len(wanted)},
                                             max(len(before), len(after), 1))
        agreement = _common_suffix(before, here_before) + _common_prefix(after, here_after)
        drift = abs(found / max(len(text), 1) - start / old_chars)
        score = (agreement, -drift)
        if best is None or score > best[0]:
            best = (score, found)
        found = text.find(wanted, found + 1)
    if best is None:
        return None
    required = min(MIN_AGREEMENT, len(before) + len(after))
    if best[0][0] < required and not (occurrences == 1 and len(wanted) >= UNIQUE_CHARS):
        return None
    return best[1], best[1] + len(wanted)


def _overlap(a: tuple[int, int], span: dict) -> int:
    lo, hi = max(a[0], span["start"]), min(a[1], span["end"])
    if hi > lo:
        return hi - lo
    # empty spans (or touching ones) count when they sit at the same place
    return 1 if a[0] == span["start"] and a[1] == span["end"] else 0


def _keys_of(decision: dict) -> list[dict]:
    """The key values an item may have to match the decision: as anchored, or as corrected."""
    keys = [decision["key"]]
    if decision["action"] in ("correct", "add") and decision.get("value"):
        merged = {**decision["key"], **{k: v for k, v in decision["value"].items()
                                         if k in decision["key"]}}
        keys.append(merged)
    return keys


def match(decision: dict, where: Optional[tuple[int, int]], items: list["ItemState"]) -> Optional["ItemState"]:
    """The item a decision attaches to among `items` (same field), or None."""
    keys = _keys_of(decision)
    best: Optional[tuple[int, ItemState]] = None
    for state in items:
        if state.field != decision["field"] or not any(same_key(state.key, k) for k in keys):
            continue
        if where is None:
            # a decision without a span matches an item of the same value that has none either
            if decision.get("span") is None and not state.spans:
                return state
            continue
        score = max((_overlap(where, s) for s in state.spans), default=0)
        if score and (best is None or score > best[0]):
            best = (score, state)
    return best[1] if best else None


@dataclass
class ItemState:
    """An item as the reviewer sees it: what was extracted (or added) and what was decided."""
    field: str
    index: int                      # position in the field's list of the current view
    origin: str                     # "extracted" or "added"
    data: dict                      # the item as extracted (or as first added)
    spans: list[dict]
    confidence: Optional[float]
    decisions: list[dict] = field(default_factory=list)
    key_override: Optional[dict] = None

    @property
    def key(self) -> dict:
        return self.key_override or item_key(self.field, self.data)

    @property
    def span(self) -> Optional[dict]:
        return self.spans[0] if self.spans else None

    @property
    def latest(self) -> Optional[dict]:
        return self.decisions[-1] if self.decisions else None

    @property
    def status(self) -> str:
        """open, accepted, rejected, corrected or added (an added item stays `added` when corrected)."""
        latest = self.latest
        if latest is None:
            return "added" if self.origin == "added" else "open"
        if self.origin == "added" and latest["action"] != "reject":
            return "added"
        if latest["action"] == "add":  # the extractor now finds what a reviewer had added
            return "accepted"
        return STATUS_OF_ACTION[latest["action"]]

    @property
    def value(self) -> dict:
        """The item with the reviewer's latest values: a correction, or for an added item its last value."""
        data = dict(self.data)
        for decision in self.decisions:
            if decision["action"] in ("correct", "add") and decision.get("value"):
                if decision["action"] == "add" and self.origin == "extracted":
                    continue
                data.update(decision["value"])
            elif decision["action"] == "accept" and self.origin == "extracted":
                data = dict(self.data)
        return data

    @property
    def ref(self) -> str:
        return f"{self.field}.{self.index}"


@dataclass
class Review:
    """A document's items with their decisions attached, and the decisions that match nothing."""
    items: list[ItemState]
    stale: list[dict]

    def of_field(self, name: str) -> list[ItemState]:
        return [s for s in self.items if s.field == name]

    def find(self, field_name: str, index: int) -> Optional[ItemState]:
        for state in self.items:
            if state.field == field_name and state.index == index:
                return state
        return None

    def counts(self) -> dict:
        counts = {"items": 0, "open": 0, "accepted": 0, "rejected": 0, "corrected": 0, "added": 0,
                  "stale": len(self.stale)}
        for state in self.items:
            counts["items"] += 1
            counts[state.status] += 1
        counts["decided"] = counts["items"] - counts["open"]
        return counts


def anchor_identity(decision: dict) -> tuple:
    span = decision.get("span") or {}
    return (decision["field"], repr(norm(decision["key"])), span.get("start"), span.get("end"),
            span.get("text"), decision.get("text_sha256"))


def resolve(items: list[Item], decisions: list[dict], text: str, sha: Optional[str] = None) -> Review:
    """Attach `decisions` (oldest first) to the current `items` of a document whose text is `text`."""
    sha = sha or text_sha256(text)
    states = [ItemState(i.field, i.index, "extracted", i.data, i.spans, i.confidence) for i in items]
    next_index = {name: 1 + max([s.index for s in states if s.field == name], default=-1) for name in FIELDS}
    stale: dict[tuple, list[dict]] = {}
    for decision in decisions:
        where = relocate(decision, text, sha)
        target = None
        if where is not None or decision.get("span") is None:
            target = match(decision, where, states)
        if target is None and decision["action"] == "add" and where is not None:
            span = {"start": where[0], "end": where[1], "text": text[where[0]:where[1]]}
            data = dict(decision.get("snapshot") or decision.get("value") or {})
            data = _respan(decision["field"], data, span)
            target = ItemState(decision["field"], next_index[decision["field"]], "added", data, [span],
                               None, key_override=dict(decision["key"]))
            next_index[decision["field"]] += 1
            states.append(target)
        if target is None:
            stale.setdefault(anchor_identity(decision), []).append(decision)
            continue
        target.decisions.append(decision)
    stale_latest = []
    for group in stale.values():
        latest = dict(group[-1])
        latest["history"] = group
        stale_latest.append(latest)
    return Review(states, stale_latest)


def _respan(field_name: str, data: dict, span: dict) -> dict:
    """An added item's data with its span moved to where it was found again."""
    data = dict(data)
    if field_name == "jurisdiction":
        data["spans"] = [span]
    elif field_name == "agencies":
        data["mentions"] = [span]
    elif field_name == "tactics":
        data["evidence"] = [span]
        data.pop("span", None)
    else:
        data["span"] = span
    return data
