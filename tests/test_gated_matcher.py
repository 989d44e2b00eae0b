"""GatedMatcher finds exactly the matches of spaCy's Matcher, only faster."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings, strategies as st
from spacy.matcher import Matcher

from pipeline.gated_matcher import GatedMatcher, op_bounds, pattern_anchor, pattern_ends, required_words
from pipeline.rules import load_patterns

REPO = Path(__file__).resolve().parent.parent
PATTERN_FILES = ["tactics/evidence.jsonl", "arrests/patterns.jsonl", "population/patterns.jsonl"]


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def both(vocab, rules):
    plain, gated = Matcher(vocab, validate=True), GatedMatcher(vocab, validate=True)
    for key, pattern in rules:
        plain.add(key, [pattern])
        gated.add(key, [pattern])
    return plain, gated


def file_rules(name: str):
    for rule in load_patterns(REPO / "models" / name):
        pattern = rule.pattern if isinstance(rule.pattern, list) else [{"LOWER": w} for w in rule.pattern.lower().split()]
        yield rule.id, pattern


def as_set(matches):
    return set(matches)


# ------------------------------------------------------------------ pattern analysis

@pytest.mark.parametrize("op, bounds", [(None, (1, 1)), ("1", (1, 1)), ("?", (0, 1)), ("*", (0, math.inf)),
                                        ("+", (1, math.inf)), ("{3}", (3, 3)), ("{0,4}", (0, 4)),
                                        ("{2,}", (2, math.inf)), ("{,5}", (0, 5))])
def test_op_bounds(op, bounds):
    assert op_bounds(op) == bounds


def test_unknown_operator_is_an_error():
    with pytest.raises(ValueError, match="operator"):
        op_bounds("~")


def test_anchor_prefers_rare_fixed_words_and_measures_the_reach():
    pattern = [{"LOWER": {"IN": ["arrest", "arrests"]}}, {"LOWER": "of"}, {"OP": "{0,3}"},
               {"LOWER": {"IN": ["buyers", "johns", "men"]}}]
    anchor = pattern_anchor(pattern, is_common=lambda w: w in {"of", "men"})
    assert anchor.words == {"arrest", "arrests"}
    assert (anchor.before, anchor.after) == (0, 5)
    # without the stop-word test, the shortest list wins: "of"
    assert pattern_anchor(pattern).words == {"of"}


def test_anchor_falls_back_on_a_number_flag_then_on_nothing():
    assert pattern_anchor([{"LIKE_NUM": True}, {"LOWER": "people", "OP": "?"}]).flag == "LIKE_NUM"
    assert pattern_anchor([{"IS_ALPHA": True}, {"TEXT": {"REGEX": "^x"}}]) is None
    # optional and negated tokens are never anchors
    assert pattern_anchor([{"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "!"}, {"IS_TITLE": True}]) is None


def test_unbounded_reach():
    anchor = pattern_anchor([{"LOWER": "john"}, {"IS_PUNCT": True, "OP": "*"}, {"LOWER": "school"}])
    assert anchor.words == {"john"} and anchor.before == 0 and anchor.after == math.inf


def test_pattern_ends_bound_a_match_around_its_first_and_last_fixed_words():
    ends = pattern_ends([{"IS_TITLE": True, "OP": "?"}, {"LOWER": "john"}, {"IS_PUNCT": True, "OP": "*"},
                         {"LOWER": {"IN": ["school", "class"]}}, {"LOWER": "x", "OP": "{0,2}"}])
    assert (ends.first, ends.before, ends.last, ends.after) == ({"john"}, 1, {"school", "class"}, 2)
    assert pattern_ends([{"LIKE_NUM": True}]) is None


def test_a_sentence_long_window_is_cut_to_the_words_a_match_needs(blank):
    plain, gated = both(blank.vocab, [("JS", [{"LOWER": "john"}, {"IS_PUNCT": True, "OP": "*"},
                                              {"LOWER": "school"}])])
    doc = blank("john -- school and john , , school then john alone and a school")
    assert gated(doc) == sorted(plain(doc), key=lambda m: (m[2], m[1]))
    assert [doc[s:e].text for _, s, e in gated(doc)] == ["john -- school", "john , , school"]


def test_required_words_skip_optional_tokens():
    assert required_words([{"ORTH": "Pop."}, {"LOWER": "x", "OP": "?"}, {"LIKE_NUM": True},
                           {"TEXT": {"IN": ["K", "k"]}, "OP": "+"}]) == [{"pop."}, {"k"}]


# ------------------------------------------------------------------ same matches as the Matcher

@pytest.mark.parametrize("name", PATTERN_FILES)
def test_same_matches_as_the_matcher_on_every_sample_page(nlp, name):
    plain, gated = both(nlp.vocab, file_rules(name))
    pages = sorted(p for p in (REPO / "raw").iterdir() if p.suffix == ".txt")
    assert pages
    compared = 0
    for page in pages:
        doc = nlp(page.read_text(encoding="utf-8-sig"))
        expected = plain(doc)
        assert as_set(gated(doc)) == as_set(expected), page.name
        starts = [s.start for s in doc.sents]
        within = {m for m in expected if not any(m[1] < b < m[2] for b in starts)}
        # with sentence limits: every match inside one sentence (a caller drops the others)
        assert within <= as_set(gated(doc, limits=starts)) <= as_set(expected), page.name
        compared += len(expected)
    assert compared > 50  # the comparison saw real matches


def test_span_input_gives_offsets_within_the_span(blank):
    plain, gated = both(blank.vocab, [("A", [{"LOWER": "reverse"}, {"LOWER": "sting"}]),
                                      ("N", [{"LIKE_NUM": True}])])
    doc = blank("a reverse sting netted 12 men; another reverse sting netted 3")
    span = doc[6:]
    assert gated(span) == sorted(plain(span), key=lambda m: (m[2], m[1]))
    assert [doc[span.start + s:span.start + e].text for _, s, e in gated(span)] == ["reverse sting", "3"]


def test_order_is_end_then_start_then_the_order_keys_were_added(blank):
    gated = GatedMatcher(blank.vocab)
    gated.add("GENERAL", [[{"LOWER": "arrests"}, {"OP": "{0,3}"}, {"LOWER": "johns"}]])
    gated.add("SPECIFIC", [[{"LOWER": "arrests"}, {"LOWER": "of"}, {"LOWER": "johns"}]])
    gated.add("JOHNS", [[{"LOWER": "johns"}]])
    doc = blank("the arrests of johns")
    keys = [(blank.vocab.strings[k], s, e) for k, s, e in gated(doc)]
    assert keys == [("GENERAL", 1, 4), ("SPECIFIC", 1, 4), ("JOHNS", 3, 4)]


def test_duplicate_patterns_of_one_key_give_one_match(blank):
    gated = GatedMatcher(blank.vocab)
    gated.add("A", [[{"LOWER": "sting"}], [{"LOWER": {"IN": ["sting", "stings"]}}]])
    assert len(gated(blank("a sting"))) == 1
    assert "A" in gated and len(gated) == 1


def test_a_pattern_without_anchor_still_runs_everywhere(blank):
    plain, gated = both(blank.vocab, [("TITLE", [{"IS_TITLE": True}, {"IS_TITLE": True}])])
    doc = blank("police in Palm Beach County said")
    assert gated(doc) == plain(doc) != []


def test_a_page_without_every_required_word_is_skipped_without_a_miss(blank):
    plain, gated = both(blank.vocab, [("X", [{"LOWER": "decoy"}, {"OP": "{0,2}"}, {"LOWER": "officer"}])])
    for text in ["a decoy", "an officer", "a decoy female officer", "officer decoy officer", ""]:
        doc = blank(text)
        assert gated(doc) == plain(doc), text


WORDS = ["a", "b", "c", "the", "1", "22", "-", ",", "A"]
TOKEN_SPECS = st.one_of(
    st.builds(lambda w: {"LOWER": w}, st.sampled_from(WORDS)),
    st.builds(lambda ws: {"LOWER": {"IN": ws}}, st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)),
    st.builds(lambda w: {"ORTH": w}, st.sampled_from(WORDS)),
    st.just({"LIKE_NUM": True}),
    st.just({"IS_PUNCT": True}),
    st.just({}),
)
OPS = st.sampled_from([None, None, None, "?", "*", "+", "{0,2}", "{1,3}", "{2}", "!"])


@st.composite
def patterns(draw):
    specs = []
    for _ in range(draw(st.integers(1, 4))):
        spec = dict(draw(TOKEN_SPECS))
        op = draw(OPS)
        if op is not None:
            spec["OP"] = op
        specs.append(spec)
    if all(s.get("OP") in ("?", "*", "!", "{0,2}") for s in specs):
        specs.append({"LOWER": draw(st.sampled_from(WORDS))})  # the Matcher refuses patterns that match nothing
    return specs


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rules=st.lists(patterns(), min_size=1, max_size=4),
       words=st.lists(st.sampled_from(WORDS + ["x", "y"]), max_size=30),
       cut=st.integers(0, 30))
def test_random_patterns_and_texts(blank, rules, words, cut):
    plain, gated = both(blank.vocab, [(f"R{i}", p) for i, p in enumerate(rules)])
    doc = blank(" ".join(words))
    assert as_set(gated(doc)) == as_set(plain(doc))
    span = doc[min(cut, len(doc)):]
    assert as_set(gated(span)) == as_set(plain(span))
