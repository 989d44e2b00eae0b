"""Stage 2: find the regions of a profile page (pure functions, no spaCy).

A profile page is, top to bottom: a title line; a "Tactics Used" list (or a
"Categories:" table with check marks); narrative paragraphs, possibly under
in-body sub-headings; "Key Partners" and "Key Sources" lists (sources carry
sub-headings ending in ":" and bulleted citations); and a footer ("State X",
"Type City", "Population N", "Location", "Comments are closed."). Any of
these may be missing: a news story or an FAQ is a title and one narrative.

Every offset here is a code-point index into the document text, and every
region is trimmed of surrounding whitespace, so `text[start:end]` is the
region's own text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Optional

MAX_TITLE_CHARS = 200
MAX_HEADING_CHARS = 80
MAX_LIST_ITEM_CHARS = 60
# How many non-blank lines after the title a tactic list heading may start at.
TACTIC_HEADING_WINDOW = 6

TACTIC_HEADING = re.compile(r"(?i)^(tactics(\s+used)?|categories|demand[- ]reduction tactics)\s*:?$")
PARTNERS_HEADING = re.compile(r"(?i)^key\s+partners\s*:?$")
SOURCES_HEADING = re.compile(r"(?i)^(key\s+)?sources\s*:?$")
FOOTER_LINE = re.compile(
    r"(?i)^(state\s+[A-Z][\w .'-]*|type\s+\w[\w ]*|population\s+(?:\d[\w,.+\-]*|n/?a|unknown|-+)(?:\s+\([^)\n]{0,30}\))?|location|"
    r"comments\s+are\s+closed\.?)$")
CHECKED = "✔✓☑✅√"
UNCHECKED = "✗✘☐❌"
BULLETS = "•·▪‣◦●○■-–—*"
QUOTES = "“”\"‘’'"
TABLE_RULE_ROW = re.compile(r"^\|?[\s:|\-–—=+]+\|?$")
CELL_YES = {"yes", "y", "x", "true", "used", "in use", "active"}
CELL_NO = {"no", "n", "false", "-", "–", "—", "not used", "none", "inactive"}
INLINE_TACTIC_LIST = re.compile(
    r"(?i)^\s*(?P<heading>(?:demand[- ]reduction\s+)?tactics(?:\s+used)?|categories)\s*:\s*(?P<items>\S.*?)\s*$")
LIST_HEADER_ROW = re.compile(r"(?i)^(tactics?|categor(y|ies))\s*(\t+|\s{2,})\s*(in\s+use|used\??|status|yes\s*/\s*no)$")


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # end of content, line terminator excluded
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Region:
    """A trimmed [start, end) region of the document."""
    start: int
    end: int
    text: str


@dataclass
class ListItem:
    """One row of a list: its label text (bullets and check marks removed)."""
    label: Region
    checked: Optional[bool] = None  # None when the list has no check marks


@dataclass
class SourceEntry:
    """One citation line of a "Key Sources" list, with the sub-heading above it."""
    entry: Region
    heading: Optional[Region]


@dataclass
class PageSection:
    name: str  # title, tactics, narrative, partners, sources, footer, other
    region: Region
    heading: Optional[Region] = None


@dataclass
class Layout:
    sections: list[PageSection] = field(default_factory=list)
    title: Optional[Region] = None
    tactic_items: list[ListItem] = field(default_factory=list)
    partner_items: list[ListItem] = field(default_factory=list)
    source_headings: list[Region] = field(default_factory=list)
    source_entries: list[SourceEntry] = field(default_factory=list)
    subheadings: list[Region] = field(default_factory=list)
    footer: dict[str, Region] = field(default_factory=dict)  # "state", "type", "population" -> value region

    def __post_init__(self) -> None:
        self._starts: list[int] = []

    def section_at(self, offset: int) -> str:
        """Name of the section holding `offset` ("narrative" between sections)."""
        if len(self._starts) != len(self.sections):
            self.sections.sort(key=lambda s: s.region.start)
            self._starts = [s.region.start for s in self.sections]
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self.sections[i].region.end:
            return self.sections[i].name
        return "narrative"

    def regions(self, name: str) -> list[Region]:
        return [s.region for s in self.sections if s.name == name]


def split_lines(text: str) -> list[Line]:
    """Lines with their offsets; "\\r\\n", "\\r" and "\\n" all end a line."""
    lines = []
    for m in re.finditer(r"[^\r\n]*", text):
        if m.start() == m.end() and lines and lines[-1].end == m.start():
            continue  # the empty match right after a line's content
        lines.append(Line(m.start(), m.end(), m.group()))
    return lines


def trim(text: str, start: int, end: int, strip_chars: Optional[str] = None) -> Region:
    """The region [start, end) with whitespace (and `strip_chars`) removed at both ends."""
    chars = None if strip_chars is None else strip_chars + " \t\r\n\f\v\u00a0\u2007\u202f\ufeff"
    while start < end and (text[start].isspace() or (chars and text[start] in chars)):
        start += 1
    while end > start and (text[end - 1].isspace() or (chars and text[end - 1] in chars)):
        end -= 1
    return Region(start, end, text[start:end])


def looks_like_heading(line_text: str) -> bool:
    """A short line without sentence punctuation that starts with a capital or digit."""
    s = line_text.strip()
    if not s or len(s) > MAX_HEADING_CHARS or s[-1] in ".,;!?\"”’)":
        return False
    if s[0] in BULLETS + "“\"‘'(" + CHECKED + UNCHECKED:
        return False
    return s[0].isupper() or s[0].isdigit()


def find_layout(text: str) -> Layout:
    lines = split_lines(text)
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    layout = Layout()
    if not nonblank:
        return layout

    body_first = nonblank[0]
    first = lines[body_first]
    if len(first.text.strip()) <= MAX_TITLE_CHARS:
        layout.title = trim(text, first.start, first.end)
        layout.sections.append(PageSection("title", layout.title))
        body_first = nonblank[1] if len(nonblank) > 1 else len(lines)

    footer_first = _find_footer(text, lines, nonblank, layout)
    body_end_line = footer_first

    tactics_end = _find_tactic_list(text, lines, nonblank, body_first, body_end_line, layout)
    if tactics_end is not None:
        body_first = tactics_end

    # Key Partners / Key Sources: from their heading to the next one or the footer.
    blocks = []
    for i in range(body_first, body_end_line):
        s = lines[i].text.strip()
        if PARTNERS_HEADING.match(s):
            blocks.append((i, "partners"))
        elif SOURCES_HEADING.match(s):
            blocks.append((i, "sources"))
    narrative_end = blocks[0][0] if blocks else body_end_line
    for n, (i, name) in enumerate(blocks):
        stop = blocks[n + 1][0] if n + 1 < len(blocks) else body_end_line
        _add_block(text, lines, i, stop, name, layout)

    _add_narrative(text, lines, body_first, narrative_end, layout)
    layout.sections.sort(key=lambda s: s.region.start)
    return layout


def _find_footer(text: str, lines: list[Line], nonblank: list[int], layout: Layout) -> int:
    """Index of the footer's first line (len(lines) when there is no footer)."""
    first = len(lines)
    for i in reversed(nonblank[1:]):
        if FOOTER_LINE.match(lines[i].text.strip()):
            first = i
        else:
            break
    if first == len(lines):
        return first
    region = trim(text, lines[first].start, lines[-1].end)
    layout.sections.append(PageSection("footer", region))
    for ln in lines[first:]:
        m = re.match(r"(?i)^\s*(state|type|population)\s+(\S.*?)\s*$", ln.text)
        if m:
            layout.footer[m.group(1).lower()] = Region(ln.start + m.start(2), ln.start + m.end(2), m.group(2))
    return first


def _find_tactic_list(text: str, lines: list[Line], nonblank: list[int], body_first: int,
                      body_end: int, layout: Layout) -> Optional[int]:
    """Find the tactic list near the top; return the line index just after it."""
    window = [i for i in nonblank if body_first <= i < body_end][:TACTIC_HEADING_WINDOW]
    heading_line = next((i for i in window if TACTIC_HEADING.match(lines[i].text.strip())), None)
    if heading_line is None:
        return _find_inline_tactic_list(text, lines, window, layout)
    items: list[ListItem] = []
    last = heading_line
    for i in range(heading_line + 1, body_end):
        raw = lines[i].text
        s = raw.strip()
        if not s:
            continue
        if LIST_HEADER_ROW.match(s) or TABLE_RULE_ROW.match(s) or \
                LIST_HEADER_ROW.match(" \t".join(c.strip() for c in s.strip("|").split("|"))):
            last = i
            continue
        item = _tactic_row(text, lines[i])
        if item is None:
            break
        items.append(item)
        last = i
    if not items:
        return None
    if any(item.checked is not None for item in items):
        # A table with check marks: a row without one is not checked.
        for item in items:
            if item.checked is None:
                item.checked = False
    layout.tactic_items = items
    region = trim(text, lines[heading_line].start, lines[last].end)
    layout.sections.append(PageSection("tactics", region, heading=trim(text, lines[heading_line].start,
                                                                       lines[heading_line].end)))
    return last + 1


def _find_inline_tactic_list(text: str, lines: list[Line], window: list[int], layout: Layout) -> Optional[int]:
    """"Tactics Used: Reverse Stings, John School, Web Stings" on one line."""
    for i in window:
        m = INLINE_TACTIC_LIST.match(lines[i].text)
        if not m:
            continue
        items = []
        base = lines[i].start + m.start("items")
        for part in re.finditer(r"[^,;|•·]+", m.group("items")):
            label = trim(text, base + part.start(), base + part.end(), strip_chars=BULLETS + QUOTES + ".")
            if label.text:
                items.append(ListItem(label=label))
        if len(items) < 2 or not all(it.label.text[0].isalpha() and len(it.label.text) <= MAX_LIST_ITEM_CHARS
                                     and len(it.label.text.split()) <= 6 for it in items):
            continue  # a sentence, not a list
        layout.tactic_items = items
        region = trim(text, lines[i].start, lines[i].end)
        heading = trim(text, lines[i].start, lines[i].start + m.end("heading"))
        layout.sections.append(PageSection("tactics", region, heading=heading))
        return i + 1
    return None


def _tactic_row(text: str, line: Line) -> Optional[ListItem]:
    """A tactic list row ("Auto Seizure", "✓ Reverse stings", "Web Stings\t✔", "| Cameras | No |"), or None."""
    s = line.text.strip()
    marks = CHECKED + UNCHECKED
    has_mark = any(c in marks for c in s)
    if len(s) > MAX_LIST_ITEM_CHARS + (4 if has_mark else 0) + (12 if "|" in s or "\t" in s else 0) \
            or s[-1] in ".!?;,":
        return None
    checked: Optional[bool] = None
    if has_mark:
        checked = any(c in CHECKED for c in s)
    label = trim(text, line.start, line.end, strip_chars=marks + BULLETS + QUOTES + "|")
    if not label.text or not label.text[0].isalpha():
        return None
    # A table row keeps its mark (or "Yes" / "No") in a cell after a tab or "|": cut at the first one.
    cut = min((k for k in (label.text.find("\t"), label.text.find("|")) if k > 0), default=-1)
    if cut > 0:
        cell = label.text[cut:].strip(" \t|" + marks).lower()
        if not has_mark and cell in CELL_YES:
            checked = True
        elif not has_mark and cell in CELL_NO:
            checked = False
        label = trim(text, label.start, label.start + cut, strip_chars=QUOTES)
    return ListItem(label=label, checked=checked)


def _add_block(text: str, lines: list[Line], first: int, stop: int, name: str, layout: Layout) -> None:
    """A Key Partners / Key Sources block: its section, items, sub-headings and entries."""
    last = first
    for i in range(stop - 1, first, -1):
        if not lines[i].blank:
            last = i
            break
    region = trim(text, lines[first].start, lines[last].end)
    heading = trim(text, lines[first].start, lines[first].end)
    layout.sections.append(PageSection(name, region, heading=heading))
    current_heading: Optional[Region] = None
    for ln in lines[first + 1:last + 1]:
        s = ln.text.strip()
        if not s:
            continue
        item = trim(text, ln.start, ln.end, strip_chars=BULLETS)
        if name == "partners":
            layout.partner_items.append(ListItem(label=item))
        elif s.endswith(":") and not s[0] in "“\"" and len(s) <= 2 * MAX_HEADING_CHARS:
            current_heading = trim(text, ln.start, ln.end)
            layout.source_headings.append(current_heading)
        else:
            layout.source_entries.append(SourceEntry(entry=item, heading=current_heading))


def _add_narrative(text: str, lines: list[Line], first: int, stop: int, layout: Layout) -> None:
    """Narrative lines, split at in-body sub-headings into one section each."""
    body = [i for i in range(first, stop) if not lines[i].blank]
    if not body:
        return
    starts: list[tuple[int, Optional[Region]]] = [(body[0], None)]
    for k, i in enumerate(body):
        nxt = body[k + 1] if k + 1 < len(body) else None
        prev_blank = i == 0 or lines[i - 1].blank
        next_blank = i + 1 < len(lines) and lines[i + 1].blank
        followed_by_text = nxt is not None and len(lines[nxt].text.strip()) > MAX_HEADING_CHARS
        if prev_blank and next_blank and followed_by_text and looks_like_heading(lines[i].text) \
                and len(lines[i].text.split()) <= 10:
            heading = trim(text, lines[i].start, lines[i].end)
            layout.subheadings.append(heading)
            if i == starts[-1][0]:
                starts[-1] = (i, heading)
            else:
                starts.append((i, heading))
    for n, (i, heading) in enumerate(starts):
        end_line = (starts[n + 1][0] if n + 1 < len(starts) else stop)
        last = max(j for j in body if i <= j < end_line)
        region = trim(text, lines[i].start, lines[last].end)
        layout.sections.append(PageSection("narrative", region, heading=heading))
