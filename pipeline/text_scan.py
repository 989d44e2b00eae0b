"""Regex scans that need a one-character lookbehind, without the lookbehind.

A pattern opening with a lookbehind (`(?<![\\w.])SPD`) makes Python's regex
engine try it at every character of the page; without it the engine skips
ahead to where the pattern's literal start occurs. `matches_not_after`
gives the same matches as the lookbehind pattern would (tested in
tests/test_abbreviations.py): abbreviations, agency name repeats and place
mentions use it.
"""
from __future__ import annotations

import re
from typing import Iterator


def matches_not_after(pattern: re.Pattern, not_after: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches of `pattern` in `text` that do not start right after a character
    `not_after` matches: what `finditer` gives for the pattern with a one-character
    negative lookbehind in front (left to right, not overlapping; `pattern` never
    matches the empty string).

    A pattern that opens with a lookbehind makes the regex engine test it at every
    character of the page (most of the cost of reading a page's abbreviations); without
    it the engine skips ahead to where the pattern can start. A match rejected for the
    character before it is retried one character on, as the lookbehind would."""
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return
        start = m.start()
        if start > 0 and not_after.match(text, start - 1):
            pos = start + 1
            continue
        yield m
        pos = max(m.end(), start + 1)


def occurrences(text: str, literal: str, not_after: re.Pattern, not_before: str) -> list[tuple[int, int]]:
    """Where `literal` occurs in `text`, not right after a character `not_after` matches
    and not right before one of the regex class `not_before`."""
    pattern = re.compile(re.escape(literal) + "(?!" + not_before + ")")
    return [m.span() for m in matches_not_after(pattern, not_after, text)]
