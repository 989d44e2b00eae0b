"""`profilex report`: a self-contained HTML report of a batch."""
from __future__ import annotations

import argparse
import sys

NAME = "report"
POSITION = 50
HELP = ("Write one self-contained HTML file (charts inline, opens from disk) showing what a batch "
        "found: completeness, tactics, arrests, agencies, confidence, and every page.")
EXAMPLE = "profilex report extracted/ --out report.html"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", default="extracted", metavar="DIR",
                        help="output folder of `profilex run` (default extracted/)")
    parser.add_argument("--out", default="report.html", metavar="FILE", help="where to write (default report.html)")


def main(args: argparse.Namespace) -> int:
    from pipeline.report import build_report

    try:
        numbers = build_report(args.folder, args.out)
    except FileNotFoundError as err:
        print(f"profilex report: {err}", file=sys.stderr)
        return 2
    print(f"{args.out}: {numbers['records']} records, {numbers['pages']} pages", file=sys.stderr)
    return 0
