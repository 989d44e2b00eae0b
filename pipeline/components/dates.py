"""Dates component: every calendar expression on the page as an EDTF value.

Candidates come from spaCy rules in models/dates/: tokens get a class from
the lexicon (MONTH, SEASON, YEAR, DAY, DECADE, COMPOUND), token patterns in
patterns.jsonl combine them (run only on token windows around such a token
or a "year"/"month" word), and a PhraseMatcher finds the lexicon's modifier
phrases ("since at least", "the late", "or earlier") and relative phrases
("the prior year"). Matching is gated: a rule of one classed token is read
off the class, and a window runs a Matcher of only the rules whose required
classes and words it holds, cut to where their matches can start and end
(the same matches as every rule over the window: tests/test_dates_fast.py).
The longest candidate wins; one that yields no date
leaves its tokens to shorter ones. Normalization is pipeline.edtf (pure
functions); relative expressions are read against the nearest explicit date
before them in the same paragraph.

Writes `results(doc)["dates"]` (text order) and `doc.spans["dates"]`.
Impossible days ("February 30, 2019") are flagged, never stored.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from pipeline.edtf import (EdtfDate, ImpossibleDate, after_temporal_word, duration_context,
                           load_date_lexicon, paragraph_starts, reject_reason, relative_rule,
                           resolve_relative, split_coordination, to_edtf)
from pipeline.gated_matcher import literal_words, op_bounds
from pipeline.rules import load_patterns, models_dir as resolve_models_dir
from pipeline.spans import add_flag, make_span, results, text_of

ORDER = 50
FACTORY = "profilex_dates"
CLASS_ATTR = "date_class"
CONTEXT_CHARS = 40
# Token patterns run on windows this many tokens either side of a month, season,
# year-like number or "year"/"month" word; no date pattern is longer.
WINDOW = 8
# Rules whose match is a bare number that may be something else ("$2012", "2010 men").
NUMBER_RULES = {"year", "decade", "decade_apostrophe_s", "interval_year_dash_year",
                "interval_year_to_year", "interval_year_dash_short", "interval_compound",
                "day_numeric", "day_iso", "year_with_mod"}
GROUP_CACHE = 1024  # rule combinations whose Matcher is kept
KIND_CACHE = 8192  # token forms whose class is remembered
EDTF_CACHE = 4096  # expressions remembered (the cache starts over when full)
CONFIDENCE = {"day": 0.95, "month": 0.95, "season": 0.9, "decade": 0.9, "interval": 0.9, "year": 0.85}

if not Token.has_extension(CLASS_ATTR):
    Token.set_extension(CLASS_ATTR, default="")  # the Matcher needs a string


@dataclass
class Candidate:
    start: int  # token indices
    end: int
    label: str  # DATE, INTERVAL, COORDINATED, RELATIVE
    rule: str


class DatesComponent:
    def __init__(self, nlp: Language, root: Path):
        self.lex = load_date_lexicon(root)
        folder = root / "dates"
        # Every rule's token pattern (validated by load_patterns). Matching runs one-token
        # rules directly and, on each window, a Matcher of the other rules whose required
        # classes and words the window holds: the matches of one Matcher of all of them
        # (tests/test_dates_fast.py compares the two).
        self.patterns: list[tuple[str, list[dict]]] = []
        self.vocab = nlp.vocab
        self.labels: dict[str, str] = {}
        self.direct: list[tuple[str, str, Optional[re.Pattern]]] = []  # (rule, class, TEXT regex)
        self.needs: list[_Need] = []
        self._groups: dict[tuple[int, ...], _Group] = {}
        self._by_classes: dict[frozenset, tuple[int, ...]] = {}
        self._edtf: dict[tuple[str, dt.date], object] = {}
        self._kinds: dict[tuple[str, bool, bool], tuple[Optional[str], bool]] = {}
        for rule in load_patterns(folder / "patterns.jsonl"):
            if isinstance(rule.pattern, str):
                pattern = list({"LOWER": t.lower_} for t in nlp.make_doc(rule.pattern))
            else:
                pattern = rule.pattern
            self.patterns.append((rule.id, pattern))
            self.labels[rule.id] = rule.label
            alone = _one_token_rule(pattern)
            if alone is not None:
                self.direct.append((rule.id, alone[0], alone[1]))
            else:
                self.needs.append(_need_of(rule.id, pattern, nlp.vocab))
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, phrases in (("MOD_BEFORE", self.lex.mods_before), ("MOD_AFTER", self.lex.mods_after),
                             ("RELATIVE", self.lex.relative)):
            self.phrases.add(key, [nlp.make_doc(v) for p in phrases for v in _spellings(p)])
        self.class_rx = [(name, re.compile(rx)) for name, rx in self.lex.token_classes.items()]
        self.triggers = set(self.lex.trigger_words)
        self.digit_decade = re.compile(r"^\d0s$")
        words = sorted(set(self.lex.months) | set(self.lex.seasons) | self.triggers, key=len, reverse=True)
        # The trigger scan: these words (case-insensitive, whole words) and digit runs.
        self.word_rx = re.compile(r"(?i)\b(?:" + "|".join(re.escape(w.rstrip(".")) for w in words) + r")\b")
        self.digit_rx = re.compile(r"\d\d*")  # \d+, which the regex engine scans for more slowly
        self.word_ids = frozenset(nlp.vocab.strings.add(w) for w in words)

    # -- candidates -------------------------------------------------------------
    def _classify(self, doc: Doc, text: str) -> tuple[list[tuple[int, int]], dict[int, str], np.ndarray]:
        """Give the tokens that can start a date their class; return the token windows to match,
        the classes given (token index -> class) and the page's IDX, LOWER table.

        What the trigger regex `(?i)\\b(?:month|season|trigger words)\\b|\\d+` finds, read
        as cheaply: its matches are letter-only words or digit runs, so a token whose
        lower-case form is a month, season or trigger word is looked at when the word
        pattern matches at its start, and a token holding the start of a digit run when
        no word match comes first in it (tests/test_dates_fast.py compares the two).
        """
        classes: dict[int, str] = {}
        hot: set[int] = set()
        table = doc.to_array([IDX, LOWER])
        starts = table[:, 0].tolist()
        lowers = table[:, 1]
        seen: set[int] = set()
        for i in _positions(lowers, self.word_ids & set(lowers.tolist())):
            if self.word_rx.match(text, starts[i]) is not None:
                seen.add(i)
                self._look(doc, text, starts, lowers, i, False, hot, classes)
        for m in self.digit_rx.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or i in seen:
                continue
            seen.add(i)
            if m.start() > starts[i] and self.word_rx.search(text, starts[i], m.start() + 1) is not None:
                continue  # a word came first in this token: the regex looked at the token then, for nothing
            self._look(doc, text, starts, lowers, i, True, hot, classes)
        windows: list[tuple[int, int]] = []
        for i in sorted(hot):
            a, b = max(0, i - WINDOW), min(len(doc), i + WINDOW + 1)
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
        return windows, classes, table

    def _look(self, doc: Doc, text: str, starts: list[int], lowers: np.ndarray, i: int, digits: bool,
              hot: set[int], classes: dict[int, str]) -> None:
        """Class and heat of token `i` when the trigger scan lands on it (`digits`: on a digit run)."""
        key = (self.vocab.strings[int(lowers[i])], text[starts[i]].isupper(), digits)
        kind = self._kinds.get(key)
        if kind is None:
            if len(self._kinds) >= KIND_CACHE:
                self._kinds.clear()
            kind = self._kinds[key] = self._kind(*key)
        cls, heat = kind
        if heat:
            hot.add(i)
        if cls is not None:
            doc[i]._.set(CLASS_ATTR, cls)
            classes[i] = cls

    def _kind(self, low: str, upper: bool, digits: bool) -> tuple[Optional[str], bool]:
        """(class, hot) of a token of lower-case form `low` (`upper`: its first character is upper-case)."""
        lex = self.lex
        cls = None
        if low in lex.months and upper:
            cls = "MONTH"
        elif low in lex.seasons:
            cls = "SEASON"
        elif low in self.triggers or self.digit_decade.match(low):
            return None, True
        elif digits:
            cls = next((name for name, rx in self.class_rx if rx.match(low)), None)
        return cls, cls is not None and cls != "DAY"

    def _candidates(self, doc: Doc, text: str) -> tuple[list[Candidate], dict[int, list[int]], dict[int, list[int]]]:
        found: list[Candidate] = []
        windows, classes, table = self._classify(doc, text)
        if windows:
            classed = sorted(classes)
            lowers = table[:, 1]
            for s, e in windows:
                inside = classed[bisect.bisect_left(classed, s):bisect.bisect_left(classed, e)]
                present = {classes[i] for i in inside}
                for i in inside:  # one-token rules: their token's class (and text) alone decide
                    for rule, cls, rx in self.direct:
                        if classes[i] == cls and (rx is None or rx.search(doc[i].text)):
                            found.append(Candidate(i, i + 1, self.labels[rule], rule))
                lows = lowers[s:e].tolist()
                words = set(lows)
                chosen = tuple(k for k in self._needing(present) if self.needs[k].met_words(words))
                if not chosen:
                    continue
                group = self._group(chosen)
                # cut the window to where a match of these rules can start and end
                first, last = s, e
                if group.first is not None:
                    first = next((s + k for k, low in enumerate(lows)
                                  if low in group.first.words or classes.get(s + k) in group.first.classes), e)
                if group.last is not None:
                    last = next((s + k + 1 for k in range(e - s - 1, -1, -1)
                                 if lows[k] in group.last.words or classes.get(s + k) in group.last.classes), s)
                if first >= last:
                    continue
                for match_id, a, b in group.matcher(doc[first:last]):
                    rule = doc.vocab.strings[match_id]
                    found.append(Candidate(first + a, first + b, self.labels[rule], rule))
        mods_before: dict[int, list[int]] = {}  # core start token -> mod start tokens
        mods_after: dict[int, list[int]] = {}  # core end token -> mod end tokens
        for match_id, a, b in self.phrases(doc):
            kind = doc.vocab.strings[match_id]
            if kind == "MOD_BEFORE":
                mods_before.setdefault(b, []).append(a)
            elif kind == "MOD_AFTER":
                mods_after.setdefault(a, []).append(b)
            else:
                found.append(Candidate(a, b, "RELATIVE", "relative_phrase"))
        return sorted(found, key=lambda c: (-(c.end - c.start), c.start)), mods_before, mods_after

    def _needing(self, present: set[str]) -> tuple[int, ...]:
        """The multi-token rules whose required classes are all in `present` (by class set, once)."""
        key = frozenset(present)
        found = self._by_classes.get(key)
        if found is None:
            found = self._by_classes[key] = tuple(k for k, need in enumerate(self.needs) if need.classes <= key)
        return found

    def _group(self, chosen: tuple[int, ...]) -> _Group:
        """A Matcher holding the multi-token patterns `chosen` (indices into self.needs), and
        what their first and last tokens can be; built once per combination."""
        group = self._groups.get(chosen)
        if group is None:
            if len(self._groups) >= GROUP_CACHE:
                self._groups.clear()
            matcher = Matcher(self.vocab, validate=False)
            for k in chosen:
                matcher.add(self.needs[k].rule, [self.needs[k].pattern])
            group = self._groups[chosen] = _Group(matcher, _union([self.needs[k].first for k in chosen]),
                                                  _union([self.needs[k].last for k in chosen]))
        return group

    # -- glue ---------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        layout = doc.user_data.get("layout")
        candidates, mods_before, mods_after = self._candidates(doc, text)
        dates: list[dict] = []
        explicit: list[tuple[int, int, EdtfDate]] = []
        relatives: list[tuple[int, int, str, str]] = []
        taken: set[int] = set()
        # Longest candidates first; one that yields no date leaves its tokens to shorter ones.
        for cand in candidates:
            if any(i in taken for i in range(cand.start, cand.end)):
                continue
            found = self._read(doc, text, layout, cand, mods_before, mods_after, relatives)
            if not found:
                continue
            taken.update(range(cand.start, cand.end))
            for a, b, value, section in found:
                if value is None:
                    continue
                confidence = CONFIDENCE.get(value.granularity, 0.85)
                if value.granularity == "year" and cand.rule == "year" and text[a:b].isdigit() \
                        and not after_temporal_word(text[max(0, a - CONTEXT_CHARS):a], self.lex):
                    confidence = 0.75  # a bare number with nothing temporal before it
                explicit.append((a, b, value))
                dates.append(_item(text, a, b, value, section, cand.rule, confidence))
        dates.extend(self._resolve(text, explicit, relatives))
        dates.sort(key=lambda d: d["span"]["start"])
        results(doc)["dates"] = dates
        spans = []
        for d in dates:
            span = doc.char_span(d["span"]["start"], d["span"]["end"], label="DATE", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["dates"] = spans
        return doc

    def _read(self, doc: Doc, text: str, layout, cand: Candidate, mods_before: dict[int, list[int]],
              mods_after: dict[int, list[int]], relatives: list) -> list[tuple]:
        """What one candidate says: [(start, end, EdtfDate or None, section)]; [] when nothing.

        A relative expression is queued on `relatives` (resolved once every explicit
        date is known) and returns a placeholder; an impossible day is flagged and
        returns a placeholder too, so that no shorter match re-reads its tokens.
        """
        core_start = doc[cand.start].idx
        core_end = doc[cand.end - 1].idx + len(doc[cand.end - 1].text)
        start_tok = min(mods_before.get(cand.start, [cand.start]))
        end_tok = max(mods_after.get(cand.end, [cand.end]))
        start, end = doc[start_tok].idx, doc[end_tok - 1].idx + len(doc[end_tok - 1].text)
        section = layout.section_at(core_start) if layout is not None else "narrative"
        if section == "footer":
            return []
        section = "sources" if section == "sources" else "narrative"
        if cand.label == "RELATIVE":
            for t in doc[cand.end:cand.end + 3]:
                if t.is_sent_start or t.text in ".;!?":
                    break
                if t._.get(CLASS_ATTR) in ("YEAR", "MONTH"):
                    return [(start, end, None, section)]  # "the next year, in 2015": the explicit one says it
            if start == core_start and duration_context(text[max(0, start - CONTEXT_CHARS):start], self.lex):
                return [(start, end, None, section)]  # "over the next year" is a span of time
            relatives.append((start, end, cand.rule, section))
            return [(start, end, None, section)]
        if cand.rule in NUMBER_RULES and reject_reason(
                text[max(0, core_start - CONTEXT_CHARS):core_start], text[core_start:core_end],
                text[core_end:core_end + CONTEXT_CHARS], self.lex):
            return []
        pieces = [(start, end, text[start:end])]
        if cand.label == "COORDINATED":
            pieces = [(core_start + a, core_start + b, completed) for a, b, completed in
                      split_coordination(text[core_start:core_end], self.lex)]
            if start < core_start:  # a modifier belongs to the first date
                a, b, completed = pieces[0]
                pieces[0] = (start, b, text[start:core_start] + completed)
        found = []
        for a, b, expression in pieces:
            try:
                value = self._to_edtf(expression)
            except ImpossibleDate as err:
                add_flag(doc, "impossible_date", str(err), make_span(text, a, b, cand.rule))
                found.append((a, b, None, section))
                continue
            if value is not None:
                found.append((a, b, value, section))
        return found

    def _to_edtf(self, expression: str) -> Optional[EdtfDate]:
        """`to_edtf(expression, self.lex)`, remembered per expression and day (it reads today's date).

        A pure function of those: years and dates recur on a page and across pages."""
        key = (expression, dt.date.today())
        found = self._edtf.get(key, _UNSEEN)
        if found is _UNSEEN:
            try:
                found = to_edtf(expression, self.lex)
            except ImpossibleDate as err:
                found = _Impossible(str(err))
            if len(self._edtf) >= EDTF_CACHE:
                self._edtf.clear()
            self._edtf[key] = found
        if isinstance(found, _Impossible):
            raise ImpossibleDate(found.message)
        return found

    def _resolve(self, text: str, explicit: list[tuple[int, int, EdtfDate]],
                 relatives: list[tuple[int, int, str, str]]) -> list[dict]:
        """Relative expressions read against the nearest explicit date before them in their paragraph."""
        if not relatives:
            return []
        paragraphs = paragraph_starts(text)
        explicit = sorted(explicit, key=lambda x: x[1])
        ends = [x[1] for x in explicit]
        out = []
        for start, end, rule, section in relatives:
            para_start = paragraphs[bisect.bisect_right(paragraphs, start) - 1]
            i = bisect.bisect_right(ends, start) - 1  # the last explicit date ending before it
            if i < 0 or explicit[i][0] < para_start:
                continue
            anchor = explicit[i][2]
            rule_of = relative_rule(text[start:end], self.lex)
            deictic = rule_of is not None and rule_of[1].deictic
            if deictic and anchor.granularity != "day":
                # "last year" counts from when the text was written: only a dateline-like
                # full date says when that was ("In 2016 ... last year" is not 2015).
                continue
            value = resolve_relative(text[start:end], anchor, self.lex)
            if value is None:
                continue
            confidence = 0.5 if deictic else 0.7
            out.append(_item(text, start, end, value, section, rule, confidence))
        return out


def _spellings(phrase: str) -> set[str]:
    """A phrase as the lexicon writes it and with typographic apostrophes ("year\u2019s end")."""
    return {phrase, phrase.replace("'", "\u2019")}


def _item(text: str, start: int, end: int, value: EdtfDate, section: str, rule: str,
          confidence: float) -> dict:
    return {
        "value": value.value,
        "mod": value.mod,
        "section": section,
        "span": make_span(text, start, end, rule),
        "start": value.start.isoformat(),
        "end": value.end.isoformat(),
        "granularity": value.granularity,
        "confidence": confidence,
    }


_UNSEEN = object()


@dataclass(frozen=True)
class _Impossible:
    message: str


def _positions(lowers: np.ndarray, hits: set[int]) -> list[int]:
    """The tokens whose LOWER hash is one of `hits` (a few words: a few comparisons), in order."""
    if not hits:
        return []
    hits = sorted(hits)
    mask = lowers == hits[0]
    for word in hits[1:]:
        mask |= lowers == word
    return np.flatnonzero(mask).tolist()


@dataclass(frozen=True)
class _Need:
    """A multi-token rule and what a window must hold for it to match there."""
    rule: str
    pattern: list
    classes: frozenset  # date classes of its required tokens
    words: tuple  # per required fixed-word token: the LOWER/ORTH hashes it can have
    first: Optional[_Ends]  # what the first token of a match can be (None: anything)
    last: Optional[_Ends]  # what the last token of a match can be (None: anything)

    def met_words(self, words: set[int]) -> bool:
        return not any(w.isdisjoint(words) for w in self.words)


def _date_class(spec: dict) -> Optional[str]:
    ext = spec.get("_")
    if isinstance(ext, dict) and isinstance(ext.get(CLASS_ATTR), str) and ext[CLASS_ATTR]:
        return ext[CLASS_ATTR]
    return None


def _need_of(rule: str, pattern: list[dict], vocab) -> _Need:
    """Every required token's class, and for each required token fixed to words, those words."""
    classes, words = set(), []
    for spec in pattern:
        if op_bounds(spec.get("OP"))[0] < 1 or spec.get("OP") == "!":
            continue
        cls = _date_class(spec)
        if cls is not None:
            classes.add(cls)
        for key in ("LOWER", "ORTH", "TEXT"):
            values = literal_words(spec.get(key))  # lower-cased: windows are read as LOWER hashes
            if values is not None:
                words.append(frozenset(vocab.strings.add(v) for v in values))
                break
    return _Need(rule, pattern, frozenset(classes), tuple(words), _ends(pattern, vocab), _ends(pattern[::-1], vocab))


@dataclass(frozen=True)
class _Ends:
    """A token that can open (or close) a match: one of these classes or LOWER hashes."""
    classes: frozenset
    words: frozenset


@dataclass
class _Group:
    matcher: Matcher
    first: Optional[_Ends]
    last: Optional[_Ends]


def _ends(pattern: list[dict], vocab) -> Optional[_Ends]:
    """What the first token of a match of `pattern` can be (pass the pattern reversed: the last).

    The first token matches the first spec, or a later one when those before
    it are optional. None when one of those specs is not a date class or fixed
    words (a space, a regex): then any token may."""
    classes, words = set(), set()
    for spec in pattern:
        op = spec.get("OP")
        if op not in (None, "1", "+", "?", "*"):
            return None
        cls = _date_class(spec)
        if cls is not None:
            classes.add(cls)
        else:
            values = next((v for v in (literal_words(spec.get(k)) for k in ("LOWER", "ORTH", "TEXT"))
                           if v is not None), None)
            if values is None:
                return None
            words.update(vocab.strings.add(v) for v in values)  # lower-cased: a token's LOWER is its text lowered
        if op in (None, "1", "+"):
            return _Ends(frozenset(classes), frozenset(words))
    return None


def _union(ends: list[Optional[_Ends]]) -> Optional[_Ends]:
    if any(e is None for e in ends):
        return None
    return _Ends(frozenset().union(*(e.classes for e in ends)), frozenset().union(*(e.words for e in ends)))


def _one_token_rule(pattern: list[dict]) -> Optional[tuple[str, Optional[re.Pattern]]]:
    """(class, TEXT regex or None) of a rule that is one token of a class, perhaps with a TEXT regex."""
    if len(pattern) != 1:
        return None
    spec = pattern[0]
    cls = _date_class(spec)
    if cls is None or set(spec) - {"_", "TEXT"} or set(spec["_"]) != {CLASS_ATTR}:
        return None
    if "TEXT" not in spec:
        return cls, None
    text = spec["TEXT"]
    if isinstance(text, dict) and set(text) == {"REGEX"} and isinstance(text["REGEX"], str):
        return cls, re.compile(text["REGEX"])
    return None


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_dates(nlp: Language, name: str, models_dir: Optional[str]) -> DatesComponent:
    return DatesComponent(nlp, resolve_models_dir(models_dir))
