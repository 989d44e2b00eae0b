"""`profilex schema`: print the JSON Schema of a record."""
from __future__ import annotations

import argparse
import json

NAME = "schema"
POSITION = 80
HELP = ("Print the JSON Schema of a record (generated from pipeline.records), or with --sql "
        "the table definitions `profilex export` creates.")
EXAMPLE = "profilex schema > record.schema.json; profilex schema --sql --dialect postgres"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", action="store_true",
                        help="print the CREATE TABLE / CREATE INDEX statements of the export tables")
    parser.add_argument("--dialect", choices=("sqlite", "postgres"), default="sqlite",
                        help="SQL dialect for --sql (default sqlite)")


def main(args: argparse.Namespace) -> int:
    from pipeline.records import record_json_schema

    if args.sql:
        from pipeline.export import schema_sql

        print(schema_sql(args.dialect), end="")
        return 0

    print(json.dumps(record_json_schema(), indent=2))
    return 0
