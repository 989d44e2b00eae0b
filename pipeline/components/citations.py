"""Citations component: each "Key Sources" entry with a quoted title.

An entry such as

    • “Cops Nab Prostitutes’ Customers,” New London Day, May 25 1998.

becomes `{"title": "Cops Nab Prostitutes’ Customers", "outlet": "New London
Day", "date": {"value": "1998-05-25"}, "heading": "Reverse Stings:", "span":
<the entry>}`. The entries and their sub-headings come from the page layout
(`pipeline.sections`, `Layout.source_entries`); an entry without a quoted
title ("National Assessment Survey & Interview") is not a citation.

The date is the one the dates component (ORDER 50) found inside the entry,
after the title; only when it found none there (or a coarser one over the
same words) is the entry's date read here, by `find_date`.

`parse_entry` is a pure function on the entry string; its offsets are
relative to that string. The quote styles, month names and the outlet noise
trimmed away ("p. A1", "Retrieved ...", a URL, a leading "by <name>,") are
data in models/citations/citations.json.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from functools import cached_property
from pathlib import Path
from typing import Iterator, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.rules import load_lexicon, models_dir as resolve_models_dir
from pipeline.spans import make_span, results, text_of

ORDER = 60
FACTORY = "profilex_citations"
LEXICON_FILE = "citations.json"

# Characters trimmed around a title inside its quotes and around an outlet.
TITLE_TRIM = " \t\u00a0,;:."
OUTLET_TRIM = " \t\u00a0,;:.–—-()[]|/"
BULLET_CHARS = "•·▪‣◦●○■-–—*"
MAX_NOISE_ROUNDS = 6  # noise pieces trimmed off one outlet at most (keeps a hostile line linear)
_TITLE_CHAR = re.compile(r"[^\s,;:.]")  # a character that makes a title non-empty (see TITLE_TRIM)


class QuotePair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    open: str = Field(min_length=1, max_length=1)
    close: str = Field(min_length=1, description="characters that may close this quote")
    single: bool = Field(default=False, description="single quotes: the closing mark must touch a comma")


class CitationLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote_pairs: list[QuotePair] = Field(min_length=1)
    max_prefix_chars: int = Field(default=80, ge=0)
    months: dict[str, int]
    outlet_noise: list[str] = []
    access_words: list[str] = Field(default=[], description="a date right after these is when a page was read")
    provisional_confidence: dict[str, float]

    @field_validator("months")
    @classmethod
    def _months_in_range(cls, v: dict[str, int]) -> dict[str, int]:
        bad = [k for k, m in v.items() if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"month numbers must be 1..12: {bad}")
        return {k.lower(): m for k, m in v.items()}

    @field_validator("outlet_noise")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"bad regular expression {pattern!r}: {err}") from None
        return v

    @field_validator("provisional_confidence")
    @classmethod
    def _confidences(cls, v: dict[str, float]) -> dict[str, float]:
        need = {"complete", "no_date", "no_outlet", "title_only", "unclosed"}
        if need - v.keys():
            raise ValueError(f"missing keys {sorted(need - v.keys())}")
        if any(not 0 <= x <= 1 for x in v.values()):
            raise ValueError("confidences must lie in [0, 1]")
        return v

    @cached_property
    def date_patterns(self) -> list[tuple[str, re.Pattern]]:
        month = "|".join(sorted((re.escape(m) for m in self.months), key=len, reverse=True))
        day = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
        year = r"(?P<y>(?:1[6-9]|2[0-1])\d{2})"
        mon = rf"(?P<m>{month})\.?"
        num_month = r"(?P<mn>[01]?\d)"
        return [
            ("iso", re.compile(rf"(?<!\d){year}-(?P<mn>[01]?\d)-{day}(?!\d)")),
            ("mdy", re.compile(rf"(?i)\b{mon}\s+{day},?\s+{year}(?!\d)")),
            ("dmy", re.compile(rf"(?i)(?<!\d){day}\s+{mon},?\s+{year}(?!\d)")),
            ("numeric", re.compile(rf"(?<![\d/]){num_month}/{day}/{year}(?!\d)")),
            ("my", re.compile(rf"(?i)\b{mon},?\s+{year}(?!\d)")),
            ("y", re.compile(rf"(?<![\d/-]){year}(?![\d/-])")),
        ]

    @cached_property
    def noise_patterns(self) -> list[tuple[bool, re.Pattern]]:
        """(anchored at the outlet's start?, pattern); the others must end at the outlet's end."""
        return [(p.startswith("^"), re.compile(p[1:] if p.startswith("^") else p, re.I))
                for p in self.outlet_noise]


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    value: str
    mod: Optional[str] = None
    rule: str = "citations.date"


@dataclass(frozen=True)
class ParsedCitation:
    """Offsets are relative to the entry string given to `parse_entry`."""
    title_start: int
    title_end: int
    title: str
    quote: str  # id of the quote pair
    outlet: Optional[str] = None
    outlet_start: Optional[int] = None
    outlet_end: Optional[int] = None
    date: Optional[FoundDate] = None


def load_citation_lexicon(models_dir: Optional[str] = None) -> CitationLexicon:
    return load_lexicon(resolve_models_dir(models_dir) / "citations" / LEXICON_FILE, CitationLexicon)


def _value(kind: str, m: re.Match, lex: CitationLexicon) -> Optional[str]:
    groups = m.groupdict()
    year = int(groups["y"])
    month = None
    if groups.get("m"):
        month = lex.months.get(groups["m"].lower().rstrip("."))
    elif groups.get("mn"):
        month = int(groups["mn"])
    if kind == "y":
        return f"{year:04d}"
    if month is None or not 1 <= month <= 12:
        return None
    if kind == "my":
        return f"{year:04d}-{month:02d}"
    try:
        Date(year, month, int(groups["d"]))
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{int(groups['d']):02d}"


def date_search_end(text: str, lex: CitationLexicon, start: int = 0) -> int:
    """Where the publication date may end: before "Retrieved June 3, 2020" and the like."""
    if not lex.access_words:
        return len(text)
    m = re.compile(r"(?i)\b(" + "|".join(map(re.escape, lex.access_words)) + r")\b").search(text, start)
    return m.start() if m else len(text)


def find_date(text: str, lex: CitationLexicon, start: int = 0) -> Optional[FoundDate]:
    """The last (rightmost) calendar date in text[start:], most specific form first at each place."""
    best: Optional[FoundDate] = None
    end = date_search_end(text, lex, start)
    for kind, pattern in lex.date_patterns:  # most specific first: it wins ties
        for m in pattern.finditer(text, start, end):
            # The rightmost end, then the longest: "May 25 1998" over the "1998" inside it.
            if best is not None and (m.end(), m.end() - m.start()) <= (best.end, best.end - best.start):
                continue
            value = _value(kind, m, lex)
            if value is not None:
                best = FoundDate(m.start(), m.end(), value, None, f"citations.date_{kind}")
    return best


def _find_title(entry: str, lex: CitationLexicon) -> Optional[tuple[int, int, QuotePair]]:
    """(offset after the opening quote, offset of the closing quote, pair) of the first quoted title."""
    best = None
    for pair in lex.quote_pairs:
        for open_at in _openings(entry, pair, lex):
            close_at = _closing(entry, open_at + 1, pair)
            if close_at is not None and (best is None or open_at < best[0] - 1):
                best = (open_at + 1, close_at, pair)
            break  # a later opening of this pair closes no sooner: one scan per pair
    return best


def _openings(entry: str, pair: QuotePair, lex: CitationLexicon) -> Iterator[int]:
    """Offsets of opening marks: at the start of a word (not "Police' plan"), within the prefix."""
    at = entry.find(pair.open)
    while 0 <= at <= lex.max_prefix_chars:
        before, after = entry[at - 1:at] if at else "", entry[at + 1:at + 2]
        if not before.isalnum() and after and not after.isspace() and _prefix_ok(entry[:at]):
            yield at
        at = entry.find(pair.open, at + 1)


def _prefix_ok(prefix: str) -> bool:
    """What may stand before a title: nothing but a bullet, or a lead that ends in a separator or a
    date ("May 25, 1998 – “…”", "Reverse stings: “…”"), never running prose ("The chief's “plan”")."""
    prefix = prefix.strip(BULLET_CHARS + " \t\u00a0")
    return not prefix or prefix[-1] in ":–—-|,;.)]" or prefix[-1].isdigit()


def _closing(entry: str, start: int, pair: QuotePair) -> Optional[int]:
    """Offset of the mark closing a title opened just before `start` (linear in the entry)."""
    first_char = _TITLE_CHAR.search(entry, start)
    if first_char is None:
        return None
    for m in re.compile("[" + re.escape(pair.close) + "]").finditer(entry, start):
        i = m.start()
        if i < start or i <= first_char.start():
            continue  # nothing but trimmed characters yet: not a title
        if pair.single:
            # An apostrophe ("Prostitutes’ Customers") is not the end: the
            # closing mark of a single-quoted title sits against a comma.
            before = entry[i - 1] if i > start else ""
            after = entry[i + 1:i + 2]
            if before not in ",." and after != ",":
                continue
        return i
    return None


def _trim(entry: str, start: int, end: int, chars: str) -> tuple[int, int]:
    while start < end and (entry[start] in chars or entry[start].isspace()):
        start += 1
    while end > start and (entry[end - 1] in chars or entry[end - 1].isspace()):
        end -= 1
    return start, end


def _outlet(entry: str, start: int, end: int, lex: CitationLexicon) -> Optional[tuple[int, int]]:
    start, end = _trim(entry, start, end, OUTLET_TRIM)
    changed, rounds = True, 0
    while changed and start < end and rounds < MAX_NOISE_ROUNDS:
        rounds += 1
        changed = False
        for leading, pattern in lex.noise_patterns:
            m = pattern.match(entry, start, end) if leading else pattern.search(entry, start, end)
            if m is None or m.end() == m.start():
                continue
            if leading and m.end() < end:
                start, end = _trim(entry, m.end(), end, OUTLET_TRIM)
                changed = True
            elif not leading and m.end() == end and m.start() > start:
                start, end = _trim(entry, start, m.start(), OUTLET_TRIM)
                changed = True
    if start >= end or not any(c.isalnum() for c in entry[start:end]):
        return None
    return start, end


def _pick_date(entry: str, after: int, known: Sequence[FoundDate], lex: CitationLexicon) -> Optional[FoundDate]:
    """The date dates (ORDER 50) found after the title; our own reading when it found none
    there or only a coarser value over the same characters."""
    limit = date_search_end(entry, lex, after)
    theirs = [d for d in known if d.start >= after and d.end <= limit]
    mine = find_date(entry, lex, after)
    if theirs:
        pick = max(theirs, key=lambda d: (d.end, d.end - d.start))
        if mine and mine.start <= pick.start and pick.end <= mine.end and len(mine.value) > len(pick.value):
            return mine
        return pick
    if mine:
        return mine
    # A date written before the title ("May 25, 1998 – “Title,” Outlet").
    before = [d for d in known if d.end < after]
    if before:
        return before[-1]
    return find_date(entry[:max(after - 1, 0)], lex)


def parse_entry(entry: str, lex: CitationLexicon, dates: Sequence[FoundDate] = ()) -> Optional[ParsedCitation]:
    """Read one source entry; None when it has no quoted title.

    `dates` are dates already found in the entry (offsets relative to it),
    preferred over this module's own reading.
    """
    found = _find_title(entry, lex)
    if found is None:
        return None
    t_start, close_at, pair = found
    t_start, t_end = _trim(entry, t_start, close_at, TITLE_TRIM)
    if entry[t_end:t_end + 1] in ("?", "!"):
        t_end += 1
    title_end_quote = close_at + 1
    date = _pick_date(entry, title_end_quote, sorted(dates, key=lambda d: d.start), lex)
    outlet_end = date.start if date is not None and date.start >= title_end_quote else len(entry)
    outlet = _outlet(entry, title_end_quote, outlet_end, lex)
    return ParsedCitation(
        title_start=t_start, title_end=t_end, title=entry[t_start:t_end], quote=pair.id,
        outlet=entry[outlet[0]:outlet[1]] if outlet else None,
        outlet_start=outlet[0] if outlet else None, outlet_end=outlet[1] if outlet else None,
        date=date)


def parse_unclosed(entry: str, lex: CitationLexicon, dates: Sequence[FoundDate] = ()) -> Optional[ParsedCitation]:
    """An entry whose title quote is never closed ("“Sting Nets 40, WFSB, June 4 2007.").

    Only with a date after the title: the title runs from the quote to the
    last comma before the outlet, the outlet from there to the date. A title
    with a comma of its own is then cut short, so the confidence is low.
    """
    if not _opens_without_closing(entry, lex):
        return None
    pair, open_at = min(((p, at) for p in lex.quote_pairs for at in _openings(entry, p, lex)),
                        key=lambda x: x[1])
    date = _pick_date(entry, open_at + 1, sorted(dates, key=lambda d: d.start), lex)
    if date is None or date.start <= open_at:
        return None
    body_start, body_end = _trim(entry, open_at + 1, date.start, OUTLET_TRIM)
    cut = entry.rfind(",", body_start, body_end)
    if cut < 0:
        return None
    t_start, t_end = _trim(entry, body_start, cut, TITLE_TRIM)
    outlet = _outlet(entry, cut + 1, body_end, lex)
    if t_end - t_start < 2 or outlet is None:
        return None
    return ParsedCitation(title_start=t_start, title_end=t_end, title=entry[t_start:t_end],
                          quote=f"{pair.id}_unclosed", outlet=entry[outlet[0]:outlet[1]],
                          outlet_start=outlet[0], outlet_end=outlet[1], date=date)


def provisional_confidence(parsed: ParsedCitation, lex: CitationLexicon) -> float:
    table = lex.provisional_confidence
    if parsed.quote.endswith("_unclosed"):
        return table["unclosed"]
    if parsed.outlet and parsed.date:
        return table["complete"]
    if parsed.outlet:
        return table["no_date"]
    if parsed.date:
        return table["no_outlet"]
    return table["title_only"]


def citation_item(text: str, entry_start: int, entry_end: int, heading: Optional[str],
                  parsed: ParsedCitation, lex: CitationLexicon) -> dict:
    """The contract's citation dict for an entry at text[entry_start:entry_end]."""
    date = None
    if parsed.date is not None:
        date = {"value": parsed.date.value}
        if parsed.date.mod:
            date["mod"] = parsed.date.mod
    return {
        "title": " ".join(parsed.title.split()),
        "outlet": " ".join(parsed.outlet.split()) if parsed.outlet else None,
        "date": date,
        "heading": heading,
        "span": make_span(text, entry_start, entry_end, rule=f"citations.{parsed.quote}_quotes"),
        "confidence": provisional_confidence(parsed, lex),
    }


def dates_in(dates: Sequence[dict], start: int, end: int) -> list[FoundDate]:
    """The dates component's finds inside text[start:end], relative to start."""
    out = []
    for d in dates or ():
        span = d.get("span") or {}
        s, e = span.get("start"), span.get("end")
        if isinstance(s, int) and isinstance(e, int) and start <= s and e <= end and d.get("value"):
            out.append(FoundDate(s - start, e - start, d["value"], d.get("mod"),
                                 span.get("rule") or "dates"))
    return out


@dataclass(frozen=True)
class SourceLine:
    """One entry line of a sources list: text[start:end], under `heading` (None before any)."""
    start: int
    end: int
    heading: Optional[str]


def _opens_without_closing(entry: str, lex: CitationLexicon) -> bool:
    return _find_title(entry, lex) is None and any(next(_openings(entry, p, lex), None) is not None
                                                   for p in lex.quote_pairs)


def read_sources(text: str, lines: Sequence[SourceLine], lex: CitationLexicon,
                 dates: Sequence[dict] = (), max_wrap: int = 2
                 ) -> list[tuple[int, int, Optional[str], ParsedCitation]]:
    """(start, end, heading, parsed) for every citation of a sources list.

    A title wrapped over several lines (the opening quote on one, the closing
    one on the next) is read as one entry spanning them. A heading-like line
    without a quoted title ("Reverse Stings" with no colon) heads the entries
    after it until the list's next sub-heading.
    """
    from pipeline.sections import looks_like_heading

    found = []
    layout_heading: Optional[str] = None
    line_heading: Optional[str] = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.heading != layout_heading:
            layout_heading, line_heading = line.heading, None
        start, end = line.start, line.end
        parsed = parse_entry(text[start:end], lex, dates_in(dates, start, end))
        if parsed is None and _opens_without_closing(text[start:end], lex):
            for j in range(i + 1, min(i + 1 + max_wrap, len(lines))):
                if lines[j].heading != line.heading:
                    break
                parsed = parse_entry(text[start:lines[j].end], lex, dates_in(dates, start, lines[j].end))
                if parsed is not None:
                    end, i = lines[j].end, j
                    break
            if parsed is None:
                parsed = parse_unclosed(text[start:end], lex, dates_in(dates, start, end))
        i += 1
        if parsed is None:
            entry = text[start:end]
            if looks_like_heading(entry) and not any(p.open in entry for p in lex.quote_pairs):
                line_heading = entry.strip()
            continue
        found.append((start, end, line_heading or line.heading, parsed))
    return found


class CitationsComponent:
    def __init__(self, lexicon: CitationLexicon):
        self.lexicon = lexicon

    def __call__(self, doc: Doc) -> Doc:
        from pipeline.components.layout import layout_of

        layout = layout_of(doc)
        out = results(doc)
        lines = [SourceLine(s.entry.start, s.entry.end, s.heading.text if s.heading is not None else None)
                 for s in layout.source_entries]
        citations, spans = [], []
        for start, end, heading, parsed in read_sources(text_of(doc), lines, self.lexicon, out.get("dates", [])):
            citations.append(citation_item(text_of(doc), start, end, heading, parsed, self.lexicon))
            span = doc.char_span(start, end, label="citation", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        out["citations"] = citations
        doc.spans["citations"] = spans
        return doc

    # nlp.to_disk / spacy.load carry the lexicon with the pipeline.
    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / LEXICON_FILE).write_text(self.lexicon.model_dump_json(indent=1), encoding="utf-8")

    def from_disk(self, path, exclude=()) -> "CitationsComponent":
        self.lexicon = load_lexicon(Path(path) / LEXICON_FILE, CitationLexicon)
        return self


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_citations(nlp: Language, name: str, models_dir: Optional[str]) -> CitationsComponent:
    return CitationsComponent(load_citation_lexicon(models_dir))
