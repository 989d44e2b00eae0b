"""Citations: the pure entry parser, then the component on whole pages."""
from __future__ import annotations

import json

import pytest

from pipeline.components.citations import (CitationLexicon, FoundDate, find_date, load_citation_lexicon,
                                           parse_entry)
from pipeline.rules import MODELS_DIR, RuleFileError, load_lexicon


@pytest.fixture(scope="module")
def lex() -> CitationLexicon:
    return load_citation_lexicon()


def parsed(entry, lex, dates=()):
    p = parse_entry(entry, lex, dates)
    assert p is not None
    # Offsets are relative to the entry and point at the values.
    assert entry[p.title_start:p.title_end] == p.title
    if p.outlet is not None:
        assert entry[p.outlet_start:p.outlet_end] == p.outlet
    if p.date is not None:
        assert p.date.start < p.date.end <= len(entry)
    return p


@pytest.mark.parametrize("entry", [
    "“Cops Nab Prostitutes’ Customers,” New London Day, May 25 1998.",
    "\"Cops Nab Prostitutes’ Customers,\" New London Day, May 25 1998.",
    "“Cops Nab Prostitutes’ Customers”, New London Day, May 25, 1998",
    "\"Cops Nab Prostitutes’ Customers\" New London Day, 1998-05-25.",
    "“Cops Nab Prostitutes’ Customers,\" New London Day, 25 May 1998.",
    "‘Cops Nab Prostitutes’ Customers,’ New London Day, May 25 1998.",
    "„Cops Nab Prostitutes’ Customers“, New London Day, 5/25/1998",
])
def test_parse_entry_reads_every_quote_style_and_comma_place(entry, lex):
    p = parsed(entry, lex)
    assert p.title == "Cops Nab Prostitutes’ Customers"
    assert p.outlet == "New London Day"
    assert p.date.value == "1998-05-25"


def test_parse_entry_keeps_outlets_with_slashes_and_commas(lex):
    assert parsed("“Prostitution Sting Nets 40,” CBS/WFSB-TV 3, June 4 2007.", lex).outlet == "CBS/WFSB-TV 3"
    p = parsed("“Vice Squad Widens Net,” The Times, London, Sept. 3, 2001.", lex)
    assert (p.outlet, p.date.value) == ("The Times, London", "2001-09-03")
    p = parsed("“Online Sting Nets 17,” WIS News 10, February 22 2013", lex)
    assert (p.outlet, p.date.value) == ("WIS News 10", "2013-02-22")


def test_parse_entry_without_bullet_or_with_stray_bullet(lex):
    p = parsed("  “Lessons Not Learned; Thirty-Nine More Johns Busted,” Republican-American, June 30 2008.", lex)
    assert p.title == "Lessons Not Learned; Thirty-Nine More Johns Busted"
    p = parsed("• “Seven Men Arrested,” The Item, Feb. 22, 2013.", lex)
    assert (p.title, p.outlet, p.date.value) == ("Seven Men Arrested", "The Item", "2013-02-22")


@pytest.mark.parametrize("written, value", [
    ("May 25 1998", "1998-05-25"), ("May 25, 1998", "1998-05-25"), ("1998-05-25", "1998-05-25"),
    ("25 May 1998", "1998-05-25"), ("Jan. 3rd, 2011", "2011-01-03"), ("Sept 3 2001", "2001-09-03"),
    ("March 2011", "2011-03"), ("2011", "2011"), ("12/31/2019", "2019-12-31"),
])
def test_find_date_normalizes_written_forms(written, value, lex):
    found = find_date(f"The Ledger, {written}.", lex)
    assert found is not None and found.value == value
    assert f"The Ledger, {written}."[found.start:found.end] == written


@pytest.mark.parametrize("text", ["The Ledger", "Channel 10 News", "February 30 2013", "page 2019-13-45"])
def test_find_date_rejects_what_is_not_a_calendar_date(text, lex):
    found = find_date(text, lex)
    assert found is None or found.value in ("2013", "2019")  # never an impossible day or month


def test_parse_entry_ignores_access_dates_and_page_numbers(lex):
    p = parsed("“Johns Named Online,” The Daily Planet, p. A1, June 1, 2019. Retrieved June 3, 2020.", lex)
    assert (p.outlet, p.date.value) == ("The Daily Planet", "2019-06-01")
    p = parsed("“Sting Results,” by A. Writer, Metro Weekly, April 2 2015.", lex)
    assert p.outlet == "Metro Weekly"  # no byline names kept


def test_parse_entry_question_mark_title_and_parenthesized_date(lex):
    p = parsed("“Who Are the Johns?” The Ledger (Jan. 25, 2013)", lex)
    assert (p.title, p.outlet, p.date.value) == ("Who Are the Johns?", "The Ledger", "2013-01-25")


def test_parse_entry_date_before_title(lex):
    p = parsed("May 25, 1998 – “Cops Nab Customers,” New London Day", lex)
    assert (p.title, p.outlet, p.date.value) == ("Cops Nab Customers", "New London Day", "1998-05-25")


def test_parse_entry_title_with_numbers_takes_date_after_title(lex):
    p = parsed("“Polk 2013 Sweep Nets 92,” The Ledger, May 17 2013.", lex)
    assert p.title == "Polk 2013 Sweep Nets 92"
    assert p.date.value == "2013-05-17"


@pytest.mark.parametrize("entry", [
    "National Assessment Survey & Interview",
    "Interview with the police chief, 2012",
    "The chief said the stings would continue.",
    "“”, Outlet, 2012",
    "A long line of narrative text that goes on and on and on about things, then somebody said “stop it,” the end.",
])
def test_parse_entry_without_quoted_title_is_no_citation(entry, lex):
    assert parse_entry(entry, lex) is None


def test_parse_entry_prefers_the_date_the_dates_component_found(lex):
    entry = "“Cops Nab Customers,” New London Day, May 25 1998."
    start = entry.index("May")
    p = parse_entry(entry, lex, [FoundDate(start, start + 11, "1998-05-25", None, "dates.mdy")])
    assert p.date.rule == "dates.mdy"
    # A coarser value over the same words is replaced by the full reading.
    p = parse_entry(entry, lex, [FoundDate(start + 7, start + 11, "1998", None, "dates.year")])
    assert p.date.value == "1998-05-25"


def test_citation_lexicon_rejects_bad_month(tmp_path):
    data = json.loads((MODELS_DIR / "citations" / "citations.json").read_text(encoding="utf-8"))
    data["months"]["smarch"] = 13
    path = tmp_path / "citations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuleFileError, match="citations.json"):
        load_lexicon(path, CitationLexicon)


PAGE = (
    "Springfield, OR\n\nTactics Used\n\nReverse Stings\n\nPolice ran a sting in 2011.\n\n"
    "Key Sources\n\nReverse Stings:\n\n"
    "  • “Sting Nets 12 Johns,” The Register-Guard, March 3 2011.\n"
    "  \"Second Sting Nets 9\", KEZI 9 News/ABC, 2012-04-05\n\n"
    "National Assessment Survey & Interview\n\n"
    "Background on Local Prostitution:\n\n"
    "  • “Street Scene Changes,” The Springfield Times, Oct. 1, 1999.\n\n"
    "State Oregon\nType City\nPopulation 62256\nComments are closed.\n")


def test_component_reads_entries_with_their_headings(extract_text):
    record = extract_text(PAGE)
    got = [(c["title"], c["outlet"], c["date"]["value"], c["heading"]) for c in record["citations"]]
    assert got == [
        ("Sting Nets 12 Johns", "The Register-Guard", "2011-03-03", "Reverse Stings:"),
        ("Second Sting Nets 9", "KEZI 9 News/ABC", "2012-04-05", "Reverse Stings:"),
        ("Street Scene Changes", "The Springfield Times", "1999-10-01", "Background on Local Prostitution:"),
    ]
    for c in record["citations"]:
        assert 0 <= c["confidence"] <= 1
        assert PAGE[c["span"]["start"]:c["span"]["end"]] == c["span"]["text"]
        assert c["span"]["text"].lstrip("• ").startswith(("“", "\""))


@pytest.mark.parametrize("variant", ["crlf", "bom_stripped_nbsp", "emoji"])
def test_component_spans_match_text_on_odd_text(variant, extract_text):
    text = PAGE
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "bom_stripped_nbsp":
        text = text.replace("Sting Nets 12", "Sting\u00a0Nets 12").replace(", The Register", ",\u00a0The Register")
    else:
        text = text.replace("Springfield, OR", "Springfield, OR 🚔").replace("Street Scene", "Street 🚨 Scene")
    record = extract_text(text)
    assert len(record["citations"]) == 3
    for c in record["citations"]:
        span = c["span"]
        assert text[span["start"]:span["end"]] == span["text"]
    assert record["citations"][0]["outlet"] == "The Register-Guard"


def lines_of(text):
    """SourceLines for a little sources list: "X:" lines are headings, other non-blank lines entries."""
    from pipeline.components.citations import SourceLine

    out, heading, pos = [], None, 0
    for raw in text.split("\n"):
        s = raw.strip(" •")
        if s.endswith(":"):
            heading = s
        elif s:
            start = pos + raw.index(s)
            out.append(SourceLine(start, start + len(s), heading))
        pos += len(raw) + 1
    return out


def test_read_sources_joins_a_title_wrapped_over_two_lines(lex):
    from pipeline.components.citations import read_sources

    text = ("Reverse Stings:\n  • “Sting Nets 12 Johns in a Long Operation That\n  Ran All Week,” The Courier, "
            "May 2 2011.\n  • “Next One,” The Courier, May 9 2011.\n")
    got = read_sources(text, lines_of(text), lex)
    assert [(p.title, p.outlet, p.date.value, h) for _, _, h, p in got] == [
        ("Sting Nets 12 Johns in a Long Operation That\n  Ran All Week", "The Courier", "2011-05-02",
         "Reverse Stings:"),
        ("Next One", "The Courier", "2011-05-09", "Reverse Stings:")]
    start, end = got[0][0], got[0][1]
    assert text[start:end].startswith("“Sting") and text[start:end].endswith("2011.")


def test_read_sources_uses_a_heading_line_without_colon(lex):
    from pipeline.components.citations import read_sources

    text = ("Sources:\nReverse Stings\n“A,” The Courier, 2011.\nJohn School\n“B,” The Courier, 2012.\n"
            "Auto Seizure:\n“C,” The Courier, 2013.\n")
    got = read_sources(text, lines_of(text), lex)
    assert [(p.title, h) for _, _, h, p in got] == [("A", "Reverse Stings"), ("B", "John School"),
                                                   ("C", "Auto Seizure:")]


def test_component_normalizes_whitespace_of_a_wrapped_title(extract_text):
    text = ("Springfield, OR\n\nPolice ran a sting in 2011.\n\nKey Sources\n\nReverse Stings:\n\n"
            "  • “Sting Nets 12 Johns in a Long Operation That\n    Ran All Week,” The Courier, May 2 2011.\n")
    record = extract_text(text)
    assert [(c["title"], c["date"]["value"]) for c in record["citations"]] == [
        ("Sting Nets 12 Johns in a Long Operation That Ran All Week", "2011-05-02")]
    span = record["citations"][0]["span"]
    assert text[span["start"]:span["end"]] == span["text"]


def test_parse_entry_straight_single_quotes_and_apostrophes(lex):
    p = parsed("'Cops Nab Prostitutes' Customers,' The Day, May 25, 1998.", lex)
    assert (p.title, p.outlet, p.date.value) == ("Cops Nab Prostitutes' Customers", "The Day", "1998-05-25")
    p = parsed("“The ‘John School’ Works,” The Sun, 2019", lex)
    assert p.title == "The ‘John School’ Works"


@pytest.mark.parametrize("entry", [
    "The chief's \"plan\" was announced in 2019",
    "Officers said “enough” after the 2019 sweep.",
])
def test_parse_entry_rejects_quotes_inside_prose(entry, lex):
    assert parse_entry(entry, lex) is None


def test_parse_entry_allows_a_lead_before_the_title(lex):
    p = parsed("Reverse stings: “Cops Nab Customers,” The Day, 1998", lex)
    assert (p.title, p.outlet) == ("Cops Nab Customers", "The Day")


def test_parse_unclosed_quote_needs_a_date(lex):
    from pipeline.components.citations import parse_unclosed

    p = parse_unclosed("“Prostitution Sting Nets 40, CBS/WFSB-TV 3, June 4 2007.", lex)
    assert (p.title, p.outlet, p.date.value, p.quote) == ("Prostitution Sting Nets 40", "CBS/WFSB-TV 3",
                                                          "2007-06-04", "curly_unclosed")
    assert parse_unclosed("“Prostitution Sting Nets 40, CBS/WFSB-TV 3", lex) is None
    assert parse_unclosed("“Closed,” The Day, 2007", lex) is None  # not unclosed: parse_entry reads it


def test_unclosed_citation_has_low_confidence(lex):
    from pipeline.components.citations import parse_unclosed, provisional_confidence

    unclosed = parse_unclosed("“Sting Nets 40, WFSB, June 4 2007.", lex)
    closed = parse_entry("“Sting Nets 40,” WFSB, June 4 2007.", lex)
    assert provisional_confidence(unclosed, lex) < provisional_confidence(closed, lex)


from hypothesis import given, settings, strategies as st  # noqa: E402

PIECES = st.sampled_from(["“", "”", "\"", "‘", "’", "'", ",", ".", " ", "\u00a0", "\n", "•", "May", "25",
                          "1998", "2013-01-25", "Sting", "Nets", "The", "Ledger", "p. A1", "by", ":", "–",
                          "(", ")", "Retrieved", "🚔", "12/31/2019"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=25).map("".join))
def test_parse_entry_never_fails_and_offsets_point_at_values(lex, entry):
    from pipeline.components.citations import parse_unclosed

    for p in (parse_entry(entry, lex), parse_unclosed(entry, lex)):
        if p is None:
            continue
        assert entry[p.title_start:p.title_end] == p.title and p.title.strip()
        if p.outlet is not None:
            assert entry[p.outlet_start:p.outlet_end] == p.outlet
        if p.date is not None:
            assert 0 <= p.date.start < p.date.end <= len(entry)


@pytest.mark.parametrize("entry, outlet", [
    ("“T,” The Ledger, Monday, May 25, 1998.", "The Ledger"),
    ("“T,” The Ledger, Thurs. May 25, 1998.", "The Ledger"),
    ("“T,” The Ledger, Summer 2010.", "The Ledger"),
    ("“T,” Sunday Times, 2010", "Sunday Times"),
    ("“T,” The Sun, 2010", "The Sun"),
    ("“T,” The Fall River Herald, Sun. May 2 2010", "The Fall River Herald"),
    ("“T,” KATC (online), May 2 2010", "KATC"),
])
def test_parse_entry_drops_weekdays_seasons_and_format_notes_from_outlet(entry, outlet, lex):
    assert parsed(entry, lex).outlet == outlet


def test_parsing_a_hostile_entry_is_linear(lex):
    """Quotes, apostrophes, commas and dates repeated: 10x the text costs about 10x, not 100x."""
    import time

    from pipeline.components.citations import parse_unclosed

    unit = "“Sting Nets 40, The Ledger’s ‘p. 3,’ May 25 1998, 2004, Sun. 'x' \"y "

    def cost(n):
        entry = (unit * (n // len(unit) + 1))[:n]
        start = time.perf_counter()
        parse_entry(entry, lex), parse_unclosed(entry, lex), find_date(entry, lex)
        return time.perf_counter() - start

    cost(5_000)
    small = min(cost(5_000) for _ in range(3))
    assert min(cost(50_000) for _ in range(2)) < 25 * small + 0.1
