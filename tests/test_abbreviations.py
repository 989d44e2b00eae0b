"""Schwartz-Hearst abbreviation definitions (pipeline.abbreviations), no spaCy."""
from __future__ import annotations

import re

from hypothesis import given, strategies as st

from pipeline.abbreviations import (SHORT_FORM_NOT_AFTER, best_long_form, find_abbreviations, find_named_as,
                                    is_short_form, short_form_occurrences)
from pipeline.text_scan import matches_not_after, occurrences


def defined(text: str) -> dict[str, str]:
    return {a.short: a.long_form(text) for a in find_abbreviations(text)}


def test_abbreviation_sheriff_office_with_curly_apostrophe():
    text = "Deputies of the Maricopa County Sheriff’s Office (MCSO) arrested 40 men."
    assert defined(text) == {"MCSO": "Maricopa County Sheriff’s Office"}


def test_abbreviation_skips_function_words_in_long_form():
    text = "Victims were referred to the Washington Office for Crime Victims Advocacy (OCVA) last year."
    assert defined(text) == {"OCVA": "Office for Crime Victims Advocacy"}


def test_abbreviation_first_letter_must_start_a_word():
    # The first letter of the short form must start a word of the long form.
    text = "The Spokane Police Department (SPD) said so."
    assert defined(text) == {"SPD": "Spokane Police Department"}


def test_abbreviation_not_found_when_letters_missing():
    assert defined("Online child exploitation (ICAC): 24 arrests") == {}


def test_abbreviation_rejects_non_short_forms():
    assert not is_short_form("2019")
    assert not is_short_form("see below for details")
    assert not is_short_form("a")
    assert is_short_form("NYPD")
    assert defined("They met in June (2019) at the station.") == {}


def test_abbreviation_does_not_cross_a_sentence():
    text = "He spoke to Kent Police. Detectives (KPD) later left."
    assert "KPD" not in defined(text)


def test_abbreviation_offsets_point_into_text():
    text = "\ufeffLine one.\r\nThe New York City Police Department (NYPD) ran it."
    (a,) = find_abbreviations(text)
    assert text[a.short_start:a.short_end] == "NYPD"
    assert text[a.long_start:a.long_end] == "New York City Police Department"


def test_best_long_form_returns_word_start():
    long = "the Florida Department of Children and Families"
    start = best_long_form("DCF", long)
    assert long[start:] == "Department of Children and Families"
    assert best_long_form("XYZ", long) is None


def test_named_as_reads_known_as():
    text = "run by the Internet Crimes Against Children Task Force, known as ICAC. Then"
    end = text.index(", known")
    short, s, e = find_named_as(text, end)
    assert short == "ICAC" and text[s:e] == "ICAC"
    assert find_named_as("the Tacoma Police Department, which is known as a leader", len("the Tacoma Police Department")) is None


def test_short_form_occurrences_are_whole_words():
    text = "PCSO said. The PCSO’s detectives; not PCSOX or xPCSO."
    assert [text[s:e] for s, e in short_form_occurrences(text, "PCSO")] == ["PCSO", "PCSO"]


def test_abbreviation_short_form_first():
    text = "Officers of the SPD (Sanford Police Department) arrested seven men."
    assert defined(text) == {"SPD": "Sanford Police Department"}


def test_abbreviation_short_form_first_must_spell_from_first_word():
    assert defined("The FBI (with help from local police) arrested ten.") == {}


def test_named_as_reads_or_short_form():
    text = "the Sanford Police Department, or SPD, said"
    end = text.index(", or")
    assert find_named_as(text, end)[0] == "SPD"
    assert find_named_as("the Sanford Police Department or ICE, said", len("the Sanford Police Department")) is None


# ----- occurrences: the lookbehind search without a leading lookbehind ---------

ODD = st.text(st.sampled_from("AB.-_ &é1\n"), max_size=30)


@given(ODD, st.text(st.sampled_from("AB.& -"), min_size=1, max_size=3))
def test_occurrences_are_those_of_the_lookbehind_regex(text, literal):
    for not_after, before_class, after_class in ((SHORT_FORM_NOT_AFTER, r"[\w.\-]", r"[\w\-]"),
                                                 (re.compile(r"\w"), r"\w", r"\w")):
        pattern = "(?<!" + before_class + ")" + re.escape(literal) + "(?!" + after_class + ")"
        expected = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
        assert occurrences(text, literal, not_after, after_class) == expected


REVERSED_PIECES = ["SPD", "A&B", "x", ".", "_", "-", " ", "  ", "\n", "(", ")", "(Sanford Police Department)",
                   "(Long Form)", "TPD (", "Tucson", "é", "ABCDEFGHIJKL", "1"]


@given(st.lists(st.sampled_from(REVERSED_PIECES), max_size=25).map("".join))
def test_reversed_definitions_are_those_of_the_lookbehind_regex(text):
    from pipeline.abbreviations import REVERSED, REVERSED_NOT_AFTER

    with_lookbehind = re.compile(r"(?<![\w.])" + REVERSED.pattern)
    expected = [(m.span("sf"), m.span("lf")) for m in with_lookbehind.finditer(text)]
    assert [(m.span("sf"), m.span("lf")) for m in matches_not_after(REVERSED, REVERSED_NOT_AFTER, text)] == expected


def test_reversed_definition_starting_inside_a_rejected_one():
    assert defined("xA&BC (Boston Center) helps.") == {"BC": "Boston Center"}


def test_short_form_occurrences_retry_one_character_after_a_rejected_start():
    # In "AAA&AA" the first "AA" free on its right starts after a letter: rejected; the search
    # goes on one character later, not after it, and finds the one after "&".
    assert short_form_occurrences("AAA&AA", "AA") == [(4, 6)]
    # A start inside the rejected match: "A&A" after "x" is rejected, the one after "&" is not.
    assert occurrences("xA&A&A", "A&A", SHORT_FORM_NOT_AFTER, r"[\w\-]") == [(3, 6)]
    assert short_form_occurrences("xAAA AA -AA AA.", "AA") == [(5, 7), (12, 14)]
    assert short_form_occurrences("AA&AA AA", "AA") == [(0, 2), (3, 5), (6, 8)]
