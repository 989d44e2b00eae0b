"""Confidence: measured rule precision, section and agreement features, bounds and ordering."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from pipeline.components.confidence import (ConfidenceModel, Context, base_confidence, features, finalize,
                                            item_rule, iter_items, load_confidence_model, mention_agrees,
                                            score_item, sections_lookup)
from pipeline.rules import MODELS_DIR, RuleFileError


@pytest.fixture(scope="module")
def model() -> ConfidenceModel:
    return load_confidence_model()


def plain_model(**update) -> ConfidenceModel:
    data = {"default": 0.6, "prior_weight": 4, "fields": {}, "rules": {}}
    data.update(update)
    return ConfidenceModel.model_validate(data)


def span(start, end=None, rule=None):
    s = {"start": start, "end": end if end is not None else start + 1, "text": "x"}
    if rule:
        s["rule"] = rule
    return s


def sections(footer_from=None, partners=None, sources_from=None):
    def section_at(offset):
        if footer_from is not None and offset >= footer_from:
            return "footer"
        if sources_from is not None and offset >= sources_from:
            return "sources"
        if partners and partners[0] <= offset < partners[1]:
            return "partners"
        return "narrative"
    return section_at


@pytest.mark.parametrize("value, qualifier, figure, agrees", [
    (40000, "about", 40576, True), (114000, "about", 113811, True), (40000, "about", 60000, False),
    (40000, "over", 40576, True), (40000, "over", 39000, False), (50000, "under", 40576, True),
    (40576, "exact", 40576, True), (18000, "exact", 40576, False), (0, "about", 40576, False),
])
def test_mention_agrees_with_figure(value, qualifier, figure, agrees):
    assert mention_agrees(value, qualifier, figure) is agrees


def test_base_confidence_smooths_measured_precision_toward_prior():
    m = plain_model(rules={"dates": {"dates.year": {"n": 10, "right": 9}, "dates.rare": {"n": 1, "right": 1}}})
    assert base_confidence("dates", "dates.year", 0.6, m) == pytest.approx((9 + 4 * 0.6) / 14)
    # One right item is not certainty.
    assert base_confidence("dates", "dates.rare", 0.6, m) == pytest.approx((1 + 2.4) / 5)
    # A rule never measured keeps its prior.
    assert base_confidence("dates", "dates.new", 0.6, m) == 0.6


def test_unknown_rule_uses_provisional_then_field_default_then_global_default():
    m = plain_model(fields={"agencies": {"default": 0.55}})
    ctx = Context()
    assert score_item("agencies", {"name": "X", "confidence": 0.8}, ctx, m) == 0.8
    assert score_item("agencies", {"name": "X"}, ctx, m) == 0.55
    assert score_item("dates", {"value": "2008"}, ctx, m) == 0.6


def test_item_rule_is_the_first_span_naming_one():
    assert item_rule("agencies", {"mentions": [span(0), span(5, rule="agencies.full")]}) == "agencies.full"
    assert item_rule("tactics", {"span": None, "evidence": [span(3, rule="tactics.evidence")]}) == "tactics.evidence"
    assert item_rule("dates", {"span": span(0)}) == "(none)"


def test_footer_population_beats_narrative_population(model):
    ctx = Context(section_at=sections(footer_from=1000))
    footer = {"value": 40576, "span": span(1200, rule="population.figure"), "mentions": []}
    narrative = {"value": 40576, "span": span(100, rule="population.figure"), "mentions": []}
    assert score_item("population", footer, ctx, model) > score_item("population", narrative, ctx, model)


def test_mention_agreeing_with_footer_beats_one_that_does_not(model):
    pop = {"value": 40576, "span": span(1200), "mentions": []}
    ctx = Context(section_at=sections(footer_from=1000), population=pop)
    agree = {"value": 40000, "qualifier": "about", "span": span(10, rule="population.mention")}
    disagree = {"value": 90000, "qualifier": "about", "span": span(20, rule="population.mention")}
    assert features("population.mentions", agree, ctx) == ["section:narrative", "agrees_with_footer"]
    assert score_item("population.mentions", agree, ctx, model) > score_item("population.mentions", disagree,
                                                                              ctx, model)


def test_evidenced_listed_tactic_beats_listed_only(model):
    ctx = Context()
    both = {"label": "Reverse Stings", "listed": True, "span": span(5), "evidence": [span(300)]}
    listed = {"label": "Cameras", "listed": True, "span": span(20), "evidence": []}
    assert score_item("tactics", both, ctx, model) > score_item("tactics", listed, ctx, model)


def test_feature_weights_shift_confidence_both_ways():
    m = plain_model(fields={"tactics": {"default": 0.7, "features": {"unknown_label": -0.7,
                                                                     "several_evidence": 0.4}}})
    known = {"label": "Cameras", "listed": True, "span": span(20), "evidence": []}
    unknown = {**known, "label": "Shaming Billboards", "known": False}
    evidenced = {**known, "listed": False, "span": None, "evidence": [span(30), span(40)]}
    ctx = Context()
    assert score_item("tactics", unknown, ctx, m) < score_item("tactics", known, ctx, m) == 0.7 \
        < score_item("tactics", evidenced, ctx, m)


def test_agency_named_several_times_beats_one_named_once(model):
    ctx = Context(section_at=sections(partners=(900, 1000)))
    once = {"name": "A Police Department", "mentions": [span(10)]}
    often = {"name": "B Police Department", "mentions": [span(10), span(200)]}
    partner = {"name": "C Police Department", "mentions": [span(10), span(950)]}
    assert score_item("agencies", often, ctx, model) > score_item("agencies", once, ctx, model)
    assert score_item("agencies", partner, ctx, model) > score_item("agencies", often, ctx, model)


def test_arrest_count_restated_and_date_in_citation_raise_confidence(model):
    a = {"count": 33, "span": span(10), "date": None}
    b = {"count": 33, "span": span(900), "date": None}
    c = {"count": 5, "span": span(50), "date": None}
    ctx = Context(arrests=[a, b, c])
    assert "count_restated" in features("arrests", a, ctx)
    assert "count_restated" not in features("arrests", c, ctx)
    ctx = Context(citation_spans=[(800, 900)])
    assert "in_citation" in features("dates", {"value": "2006", "span": span(880, 884)}, ctx)
    assert "in_citation" not in features("dates", {"value": "2006", "span": span(100, 104)}, ctx)


@given(base=st.floats(0, 1), shift=st.floats(-50, 50), n=st.integers(0, 50), right=st.integers(0, 50))
def test_confidence_stays_within_bounds(base, shift, n, right):
    m = plain_model(fields={"dates": {"features": {"section:narrative": shift}}},
                    rules={"dates": {"r": {"n": max(n, right), "right": right}}})
    c = score_item("dates", {"value": "2008", "span": span(0, rule="r"), "confidence": base}, Context(), m)
    assert 0 <= c <= 1


def test_finalize_sets_every_item(model):
    out = {"jurisdiction": {"name": "Fitchburg", "spans": [span(0)]},
           "population": {"value": 40576, "span": span(500), "mentions": [{"value": 40000, "span": span(3)}]},
           "tactics": [{"label": "Reverse Stings", "listed": True, "span": span(20)}],
           "arrests": [{"count": 9, "span": span(40)}], "dates": [{"value": "2008", "span": span(44)}],
           "agencies": [{"name": "X", "mentions": [span(60)]}],
           "citations": [{"title": "T", "span": span(700, 760)}]}
    finalize(out, sections(footer_from=400), model)
    items = list(iter_items(out))
    assert {f for f, _ in items} == {"jurisdiction", "population", "population.mentions", "tactics", "arrests",
                                     "dates", "agencies", "citations"}
    assert all(0 <= item["confidence"] <= 1 for _, item in items)


def test_confidence_file_errors_name_the_file(tmp_path):
    data = json.loads((MODELS_DIR / "confidence.json").read_text(encoding="utf-8"))
    for bad in ({"fields": {"weather": {}}}, {"rules": {"dates": {"r": {"n": 1, "right": 2}}}},
                {"default": 1.5}):
        path = tmp_path / "confidence.json"
        path.write_text(json.dumps({**data, **bad}), encoding="utf-8")
        with pytest.raises(RuleFileError, match="confidence.json"):
            load_confidence_model(tmp_path)


PAGE = ("Springfield, OR\n\nThe city, with a population of 62,256, ran a reverse sting in 2011.\n\n"
        "State Oregon\nType City\nPopulation 62256\nComments are closed.\n")


def test_component_ranks_footer_population_above_narrative_one(nlp):
    """The component on a real layout: the same figure and rule, found in the footer or the narrative."""
    from pipeline.spans import make_span, results

    def confidence_at(figure_text):
        doc = nlp.make_doc(PAGE)
        for name, pipe in nlp.pipeline:
            if name != "profilex_confidence":
                doc = pipe(doc)
        start = PAGE.index(figure_text)
        results(doc)["population"] = {"value": 62256, "mentions": [],
                                      "span": make_span(PAGE, start, start + len(figure_text), "population.test")}
        doc = nlp.get_pipe("profilex_confidence")(doc)
        return results(doc)["population"]["confidence"]

    footer, narrative = confidence_at("62256"), confidence_at("62,256")
    assert 0 < narrative < footer < 1


def test_pipeline_items_all_carry_confidence_within_bounds(extract_text):
    record = extract_text(PAGE + "\nKey Sources\n\nReverse Stings:\n\n  • “Sting Nets 9,” The Register, May 2 2011.\n")
    items = list(iter_items(record))
    assert items
    for _, item in items:
        assert 0 <= item["confidence"] <= 1


def test_citations_and_confidence_round_trip_through_to_disk(tmp_path):
    """spacy.load gives the same output, from the lexicon and calibration saved with the pipeline."""
    import spacy

    import pipeline.components.citations  # noqa: F401  (registers the factories)
    import pipeline.components.layout  # noqa: F401

    nlp = spacy.blank("en")
    for name in ("sentencizer", "profilex_layout", "profilex_citations", "profilex_confidence"):
        nlp.add_pipe(name)
    nlp.to_disk(tmp_path / "pipe")
    saved = tmp_path / "pipe" / "profilex_confidence" / "confidence.json"
    assert saved.is_file() and (tmp_path / "pipe" / "profilex_citations" / "citations.json").is_file()
    text = ("Title\n\nKey Sources\n\nReverse Stings:\n\n  • “Sting Nets 9,” The Courier, May 2 2011.\n")
    from pipeline.spans import results

    first = results(nlp(text))["citations"]
    assert first == results(spacy.load(tmp_path / "pipe")(text))["citations"] and first[0]["title"] == "Sting Nets 9"
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["rules"] = {}
    data["fields"]["citations"] = {"default": 0.2, "features": {}}
    saved.write_text(json.dumps(data), encoding="utf-8")
    changed = results(spacy.load(tmp_path / "pipe")(text))["citations"]
    assert changed[0]["confidence"] < first[0]["confidence"]


def test_sections_lookup_reads_a_records_sections():
    at = sections_lookup([{"name": "footer", "span": span(90, 120)}, {"name": "title", "span": span(0, 10)},
                          {"name": "sources", "span": span(50, 80)}])
    assert [at(o) for o in (0, 9, 10, 55, 80, 95, 500)] == [
        "title", "title", "narrative", "sources", "narrative", "footer", "narrative"]


def test_finalize_is_linear_in_the_number_of_items(model):
    import time

    def cost(n):
        out = {"arrests": [{"count": i % 50, "span": span(i)} for i in range(n)],
               "dates": [{"value": "2008", "span": span(i)} for i in range(n)],
               "citations": [{"title": "t", "span": span(i * 10, i * 10 + 5)} for i in range(n)]}
        start = time.perf_counter()
        finalize(out, lambda offset: "narrative", model)
        return time.perf_counter() - start

    small = min(cost(500) for _ in range(3))
    assert min(cost(5000) for _ in range(2)) < 25 * small + 0.1
