"""Agencies: the token table the finder reads and the shortcuts taken for speed.

Each fast path is checked against the plain definition it replaces (the
whole-page scan, the spaCy Token objects, the lookbehind regex), and the
component must still find agencies that stand alone, at the very start or
end of a page, or whose name is split by a line break.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.agency_names import SENTENCE_END, AgencyFinder, Register, Tok, Tokens, simple_tokens
from pipeline.spans import results


@pytest.fixture(scope="module")
def finder() -> AgencyFinder:
    from pipeline.components.agencies import load_finder

    return load_finder()


PIECES = ["Tacoma", "Police Department", "police", "Sheriff’s Office", "FBI", "ICE", "(PCSO)", ",", ".", "and",
          "the", "MEN ARRESTED IN TACOMA", "Task Force", "U.S.", "’s", "'s", "-", "organizations such as",
          "\n", "\r\n", "\u2028", "\u00a0", "  ", "\t", "🚓", "İstanbul", "ß", "“", "”", "Key Partners", "1st"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join) | \
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def reference_tokens(doc) -> list[Tok]:
    """The component's tokens as first written: one `Tok` per non-whitespace spaCy Token."""
    text = doc.text
    toks: list[Tok] = []
    prev_end = 0
    for t in doc:
        if t.is_space:
            continue
        gap = text[prev_end:t.idx]
        toks.append(Tok(t.text, t.idx, t.idx + len(t.text), space_before=bool(gap) or not toks,
                        nl_before=("\n" in gap or "\r" in gap or "\u2028" in gap)))
        prev_end = t.idx + len(t.text)
    return toks


# ----- the component's token table ------------------------------------------

@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_agencies_doc_tokens_are_the_spacy_tokens(nlp, text):
    from pipeline.components.agencies import doc_tokens, tok_index

    doc = nlp.make_doc(text)
    toks, spaces = doc_tokens(doc, doc.text)
    expected = reference_tokens(doc)
    assert list(toks) == expected
    assert toks.texts == [t.text for t in expected]
    assert toks.nl_before == [t.nl_before for t in expected]
    assert toks.space_before == [t.space_before for t in expected]
    kept = [i for i, t in enumerate(doc) if not t.is_space]
    assert spaces == [i for i, t in enumerate(doc) if t.is_space]
    assert [tok_index(spaces, i) for i in range(len(doc))] == [kept.index(i) if i in kept else -1
                                                                for i in range(len(doc))]


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\r\n \u2028", "FBI", "\ufeffFBI\r\n"])
def test_agencies_doc_tokens_on_empty_and_blank_pages(nlp, text):
    from pipeline.components.agencies import doc_tokens

    doc = nlp.make_doc(text)
    toks, spaces = doc_tokens(doc, doc.text)
    assert list(toks) == reference_tokens(doc)
    assert spaces == [i for i, t in enumerate(doc) if t.is_space]


# ----- Tokens ------------------------------------------------------------------

@given(TEXTS)
def test_agencies_token_table_reads_as_the_token_list(text):
    plain = simple_tokens(text)
    table = Tokens([t.text for t in plain], [t.start for t in plain], [t.end for t in plain],
                   [t.space_before for t in plain], [t.nl_before for t in plain])
    assert len(table) == len(plain) and list(table) == plain
    assert table[1:4] == plain[1:4] and table[::-1] == plain[::-1]
    if plain:
        assert table[-1] == plain[-1] and table[0] is table[0]  # built once
    with pytest.raises(IndexError):
        table[len(plain)]
    assert table.lowers == [t.lower for t in plain]
    assert Tokens.of(plain).texts == table.texts and Tokens.of(table) is table


@given(TEXTS, st.integers(0, 45), st.integers(0, 45))
def test_agencies_sentence_break_in_is_a_scan_of_the_tokens(text, a, b):
    toks = simple_tokens(text)
    table = Tokens.of(toks)
    expected = any(t.text in SENTENCE_END or t.nl_before for t in toks[a:b])
    assert table.sentence_break_in(a, b) == expected


@given(TEXTS)
def test_agencies_line_starts(text):
    toks = simple_tokens(text)
    assert Tokens.of(toks).line_starts == [0] + [i for i, t in enumerate(toks) if i and t.nl_before]


def title_case_lines_by_scan(toks: list[Tok]) -> set[int]:
    """Token indices on lines written in title case, read line by line over the whole page."""
    out: set[int] = set()
    start = 0
    for i in range(1, len(toks) + 1):
        if i == len(toks) or toks[i].nl_before:
            words = [t.text for t in toks[start:i] if t.text.isalpha() and len(t.text) > 3]
            if len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words):
                out.update(range(start, i))
            start = i
    return out


@given(st.lists(st.sampled_from(["Police", "Arrest", "Tacoma", "men", "were", "arrested", "\n", "In", "Sting",
                                 "nets", "FBI", "2019", ","]), max_size=40).map(" ".join),
       st.lists(st.integers(0, 40), max_size=8))
def test_agencies_title_case_lines_read_only_where_asked(finder, text, asked):
    toks = simple_tokens(text)
    asked = [i for i in asked if i < len(toks)]
    assert finder.on_title_case_lines(toks, asked) == title_case_lines_by_scan(toks) & set(asked)


# ----- Register lookups ----------------------------------------------------------

MENTIONS = st.lists(st.tuples(st.integers(0, 500), st.integers(1, 250)), max_size=25)


@given(MENTIONS, st.integers(0, 700), st.integers(1, 60))
def test_agencies_register_covering_and_overlapping_match_a_scan(mentions, start, length):
    register = Register()
    agencies = [register.add(f"Agency {n}", "other") for n in range(3)]
    for n, (s, size) in enumerate(mentions):
        register.mention(agencies[n % 3], s, s + size, "rule")
    end = start + length
    pairs = [(s, s + size, agencies[n % 3]) for n, (s, size) in enumerate(mentions)]

    def covering_by_scan(exclude=None):
        for s in range(start, max(-1, start - 200), -1):
            for ms, me, agency in pairs:
                if ms == s and me >= end and agency is not exclude:
                    return agency
        return None

    assert register.covering(start, end) is covering_by_scan()
    assert register.covering(start, end, exclude=agencies[0]) is covering_by_scan(agencies[0])
    assert register.overlapping(start, end) == any(start - 200 < ms <= end - 1 and me > start
                                                   for ms, me, _ in pairs)


def test_agencies_register_looks_back_at_most_200_characters():
    register = Register()
    far, near = register.add("Far", "other"), register.add("Near", "other")
    register.mention(far, 100, 400, "rule")
    assert register.covering(300, 310) is None and not register.overlapping(300, 310)
    register.mention(near, 101, 400, "rule")
    assert register.covering(300, 310) is near and register.overlapping(300, 310)
    assert register.covering(300, 310, exclude=near) is None


# ----- the component still finds what stands alone -----------------------------

def agency_mentions(nlp, text: str) -> dict[str, list[str]]:
    doc = nlp(text)
    out = {}
    for a in results(doc)["agencies"]:
        for m in a["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
        out[a["name"]] = [m["text"] for m in a["mentions"]]
    return out


def test_agencies_component_at_the_very_start_and_end_of_a_page(nlp):
    text = "Federal Bureau of Investigation agents joined. Later the raid was run by the Kent Police Department"
    found = agency_mentions(nlp, text)
    assert found["Federal Bureau of Investigation"] == ["Federal Bureau of Investigation"]
    assert found["Kent Police Department"] == ["Kent Police Department"]


def test_agencies_component_alone_far_from_any_other_name(nlp):
    filler = "the men who were arrested paid a fine and went home. " * 40
    text = filler + "Vice detectives of the Salem Police Department ran it. " + filler
    assert agency_mentions(nlp, text) == {"Salem Police Department": ["Salem Police Department"]}


def test_agencies_component_name_split_by_a_line_break(nlp):
    # A head on the next line is not part of the name before it; the name on its own line is found.
    text = "Stings in Tacoma\nPolice Department officers said\r\nthe Pierce County Sheriff’s Office helped."
    found = agency_mentions(nlp, text)
    assert "Pierce County Sheriff's Office" in found
    assert not any(name.startswith("Tacoma") for name in found)


def test_agencies_component_repeated_acronym_name_and_defined_short_form(nlp):
    text = ("CEASE Boston works with the city. CEASE Boston trains police. The Boston Police Department "
            "(BPD) helps CEASE Boston.\nBPD")
    found = agency_mentions(nlp, text)
    assert found["Boston Police Department"] == ["Boston Police Department", "BPD", "BPD"]
    assert found["CEASE Boston"] == ["CEASE Boston"] * 3


def test_agencies_page_wide_scans_find_cue_appositive_and_shouted_names(finder):
    # The cue words, the ", a ... nonprofit" appositive and the repeated acronym name are found
    # by scans over the token columns, not around a head word.
    from pipeline.agency_names import find_in_text

    text = ("Breaking Free, a St. Paul nonprofit, and organizations such as Selah Freedom help.\n"
            "CEASE Boston trains. CEASE Boston meets. CEASE Boston talks.")
    assert [a.name for a in find_in_text(finder, text)] == ["Breaking Free", "Selah Freedom", "CEASE Boston"]
