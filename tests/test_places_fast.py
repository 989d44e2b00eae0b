"""pipeline.places' quick rejections against the former definitions.

count_mentions, most_named_state and city_cue skip a search whose pattern
cannot match (its first word, or every noun it needs, absent from the text)
and compile each pattern once; _standalone_city_in looks city spellings up
instead of scanning the list. The former functions are kept here verbatim;
both must agree on the sample pages and on generated text (CRLF, BOM, nbsp,
emoji, curly quotes, glued words, case variants).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline import places
from pipeline.components.jurisdiction import load_vocab
from pipeline.places import Found, PlaceVocab


# ---------------------------------------------------------------- the former definitions

def old_count_mentions(text: str, name: str) -> int:
    pattern = re.compile(r"(?<![\w])" + re.escape(name).replace(r"\ ", r"[\s\u00a0]") + r"(?![a-z])")
    return sum(1 for _ in pattern.finditer(text))


def old_most_named_state(text: str, vocab: PlaceVocab, only: Optional[set[str]] = None) -> Optional[Found]:
    counts: Counter = Counter()
    first: dict[str, Found] = {}
    for st_ in vocab.states.states:
        if only is not None and st_.code not in only:
            continue
        keys = [st_.name] + [a for a in st_.abbreviations if "." in a]
        for key in keys:
            pattern = re.escape(key).replace(r"\ ", r"[\s\u00a0]")
            for m in re.finditer(r"(?<![\w.])" + pattern + (r"(?![\w])" if key[-1] != "." else ""), text):
                if st_.name == "Washington" and re.match(r"[\s\u00a0]*(?:,[\s\u00a0]*)?D\.?C\b", text[m.end():]):
                    continue
                counts[st_.name] += 1
                first.setdefault(st_.name, Found(st_.name, m.start(), m.end(), "most_named_state"))
    if not counts:
        return None
    value, _ = max(counts.items(), key=lambda kv: (kv[1], -first[kv[0]].start))
    return first[value]


def old_city_cue(text: str, vocab: PlaceVocab, name: Optional[str] = None) -> Optional[tuple[int, int]]:
    dets = "|".join(re.escape(d) for d in vocab.types.city_determiners)
    nouns = "|".join(re.escape(n) for n in vocab.types.city_nouns)
    m = re.search(r"(?i:\b(?:" + dets + r"))[ \u00a0]+(?:[a-z][\w-]*[ \u00a0]+){0,2}(?:" + nouns + r")(?:[’']s)?\b",
                  text)
    if m:
        return m.start(), m.end()
    if name:
        m = re.search(r"\b(?:city|town|City|Town)[ \u00a0]+of[ \u00a0]+" + re.escape(name) + r"\b", text)
        if m:
            return m.start(), m.end()
    return None


def old_standalone_city_in(text: str, vocab: PlaceVocab) -> Optional[Found]:
    best: Optional[tuple[int, Found]] = None
    for city, code in vocab.cities.items():
        if city == "washington":
            continue
        name = next(c.name for c in vocab.states.standalone_cities if c.name.lower() == city)
        n = old_count_mentions(text, name)
        if n:
            st_ = vocab.state_by_code(code)
            m = re.search(re.escape(name), text)
            if st_ is not None and m and (best is None or n > best[0]):
                best = (n, Found(st_.name, m.start(), m.end(), "standalone_city"))
    return best[1] if best else None


# ---------------------------------------------------------------- comparisons

@pytest.fixture(scope="module")
def vocab() -> PlaceVocab:
    return load_vocab()


NAMES = ["Seattle", "King County", "Port Huron", "St. Louis", "Polk", "Polk County", "Washington", "New York",
         "Sioux Falls", "Fort Worth", "Madison", "D.C.", " Lead", "Oklahoma City", "Boston", "Miami-Dade County", "", "A.A", "Lead Lead"]


def agree(text: str, vocab: PlaceVocab) -> None:
    for name in NAMES:
        assert places.count_mentions(text, name) == old_count_mentions(text, name), name
        assert places.city_cue(text, vocab, name) == old_city_cue(text, vocab, name), name
    assert places.city_cue(text, vocab) == old_city_cue(text, vocab)
    assert places.most_named_state(text, vocab) == old_most_named_state(text, vocab)
    for only in ({"WA", "DC"}, {"NY"}, {"MO", "IL", "WI"}):
        assert places.most_named_state(text, vocab, only) == old_most_named_state(text, vocab, only)
    assert places._standalone_city_in(text, vocab) == old_standalone_city_in(text, vocab)


def test_same_answers_on_sample_pages(vocab, sample_texts):
    texts = sample_texts
    assert len(texts) > 40
    named = 0
    for text in texts:
        agree(text, vocab)
        named += places.most_named_state(text, vocab) is not None
    assert named > 20  # the pages name states: the comparison compared something


FRAGMENTS = ["Seattle", "SEATTLE", "seattle", "King", "County", "King County", "Port", "Huron", "St.", "Louis",
             "Washington", "D.C.", "DC", "Wash.", "New", "York", "New York", "N.Y.", "Mo.", "Ill.", "Wis.",
             "Missouri", "Illinois", "Boston", "Bostonian", "Madison", "Polk", "the city", "our town", "both cities",
             "a city of", "City of", "town of", "Town", "cities", "village", "Miami-Dade", "Oklahoma City",
             "Sioux Falls", "S.D.", "Lead", "the", "its", "city’s", "city's", "x", "_", ".", ",", "—", "(", ")",
             "“", "”", "’", "🙂", "\ufeff", "é", "K", "ſ", "İ", "1", "2019", "A.A", "A.A.A", "xA", "Lead Lead"]
SEPARATORS = ["", " ", " ", " ", "\u00a0", "\n", "\r\n", "\t", ",", ", ", "."]


@st.composite
def hostile(draw) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=30))
    return "".join(a + b for a, b in parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile())
def test_same_answers_on_generated_text(vocab, text):
    agree(text, vocab)


def test_a_first_word_cut_at_a_space_still_counts_other_spaces():
    """"King County" is found across a line break or a no-break space, as before."""
    text = "King\u00a0County deputies and King\nCounty officers; King  County"
    assert places.count_mentions(text, "King County") == old_count_mentions(text, "King County") == 2
