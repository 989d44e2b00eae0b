"""Agencies: the pure finder (pipeline.agency_names, no spaCy) and the component."""
from __future__ import annotations

import pytest

from pipeline.agency_names import (AgencyFinder, case_of, find_in_text, norm_name, simple_tokens)


@pytest.fixture(scope="module")
def finder() -> AgencyFinder:
    from pipeline.components.agencies import load_finder

    return load_finder()


def names(finder, text, **kw) -> dict[str, list[str]]:
    """name -> aliases of every agency found, after checking every mention span."""
    found = find_in_text(finder, text, **kw)
    for a in found:
        for s, e, rule in a.mentions:
            assert 0 <= s < e <= len(text) and rule
    return {a.name: a.aliases for a in found}


# ----- pure helpers ----------------------------------------------------------

def test_norm_name_matches_scorer_rules():
    assert norm_name("The Polk County Sheriff’s Office") == "polk county sheriffs office"
    assert norm_name("Vice & High Risk Victims Unit") == "vice and high risk victims unit"
    assert norm_name("U.S. Department of Justice") == "us department of justice"


def test_case_of_head_words():
    assert case_of(["police"], set()) == "lower"
    assert case_of(["Police", "Department"], set()) == "title"
    assert case_of(["PD"], set()) == "upper"
    assert case_of(["Task", "Force"], set()) == "title"
    assert case_of(["Sheriff", "’s", "office"], set()) is None
    assert case_of(["Department", "of", "Public", "Safety"], {"of"}) == "title"


def test_simple_tokens_split_possessive_and_keep_abbreviations():
    toks = simple_tokens("U.S. Sheriff’s Office\r\nNext")
    assert [t.text for t in toks] == ["U.S.", "Sheriff", "’s", "Office", "Next"]
    assert toks[-1].nl_before and not toks[2].space_before


# ----- names ------------------------------------------------------------------

def test_agencies_pd_is_police_department(finder):
    found = names(finder, "In 2019, the Tacoma PD arrested 12 men.")
    assert found == {"Tacoma Police Department": ["Tacoma PD"]}


def test_agencies_city_police_lowercase(finder):
    found = names(finder, "Nashville police arrested 30 men on Friday.")
    assert found == {"Nashville Police Department": ["Nashville police"]}


def test_agencies_defined_abbreviation_is_alias_and_mention(finder):
    text = "The Maricopa County Sheriff's Office (MCSO) ran the sting. Later, MCSO deputies arrested 40 men."
    (a,) = find_in_text(finder, text)
    assert a.name == "Maricopa County Sheriff's Office" and a.kind == "sheriff"
    assert "MCSO" in a.aliases
    assert sorted(text[s:e] for s, e, _ in a.mentions).count("MCSO") == 2


def test_agencies_coordinated_police_departments(finder):
    text = "Officers from the Kent and Auburn police departments joined the operation."
    found = find_in_text(finder, text)
    assert [a.name for a in found] == ["Kent Police Department", "Auburn Police Department"]
    assert [[text[s:e] for s, e, _ in a.mentions] for a in found] == [["Kent"], ["Auburn"]]


def test_agencies_coordinated_list_with_commas(finder):
    text = "The sweep involved the Everett, Mukilteo, Lynnwood and Bothell police departments."
    assert list(names(finder, text)) == ["Everett Police Department", "Mukilteo Police Department",
                                         "Lynnwood Police Department", "Bothell Police Department"]


def test_agencies_police_departments_of_places(finder):
    text = "The team includes the police departments of Bremerton and Port Orchard."
    assert list(names(finder, text)) == ["Bremerton Police Department", "Port Orchard Police Department"]


def test_agencies_county_sheriffs_offices_plural(finder):
    text = "Deputies from the Broward and Palm Beach county sheriff's offices took part."
    assert list(names(finder, text)) == ["Broward County Sheriff's Office", "Palm Beach County Sheriff's Office"]


def test_agencies_us_attorney_office_for_district(finder):
    text = "The case was prosecuted by the U.S. Attorney's Office for the District of Minnesota."
    assert names(finder, text) == {"U.S. Attorney's Office for the District of Minnesota": []}


def test_agencies_office_for_name_after_head(finder):
    text = "Victims can call the Connecticut Office of Victim Services for help."
    assert list(names(finder, text)) == ["Connecticut Office of Victim Services"]


def test_agencies_two_agencies_joined_by_and(finder):
    text = "It was investigated by the Fresno Police Department and Oregon Department of Justice."
    assert list(names(finder, text)) == ["Fresno Police Department", "Oregon Department of Justice"]


def test_agencies_task_force_with_and_inside_name(finder):
    text = "The Twin Ports Drug and Gang Task Force led the case."
    assert list(names(finder, text)) == ["Twin Ports Drug and Gang Task Force"]


def test_agencies_gazetteer_full_name_and_acronym(finder):
    text = "The FBI and U.S. Immigration and Customs Enforcement assisted the St. Paul Police Department."
    assert list(names(finder, text)) == ["Federal Bureau of Investigation",
                                         "U.S. Immigration and Customs Enforcement",
                                         "St. Paul Police Department"]


def test_agencies_department_of_justice_stops_before_next_agency(finder):
    text = "The Department of Homeland Security and ICE joined Houston police."
    assert list(names(finder, text)) == ["U.S. Department of Homeland Security",
                                         "U.S. Immigration and Customs Enforcement",
                                         "Houston Police Department"]


def test_agencies_possessive_unit_names_parent(finder):
    text = "Detectives of the Fresno Police Department’s Vice Unit arrested 15 men."
    found = names(finder, text)
    assert set(found) == {"Fresno Police Department", "Fresno Police Department Vice Unit"}
    assert found["Fresno Police Department Vice Unit"] == ["Vice Unit"]


def test_agencies_whose_unit_names_parent(finder):
    text = "Officers joined the Marion County Sheriff's Office, whose Special Victims Unit supplied detectives."
    assert "Marion County Sheriff's Office Special Victims Unit" in names(finder, text)


def test_agencies_unit_within_state_police(finder):
    text = "The Oregon State Police Human Trafficking Unit investigates such cases."
    assert names(finder, text) == {"Oregon State Police Human Trafficking Unit": []}


def test_agencies_state_prefixed_name_absorbs_short_name(finder):
    text = ("The Washington Human Trafficking Task Force was formed in 2012. "
            "Since then the Human Trafficking Task Force has met monthly.")
    assert names(finder, text) == {"Washington Human Trafficking Task Force": ["Human Trafficking Task Force"]}


def test_agencies_bare_attorney_general_office(finder):
    text = "The Attorney General's Office has an Anti-Trafficking Division."
    assert list(names(finder, text)) == ["Attorney General's Office", "Anti-Trafficking Division"]


def test_agencies_possessive_county_name(finder):
    text = "The Prince George's County Police Department arrested 12 men."
    assert list(names(finder, text)) == ["Prince George's County Police Department"]


def test_agencies_named_organizations_after_cue(finder):
    text = "Women were screened by two organizations, Hope Rising and Shelter for Survivors, before release."
    assert list(names(finder, text)) == ["Hope Rising", "Shelter for Survivors"]


def test_agencies_listed_with_known_agency(finder):
    text = "Help came from the Tacoma Police Department, the YWCA and Mercy Street Outreach."
    assert list(names(finder, text)) == ["Tacoma Police Department", "YWCA", "Mercy Street Outreach"]


def test_agencies_partner_items(finder):
    text = "Key Partners\n\n  • Rebuilding Hope\n  • Local businesses\n  • Tacoma Police Department\n"
    items = []
    for line in ("Rebuilding Hope", "Local businesses", "Tacoma Police Department"):
        s = text.index(line)
        items.append((s, s + len(line)))
    assert list(names(finder, text, partner_items=items)) == ["Rebuilding Hope", "Tacoma Police Department"]


def test_agencies_repeated_acronym_name(finder):
    text = ("DEMAND Seattle works with police. DEMAND Seattle will train officers. "
            "Read more about DEMAND Seattle.")
    assert list(names(finder, text)) == ["DEMAND Seattle"]


# ----- not agencies -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "According to The Seattle Times, dozens of ads were posted on Backpage.com.",
    "State and local police arrested 10 men. Law enforcement agencies said the police will continue.",
    "Boston Mayor Martin J. Walsh spoke. Police Chief Jane Doe agreed.",
    "Callers were referred to the National Human Trafficking Hotline and the First Offender Prostitution Program.",
    "The Safe Harbor Law protects minors.",
    "Then police said the men would be charged. On Thursday police released names.",
    "Local police reached out to the program staff.",
    "The sheriff's office and the police department declined to comment.",
    "The meeting was held at the Hillside Community Center and the Post Office.",
    "Officers cited 13 men under a city ordinance.",
])
def test_agencies_negatives(finder, text):
    assert names(finder, text) == {}


def test_agencies_outlet_region_is_not_an_agency(finder):
    text = "“Police Sting Nets 10,” Tacoma News Tribune, July 27 2018."
    region = (text.index("Tacoma"), len(text))
    assert names(finder, text, outlet_regions=[region]) == {}


# ----- the component -------------------------------------------------------------

ODD_TEXT = ("Tacoma, WA\r\n\r\nThe Tacoma\u00a0Police Department and the Pierce County Sheriff’s Office (PCSO) "
            "arrested 12 men 🚔. PCSO said the Lakewood PD helped.\r\n\r\nKey Partners\r\n\r\n"
            "  • Tacoma Police Department\r\n  • Rebuilding Hope\r\n")


def test_agencies_component_spans_on_odd_text(extract_text):
    record = extract_text(ODD_TEXT)
    by_name = {a["name"]: a for a in record["agencies"]}
    assert set(by_name) == {"Tacoma Police Department", "Pierce County Sheriff's Office",
                            "Lakewood Police Department", "Rebuilding Hope"}
    for a in record["agencies"]:
        for m in a["mentions"]:
            assert ODD_TEXT[m["start"]:m["end"]] == m["text"] and m["rule"]
    assert "PCSO" in by_name["Pierce County Sheriff's Office"]["aliases"]
    assert by_name["Pierce County Sheriff's Office"]["kind"] == "sheriff"


def test_agencies_component_one_entry_per_agency(extract_text):
    text = ("Seattle, WA\n\nSeattle police arrested 20 men. The Seattle Police Department said "
            "the Seattle Police Department will continue.\n")
    record = extract_text(text)
    assert [a["name"] for a in record["agencies"]] == ["Seattle Police Department"]
    assert record["agencies"][0]["aliases"] == ["Seattle police"]
    assert len(record["agencies"][0]["mentions"]) == 3


def test_agencies_component_skips_citation_outlets(extract_text):
    text = ("Tacoma, WA\n\nThe Tacoma Police Department ran stings.\n\nKey Sources\n\nReverse Stings:\n\n"
            "  • “Police Sting Nets 10,” The News Tribune, July 27 2018.\n")
    record = extract_text(text)
    assert [a["name"] for a in record["agencies"]] == ["Tacoma Police Department"]


def test_agencies_component_empty_text(extract_text):
    assert extract_text("")["agencies"] == []


def test_agencies_possessive_place_before_police_department(finder):
    text = "Tacoma’s police department arrested 12 men."
    assert list(names(finder, text)) == ["Tacoma Police Department"]


def test_agencies_team_up_is_not_a_team(finder):
    assert list(names(finder, "Tacoma Police Team Up With FBI")) == ["Tacoma Police Department",
                                                                     "Federal Bureau of Investigation"]


def test_agencies_appositive_nonprofit(finder):
    text = "Women were referred to Breaking Free, a St. Paul nonprofit that helps survivors."
    assert list(names(finder, text)) == ["Breaking Free"]


def test_agencies_shouted_headline_is_title_cased(finder):
    assert list(names(finder, "TACOMA POLICE ARREST 12 JOHNS")) == ["Tacoma Police Department"]


def test_agencies_numbered_label_is_not_a_unit(finder):
    text = "1. Specialized Unit: officers receive training.\n2. The Boise Police Department leads."
    assert list(names(finder, text)) == ["Boise Police Department"]


def test_agencies_gazetteer_branch_of_place(finder):
    text = "Advocates from the YWCA of Spokane attended."
    assert list(names(finder, text)) == ["YWCA of Spokane"]


def test_agencies_acronym_name_needs_three_uses_and_no_definition(finder):
    text = ("Commercial Sexual Exploitation of Children (CSEC) is rising. CSEC Victims need help. "
            "CSEC Victims are young. CSEC Victims are many.")
    assert names(finder, text) == {}


def test_agencies_headline_verbs_are_not_part_of_a_name(finder):
    text = ("Tacoma, WA\n\nThe Tacoma Police Department ran a sting.\n\n"
            "“Feds Join Tacoma Police Department in Weekend Sting,” The News Tribune, May 2 2019.\n"
            "“Men Arrested In Tacoma Police Sting,” The News Tribune, May 3 2019.\n")
    found = names(finder, text)
    assert list(found) == ["Tacoma Police Department"]


# ----- odd input: every mention stays inside the text -------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

PIECES = ["Tacoma", "Pierce County", "Sheriff’s Office", "Sheriff's Office", "Police Department", "police",
          "PD", "(PCSO)", "PCSO", "Task Force", "Unit", "’s", "'s", "and", ",", ".", "the", "of", "for",
          "Office", "Department of Justice", "FBI", "ICE", "\u00a0", "\r\n", "\n", " ", "🚔", "“", "”",
          "organizations,", "Hope Rising", "Key Partners", "  • ", "\ufeff", "police departments", "Kent"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_agencies_mentions_valid_on_any_text(finder, parts):
    text = " ".join(parts)
    for a in find_in_text(finder, text):
        assert a.name and a.mentions
        for s, e, rule in a.mentions:
            assert 0 <= s < e <= len(text) and rule


def test_agencies_named_organization_with_inner_lower_word(finder):
    text = "Agencies work with organizations such as Children at Risk and the Houston Area Council on Human Trafficking."
    assert list(names(finder, text)) == ["Children at Risk", "Houston Area Council on Human Trafficking"]


def test_agencies_listed_name_must_end_where_the_name_ends(finder):
    text = "Agencies work with organizations such as Hope for children in need."
    assert names(finder, text) == {}


@pytest.mark.parametrize("text", [
    "The Health Department offered testing.",
    "Officers from Precinct 5 made the arrests.",
    "The men were taken to the Justice Center.",
])
def test_agencies_generic_offices_are_not_names(finder, text):
    assert names(finder, text) == {}


def test_agencies_police_from_two_places(finder):
    text = "Police from Northborough and Westborough arrested four men."
    assert list(names(finder, text)) == ["Northborough Police Department", "Westborough Police Department"]


def test_agencies_police_in_one_place_is_not_enough(finder):
    assert names(finder, "Police in Cuba said the men were migrants.") == {}


def test_agencies_or_short_form_alias(finder):
    text = "The Sanford Police Department, or SPD, ran stings. SPD officers arrested seven men."
    found = find_in_text(finder, text)
    assert [a.name for a in found] == ["Sanford Police Department"]
    assert found[0].aliases == ["SPD"] and len(found[0].mentions) == 3


def test_agencies_short_form_before_long_form(finder):
    text = "The TPD (Tucson Police Department) released names."
    found = find_in_text(finder, text)
    assert [(a.name, a.aliases) for a in found] == [("Tucson Police Department", ["TPD"])]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_agencies_component_mentions_valid_on_any_text(nlp, parts):
    from pipeline.spans import results

    text = "".join(parts)
    doc = nlp(text)
    for a in results(doc)["agencies"]:
        for m in a["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]


def test_agencies_bad_rule_file_names_the_file(tmp_path):
    import json
    import shutil

    from pipeline.components.agencies import load_finder
    from pipeline.rules import MODELS_DIR, RuleFileError

    shutil.copytree(MODELS_DIR / "agencies", tmp_path / "agencies")
    heads = json.loads((tmp_path / "agencies" / "heads.json").read_text(encoding="utf-8"))
    heads["heads"][0]["kind"] = "polce"
    (tmp_path / "agencies" / "heads.json").write_text(json.dumps(heads), encoding="utf-8")
    with pytest.raises(RuleFileError, match="heads.json"):
        load_finder(str(tmp_path))


@pytest.mark.parametrize("text", ["Texas police arrested 30 men.", "Mexican police detained two suspects."])
def test_agencies_state_or_nation_police_is_unnamed(finder, text):
    assert names(finder, text) == {}
