"""`profilex schema`: print the JSON Schema of a record."""
from __future__ import annotations

import argparse
import json

NAME = "schema"
POSITION = 80
HELP = "Print the JSON Schema of a record (generated from pipeline.records)."
EXAMPLE = "profilex schema > record.schema.json"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def main(args: argparse.Namespace) -> int:
    from pipeline.records import record_json_schema

    print(json.dumps(record_json_schema(), indent=2))
    return 0
