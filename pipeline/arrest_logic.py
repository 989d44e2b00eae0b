"""Arrest counts: the decisions, as pure functions (no spaCy).

The arrests component (pipeline/components/arrests.py) runs the Matcher rules
of models/arrests/patterns.jsonl over each sentence and hands the tokens and
the matches found to `find_counts`, which decides which numbers count people
arrested, charged, cited, booked, ... ("police arrested 10 men", "seven men
were arrested", "ended with 104 arrests", "charges against 20 men for
soliciting, 28 people for prostitution and 13 for aiding prostitution").
The other decisions (the qualifier before a count, the role of the people
counted, the date of the operation, whether a date is when a story was
published rather than when police acted) are separate functions here, every
one driven by the vocabulary in models/arrests/lexicon.json (`ArrestLexicon`).
"""
from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.numbers import parse_number
from pipeline.rules import derived

QUALIFIERS = ("over", "at_least", "about", "up_to")
ROLES = ("buyer", "seller", "trafficker")


class ArrestLexicon(BaseModel):
    """models/arrests/lexicon.json (see models/README.md, section arrests/)."""
    model_config = ConfigDict(extra="forbid")

    max_count: int = Field(gt=0)
    person_heads: list[str] = Field(min_length=1)
    block_nouns: list[str]
    gap_words: list[str]
    aux_words: list[str]
    relative_words: list[str]
    max_noun_group: int = Field(ge=1, le=10)
    max_relative_clause: int = Field(ge=0, le=30)
    qualifiers: dict[str, list[str]]
    roles: dict[str, list[str]]
    role_cues: dict[str, list[str]]
    gendered: dict[str, list[str]]
    gendered_context: dict[str, list[str]]
    generic_people: list[str]
    operation_roles: dict[str, list[str]]
    mixed_markers: list[str]
    generic_markers: list[str]
    other_operation_markers: list[str]
    report_words: list[str]
    report_nouns: list[str]
    since_words: list[str]
    operation_words: list[str]
    pub_line_words: list[str]
    bullets: str
    confidence: dict[str, float]

    @field_validator("qualifiers")
    @classmethod
    def _known_qualifiers(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = sorted(set(v) - set(QUALIFIERS))
        if bad:
            raise ValueError(f"unknown qualifier names {bad}; use {list(QUALIFIERS)}")
        return v

    @field_validator("roles", "role_cues", "gendered", "gendered_context", "operation_roles")
    @classmethod
    def _known_roles(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = sorted(set(v) - set(ROLES))
        if bad:
            raise ValueError(f"unknown role names {bad}; use {list(ROLES)}")
        return v

    @field_validator("confidence")
    @classmethod
    def _in_unit_range(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k, x in v.items() if not 0 <= x <= 1]
        if bad:
            raise ValueError(f"confidence values must be within 0..1: {bad}")
        return v

    def model_post_init(self, __context) -> None:
        low = lambda xs: frozenset(x.lower() for x in xs)  # noqa: E731
        self._person = low(self.person_heads)
        self._block = low(self.block_nouns)
        self._gap = low(self.gap_words)
        self._aux = low(self.aux_words)
        self._rel = low(self.relative_words)
        self._role_words = {r: low(ws) for r, ws in self.roles.items()}

    @property
    def person(self) -> frozenset:
        return self._person

    @property
    def block(self) -> frozenset:
        return self._block

    @property
    def gap(self) -> frozenset:
        return self._gap

    @property
    def aux(self) -> frozenset:
        return self._aux

    @property
    def rel(self) -> frozenset:
        return self._rel

    def role_of_word(self, word: str) -> Optional[str]:
        w = word.lower()
        for role, words in self._role_words.items():
            if w in words:
                return role
        return None


# ---------------------------------------------------------------- tokens and matches

@dataclass(frozen=True)
class Tok:
    """A token of one sentence: its text and character offsets in the document."""
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


@dataclass(frozen=True)
class Match:
    """A rule match over tokens [start, end) of a sentence (end exclusive)."""
    label: str
    start: int
    end: int
    rule: str


@dataclass
class Found:
    """One arrest count found in a sentence (token indices into the sentence)."""
    count: int
    count_start: int
    count_end: int
    qualifier: str
    rule: str
    span_start: int  # token span covering the statement (qualifier, count, noun, trigger)
    span_end: int
    noun_end: int  # end of the counted noun group (== count_end when there is none)
    mixed: bool = False  # followed by "including" / a colon list of sub-counts
    via: str = "direct"  # direct, enumeration, list_item


PREPOSITIONS = frozenset("""in on at for during after from with as near across over since by outside inside around
throughout following amid under into before between within against of to""".split())
CONJUNCTIONS = frozenset(["and", "or", "but", "plus", "&"])
# what may follow a sub-count without a noun: "13 for aiding prostitution", "9 in the second", "9 on unrelated charges"
BARE_FOLLOWERS = frozenset(["for", "on", "in", "with", "during", "at"])
SEPARATORS = frozenset([",", ";", ":", "and", "plus", "including", "&", "•", "as well as"])
DAY_WORDS = frozenset("""monday tuesday wednesday thursday friday saturday sunday today tonight yesterday
night morning evening weekend""".split())
MONTHS = frozenset("""january february march april may june july august september october november december
jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov. dec dec.""".split())
HYPHENS = frozenset(["-", "\u2010", "\u2011", "\u2012", "\u2013"])
ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$", re.I)
YEAR = re.compile(r"^(1[89]|20)\d\d$")


def _is_word(tok: Tok) -> bool:
    return any(c.isalpha() for c in tok.text)


def glued(a: Tok, b: Tok) -> bool:
    """Two tokens written with no space between them."""
    return a.end == b.start


# ---------------------------------------------------------------- counts

def read_count(text: str, max_count: int) -> Optional[int]:
    """The number a count span stands for, or None when it is not a plausible count of people.

    >>> read_count("Thirty-Nine", 100000), read_count("1,200", 100000), read_count("99999999999999999999", 100000)
    (39, 1200, None)
    """
    if ORDINAL.match(text.strip()):
        return None
    value = parse_number(text)
    if value is None or value <= 0 or value > max_count:
        return None
    return value


def overlaps_any(ranges: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `ranges` (sorted, non-overlapping): a binary search."""
    i = bisect.bisect_left(ranges, end, key=lambda r: r[0])  # ranges[:i] start before `end`
    return i > 0 and ranges[i - 1][1] > start


def count_is_not_people(toks: Sequence[Tok], start: int, end: int, lex: ArrestLexicon,
                        date_ranges: Sequence[tuple[int, int]] = ()) -> bool:
    """True when the number at toks[start:end] is a year, date, age, duration, price, share or phone number."""
    first, last = toks[start], toks[end - 1]
    if overlaps_any(date_ranges, first.start, last.end):
        return True
    prev = toks[start - 1] if start > 0 else None
    nxt = toks[end] if end < len(toks) else None
    if end - start == 1 and YEAR.match(first.text) and not (nxt and nxt.lower in lex.person
                                                              | {"arrests", "arrested"}):
        return True
    if prev is not None and (prev.text in ("$", "#", "€", "£", "No.", "no.") or prev.lower in MONTHS):
        return True
    if nxt is not None:
        if nxt.text in ("%", "percent", "per", "a.m.", "p.m.", "/", ":") or nxt.lower in lex.block:
            return True
        # "17-Month", "16-year-old", "410-555-0163", "a 10-week class"
        if nxt.text in HYPHENS and glued(last, nxt):
            return True
    if prev is not None and prev.text in HYPHENS and glued(prev, first):
        return True
    if first.lower in ("one", "1") and nxt is not None and nxt.lower in ("of", "another"):
        return True
    if first.lower == "one" and prev is not None and prev.lower in ("no", "every", "any", "each", "anyone", "someone"):
        return True  # "no one was arrested"
    return False


# ---------------------------------------------------------------- noun groups

@dataclass(frozen=True)
class NounGroup:
    end: int  # token index just after the group
    head: Optional[str]  # lower-cased head noun ("men", "johns"), None when there is no noun
    blocked: bool = False  # the counted noun is not people ("calls", "years", "charges")


def noun_group(toks: Sequence[Tok], i: int, lex: ArrestLexicon, stop: int | None = None) -> NounGroup:
    """The noun group counted by a number that ends at toks[i]: "male sex buyers", "of those men", "Would-Be Johns"."""
    n = len(toks) if stop is None else stop
    j = i
    # "66 of those men", "24 of them"
    if j + 1 < n and toks[j].lower == "of" and toks[j + 1].lower in ("those", "the", "them", "these", "whom"):
        j += 2
        if toks[j - 1].lower in ("them", "whom"):
            return NounGroup(j, "them")
    k = j
    while k < n and k - j < lex.max_noun_group + 2:
        t = toks[k]
        low = t.lower
        if low in lex.block:
            return NounGroup(k + 1, low, blocked=True)
        if low in lex.person or lex.role_of_word(low):
            end = k + 1
            # "sex workers", "men and women" stay one group only for compounds written together
            while end < n and (toks[end].lower in lex.person or lex.role_of_word(toks[end].lower)) \
                    and toks[end].lower not in ("more", "others"):
                end += 1
            return NounGroup(end, toks[end - 1].lower if toks[end - 1].lower not in ("more",) else low)
        if t.text in HYPHENS or t.text in ("'s", "’s"):
            k += 1
            continue
        # a word of a hyphenated compound ("Would-Be Johns", "would-be buyers") is a modifier
        if _is_word(t) and ((k + 1 < n and toks[k + 1].text in HYPHENS and glued(t, toks[k + 1]))
                            or (k > 0 and toks[k - 1].text in HYPHENS and glued(toks[k - 1], t))):
            k += 1
            continue
        if not _is_word(t) or low in PREPOSITIONS or low in CONJUNCTIONS or low in lex.aux or low in lex.rel \
                or low in DAY_WORDS:
            break
        k += 1
    return NounGroup(j if j != i else i, None)


# ---------------------------------------------------------------- qualifiers

def parse_qualifier(before: Sequence[str], lex: ArrestLexicon) -> tuple[str, int]:
    """The qualifier written just before a count, and how many words it takes.

    `before` is the lower-cased words before the count, nearest last:
    ["police", "arrested", "more", "than"] -> ("over", 2).
    """
    best = ("exact", 0)
    for name, phrases in lex.qualifiers.items():
        for phrase in phrases:
            words = phrase.lower().split()
            if len(words) <= len(before) and [w.lower() for w in before[-len(words):]] == words \
                    and len(words) > best[1]:
                best = (name, len(words))
    return best


# ---------------------------------------------------------------- roles

def _has_phrase(text: str, phrases: Iterable[str]) -> bool:
    low = " " + re.sub(r"\s+", " ", text.lower()) + " "
    return any(p.lower() in low for p in phrases)


def context_roles(context: str, lex: ArrestLexicon) -> frozenset:
    """The roles the paragraph around a count hints at for gendered nouns: "men" in a reverse sting are buyers."""
    return frozenset(r for r in ("buyer", "seller") if _has_phrase(context, lex.gendered_context.get(r, [])))


def pick_role(noun: str, after: str, context: frozenset, lex: ArrestLexicon, mixed: bool = False,
              sentence: str = "") -> str:
    """buyer, seller, trafficker, mixed or unknown for a count.

    `noun` is the counted noun group ("male sex buyers", "women", ""), `after`
    the words that follow it up to the next count ("for soliciting", "selling
    sex", "as Johns, Prostitutes"), `context` the `context_roles` of the
    paragraph around it. `mixed` is set when sub-counts of other roles follow ("92
    arrests: 39 sex buyers, 39 women selling sex and 12 pimps"). A count of
    "arrests" or "people" takes the role of the operation its `sentence` names
    ("a second web-based reverse sting ... resulted in 11 arrests" is buyers,
    "Supply reduction, street prostitution: 32 arrests" sellers).
    """
    noun_low = noun.lower()
    words = re.findall(r"[\w'’-]+", noun_low)
    for size in (3, 2, 1):  # "would-be johns", "sex buyers", "pimps"
        for k in range(len(words) - size + 1):
            role = lex.role_of_word(" ".join(words[k:k + size]))
            if role:
                return role
    roles_after = [r for r in ROLES if _has_phrase(after, lex.role_cues.get(r, []) + lex.roles.get(r, []))]
    if mixed or len(roles_after) >= 2:
        return "mixed"
    if len(roles_after) == 1:
        return roles_after[0]
    for role in ("buyer", "seller"):
        if any(w in lex.gendered.get(role, []) for w in words) and role in context:
            return role
    if set(words) <= set(lex.generic_people):
        named = [r for r in ROLES if _has_phrase(sentence, lex.operation_roles.get(r, []))]
        if len(named) == 1:
            return named[0]
    return "unknown"


# ---------------------------------------------------------------- finding counts in a sentence

class _Triggers:
    """The trigger matches of one sentence, indexed by where they start and end."""

    def __init__(self, matches: Sequence[Match], headline: bool):
        self.before_by_end: dict[int, list[Match]] = {}
        self.passive: dict[int, Match] = {}
        self.noun: dict[int, Match] = {}
        self.leads: list[Match] = []
        for m in matches:
            if m.label.startswith("HEADLINE_") and not headline:
                continue
            base = m.label.replace("HEADLINE_", "")
            if base in ("ACTIVE", "LEAD", "OPENING"):
                self.before_by_end.setdefault(m.end, []).append(m)
            if m.label == "HEADLINE_LEAD":
                self.leads.append(m)
            if base == "PASSIVE":
                self.passive.setdefault(m.start, m)
            if base == "NOUN":
                self.noun.setdefault(m.start, m)


def _trigger_before(toks, c_start, trig: _Triggers, lex) -> Optional[Match]:
    """An ACTIVE/LEAD trigger ending right before the count, only qualifier words (at most 4) between."""
    for end in range(c_start, max(-1, c_start - 5), -1):
        if end < c_start and toks[end].lower not in lex.gap:
            return None
        for m in trig.before_by_end.get(end, []):
            if m.label == "OPENING" and m.start > 0:  # "Arrested were 12 men", not "the men arrested was one"
                continue
            return m
    return None


def _passive_after(toks, i, trig: _Triggers, lex) -> Optional[Match]:
    """A PASSIVE trigger at toks[i], after optional auxiliaries and adverbs ("were also", "had been")."""
    j = i
    while j < len(toks) and j - i <= 4:
        if j in trig.passive:
            return trig.passive[j]
        low = toks[j].lower
        if low in lex.aux or (low.endswith("ly") and len(low) > 4):
            j += 1
            continue
        break
    return None


def _noun_trigger_after(toks, c_end, trig: _Triggers, lex) -> Optional[Match]:
    """A NOUN trigger after the count with at most three modifiers: "33 Massage Parlor Arrests", "111 of the arrests"."""
    j = c_end
    if j + 1 < len(toks) and toks[j].lower == "of" and toks[j + 1].lower in ("the", "those", "these"):
        j += 2
    k = j
    while k < len(toks) and k - j <= 3:
        if k in trig.noun:
            return trig.noun[k]
        t = toks[k]
        if not _is_word(t) and t.text not in HYPHENS:
            return None
        if t.lower in lex.block or t.lower in lex.person or t.lower in PREPOSITIONS or t.lower in CONJUNCTIONS \
                or t.lower in lex.aux:
            return None
        k += 1
    return None


def _skip_relative(toks, i, lex) -> int:
    """The end of a relative clause "who allegedly sought sex with a minor" starting at toks[i] (i itself if none)."""
    if i < len(toks) and toks[i].lower in lex.rel:
        j = i + 1
        while j < len(toks) and j - i <= lex.max_relative_clause:
            if toks[j].text in (",", ";", ":", ".", "(", ")"):
                return i
            if toks[j].lower in lex.aux and toks[j].lower in ("had", "have", "has", "were", "was"):
                return j
            j += 1
    return i


def _separator_run(toks, i, lex) -> int:
    """Skip separators and qualifier words from toks[i]; return the next index (i when there is no separator)."""
    j = i
    saw = False
    while j < len(toks) and (toks[j].lower in SEPARATORS or toks[j].text in ("-", "–", "—")):
        saw = True
        j += 1
    if not saw:
        return i
    while j < len(toks) and toks[j].lower in lex.gap:
        j += 1
    return j


def _tail_end(toks, i, lex, limit=14) -> int:
    """Skip a tail "for aiding prostitution or deriving proceeds from it" up to the next separator."""
    if i >= len(toks):
        return i
    first = toks[i].lower
    if not (first in PREPOSITIONS or first.endswith("ing") or first in lex.rel
            or first in ("accused", "engaged", "suspected", "wanted", "more")):
        return i
    j = i
    while j < len(toks) and j - i < limit:
        if toks[j].text in (",", ";", ":") or toks[j].lower in ("and", "including", "plus"):
            return j
        j += 1
    return j if j >= len(toks) else i


def find_counts(toks: Sequence[Tok], matches: Sequence[Match], counts: Sequence[tuple[int, int, int]],
                lex: ArrestLexicon, headline: bool = False) -> list[Found]:
    """Every arrest count of one sentence.

    `counts` are (start, end, value) token ranges read as numbers (already
    cleared of years, ages, durations and prices); `matches` the trigger
    rules found in the sentence.
    """
    by_start = {s: (s, e, v) for s, e, v in counts}
    found: dict[int, Found] = {}
    trig = _Triggers(matches, headline)

    def qualify(s: int) -> tuple[str, int]:
        before = [t.lower for t in toks[max(0, s - 4):s]]
        q, n = parse_qualifier(before, lex)
        return q, s - n

    def add(s, e, v, rule, span_end, noun_end, via="direct", span_start=None):
        if s in found:
            return found[s]
        q, qs = qualify(s)
        f = Found(v, s, e, q, rule, min(qs, span_start if span_start is not None else qs), max(span_end, e),
                  noun_end, via=via)
        found[s] = f
        return f

    # Direct statements.
    for s, e, v in counts:
        # "17 Face Charges in Sting", "Two Charged": the trigger right after the count
        passive = _passive_after(toks, e, trig, lex)
        if passive is not None:
            add(s, e, v, f"passive:{passive.rule}", passive.end, e)
            continue
        ng = noun_group(toks, e, lex)
        if ng.blocked:
            continue
        # "104 arrests", "over 30 arrests", "111 of the arrests"
        noun = _noun_trigger_after(toks, e, trig, lex)
        if noun is not None:
            add(s, e, v, f"noun:{noun.rule}", noun.end, e)
            continue
        # "police arrested 10 area men", "Sting Nets 40", "the arrest of 33 male sex buyers"
        before = _trigger_before(toks, s, trig, lex)
        if before is not None:
            nxt = toks[ng.end] if ng.end < len(toks) else None
            bare_ok = ng.head is not None or nxt is None or not _is_word(nxt) or nxt.lower in PREPOSITIONS \
                or nxt.lower in CONJUNCTIONS or nxt.lower in DAY_WORDS or nxt.lower in lex.aux \
                or nxt.lower in lex.rel or nxt.lower in ("more", "others", "suspects")
            if bare_ok:
                add(s, e, v, f"active:{before.rule}", ng.end, ng.end, span_start=before.start)
                continue
        # "seven men were arrested", "77 men and 25 women charged", "24 men who ... had been arrested"
        chain = [(s, e, v, ng)]
        j = _skip_relative(toks, ng.end, lex)
        while True:
            k = _separator_run(toks, j, lex)
            if k == j or k not in by_start:
                break
            s2, e2, v2 = by_start[k]
            ng2 = noun_group(toks, e2, lex)
            if ng2.blocked or ng2.head is None:
                break
            chain.append((s2, e2, v2, ng2))
            j = _skip_relative(toks, ng2.end, lex)
        if len(chain) > 1 and j < len(toks) and toks[j].text == ",":
            j += 1  # "14 people, including 9 men, were arrested"
        passive = _passive_after(toks, j, trig, lex)
        if passive is not None:
            for s1, e1, v1, ng1 in chain:
                add(s1, e1, v1, f"passive:{passive.rule}", passive.end, ng1.end)
            continue

    # Headline leads: "Sting: 33 Johns, 7 Prostitutes".
    if headline:
        for m in trig.leads:
            k = m.end
            while k < len(toks) and toks[k].lower in lex.gap:
                k += 1
            if k in by_start and k not in found:
                s, e, v = by_start[k]
                ng = noun_group(toks, e, lex)
                if ng.head and not ng.blocked:
                    add(s, e, v, f"lead:{m.rule}", ng.end, ng.end, span_start=m.start)

    # Enumerations after an accepted count: "arrested seven women and two men",
    # "20 men for soliciting, 28 people for prostitution, 13 for aiding prostitution, and 9 more ...",
    # "92 arrests: 39 sex buyers, 39 women selling sex and 12 pimps", "92 Arrested, Including 12 Pimps".
    queue = sorted(found)
    heapq.heapify(queue)
    done: set[int] = set()
    while queue:  # each count once, in order; a sub-count found joins the queue
        f = found[heapq.heappop(queue)]
        if f.count_start in done:
            continue
        done.add(f.count_start)
        after = max(f.noun_end, f.span_end if f.rule.startswith(("noun:", "passive:")) else f.noun_end)
        j = _tail_end(toks, after, lex)
        k = _separator_run(toks, j, lex)
        if k == j or k not in by_start or k in found:
            continue
        sep_words = {t.lower for t in toks[j:k]}
        s2, e2, v2 = by_start[k]
        ng2 = noun_group(toks, e2, lex)
        if ng2.blocked:
            continue
        nxt = toks[ng2.end] if ng2.end < len(toks) else None
        if ng2.head is None and not (nxt is None or nxt.lower in BARE_FOLLOWERS or nxt.text in (",", ";", ".")):
            continue
        # "5 men were arrested and 3 women were warned": a verb of its own that is no arrest
        if nxt is not None and nxt.lower in lex.aux and _passive_after(toks, ng2.end, trig, lex) is None:
            continue
        if ":" in sep_words or "including" in sep_words:
            f.mixed = True
        add(s2, e2, v2, f"enumeration:{f.rule.split(':', 1)[-1]}", ng2.end, ng2.end, via="enumeration")
        heapq.heappush(queue, s2)
    ordered = sorted(found.values(), key=lambda x: x.count_start)
    # a total followed by its break-down ("92 arrests: 39 ...", "92 Arrested, Including 12 Pimps") spans roles
    for n, f in enumerate(ordered[:-1]):
        k = max(f.span_end, f.noun_end)
        marks = {t.lower for t in toks[k:k + 2]}
        if ":" in marks or "including" in marks:
            f.mixed = True
    return ordered


def list_item_count(toks: Sequence[Tok], counts: Sequence[tuple[int, int, int]], lex: ArrestLexicon) -> Optional[Found]:
    """The leading count of a list item under an arrest statement ending in ":" ("• 12 pimps")."""
    k = 0
    while k < len(toks) and (toks[k].text in lex.bullets or toks[k].lower in lex.gap):
        k += 1
    for s, e, v in counts:
        if s != k:
            continue
        ng = noun_group(toks, e, lex)
        if ng.head and not ng.blocked:
            q, n = parse_qualifier([t.lower for t in toks[max(0, s - 4):s]], lex)
            return Found(v, s, e, q, "list_item", s - n, ng.end, ng.end, via="list_item")
    return None


# ---------------------------------------------------------------- dates

@dataclass(frozen=True)
class DateMention:
    value: str
    mod: Optional[str]
    start: int
    end: int


def is_since_date(text: str, date: DateMention, lex: ArrestLexicon) -> bool:
    """A date that opens a period ("since 1999", "beginning in 2009") rather than dating one operation."""
    before = text[max(0, date.start - 20):date.start].lower()
    before = re.sub(r"\s+", " ", before)
    if _since_before_regex(lex).search(before):
        return True
    own = re.sub(r"\s+", " ", text[date.start:date.end].lower())
    if any(own.startswith(w + " ") for w in lex.since_words):  # the date span may hold its own "since"
        return True
    # "since the program began in 2006"
    clause = re.sub(r"\s+", " ", text[max(0, date.start - 50):date.start].lower())
    if re.search(r"\bsince\b[^,.;:]{0,40}\b(began|begun|started|launched|was created|was formed)\b[^,.;:]*$", clause):
        return True
    return date.mod in ("ON_OR_BEFORE", "ON_OR_AFTER", "AFTER", "BEFORE")


PUBLICATION_LINE_WINDOW = 300


def is_publication_line(text: str, date: DateMention, lex: ArrestLexicon, bullets: str = "") -> bool:
    """A dateline or byline: the date alone on its line, "Posted: Sep 13, 2019", "Sept. 24, 1989 | Staff report",
    "COLUMBUS, Ohio (Sept. 13, 2019) —"."""
    # Only a short line can be a byline: look for its ends within a bounded window, so that
    # many dates on one enormous line cost linear time, not quadratic.
    window_start = max(0, date.start - PUBLICATION_LINE_WINDOW)
    window_end = min(len(text), date.end + PUBLICATION_LINE_WINDOW)
    ls = max(text.rfind("\n", window_start, date.start), text.rfind("\r", window_start, date.start)) + 1
    le_candidates = [p for p in (text.find("\n", date.end, window_end), text.find("\r", date.end, window_end))
                     if p != -1]
    le = min(le_candidates) if le_candidates else window_end
    if (ls == 0 and window_start > 0) or (le == window_end and window_end < len(text)):
        return False  # the line runs past the window: far too long for a byline
    line = text[ls:le]
    rest = (text[ls:date.start] + " " + text[date.end:le]).strip(" \t\u00a0" + bullets)
    ops = {w.lower() for w in lex.operation_words}
    if len(rest.split()) <= 3 and not rest.rstrip().endswith(":") and not re.search(r"\d", rest) \
            and not ops & set(re.findall(r"[a-z]+", rest.lower())):
        return True
    low = line.lower()
    if len(line) <= 80 and any(w in low for w in lex.pub_line_words) and not line.rstrip().endswith("."):
        return True
    # a parenthesized dateline before a dash near the start of a paragraph
    after = text[date.end:date.end + 4]
    if text[max(0, date.start - 1):date.start] == "(" and after[:1] == ")" and re.match(r"\)\s*[—–-]", after) \
            and date.start - ls < 60:
        return True
    return False


def _since_before_regex(lex: ArrestLexicon) -> re.Pattern:
    """A since word ending the text before a date ("since", "beginning in at least about")."""
    return derived(lex, "arrests:since_before", lambda lx: re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in lx.since_words) + r")(\s+at\s+least)?\s*(about\s+)?$"
        if lx.since_words else r"(?!)"))


def _report_word_regexes(lex: ArrestLexicon) -> list[re.Pattern]:
    """One whole-word regex per report word, in lexicon order."""
    return derived(lex, "arrests:report_words", lambda lx: [
        re.compile(r"\b" + re.escape(w.lower()) + r"\b") for w in lx.report_words])


def is_report_date(text: str, date: DateMention, sent_start: int, sent_end: int, lex: ArrestLexicon) -> bool:
    """The date a result was announced or reported, or the date of a study or law, not of an operation.

    "the sheriff told reporters at a news conference on Feb. 16, 2023", "In
    February 2019, the LPSO announced that ...", "A 2007 university study".
    """
    before = re.sub(r"\s+", " ", text[max(sent_start, date.start - 45):date.start].lower())
    after_full = text[date.end:min(sent_end, date.end + 200)]
    words_after = re.findall(r"[\w'’]+", after_full.lower())
    report_nouns = {w.lower() for w in lex.report_nouns}
    if words_after and words_after[0] in report_nouns:
        return True
    # "A 2007 university study", "the 1978 documentary": the date modifies a noun after an article
    if re.search(r"\b(a|an|the|its|their)\s*$", before) and report_nouns & set(words_after[:3]):
        return True
    clause_before = re.split(r"[,;:—–]", before)[-1]
    ops = {w.lower() for w in lex.operation_words}
    for rx in _report_word_regexes(lex):
        hit = None
        for hit in rx.finditer(clause_before):
            pass
        # "told reporters at a news conference on", but not "reported 250 prostitution arrests in"
        if hit is not None and not ops & set(re.findall(r"[\w'’]+", clause_before[hit.end():])):
            return True
    # ", the LPSO announced that ..." right after the date, before any operation word;
    # a subordinate clause in between ("In May 2010, after neighbors reported ...") is not the main verb
    window = re.split(r"\bthat\b|[;:.]", after_full[:120].lower())[0]
    clauses = [c for c in window.split(",") if c.strip()]
    while clauses and re.match(r"\s*(after|following|because|while|once|responding|amid|before|as)\b", clauses[0]):
        clauses.pop(0)
    window = clauses[0] if clauses else ""
    tokens = re.findall(r"[\w'’]+", window)
    reports = {w.lower() for w in lex.report_words if " " not in w}
    for w in tokens:
        if w in ops:
            return False
        if w in reports:
            return True
    return False


def has_marker(text: str, markers: Iterable[str]) -> bool:
    """Whether any marker phrase occurs in `text` as whole words (case and spacing ignored)."""
    return has_markers(text, markers)[0]


def has_markers(text: str, *marker_lists: Iterable[str]) -> list[bool]:
    """`has_marker` for several marker lists, the text normalized once.

    A list's alternation runs only when the text holds the first word of one
    of its phrases (a phrase matched as whole words starts with a whole word
    of the text), which most sentences do not."""
    low = " " + re.sub(r"\s+", " ", text.lower()) + " "
    words = set(WORD_RUN.findall(low))
    out = []
    for markers in marker_lists:
        rx, first_words = _marker_regex_of(markers)
        out.append((first_words is None or not words.isdisjoint(first_words)) and rx.search(low) is not None)
    return out


WORD_RUN = re.compile(r"\w+")


def _marker_regex_of(markers: Iterable[str]) -> tuple[re.Pattern, Optional[frozenset[str]]]:
    """(marker_regex, the phrases' first words or None when a phrase starts with a non-word character)
    of a lexicon's list, built once per list."""
    if isinstance(markers, (list, tuple, frozenset)):
        return derived(markers, "arrests:markers", _marker_tests)
    return _marker_tests(markers)  # a one-off iterable: nothing to remember it by


def _marker_tests(markers: Iterable[str]) -> tuple[re.Pattern, Optional[frozenset[str]]]:
    phrases = tuple(markers)
    firsts = [WORD_RUN.match(m.lower()) for m in phrases]
    first_words = None if not all(firsts) else frozenset(m.group() for m in firsts)
    return marker_regex(phrases), first_words


@lru_cache(maxsize=256)
def marker_regex(markers: tuple[str, ...]) -> re.Pattern:
    """One compiled alternation per marker list (longest first), built once."""
    if not markers:
        return re.compile(r"(?!)")
    phrases = sorted({re.escape(m.lower()) for m in markers}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)")


NEXT_DATE_CHARS = 25  # "3 in 2013", "12 men were arrested in June 2014": a date right after the statement


def nearest_date(dates: Sequence[DateMention], position: int, text: str = "",
                 phrase_end: Optional[int] = None) -> Optional[DateMention]:
    """The date right after the statement (`phrase_end`, same clause, a few words on); else the date nearest
    before `position`; else the first one after it."""
    # `dates` are in text order and do not overlap, so binary searches find each candidate.
    if phrase_end is not None:
        i = bisect.bisect_left(dates, phrase_end, key=lambda d: d.start)
        while i < len(dates) and dates[i].start <= phrase_end + NEXT_DATE_CHARS:
            if not re.search(r"[,;:.!?()\n\r]", text[phrase_end:dates[i].start]):
                return dates[i]
            i += 1
    before = bisect.bisect_right(dates, position, key=lambda d: d.end)
    if before:
        return dates[before - 1]
    after = bisect.bisect_left(dates, position, key=lambda d: d.start)
    return dates[after] if after < len(dates) else None


@dataclass
class Unit:
    """A sentence (or list line) of the page, with what date linking needs to know about it.

    `link_date` reads `generic` and `other_operation` only of the sentence
    holding the count, and `operational` only of a sentence whose operation
    date may be carried."""
    start: int
    end: int
    paragraph: int
    block: int  # index of the narrative section / source entry holding it
    operation_dates: list[DateMention] = field(default_factory=list)
    report_dated: bool = False  # holds an announcement or publication date
    operational: bool = False  # talks about an operation or arrests
    item: bool = False  # a bulleted list line
    generic: bool = False  # "some of which have produced", "over the years", "as many as"
    other_operation: bool = False  # "the previous sting"
    since_dates: list[DateMention] = field(default_factory=list)  # "since 1999": the start of a period


MAX_CARRY_UNITS = 60  # how many sentences back a date may be carried from


def classify_dates(text: str, dates: Sequence[DateMention], start: int, end: int,
                   lex: ArrestLexicon) -> tuple[list[DateMention], list[DateMention], bool]:
    """Split the dates of the sentence text[start:end] into operation dates, period starts ("since 1999"), and
    whether it holds an announcement date; bylines and datelines are dropped."""
    operation, since, report = [], [], False
    for d in sorted(dates, key=lambda d: d.start):
        if is_publication_line(text, d, lex, lex.bullets):
            continue
        if is_report_date(text, d, start, end, lex):
            report = True
        elif is_since_date(text, d, lex):
            since.append(d)
        else:
            operation.append(d)
    return operation, since, report


def link_date(units: Sequence[Unit], index: int, position: int, text: str,
              lex: ArrestLexicon, cross_paragraphs: bool = True,
              phrase_end: Optional[int] = None) -> tuple[Optional[DateMention], str]:
    """The operation date of a count at `position` in units[index], and how it was found.

    Same sentence first (a date a few words after the statement, "3 in 2013";
    else the date nearest before the count, else after it);
    otherwise the last operation date of an earlier sentence of the same
    section, unless this sentence is generic ("some of which have produced",
    "over the years", "as many as"), points at another operation ("the
    previous sting"), or is dated by an announcement ("told reporters at a
    news conference on Feb. 16, 2023") instead. On a profile page, where each
    paragraph tells of other operations, `cross_paragraphs` is False and a date
    is carried only within the paragraph (and from a line ending in ":" to the
    list under it); a news story about one operation carries it further.
    """
    unit = units[index]
    generic = unit.generic
    same = unit.operation_dates or ([] if generic else unit.since_dates)
    if same:
        return nearest_date(same, position, text, phrase_end), "same_sentence"
    if unit.report_dated or generic or unit.other_operation:
        return None, "no_date"
    paragraph = unit.paragraph
    for k in range(index - 1, max(-1, index - 1 - MAX_CARRY_UNITS), -1):
        prev = units[k]
        if prev.block != unit.block:
            break
        if prev.paragraph != paragraph:
            if not cross_paragraphs and not units[k + 1].item:
                break
            paragraph = prev.paragraph
        usable = prev.operation_dates
        if usable and prev.operational:
            return max(usable, key=lambda d: d.end), "carried"
        if usable:
            break  # a dated sentence about something else: the story has moved on
        if prev.report_dated and not prev.operation_dates and not prev.since_dates:
            break  # the last date given is when the results were announced
    return None, "no_date"
