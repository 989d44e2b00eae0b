"""Helpers every extractor uses to turn offsets into contract spans.

spaCy objects stop here: components hand plain dicts to the record builder,
so a Span in a record is always `{"start", "end", "text"[, "rule"]}` with
`text == doc.text[start:end]` by construction.
"""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc

# Where each component leaves its contract-shaped output for the record builder.
RESULTS_KEY = "profilex"
# Where the tokenizer leaves the page's text (pipeline.tokenizer).
TEXT_KEY = "profilex.text"


def make_span(text: str, start: int, end: int, rule: Optional[str] = None) -> dict:
    """A contract span over text[start:end]."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} outside a text of {len(text)} characters")
    span = {"start": start, "end": end, "text": text[start:end]}
    if rule:
        span["rule"] = rule
    return span


def trimmed_span(text: str, start: int, end: int, rule: Optional[str] = None,
                 strip: str = " \t\r\n\u00a0,.;:") -> dict:
    """A contract span over text[start:end] with `strip` characters removed at both ends."""
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return make_span(text, start, end, rule)


def text_of(doc: Doc) -> str:
    """The page's text, `doc.text`, read once.

    spaCy's `Doc.text` joins every token again on each access (about a
    millisecond on a page); the project's tokenizer keeps the text it was
    given, which is `doc.text` by spaCy's lossless tokenization."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def results(doc: Doc) -> dict:
    """The per-document dict components write their record fields into."""
    return doc.user_data.setdefault(RESULTS_KEY, {})


def add_flag(doc: Doc, code: str, message: str, span: Optional[dict] = None) -> None:
    flag = {"code": code, "message": message}
    if span is not None:
        flag["span"] = span
    results(doc).setdefault("flags", []).append(flag)
