"""`profilex review`: the review app for a folder of extracted records."""
from __future__ import annotations

import argparse
import getpass
import sys

NAME = "review"
POSITION = 30
HELP = ("Serve the review app for DIR/records.jsonl (default extracted/): every field beside its "
        "highlighted source text; decisions go to DIR/review.sqlite (or --db).")
EXAMPLE = "profilex review extracted/ --port 8765"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", default="extracted", metavar="DIR",
                        help="folder holding records.jsonl (default extracted/)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--db", default=None, metavar="PATH_OR_URL",
                        help="decision database: a SQLite file (default DIR/review.sqlite) or a "
                             "postgresql://user@host/db URL a team shares")
    parser.add_argument("--reviewer", default=None, help="name recorded with decisions (default: your login)")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.review.batch import RECORDS_FILE

    folder = Path(args.folder)
    if not (folder / RECORDS_FILE).is_file():
        print(f"profilex review: no {RECORDS_FILE} in {folder} (run `profilex run` first)", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print("profilex review: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    try:
        reviewer = args.reviewer or getpass.getuser()
    except Exception:
        reviewer = "reviewer"
    from pipeline.review.server import serve

    try:
        serve(folder, host=args.host, port=args.port, db=args.db, reviewer=reviewer)
    except OSError as err:
        print(f"profilex review: cannot listen on {args.host}:{args.port}: {err.strerror or err}", file=sys.stderr)
        return 2
    except Exception as err:  # a bad --db URL or an unreachable database
        print(f"profilex review: {type(err).__name__}: {err}", file=sys.stderr)
        return 2
    return 0
