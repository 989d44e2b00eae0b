"""GatedMatcher: a spaCy Matcher that runs each pattern only where it can match.

spaCy's Matcher tries every pattern at every token, and a set predicate
(`{"LOWER": {"IN": [...]}}`) is checked in Python, so a page of 500 tokens
and 60 patterns costs milliseconds although nearly all of those tokens
start nothing. Most patterns hold a required token that is a fixed word
(`{"LOWER": "reverse"}`, `{"ORTH": {"IN": ["decoy", "decoys"]}}`) or a
number (`{"LIKE_NUM": true}`): the pattern's *anchor*. A match must contain
its anchor, and the pattern's token counts bound how far the match reaches
on either side of it, so:

1. read the page's lower-case forms (and number flags) once, from
   `doc.to_array` (no Token objects), and note where each word the rules
   name stands;
2. for each pattern whose anchor occurs on the page, merge the windows
   around its anchor tokens (as far as the pattern can reach, to the edge
   of the page or span where it is unbounded);
3. run that pattern's own Matcher over each window only.

The matches are exactly those of one Matcher over the whole page (a match
depends only on its own tokens; tests/test_gated_matcher.py compares the
two on the sample pages and on random patterns). They are listed by end,
then start, as the Matcher lists them, and matches on the same tokens in
the order their keys were added (the Matcher's order there follows its
internal states): a caller that keeps one of several rules matching the
same tokens keeps the rule added first. Same-key duplicates are dropped, as
the Matcher does. A pattern with no anchor runs over the whole page.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence, Union

import numpy as np
from spacy.attrs import IS_DIGIT, LIKE_NUM, LOWER
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

# Token attributes whose literal values name the token's lower-case form (or fix it: ORTH/TEXT).
WORD_KEYS = ("LOWER", "ORTH", "TEXT")
# Boolean flags usable as anchors, with the attribute read from `doc.to_array`.
FLAG_KEYS = {"LIKE_NUM": LIKE_NUM, "IS_DIGIT": IS_DIGIT}
REPEAT = re.compile(r"^\{(\d*)(?:(,)(\d*))?\}$")
UNBOUNDED = math.inf


def op_bounds(op: Optional[str]) -> tuple[float, float]:
    """(fewest, most) tokens a token spec with operator `op` consumes."""
    if op in (None, "1"):
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, UNBOUNDED
    if op == "+":
        return 1, UNBOUNDED
    if op == "!":
        return 0, 1  # a negated token: never an anchor; counted as one token for the reach
    m = REPEAT.match(op)
    if m is None:
        raise ValueError(f"unknown token pattern operator {op!r}")
    low = int(m[1] or 0)
    if m[2] is None:
        return low, low
    return low, int(m[3]) if m[3] else UNBOUNDED


def literal_words(value) -> Optional[set[str]]:
    """The lower-case words a LOWER/ORTH/TEXT value admits, or None when it is not a fixed list."""
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
        return {v.lower() for v in value["IN"]}
    return None


@dataclass(frozen=True)
class Anchor:
    """What a pattern's anchor token must be: one of `words` (lower-case) or a token with `flag` set."""
    words: Optional[frozenset[str]]
    flag: Optional[str]
    before: float  # most tokens of a match before the anchor
    after: float  # most tokens of a match after the anchor


def token_anchor(spec: dict) -> tuple[Optional[frozenset[str]], Optional[str]]:
    """(words, flag) a single token spec pins down; (None, None) when it pins down neither."""
    best: Optional[set[str]] = None
    for key in WORD_KEYS:
        if key in spec:
            words = literal_words(spec[key])
            if words is not None and (best is None or len(words) < len(best)):
                best = words
    if best is not None:
        return frozenset(best), None
    for key in FLAG_KEYS:
        if spec.get(key) is True:
            return None, key
    return None, None


def required_words(pattern: list[dict]) -> list[frozenset[str]]:
    """For each token every match must hold and that is a fixed word list: that list."""
    out = []
    for spec in pattern:
        if op_bounds(spec.get("OP"))[0] >= 1 and spec.get("OP") != "!":
            words, _ = token_anchor(spec)
            if words is not None:
                out.append(words)
    return out


@dataclass(frozen=True)
class Ends:
    """The first and last required fixed-word tokens of a pattern, and how far a match reaches past them.

    A match starts at most `before` tokens before a `first` word and ends at
    most `after` tokens after a `last` word: a window can be trimmed to that."""
    first: frozenset[str]
    before: float
    last: frozenset[str]
    after: float


def pattern_ends(pattern: list[dict]) -> Optional[Ends]:
    """The pattern's Ends, or None when it has no required fixed-word token."""
    bounds = [op_bounds(spec.get("OP")) for spec in pattern]
    fixed = [i for i, spec in enumerate(pattern)
             if bounds[i][0] >= 1 and spec.get("OP") != "!" and token_anchor(spec)[0] is not None]
    if not fixed:
        return None
    i, j = fixed[0], fixed[-1]
    return Ends(token_anchor(pattern[i])[0], sum(b[1] for b in bounds[:i]),
                token_anchor(pattern[j])[0], (bounds[j][1] - 1) + sum(b[1] for b in bounds[j + 1:]))


def pattern_anchor(pattern: list[dict], is_common: Callable[[str], bool] = lambda word: False) -> Optional[Anchor]:
    """The most selective required token of `pattern` and how far a match reaches around it.

    Selective: a fixed word list before a number flag, a list without common
    words (`is_common`: spaCy's stop words) before one with, then the shorter
    list, then the narrower window."""
    bounds = [op_bounds(spec.get("OP")) for spec in pattern]
    candidates = []
    for i, spec in enumerate(pattern):
        fewest, most = bounds[i]
        if fewest < 1 or spec.get("OP") == "!":
            continue
        words, flag = token_anchor(spec)
        if words is None and flag is None:
            continue
        before = sum(b[1] for b in bounds[:i])
        after = (most - 1) + sum(b[1] for b in bounds[i + 1:])
        # words before flags, then the fewest words, then the narrowest window
        rank = (words is None, any(is_common(w) for w in words or ()), len(words or ()), before + after)
        candidates.append((rank, i, Anchor(words, flag, before, after)))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


@dataclass
class _Rule:
    key: int
    order: int  # the order its key was first added: ties in the output follow it
    matcher: Matcher
    anchor: Optional[Anchor]
    word_ids: frozenset[int]  # the anchor's words
    direct: bool  # the pattern is its anchor alone: its matches are the anchor tokens, no Matcher needed
    required: list[frozenset[int]]  # the words of every other required token: the page must have some of each
    ends: Optional[tuple[frozenset[int], float, frozenset[int], float]]  # Ends, as word ids


class GatedMatcher:
    """Drop-in for `spacy.matcher.Matcher` (add, __call__, __len__, __contains__) that gates patterns on anchors."""

    def __init__(self, vocab: Vocab, validate: bool = True):
        self.vocab = vocab
        self.validate = validate
        self._rules: list[_Rule] = []
        self._keys: dict[int, int] = {}
        self._flags: list[str] = []
        self._by_word: dict[int, list[int]] = {}  # anchor word -> the rules it anchors
        self._always: list[int] = []  # rules anchored on a flag or on nothing: looked at on every page
        self._words: set[int] = set()  # every fixed word of every rule: the only positions a page call reads

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: Union[str, int]) -> bool:
        return self._key_id(key) in self._keys

    def _key_id(self, key: Union[str, int]) -> int:
        return self.vocab.strings.add(key) if isinstance(key, str) else key

    def add(self, key: Union[str, int], patterns: Iterable[list[dict]]) -> None:
        key_id = self._key_id(key)
        order = self._keys.setdefault(key_id, len(self._keys))
        for pattern in patterns:
            matcher = Matcher(self.vocab, validate=self.validate)
            matcher.add(key, [pattern])
            anchor = pattern_anchor(pattern, lambda word: self.vocab[word].is_stop)
            required = [frozenset(self.vocab.strings.add(w) for w in words) for words in required_words(pattern)]
            index = len(self._rules)
            if anchor is not None and anchor.words:
                word_ids = frozenset(self.vocab.strings.add(w) for w in anchor.words)
                for word in word_ids:
                    self._by_word.setdefault(word, []).append(index)
            else:
                word_ids = frozenset()
                self._always.append(index)
                if anchor is not None and anchor.flag not in self._flags:
                    self._flags.append(anchor.flag)
            direct = len(pattern) == 1 and anchor is not None and _is_anchor_only(pattern[0])
            found_ends = pattern_ends(pattern)
            ends = None if found_ends is None else (
                frozenset(self.vocab.strings.add(w) for w in found_ends.first), found_ends.before,
                frozenset(self.vocab.strings.add(w) for w in found_ends.last), found_ends.after)
            self._rules.append(_Rule(key_id, order, matcher, anchor, word_ids, direct, required, ends))
            self._words.update(word_ids, *required, *(ends[::2] if ends else ()))

    def __call__(self, doclike: Union[Doc, Span], limits: Optional[Sequence[int]] = None) -> list[tuple[int, int, int]]:
        """(match_id, start, end) as the Matcher gives them: token offsets within `doclike`.

        `limits`: sorted token offsets (within `doclike`) that the caller's matches
        never straddle, typically its sentence starts; the caller drops any match
        that crosses one. A pattern of unbounded length (`*`, `+`) then reaches
        only to the limits around its anchor instead of the whole page."""
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        offset = doclike.start if isinstance(doclike, Span) else 0
        n = len(doclike)
        if n == 0:
            return []
        columns = [LOWER] + [FLAG_KEYS[f] for f in self._flags]
        table = doc.to_array(columns).reshape(len(doc), len(columns))[offset:offset + n]
        lowers = table[:, 0].tolist()
        words = self._words
        positions: dict[int, list[int]] = {}
        for i, word in enumerate(lowers):
            if word in words:
                positions.setdefault(word, []).append(i)
        page = _Page(positions, {f: np.flatnonzero(table[:, 1 + k]).tolist() for k, f in enumerate(self._flags)},
                     n, list(limits) if limits is not None else [0])
        candidates = set(self._always)
        for word in self._by_word.keys() & positions.keys():
            candidates.update(self._by_word[word])
        found: set[tuple[int, int, int, int]] = set()
        for index in candidates:
            rule = self._rules[index]
            if rule.direct:
                found.update((i + 1, i, rule.order, rule.key) for i in _anchor_positions(rule, page))
                continue
            for a, b in _windows(rule, page):
                for match_id, s, e in rule.matcher(doc[offset + a:offset + b]):
                    found.add((a + e, a + s, rule.order, match_id))
        return [(match_id, s, e) for e, s, _, match_id in sorted(found)]


@dataclass
class _Page:
    """What gating reads of one Doc or Span, once per call."""
    positions: dict[int, list[int]]  # each rule word on the page (LOWER hash) -> its tokens, in order
    flags: dict[str, list[int]]  # flag name -> the tokens that have it
    length: int
    limits: list[int]  # sorted token offsets no match straddles ([0]: none but the edges)


def _windows(rule: _Rule, page: _Page) -> list[tuple[int, int]]:
    """Merged token windows of `rule`'s pattern around its anchors ([(0, n)] when it has none)."""
    anchor, n = rule.anchor, page.length
    present = page.positions.keys()
    if any(present.isdisjoint(words) for words in rule.required):
        return []
    if anchor is None:
        return [(0, n)]
    positions = _anchor_positions(rule, page)
    windows: list[tuple[int, int]] = []
    for i in positions:
        if anchor.before == UNBOUNDED:
            a = page.limits[bisect.bisect_right(page.limits, i) - 1] if page.limits[0] <= i else 0
        else:
            a = max(0, i - int(anchor.before))
        if anchor.after == UNBOUNDED:
            k = bisect.bisect_right(page.limits, i)
            b = page.limits[k] if k < len(page.limits) else n
        else:
            b = min(n, i + int(anchor.after) + 1)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    if len(rule.required) > 1:  # every required word must be inside the window too
        required = [_word_positions(page, words) for words in rule.required]
        windows = [(a, b) for a, b in windows if all(_first_in(found, a, b) is not None for found in required)]
    if rule.ends is not None:
        first, before, last, after = rule.ends
        heads, tails = _word_positions(page, first), _word_positions(page, last)
        windows = [w for w in (_trimmed(a, b, heads, before, tails, after) for a, b in windows) if w]
    return windows


def _word_positions(page: _Page, words: frozenset[int]) -> list[int]:
    """The tokens of the page whose word is one of `words`, in order."""
    hits = [page.positions[word] for word in words & page.positions.keys()]
    if len(hits) == 1:
        return hits[0]
    return sorted(i for found in hits for i in found)


def _first_in(positions: list[int], a: int, b: int) -> Optional[int]:
    """The first of the sorted `positions` in a..b, or None."""
    k = bisect.bisect_left(positions, a)
    return positions[k] if k < len(positions) and positions[k] < b else None


def _last_in(positions: list[int], a: int, b: int) -> Optional[int]:
    """The last of the sorted `positions` in a..b, or None."""
    k = bisect.bisect_left(positions, b) - 1
    return positions[k] if k >= 0 and positions[k] >= a else None


def _trimmed(a: int, b: int, heads: list[int], before: float, tails: list[int],
             after: float) -> Optional[tuple[int, int]]:
    """Window a..b cut to where a match can start (before its first fixed word) and end (after its last)."""
    head, tail = _first_in(heads, a, b), _last_in(tails, a, b)
    if head is None or tail is None:
        return None
    start = a if before == UNBOUNDED else max(a, head - int(before))
    end = b if after == UNBOUNDED else min(b, tail + int(after) + 1)
    return (start, end) if start < end else None


def _anchor_positions(rule: _Rule, page: _Page) -> list[int]:
    """The tokens of the page that can be `rule`'s anchor, in order."""
    if rule.anchor.flag is not None:
        return page.flags[rule.anchor.flag]
    return _word_positions(page, rule.word_ids)


def _is_anchor_only(spec: dict) -> bool:
    """A token spec that says no more than its anchor: one LOWER word list or one number flag, no operator."""
    if set(spec) == {"LOWER"}:
        return literal_words(spec["LOWER"]) is not None
    return len(spec) == 1 and next(iter(spec)) in FLAG_KEYS and next(iter(spec.values())) is True
