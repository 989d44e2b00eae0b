"""HTML for the review app: Jinja2 templates (autoescaped) and the highlighted text.

`highlight(text, items)` cuts the document text into segments at every span
boundary (and around every carriage return, which HTML parsers would fold
into a newline) and renders each as an element carrying its code-point
offsets (`data-s`, `data-e`), so the page's script can turn a selection into
a span of the document text. Every piece of page text goes through
`markupsafe.escape`: a page holding `<script>` shows it as text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from pipeline.review.fields import FIELDS

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    ref: str    # "arrests.0"
    field: str


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    refs: tuple[str, ...]   # innermost (shortest) first
    field: str | None


def segments(text: str, marks: Iterable[Mark]) -> list[Segment]:
    """The text cut at every mark boundary and around each '\\r'; each piece with the marks covering it."""
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = {0, len(text)}
    for m in marks:
        cuts.update((m.start, m.end))
    at = text.find("\r")
    while at != -1:
        cuts.update((at, at + 1))
        at = text.find("\r", at + 1)
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        covering = sorted((m for m in marks if m.start <= a and b <= m.end),
                          key=lambda m: (m.end - m.start, m.ref))
        refs = tuple(dict.fromkeys(m.ref for m in covering))
        out.append(Segment(a, b, refs, covering[0].field if covering else None))
    return out


def highlight(text: str, marks: Iterable[Mark]) -> Markup:
    """The document text as HTML: escaped segments, highlighted where marks cover them."""
    parts = []
    for seg in segments(text, marks):
        piece = text[seg.start:seg.end]
        attrs = f'data-s="{seg.start}" data-e="{seg.end}"'
        if piece == "\r":
            parts.append(f'<span class="seg cr" {attrs}></span>')
            continue
        if seg.refs:
            classes = "seg hl" + (" multi" if len(seg.refs) > 1 else "")
            parts.append(f'<span class="{classes} f-{seg.field}" {attrs} '
                         f'data-refs="{escape(" ".join(seg.refs))}">{escape(piece)}</span>')
        else:
            parts.append(f'<span class="seg" {attrs}>{escape(piece)}</span>')
    return Markup("".join(parts))


def marks_of(items: list[dict]) -> list[Mark]:
    """Marks for the items (item_json dicts) whose spans match the text."""
    return [Mark(s["start"], s["end"], item["ref"], item["field"])
            for item in items if item["span_ok"] for s in item["spans"]]


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["FIELDS"] = FIELDS
    env.filters["pct"] = lambda x: f"{100 * x:.0f}%" if x is not None else ""
    env.filters["conf"] = lambda x: f"{x:.2f}" if isinstance(x, (int, float)) else "–"
    return env


def context_html(text: str, start: int, end: int, chars: int = 60) -> Markup:
    """A snippet of text around a span, the span emphasised, all escaped."""
    lo, hi = max(0, start - chars), min(len(text), end + chars)
    return Markup("{}<mark>{}</mark>{}").format(("…" if lo else "") + text[lo:start], text[start:end],
                                                text[end:hi] + ("…" if hi < len(text) else ""))
