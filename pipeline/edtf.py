"""Calendar expressions -> EDTF values with TIMEX3 mods (pure functions, no spaCy).

The values follow shared/corpus/GUIDELINES.md ("dates"):

- `2008` a year, `2018-06` a month, `1998-05-25` a day, `199X` a decade,
  `2019-22` a season (21 spring, 22 summer, 23 autumn, 24 winter),
  `2012/2014` an interval;
- `mod` is a TIMEX3 name (START, MID, END, APPROX, BEFORE, AFTER,
  ON_OR_BEFORE, ON_OR_AFTER) or None.

`to_edtf("the late 1990s")` reads an explicit expression;
`resolve_relative("the prior year", anchor)` reads a year- or month-level
relative one against the explicit date that anchors it;
`split_coordination("July and October 2018")` splits a coordinated
expression into its dates; `reject_reason(before, candidate, after)` says why
a bare number that looks like a year is not one ("$2012", "2010 men",
"1900 block"). The vocabulary (month names, seasons, modifier phrases,
relative phrases, rejection words) is the lexicon in models/dates/lexicon.json.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.numbers import parse_number
from pipeline.rules import derived, load_lexicon, models_dir

Mod = Literal["START", "MID", "END", "APPROX", "BEFORE", "AFTER", "ON_OR_BEFORE", "ON_OR_AFTER"]
SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}
DASHES = "-\u2010\u2011\u2012\u2013\u2014"


class RelativeRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: Literal["year", "month"]
    offset: int
    # "last year", "this month": relative to when the text was written, so they
    # count only where an explicit date in the same paragraph anchors them.
    deictic: bool = False
    mod: Optional[Mod] = None  # "the end of the year" is the year with END


class DateLexicon(BaseModel):
    """models/dates/lexicon.json."""
    model_config = ConfigDict(extra="forbid")

    earliest_year: int = Field(ge=1000)
    months: dict[str, int]
    seasons: dict[str, int]
    token_classes: dict[str, str]
    trigger_words: list[str]
    mods_before: dict[str, Optional[Mod]]
    mods_after: dict[str, Mod]
    interval_openers: list[str]
    interval_joiners: list[str]
    coordinators: list[str]
    relative: dict[str, RelativeRule]
    counted_relative: dict[str, int]
    duration_words: list[str]
    reject_before: list[str]
    reject_after: list[str]
    reject_after_events: list[str]
    reject_after_always: list[str]
    street_suffixes: list[str]
    temporal_prepositions: list[str]
    determiners: list[str]
    verbs_after_year: list[str]

    @field_validator("months", "seasons", "mods_before", "mods_after", "relative", "counted_relative")
    @classmethod
    def _phrases(cls, v: dict) -> dict:
        bad = [k for k in v if not k.strip() or k != k.lower() or k != " ".join(k.split())]
        if bad:
            raise ValueError(f"phrases must be non-empty, lower case, single-spaced: {bad}")
        return v

    @field_validator("months")
    @classmethod
    def _months(cls, v: dict[str, int]) -> dict[str, int]:
        bad = [k for k, m in v.items() if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"month numbers must be 1..12: {bad}")
        return v

    @field_validator("seasons")
    @classmethod
    def _seasons(cls, v: dict[str, int]) -> dict[str, int]:
        bad = [k for k, s in v.items() if s not in SEASON_MONTHS]
        if bad:
            raise ValueError(f"season codes must be 21..24: {bad}")
        return v

    @field_validator("token_classes")
    @classmethod
    def _regexes(cls, v: dict[str, str]) -> dict[str, str]:
        for name, rx in v.items():
            try:
                re.compile(rx)
            except re.error as err:
                raise ValueError(f"token class {name}: bad regex ({err})") from None
        return v


def load_date_lexicon(root: Optional[Union[str, Path]] = None) -> DateLexicon:
    return _load(str(models_dir(root).resolve()))


@lru_cache(maxsize=4)
def _load(root: str) -> DateLexicon:
    return load_lexicon(Path(root) / "dates" / "lexicon.json", DateLexicon)


class ImpossibleDate(ValueError):
    """A well-formed expression naming a day that does not exist ("February 30, 2019")."""


@dataclass(frozen=True)
class EdtfDate:
    value: str
    mod: Optional[str]
    granularity: str  # day, month, season, year, decade, interval
    start: dt.date  # first calendar day covered
    end: dt.date  # last calendar day covered

    @property
    def year(self) -> Optional[int]:
        """The one year this date falls in (None for decades and intervals)."""
        if self.granularity in ("day", "month", "season", "year"):
            return self.start.year
        return None


# ---------------------------------------------------------------- constructors

def year_date(year: int) -> EdtfDate:
    return EdtfDate(f"{year:04d}", None, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def month_date(year: int, month: int) -> EdtfDate:
    last = calendar.monthrange(year, month)[1]
    return EdtfDate(f"{year:04d}-{month:02d}", None, "month", dt.date(year, month, 1), dt.date(year, month, last))


def day_date(year: int, month: int, day: int) -> EdtfDate:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise ImpossibleDate(f"{year:04d}-{month:02d}-{day:02d} is not a calendar day") from None
    return EdtfDate(d.isoformat(), None, "day", d, d)


def season_date(year: int, code: int) -> EdtfDate:
    first, last = SEASON_MONTHS[code]
    end_year = year + 1 if last < first else year
    return EdtfDate(f"{year:04d}-{code}", None, "season", dt.date(year, first, 1),
                    dt.date(end_year, last, calendar.monthrange(end_year, last)[1]))


def decade_date(first_year: int) -> EdtfDate:
    return EdtfDate(f"{first_year // 10:03d}X", None, "decade", dt.date(first_year, 1, 1),
                    dt.date(first_year + 9, 12, 31))


def interval_date(a: EdtfDate, b: EdtfDate) -> EdtfDate:
    return EdtfDate(f"{a.value}/{b.value}", None, "interval", a.start, b.end)


# ---------------------------------------------------------------- text helpers

_HYPHENS = re.compile(r"[\u2010\u2011\u2012]")
_SPACES = re.compile(r"\s+")

def clean(text: str) -> str:
    """Lower case, one space for any run of whitespace, plain quotes and hyphens."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _HYPHENS.sub("-", text)
    return _SPACES.sub(" ", text).strip().lower().replace(" ,", ",")


def _strip_the(s: str) -> str:
    while s.startswith("the "):
        s = s[4:]
    return s


def _phrase_at_start(s: str, phrases) -> Optional[str]:
    """The longest phrase that `s` starts with, followed by a space or a hyphen."""
    best = None
    for p in phrases:
        if s.startswith(p) and (len(s) == len(p) or s[len(p)] in " -" or p.endswith(".")):
            if best is None or len(p) > len(best):
                best = p
    return best


def _phrase_at_end(s: str, phrases) -> Optional[str]:
    best = None
    for p in phrases:
        if s.endswith(p) and (len(s) == len(p) or s[-len(p) - 1] == " "):
            if best is None or len(p) > len(best):
                best = p
    return best


def split_mods(text: str, lex: Optional[DateLexicon] = None) -> tuple[Optional[str], str]:
    """("since at least 1992") -> ("ON_OR_BEFORE", "1992"); ("the late 1990s") -> ("END", "1990s").

    Modifier phrases before and after the date are removed (several may stack:
    "since early 2014"); the mod is the first one that has a name.
    """
    lex = lex or load_date_lexicon()
    s = _strip_the(clean(text))
    mods: list[Optional[str]] = []
    while True:
        p = _phrase_at_start(s, lex.mods_before)
        if p is None:
            break
        mods.append(lex.mods_before[p])
        s = _strip_the(s[len(p):].lstrip(" -"))
    p = _phrase_at_end(s, lex.mods_after)
    if p is not None:
        mods.append(lex.mods_after[p])
        s = s[: len(s) - len(p)].rstrip(" ,")
    mod = next((m for m in mods if m), None)
    return mod, s


# ---------------------------------------------------------------- dateparser

@lru_cache(maxsize=1)
def _parser():
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings={
        "PREFER_DAY_OF_MONTH": "first",
        "PREFER_MONTH_OF_YEAR": "first",
        "REQUIRE_PARTS": ["year"],
        "DATE_ORDER": "MDY",
        # candidates are explicit calendar dates: relative ("2 days ago") and timestamp readers only cost time
        "PARSERS": ["absolute-time"],
    })


@lru_cache(maxsize=4096)
def dateparser_date(text: str) -> Optional[tuple[dt.date, str]]:
    """dateparser's reading of a short candidate string: (date, period) or None."""
    data = _parser().get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.date(), data.period


# ---------------------------------------------------------------- explicit dates

def _month_alt(lex: DateLexicon) -> str:
    names = sorted({k.rstrip(".") for k in lex.months}, key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


def _compiled(lex: DateLexicon, key: str, build) -> re.Pattern:
    """A regex built from the lexicon by `build(lex)`, compiled once per lexicon and key."""
    return derived(lex, "edtf:" + key, lambda lx: re.compile(build(lx)))


def _pats(lex: DateLexicon) -> dict[str, re.Pattern]:
    """The expression shapes, compiled once per lexicon."""
    return derived(lex, "edtf:shapes", _shapes)


def _shapes(lex: DateLexicon) -> dict[str, re.Pattern]:
    month_alt = _month_alt(lex)
    season_alt = "|".join(re.escape(s) for s in sorted(lex.seasons, key=len, reverse=True))
    m = rf"(?P<month>{month_alt})\.?"
    y = r"(?P<year>\d{4})"
    d = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    return {
        "day_mdy": re.compile(rf"^{m} {d},? {y}$"),
        "day_dmy": re.compile(rf"^{d} (?:of )?{m},? {y}$"),
        "day_numeric": re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<year>\d{4})$"),
        "day_numeric_short": re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<yy>\d{2})$"),
        "day_iso": re.compile(r"^(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})$"),
        "month": re.compile(rf"^{m},? (?:of )?{y}$"),
        # "winter 2019-20" is the winter that starts in 2019
        "season": re.compile(rf"^(?P<season>{season_alt}),? (?:of )?{y}(?: ?[-\u2013\u2014/] ?(?:\d{{2}}|\d{{4}}))?$"),
        "year": re.compile(r"^(?P<year>\d{4})$"),
        "decade": re.compile(r"^(?P<dec>\d{3})0'?s$"),
        "decade_short": re.compile(r"^'(?P<d>\d)0s$"),
    }


def _month_number(name: str, lex: DateLexicon) -> int:
    return lex.months.get(name) or lex.months[name + "."]


def _present(today: Optional[dt.date]) -> dt.date:
    return today or dt.date.today()


def _in_range(d: EdtfDate, lex: DateLexicon, today: Optional[dt.date]) -> bool:
    """Not before the lexicon's earliest year, and not starting after today."""
    return d.start.year >= lex.earliest_year and d.start <= _present(today)


# Day shapes written in numbers only ("9/24/2008", "2008-09-24"). The shapes with a
# month name leave nothing to interpret once the day is checked against the calendar,
# and asking dateparser about them cost more than the rest of the dates stage.
NUMERIC_SHAPES = ("day_numeric", "day_iso", "day_numeric_short")


def _point(s: str, lex: DateLexicon, today: Optional[dt.date]) -> Optional[EdtfDate]:
    """A cleaned expression without modifiers or interval words -> a point date (or decade)."""
    pats = _pats(lex)
    if (m := pats["year"].match(s)):
        return year_date(int(m["year"]))
    if (m := pats["decade"].match(s)):
        return decade_date(int(m["dec"]) * 10)
    if (m := pats["decade_short"].match(s)):
        # "'90s" is the 1990s; "'10s" the 2010s when that decade has begun.
        decade = 2000 + int(m["d"]) * 10
        if decade > _present(today).year:
            decade -= 100
        return decade_date(decade)
    if (m := pats["season"].match(s)):
        return season_date(int(m["year"]), lex.seasons[m["season"]])
    if (m := pats["month"].match(s)):
        return month_date(int(m["year"]), _month_number(m["month"], lex))
    for name in ("day_mdy", "day_dmy", "day_numeric", "day_iso", "day_numeric_short"):
        m = pats[name].match(s)
        if not m:
            continue
        if name == "day_numeric_short":
            # "9/24/08": the most recent year ending so that is not after today
            year = 2000 + int(m["yy"])
            if year > _present(today).year:
                year -= 100
            s = f"{m['m']}/{m['d']}/{year}"
        else:
            year = int(m["year"])
        month = _month_number(m["month"], lex) if "month" in m.groupdict() else int(m["m"])
        day = int(m["day"]) if "day" in m.groupdict() else int(m["d"])
        if not 1 <= month <= 12:
            return None
        d = day_date(year, month, day)  # raises ImpossibleDate for "February 30"
        if name in NUMERIC_SHAPES:
            # which number is the month is a convention: dateparser (month first) must agree
            parsed = dateparser_date(s)
            if parsed is not None and parsed[0] != d.start:
                return None  # the two readings disagree: not a date we trust
        return d
    return None


def _two_points(s: str, lex: DateLexicon, today: Optional[dt.date]) -> Optional[tuple[EdtfDate, EdtfDate]]:
    """"2012 and 2014", "may to july 2013", "2012-14" -> the interval's two ends."""
    joiner_rx = _compiled(lex, "joiners", lambda lx: r"\s*(?:" + "|".join(
        rf"\b{re.escape(j)}\b" if j[:1].isalpha() else re.escape(j)
        for j in sorted(lx.interval_joiners, key=len, reverse=True)) + r")\s*")
    for m in joiner_rx.finditer(s):
        joiner = m.group().strip()
        left, right = s[: m.start()].strip(" ,"), s[m.end():].strip(" ,")
        if not left or not right:
            continue
        if joiner in DASHES and not (left[-1:].isalnum() and right[:1].isalnum()):
            continue
        b = _point(right, lex, today)
        month = re.match(r"[a-z]+\.?(?= \d)", left)
        if b is None and month and re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?,? \d{4}", right):
            b = _point(f"{month.group()} {right}", lex, today)  # "sept. 18-22, 2008"
        if b is None:
            continue
        a = _point(left, lex, today)
        if a is None:
            # The first end borrows the year of the second: "may to july 2013".
            year = b.start.year
            a = _point(f"{left} {year}", lex, today)
            if a is not None and a.start > b.start:
                a = _point(f"{left} {year - 1}", lex, today)
        if a is not None and a.granularity != "decade" and a.start <= b.start:
            return a, b
    # "2012-14", "2012/13": a two-digit second year
    m = re.fullmatch(rf"(\d{{4}})\s*[{DASHES}/]\s*(\d{{2}})", s)
    if m:
        a = year_date(int(m[1]))
        second = int(m[1][:2] + m[2])
        if second > a.start.year:
            return a, year_date(second)
    m = re.fullmatch(r"(\d{4})/(\d{4})", s)
    if m and int(m[1]) < int(m[2]):
        return year_date(int(m[1])), year_date(int(m[2]))
    return None


def to_edtf(text: str, lex: Optional[DateLexicon] = None,
            today: Optional[dt.date] = None) -> Optional[EdtfDate]:
    """An explicit calendar expression -> EdtfDate, or None when it is not one.

    >>> to_edtf("the late 1990s").value, to_edtf("the late 1990s").mod
    ('199X', 'END')

    Raises ImpossibleDate for a well-formed day that does not exist.
    Dates after `today` (default: the real today) are not dates.
    """
    lex = lex or load_date_lexicon()
    mod, s = split_mods(text, lex)
    if not s:
        return None
    opener = _phrase_at_start(s, lex.interval_openers)
    body = s[len(opener):].strip() if opener else s
    result: Optional[EdtfDate] = None
    # "mid-2015", "late-1990s"
    compound = re.fullmatch(r"(early|mid|late)-(.+)", body)
    if compound:
        mod = mod or lex.mods_before.get(compound[1])
        body = compound[2]
    point = _point(body, lex, today)
    if point is not None and not opener:
        result = point
    else:
        ends = _two_points(body, lex, today)
        if ends is not None:
            joined_by_and = re.search(r"\band\b", body) is not None
            if joined_by_and and opener != "between":
                return None  # "2012 and 2014" is two dates, not an interval
            result = interval_date(*ends)
        elif point is not None and opener == "from":
            result = point  # "from 2009" (an open start): the year itself
    if result is None or not _in_range(result, lex, today):
        return None
    if result.granularity == "interval" and result.end.year > _present(today).year:
        return None
    return replace(result, mod=mod)


# ---------------------------------------------------------------- coordination

def split_coordination(text: str, lex: Optional[DateLexicon] = None) -> list[tuple[int, int, str]]:
    """Split "July and October 2018" into its dates, each completed with what it shares.

    Returns (start, end, completed_text) with offsets into `text`:
    "July and October 2018" -> [(0, 4, "July 2018"), (9, 21, "October 2018")];
    "May 23 and 24, 2013" -> [(0, 6, "May 23 2013"), (11, 19, "May 24, 2013")].
    """
    lex = lex or load_date_lexicon()
    coordinator_rx = _compiled(lex, "coordinators", lambda lx: r"\s*,?\s*\b(?:" + "|".join(
        re.escape(w) for w in lx.coordinators if w != ",") + r")\b\s*|\s*,\s*(?=[A-Za-z])")
    parts: list[tuple[int, int]] = []
    pos = 0
    for m in coordinator_rx.finditer(text):
        parts.append((pos, m.start()))
        pos = m.end()
    parts.append((pos, len(text)))
    parts = [(a, b) for a, b in parts if b > a]
    if len(parts) < 2:
        return [(0, len(text), text)]
    last = text[parts[-1][0]:parts[-1][1]]
    year_m = re.search(r"(\d{4})\W*$", last)
    if not year_m:
        return [(0, len(text), text)]
    year = year_m.group(1)
    first = text[parts[0][0]:parts[0][1]]
    month_m = re.match(r"\s*([A-Za-z]+\.?)", first)
    out = []
    for a, b in parts[:-1]:
        piece = text[a:b]
        completed = piece
        if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", piece.strip()) and month_m:
            completed = f"{month_m.group(1)} {piece.strip()}"
        out.append((a, b, f"{completed} {year}"))
    a, b = parts[-1]
    piece = text[a:b]
    if re.match(r"\d{1,2}(?:st|nd|rd|th)?\b", piece.strip()) and month_m:
        piece = f"{month_m.group(1)} {piece.strip()}"
    out.append((a, b, piece))
    return out


# ---------------------------------------------------------------- relative dates

def relative_rule(text: str, lex: Optional[DateLexicon] = None) -> Optional[tuple[Optional[str], RelativeRule]]:
    """("the end of that year") -> ("END", rule year+0); None when not a relative expression."""
    lex = lex or load_date_lexicon()
    s = clean(text)
    if s in lex.relative:
        return lex.relative[s].mod, lex.relative[s]
    mod, core = split_mods(s, lex)
    for candidate in (core, "the " + core, "that " + core):
        if candidate in lex.relative:
            return mod or lex.relative[candidate].mod, lex.relative[candidate]
    m = re.fullmatch(r"(.+?) (years?|months?) (\w+)", core)
    if m and m[3] in lex.counted_relative:
        n = parse_number(m[1])
        if n is not None and 0 < n <= 50:
            return mod, RelativeRule(unit=m[2].rstrip("s"), offset=n * lex.counted_relative[m[3]])
    return None


def duration_context(before: str, lex: Optional[DateLexicon] = None) -> bool:
    """True when the words before a relative expression make it a span of time:
    "over the next year", "for the following month"."""
    lex = lex or load_date_lexicon()
    return _ends_with_word(clean(before), lex.duration_words, lex, "duration_words") is not None


def after_temporal_word(before: str, lex: Optional[DateLexicon] = None) -> bool:
    """True when a temporal preposition ("in", "since", "during") comes right before."""
    lex = lex or load_date_lexicon()
    return _ends_with_word(clean(before), lex.temporal_prepositions, lex, "temporal_prepositions") is not None


def resolve_relative(text: str, anchor: Optional[EdtfDate], lex: Optional[DateLexicon] = None,
                     today: Optional[dt.date] = None) -> Optional[EdtfDate]:
    """A year- or month-level relative expression read against its anchor.

    "the prior year" after February 2023 -> 2022; "the following month" after
    February 2014 -> 2014-03. None without an anchor, when the anchor is too
    coarse (a month-level expression after a bare year, anything after a
    decade or interval), or when the result is in the future.
    """
    lex = lex or load_date_lexicon()
    if anchor is None:
        return None
    found = relative_rule(text, lex)
    if found is None:
        return None
    mod, rule = found
    if rule.unit == "year":
        if anchor.year is None:
            return None
        result = year_date(anchor.year + rule.offset)
    else:
        if anchor.granularity not in ("day", "month"):
            return None
        index = anchor.start.year * 12 + anchor.start.month - 1 + rule.offset
        result = month_date(index // 12, index % 12 + 1)
    if not _in_range(result, lex, today):
        return None
    return replace(result, mod=mod)


# ---------------------------------------------------------------- rejections

_OPENERS = "([{\"'\u201c\u2018"


def _word_set(words) -> tuple[frozenset, int]:
    """The words as a set, and how many words the longest entry has."""
    vocab = frozenset(words)
    return vocab, max((len(w.split()) for w in vocab), default=0)


def _ends_with_word(s: str, words, lex: Optional[DateLexicon] = None, key: str = "") -> Optional[str]:
    """The entry of `words` (one or more whole words) that `s` ends with, or None."""
    if lex is not None and key:
        vocab, longest = derived(lex, "edtf:words:" + key, lambda _: _word_set(words))
    else:
        vocab, longest = _word_set(words)
    parts = s[-80:].split()
    for k in range(min(longest, len(parts)), 0, -1):
        candidate = " ".join(parts[-k:]).lstrip(_OPENERS)
        if candidate in vocab:
            return candidate
    return None


def reject_reason(before: str, candidate: str, after: str,
                  lex: Optional[DateLexicon] = None) -> Optional[str]:
    """Why a number that looks like a year is not a date, or None when it may be one.

    `before` and `after` are a few dozen characters of text around the
    candidate. Rejected: part of a longer number, phone number, code or URL
    ("555-2012", "2012.5", "/2012/"); a price, a route, a bill or a section
    ("$2012", "Route 2010", "No. 1999"); a count of something ("1900 men",
    "2010 hours", "the 1900 block of Main Street").
    """
    lex = lex or load_date_lexicon()
    prev = before[-1:] if before else ""
    nxt = after[:1] if after else ""
    # glued to other digits or symbols: phone numbers, codes, decimals, URLs
    if prev and (prev.isalnum() or prev in "/.#$_@:+=" or prev in DASHES and before[-2:-1].isalnum()):
        return "part of a longer token"
    if nxt and (nxt.isalnum() or nxt in "/_@=+%" or (nxt in ".:," + DASHES and after[1:2].isdigit())):
        return "part of a longer number"
    b = clean(before)
    a = clean(after)
    word = _ends_with_word(b, lex.reject_before, lex, "reject_before")
    if word:
        return f"follows {word!r}"
    # the word right after the number (only spaces between): "1990 cars", not "2010, arrested"
    first = re.match(r" ?([\w%.']+)", a)
    next_words = [first.group(1).rstrip(".")] if first else []
    temporal = _ends_with_word(b, lex.temporal_prepositions, lex, "temporal_prepositions")
    if next_words and next_words[0] in lex.reject_after_always:
        return f"counts {next_words[0]!r}"
    determined = _ends_with_word(b, lex.determiners, lex, "determiners")
    if next_words and next_words[0] in lex.reject_after and not temporal:
        return f"counts {next_words[0]!r}"  # "the 2000 men"
    if next_words and next_words[0] in lex.reject_after_events and not temporal and not determined:
        return f"counts {next_words[0]!r}"  # "made 1999 stops", but "the 2013 arrests" names a year's
    # "at 1910 Broadway": an address
    month_rx = _compiled(lex, "month_start", lambda lx: r"(?i)\s*(?:" + _month_alt(lx) + r")\b")
    if b.endswith("at") and _ends_with_word(b, ("at",)) and re.match(r"\s*[A-Z]", after) \
            and not month_rx.match(after):
        return "street number"
    # "police stopped 1990 cars": a plural noun right after the number (not "the Act of 2000 applies",
    # nor a number opening a clause: "2013 brings")
    clause_start = not b or b[-1] in ".,;:!?()\"'\u2022-" or b.endswith(" of")
    if next_words and not temporal and not determined and not clause_start:
        w = next_words[0]
        raw = re.match(r"\s*([\w']+)", after)
        if raw and raw.group(1)[:1].islower() and len(w) > 3 and w.endswith("s") \
                and not w.endswith(("ss", "us", "is", "'s")) and w not in lex.verbs_after_year:
            return f"counts {w!r}"
    # "1200 Main Street": capitalized words then a street suffix
    raw_next = re.findall(r"[\w.']+", after)[:4]
    for i, w in enumerate(raw_next[1:], start=1):
        if w.lower() in lex.street_suffixes and all(x[:1].isupper() for x in raw_next[:i]) \
                and raw_next[0][:1].isupper():
            return "street number"
    return None


def paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs start: the text start and the start of every line,
    except a line that continues a hard-wrapped sentence (the line before ends
    mid-sentence and this one starts in lower case)."""
    starts = [0]
    for m in re.finditer(r"[ \t\f\v\u00a0]*(?:\r\n|\r|\n)\s*", text):
        if m.end() >= len(text):
            break
        prev = text[max(0, m.start() - 1):m.start()]
        nxt = text[m.end()]
        blank = m.group().count("\n") + m.group().count("\r") - m.group().count("\r\n") > 1
        if not blank and (prev.isalnum() or prev in ",-") and nxt.islower():
            continue
        starts.append(m.end())
    return starts
