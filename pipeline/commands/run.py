"""`profilex run`: extract records from raw pages."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from pipeline.load import DEFAULT_MAX_BYTES
from pipeline.rules import RuleFileError

NAME = "run"
POSITION = 10
HELP = ("Extract one record per page into DIR/records.jsonl (input order) and one line per "
        "unreadable page into DIR/errors.jsonl. Re-runs skip unchanged pages (DIR/manifest.jsonl) "
        "and an interrupted run resumes where it stopped. Exit status: 0 all pages gave a record, "
        "1 some failed, 2 usage error, 130 interrupted.")
EXAMPLE = "profilex run raw/ news/story.txt --out extracted/ --workers 2"


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="INPUT",
                        help="files or folders (walked for *.txt, *.html, *.htm); default raw/")
    parser.add_argument("--out", default=None, metavar="DIR", help="output folder (default extracted/)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"skip files larger than N bytes as too_large (default {DEFAULT_MAX_BYTES})")
    parser.add_argument("--models", default=None, metavar="DIR",
                        help="rule model folder (default: the project's models/)")
    parser.add_argument("--force", action="store_true",
                        help="re-extract every page, even those unchanged since the last run")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local worker processes, or Dask workers of a local cluster "
                             f"(default: the machine's cores, {default_workers()})")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local processes (default) or Dask tasks (dask.distributed)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="with --engine dask: an existing cluster's scheduler, e.g. "
                             "tcp://10.0.0.5:8786 (default: start a LocalCluster)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pipeline.nlp import build_nlp
    from pipeline.parallel import EngineError
    from pipeline.progress import Progress
    from pipeline.run import UsageError, run_batch

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    inputs = args.inputs or ["raw"]
    out = Path(args.out or "extracted")
    if args.max_bytes <= 0:
        print("profilex run: --max-bytes must be a positive number", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("profilex run: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("profilex run: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    workers = args.workers or default_workers()
    try:
        nlp = build_nlp(args.models)  # a bad rule file fails here, before any page
    except RuleFileError as err:
        print(f"profilex run: bad rule file: {err}", file=sys.stderr)
        return 2
    progress = None if args.quiet else Progress(sys.stderr)
    try:
        result = run_batch(inputs, out, nlp, max_bytes=args.max_bytes, models_dir=args.models,
                           workers=workers, engine=args.engine, scheduler=args.scheduler,
                           force=args.force, progress=progress)
    except UsageError as err:
        print(f"profilex run: {err}", file=sys.stderr)
        return 2
    except EngineError as err:
        print(f"profilex run: {err}", file=sys.stderr)
        return 2
    except OSError as err:  # a full disk, a folder made read-only mid-run
        if progress:
            progress.close()
        print(f"profilex run: cannot write the outputs in {out}: {err.strerror or err}; "
              "the outputs of the previous run are unchanged", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if progress:
            progress.close()
        print(f"profilex run: interrupted; finished pages are kept in {out}, "
              "run the same command again to do the rest", file=sys.stderr)
        return 130
    for line in result.error_lines:
        print(f"{line['source']}: {line['error']}: {line['message']}", file=sys.stderr)
    if not args.quiet:
        print(f"{result.records} records, {result.errors} errors -> {out}/records.jsonl "
              f"({result.extracted} extracted, {result.kept} unchanged, {result.resumed} resumed)",
              file=sys.stderr)
    return result.exit_status
