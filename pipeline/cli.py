"""`profilex`: the command line, a thin shell over the package's functions.

Each command lives in pipeline/commands/<name>.py and provides NAME, HELP,
EXAMPLE, add_arguments(parser) and main(args) -> exit status.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from typing import Optional, Sequence

from pipeline import __version__, commands

USAGE_ERROR = 2


def command_modules() -> list:
    names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__)
                   if not info.name.startswith("_"))
    modules = [importlib.import_module(f"{commands.__name__}.{name}") for name in names]
    return sorted((m for m in modules if hasattr(m, "NAME")), key=lambda m: getattr(m, "POSITION", 50))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="profilex",
        description="Turn raw city and county profile pages into structured, source-linked records.",
        epilog="Example:\n  profilex run raw/ --out extracted/\n\n"
               "Run `profilex COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"profilex {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                           epilog=f"Example:\n  {module.EXAMPLE}",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(handler=module.main)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
