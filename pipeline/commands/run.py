"""`profilex run`: extract records from raw pages."""
from __future__ import annotations

import argparse
import logging
import sys

from pipeline.load import DEFAULT_MAX_BYTES
from pipeline.rules import RuleFileError

NAME = "run"
POSITION = 10
HELP = ("Extract one record per page into DIR/records.jsonl (input order) and one line per "
        "unreadable page into DIR/errors.jsonl. Exit status: 0 all pages gave a record, "
        "1 some failed, 2 usage error.")
EXAMPLE = "profilex run raw/ news/story.txt --out extracted/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="files or folders (walked for *.txt, *.html, *.htm); default raw/")
    parser.add_argument("--out", default=None, metavar="DIR", help="output folder (default extracted/)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"skip files larger than N bytes as too_large (default {DEFAULT_MAX_BYTES})")
    parser.add_argument("--models", default=None, metavar="DIR",
                        help="rule model folder (default: the project's models/)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.nlp import build_nlp
    from pipeline.run import UsageError, run_batch

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    inputs = args.inputs or ["raw"]
    out = Path(args.out or "extracted")
    if args.max_bytes <= 0:
        print("profilex run: --max-bytes must be a positive number", file=sys.stderr)
        return 2
    try:
        nlp = build_nlp(args.models)
    except RuleFileError as err:
        print(f"profilex run: bad rule file: {err}", file=sys.stderr)
        return 2
    try:
        result = run_batch(inputs, out, nlp, max_bytes=args.max_bytes, models_dir=args.models)
    except UsageError as err:
        print(f"profilex run: {err}", file=sys.stderr)
        return 2
    for line in result.error_lines:
        print(f"{line['source']}: {line['error']}: {line['message']}", file=sys.stderr)
    if not args.quiet:
        print(f"{result.records} records, {result.errors} errors -> {out}/records.jsonl", file=sys.stderr)
    return result.exit_status
