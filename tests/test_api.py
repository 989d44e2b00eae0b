"""pipeline.api: extract pages to Record models, records to DataFrames, export."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline import api
from pipeline.records import Record

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"

PAGE = ("Erie, PA\n\nIn June 2018 police arrested 9 men in a reverse sting.\n\n"
        "State Pennsylvania\nType City\nPopulation 95508\n")


def test_extract_yields_records_in_input_order_and_reports_failures(tmp_path):
    (tmp_path / "b-erie.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "c-crlf.txt").write_bytes(PAGE.replace("\n", "\r\n").encode("utf-8"))
    failures = []
    records = list(api.extract(tmp_path, on_error=failures.append))
    assert all(isinstance(r, Record) for r in records)
    assert [Path(r.source.path).name for r in records] == ["b-erie.txt", "c-crlf.txt"]
    assert [(Path(f["source"]).name, f["error"]) for f in failures] == [("a-empty.txt", "empty")]
    for record in records:
        text = Path(record.source.path).read_bytes().decode("utf-8")
        record.model_validate(record.model_dump(), context={"text": text})  # every span matches the text


def test_extract_takes_single_paths_and_folders_alike(tmp_path):
    sample = sorted(RAW.glob("*.txt"))[:2]
    for path in sample:
        shutil.copy(path, tmp_path / path.name)
    one = list(api.extract(str(tmp_path / sample[0].name)))
    both = list(api.extract([tmp_path]))
    assert [r.doc_id for r in one] == [both[0].doc_id]
    assert len(both) == 2
    assert one[0].model_dump() == both[0].model_dump()


def test_to_frames_takes_models_or_dicts(tmp_path):
    (tmp_path / "erie.txt").write_text(PAGE, encoding="utf-8")
    records = list(api.extract(tmp_path))
    from_models = api.to_frames(records)
    from_dicts = api.to_frames(r.model_dump(mode="json") for r in records)
    assert set(from_models) == set(api.TABLES)
    for name in api.TABLES:
        pd.testing.assert_frame_equal(from_models[name], from_dicts[name], obj=name)
    docs = from_models["documents"]
    assert docs["doc_id"].tolist() == [records[0].doc_id]
    assert len(from_models["arrests"]) == len(records[0].arrests)
    assert len(from_models["dates"]) == len(records[0].dates)


def test_export_and_read_back(tmp_path):
    (tmp_path / "erie.txt").write_text(PAGE, encoding="utf-8")
    records = list(api.extract(tmp_path))
    target = str(tmp_path / "out.sqlite")
    report = api.export(records, "sqlite", target)
    assert report.added == [records[0].doc_id]
    back = api.read_tables("sqlite", target)
    assert back["documents"]["doc_id"].tolist() == [records[0].doc_id]
    assert len(back["citations"]) == len(records[0].citations)
    assert api.export(records, "sqlite", target).unchanged == [records[0].doc_id]
