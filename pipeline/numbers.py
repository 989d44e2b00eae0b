"""Reading numbers as people write them: "40,576", "seven", "Thirty-Nine",
"a dozen", "two dozen", "1.2 million", "half a million". Pure functions.
"""
from __future__ import annotations

import re
from typing import Optional

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
MULTIPLIERS = {"dozen": 12, "score": 20}
# Determiners that stand for one before a multiplier or scale: "a dozen", "a million".
ONE_WORDS = {"a", "an", "one"}
FRACTIONS = {"half": 0.5, "quarter": 0.25}

NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | frozenset(MULTIPLIERS)

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_DECIMAL = re.compile(r"^\d+(?:\.\d+)?$")


def parse_digits(token: str) -> Optional[int]:
    """"1,200" -> 1200, "40576" -> 40576; None for anything else ("1,20", "12.5")."""
    token = token.strip()
    if _DIGITS.match(token):
        return int(token.replace(",", ""))
    return None


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-\u2010\u2011\u2012\u2013\u00a0]+", text.lower().strip()) if w and w != "and"]


def parse_number(text: str) -> Optional[int]:
    """Digits, decimals with a scale word, or number words; None when `text` is not a number.

    >>> parse_number("Thirty-Nine"), parse_number("two dozen"), parse_number("1.2 million")
    (39, 24, 1200000)
    """
    text = text.strip().replace("\u00a0", " ")
    if not text:
        return None
    value = parse_digits(text)
    if value is not None:
        return value
    words = _words(text)
    if not words:
        return None
    # "1.2 million", "2 dozen", "40 thousand"
    lead = words[0]
    lead_value = parse_digits(lead)
    if lead_value is not None or _DECIMAL.match(lead):
        base = float(lead_value if lead_value is not None else lead)
        rest = words[1:]
        if not rest:
            return int(base) if base == int(base) else None
        factor = 1
        for w in rest:
            if w in SCALES:
                factor *= SCALES[w]
            elif w in MULTIPLIERS:
                factor *= MULTIPLIERS[w]
            else:
                return None
        return int(round(base * factor))
    return _parse_words(words)


def _parse_words(words: list[str]) -> Optional[int]:
    total = 0
    current = 0
    seen_number = False
    i = 0
    if words[0] in FRACTIONS and len(words) >= 3 and words[1] in ONE_WORDS and words[2] in SCALES:
        # "half a million"
        return int(FRACTIONS[words[0]] * SCALES[words[2]])
    if words[0] == "half" and words[1:] in (["a", "dozen"], ["dozen"]):
        # "half a dozen", "a half-dozen" is read by the caller without its article
        return 6
    for i, w in enumerate(words):
        if w in ONE_WORDS and i + 1 < len(words) and (words[i + 1] in MULTIPLIERS or words[i + 1] in SCALES):
            current += 1
            seen_number = True
        elif w in UNITS:
            current += UNITS[w]
            seen_number = True
        elif w in TENS:
            current += TENS[w]
            seen_number = True
        elif w in MULTIPLIERS:
            current = (current or 1) * MULTIPLIERS[w]
            seen_number = True
        elif w == "hundred":
            current = (current or 1) * 100
            seen_number = True
        elif w in SCALES:
            total += (current or 1) * SCALES[w]
            current = 0
            seen_number = True
        elif w.isascii() and w.isdigit():
            current += int(w)
            seen_number = True
        else:
            return None
    return total + current if seen_number else None


def is_number_word(word: str) -> bool:
    return word.lower() in NUMBER_WORDS
