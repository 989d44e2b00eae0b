"""The dates component's fast candidate search against its former definition.

The component finds trigger tokens without the case-insensitive alternation
regex over the whole text, runs one-token rules without the Matcher, and
runs on each window only the multi-token rules whose required classes and
words the window holds. `Reference` below is the former code, verbatim in
effect: one regex scan, one Matcher of every rule over every window. Both
must give the same windows, classes and candidates, in the same order, on
the sample pages and on generated text (CRLF, BOM, nbsp, emoji, curly
quotes, glued words and digits, Unicode case folds).
"""
from __future__ import annotations

import bisect
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from spacy.matcher import Matcher

from pipeline.components.dates import CLASS_ATTR, FACTORY, WINDOW, Candidate

REPO = Path(__file__).resolve().parent.parent


class Reference:
    """The former `_classify` / `_candidates` of DatesComponent."""

    def __init__(self, comp):
        self.c = comp
        self.matcher = Matcher(comp.vocab, validate=True)  # every rule, over every window
        for rule, pattern in comp.patterns:
            self.matcher.add(rule, [pattern])
        words = sorted(set(comp.lex.months) | set(comp.lex.seasons) | comp.triggers, key=len, reverse=True)
        self.trigger_rx = re.compile(r"(?i)\b(?:" + "|".join(re.escape(w.rstrip(".")) for w in words)
                                     + r")\b|\d+")

    def classify(self, doc, text):
        c, lex = self.c, self.c.lex
        hot, classes, seen = set(), {}, set()
        starts = doc.to_array("IDX").tolist()
        for m in self.trigger_rx.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or i in seen:
                continue
            seen.add(i)
            tok = doc[i]
            low = tok.lower_
            cls = None
            if low in lex.months and tok.text[:1].isupper():
                cls = "MONTH"
            elif low in lex.seasons:
                cls = "SEASON"
            elif low in c.triggers or c.digit_decade.match(low):
                hot.add(i)
            elif m.group()[:1].isdigit():
                cls = next((name for name, rx in c.class_rx if rx.match(low)), None)
            if cls is not None:
                tok._.set(CLASS_ATTR, cls)
                classes[i] = cls
                if cls != "DAY":
                    hot.add(i)
        windows = []
        for i in sorted(hot):
            a, b = max(0, i - WINDOW), min(len(doc), i + WINDOW + 1)
            if windows and a <= windows[-1][1]:
                windows[-1] = (windows[-1][0], b)
            else:
                windows.append((a, b))
        return windows, classes

    def candidates(self, doc, text):
        found = []
        for s, e in self.classify(doc, text)[0]:
            for match_id, a, b in self.matcher(doc[s:e]):
                rule = doc.vocab.strings[match_id]
                found.append(Candidate(s + a, s + b, self.c.labels[rule], rule))
        mods_before, mods_after = {}, {}
        for match_id, a, b in self.c.phrases(doc):
            kind = doc.vocab.strings[match_id]
            if kind == "MOD_BEFORE":
                mods_before.setdefault(b, []).append(a)
            elif kind == "MOD_AFTER":
                mods_after.setdefault(a, []).append(b)
            else:
                found.append(Candidate(a, b, "RELATIVE", "relative_phrase"))
        return sorted(found, key=lambda c: (-(c.end - c.start), c.start)), mods_before, mods_after


@pytest.fixture(scope="module")
def comp(nlp):
    return nlp.get_pipe(FACTORY)


@pytest.fixture(scope="module")
def reference(comp):
    return Reference(comp)


def same(nlp, comp, reference, text: str) -> None:
    old_doc, new_doc = nlp.make_doc(text), nlp.make_doc(text)
    assert comp._classify(new_doc, text)[:2] == reference.classify(old_doc, text)
    new = comp._candidates(nlp.make_doc(text), text)
    old = reference.candidates(nlp.make_doc(text), text)
    assert [(c.start, c.end, c.label, c.rule) for c in new[0]] == [(c.start, c.end, c.label, c.rule) for c in old[0]]
    assert new[1:] == old[1:]


def test_same_candidates_on_sample_pages(nlp, comp, reference, sample_texts):
    from pipeline.bench import vary

    texts = sample_texts
    assert len(texts) > 40
    rng = random.Random(5)
    names = ["Spring", "March", "May", "Summer", "Between", "From", "Year"]
    found = 0
    for text in texts + [vary(t, rng, names) for t in texts]:
        same(nlp, comp, reference, text)
        found += len(comp._candidates(nlp.make_doc(text), text)[0])
    assert found > 500  # the pages hold dates: the comparison compared something


FRAGMENTS = [
    "January", "jan.", "Jan.", "JAN", "Sept.", "sep", "May", "may", "MAY", "March", "march", "Dec", "dec.",
    "Spring", "summer", "Fall", "autumn", "WINTER", "year", "years", "Month", "months", "YEARS",
    "2019", "1999", "1875", "2031", "2100", "19", "20", "5", "05", "31", "32", "1st", "22nd", "3rd", "4th",
    "1990s", "1990's", "1990’s", "90s", "'90s", "’90s", "‘90s", "2010's", "’s", "'s",
    "2019-20", "2019–2020", "2019/20", "1/2/2019", "12/31/19", "2019-01-02", "early-2019", "mid-1990s",
    "late-2000’s", "Mid-2019", "-", "–", "—", "‐", "/", ",", ".", "of", "between", "Between", "and", "or",
    "from", "to", "through", "thru", "until", "till", "later", "earlier", "two", "an", "a", "12",
    "the", "late", "since at least", "or earlier", "the prior year", "x", "_", "ſep", "ſpring", "K",
    "\u212aey", "٢٠١٩", "20\u0662\u0660", "$", "(", ")", "“", "”", "é", "🙂", "\ufeff", "http://x.org/may/2019",
    "2019May", "May2019", "years2019", "year_2019", "3-may-2019", "1-2019",
]
SEPARATORS = ["", " ", " ", " ", "  ", "\n", "\r\n", "\n\n", "\u00a0", "\t", "-", "/", "'"]


@st.composite
def hostile(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=40))
    return "".join(a + b for a, b in parts)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile())
def test_same_candidates_on_generated_text(nlp, comp, reference, text):
    same(nlp, comp, reference, text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("0123456789 -/,.'’sSmMaAyYeErRjJnNfFlLuUtThHbBcCdDoOpPgGiIkK\n\r\u00a0ſ\u212a_")),
               max_size=120))
def test_same_candidates_on_random_characters(nlp, comp, reference, text):
    same(nlp, comp, reference, text)


def test_the_comparison_fails_when_a_trigger_is_dropped(nlp, comp, reference):
    """The reference sees what the fast path would miss: a copy without one-token rules differs."""
    text = "The program began in March 2014 and ran through 2016."
    doc = nlp.make_doc(text)
    direct, comp.direct = comp.direct, []
    try:
        fast = comp._candidates(doc, text)[0]
    finally:
        comp.direct = direct
    old = reference.candidates(nlp.make_doc(text), text)[0]
    assert [(c.start, c.end, c.rule) for c in fast] != [(c.start, c.end, c.rule) for c in old]


EXPRESSIONS = ["2019", "March 2015", "February 30, 2019", "Feb. 29, 2021", "the late 1990s", "mid-2015",
               "between 2010 and 2012", "2012 and 2014", "from 2009", "9/24/08", "2999", "1700", "Summer 2019",
               "since at least 2011", "2019-02-31", "13/45/2019", "", "x", "May 23 2013", "early-1990s"]


def test_remembered_edtf_values_are_those_of_to_edtf(comp):
    from pipeline.edtf import ImpossibleDate, to_edtf

    def outcome(f, expression):
        try:
            return f(expression)
        except ImpossibleDate as err:
            return ("impossible", str(err))

    impossible = 0
    for _ in range(2):  # computed, then remembered
        for expression in EXPRESSIONS:
            direct = outcome(lambda x: to_edtf(x, comp.lex), expression)
            assert outcome(comp._to_edtf, expression) == direct, expression
            impossible += isinstance(direct, tuple)
    assert impossible >= 4  # the impossible days raised both times


def test_a_word_before_the_digits_of_a_token_stops_the_scan_there(nlp, tmp_path):
    """With "mid" a trigger word, "mid-2019" is looked at on its word "mid" (a token form
    that is no trigger), so the digits after it give it no class: as the former regex did."""
    import json
    import shutil

    from pipeline.components.dates import DatesComponent

    shutil.copytree(REPO / "models" / "dates", tmp_path / "dates")
    lexicon = json.loads((tmp_path / "dates" / "lexicon.json").read_text())
    lexicon["trigger_words"] = lexicon["trigger_words"] + ["mid"]
    (tmp_path / "dates" / "lexicon.json").write_text(json.dumps(lexicon))
    comp = DatesComponent(nlp, tmp_path)
    reference = Reference(comp)
    for text in ["It began in mid-2019 and again in early-2020.", "mid 2019", "Mid-2019, May 2019"]:
        same(nlp, comp, reference, text)
    windows, classes = reference.classify(nlp.make_doc("in mid-2019 and early-2020"), "in mid-2019 and early-2020")
    assert sorted(classes.values()) == ["COMPOUND"]  # early-2020 only
