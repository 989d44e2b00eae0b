"""`profilex eval`: precision, recall and F1 per field against gold files, and calibration."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

NAME = "eval"
POSITION = 20
HELP = ("Score records against gold files (*.gold.json): precision, recall and F1 per field, every "
        "miss and extra, and how often items of each confidence band are right. Runs the pipeline on "
        "INPUT first (default: the raw/ folder beside each gold folder) unless --records is given. "
        "Exit status: 0 scored, 2 usage error.")
EXAMPLE = ("profilex eval --gold corpus/dev2/gold corpus/dev2/raw\n"
           "  profilex eval --gold corpus/dev2/gold --records extracted/records.jsonl --json\n"
           "  profilex eval --gold corpus/dev/gold --gold corpus/dev2/gold "
           "--calibrate-out models/confidence.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="pages to run the pipeline on first (files or folders)")
    parser.add_argument("--gold", action="append", required=True, metavar="DIR",
                        help="folder of *.gold.json files (repeat for several)")
    parser.add_argument("--records", metavar="FILE", help="records.jsonl to score instead of running the pipeline")
    parser.add_argument("--raw", metavar="DIR",
                        help="where the pages are, to check spans when a record's source path does not "
                             "open from here (default: raw/ beside the gold folder)")
    parser.add_argument("--models", default=None, metavar="DIR",
                        help="rule model folder for the run (default: the project's models/)")
    parser.add_argument("--json", action="store_true", help="print the figures, errors and calibration as JSON")
    parser.add_argument("--summary", action="store_true", help="leave out the list of misses and extras")
    parser.add_argument("--bands", default="0.5,0.7,0.9", metavar="EDGES",
                        help="inner edges of the confidence bands (default 0.5,0.7,0.9)")
    parser.add_argument("--calibrate-out", metavar="FILE",
                        help="write a confidence file (models/confidence.json format) with each rule's "
                             "measured precision on these gold files; other settings are kept from FILE "
                             "if it exists, else from the models folder")


def _fail(message: str) -> int:
    print(f"profilex eval: {message}", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    from pipeline import evaluate as ev

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        edges = ev.parse_band_edges(args.bands)
    except ValueError as err:
        return _fail(str(err))
    if args.records and args.inputs:
        return _fail("give either --records or INPUT, not both")
    gold_dirs = [Path(g) for g in args.gold]
    golds: list[tuple[Path, dict]] = []
    for gold_dir in gold_dirs:
        if not gold_dir.is_dir():
            return _fail(f"no gold folder {gold_dir}")
        try:
            golds += [(gold_dir, g) for g in ev.read_gold_dir(gold_dir)]
        except (ValueError, json.JSONDecodeError) as err:
            return _fail(f"bad gold file in {gold_dir}: {err}")
    if not golds:
        return _fail("no *.gold.json files in " + ", ".join(map(str, gold_dirs)))

    if args.records:
        try:
            records = ev.read_records(Path(args.records))
        except (OSError, ValueError) as err:
            return _fail(f"cannot read records: {err}")
    else:
        inputs = args.inputs or [str(d.parent / "raw") for d in gold_dirs if (d.parent / "raw").is_dir()]
        if not inputs:
            return _fail("no INPUT, no --records and no raw/ folder beside the gold folder")
        records, status = _run_pipeline(inputs, args.models)
        if status:
            return status

    pairs = []
    for gold_dir, gold in golds:
        record = ev.record_for(gold["doc"], gold_dir, records)
        raw_dir = Path(args.raw) if args.raw else gold_dir.parent / "raw"
        pairs.append((gold, record, ev.read_text(record, raw_dir)))
    report = ev.evaluate(pairs, records=len(records), edges=edges)
    if args.calibrate_out:
        status = _write_calibration(report, Path(args.calibrate_out), args.models, gold_dirs)
        if status:
            return status
    if args.json:
        print(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        print(ev.format_report(report, show_errors=not args.summary))
    return 0


def _run_pipeline(inputs: list[str], models: str | None) -> tuple[list[dict], int]:
    from pipeline.load import expand_inputs
    from pipeline.nlp import build_nlp
    from pipeline.rules import RuleFileError
    from pipeline.run import extract

    paths = list(expand_inputs(inputs))
    if not paths:
        return [], _fail("no input files found")
    try:
        nlp = build_nlp(models)
    except RuleFileError as err:
        return [], _fail(f"bad rule file: {err}")
    records = []
    for outcome in extract(paths, nlp, models_dir=models):
        if outcome.record is not None:
            records.append(outcome.record.model_dump(mode="json"))
        elif outcome.error is not None:
            e = outcome.error
            print(f"{e['source']}: {e['error']}: {e['message']}", file=sys.stderr)
        else:
            print(f"{outcome.path}: not processed", file=sys.stderr)
    return records, 0


def _write_calibration(report, out: Path, models: str | None, gold_dirs: list[Path]) -> int:
    from pipeline.components.confidence import (ConfidenceModel, calibrated_model, load_confidence_model,
                                                write_model)
    from pipeline.evaluate import rule_stats
    from pipeline.rules import RuleFileError, load_lexicon

    try:
        base = load_lexicon(out, ConfidenceModel) if out.is_file() else load_confidence_model(models)
    except RuleFileError as err:
        return _fail(f"bad confidence file: {err}")
    measured_on = {"gold": [str(d) for d in gold_dirs], "documents": len(report.docs),
                   "items": len(report.outcomes)}
    try:
        write_model(calibrated_model(base, rule_stats(report.outcomes), measured_on), out)
    except OSError as err:
        return _fail(f"cannot write {out}: {err.strerror or err}")
    print(f"measured precision of {sum(len(v) for v in rule_stats(report.outcomes).values())} rules "
          f"on {len(report.docs)} gold documents -> {out}", file=sys.stderr)
    return 0
