"""Scoring against gold files (pipeline.evaluate) and the `profilex eval` command."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main as cli_main
from pipeline.evaluate import (Outcome, calibration, match_agencies, match_multiset, norm_name, norm_title,
                               parse_band_edges, rule_stats, score_document, year_of)


def gold(**fields):
    base = {"doc": "page.txt", "jurisdiction": {"name": None, "state": None, "state_code": None, "type": None},
            "population": {"value": None, "mentions": []}, "tactics_listed": [], "tactics_mentioned": [],
            "arrests": [], "dates": [], "agencies": [], "citations": []}
    base.update(fields)
    return base


def span(start=0, end=0, text="", rule=None):
    s = {"start": start, "end": end, "text": text}
    if rule:
        s["rule"] = rule
    return s


@pytest.mark.parametrize("a, b", [
    ("The Waterbury Police Department", "waterbury police department"),
    ("Worcester County Sheriff’s Office", "Worcester County Sheriff's Office"),
    ("U.S. Attorney's Office", "US Attorneys Office"),
    ("Drug & Gang Task Force", "Drug and Gang Task Force"),
])
def test_norm_name_reads_variants_as_one_name(a, b):
    assert norm_name(a) == norm_name(b)


def test_norm_name_keeps_different_agencies_apart():
    assert norm_name("Boston Police Department") != norm_name("Boston Police")
    assert norm_name("Theodore Police") != norm_name("odore Police")  # only a leading word "the" goes


def test_norm_title_drops_quotes_and_trailing_comma():
    assert norm_title("“Sting Nets 40,”") == norm_title("Sting Nets 40")


def test_match_multiset_uses_each_gold_item_once():
    flags, missed = match_multiset(["2008", "2008", "2010"], ["2008", "2008", "2008", "2011"])
    assert flags == [True, True, False, False]
    assert missed == ["2010"]


def test_match_agencies_by_name_or_alias_once_each():
    golds = [{"name": "Federal Bureau of Investigation", "aliases": ["FBI"]},
             {"name": "Waterbury Police Department", "aliases": []}]
    flags, missed = match_agencies(golds, ["FBI", "the Federal Bureau of Investigation", "Waterbury PD"])
    assert flags == [True, False, False]  # the FBI is one agency: the second name is an extra
    assert missed == ["Waterbury Police Department"]


def test_year_of_date_for_arrests():
    assert year_of({"value": "2018-06"}) == "2018"
    assert year_of({"value": "199X"}) == "199X"
    assert year_of(None) is None and year_of({"value": None}) is None


def test_score_document_arrests_match_on_count_and_year():
    g = gold(arrests=[{"count": 7, "date": {"value": "2018-06"}}, {"count": 6, "date": {"value": "2018-06"}},
                      {"count": 9, "date": None}])
    rec = {"arrests": [{"count": 7, "date": {"value": "2018-06-02"}, "span": span(rule="arrests.verb")},
                       {"count": 6, "date": {"value": "2019"}, "span": span(rule="arrests.verb")},
                       {"count": 9, "date": None, "span": span(rule="arrests.headline")}]}
    r = score_document(g, rec)
    t = r.tallies["arrests"]
    assert (t.tp, t.fp, t.fn) == (2, 1, 1)
    assert r.misses["arrests"] == [(6, "2018")]
    assert r.extras["arrests"] == [(6, "2019")]
    assert [(o.rule, o.right) for o in r.outcomes if o.field == "arrests"] == [
        ("arrests.verb", True), ("arrests.verb", False), ("arrests.headline", True)]


def test_score_document_tactics_population_and_jurisdiction():
    g = gold(tactics_listed=["Reverse Stings", "John School"], tactics_mentioned=["Reverse Stings"],
             population={"value": 40576, "mentions": [{"value": 40000, "qualifier": "about"}]},
             jurisdiction={"name": "Fitchburg", "state": "Massachusetts", "state_code": "MA", "type": "City"})
    rec = {"tactics": [{"label": "Reverse Stings", "listed": True, "evidence": [span()]},
                       {"label": "Cameras", "listed": False, "evidence": [span()]}],
           "population": {"value": 40576, "span": span(rule="population.footer"),
                          "mentions": [{"value": 40000, "span": span()}, {"value": 98000, "span": span()}]},
           "jurisdiction": {"name": "Fitchburg", "state_code": "MA", "type": "County", "spans": []}}
    r = score_document(g, rec)
    assert (r.tallies["tactics_listed"].tp, r.tallies["tactics_listed"].fn) == (1, 1)
    assert (r.tallies["tactics_mentioned"].tp, r.tallies["tactics_mentioned"].fp) == (1, 1)
    assert r.tallies["population"].tp == 1
    assert (r.tallies["population_mentions"].tp, r.tallies["population_mentions"].fp) == (1, 1)
    j = r.tallies["jurisdiction"]
    assert (j.tp, j.fp, j.fn) == (2, 1, 1)
    assert r.misses["jurisdiction"] == ["type=City"]
    right = {(o.field, o.item): o.right for o in r.outcomes}
    assert right[("tactics", "Reverse Stings")] and not right[("tactics", "Cameras")]
    assert right[("population", "40576")]
    assert not right[("jurisdiction", "name=Fitchburg, state_code=MA, type=County")]


def test_score_document_population_wrong_value_is_miss_and_extra():
    r = score_document(gold(population={"value": 114000, "mentions": []}), {"population": {"value": 1140}})
    t = r.tallies["population"]
    assert (t.tp, t.fp, t.fn) == (0, 1, 1)


def test_score_document_without_record_misses_everything():
    r = score_document(gold(dates=[{"value": "2008"}]), None)
    assert r.notes == ["no record"] and r.tallies["dates"].fn == 1


def test_score_document_checks_spans_against_text():
    text = "Police arrested 9 men in 2008."
    rec = {"dates": [{"value": "2008", "span": span(25, 29, "2008")},
                     {"value": "2009", "span": span(0, 4, "Nope")}]}
    r = score_document(gold(), rec, text)
    assert (r.spans_ok, r.spans_all) == (1, 2)
    assert any("bad span" in n for n in r.notes)


def test_score_document_citations_on_title_and_date():
    g = gold(citations=[{"title": "Sting Nets 40", "outlet": "WFSB", "date": "2007-06-04", "heading": None}])
    rec = {"citations": [{"title": "Sting Nets 40,", "outlet": "CBS", "date": {"value": "2007-06-04"},
                          "span": span()},
                         {"title": "Sting Nets 40", "date": {"value": "2007-06-05"}, "span": span()}]}
    t = score_document(g, rec).tallies["citations"]
    assert (t.tp, t.fp, t.fn) == (1, 1, 0)


def outcomes(pairs):
    return [Outcome("d", "dates", "r", c, ok, "") for c, ok in pairs]


def test_calibration_bands_count_items_and_right_ones():
    bands = calibration(outcomes([(0.1, False), (0.49, True), (0.5, True), (0.69, False), (0.95, True),
                                  (1.0, True), (None, True)]))
    assert [(b.low, b.high, b.n, b.right) for b in bands] == [
        (0.0, 0.5, 2, 1), (0.5, 0.7, 2, 1), (0.7, 0.9, 0, 0), (0.9, 1.0, 2, 2)]
    assert bands[0].accuracy == 0.5 and bands[2].accuracy is None
    assert bands[3].mean_confidence == pytest.approx(0.975)


def test_parse_band_edges():
    assert parse_band_edges("0.5,0.7,0.9") == (0.0, 0.5, 0.7, 0.9, 1.0)
    assert parse_band_edges("0.8") == (0.0, 0.8, 1.0)
    for bad in ("0.7,0.5", "0,0.5", "0.5,1.2", "0.5,0.5"):
        with pytest.raises(ValueError):
            parse_band_edges(bad)


def test_rule_stats_counts_per_field_and_rule():
    os = [Outcome("d", "dates", "a", 0.9, True, ""), Outcome("d", "dates", "a", 0.9, False, ""),
          Outcome("d", "agencies", "(none)", None, True, "")]
    assert rule_stats(os) == {"dates": {"a": {"n": 2, "right": 1}}, "agencies": {"(none)": {"n": 1, "right": 1}}}


# ---------------------------------------------------------------- the command


@pytest.fixture
def tiny(tmp_path):
    """A gold folder, a raw folder beside it and records for its two pages."""
    gold_dir, raw_dir = tmp_path / "set" / "gold", tmp_path / "set" / "raw"
    gold_dir.mkdir(parents=True)
    raw_dir.mkdir()
    text_a = "Police arrested 9 men in 2008 with the Springfield Police Department."
    (raw_dir / "a.txt").write_text(text_a, encoding="utf-8")
    (raw_dir / "b.txt").write_text("Nothing here.", encoding="utf-8")
    (gold_dir / "a.gold.json").write_text(json.dumps(gold(
        doc="a.txt", dates=[{"value": "2008"}], arrests=[{"count": 9, "date": {"value": "2008"}}],
        agencies=[{"name": "Springfield Police Department", "aliases": []}])), encoding="utf-8")
    (gold_dir / "b.gold.json").write_text(json.dumps(gold(doc="b.txt", dates=[{"value": "1999"}])),
                                          encoding="utf-8")
    rec_a = {"source": {"path": str(raw_dir / "a.txt")},
             "dates": [{"value": "2008", "span": span(25, 29, "2008", "dates.year"), "confidence": 0.95}],
             "arrests": [{"count": 9, "date": {"value": "2007"}, "span": span(16, 17, "9", "arrests.verb"),
                          "confidence": 0.6}],
             "agencies": [{"name": "Springfield Police Department", "confidence": 0.8,
                           "mentions": [span(39, 68, "Springfield Police Department", "agencies.full")]}]}
    rec_b = {"source": {"path": str(raw_dir / "b.txt")}, "dates": []}
    records = tmp_path / "records.jsonl"
    records.write_text("\n".join(json.dumps(r) for r in (rec_a, rec_b)) + "\n", encoding="utf-8")
    return gold_dir, records


def test_eval_prints_scores_misses_extras_and_bands(tiny, capsys):
    gold_dir, records = tiny
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records)]) == 0
    out = capsys.readouterr().out
    assert "2 gold documents, 2 records" in out
    assert [l for l in out.splitlines() if l.startswith("dates")][0].split()[2:5] == ["1.000", "0.500", "0.667"]
    assert "a.txt: arrests missed [(9, '2008')] extra [(9, '2007')]" in out
    assert "b.txt: dates missed ['1999'] extra []" in out
    assert "spans 3/3" in out
    all_row = [l for l in out.splitlines() if l.startswith("all ")][0]
    # right/items and share right per band 0-0.5, 0.5-0.7, 0.7-0.9, 0.9-1
    assert all_row.split()[1:] == ["0/0", "-", "0/1", "0%", "1/1", "100%", "1/1", "100%"]


def test_eval_json_has_figures_errors_and_calibration(tiny, capsys):
    gold_dir, records = tiny
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dates"]["tp"] == 1 and data["dates"]["fn"] == 1
    assert data["agencies"]["f1"] == 1.0
    assert {"doc": "a.txt", "field": "arrests", "missed": [[9, "2008"]], "extra": [[9, "2007"]]} in data["errors"]
    bands = data["calibration"]["all"]
    assert [b["n"] for b in bands] == [0, 1, 1, 1]
    assert [b["right"] for b in bands] == [0, 0, 1, 1]
    assert data["rules"]["arrests"] == {"arrests.verb": {"n": 1, "right": 0}}


def test_eval_calibrate_out_writes_rule_precision(tiny, tmp_path, capsys):
    gold_dir, records = tiny
    out = tmp_path / "confidence.json"
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records), "--summary",
                     "--calibrate-out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["rules"]["dates"] == {"dates.year": {"n": 1, "right": 1}}
    assert data["rules"]["arrests"] == {"arrests.verb": {"n": 1, "right": 0}}
    assert data["fields"]["population"]["features"]  # hand-set settings kept
    assert data["measured_on"]["documents"] == 2
    from pipeline.components.confidence import load_confidence_model
    assert load_confidence_model(tmp_path).rules["dates"]["dates.year"].right == 1


@pytest.mark.parametrize("argv, message", [
    (["--records", "X", "page.txt"], "not both"),
    (["--records", "missing.jsonl"], "cannot read records"),
    (["--bands", "0.9,0.5"], "band edges"),
])
def test_eval_usage_errors_exit_2(tiny, argv, message, capsys):
    gold_dir, _ = tiny
    assert cli_main(["eval", "--gold", str(gold_dir), *argv]) == 2
    assert message in capsys.readouterr().err


def test_eval_without_gold_files_is_usage_error(tmp_path, capsys):
    assert cli_main(["eval", "--gold", str(tmp_path), "--records", "x"]) == 2
    assert "no *.gold.json" in capsys.readouterr().err


def test_eval_runs_the_pipeline_on_the_raw_folder_beside_gold(tiny, capsys):
    gold_dir, _ = tiny
    assert cli_main(["eval", "--gold", str(gold_dir), "--summary"]) == 0
    out = capsys.readouterr().out
    assert "2 gold documents, 2 records" in out
    assert "no record" not in out


def test_eval_help_has_an_example():
    done = subprocess.run([sys.executable, "-m", "pipeline", "eval", "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "Example:" in done.stdout and "--calibrate-out" in done.stdout


SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


@pytest.mark.skipif(not SCORE_PY.is_file(), reason="shared/eval/score.py is not beside the repository")
def test_eval_agrees_with_the_shared_scorer(tiny, capsys):
    """Same counts as shared/eval/score.py (run as a program, never imported) on every field it scores."""
    gold_dir, records = tiny
    g = json.loads((gold_dir / "a.gold.json").read_text(encoding="utf-8"))
    g.update(tactics_listed=["Reverse Stings", "Cameras"], tactics_mentioned=["Reverse Stings"],
             population={"value": 40576, "mentions": []},
             jurisdiction={"name": "Springfield", "state": "Oregon", "state_code": "OR", "type": "City"},
             citations=[{"title": "Sting Nets 9", "outlet": "X", "date": "2008-05-02", "heading": None}])
    (gold_dir / "a.gold.json").write_text(json.dumps(g), encoding="utf-8")
    recs = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    recs[0].update(tactics=[{"label": "Reverse Stings", "listed": True, "evidence": [span(0, 6, "Police")]},
                            {"label": "John School", "listed": False, "evidence": [span(0, 6, "Police")]}],
                   population={"value": 40000, "mentions": []},
                   jurisdiction={"name": "Springfield", "state_code": "OR", "type": "County"},
                   citations=[{"title": "“Sting Nets 9,”", "date": {"value": "2008-05-02"}, "span": span(0, 1, "P")},
                              {"title": "Other", "date": None, "span": span(0, 1, "P")}])
    records.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCORE_PY), "--gold", str(gold_dir), "--raw",
                           str(gold_dir.parent / "raw"), "--records", str(records), "--json"],
                          capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout)
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records), "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    for name in ("tactics_listed", "tactics_mentioned", "population", "arrests", "dates", "agencies",
                 "citations", "jurisdiction"):
        assert {k: ours[name][k] for k in ("tp", "fp", "fn")} == {k: theirs[name][k] for k in ("tp", "fp", "fn")}, name
    assert ours["overall_f1"] == pytest.approx(theirs["overall_f1"])
    assert (ours["spans_valid"], ours["spans_total"]) == (theirs["spans_valid"], theirs["spans_total"])


def test_eval_checks_spans_from_raw_folder_when_paths_do_not_open(tiny, tmp_path, capsys):
    gold_dir, records = tiny
    recs = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    for r in recs:
        r["source"]["path"] = "elsewhere/raw/" + Path(r["source"]["path"]).name
    records.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records), "--summary"]) == 0
    assert "spans 3/3" in capsys.readouterr().out
    assert cli_main(["eval", "--gold", str(gold_dir), "--records", str(records), "--summary",
                     "--raw", str(tmp_path)]) == 0
    assert "spans 0/0" in capsys.readouterr().out


def test_score_document_leaves_out_fields_the_gold_file_does_not_annotate():
    g = {"doc": "page.txt", "dates": [{"value": "2008"}]}
    rec = {"dates": [{"value": "2008", "span": span()}], "agencies": [{"name": "X", "mentions": []}],
           "arrests": [{"count": 3, "span": span()}]}
    r = score_document(g, rec)
    assert r.tallies["dates"].tp == 1
    assert all((t.tp, t.fp, t.fn) == (0, 0, 0) for k, t in r.tallies.items() if k != "dates")
    assert {o.field for o in r.outcomes} == {"dates"}


def test_outcomes_carry_features_read_from_the_records_sections():
    from pipeline.evaluate import feature_stats

    g = gold(population={"value": 40576, "mentions": [{"value": 40000, "qualifier": "about"}]})
    rec = {"sections": [{"name": "footer", "span": span(100, 140)}],
           "population": {"value": 40576, "span": span(120, 125),
                          "mentions": [{"value": 40000, "qualifier": "about", "span": span(10, 16)},
                                       {"value": 90000, "qualifier": "about", "span": span(30, 36)}]}}
    r = score_document(g, rec)
    by_item = {(o.field, o.item): o.features for o in r.outcomes}
    assert by_item[("population", "40576")] == ("section:footer", "agrees_with_mention")
    assert by_item[("population.mentions", "40000")] == ("section:narrative", "agrees_with_footer")
    assert by_item[("population.mentions", "90000")] == ("section:narrative", "disagrees_with_footer")
    stats = feature_stats(r.outcomes)
    assert stats["population.mentions"]["disagrees_with_footer"] == {"n": 1, "right": 0}
