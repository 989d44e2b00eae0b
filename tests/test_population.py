"""Population: figures, qualifiers, whose population a figure is (pure) and the component (glue)."""
from __future__ import annotations

import pytest

from pipeline.population_rules import (PlaceRef, PopulationLexicon, footer_figure, mismatch, parse_figure,
                                       plausible, qualifier_before, whose_population)
from pipeline.rules import MODELS_DIR, load_lexicon

LEX = load_lexicon(MODELS_DIR / "population" / "lexicon.json", PopulationLexicon)
CITY = PlaceRef("Springfield", "City")
COUNTY = PlaceRef("Shelby County", "County")


# ---------------------------------------------------------------- figures and qualifiers

@pytest.mark.parametrize("phrase,value,qualifier", [
    ("a population of about 40,000", 40000, "about"),
    ("a population of approximately 114,000 residents", 114000, "about"),
    ("more than 2.2 million residents", 2200000, "over"),
    ("a population of over 700,000", 700000, "over"),
    ("1.2 million people", 1200000, "exact"),
    ("18,000 residents", 18000, "exact"),
    ("fewer than 9,000 residents", 9000, "under"),
    ("just under 12,500 people", 12500, "under"),
    ("roughly 244,000 residents", 244000, "about"),
    ("nearly 230,000", 230000, "about"),
    ("~50,000 people", 50000, "about"),
    ("more than half a million people", 500000, "over"),
    ("some 75 thousand residents", 75000, "about"),
    ("an estimated 31,500 residents", 31500, "about"),
])
def test_parse_figure_value_and_qualifier(phrase, value, qualifier):
    got = parse_figure(phrase, LEX)
    assert got is not None and got[:2] == (value, qualifier)


def test_parse_figure_span_covers_qualifier_and_number():
    phrase = "home to more than 700,000 people"
    value, qualifier, start, end = parse_figure(phrase, LEX)
    assert phrase[start:end] == "more than 700,000"


def test_parse_figure_none_without_number():
    assert parse_figure("a population of many", LEX) is None


def test_qualifier_needs_word_boundary():
    # "mover" does not end in the qualifier "over"
    assert qualifier_before("the mover 40,000", len("the mover "), LEX)[0] == "exact"


def test_plausible_rejects_arrest_counts_and_absurd_values():
    assert plausible(40576, LEX)
    assert not plausible(34, LEX)
    assert not plausible(900_000_000, LEX)


@pytest.mark.parametrize("value,figure", [("40576", 40576), ("40,576", 40576), ("40,576 (2020)", 40576),
                                          ("1e999", None), ("N/A", None), ("12.5", None)])
def test_footer_figure(value, figure):
    assert footer_figure(value) == figure


def test_mismatch_over_a_quarter():
    assert not mismatch(40576, 40000)
    assert not mismatch(221578, 244000)
    assert mismatch(54672, 500000)
    assert mismatch(100000, 70000)


# ---------------------------------------------------------------- whose population

def whose(sentence: str, figure: str, place=CITY, head=None):
    i = sentence.index(figure)
    return whose_population(sentence[:i], sentence[i + len(figure):], head, place, LEX)[0]


def test_whose_name_is_a_city_of():
    s = "Springfield is a river city of roughly 60,000 people."
    assert whose(s, "city of roughly 60,000 people", head="city") == "own"


def test_whose_name_with_prepositional_places_between():
    s = ("Springfield sits on the east bank of the Sangamon River, north of Decatur and Taylorville, "
         "and has a population of about 60,000.")
    assert whose(s, "population of about 60,000") == "own"


def test_whose_state_capital_in_apposition_is_other():
    s = "Springfield lies 40 miles from Peoria, the regional hub, which has roughly 110,000 residents."
    assert whose(s, "has roughly 110,000 residents") == "other"


def test_whose_capital_in_apposition_to_own_name():
    s = "Springfield, the capital of Illinois, is a city of about 114,000 people."
    assert whose(s, "city of about 114,000 people", head="city") == "own"


def test_whose_county_on_a_city_page_is_other():
    s = "The county around it, home to nearly 200,000 people, is mostly farmland."
    assert whose(s, "home to nearly 200,000 people") == "other"
    s = "Springfield is the seat of Sangamon County, a largely rural county of 196,000 people."
    assert whose(s, "county of 196,000 people", head="county") == "other"


def test_whose_city_on_a_county_page_is_other():
    s = "Its seat is Memphis, a city of about 630,000."
    assert whose(s, "city of about 630,000", place=COUNTY, head="city") == "other"


def test_whose_county_on_a_county_page_is_own():
    s = "The county, which stretches between Memphis and Collierville, has more than 900,000 residents."
    assert whose(s, "has more than 900,000 residents", place=COUNTY) == "own"


def test_whose_the_city_itself():
    s = "The city itself has approximately 58,000 residents."
    assert whose(s, "has approximately 58,000 residents") == "own"


def test_whose_other_named_place():
    s = "Across the river lies Shelbyville, a town of roughly 27,000."
    assert whose(s, "town of roughly 27,000", head="town") == "other"


def test_whose_region_is_other():
    s = "The wider Chicago region is home to roughly 9.5 million people."
    assert whose(s, "home to roughly 9.5 million people") == "other"


def test_whose_figure_first_then_name():
    assert whose("With approximately 41,000 residents, Springfield is a small city.",
                 "With approximately 41,000 residents") == "own"
    assert whose("With approximately 41,000 residents, Shelbyville is a small city.",
                 "With approximately 41,000 residents") == "other"
    assert whose("About 434,000 people live in the city, most in the suburbs.",
                 "About 434,000 people live") == "own"


def test_whose_line_break_ends_the_sentence():
    s = "Tactics Used\nShelbyville\nSpringfield has a population of 60,000."
    assert whose(s, "population of 60,000") == "own"


def test_whose_other_name_not_a_longer_own_name():
    s = "Springfield County has more than 500,000 residents."
    assert whose(s, "has more than 500,000 residents") == "other"


# ---------------------------------------------------------------- component

def page(narrative: str, footer: str = "") -> str:
    return f"Springfield, IL\n\nTactics Used\n\nReverse Stings\n\n{narrative}\n\n{footer}"


def test_population_component_footer_value_with_narrative_mention(extract_text):
    text = page("Springfield is a city of about 60,000 residents. The county around it is home to "
                "more than 190,000 people.",
                "State Illinois\nType City\nPopulation 59871\nComments are closed.\n")
    pop = extract_text(text)["population"]
    assert pop["value"] == 59871 and pop["span"]["text"] == "59871"
    assert [(m["value"], m["qualifier"]) for m in pop["mentions"]] == [(60000, "about")]
    assert pop["mentions"][0]["span"]["rule"] == "place_of"


def test_population_component_narrative_value_without_footer(extract_text):
    text = page("Springfield, the state capital, has a population of approximately 114,000.")
    pop = extract_text(text)["population"]
    assert pop["value"] == 114000 and pop["mentions"][0]["qualifier"] == "about"


def test_population_component_mismatch_flag(extract_text):
    text = page("Springfield is a city of 20,000 residents.",
                "State Illinois\nType City\nPopulation 59871\nComments are closed.\n")
    record = extract_text(text)
    assert record["population"]["value"] == 59871
    assert any(f["code"] == "population_mismatch" for f in record["flags"])


def test_population_component_ignores_counts_of_people_arrested(extract_text):
    text = page("Police in Springfield ended the sting with 34 people under arrest. In 2019 the "
                "operation ended with 1,200 people arrested across the state.")
    assert extract_text(text)["population"] is None


@pytest.mark.parametrize("figure", ["99999999999", "1e999"])
def test_population_component_rejects_absurd_footer(extract_text, figure):
    text = page("Springfield is a river town.", f"State Illinois\nType City\nPopulation {figure}\nComments are closed.\n")
    record = extract_text(text)
    assert record["population"] is None
    assert any(f["code"] == "population_rejected" for f in record["flags"])
    assert record["jurisdiction"]["type"] == "City"  # the rest of the footer is still read


@pytest.mark.parametrize("variant", ["crlf", "bom", "nbsp", "emoji", "curly"])
def test_population_spans_valid_on_odd_text(extract_text, variant):
    text = page("Springfield is a city of about 60,000 residents and “growing”.",
                "State Illinois\nType City\nPopulation 59871\nComments are closed.\n")
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "bom":
        text = "\ufeff" + text
    elif variant == "nbsp":
        text = text.replace("60,000 residents", "60,000\u00a0residents")
    elif variant == "emoji":
        text = text.replace("Springfield is", "🏙️ Springfield is")
    elif variant == "curly":
        text = text.replace("Springfield is", "“Springfield” is")
    pop = extract_text(text)["population"]
    assert pop["value"] == 59871
    assert [m["value"] for m in pop["mentions"]] == [60000]
    for span in [pop["span"]] + [m["span"] for m in pop["mentions"]]:
        assert text[span["start"]:span["end"]] == span["text"]


def test_population_component_ignores_people_on_a_list(extract_text):
    text = page("Springfield, a city of more than 300,000 people, has 3,000 people on a waiting list for housing.")
    pop = extract_text(text)["population"]
    assert [m["value"] for m in pop["mentions"]] == [300000]


def test_population_component_state_faq(extract_text):
    text = ("1. How big is the sex trade in Ohio?\nOhio has a population of about 11.8 million. Columbus, the "
            "state capital, has about 900,000 residents.\n2. What do police do?\nThey run stings.\n")
    pop = extract_text(text)["population"]
    assert pop["value"] == 11800000 and [m["value"] for m in pop["mentions"]] == [11800000]


@pytest.mark.parametrize("sentence,value,qualifier", [
    ("According to the U.S. Census, Springfield had 45,123 residents in 2020.", 45123, "exact"),
    ("The 2020 census counted 45,123 people in Springfield.", 45123, "exact"),
    ("Springfield's population is about 50,000.", 50000, "about"),
    ("Springfield (population 50,000) sits on the river.", 50000, "exact"),
    ("Springfield, pop. 50,000, sits on the river.", 50000, "exact"),
    ("Springfield has grown to nearly 50,000 residents.", 50000, "about"),
    ("More than 50,000 people call Springfield home.", 50000, "over"),
    ("Springfield's 50,000 residents elect a mayor.", 50000, "exact"),
    ("Springfield is a community of 50,000 on the river.", 50000, "exact"),
])
def test_population_component_phrasings(extract_text, sentence, value, qualifier):
    pop = extract_text(f"Springfield, IL\n\n{sentence}\n")["population"]
    assert pop is not None and pop["value"] == value
    assert pop["mentions"][0]["qualifier"] == qualifier


@pytest.mark.parametrize("sentence", [
    "Nearby Shelbyville has 50,000 residents.",
    "Officers arrested 1,500 people during the festival, which drew 50,000 visitors.",
    "Sangamon County, which surrounds the city, has nearly 200,000 residents.",
    "The department has 300 officers and answers 90,000 calls a year.",
])
def test_population_component_not_the_jurisdictions(extract_text, sentence):
    assert extract_text(f"Springfield, IL\n\n{sentence}\n")["population"] is None
