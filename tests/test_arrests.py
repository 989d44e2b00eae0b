"""Arrest counts: pure decisions (pipeline.arrest_logic) and the component on phrasings of its own."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.arrest_logic import (ArrestLexicon, DateMention, Tok, Unit, classify_dates, context_roles,
                                   count_is_not_people,
                                   has_marker, is_publication_line,
                                   is_report_date, is_since_date, link_date, parse_qualifier, pick_role, read_count)
from pipeline.numbers import parse_number
from pipeline.rules import MODELS_DIR, RuleFileError, load_lexicon, load_patterns

LEX = load_lexicon(MODELS_DIR / "arrests" / "lexicon.json", ArrestLexicon)


def found(extract_text, text):
    return [(a["count"], a["qualifier"], a["role"]) for a in extract_text(text)["arrests"]]


def counts(extract_text, text):
    return [a["count"] for a in extract_text(text)["arrests"]]


def dated(extract_text, text):
    return [(a["count"], (a["date"] or {}).get("value")) for a in extract_text(text)["arrests"]]


# ------------------------------------------------------------------ rule files

def test_arrest_rule_files_load_and_validate():
    rules = load_patterns(MODELS_DIR / "arrests" / "patterns.jsonl")
    labels = {r.label for r in rules}
    assert {"COUNT", "ACTIVE", "PASSIVE", "NOUN", "LEAD", "HEADLINE_LEAD", "HEADLINE_ACTIVE"} <= labels


def test_arrest_lexicon_rejects_unknown_qualifier_naming_the_file(tmp_path):
    data = json.loads((MODELS_DIR / "arrests" / "lexicon.json").read_text(encoding="utf-8"))
    data["qualifiers"]["roughly_maybe"] = ["kind of"]
    bad = tmp_path / "lexicon.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleFileError, match="lexicon.json"):
        load_lexicon(bad, ArrestLexicon)


def test_arrest_patterns_bad_line_names_file_and_line(tmp_path):
    bad = tmp_path / "patterns.jsonl"
    bad.write_text('{"id": "a", "label": "ACTIVE", "pattern": [{"LOWER": "arrested"}]}\n{"id": "b", "label": }\n',
                   encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"patterns.jsonl:2"):
        load_patterns(bad)


# ------------------------------------------------------------------ numbers and counts

@pytest.mark.parametrize("text, value", [
    ("9", 9), ("seven", 7), ("Thirty-Nine", 39), ("a dozen", 12), ("two dozen", 24), ("1,200", 1200),
    ("half a dozen", 6), ("Twenty-four", 24),
])
def test_read_count_reads_digits_words_and_dozens(text, value):
    assert read_count(text, LEX.max_count) == value


@pytest.mark.parametrize("text", ["2nd", "99999999999999999999", "0", "many", "dozens", "150001"])
def test_read_count_rejects_ordinals_absurd_and_non_numbers(text):
    assert read_count(text, LEX.max_count) is None


def test_parse_number_half_a_dozen_keeps_existing_fractions():
    assert parse_number("half a dozen") == 6
    assert parse_number("half a million") == 500_000
    assert parse_number("half") is None


def _toks(words):
    out, pos = [], 0
    for w in words:
        if w.startswith("~"):  # glued to the previous token
            w = w[1:]
            pos -= 1
        out.append(Tok(w, pos, pos + len(w)))
        pos += len(w) + 1
    return out


@pytest.mark.parametrize("words, i", [
    (["in", "2014", "police"], 1),
    (["a", "16", "~-", "~year", "~-", "~old"], 1),
    (["a", "$", "~25,000", "bond"], 2),
    (["90", "~%", "of", "those"], 0),
    (["call", "410", "~-", "~555"], 1),
    (["sentenced", "to", "12", "years"], 2),
    (["on", "March", "3", "police"], 2),
    (["received", "50", "complaints"], 1),
    (["one", "of", "the", "men"], 0),
])
def test_count_is_not_people_for_years_ages_prices_shares_phones_and_durations(words, i):
    assert count_is_not_people(_toks(words), i, i + 1, LEX)


def test_count_inside_a_date_span_is_not_people():
    toks = _toks(["on", "June", "3", "2007"])
    assert count_is_not_people(toks, 2, 3, LEX, date_ranges=[(toks[1].start, toks[3].end)])
    assert not count_is_not_people(_toks(["arrested", "14", "men"]), 1, 2, LEX)


# ------------------------------------------------------------------ qualifiers

@pytest.mark.parametrize("before, expected", [
    (["police", "arrested"], ("exact", 0)),
    (["made", "more", "than"], ("over", 2)),
    (["ended", "with", "over"], ("over", 1)),
    (["at", "least"], ("at_least", 2)),
    (["produced", "nearly"], ("about", 1)),
    (["credit", "stings", "with", "close", "to"], ("about", 2)),
    (["approximately"], ("about", 1)),
    (["some"], ("about", 1)),
    (["arrested", "as", "many", "as"], ("up_to", 3)),
    (["up", "to"], ("up_to", 2)),
])
def test_parse_qualifier_reads_the_words_before_the_count(before, expected):
    assert parse_qualifier(before, LEX) == expected


# ------------------------------------------------------------------ roles

@pytest.mark.parametrize("noun, after, context, role", [
    ("male sex buyers", "", "", "buyer"),
    ("Would-Be Johns", "in Sanford", "", "buyer"),
    ("customers", "", "", "buyer"),
    ("patrons", "", "", "buyer"),
    ("men", "for soliciting prostitution", "", "buyer"),
    ("men", "who solicited an undercover officer", "", "buyer"),
    ("prostitutes", "", "", "seller"),
    ("women", "selling sex", "", "seller"),
    ("people", "for prostitution", "", "seller"),
    ("sex workers", "", "", "seller"),
    ("suspected pimps", "", "", "trafficker"),
    ("", "for aiding prostitution", "", "trafficker"),
    ("traffickers", "", "", "trafficker"),
    ("", "as Johns, Prostitutes in Sting", "", "mixed"),
    ("people", "", "", "unknown"),
    ("women", "", "a massage parlor case", "unknown"),
    ("men", "", "a reverse sting with female decoys", "buyer"),
])
def test_pick_role_from_noun_and_context(noun, after, context, role):
    assert pick_role(noun, after, context_roles(context, LEX), LEX) == role


def test_pick_role_mixed_when_sub_counts_follow():
    assert pick_role("", "", frozenset(), LEX, mixed=True) == "mixed"
    assert pick_role("sex buyers", "", frozenset(), LEX, mixed=True) == "buyer"


# ------------------------------------------------------------------ dates

def _date(text, phrase, value, mod=None):
    start = text.index(phrase)
    return DateMention(value, mod, start, start + len(phrase))


def test_report_date_news_conference_and_announced():
    t = "Deputies made 40 arrests, the sheriff told reporters at a news conference on Feb. 16, 2023."
    assert is_report_date(t, _date(t, "Feb. 16, 2023", "2023-02-16"), 0, len(t), LEX)
    t = "In February 2019, the sheriff's office announced that a probe had ended with the arrest of nine people."
    assert is_report_date(t, _date(t, "February 2019", "2019-02"), 0, len(t), LEX)
    t = "In May 2010, after neighbors complained and reported it, officers arrested nine johns."
    assert not is_report_date(t, _date(t, "May 2010", "2010-05"), 0, len(t), LEX)
    t = "In January 2017, police arrested 10 men, according to an announcement by the district attorney."
    assert not is_report_date(t, _date(t, "January 2017", "2017-01"), 0, len(t), LEX)
    t = "A 2007 university study counted visitors."
    assert is_report_date(t, _date(t, "2007", "2007"), 0, len(t), LEX)


@pytest.mark.parametrize("text, phrase", [
    ("Sting nets 12\n\nSept. 24, 2008\n\nPolice arrested 12 men.", "Sept. 24, 2008"),
    ("Headline\nPosted: Sep 13, 2019\nBody text here.", "Sep 13, 2019"),
    ("Headline\n\nSept. 24, 1989 | Staff report\n\nBody.", "Sept. 24, 1989"),
    ("COLUMBUS, Ohio (Sept. 13, 2019) — A three-day operation ended with 104 arrests.", "Sept. 13, 2019"),
])
def test_publication_lines_are_not_operation_dates(text, phrase):
    assert is_publication_line(text, _date(text, phrase, "x"), LEX, LEX.bullets)


@pytest.mark.parametrize("line", ["2015 — 12 arrests", "May 2016: sting", "2014: 9 johns arrested"])
def test_dated_short_list_lines_are_not_publication_lines(line):
    text = "Intro\n\n" + line + "\n"
    date_text = line.split(":")[0].split(" —")[0]
    assert not is_publication_line(text, _date(text, date_text, "x"), LEX, LEX.bullets)


def test_dated_sentence_is_not_a_publication_line():
    t = "June 2015: nine male buyers were arrested in a decoy operation, and their names were published."
    assert not is_publication_line(t, _date(t, "June 2015", "2015-06"), LEX, LEX.bullets)


def test_since_dates_open_a_period():
    t = "Police have run stings since at least 1992 and since 2009 online."
    assert is_since_date(t, _date(t, "1992", "1992"), LEX)
    assert is_since_date(t, _date(t, "2009", "2009"), LEX)
    t = "In 2009 police arrested 12 men."
    assert not is_since_date(t, _date(t, "2009", "2009"), LEX)


def _units(text, sentences, dates, block=None):
    units, pos = [], 0
    for k, s in enumerate(sentences):
        a = text.index(s, pos)
        b = a + len(s)
        pos = b
        operation, since, report = classify_dates(text, [d for d in dates if a <= d.start and d.end <= b], a, b, LEX)
        units.append(Unit(a, b, 0, 0 if block is None else block[k], operation, report,
                          any(w in s.lower() for w in ("arrest", "sting", "operation")),
                          generic=has_marker(s, LEX.generic_markers),
                          other_operation=has_marker(s, LEX.other_operation_markers), since_dates=since))
    return units


def test_link_date_same_sentence_nearest_before_the_count():
    t = "In July 2018, officers arrested 10 buyers, and in October 2018 another nine men were arrested."
    d = [_date(t, "July 2018", "2018-07"), _date(t, "October 2018", "2018-10")]
    units = _units(t, [t], d)
    assert link_date(units, 0, t.index("10 buyers"), t, LEX)[0].value == "2018-07"
    assert link_date(units, 0, t.index("nine men"), t, LEX)[0].value == "2018-10"


def test_link_date_after_the_count_when_none_before():
    t = "Police arrested 12 men in a sting on March 3, 2015."
    d = [_date(t, "March 3, 2015", "2015-03-03")]
    assert link_date(_units(t, [t], d), 0, t.index("12"), t, LEX)[0].value == "2015-03-03"


def test_link_date_carries_from_an_earlier_sentence_of_the_operation():
    s1, s2 = "In June 2018, police arrested seven men in a sting.", "Six men were arrested on Main Street."
    t = s1 + " " + s2
    d = [_date(t, "June 2018", "2018-06")]
    date, how = link_date(_units(t, [s1, s2], d), 1, t.index("Six"), t, LEX)
    assert (date.value, how) == ("2018-06", "carried")


def test_link_date_does_not_cross_into_another_section():
    s1, s2 = "In June 2018, police arrested seven men in a sting.", "Six men were arrested on Main Street."
    t = s1 + " " + s2
    d = [_date(t, "June 2018", "2018-06")]
    assert link_date(_units(t, [s1, s2], d, block=[0, 1]), 1, t.index("Six"), t, LEX) == (None, "no_date")


@pytest.mark.parametrize("second", [
    "Some of these stings have produced over 20 arrests.",
    "The previous sting ended with nine people apprehended.",
    "Over the years the stings have led to 300 arrests.",
])
def test_link_date_generic_or_other_operation_sentences_get_no_carried_date(second):
    s1 = "In May 2015, police ran a sting on Main Street and arrested 8 men."
    t = s1 + " " + second
    d = [_date(t, "May 2015", "2015-05")]
    assert link_date(_units(t, [s1, second], d), 1, len(s1) + 5, t, LEX)[0] is None


def test_link_date_stops_at_an_announcement():
    s1 = "The operation was announced at a news conference."
    s2 = "Detectives arrested 213 people in all."
    t = s1 + " " + s2
    units = _units(t, [s1, s2], [])
    units[0].report_dated = True
    assert link_date(units, 1, t.index("213"), t, LEX)[0] is None


# ------------------------------------------------------------------ the component on sentences

@pytest.mark.parametrize("text, expected", [
    ("Deputies booked 14 men during the sweep.", [(14, "exact")]),
    ("A dozen would-be johns were cited.", [(12, "exact")]),
    ("More than 40 people were taken into custody.", [(40, "over")]),
    ("Officers detained two dozen men near the park.", [(24, "exact")]),
    ("At least 17 men were charged with soliciting prostitution.", [(17, "at_least")]),
    ("Police apprehended approximately 30 suspects.", [(30, "about")]),
    ("Troopers handcuffed 8 men in a motel sting.", [(8, "exact")]),
    ("The operation resulted in 1,200 arrests statewide.", [(1200, "exact")]),
    ("Eleven johns were placed under arrest.", [(11, "exact")]),
    ("Nineteen men who answered the ads were booked into the county jail.", [(19, "exact")]),
    ("The 21 men taken into custody were released on bail.", [(21, "exact")]),
    ("A single night has netted as many as 15 buyers.", [(15, "up_to")]),
    ("Officers issued citations to 13 men for loitering.", [(13, "exact")]),
    ("The sweep ended with some 60 people in handcuffs.", [(60, "about")]),
    ("Charges were filed against nine men.", [(9, "exact")]),
    ("Police arrested a half-dozen men.", [(6, "exact")]),
])
def test_arrest_statements_phrased_many_ways(extract_text, text, expected):
    assert [(c, q) for c, q, _ in found(extract_text, text)] == expected


def test_arrests_of_suspected_pimps_is_trafficker(extract_text):
    assert found(extract_text, "The probe led to the arrests of 5 suspected pimps.") == [(5, "exact", "trafficker")]


def test_several_counts_in_one_sentence(extract_text):
    text = "Undercover officers arrested 6 women for prostitution and 3 men for promoting prostitution."
    assert found(extract_text, text) == [(6, "exact", "seller"), (3, "exact", "trafficker")]


def test_count_with_a_colon_list_of_roles_is_mixed(extract_text):
    text = "In May 2013, a sweep produced 92 arrests: 39 sex buyers, 39 women selling sex and 12 pimps."
    assert found(extract_text, text) == [(92, "exact", "mixed"), (39, "exact", "buyer"), (39, "exact", "seller"),
                                         (12, "exact", "trafficker")]
    assert {d for _, d in dated(extract_text, text)} == {"2013-05"}


def test_bulleted_sub_counts_under_a_colon(extract_text):
    text = ("Recent Operations\n\nA county operation in April 2016 netted 50 people:\n\n  • 30 johns\n"
            "  • 15 prostitutes\n  • 5 pimps\n\nThe sheriff praised the deputies.\n")
    assert found(extract_text, text) == [(50, "exact", "mixed"), (30, "exact", "buyer"), (15, "exact", "seller"),
                                         (5, "exact", "trafficker")]


def test_sub_count_of_those_arrested(extract_text):
    text = "Detectives arrested 80 people. Of those arrested, 35 were sex buyers."
    assert counts(extract_text, text) == [80, 35]


@pytest.mark.parametrize("text", [
    "Sting Nets 23",
    "Cops Nab 15 Johns in Motel Sting",
    "Operation Catches 9 Would-Be Buyers",
    "Sting: 14 Johns, 3 Prostitutes",
])
def test_headline_counts(extract_text, text):
    assert counts(extract_text, text)


def test_headline_with_two_roles(extract_text):
    assert found(extract_text, "Sting: 14 Johns, 3 Prostitutes") == [(14, "exact", "buyer"), (3, "exact", "seller")]


@pytest.mark.parametrize("text", [
    "Residents filed 50 complaints about prostitution last year.",
    "He was sentenced to 12 years in prison.",
    "The man was charged with 10 counts of trafficking.",
    "He was booked on five felony counts.",
    "Detectives received 229 calls, and none of the 229 calls ended in an arrest.",
    "More than 90% of those who are arrested for prostitution are women.",
    "A man was arrested on Main Street.",
    "Police have made hundreds of arrests over the years.",
    "Detectives contacted 40 men through online ads.",
    "Officers warned 12 drivers about the law.",
    "Eight men were convicted of solicitation.",
    "The ads lured 17 would-be buyers to the hotel.",
    "Police arrested a 45-year-old man.",
    "Police arrested men in 3 cities.",
    "He was arrested and held on a $25,000 bond.",
    "99999999999999999999 men were arrested.",
    "Men charged with buying sex can attend a 10-week class.",
    "We counted 3,000 men in Boston on one given day, on a single website soliciting sex.",
    "Officers identified 24 victims during the sweep.",
    "The suspects face 68 felony charges and 308 misdemeanor charges.",
    "Online Ads Lure 17 Would-Be Buyers",
    "A three-day operation involved more than 30 agencies.",
    "The arrests were made near the 2400 block of Catalpa Road.",
    "Call 410-555-0163 to report suspected arrests.",
    "No one was arrested during the warning campaign.",
    "He was arrested 3 times in 2 years.",
    "Officers cited 5 reasons for the change.",
])
def test_not_arrest_counts(extract_text, text):
    assert counts(extract_text, text) == []


def test_dates_never_read_as_counts(extract_text):
    assert counts(extract_text, "Police arrested 12 men on March 3, 2015.") == [12]


# ------------------------------------------------------------------ dates end to end

def test_sub_count_takes_the_date_of_the_operation(extract_text):
    text = ("In June 2018, police arrested seven men who tried to buy sex. Six men were arrested on Main Street, "
            "after approaching an officer.")
    assert dated(extract_text, text) == [(7, "2018-06"), (6, "2018-06")]


def test_announcement_date_is_not_the_operation_date(extract_text):
    text = ("Deputies made more than 40 arrests in a weeklong sting, the sheriff told reporters at a news "
            "conference on Feb. 16, 2023.")
    assert dated(extract_text, text) == [(40, None)]


def test_publication_line_does_not_date_the_story(extract_text):
    text = "Police cite 13 in prostitution sting\n\nSept. 24, 2008\n\nThirteen men were arrested late last week.\n"
    assert dated(extract_text, text) == [(13, None), (13, None)]


def test_news_story_date_carries_to_later_paragraphs(extract_text):
    text = ("Sweep ends in 30 arrests\n\nOfficers arrested 30 men on the night of Oct. 4, 2011, in a decoy "
            "operation.\n\nThe lieutenant said the detail ran for six hours.\n\nPolice also charged 12 women with "
            "prostitution during that phase.\n")
    assert dated(extract_text, text) == [(30, None), (30, "2011-10-04"), (12, "2011-10-04")]


def test_sources_headline_takes_the_citation_date(extract_text):
    text = ("Springfield, IL\n\nPolice in Springfield run reverse stings.\n\nKey Sources\n\nReverse Stings:\n\n"
            "  • “Sting Nets 14 Would-Be Johns,” Springfield Journal, March 3 2012.\n"
            "  • “Nine Charged in Motel Sting,” Springfield Journal, May 9 2014.\n\n"
            "State Illinois\nType City\n")
    rec = extract_text(text)
    got = [(a["count"], (a["date"] or {}).get("value"), a["section"]) for a in rec["arrests"]]
    assert got == [(14, "2012-03-03", "sources"), (9, "2014-05-09", "sources")]


# ------------------------------------------------------------------ spans on odd input

@pytest.mark.parametrize("text", [
    "\ufeffIn May 2015, police arrested 12 men.",
    "In May 2015,\r\npolice arrested\r\n12 men in a sting.\r\n\r\nSix men were arrested on Main Street.\r\n",
    "Police arrested\u00a012\u00a0men in a sting.",
    "🚓 Police arrested 12 men 🚨 in a “reverse” sting; 4 women were also charged.",
    "“Sting Nets 12 Johns,” Daily News, May 2 2014.",
    "Police\tarrested\t\t12 men.\u2028Six were charged.",
    "arrested 12",
    "12 arrested",
    "",
])
def test_arrest_spans_match_the_text_on_odd_input(extract_text, text):
    rec = extract_text(text)  # build_record checks every span against the text
    for a in rec["arrests"]:
        for key in ("span", "sentence"):
            s = a[key]
            assert text[s["start"]:s["end"]] == s["text"]
        assert a["span"]["rule"].startswith("arrests.")
        assert 0 <= a["confidence"] <= 1


def test_odd_input_still_finds_the_counts(extract_text):
    assert counts(extract_text, "Police arrested\u00a012\u00a0men in a sting.") == [12]
    assert counts(extract_text, "In May 2015,\r\npolice arrested 12 men in a sting.\r\n") == [12]


def test_doc_spans_hold_the_arrest_statements(nlp):
    doc = nlp("Police arrested 12 men. Nine women were charged.")
    assert [s.text for s in doc.spans["arrests"]] == ["arrested 12 men", "Nine women were charged"]


@pytest.mark.parametrize("corpus", ["dev"])
def test_sample_pages_arrest_spans_are_valid(extract_text, corpus):
    raw = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / corpus / "raw"
    if not raw.is_dir():
        pytest.skip("shared corpus not available")
    for path in sorted(raw.glob("*.txt")):
        text = path.read_bytes().decode("utf-8-sig")
        for a in extract_text(text, doc_id=path.stem)["arrests"]:
            assert text[a["span"]["start"]:a["span"]["end"]] == a["span"]["text"]


# ------------------------------------------------------------------ more phrasings and page kinds

@pytest.mark.parametrize("text, expected", [
    ("Arrested were 12 men from across the county.", [12]),
    ("Among the men arrested was one who wore an ankle monitor.", []),
    ("A total of 37 people were arrested, including 25 johns and 12 prostitutes.", [37, 25, 12]),
    ("Police arrested 18 people, 11 of whom were charged with soliciting.", [18, 11]),
    ("The sting led to 16 arrests for solicitation and two for promoting prostitution.", [16, 2]),
    ("Officers made 45 prostitution-related arrests during the week.", [45]),
    ("Police busted 27 men in a prostitution sting on Saturday.", [27]),
    ("The sweep ended with 44 men in custody.", [44]),
    ("Deputies took 7 men into custody.", [7]),
    ("The sting netted 11 men, ages 22 to 61.", [11]),
    ("In a 2016 sting, officers arrested 31 men; 12 of them were from out of state.", [31]),
    ("The department reported 250 prostitution arrests in 2015, up from 180 in 2014.", [250]),
    ("Nearly 60 percent of those arrested were buyers.", []),
])
def test_more_phrasings_and_their_limits(extract_text, text, expected):
    assert counts(extract_text, text) == expected


def test_headline_sub_count_needs_people(extract_text):
    assert counts(extract_text, "Police: 31 Arrested, 12 From Out of State") == [31]


def test_cumulative_count_since_a_year_is_undated(extract_text):
    assert dated(extract_text, "Intro line\n\nThe task force has made 1,500 arrests since 2010.") == [(1500, None)]
    assert dated(extract_text, "Intro line\n\nDetectives have arrested 400 johns since the program began in 2006.") \
        == [(400, None)]


def test_report_verb_governing_the_count_does_not_void_the_year(extract_text):
    text = "Intro line\n\nThe department reported 250 prostitution arrests in 2015, up from 180 in 2014."
    assert dated(extract_text, text) == [(250, "2015")]


PROFILE = """Springfield, IL

Tactics Used

Reverse Stings
John School

Springfield is a city of about 115,000 people. In 2012, the city council passed an ordinance on vehicle seizure.

Police arrested 15 men in a reverse sting near the fairgrounds. The men were charged with solicitation.

In August 2014, the police department ran a three-night operation that led to the arrest of 23 johns and 4 women. Of the 23 men, 19 were first-time offenders. Police also seized 12 vehicles.

An operation in May 2015 netted 50 people:

  • 30 johns
  • 15 prostitutes
  • 5 pimps

State Illinois
Type City
Population 114394
Comments are closed.
"""


def test_profile_dates_stay_within_their_paragraph_and_lists(extract_text):
    assert dated(extract_text, PROFILE) == [(15, None), (23, "2014-08"), (4, "2014-08"), (50, "2015-05"),
                                            (30, "2015-05"), (15, "2015-05"), (5, "2015-05")]


def test_long_sentence_of_numbers_stays_fast(nlp):
    import time

    text = "Police arrested " + ", ".join(str(i) for i in range(1, 1500)) + " men. " + "12 " * 3000 + "arrested"
    t0 = time.perf_counter()
    doc = nlp(text)
    assert time.perf_counter() - t0 < 15
    from pipeline.spans import results
    assert all(text[a["span"]["start"]:a["span"]["end"]] == a["span"]["text"] for a in results(doc)["arrests"])


def test_link_date_prefers_the_date_right_after_a_sub_count():
    t = "Police made the arrest of 2 men in 2012 and 3 in 2013."
    d = [_date(t, "2012", "2012"), _date(t, "2013", "2013")]
    units = _units(t, [t], d)
    three = t.index("3 in")
    assert link_date(units, 0, three, t, LEX, phrase_end=three + 1)[0].value == "2013"
    two = t.index("2 men")
    assert link_date(units, 0, two, t, LEX, phrase_end=two + 5)[0].value == "2012"


def test_link_date_after_a_comma_belongs_to_the_next_statement():
    t = "In July 2018, officers arrested 10 buyers, and in October 2018 another nine men were arrested."
    d = [_date(t, "July 2018", "2018-07"), _date(t, "October 2018", "2018-10")]
    ten = t.index("10 buyers")
    assert link_date(_units(t, [t], d), 0, ten, t, LEX, phrase_end=ten + 9)[0].value == "2018-07"


def test_sub_count_after_of_the_n_people_arrested(extract_text):
    assert counts(extract_text, "Of the 50 people arrested, 30 were buyers.") == [50, 30]


def test_sub_count_that_is_no_arrest_is_left_out(extract_text):
    assert counts(extract_text, "In 2007, police arrested 28 men, 12 of whom were from out of town.") == [28]


def test_a_dated_sentence_about_something_else_stops_the_carried_date(extract_text):
    text = ("Springfield, IL\n\nTactics Used\n\nReverse Stings\n\nIn 2010, police ran a sting and arrested 12 men. "
            "In 2013, the city council approved funding. Six men were arrested in the next sting.\n\n"
            "State Illinois\nType City\n")
    assert dated(extract_text, text) == [(12, "2010"), (6, None)]


@pytest.mark.parametrize("sentence, role", [
    ("A second web-based reverse sting near the airport resulted in 11 arrests.", "buyer"),
    ("Supply reduction, street prostitution: 32 arrests", "seller"),
    ("Demand reduction (buyer sting): 31 arrests", "buyer"),
    ("The sweep resulted in 40 arrests.", "unknown"),
])
def test_pick_role_of_a_plain_count_from_the_operation_named(sentence, role):
    assert pick_role("", "", frozenset(), LEX, sentence=sentence) == role


def test_pick_role_keeps_the_noun_over_the_operation():
    assert pick_role("pimps", "", frozenset(), LEX, sentence="a reverse sting netted 3 pimps") == "trafficker"


def test_has_markers_reads_several_lists_as_has_marker_reads_each():
    from pipeline.arrest_logic import has_marker, has_markers

    lists = [["over the years", "as many as"], ["previous sting"], []]
    for text in ["Over  the\nyears, police ...", "the PREVIOUS sting netted 4", "as many\tas 30", "nothing here"]:
        assert has_markers(text, *lists) == [has_marker(text, markers) for markers in lists]
    assert has_markers("As many as 30 men", *lists) == [True, False, False]
    assert has_markers("a previous stings list", *lists) == [False, False, False]  # whole words only


def test_has_markers_with_phrases_starting_or_ending_in_punctuation():
    from pipeline.arrest_logic import has_markers

    lists = [["u.s. attorney", "o'clock"], ["(previous)", "-led"]]
    assert has_markers("the U.S. Attorney said", *lists) == [True, False]
    assert has_markers("a task-force (previous) effort", *lists) == [False, True]
    assert has_markers("the us attorney said", *lists) == [False, False]
