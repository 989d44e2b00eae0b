"""`profilex export`: records.jsonl -> tidy tables in a database or files."""
from __future__ import annotations

import argparse
import logging
import sys

NAME = "export"
POSITION = 30
HELP = ("Export DIR/records.jsonl (with the review decisions of DIR/review.sqlite applied) as tidy "
        "tables: documents, tactics, population_mentions, arrests, dates, agencies, citations, "
        "flags. Re-exporting replaces the rows of changed pages only; pages no longer in the "
        "input are removed only with --prune. Exit status: 0 done, 1 export failed, 2 usage error.")
EXAMPLE = "profilex export extracted/ --format postgres --to postgresql://me@localhost/profiles"
# pipeline.export.FORMATS, spelled out so that `profilex --help` does not import pandas.
FORMATS = ("sqlite", "postgres", "parquet", "csv", "jsonl")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", default="extracted", metavar="DIR",
                        help="folder holding records.jsonl (default extracted/)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="sqlite (default), postgres, or one file per table: parquet, csv, jsonl")
    parser.add_argument("--to", default=None, metavar="PATH_OR_URL",
                        help="SQLite file (default DIR/profiles.sqlite), PostgreSQL URL "
                             "(default $PROFILEX_PG_URL), or folder for file formats (default DIR/tables/)")
    parser.add_argument("--review-db", default=None, metavar="PATH_OR_URL",
                        help="review decisions to apply (default DIR/review.sqlite when it exists; "
                             "a URL for a shared `profilex review --db` database)")
    parser.add_argument("--prune", action="store_true",
                        help="remove pages that are no longer in the input")
    parser.add_argument("--rebuild", action="store_true",
                        help="drop and recreate the database tables first (after a schema change)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.export import ExportError, ExportUsageError, apply_review, export, guess_format, read_records
    from pipeline.run import RECORDS_FILE

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    folder = Path(args.folder)
    source = folder / RECORDS_FILE
    if not source.is_file():
        print(f"profilex export: no {source} (run `profilex run --out {folder}` first)", file=sys.stderr)
        return 2
    fmt = args.format or guess_format(args.to)
    try:
        records = apply_review(read_records(source), folder, args.review_db)
        report = export(records, fmt, args.to, folder=folder, prune=args.prune, rebuild=args.rebuild)
    except ExportUsageError as err:
        print(f"profilex export: {err}", file=sys.stderr)
        return 2
    except ExportError as err:
        print(f"profilex export: {err}", file=sys.stderr)
        return 1
    except ValueError as err:  # a records.jsonl line that is not a record
        print(f"profilex export: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # the database refused (connection, permissions, disk)
        print(f"profilex export: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(report.summary(), file=sys.stderr)
    return 0
