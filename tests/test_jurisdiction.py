"""Jurisdiction: states vocabulary, title, dateline, type rules, the decision (pure) and the component."""
from __future__ import annotations

import pytest

from pipeline.places import (GazetteerLexicon, PlaceVocab, StatesLexicon, TypesLexicon, city_cue, find_dateline,
                             jurisdiction_type, most_named_county, parse_title, proper_names, resolve_place,
                             title_case)
from pipeline.rules import MODELS_DIR, load_lexicon

VOCAB = PlaceVocab(states=load_lexicon(MODELS_DIR / "jurisdiction" / "states.json", StatesLexicon),
                   types=load_lexicon(MODELS_DIR / "jurisdiction" / "types.json", TypesLexicon),
                   gazetteer=load_lexicon(MODELS_DIR / "jurisdiction" / "gazetteer.json", GazetteerLexicon))


# ---------------------------------------------------------------- vocabulary

@pytest.mark.parametrize("written,code", [
    ("Massachusetts", "MA"), ("MA", "MA"), ("Mass.", "MA"), ("Fla.", "FL"), ("S.D.", "SD"),
    ("south  dakota", "SD"), ("Wis.", "WI"), ("N.C.", "NC"), ("Ohio", "OH"), ("D.C.", "DC"),
])
def test_state_vocabulary_names_codes_ap_abbreviations(written, code):
    assert VOCAB.state(written).code == code


def test_state_vocabulary_rejects_non_states():
    assert VOCAB.state("Springfield") is None
    assert VOCAB.state_name("MA") is None  # a code is not a full name


# ---------------------------------------------------------------- title

@pytest.mark.parametrize("title,name,state", [
    ("Fitchburg, MA", "Fitchburg", "Massachusetts"),
    ("Polk County, FL", "Polk County", "Florida"),
    ("Jefferson Parish, LA", "Jefferson Parish", "Louisiana"),
    ("Winston-Salem, North Carolina", "Winston-Salem", "North Carolina"),
    ("St. Cloud, Minn.", "St. Cloud", "Minnesota"),
    ("Coeur d’Alene, ID", "Coeur d’Alene", "Idaho"),
    ("City of Fitchburg, MA", "Fitchburg", "Massachusetts"),
    ("Polk County, FL | Demand Reduction Profile", "Polk County", "Florida"),
])
def test_parse_title_place_and_state(title, name, state):
    found = parse_title(title, VOCAB, offset=100)
    assert found is not None
    assert (found[0].value, found[1].value) == (name, state)
    assert title[found[0].start - 100:found[0].end - 100] == name


@pytest.mark.parametrize("title", ["Seven men arrested in Sioux Falls sting", "Boston", "Madison, XY",
                                   "1. What is the extent of sex trafficking in Ohio?"])
def test_parse_title_rejects_other_titles(title):
    assert parse_title(title, VOCAB) is None


# ---------------------------------------------------------------- dateline

@pytest.mark.parametrize("line,place,state", [
    ("SEATTLE — A countywide effort", "Seattle", None),
    ("MADISON, Wis. — Thirteen males were arrested", "Madison", "Wisconsin"),
    ("COLUMBUS, Ohio (Sept. 13, 2019) — A three-day operation", "Columbus", "Ohio"),
    ("SIOUX FALLS, S.D.\u00a0— Police in Sioux Falls", "Sioux Falls", "South Dakota"),
    ("POLK COUNTY, Fla. -- The sheriff announced", "Polk County", "Florida"),
    ("Tampa, Fla. (AP) — Deputies arrested", "Tampa", "Florida"),
    ("St. Cloud, Minn. — Police said", "St. Cloud", "Minnesota"),
])
def test_find_dateline(line, place, state):
    text = f"Headline here\n\n{line} said.\n"
    found = find_dateline(text, VOCAB)
    assert found is not None and found[0].value == place
    assert text[found[0].start:found[0].end].upper() == place.upper()
    assert (found[1].value if found[1] else None) == state


def test_find_dateline_none_in_plain_prose():
    assert find_dateline("A story\n\nPolice said — after a pause — that it was over.\n", VOCAB) is None
    assert find_dateline("A story\n\nChief Smith, Jr. — the new chief — spoke.\n", VOCAB) is None


def test_title_case_upper_only():
    assert title_case("PORT HURON") == "Port Huron"
    assert title_case("McAllen") == "McAllen"


# ---------------------------------------------------------------- type rules

def test_type_footer_wins():
    assert jurisdiction_type("Jefferson Parish", VOCAB, footer_type="City") == "City"
    assert jurisdiction_type("Springfield", VOCAB, footer_type="Town") == "City"


def test_type_county_parish_borough_names():
    for name in ("Cook County", "Jefferson Parish", "Matanuska-Susitna Borough"):
        assert jurisdiction_type(name, VOCAB) == "County"


def test_type_state():
    assert jurisdiction_type("Ohio", VOCAB, called_city=True) == "State"


def test_type_region():
    assert jurisdiction_type("Northern Michigan", VOCAB) == "Region"
    assert jurisdiction_type("Lehigh Valley", VOCAB) == "Region"


def test_type_city_only_when_called_one():
    assert jurisdiction_type("Phoenix", VOCAB, called_city=False) is None
    assert jurisdiction_type("Phoenix", VOCAB, called_city=True) == "City"


@pytest.mark.parametrize("text,called", [
    ("Officers posed as prostitutes on the city’s south side.", True),
    ("Prostitution is no longer an issue in our city.", True),
    ("A team cut crime in neighborhoods of both cities.", True),
    ("Sumter is a small town in the Midlands.", True),
    ("Officers arrested 13 men on Madison's south side.", False),
    ("He moved to Oklahoma City last year.", False),
])
def test_city_cue(text, called):
    assert (city_cue(text, VOCAB) is not None) is called


# ---------------------------------------------------------------- candidates

def test_proper_names_skip_quotes_and_function_words():
    names = [f.value for f in proper_names("‘Buyer Beware’ shows early results as King County shifts focus", VOCAB)]
    assert names == ["King County"]
    names = [f.value for f in proper_names("Seven men arrested in Sioux Falls reverse sting", VOCAB)]
    assert names == ["Sioux Falls"]


def test_most_named_county():
    text = "Deputies worked Palm Beach County's strips. Palm Beach County deputies and Martin County police."
    assert most_named_county(text, VOCAB).value == "Palm Beach County"


# ---------------------------------------------------------------- the decision

def _resolve(text, footer=False):
    title_end = text.index("\n")
    kwargs = {"title": (0, title_end)}
    if footer:
        kwargs["footer_state"] = (text.index("State ") + 6, text.index("\nType"))
        kwargs["footer_type"] = (text.index("Type ") + 5, text.index("\n", text.index("Type ")))
    return resolve_place(text, VOCAB, **kwargs)


def test_resolve_profile_footer_and_title():
    text = "Springfield, IL\n\nSpringfield is a city.\n\nState Illinois\nType City\nPopulation 1\n"
    place = _resolve(text, footer=True)
    assert (place.name.value, place.state.value, place.state_code, place.type.value) == \
        ("Springfield", "Illinois", "IL", "City")
    assert place.state.rule == "footer_state" and place.type.rule == "footer_type"


def test_resolve_city_of_title_is_a_city():
    place = _resolve("Town of Westborough, MA\n\nWestborough lies west of Boston.\n")
    assert (place.name.value, place.state_code, place.type.value) == ("Westborough", "MA", "City")


def test_resolve_news_dateline_with_state():
    text = ("Nine men charged in Riverton prostitution sting\n\nMarch 3, 2021\n\n"
            "RIVERTON, Wyo. — Detectives arrested nine men, police in Riverton said.\n")
    place = _resolve(text)
    assert (place.name.value, place.state_code, place.type) == ("Riverton", "WY", None)


def test_resolve_news_headline_place_over_dateline_city():
    text = ("Buyer program expands as Pierce County targets johns\n\n"
            "TACOMA, Wash. — Pierce County prosecutors said the city of Tacoma and the county would share costs.\n")
    place = _resolve(text)
    assert (place.name.value, place.state_code, place.type.value) == ("Pierce County", "WA", "County")


def test_resolve_news_standalone_dateline_city():
    text = "Phoenix detectives warn would-be johns\n\nPHOENIX — Detectives in Phoenix took the calls.\n"
    place = _resolve(text)
    assert (place.name.value, place.state_code) == ("Phoenix", "AZ")


def test_resolve_statewide_story_is_the_state():
    text = ("Statewide sting ends with 80 arrests\n\nCOLUMBUS, Ohio — Agencies across Ohio arrested 80 people. "
            "Ohio officials praised the effort.\n")
    place = _resolve(text)
    assert (place.name.value, place.state_code, place.type.value) == ("Ohio", "OH", "State")


def test_resolve_faq_about_a_state():
    text = ("1. What is the extent of sex trafficking in Massachusetts?\nIt is hard to measure in Massachusetts.\n"
            "2. Who responds?\nPolice across Massachusetts do.\n")
    place = _resolve(text)
    assert (place.name.value, place.state_code, place.type.value) == ("Massachusetts", "MA", "State")


def test_resolve_gazetteer_most_populous_city_without_state_clue():
    text = "Madison police ticket 13 in sting aimed at buyers\n\nOfficers arrested 13 men on Madison's south side.\n"
    place = _resolve(text)
    assert (place.name.value, place.state_code) == ("Madison", "WI")
    assert place.state.rule == "gazetteer"


def test_resolve_gazetteer_prefers_state_the_text_names():
    text = ("Madison police arrest 5 in sting\n\nOfficers in Madison, a city in northern Alabama, arrested five "
            "men. Alabama law makes soliciting a misdemeanor.\n")
    assert _resolve(text).state_code == "AL"


def test_resolve_gazetteer_county_in_one_state():
    text = "Countywide sweep ends in 102 arrests\n\nDeputies worked Palm Beach County's strips all night.\n"
    place = _resolve(text)
    assert (place.name.value, place.state_code, place.type.value) == ("Palm Beach County", "FL", "County")


def test_resolve_gazetteer_ambiguous_county_needs_a_clue():
    text = "King County shifts focus to buyers\n\nProsecutors in King County said arrests of buyers rose.\n"
    assert _resolve(text).state is None
    text += "Detectives from the Seattle Police Department took part.\n"
    assert _resolve(text).state_code == "WA"


def test_resolve_no_place():
    text = "How reverse stings work\n\nA reverse sting puts an officer in the role of a seller.\n"
    place = _resolve(text)
    assert place.name is None and place.state is None


# ---------------------------------------------------------------- component

def test_jurisdiction_component_record(extract_text):
    text = "Polk County, FL\n\nPolk County lies between Tampa and Orlando.\n\nState Florida\nType County\n"
    j = extract_text(text)["jurisdiction"]
    assert (j["name"], j["state"], j["state_code"], j["type"]) == ("Polk County", "Florida", "FL", "County")
    assert {s["rule"] for s in j["spans"]} >= {"title_place", "footer_state", "footer_type"}
    assert 0 <= j["confidence"] <= 1


def test_jurisdiction_component_null_without_place(extract_text):
    assert extract_text("How john schools work\n\nA class for men arrested for buying sex.\n")["jurisdiction"] is None


@pytest.mark.parametrize("variant", ["crlf", "bom", "nbsp", "emoji", "curly"])
def test_jurisdiction_spans_valid_on_odd_text(extract_text, variant):
    text = "Fitchburg, MA\n\nFitchburg is a city with a population of about 40,000.\n\nState Massachusetts\nType City\n"
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "bom":
        text = "\ufeff" + text
    elif variant == "nbsp":
        text = text.replace("Fitchburg, MA", "Fitchburg,\u00a0MA")
    elif variant == "emoji":
        text = text.replace("Fitchburg is", "🏙️ Fitchburg is")
    elif variant == "curly":
        text = text.replace("Fitchburg is a city", "“Fitchburg” is a ‘city’")
    j = extract_text(text)["jurisdiction"]
    assert (j["name"], j["state_code"], j["type"]) == ("Fitchburg", "MA", "City")
    for span in j["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]
