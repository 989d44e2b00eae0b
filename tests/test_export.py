"""Export: tidy tables, every format read back with pandas, upserts, replacement, pruning.

The sample corpus (raw/) goes through the pipeline once per session; its
records (sparse while extractors land) plus one hand-made page that has
every kind of item are exported to every format and checked against the
records themselves, never against fixed counts.

PostgreSQL tests need PROFILEX_TEST_PG_URL (`. .ci/setup-postgres.sh`
starts a throwaway server and sets it): without it they skip locally and
fail under CI=true.
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import os
import sqlite3
import uuid
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pipeline import export as ex
from pipeline.records import Record
from pipeline.tables import TABLES, coerce, edtf_range, normalize, row_id, section_at, to_frames

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
FORMATS = ["jsonl", "csv", "parquet", "sqlite", "postgres"]

# ---------------------------------------------------------------- a page with every kind of item

RICH_TEXT = (
    "Springfield, IL\r\n\r\n"
    "Tactics Used\r\n\r\n"
    "Reverse stings\r\nJohn school\r\n\r\n"
    "Springfield is a city of about 114,000 residents. In June 2018 police arrested seven men "
    "in a reverse sting; their cars were seized. Six men were arrested on Main\u00a0Street. "
    "In the late 1990s the Springfield Police Department ran its first stings, and the SPD "
    "worked with the Sangamon County Sheriff\u2019s Office between 2012 and 2014. "
    "In the summer of 2019 the city held a John School \U0001F697 class.\r\n\r\n"
    "Key Sources\r\n\r\n"
    "\u201cPolice Arrest Seven Johns,\u201d Springfield Herald, May 25, 1998.\r\n\r\n"
    "State Illinois\r\nType City\r\nPopulation 114394\r\n"
)


def _span(needle: str, nth: int = 0, rule: str | None = None) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = RICH_TEXT.index(needle, start + 1)
    span = {"start": start, "end": start + len(needle), "text": needle}
    if rule:
        span["rule"] = rule
    return span


def _between(first: str, last: str) -> dict:
    start = RICH_TEXT.index(first)
    end = RICH_TEXT.index(last, start) + len(last)
    return {"start": start, "end": end, "text": RICH_TEXT[start:end]}


def rich_record(text_path: str) -> dict:
    sentence = _between("In June 2018", "were seized.")
    data = {
        "doc_id": "springfield-il",
        "source": {"path": text_path, "sha256": "ab" * 32, "chars": len(RICH_TEXT), "encoding": "utf-8"},
        "extractor": {"version": "0.1.0", "rules": "cd" * 32},
        "title": {"value": "Springfield, IL", "span": _span("Springfield, IL")},
        "jurisdiction": {"name": "Springfield", "state": "Illinois", "state_code": "IL", "type": "City",
                         "spans": [_span("Springfield, IL")]},
        "population": {"value": 114394, "span": _span("114394"),
                       "mentions": [{"value": 114000, "qualifier": "about", "span": _span("about 114,000"),
                                     "confidence": 0.8}]},
        "tactics": [
            {"label": "Reverse Stings", "listed": True, "span": _span("Reverse stings"),
             "evidence": [_span("reverse sting", rule="tactics.sting")]},
            {"label": "John School", "listed": True, "span": _span("John school"),
             "evidence": [_span("John School")]},
            {"label": "Auto Seizure", "listed": False, "evidence": [_span("cars were seized")]},
        ],
        "arrests": [
            {"count": 7, "qualifier": "exact", "role": "buyer", "date": {"value": "2018-06"},
             "span": _span("seven", rule="arrests.verb"), "sentence": sentence, "confidence": 0.9},
            {"count": 6, "qualifier": "exact", "role": "buyer", "date": {"value": "2018-06"},
             "span": _span("Six men were arrested")},
            {"count": 7, "qualifier": "exact", "role": "unknown", "date": {"value": "1998-05-25"},
             "section": "sources", "span": _span("Arrest Seven Johns")},
        ],
        "dates": [
            {"value": "2018-06", "span": _span("June 2018", rule="dates.month")},
            {"value": "199X", "mod": "END", "span": _span("the late 1990s")},
            {"value": "2012/2014", "span": _span("between 2012 and 2014")},
            {"value": "2019-22", "span": _span("summer of 2019")},
            {"value": "1998-05-25", "section": "sources", "span": _span("May 25, 1998")},
        ],
        "agencies": [
            {"name": "Springfield Police Department", "kind": "police", "aliases": ["SPD"],
             "mentions": [_span("Springfield Police Department"), _span("SPD")]},
            {"name": "Sangamon County Sheriff's Office", "kind": "sheriff",
             "mentions": [_span("Sangamon County Sheriff\u2019s Office")]},
        ],
        "citations": [
            {"title": "Police Arrest Seven Johns", "outlet": "Springfield Herald",
             "date": {"value": "1998-05-25"},
             "span": _between("\u201cPolice Arrest", "May 25, 1998.")},
        ],
        "sections": [
            {"name": "title", "span": _span("Springfield, IL")},
            {"name": "tactics", "span": _between("Tactics Used", "John school")},
            {"name": "narrative", "span": _between("Springfield is a city", "class.")},
            {"name": "sources", "span": _between("Key Sources", "May 25, 1998.")},
            {"name": "footer", "span": _between("State Illinois", "Population 114394")},
        ],
        "flags": [
            {"code": "population_mismatch", "message": "footer 114394, narrative about 114000",
             "span": _span("114394")},
            {"code": "no_date", "message": "a page-level note without a span"},
        ],
    }
    return Record.model_validate(data, context={"text": RICH_TEXT}).model_dump(mode="json")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def sample_dir(nlp, tmp_path_factory):
    """The pipeline run once on raw/, plus the hand-made page: DIR/records.jsonl."""
    from pipeline.run import run_batch

    out = tmp_path_factory.mktemp("sample")
    run_batch([str(RAW)], out, nlp)
    text_path = out / "springfield-il.txt"
    text_path.write_bytes(RICH_TEXT.encode("utf-8"))
    with open(out / "records.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(rich_record(str(text_path))) + "\n")
    return out


@pytest.fixture(scope="session")
def records(sample_dir) -> list[dict]:
    return list(ex.read_records(sample_dir / "records.jsonl"))


@pytest.fixture()
def pg_url():
    """A fresh database on the test PostgreSQL server, dropped afterwards."""
    base = os.environ.get("PROFILEX_TEST_PG_URL")
    if not base:
        reason = "PROFILEX_TEST_PG_URL is not set (source .ci/setup-postgres.sh to start a test server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run, not skip")
        pytest.skip(reason)
    import sqlalchemy as sa

    admin_url = ex.sql_url(base, "postgres")
    name = f"profilex_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def target_for(fmt: str, tmp_path: Path, request) -> str:
    if fmt == "postgres":
        return request.getfixturevalue("pg_url")
    if fmt == "sqlite":
        return str(tmp_path / "profiles.sqlite")
    return str(tmp_path / "tables")


# ---------------------------------------------------------------- expectations from the records

def document_text(record: dict) -> str:
    path = record["source"].get("text_path") or record["source"]["path"]
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode(record["source"]["encoding"])


def expected_items(rec: dict) -> dict[str, list[tuple]]:
    """(span start, span end, span text) of every row each table must hold for one record."""
    def s(span):
        return (span["start"], span["end"], span["text"]) if span else (None, None, None)

    pop = rec.get("population") or {}
    tactics = rec.get("tactics", [])
    agencies = rec.get("agencies", [])
    return {
        "documents": [s((rec.get("title") or {}).get("span"))],
        "tactics": [s(t.get("span") or (t["evidence"][0] if t["evidence"] else None)) for t in tactics],
        "tactic_evidence": [s(e) for t in tactics for e in t["evidence"]],
        "population_mentions": [s(m["span"]) for m in pop.get("mentions") or []],
        "arrests": [s(a["span"]) for a in rec.get("arrests", [])],
        "dates": [s(d["span"]) for d in rec.get("dates", [])],
        "agencies": [s(a["mentions"][0] if a["mentions"] else None) for a in agencies],
        "agency_mentions": [s(m) for a in agencies for m in a["mentions"]],
        "citations": [s(c["span"]) for c in rec.get("citations", [])],
        "flags": [s(f.get("span")) for f in rec.get("flags", [])],
    }


def _key(value):
    return None if pd.isna(value) else value


def check_tables_match_records(tables: dict[str, pd.DataFrame], records: list[dict]) -> None:
    """Row counts, spans, provenance and values of every table against the records."""
    assert set(tables) == set(TABLES)
    by_doc = {r["doc_id"]: r for r in records}
    for name, frame in tables.items():
        assert list(frame.columns) == [c.name for c in TABLES[name]], name
        expected = Counter((r["doc_id"], *item) for r in records for item in expected_items(r)[name])
        got = Counter((d, _key(a), _key(b), _key(t)) for d, a, b, t in
                      zip(frame["doc_id"], frame["span_start"], frame["span_end"], frame["span_text"]))
        assert got == expected, name
        assert frame["row_id"].is_unique, name
        for row in frame.itertuples():
            rec = by_doc[row.doc_id]
            assert row.source_sha256 == rec["source"]["sha256"]
            assert row.extractor_version == rec["extractor"]["version"]
            assert row.review_status == "open"
    texts = {r["doc_id"]: document_text(r) for r in records}
    for name, frame in tables.items():
        for row in frame.dropna(subset=["span_start"]).itertuples():
            assert texts[row.doc_id][row.span_start:row.span_end] == row.span_text, (name, row.row_id)
    docs = tables["documents"].set_index("doc_id")
    for rec in records:
        doc = docs.loc[rec["doc_id"]]
        assert doc["arrests"] == len(rec["arrests"]) and doc["citations"] == len(rec["citations"])
        assert doc["source_path"] == rec["source"]["path"]
        assert _key(doc["state_code"]) == (rec.get("jurisdiction") or {}).get("state_code")
        assert _key(doc["population"]) == (rec.get("population") or {}).get("value")
    arrests = {(r.doc_id, r.span_start): (r.count, r.role, _key(r.date_value)) for r in tables["arrests"].itertuples()}
    assert arrests == {(r["doc_id"], a["span"]["start"]): (a["count"], a["role"], (a.get("date") or {}).get("value"))
                       for r in records for a in r["arrests"]}
    dates = Counter((r.doc_id, r.date_value, _key(r.date_mod)) for r in tables["dates"].itertuples())
    assert dates == Counter((r["doc_id"], d["value"], d["mod"]) for r in records for d in r["dates"])
    for row in tables["dates"].itertuples():
        bounds = edtf_range(row.date_value)
        if bounds and bounds[0]:
            assert row.date_start.date() == bounds[0]


def sorted_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {n: f.sort_values("row_id").reset_index(drop=True) for n, f in tables.items()}


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    a, b = sorted_tables(a), sorted_tables(b)
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_categorical=False, obj=name)


# ---------------------------------------------------------------- EDTF -> calendar days

@pytest.mark.parametrize("value, start, end, granularity", [
    ("2008", "2008-01-01", "2008-12-31", "year"),
    ("2018-06", "2018-06-01", "2018-06-30", "month"),
    ("2020-02", "2020-02-01", "2020-02-29", "month"),
    ("1998-05-25", "1998-05-25", "1998-05-25", "day"),
    ("199X", "1990-01-01", "1999-12-31", "decade"),
    ("19XX", "1900-01-01", "1999-12-31", "century"),
    ("2019-21", "2019-03-01", "2019-05-31", "season"),
    ("2019-22", "2019-06-01", "2019-08-31", "season"),
    ("2019-23", "2019-09-01", "2019-11-30", "season"),
    ("2019-24", "2019-12-01", "2020-02-29", "season"),
    ("2012/2014", "2012-01-01", "2014-12-31", "interval"),
    ("2018-06/2019-03-02", "2018-06-01", "2019-03-02", "interval"),
    ("2008~", "2008-01-01", "2008-12-31", "year"),
    ("2012/..", "2012-01-01", None, "interval"),
    ("../2014", None, "2014-12-31", "interval"),
])
def test_edtf_range_gives_first_and_last_day(value, start, end, granularity):
    got = edtf_range(value)
    assert got == (dt.date.fromisoformat(start) if start else None,
                   dt.date.fromisoformat(end) if end else None, granularity)


@pytest.mark.parametrize("value", ["", "2019-13", "2019-02-30", "2019-25", "twenty", "2014/2012",
                                   "201", "2012/abc", "../..", None, 2008])
def test_edtf_range_rejects_what_is_not_a_value(value):
    assert edtf_range(value) is None


# ---------------------------------------------------------------- ids and sections

def test_row_ids_are_stable_and_ignore_case_and_spacing():
    assert row_id("a", "agencies", "Erie  Police\u00a0Department") == row_id("a", "agencies", "erie police department")
    assert row_id("a", "agencies", "Erie PD") != row_id("b", "agencies", "Erie PD")
    assert row_id("a", "agencies", "Erie PD") != row_id("a", "citations", "Erie PD")
    assert len(row_id("a", "dates", "2008", 10)) == 32
    assert normalize(None) == "" and normalize(" \uff21B ") == "ab"


def test_the_same_item_twice_gets_two_ids(tmp_path):
    rec = rich_record(str(tmp_path / "x.txt"))
    rec["flags"].append(dict(rec["flags"][1]))
    flags = to_frames([rec])["flags"]
    assert len(flags) == 3 and flags["row_id"].is_unique


def test_section_at_finds_the_section_holding_an_offset():
    sections = [{"name": "title", "span": {"start": 0, "end": 10}},
                {"name": "narrative", "span": {"start": 12, "end": 40}}]
    assert section_at(sections, 0) == "title"
    assert section_at(sections, 12) == "narrative"
    assert section_at(sections, 10) is None and section_at(sections, 40) is None
    assert section_at(sections, None) is None


# ---------------------------------------------------------------- frames

def test_frames_have_one_row_per_item_with_typed_columns(sample_dir, records):
    frames = to_frames(records)
    check_tables_match_records(frames, records)
    arrests = frames["arrests"]
    assert str(arrests["count"].dtype) == "Int64"
    assert str(arrests["date_start"].dtype) == "datetime64[s]"
    assert isinstance(arrests["role"].dtype, pd.CategoricalDtype)
    assert set(arrests["role"].cat.categories) >= {"buyer", "seller", "trafficker", "mixed", "unknown"}
    assert str(frames["tactics"]["listed"].dtype) == "boolean"
    assert str(frames["documents"]["population"].dtype) == "Int64"
    assert str(frames["documents"]["span_text"].dtype) == "string"


def test_rich_page_values(tmp_path):
    frames = to_frames([rich_record(str(tmp_path / "x.txt"))])
    doc = frames["documents"].iloc[0]
    assert (doc["jurisdiction_name"], doc["state_code"], doc["jurisdiction_type"], doc["population"]) == \
        ("Springfield", "IL", "City", 114394)
    assert (doc["tactics"], doc["tactics_listed"], doc["arrests"], doc["agency_mentions"], doc["flags"]) == \
        (3, 2, 3, 3, 2)
    assert doc["section"] == "title" and doc["span_text"] == "Springfield, IL"
    arrests = frames["arrests"].set_index("span_text")
    seven = arrests.loc["seven"]
    assert seven["count"] == 7 and seven["role"] == "buyer" and seven["rule"] == "arrests.verb"
    assert (seven["date_start"], seven["date_end"]) == (pd.Timestamp("2018-06-01"), pd.Timestamp("2018-06-30"))
    assert seven["section"] == "narrative" and seven["sentence_start"] < seven["span_start"]
    assert arrests.loc["Arrest Seven Johns", "section"] == "sources"
    dates = frames["dates"].set_index("date_value")
    assert dates.loc["199X", "date_mod"] == "END" and dates.loc["199X", "date_granularity"] == "decade"
    assert dates.loc["2019-22", "date_end"] == pd.Timestamp("2019-08-31")
    assert dates.loc["2012/2014", "date_granularity"] == "interval"
    tactics = frames["tactics"].set_index("label")
    assert tactics.loc["Auto Seizure", "listed"] == False  # noqa: E712 (pandas boolean)
    assert tactics.loc["Auto Seizure", "span_text"] == "cars were seized"
    assert tactics.loc["Reverse Stings", "section"] == "tactics"
    evidence = frames["tactic_evidence"]
    assert set(evidence["tactic_row_id"]) <= set(frames["tactics"]["row_id"])
    agencies = frames["agencies"].set_index("name")
    assert agencies.loc["Springfield Police Department", "aliases"] == "SPD"
    assert agencies.loc["Springfield Police Department", "mention_count"] == 2
    mentions = frames["agency_mentions"]
    assert set(mentions["agency_row_id"]) == set(frames["agencies"]["row_id"])
    citation = frames["citations"].iloc[0]
    assert citation["date_start"] == pd.Timestamp("1998-05-25") and citation["section"] == "sources"
    flags = frames["flags"].set_index("code")
    assert pd.isna(flags.loc["no_date", "span_start"]) and flags.loc["population_mismatch", "section"] == "footer"
    mention = frames["population_mentions"].iloc[0]
    assert (mention["value"], mention["qualifier"], mention["confidence"]) == (114000, "about", 0.8)


def test_coerce_reads_back_strings_as_types():
    frame = pd.DataFrame({"row_id": ["x"], "doc_id": ["d"], "count": ["7"], "listed": ["True"],
                          "date_start": ["2018-06-01"], "role": ["buyer"], "confidence": ["0.5"]})
    arrests = coerce(frame, "arrests")
    assert arrests["count"].tolist() == [7] and arrests["date_start"].iloc[0] == pd.Timestamp("2018-06-01")
    assert arrests["role"].iloc[0] == "buyer" and arrests["confidence"].iloc[0] == 0.5
    assert coerce(frame, "tactics")["listed"].tolist() == [True]


def test_a_doc_id_twice_is_refused(tmp_path):
    rec = rich_record(str(tmp_path / "x.txt"))
    with pytest.raises(ValueError, match="springfield-il"):
        to_frames([rec, rec])


# ---------------------------------------------------------------- every format

@pytest.mark.parametrize("fmt", FORMATS)
def test_export_reads_back_with_pandas_and_matches_the_records(fmt, records, tmp_path, request):
    target = target_for(fmt, tmp_path, request)
    report = ex.export(records, fmt, target)
    assert sorted(report.added) == sorted(r["doc_id"] for r in records)
    back = ex.read_tables(fmt, target)
    check_tables_match_records(back, records)
    assert_same_tables(back, to_frames(records))


@pytest.mark.parametrize("fmt", FORMATS)
def test_exporting_twice_leaves_the_same_rows(fmt, records, tmp_path, request):
    target = target_for(fmt, tmp_path, request)
    ex.export(records, fmt, target)
    first = ex.read_tables(fmt, target)
    report = ex.export(records, fmt, target)
    assert report.added == [] and report.replaced == [] and len(report.unchanged) == len(records)
    assert_same_tables(ex.read_tables(fmt, target), first)


def _changed(records: list[dict]) -> tuple[list[dict], str]:
    """The records with the hand-made page changed: one arrest fewer, a date moved."""
    new = copy.deepcopy(records)
    page = next(r for r in new if r["doc_id"] == "springfield-il")
    page["arrests"] = page["arrests"][1:]
    page["dates"][0]["value"] = "2018"
    return new, page["doc_id"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_changed_page_replaces_only_its_rows(fmt, records, tmp_path, request):
    target = target_for(fmt, tmp_path, request)
    ex.export(records, fmt, target)
    before = ex.read_tables(fmt, target)
    new, changed = _changed(records)
    report = ex.export(new, fmt, target)
    assert report.replaced == [changed] and report.added == []
    after = ex.read_tables(fmt, target)
    check_tables_match_records(after, new)
    for name in TABLES:
        old_rest = before[name][before[name]["doc_id"] != changed]
        new_rest = after[name][after[name]["doc_id"] != changed]
        pd.testing.assert_frame_equal(sorted_tables({name: old_rest})[name], sorted_tables({name: new_rest})[name],
                                      check_categorical=False, obj=name)
    arrests = after["arrests"]
    assert len(arrests[arrests["doc_id"] == changed]) == 2
    # rows that did not change keep their ids
    kept = set(before["agencies"]["row_id"]) & set(after["agencies"]["row_id"])
    assert kept == set(before["agencies"]["row_id"])


@pytest.mark.parametrize("fmt", ["sqlite", "parquet", "postgres"])
def test_a_vanished_page_is_removed_only_with_prune(fmt, records, tmp_path, request):
    target = target_for(fmt, tmp_path, request)
    ex.export(records, fmt, target)
    rest = [r for r in records if r["doc_id"] != "springfield-il"]
    report = ex.export(rest, fmt, target)
    assert report.kept == ["springfield-il"] and report.removed == []
    assert "springfield-il" in set(ex.read_tables(fmt, target)["documents"]["doc_id"])
    report = ex.export(rest, fmt, target, prune=True)
    assert report.removed == ["springfield-il"]
    after = ex.read_tables(fmt, target)
    for name in TABLES:
        assert "springfield-il" not in set(after[name]["doc_id"]), name
    check_tables_match_records(after, rest)


def test_a_failed_export_leaves_the_database_as_it_was(records, tmp_path, monkeypatch):
    target = str(tmp_path / "p.sqlite")
    ex.export(records, "sqlite", target)
    before = ex.read_tables("sqlite", target)
    new, _ = _changed(records)
    real = ex.frame_rows

    def failing(frame, table):
        if table == "flags":
            raise RuntimeError("disk full")
        return real(frame, table)

    monkeypatch.setattr(ex, "frame_rows", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        ex.export(new, "sqlite", target)
    assert_same_tables(ex.read_tables("sqlite", target), before)


def test_a_database_of_another_schema_version_needs_rebuild(records, tmp_path):
    target = str(tmp_path / "p.sqlite")
    ex.export(records, "sqlite", target)
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE export_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(ex.ExportError, match="--rebuild"):
        ex.export(records, "sqlite", target)
    report = ex.export(records, "sqlite", target, rebuild=True)
    assert len(report.added) == len(records)


def test_sqlite_has_indexes_on_doc_id_and_filter_columns(records, tmp_path):
    target = tmp_path / "p.sqlite"
    ex.export(records, "sqlite", str(target))
    with sqlite3.connect(target) as conn:
        indexed = set()
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for index in conn.execute(f"PRAGMA index_list('{table}')").fetchall():
                for info in conn.execute(f"PRAGMA index_info('{index[1]}')"):
                    indexed.add((table, info[2]))
        # plain pandas reads the database too
        frame = pd.read_sql("SELECT d.state_code, a.count, a.date_start FROM arrests a "
                            "JOIN documents d USING (doc_id)", conn)
    assert len(frame) == sum(len(r["arrests"]) for r in records)
    for table in TABLES:
        assert (table, "doc_id") in indexed, table
    for table, column in [("documents", "state_code"), ("tactics", "label"), ("arrests", "role"),
                          ("arrests", "date_start"), ("dates", "date_start"), ("agencies", "kind")]:
        assert (table, column) in indexed, (table, column)


def test_parquet_stores_real_types(records, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ex.export(records, "parquet", str(tmp_path))
    schema = pq.read_schema(tmp_path / "arrests.parquet")
    assert schema.field("date_start").type == pa.date32()
    assert schema.field("count").type == pa.int64()
    assert pa.types.is_dictionary(schema.field("role").type)
    frame = pd.read_parquet(tmp_path / "dates.parquet")
    assert len(frame) == sum(len(r["dates"]) for r in records)


# ---------------------------------------------------------------- review decisions

def test_without_review_database_every_row_is_open(records, tmp_path):
    assert ex.apply_review(records, tmp_path) == records
    frames = to_frames(records)
    assert all((f["review_status"] == "open").all() for f in frames.values())


def test_review_decisions_are_applied_to_the_rows(records, tmp_path):
    """Decisions stored by the review app: rejected rows dropped, corrections and statuses in the rows."""
    from pipeline.review.store import DecisionStore

    page = next(r for r in records if r["doc_id"] == "springfield-il")
    text = document_text(page)
    store = DecisionStore(tmp_path / "review.sqlite")
    seven, six = page["arrests"][0], page["arrests"][1]
    police = page["agencies"][0]
    common = {"doc_id": page["doc_id"], "text": text, "reviewer": "ann"}
    store.add(**common, field="arrests", action="reject", item_index=0, key={"count": 7}, span=seven["span"])
    store.add(**common, field="arrests", action="correct", item_index=1, key={"count": 6}, span=six["span"],
              value={"count": 5})
    store.add(**common, field="agencies", action="accept", item_index=0, key={"name": police["name"]},
              span=police["mentions"][0])
    store.close()
    reviewed = ex.apply_review(records, tmp_path)
    frames = to_frames(reviewed)
    arrests = frames["arrests"][frames["arrests"]["doc_id"] == page["doc_id"]].set_index("span_text")
    assert "seven" not in arrests.index
    assert arrests.loc["Six men were arrested", "count"] == 5
    assert arrests.loc["Six men were arrested", "review_status"] == "corrected"
    assert arrests.loc["Arrest Seven Johns", "review_status"] == "open"
    agencies = frames["agencies"].set_index("name")
    assert agencies.loc[police["name"], "review_status"] == "accepted"
    mentions = frames["agency_mentions"]
    assert set(mentions[mentions["agency_name"] == police["name"]]["review_status"]) == {"accepted"}
    others = frames["arrests"][frames["arrests"]["doc_id"] != page["doc_id"]]
    assert (others["review_status"] == "open").all()
    doc = frames["documents"].set_index("doc_id").loc[page["doc_id"]]
    assert doc["arrests"] == 2 and doc["stale_decisions"] == 0
    # exported: the reviewed page is replaced, the others are left alone
    target = str(tmp_path / "p.sqlite")
    ex.export(records, "sqlite", target)
    report = ex.export(reviewed, "sqlite", target)
    assert report.replaced == [page["doc_id"]] and len(report.unchanged) == len(records) - 1
    back = ex.read_tables("sqlite", target)["arrests"]
    assert sorted(back[back["doc_id"] == page["doc_id"]]["review_status"]) == ["corrected", "open"]


# ---------------------------------------------------------------- command line

def profilex(capsys, *args) -> tuple[int, str, str]:
    """Run the command line in this process: (exit status, stdout, stderr)."""
    from pipeline.cli import main

    capsys.readouterr()
    try:
        status = main(list(args))
    except SystemExit as exit_:  # argparse usage errors
        status = exit_.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_export_formats_are_the_exporters():
    from pipeline.commands import export as command

    assert command.FORMATS == ex.FORMATS


def test_cli_export_defaults_to_sqlite_in_the_folder(sample_dir, records, tmp_path, capsys):
    folder = tmp_path / "extracted"
    folder.mkdir()
    (folder / "records.jsonl").write_text((sample_dir / "records.jsonl").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    status, _, err = profilex(capsys, "export", str(folder))
    assert status == 0, err
    assert f"{len(records)} pages added" in err
    with sqlite3.connect(folder / "profiles.sqlite") as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == len(records)
    status, _, err = profilex(capsys, "export", str(folder))
    assert status == 0 and f"{len(records)} unchanged" in err
    status, _, err = profilex(capsys, "export", str(folder), "--format", "csv")
    assert status == 0, err
    assert len(pd.read_csv(folder / "tables" / "dates.csv")) == sum(len(r["dates"]) for r in records)


def test_cli_export_applies_a_review_database_named_with_review_db(sample_dir, records, tmp_path, capsys):
    from pipeline.review.store import DecisionStore

    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "records.jsonl").write_text((sample_dir / "records.jsonl").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    page = next(r for r in records if r["doc_id"] == "springfield-il")
    store = DecisionStore(tmp_path / "shared" / "decisions.sqlite")
    store.add(doc_id=page["doc_id"], text=document_text(page), reviewer="ann", field="dates", action="reject",
              item_index=0, key={"value": page["dates"][0]["value"]}, span=page["dates"][0]["span"])
    store.close()
    status, _, err = profilex(capsys, "export", str(folder), "--review-db", str(tmp_path / "shared" / "decisions.sqlite"))
    assert status == 0, err
    with sqlite3.connect(folder / "profiles.sqlite") as conn:
        spans = {t for t, in conn.execute("SELECT span_text FROM dates WHERE doc_id = ?", (page["doc_id"],))}
    assert spans == {d["span"]["text"] for d in page["dates"][1:]}


def test_cli_export_usage_errors(tmp_path, capsys, monkeypatch):
    status, _, err = profilex(capsys, "export", str(tmp_path))
    assert status == 2 and "records.jsonl" in err
    (tmp_path / "records.jsonl").write_text("")
    monkeypatch.delenv("PROFILEX_PG_URL", raising=False)
    status, _, err = profilex(capsys, "export", str(tmp_path), "--format", "postgres")
    assert status == 2 and "--to" in err
    status, _, err = profilex(capsys, "export", str(tmp_path), "--format", "postgres", "--to", "mysql://x/y")
    assert status == 2 and "not a PostgreSQL URL" in err
    status, _, err = profilex(capsys, "export", str(tmp_path), "--format", "xml")
    assert status == 2


def test_cli_export_names_a_bad_records_line(tmp_path, capsys):
    (tmp_path / "records.jsonl").write_text('{"doc_id": "x"}\n')
    status, _, err = profilex(capsys, "export", str(tmp_path))
    assert status == 1 and "line 1" in err and "Traceback" not in err


def test_schema_sql_creates_every_table(tmp_path, capsys):
    status, sql, _ = profilex(capsys, "schema", "--sql")
    assert status == 0
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        conn.executescript(sql)
        tables = {n for n, in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        columns = {row[1] for row in conn.execute("PRAGMA table_info('arrests')")}
    assert set(TABLES) <= tables
    assert columns == {c.name for c in TABLES["arrests"]}
    status, sql, _ = profilex(capsys, "schema", "--sql", "--dialect", "postgres")
    assert status == 0 and "CREATE TABLE arrests" in sql and "DATE" in sql


def test_schema_sql_runs_on_postgres(pg_url):
    import sqlalchemy as sa

    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(ex.schema_sql("postgres"))
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    assert set(TABLES) <= names
