"""The library interface: profilex from Python, without the command line.

    from pipeline import api

    records = list(api.extract(["raw/"]))           # Record models, input order
    frames = api.to_frames(records)                 # {"arrests": DataFrame, ...}
    frames["arrests"].groupby(frames["arrests"].date_start.dt.year)["count"].sum()
    api.export(records, "sqlite", "profiles.sqlite")  # or "postgres", URL / parquet, csv, jsonl, folder

`extract` uses the spaCy pipeline built once per process (pipeline.nlp.shared_nlp)
and the same stages as `profilex run`; a page that cannot be read or
processed is reported to `on_error` (default: logged as a warning) and
skipped. Tables, column types and export semantics are those of
pipeline.tables and pipeline.export.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Union

import pandas as pd

from pipeline.export import ExportReport, apply_review, read_records, read_tables
from pipeline.export import export as _export
from pipeline.records import Record
from pipeline.tables import TABLES, edtf_range
from pipeline.tables import to_frames as _to_frames

log = logging.getLogger("profilex")

__all__ = ["extract", "to_frames", "export", "read_records", "read_tables", "apply_review",
           "edtf_range", "TABLES", "ExportReport"]


def _log_error(line: dict) -> None:
    log.warning("%s: %s: %s", line["source"], line["error"], line["message"])


def extract(paths: Union[str, Path, Iterable[Union[str, Path]]], *, models_dir: Optional[str] = None,
            out_dir: Optional[Union[str, Path]] = None,
            on_error: Optional[Callable[[dict], None]] = None) -> Iterator[Record]:
    """One Record per readable page of `paths` (files, or folders walked for .txt/.html/.htm).

    `out_dir`: where the text of HTML pages is saved (as `profilex run --out`).
    `on_error(line)` receives the errors.jsonl line of each page that failed.
    """
    from pipeline.load import expand_inputs
    from pipeline.nlp import shared_nlp
    from pipeline.run import extract as run_extract

    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = list(expand_inputs(str(p) for p in paths))
    nlp = shared_nlp(str(models_dir) if models_dir else None)
    report = on_error or _log_error
    for outcome in run_extract(files, nlp, models_dir=models_dir,
                               out_dir=Path(out_dir) if out_dir else None):
        if outcome.record is not None:
            yield outcome.record
        else:
            report(outcome.error)


def to_frames(records: Iterable[Any]) -> dict[str, pd.DataFrame]:
    """Records (Record models or their JSON dicts) -> {table name: DataFrame}.

    Tables: documents (one row per page) and one row per item in tactics,
    tactic_evidence, population_mentions, arrests, dates, agencies,
    agency_mentions, citations, flags; every row with doc_id, source_sha256,
    span_start/span_end/span_text, section, rule, extractor_version.
    """
    return _to_frames(records)


def export(records: Iterable[Any], fmt: str = "sqlite", to: Optional[str] = None, *,
           review_dir: Optional[Union[str, Path]] = None, prune: bool = False,
           rebuild: bool = False) -> ExportReport:
    """Export records to `to` in format `fmt` (sqlite, postgres, parquet, csv, jsonl).

    `review_dir`: a folder whose review.sqlite decisions are applied first.
    Without `to`, sqlite goes to extracted/profiles.sqlite and the file
    formats to extracted/tables/.
    """
    if review_dir is not None:
        records = apply_review(records, review_dir)
    return _export(records, fmt, to, prune=prune, rebuild=rebuild)
