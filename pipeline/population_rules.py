"""Population figures: pure functions, no spaCy.

- `parse_figure("a population of about 40,000")` -> (40000, "about", start, end)
- `whose_population(prefix, suffix, head, place, lexicon)`: is a figure the
  page's own jurisdiction's ("Sumter is a city of approximately 40,000") or
  another place's ("Columbia, the state capital, which has roughly 137,000
  residents", "the county around it, home to more than half a million
  people" on a city page)? Read from the words before the figure in its
  sentence, right to left, the way a reader finds what "has" or "a city of"
  is said of: a place noun that fits the page's type ("the city", "the
  parish itself"), the page's own name, or another name that is not the
  object of a preposition ("... west of Baton Rouge" is passed over).
- `plausible(value)`, `mismatch(footer, narrative)`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from pydantic import BaseModel, ConfigDict

from pipeline.numbers import parse_number


class PopulationLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qualifiers: dict[str, list[str]]
    min_population: int
    max_population: int
    place_nouns: dict[str, list[str]]
    other_place_nouns: list[str]
    place_title_words: list[str]
    prepositions: list[str]
    np_modifiers: list[str]
    determiners_definite: list[str]
    determiners_indefinite: list[str]
    own_pronouns: list[str]
    not_places: list[str]
    veto_after: list[str]


@dataclass(frozen=True)
class PlaceRef:
    """The page's jurisdiction as the population stage needs it."""
    name: str
    type: Optional[str] = None  # City, County, State, Region or None


# ---------------------------------------------------------------- figures

_FIGURE = re.compile(
    r"(?i)(?P<num>half[\s\u00a0]+a[\s\u00a0]+million|~?\d{1,3}(?:,\d{3})+(?:\.\d+)?|~?\d+(?:\.\d+)?)"
    r"(?:[\s\u00a0\-]+(?P<scale>million|thousand))?")


def parse_figure(text: str, lexicon: PopulationLexicon) -> Optional[tuple[int, str, int, int]]:
    """(value, qualifier, start, end) of the figure in a matched phrase; None when there is none.

    `start`/`end` cover the qualifier and the figure ("about 40,000",
    "more than 2.2 million") inside `text`.
    """
    m = _FIGURE.search(text)
    if not m:
        return None
    raw = m.group("num").lstrip("~")
    scale = m.group("scale")
    value = parse_number(f"{raw} {scale}" if scale else raw)
    if value is None:
        return None
    qualifier, q_start = qualifier_before(text, m.start(), lexicon)
    if m.group("num").startswith("~"):
        qualifier = "about"
    return value, qualifier, (q_start if q_start is not None else m.start()), m.end()


def qualifier_before(text: str, pos: int, lexicon: PopulationLexicon) -> tuple[str, Optional[int]]:
    """The qualifier written right before text[pos] ("more than", "approximately"), or "exact"."""
    before = text[:pos].rstrip()
    low = before.lower()
    best: tuple[str, Optional[int]] = ("exact", None)
    best_len = 0
    for qualifier, cues in lexicon.qualifiers.items():
        for cue in cues:
            if low.endswith(cue.lower()) and (len(low) == len(cue) or not low[-len(cue) - 1].isalnum()) \
                    and len(cue) > best_len:
                best, best_len = (qualifier, len(before) - len(cue)), len(cue)
    return best


def footer_figure(text: str) -> Optional[int]:
    """The figure of a footer "Population ..." value: "40576", "40,576 (2020)"; None for "1e999", "N/A"."""
    m = re.match(r"^\s*(\d{1,3}(?:,\d{3})+|\d+)(?=\s|\(|$)", text)
    return int(m.group(1).replace(",", "")) if m else None


def plausible(value: int, lexicon: PopulationLexicon) -> bool:
    """A population a US place can have: not a count of arrests, not 1e999."""
    return lexicon.min_population <= value <= lexicon.max_population


def mismatch(footer: int, narrative: int, tolerance: float = 0.25) -> bool:
    """Footer and narrative figures that differ by more than `tolerance` of the footer figure."""
    if footer <= 0:
        return narrative > 0
    return abs(footer - narrative) / footer > tolerance


# ---------------------------------------------------------------- whose population

_TOKEN = re.compile(r"[A-Z][\w’'.\-]*|[a-z][\w’'\-]*|\d[\d,.]*|[,;:()—–]")


@dataclass(frozen=True)
class _Tok:
    text: str
    start: int

    @property
    def cap(self) -> bool:
        return self.text[:1].isupper()

    @property
    def low(self) -> str:
        return self.text.lower()


def _tokens(text: str) -> list[_Tok]:
    return [_Tok(m.group(), m.start()) for m in _TOKEN.finditer(text)]


def _bare(word: str) -> str:
    for suffix in ("’s", "'s"):
        if word.endswith(suffix):
            return word[:-2]
    return word


def _compatible(noun: str, place: PlaceRef, lexicon: PopulationLexicon) -> bool:
    noun = noun.lower()
    kinds = [place.type] if place.type else ["City"]
    return any(noun in lexicon.place_nouns.get(k, []) for k in kinds)


def _is_place_noun(noun: str, lexicon: PopulationLexicon) -> bool:
    return any(noun.lower() in nouns for nouns in lexicon.place_nouns.values())


def same_place(words: list[str], place: PlaceRef, lexicon: PopulationLexicon) -> bool:
    """Whether a name ("Sumter", "Lafayette Parish’s") is the page's place, not a longer other one."""
    seq = [_bare(w).lower() for w in words]
    if seq:
        seq[-1] = seq[-1].rstrip(".")
    name = [w.lower() for w in place.name.split()]
    if seq[:len(name)] != name:
        return False
    return len(seq) == len(name) or words[len(name)] not in lexicon.place_title_words


def whose_population(prefix: str, suffix: str, head: Optional[str], place: PlaceRef,
                     lexicon: PopulationLexicon) -> tuple[str, str]:
    """("own" | "other", reason) for a figure whose sentence reads `prefix` + figure + `suffix`.

    `head` is the place noun the figure is said of inside the match
    ("city" in "a city of 40,000"), None when the match has none.
    """
    prefix = re.split(r"[\r\n]", prefix)[-1]  # a line break ends a sentence whatever the sentencizer says
    suffix = re.split(r"[\r\n]", suffix)[0]
    toks = _tokens(prefix)
    i = len(toks) - 1
    if head is not None:
        if not _compatible(head, place, lexicon):
            return "other", f"a {head} is not a {place.type or 'City'}"
        det = _determiner_index(toks, i + 1, lexicon)
        if det is not None and toks[det].low in lexicon.determiners_definite:
            return "own", f"the {head}"
        if det is not None:
            i = det - 1
    relative = False  # passed ", which has ...": the next noun phrase to the left is what it is said of
    while i >= 0:
        tok = toks[i]
        if tok.text == ",":
            k = _relative_clause_start(toks, i)
            if k is not None:  # "Sangamon County, which surrounds the city, has ...": skip the clause
                i = k - 2
                continue
        if tok.low in ("which", "who") and i >= 1 and toks[i - 1].text == ",":
            relative = True
            i -= 1
            continue
        if not tok.cap:
            word = _bare(tok.low)
            if _is_place_noun(word, lexicon) or word in lexicon.other_place_nouns:
                det = _determiner_index(toks, i, lexicon)
                np_start = det if det is not None else i
                if not relative and _prep_before(toks, np_start, lexicon):
                    i = np_start - 1  # "the largest city in the county": not what the figure is said of
                    continue
                if _compatible(word, place, lexicon):
                    if det is not None and toks[det].low in lexicon.determiners_indefinite:
                        i = det - 1  # "Duluth is a port city of ...": read on to what it is said of
                        continue
                    return "own", f"the {word}"
                # "the state capital", "the county": another place, unless in apposition to the page's name
                j = np_start - 1
                if j >= 1 and toks[j].text == "," and toks[j - 1].cap:
                    words = _name_ending_at(toks, j - 1, lexicon)
                    if words:
                        own = same_place([t.text for t in words], place, lexicon)
                        return ("own" if own else "other"), f"{' '.join(t.text for t in words)}, the {word}"
                return "other", f"the {word}"
            if word in lexicon.own_pronouns and not _prep_before(toks, i, lexicon):
                return "own", word
            i -= 1
            continue
        words = _name_ending_at(toks, i, lexicon)
        if not words:
            i -= 1
            continue
        first = toks.index(words[0])
        if not relative and (_prep_before(toks, first, lexicon) or _coordinated_prep_object(toks, first, lexicon)):
            i = first - 1
            continue
        own = same_place([t.text for t in words], place, lexicon)
        return ("own" if own else "other"), " ".join(t.text for t in words)
    return _forward(suffix, place, lexicon)


def _relative_clause_start(toks: list[_Tok], comma: int) -> Optional[int]:
    """Index of "which" / "who" opening a ", which ... ," clause that the comma at `comma` closes."""
    for k in range(comma - 1, 0, -1):
        if toks[k].text == ",":
            return None
        if toks[k].low in ("which", "who") and toks[k - 1].text == ",":
            return k
    return None


def _determiner_index(toks: list[_Tok], i: int, lexicon: PopulationLexicon, reach: int = 5) -> Optional[int]:
    """Index of the determiner of the noun phrase ending at toks[i] ("a Guilford County city")."""
    dets = set(lexicon.determiners_definite) | set(lexicon.determiners_indefinite)
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if toks[j].low in dets:
            return j
        if toks[j].text in ",;:()—–":
            return None
    return None


def _prep_before(toks: list[_Tok], i: int, lexicon: PopulationLexicon) -> bool:
    """Whether toks[i] is the object of a preposition ("of the Chesapeake Bay", "in central Florida")."""
    j = i - 1
    while j >= 0 and toks[j].low in lexicon.np_modifiers:
        j -= 1
    return j >= 0 and not toks[j].cap and toks[j].low in lexicon.prepositions


def _coordinated_prep_object(toks: list[_Tok], first: int, lexicon: PopulationLexicon) -> bool:
    """"between Tampa and Orlando": the second name is an object of the same preposition."""
    j = first - 1
    if j < 1 or toks[j].low not in ("and", "or"):
        return False
    words = _name_ending_at(toks, j - 1, lexicon)
    if not words:
        return False
    k = toks.index(words[0])
    return _prep_before(toks, k, lexicon) or _coordinated_prep_object(toks, k, lexicon)


def _name_ending_at(toks: list[_Tok], i: int, lexicon: PopulationLexicon) -> list[_Tok]:
    """The capitalized words ending at toks[i] ("Anne Arundel County"), minus words that are no name."""
    if i < 0 or not toks[i].cap:
        return []
    j = i
    while j - 1 >= 0 and toks[j - 1].cap and toks[j - 1].start + len(toks[j - 1].text) + 2 >= toks[j].start:
        j -= 1
    words = toks[j:i + 1]
    while words and _bare(words[0].text) in lexicon.not_places:
        words = words[1:]
    return words


def _forward(suffix: str, place: PlaceRef, lexicon: PopulationLexicon) -> tuple[str, str]:
    """Nothing before the figure: the first place in the clause after it decides.

    "With approximately 41,000 residents, Woburn is ...", "About 434,000
    people live in the parish, ..."; no place there: the page's own.
    """
    clause = re.split(r"[,;:—–()]", suffix.lstrip(" ,;:—–\u00a0"), maxsplit=1)[0]
    toks = _tokens(clause)
    i = 0
    while i < len(toks):
        tok = toks[i]
        if not tok.cap:
            if tok.low in lexicon.own_pronouns:
                return "own", tok.low
            if _is_place_noun(tok.low, lexicon) or tok.low in lexicon.other_place_nouns:
                if _compatible(tok.low, place, lexicon):
                    return "own", f"the {tok.low}"
                return "other", f"the {tok.low}"
            i += 1
            continue
        words = []
        j = i
        while j < len(toks) and toks[j].cap:
            words.append(toks[j])
            j += 1
        while words and _bare(words[0].text) in lexicon.not_places:
            words = words[1:]
        if words:
            own = same_place([t.text for t in words], place, lexicon)
            return ("own" if own else "other"), " ".join(t.text for t in words)
        i = j
    return "own", "the page's place (no other named)"
