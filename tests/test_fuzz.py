"""Hostile input: property-based tests over the whole pipeline.

Whatever text arrives, extraction never raises, every span matches its text,
and the cost stays linear in the input. The example budget is fixed (and
derandomized under CI) so the suite stays fast and repeatable.
"""
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.records import iter_spans

CI = os.environ.get("CI") == "true"
BUDGET = settings(max_examples=40, deadline=None, derandomize=CI,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces of real profile text, so the generator reaches the extractors' rules.
FRAGMENTS = [
    "Fitchburg, MA", "Tactics Used", "Reverse Stings", "Categories:", "✓ Web stings", "Auto seizure\t✔",
    "In June 2018, police arrested seven men", "33 Johns, 7 Prostitutes", "Key Sources", "Key Partners",
    "“Sting Nets 40,” The Day, May 25 1998.", "State Massachusetts", "Type City", "Population 40576",
    "Comments are closed.", "the Waterbury PD", "Sheriff’s Office (PCSO)", "Federal Bureau of Investigation",
    "between 2012 and 2014", "the late 1990s", "since at least 1992", "the prior year", "a population of about 40,000",
    "1.2 million residents", "99999999999999999999 men were arrested", "February 30, 2019", "Population 1e999",
    "24/7", "(520) 791-4444", "a 14-year-old", "(", ")", "“", "”", "\u00a0", "\r\n", "\n\n", "\t", ",", ".",
]
ODD_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs",))
ASTRAL_AND_MARKS = st.sampled_from(["𝕏", "🚓", "👮🏽\u200d♀️", "\u0301", "\u200f", "\u202e", "\u200d", "\ufeff",
                                    "\x00", "\x1b", "\u2028", "\u2029", "ǅ", "İ", "ß"])
TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(ODD_CHARS, max_size=20), ASTRAL_AND_MARKS),
                 max_size=60).map("".join)


def assert_spans_valid(record: dict, text: str) -> None:
    def walk(obj):
        if isinstance(obj, dict):
            if {"start", "end", "text"} <= obj.keys() and isinstance(obj["start"], int):
                assert text[obj["start"]:obj["end"]] == obj["text"], obj
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)
    walk(record)


@BUDGET
@given(TEXTS)
def test_pipeline_never_raises_and_spans_match_on_arbitrary_text(extract_text, text):
    record = extract_text(text)
    assert_spans_valid(record, text)


@BUDGET
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=200).map("\n".join))
def test_pipeline_handles_any_arrangement_of_page_parts(extract_text, text):
    record = extract_text(text)
    assert_spans_valid(record, text)
    for arrest in record["arrests"]:
        assert arrest["count"] < 10 ** 6
    population = record["population"] or {}
    assert population.get("value") is None or population["value"] < 10 ** 9


@BUDGET
@given(st.text(min_size=1, max_size=300))
def test_lone_surrogates_and_controls_never_break_extraction(extract_text, text):
    record = extract_text(text)
    assert_spans_valid(record, text)


def test_very_long_line_of_numbers(extract_text):
    text = " ".join(str(n) for n in range(20000))
    assert_spans_valid(extract_text(text), text)


def test_deep_nesting_of_brackets_and_quotes(extract_text):
    text = "(" * 5000 + "Police Department (PD)" + ")" * 5000 + "“" * 3000
    assert_spans_valid(extract_text(text), text)


ADVERSARIAL_UNIT = ("Police Department of the Sheriff’s Office (PD) arrested 12 men, 7 johns and "
                    "3 pimps in May 2013, 1998, 2004 and the late 1990s; population 40,000; Reverse "
                    "stings, vehicle seizure, “Sting Nets 40,” ")


def _time_extract(extract_text, text: str) -> float:
    start = time.perf_counter()
    extract_text(text)
    return time.perf_counter() - start


def test_cost_is_linear_on_a_long_adversarial_line(extract_text):
    """A 1 MB line costs no more than ~linear in a 100 KB one (generous bound for noise)."""
    small = (ADVERSARIAL_UNIT * (100_000 // len(ADVERSARIAL_UNIT) + 1))[:100_000]
    large = (ADVERSARIAL_UNIT * (1_000_000 // len(ADVERSARIAL_UNIT) + 1))[:1_000_000]
    _time_extract(extract_text, small)  # warm caches
    t_small = min(_time_extract(extract_text, small) for _ in range(2))
    t_large = _time_extract(extract_text, large)
    assert t_large < 25 * t_small, f"100 KB took {t_small:.2f}s, 1 MB took {t_large:.2f}s"
