"""Component tests for the dates extractor (whole pipeline through the `extract_text` fixture)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.spans import results

PAGE = """Springfield, IL

Tactics Used
Reverse Stings
John School

The Springfield Police Department has conducted reverse stings since at least 1988. In the late 1990s, \
complaints rose, and in March, 2004, officers arrested 14 men in a three-day operation. The following \
month, a second sting netted 9 more. A 2011 audit counted 1,200 calls; call (217) 555-2012 with tips.

Between 2012 and 2014, police ran about two operations per year. Planning for a john school had started \
the prior year, and it opened in the fall of 2015.

Key Sources
Reverse Stings:
  \u2022 \u201cPolice Sting Nets 14 Johns,\u201d State Journal-Register, March 27 2004.
  \u2022 \u201cNine More Arrested,\u201d WICS, April 30, 2004.

State Illinois
Type City
Population 114230
"""


def dates_of(record):
    return [(d["value"], d["mod"]) for d in record["dates"]]


def test_dates_profile_page(extract_text):
    record = extract_text(PAGE)
    assert dates_of(record) == [
        ("1988", "ON_OR_BEFORE"), ("199X", "END"), ("2004-03", None), ("2004-04", None),
        ("2011", None), ("2012/2014", None), ("2015-23", None),
        ("2004-03-27", None), ("2004-04-30", None),
    ]
    assert [d["section"] for d in record["dates"]][-2:] == ["sources", "sources"]
    assert {d["section"] for d in record["dates"][:-2]} == {"narrative"}


def test_dates_relative_after_an_interval_is_not_resolved(extract_text):
    # "the prior year" follows "Between 2012 and 2014" in its paragraph: no one year to count from,
    # and "A 2011 audit" in the paragraph before does not anchor it.
    record = extract_text(PAGE)
    assert all(d["span"]["text"] != "the prior year" for d in record["dates"])
    assert record["dates"][3]["span"]["text"] == "The following month"


def test_dates_spans_point_at_their_text(extract_text):
    text = PAGE
    record = extract_text(text)
    for d in record["dates"]:
        span = d["span"]
        assert text[span["start"]:span["end"]] == span["text"]
        assert span["rule"]


def test_dates_items_carry_calendar_bounds_and_granularity(extract_text):
    record = extract_text("Title\n\nIn the late 1990s and in June 2018, police acted; also in the spring of 1996.")
    by_value = {d["value"]: d for d in record["dates"]}
    assert (by_value["199X"]["start"], by_value["199X"]["end"], by_value["199X"]["granularity"]) == \
        ("1990-01-01", "1999-12-31", "decade")
    assert (by_value["2018-06"]["start"], by_value["2018-06"]["end"]) == ("2018-06-01", "2018-06-30")
    assert by_value["1996-21"]["granularity"] == "season"
    assert all(0 < d["confidence"] <= 1 for d in record["dates"])


def test_dates_in_text_order_and_on_doc_spans(nlp):
    doc = nlp("Title\n\nIn 2016 a judge ruled. In May 2013 a sting ran. Since 1990 police have acted.")
    values = [d["value"] for d in results(doc)["dates"]]
    assert values == ["2016", "2013-05", "1990"]
    assert [s.text for s in doc.spans["dates"]] == ["2016", "May 2013", "Since 1990"]


@pytest.mark.parametrize("sentence,expected", [
    ("A 2013 study by a university found the same.", [("2013", None)]),
    ("It borrowed the name of the 1978 documentary.", [("1978", None)]),
    ("In late 2013, investigators dismantled a ring.", [("2013", "END")]),
    ("Officers have run stings since 1983.", [("1983", None)]),
    ("The unit has operated since about 1985.", [("1985", "APPROX")]),
    ("Stings go back to 1986 or earlier.", [("1986", "ON_OR_BEFORE")]),
    ("From 2004 to 2005, the department tried a new tactic.", [("2004/2005", None)]),
    ("Two operations in early 2014 show the approach.", [("2014", "START")]),
    ("The city hosted the event in the summer of 2020.", [("2020-22", None)]),
    ("It was a busy period in the mid-1980s for vice units.", [("198X", "MID")]),
    ("Stings ran in July and October 2018.", [("2018-07", None), ("2018-10", None)]),
    ("Stings ran on Sept. 18 and 19, 2008.", [("2008-09-18", None), ("2008-09-19", None)]),
    ("Between January and March 2019, 45 men were arrested.", [("2019-01/2019-03", None)]),
    ("The 2016\u201317 budget paid for it.", [("2016/2017", None)]),
    ("Stings ran Sept. 18-22, 2008.", [("2008-09-18/2008-09-22", None)]),
    ("The detail ran from June 28 through July 2, 2015.", [("2015-06-28/2015-07-02", None)]),
    ("In the spring and summer of 2015, decoys worked the strip.", [("2015-21", None), ("2015-22", None)]),
    ("The grant runs between 2012 and 2031.", [("2012", None)]),  # the interval ends after today
    ("Complaints rose 2012 to 2014 and again 2016 through 2018.", [("2012/2014", None), ("2016/2018", None)]),
    ("A memo dated 6/3/2007 set the rules.", [("2007-06-03", None)]),
    ("Posted 9/24/08 by staff; 24/7 and 9/11 and 3/4/5 are not dates.", [("2008-09-24", None)]),
    ("In winter 2019-20 and the Winter of 2010\u20132011, stings ran.", [("2019-24", None), ("2010-24", None)]),
    ("Posted: 2019-04-12 by staff.", [("2019-04-12", None)]),
    ("The law took effect On July 1, 2015 statewide.", [("2015-07-01", None)]),
    ("In the \u201990s, the city had a red-light district.", [("199X", None)]),
])
def test_dates_phrasings(extract_text, sentence, expected):
    assert dates_of(extract_text("Title\n\n" + sentence)) == expected


@pytest.mark.parametrize("paragraph,expected", [
    ("In February, 2023, four men were arrested. Planning had started the prior year.",
     [("2023-02", None), ("2022", None)]),
    ("In 2014, a marshal was arrested. He was officially fired later that year.",
     [("2014", None), ("2014", None)]),
    ("In 2014, a marshal was arrested. He was fired later that year. In 2016, he was sentenced.",
     [("2014", None), ("2014", None), ("2016", None)]),
    ("In November 2013, officers flipped an operation. Later that month, four more men were arrested.",
     [("2013-11", None), ("2013-11", None)]),
    ("In February 2014, a man answered an ad. The following month, 11 more were arrested.",
     [("2014-02", None), ("2014-03", None)]),
    ("The task force formed in 2006. Two years later, it made its first arrest.",
     [("2006", None), ("2008", None)]),
    ("COLUMBUS, Ohio (Sept. 13, 2019) \u2014 Agents arrested 160 people, up from 120 last year.",
     [("2019-09-13", None), ("2018", None)]),
    ("In 1996 a task force formed. By the end of that year it had made 40 arrests.",
     [("1996", None), ("1996", "END")]),
    ("In March 2015, police began. By year\u2019s end, 40 men had been arrested.",
     [("2015-03", None), ("2015", "END")]),
])
def test_dates_relative_anchored(extract_text, paragraph, expected):
    assert dates_of(extract_text("Title\n\n" + paragraph)) == expected


@pytest.mark.parametrize("text,expected", [
    ("Title\n\nLast year, police arrested 12 men.", []),  # nothing to anchor it
    ("Title\n\nIn May 2019, six men were arrested.\n\nThe same month, another man was arrested.",
     ["2019-05"]),  # the anchor is in another paragraph
    ("Title\n\nIn May 2019, six men were arrested.\nThe same month, another man was arrested.",
     ["2019-05"]),  # one paragraph a line
    ("Title\n\nIn 2014, the unit formed. The next month, it ran a sting.", ["2014"]),  # month after a year
    ("Title\n\nIn 2014 the unit formed. The next morning, it ran a sting. On Thursday, more.", ["2014"]),
    ("Title\n\nIn 2014 the unit formed. Since then, arrests fell. In its first year it trained 20 officers.",
     ["2014"]),
    ("Title\n\nIn 2014 the unit formed. Late last week, it ran a sting.", ["2014"]),
    ("Title\n\nIn 2016 the unit formed. Last year, it arrested 40 men.", ["2016"]),  # written when?
    ("Title\n\nIn 2013 it began. Over the next year, police expanded it.", ["2013"]),  # a span of time
    ("Title\n\nIn 2014 the unit formed; for the following year it trained.", ["2014"]),
    ("Title\n\nIn 2012 it began. The next year, in 2015, it grew.", ["2012", "2015"]),
])
def test_dates_relative_unanchored_or_too_fine_are_not_dates(extract_text, text, expected):
    assert [d["value"] for d in extract_text(text)["dates"]] == expected


@pytest.mark.parametrize("sentence", [
    "The operation lasted for nearly three years.",
    "Officers worked five hours on a three-day operation over four years.",
    "The 10-week program runs twice a year, 24/7, at $25,000 per year.",
    "A 14-year-old and a 65-year-old were found at 10:30 p.m.",
    "Call 803-555-0127 or (520) 791-4444 for tips.",
    "The motel on I-10 near 1200 Main Street was raided; 40 Charged in sting.",
    "He was sentenced to 12 years; the fine was $2012.",
    "Operations continued through the summer and into July.",
    "Police stopped 1990 cars and logged 2100 hours of overtime.",
    "The city plans a new program in 2031.",
    "Ordinance No. 1999 and Section 1983 apply; see Route 2010.",
    "The men may face fines. May police act? In March they did.",
])
def test_dates_reject_non_dates(extract_text, sentence):
    assert extract_text("Title\n\n" + sentence)["dates"] == []


def test_dates_impossible_date_is_flagged_not_stored(extract_text):
    record = extract_text("Title\n\nOn February 30, 2019, nothing happened. On March 1, 2019, police acted.")
    assert dates_of(record) == [("2019-03-01", None)]
    flags = [f for f in record["flags"] if f["code"] == "impossible_date"]
    assert len(flags) == 1 and flags[0]["span"]["text"] == "February 30, 2019"


def test_dates_future_years_are_not_dates(extract_text):
    future = dt.date.today().year + 1
    assert extract_text(f"Title\n\nIn {future}, the city will expand the program.")["dates"] == []


def test_dates_footer_numbers_are_not_dates(extract_text):
    record = extract_text("Smalltown, ME\n\nIn 2010, police ran a sting in town.\n\nState Maine\nType City\n"
                          "Population 1990\n")
    assert dates_of(record) == [("2010", None)]


ODD = ("\ufeffTitle\r\n\r\n\U0001F6A8 \u201cSting nets 12,\u201d Daily News, Sept.\u00a024,\u00a02008.\r\n"
       "In\u00a0June\r\n2018 \U0001F600 police acted\u2014in \u201cthe late 1990s\u201d too.\r\n\r\n"
       "In May 2013 \u2014 the prior year \u2014 nothing.")


def test_dates_spans_valid_on_odd_text(extract_text):
    text = ODD.lstrip("\ufeff")
    record = extract_text(text)
    assert dates_of(record) == [("2008-09-24", None), ("2018-06", None), ("199X", "END"),
                                ("2013-05", None), ("2012", None)]
    for d in record["dates"]:
        assert text[d["span"]["start"]:d["span"]["end"]] == d["span"]["text"]
    assert record["dates"][0]["span"]["text"] == "Sept.\u00a024,\u00a02008"
    assert record["dates"][1]["span"]["text"] == "June\r\n2018"


def test_dates_empty_and_dateless_text(extract_text):
    assert extract_text("")["dates"] == []
    assert extract_text("Title\n\nNo calendar here, just 12 men and a van.")["dates"] == []


def test_dates_bad_pattern_file_fails_naming_file_and_line(tmp_path):
    import shutil

    import spacy

    from pipeline.rules import MODELS_DIR, RuleFileError

    shutil.copytree(MODELS_DIR / "dates", tmp_path / "dates")
    patterns = tmp_path / "dates" / "patterns.jsonl"
    lines = patterns.read_text(encoding="utf-8").splitlines()
    lines.insert(3, '{"id": "broken", "label": "DATE", "pattern": [{"LOWERR": "may"}]}')
    patterns.write_text("\n".join(lines) + "\n", encoding="utf-8")
    nlp = spacy.blank("en")
    with pytest.raises(RuleFileError, match=r"patterns\.jsonl:4"):
        nlp.add_pipe("profilex_dates", config={"models_dir": str(tmp_path)})


FRAGMENTS = ["In June 2018,", "Sept.\u00a024, 2008", "since at least 1992", "the late 1990s", "police",
             "arrested 12 men", "the prior year", "\U0001F6A8", "\u201cquoted\u201d", "$2,500", "803-555-0127",
             "24/7", "between 2012 and 2014", "July and October 2018", "February 30, 2019", "May", "2031",
             "later that month", "\r\n", "\n\n", "\u00a0", " ", "I-10", "the 1900 block", "'90s", "2012\u201314"]


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25), st.lists(st.sampled_from([" ", "", "\n", "\u00a0", "\r\n", ", "]),
                                                                   min_size=25, max_size=25))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_dates_spans_always_match_text(nlp, parts, seps):
    text = "Title\n\n" + "".join(p + s for p, s in zip(parts, seps))
    doc = nlp(text)
    dates = results(doc)["dates"]
    for d in dates:
        span = d["span"]
        assert text[span["start"]:span["end"]] == span["text"]
        assert d["start"] <= d["end"]
    assert [d["span"]["start"] for d in dates] == sorted(d["span"]["start"] for d in dates)


def test_dates_component_round_trips_through_to_disk(tmp_path):
    import spacy

    import pipeline.components.dates  # noqa: F401  (registers the factory)
    import pipeline.components.layout  # noqa: F401

    nlp = spacy.blank("en")
    for name in ("sentencizer", "profilex_layout", "profilex_dates"):
        nlp.add_pipe(name)
    nlp.to_disk(tmp_path / "pipe")
    again = spacy.load(tmp_path / "pipe")
    text = "Title\n\nIn June 2018, police arrested seven men. The prior year, they arrested nine."
    first, second = results(nlp(text))["dates"], results(again(text))["dates"]
    assert first == second and [d["value"] for d in first] == ["2018-06", "2017"]


def test_dates_cost_is_linear(nlp):
    import time

    unit = ("In May 2013 police arrested 12 men; the prior year, 1998, 2004 and the late 1990s. "
            "Later that month, Sept. 24, 2008, between 2012 and 2014, call 555-2012. ")
    component = nlp.get_pipe("profilex_dates")

    def cost(text: str) -> float:
        doc = nlp.make_doc(text)
        for name, proc in nlp.pipeline:
            if name in ("sentencizer", "profilex_layout"):
                doc = proc(doc)
        start = time.perf_counter()
        component(doc)
        return time.perf_counter() - start

    cost(unit * 10)
    small = min(cost(unit * 50) for _ in range(2))
    large = cost(unit * 500)
    assert large < 25 * small, f"x10 text took {large / small:.1f}x"
