"""Abbreviations a text defines for itself (pure functions, no spaCy).

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation
definitions in biomedical text": a short form in parentheses after its long
form, "Massachusetts Office for Victim Assistance (MOVA)". The long form is
searched among the words just before the parenthesis (at most
min(|SF| + 5, 2 * |SF|) of them, on the same line and after the last
sentence or clause break); it is the shortest word sequence in which the
short form's characters appear in order, the first one at the start of a
word.

`find_named_as` reads the other common way of naming a short form:
"the Internet Crimes Against Children Task Force, known as ICAC".

Every offset is a code-point index into the text passed in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from pipeline.text_scan import matches_not_after, occurrences

MAX_SHORT_CHARS = 10
# A parenthesised short form: no nested parentheses, no line break.
PAREN = re.compile(r"\(([^()\r\n]{1,%d})\)" % (MAX_SHORT_CHARS + 2))
WORD = re.compile(r"\S+")
# What ends the text a long form may be taken from.
CLAUSE_BREAK = re.compile(r"[.;:!?\r\n(\[\]\)\"“”]\s|[\r\n]")
NAMED_AS = re.compile(
    r"\A,?\s*(?:\(\s*)?(?:(?:also\s+|better\s+|commonly\s+)?(?:known|referred\s+to|abbreviated)\s+as\s+"
    r"|or\s+(?=(?:the\s+)?[A-Z][A-Z0-9&]{1,%d}\s*[,)]))"
    r"(?:the\s+)?[\"“‘']?(?P<sf>[A-Z][A-Za-z0-9&.\-]{1,%d})\b" % (MAX_SHORT_CHARS - 1, MAX_SHORT_CHARS - 1))
# "SPD (Sanford Police Department)": the short form first, the long form in parentheses;
# no word character or period right before the short form (see `matches_not_after`).
REVERSED = re.compile(r"(?P<sf>[A-Z][A-Z0-9&]{1,%d})\s+\((?P<lf>[^()\r\n]{4,120})\)" % (MAX_SHORT_CHARS - 1))
REVERSED_NOT_AFTER = re.compile(r"[\w.]")


@dataclass(frozen=True)
class Abbreviation:
    short: str
    short_start: int
    short_end: int
    long_start: int
    long_end: int

    def long_form(self, text: str) -> str:
        return text[self.long_start:self.long_end]


def is_short_form(candidate: str) -> bool:
    """A plausible short form: 2-10 characters, one word or two, a letter in it,
    starting with a letter or digit, with a capital letter in it."""
    s = candidate.strip()
    if not 2 <= len(s) <= MAX_SHORT_CHARS or len(s.split()) > 2:
        return False
    if not s[0].isalnum() or not any(c.isalpha() for c in s):
        return False
    return any(c.isupper() for c in s)


def best_long_form(short: str, long: str) -> Optional[int]:
    """Where, in `long`, the long form of `short` starts (Schwartz & Hearst), or None.

    Characters of the short form are matched right to left; the first one
    must start a word of the long form."""
    s_index = len(short) - 1
    l_index = len(long) - 1
    while s_index >= 0:
        c = short[s_index].lower()
        if not c.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (long[l_index].lower() != c or
                                (s_index == 0 and l_index > 0 and long[l_index - 1].isalnum())):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    # Back to the start of the word holding the first matched character.
    start = l_index + 1
    while start > 0 and not long[start - 1].isspace():
        start -= 1
    return start


def find_abbreviations(text: str) -> list[Abbreviation]:
    """Every "long form (SF)" definition in the text, in text order."""
    found = []
    for m in PAREN.finditer(text):
        short = m.group(1).strip()
        if not is_short_form(short):
            continue
        before_end = m.start()
        while before_end > 0 and text[before_end - 1] in " \t\u00a0":
            before_end -= 1
        # The long form lies after the last clause break and within the word budget.
        window_start = max(0, before_end - 300)
        breaks = list(CLAUSE_BREAK.finditer(text, window_start, before_end))
        if breaks:
            window_start = breaks[-1].end()
        words = list(WORD.finditer(text, window_start, before_end))
        budget = min(len(short) + 5, 2 * len(short))
        words = words[-budget:]
        if not words:
            continue
        base = words[0].start()
        long = text[base:before_end]
        start = best_long_form(short, long)
        if start is None:
            continue
        long_start = base + start
        # Trim quotes or punctuation that open the long form.
        while long_start < before_end and not text[long_start].isalnum():
            long_start += 1
        long_text = text[long_start:before_end]
        if len(long_text) <= len(short) or short.lower() in long_text.lower().split():
            continue
        short_start = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
        found.append(Abbreviation(short, short_start, short_start + len(short), long_start, before_end))
    for m in matches_not_after(REVERSED, REVERSED_NOT_AFTER, text):
        short, long = m.group("sf"), m.group("lf")
        stripped = long.strip()
        if len(stripped.split()) < 2 or not is_short_form(short):
            continue
        # The long form must be spelled from its own first word on.
        if best_long_form(short, stripped) != 0:
            continue
        lf_start = m.start("lf") + (len(long) - len(long.lstrip()))
        found.append(Abbreviation(short, m.start("sf"), m.end("sf"), lf_start, lf_start + len(stripped)))
    found.sort(key=lambda a: a.short_start)
    return found


def find_named_as(text: str, end: int, start: Optional[int] = None) -> Optional[tuple[str, int, int]]:
    """A short form named right after a name text[start:end]: ", known as ICAC", ", or SPD,".

    Returns (short form, start, end) or None."""
    m = NAMED_AS.match(text[end:end + 80])
    if not m:
        return None
    short = m.group("sf").rstrip(".")
    if not is_short_form(short) or not short.isupper():
        return None
    if best_long_form(short, text[max(0, end - 150) if start is None else start:end]) is None:
        return None  # the letters of the short form are not in the name before it
    sf_start = end + m.start("sf")
    return short, sf_start, sf_start + len(short)


# What may not stand right before a short form's occurrence.
SHORT_FORM_NOT_AFTER = re.compile(r"[\w.\-]")


def short_form_occurrences(text: str, short: str) -> list[tuple[int, int]]:
    """Where `short` stands as a word of its own, written exactly so."""
    return occurrences(text, short, SHORT_FORM_NOT_AFTER, r"[\w\-]")
