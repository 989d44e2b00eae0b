"""Pure-function tests for pipeline.edtf (no spaCy): normalization, mods, relative anchoring, rejections."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from pipeline.edtf import (DateLexicon, ImpossibleDate, load_date_lexicon, paragraph_starts,
                           reject_reason, resolve_relative, split_coordination, split_mods, to_edtf)
from pipeline.rules import RuleFileError, load_lexicon

TODAY = dt.date(2026, 12, 3)


def edtf(text: str):
    d = to_edtf(text, today=TODAY)
    return None if d is None else (d.value, d.mod)


@pytest.mark.parametrize("text,expected", [
    ("2008", ("2008", None)),
    ("1952", ("1952", None)),
    ("June 2018", ("2018-06", None)),
    ("April, 2017", ("2017-04", None)),
    ("June of 2018", ("2018-06", None)),
    ("Sept. 2019", ("2019-09", None)),
    ("DECEMBER 1992", ("1992-12", None)),
    ("May 25 1998", ("1998-05-25", None)),
    ("April 29, 2006", ("2006-04-29", None)),
    ("Sept. 24, 2008", ("2008-09-24", None)),
    ("Sep 13, 2019", ("2019-09-13", None)),
    ("Feb. 16, 2023", ("2023-02-16", None)),
    ("September 24th, 2008", ("2008-09-24", None)),
    ("24 September 2008", ("2008-09-24", None)),
    ("the 3rd of June, 2007", ("2007-06-03", None)),
    ("6/3/2007", ("2007-06-03", None)),
    ("2019-04-12", ("2019-04-12", None)),
    ("9/24/08", ("2008-09-24", None)),
    ("12/7/41", ("1941-12-07", None)),
])
def test_to_edtf_points(text, expected):
    assert edtf(text) == expected


@pytest.mark.parametrize("text", [
    "Sept.\u00a024, 2008", "Sept. 24,\n2008", "Sept.\r\n24, 2008", "  Sept.  24 ,  2008 ",
])
def test_to_edtf_odd_whitespace(text):
    assert edtf(text) == ("2008-09-24", None)


@pytest.mark.parametrize("text,expected", [
    ("the 1990s", ("199X", None)),
    ("the 1970s", ("197X", None)),
    ("1980's", ("198X", None)),
    ("the 1980\u2019s", ("198X", None)),
    ("the '90s", ("199X", None)),
    ("the \u201990s", ("199X", None)),
    ("the late 1990s", ("199X", "END")),
    ("the early 2000s", ("200X", "START")),
    ("the mid-1980s", ("198X", "MID")),
    ("the early 2010s", ("201X", "START")),
])
def test_to_edtf_decades(text, expected):
    assert edtf(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Spring 1996", "1996-21"),
    ("the spring of 1996", "1996-21"),
    ("summer 2020", "2020-22"),
    ("the fall of 2014", "2014-23"),
    ("autumn 2014", "2014-23"),
    ("Winter of 2009", "2009-24"),
    ("winter 2019-20", "2019-24"),
    ("the winter of 2018\u20132019", "2018-24"),
])
def test_to_edtf_seasons(text, expected):
    assert edtf(text) == (expected, None)


def test_season_covers_its_months_winter_crosses_the_year():
    winter = to_edtf("winter 2009", today=TODAY)
    assert (winter.start, winter.end) == (dt.date(2009, 12, 1), dt.date(2010, 2, 28))
    spring = to_edtf("spring 1996", today=TODAY)
    assert (spring.start, spring.end, spring.granularity) == (dt.date(1996, 3, 1), dt.date(1996, 5, 31), "season")


@pytest.mark.parametrize("text,expected", [
    ("Between 2012 and 2014", "2012/2014"),
    ("between 2003 and 2008", "2003/2008"),
    ("From 2004 to 2005", "2004/2005"),
    ("from 2010 through 2012", "2010/2012"),
    ("2012-2014", "2012/2014"),
    ("2012 \u2013 2014", "2012/2014"),
    ("2012\u201314", "2012/2014"),
    ("2016/17", "2016/2017"),
    ("from May to July 2013", "2013-05/2013-07"),
    ("between November and February 2014", "2013-11/2014-02"),
    ("from March 2012 to June 2013", "2012-03/2013-06"),
    ("between Sept. 18 and Sept. 22, 2008", "2008-09-18/2008-09-22"),
])
def test_to_edtf_intervals(text, expected):
    assert edtf(text) == (expected, None)


def test_interval_covers_first_to_last_day():
    d = to_edtf("between 2012 and 2014", today=TODAY)
    assert (d.start, d.end, d.granularity) == (dt.date(2012, 1, 1), dt.date(2014, 12, 31), "interval")


@pytest.mark.parametrize("text", ["2012 and 2014", "from 2014 to 2012", "2019-12", "between 2012 and 2031"])
def test_to_edtf_not_intervals(text):
    assert edtf(text) is None


@pytest.mark.parametrize("text,expected", [
    ("since at least 1992", ("1992", "ON_OR_BEFORE")),
    ("Since at least 1986", ("1986", "ON_OR_BEFORE")),
    ("1986 or earlier", ("1986", "ON_OR_BEFORE")),
    ("2009 or later", ("2009", "ON_OR_AFTER")),
    ("2009 onward", ("2009", "ON_OR_AFTER")),
    ("since 1991", ("1991", None)),
    ("Since 1983", ("1983", None)),
    ("since about 1985", ("1985", "APPROX")),
    ("since around 1985", ("1985", "APPROX")),
    ("around 2010", ("2010", "APPROX")),
    ("circa 1990", ("1990", "APPROX")),
    ("approximately 2005", ("2005", "APPROX")),
    ("early 2014", ("2014", "START")),
    ("Early 2014", ("2014", "START")),
    ("late 2013", ("2013", "END")),
    ("the end of 2013", ("2013", "END")),
    ("the beginning of 2015", ("2015", "START")),
    ("mid-2015", ("2015", "MID")),
    ("mid 2015", ("2015", "MID")),
    ("the middle of 2015", ("2015", "MID")),
    ("late May 2013", ("2013-05", "END")),
    ("before 2010", ("2010", "BEFORE")),
    ("prior to 2010", ("2010", "BEFORE")),
    ("after 2018", ("2018", "AFTER")),
    ("as early as December 1992", ("1992-12", None)),
    ("as recently as 2020", ("2020", None)),
    ("since early 2014", ("2014", "START")),
    ("at least since 2001", ("2001", "ON_OR_BEFORE")),
    ("back to at least 1992", ("1992", "ON_OR_BEFORE")),
    ("1990 or so", ("1990", "APPROX")),
    ("in or around 2010".split(" ", 2)[2], ("2010", "APPROX")),
])
def test_to_edtf_mods(text, expected):
    assert edtf(text) == expected


def test_split_mods_keeps_the_core():
    assert split_mods("the late 1990s") == ("END", "1990s")
    assert split_mods("since at least 1992") == ("ON_OR_BEFORE", "1992")
    assert split_mods("1986 or earlier") == ("ON_OR_BEFORE", "1986")
    assert split_mods("June 2018") == (None, "june 2018")


@pytest.mark.parametrize("text", [
    "2031",  # after today
    "January 2027",
    "December 4, 2026",
    "1750",  # before the lexicon's earliest year
    "July",  # a month without a year
    "the summer",
    "24/7",
    "12 years",
    "five hours",
    "twice a year",
    "$25,000",
    "40",
    "803-555-0127",
    "I-10",
    "",
    "   ",
])
def test_to_edtf_rejects_non_dates(text):
    assert edtf(text) is None


def test_to_edtf_today_is_the_limit():
    assert edtf("December 3, 2026") == ("2026-12-03", None)
    assert to_edtf("2026", today=dt.date(2025, 6, 1)) is None


@pytest.mark.parametrize("text", ["February 30, 2019", "April 31 2006", "Feb. 29, 2019", "2/30/2019",
                                  "31 June 2007"])
def test_to_edtf_impossible_dates_raise(text):
    with pytest.raises(ImpossibleDate):
        to_edtf(text, today=TODAY)


def test_to_edtf_leap_day_is_possible():
    assert edtf("Feb. 29, 2020") == ("2020-02-29", None)


def test_granularity_and_calendar_days():
    cases = {
        "2008": ("year", "2008-01-01", "2008-12-31"),
        "the 1990s": ("decade", "1990-01-01", "1999-12-31"),
        "February 2016": ("month", "2016-02-01", "2016-02-29"),
        "May 25 1998": ("day", "1998-05-25", "1998-05-25"),
    }
    for text, (gran, start, end) in cases.items():
        d = to_edtf(text, today=TODAY)
        assert (d.granularity, d.start.isoformat(), d.end.isoformat()) == (gran, start, end), text


# ---------------------------------------------------------------- relative expressions

def anchor(text: str):
    return to_edtf(text, today=TODAY)


def rel(text: str, anchor_text: str):
    d = resolve_relative(text, anchor(anchor_text), today=TODAY)
    return None if d is None else (d.value, d.mod)


@pytest.mark.parametrize("text,anchor_text,expected", [
    ("the prior year", "February 2023", "2022"),
    ("The previous year", "2014", "2013"),
    ("the year before", "June 3, 2007", "2006"),
    ("later that year", "2014", "2014"),
    ("Later that year", "August 2013", "2013"),
    ("that same year", "1996", "1996"),
    ("the same year", "spring 1996", "1996"),
    ("the next year", "2010", "2011"),
    ("the following year", "May 2010", "2011"),
    ("a year later", "2010", "2011"),
    ("two years later", "2010", "2012"),
    ("Three years earlier", "2010", "2007"),
    ("the following month", "February 2014", "2014-03"),
    ("The following month", "December 2013", "2014-01"),
    ("later that month", "November 2013", "2013-11"),
    ("the previous month", "January 2013", "2012-12"),
    ("the same month", "Sept. 24, 2008", "2008-09"),
    ("a month later", "May 2019", "2019-06"),
])
def test_resolve_relative(text, anchor_text, expected):
    assert rel(text, anchor_text) == (expected, None)


def test_resolve_relative_keeps_a_mod():
    assert rel("the end of that year", "March 2014") == ("2014", "END")
    assert rel("early the next year", "2014") == ("2015", "START")
    assert rel("By the end of the year".split(" ", 1)[1], "March 2015") == ("2015", "END")
    assert rel("year\u2019s end", "March 2015") == ("2015", "END")
    assert rel("the end of the month", "March 2015") == ("2015-03", "END")
    assert rel("the year prior", "March 2015") == ("2014", None)


@pytest.mark.parametrize("text,anchor_text", [
    ("the following month", "2014"),  # month-level needs a month
    ("later that month", "the 1990s"),
    ("the prior year", "the 1990s"),  # a decade has no one year
    ("the next year", "between 2012 and 2014"),
    ("the next year", "2026"),  # would be after today
    ("the next morning", "May 2019"),  # day-level
    ("since then", "2014"),  # a back-reference
    ("in its first year", "2014"),
    ("through the summer", "2014"),
    ("for nearly three years", "2014"),
])
def test_resolve_relative_rejects(text, anchor_text):
    assert rel(text, anchor_text) is None


def test_resolve_relative_needs_an_anchor():
    assert resolve_relative("last year", None) is None
    assert resolve_relative("the prior year", None) is None


# ---------------------------------------------------------------- coordination

def test_split_coordination_months_share_the_year():
    text = "July and October 2018"
    pieces = split_coordination(text)
    assert [(text[a:b], c) for a, b, c in pieces] == [("July", "July 2018"), ("October 2018", "October 2018")]


def test_split_coordination_days_share_month_and_year():
    text = "May 23 and 24, 2013"
    pieces = split_coordination(text)
    assert [edtf(c)[0] for _, _, c in pieces] == ["2013-05-23", "2013-05-24"]
    assert [text[a:b] for a, b, _ in pieces] == ["May 23", "24, 2013"]


def test_split_coordination_lists():
    text = "June 2, June 3 and June 4, 2006"
    pieces = split_coordination(text)
    assert [edtf(c)[0] for _, _, c in pieces] == ["2006-06-02", "2006-06-03", "2006-06-04"]
    text = "March, April, and May 2015"
    assert [edtf(c)[0] for _, _, c in split_coordination(text)] == ["2015-03", "2015-04", "2015-05"]


# ---------------------------------------------------------------- rejections around a year-like number

@pytest.mark.parametrize("before,number,after", [
    ("call 555-", "2012", " for tips"),
    ("(520) 791-", "2012", ""),
    ("a fine of $", "2012", " was paid"),
    ("Route ", "2010", " north"),
    ("on Highway ", "1999", " near"),
    ("Ordinance No. ", "1999", " bans"),
    ("under Section ", "1983", " of"),
    ("police stopped ", "1990", " cars"),
    ("about ", "1900", " people attended"),
    ("worked ", "2100", " hours"),
    ("the ", "1900", " block of Main Street"),
    ("lives at ", "1200", " Main Street"),
    ("a motel at ", "1910", " Broadway was raided"),
    ("\u00a9 ", "2023", " City of Erie. All rights reserved."),
    ("Copyright ", "2019", " The Ledger"),
    ("the ", "2000", " men who were arrested"),
    ("", "2012", ".5 percent"),
    ("www.example.com/", "2019", "/05/story"),
    ("officers seized ", "2013", " vehicles"),
    ("they logged ", "1999", " tips"),
    ("Officers made ", "1999", " stops. March 2020"),
])
def test_reject_reason_not_a_year(before, number, after):
    assert reject_reason(before, number, after) is not None


@pytest.mark.parametrize("before,number,after", [
    ("In ", "2014", ", police arrested"),
    ("since ", "1983", "."),
    ("A ", "2013", " study by"),
    ("the ", "1978", " documentary"),
    ("\u2022 ", "2009", ": the department added"),
    ("(", "2008", ")"),
    ("In ", "2014", " officers arrested 12 men"),
    ("by the end of ", "2017", " arrests doubled"),
    ("the ", "2013", " arrests drew attention"),
    ("", "2013", " was a busy year"),
    ("Act of ", "2000", " applies"),
    ("\u201c", "2014", "\u201d"),
    ("formed in or around ", "2010", ", arrested 61 men"),
    ("the report of ", "2016", " alone"),
])
def test_reject_reason_keeps_years(before, number, after):
    assert reject_reason(before, number, after) is None


def test_paragraph_starts_any_line_ending():
    text = "A.\n\nB.\r\n\r\nC.\nD.\r\r E"
    starts = paragraph_starts(text)
    assert [text[s] for s in starts] == ["A", "B", "C", "D", "E"]


def test_paragraph_starts_hard_wrapped_sentence_is_one_paragraph():
    text = "In 2014, a marshal was\narrested and fired later\nthat year.\nIn 2016, he was sentenced."
    starts = paragraph_starts(text)
    assert [text[s:s + 5] for s in starts] == ["In 20", "In 20"]


# ---------------------------------------------------------------- the lexicon is validated data

def test_lexicon_loads():
    lex = load_date_lexicon()
    assert lex.months["sept."] == 9 and lex.seasons["fall"] == 23


def test_bad_lexicon_fails_naming_the_file(tmp_path):
    data = json.loads(load_date_lexicon().model_dump_json())
    data["months"]["smarch"] = 13
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RuleFileError, match="lexicon.json"):
        load_lexicon(path, DateLexicon)
    data["months"].pop("smarch")
    data["mods_before"]["someday"] = "EVENTUALLY"
    path.write_text(json.dumps(data))
    with pytest.raises(RuleFileError, match="mods_before"):
        load_lexicon(path, DateLexicon)


@pytest.mark.parametrize("field,key", [("mods_before", ""), ("mods_before", "Since"), ("relative", "the  prior year")])
def test_bad_lexicon_phrases_fail(tmp_path, field, key):
    data = json.loads(load_date_lexicon().model_dump_json())
    data[field][key] = next(iter(data[field].values()))
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RuleFileError, match=field):
        load_lexicon(path, DateLexicon)
