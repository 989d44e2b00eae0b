"""Export: records -> tables in JSONL, CSV, Parquet files or a SQLite / PostgreSQL database.

The tables and their column types are those of pipeline.tables (`TABLES`);
here they are written and kept in step with the input:

- Rows have stable ids, and every page's row in `documents` keeps the hash
  of all the rows exported for that page (`rows_sha256`). Exporting again
  leaves an unchanged page alone, and replaces every row of a changed page (delete
  its rows, insert the new ones); the whole export is one transaction, so a
  failure leaves the database as it was.
- A page in the database that is no longer in the input stays unless
  `prune=True`.
- File formats (one file per table in a folder) follow the same rules: the
  rows of pages not in the input are kept from the existing files unless
  pruned; each file is written under a temporary name and renamed.

Review decisions (DIR/review.sqlite, written by the review app in
pipeline/review) are applied before the tables are built, through
`apply_review(records, folder)` -> `pipeline.review.apply_decisions`:
corrections applied, rejected items dropped, reviewers' additions appended,
and each item's review status (open, accepted, corrected, added) carried
into its row's `review_status`.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

import pandas as pd

from pipeline.tables import EXPORT_SCHEMA_VERSION, TABLES, Column, as_dict, coerce, to_frames

log = logging.getLogger("profilex")

FORMATS = ("sqlite", "postgres", "parquet", "csv", "jsonl")
FILE_FORMATS = ("parquet", "csv", "jsonl")
SQL_FORMATS = ("sqlite", "postgres")
DEFAULT_SQLITE = "profiles.sqlite"
DEFAULT_TABLES_DIR = "tables"
REVIEW_FILE = "review.sqlite"
META_TABLE = "export_meta"
# Rows deleted per statement (SQLite allows a limited number of parameters).
CHUNK = 500


class ExportError(Exception):
    """An export that cannot go ahead (a database of another schema version)."""


class ExportUsageError(ExportError):
    """A bad invocation: unknown format, a target that is not of the format."""


@dataclass
class ExportReport:
    format: str
    target: str
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # pages not in the input, kept (no --prune)
    rows: dict[str, int] = field(default_factory=dict)  # rows written per table

    def summary(self) -> str:
        text = (f"{len(self.added)} pages added, {len(self.replaced)} replaced, "
                f"{len(self.unchanged)} unchanged, {len(self.removed)} removed -> {self.target}")
        if self.kept:
            text += (f"\n{len(self.kept)} pages no longer in the input were kept "
                     f"(use --prune to remove them): {', '.join(self.kept[:5])}"
                     + (" ..." if len(self.kept) > 5 else ""))
        return text


# ---------------------------------------------------------------- input

def read_records(path: Union[str, Path]) -> Iterator[dict]:
    """The records of a records.jsonl, validated against the contract (ValueError names the line)."""
    from pydantic import ValidationError

    from pipeline.records import Record

    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield Record.model_validate_json(line).model_dump(mode="json")
            except ValidationError as err:
                raise ValueError(f"{path} line {number}: not a record: {err.errors()[0]['msg']} "
                                 f"at {'.'.join(map(str, err.errors()[0]['loc']))}") from None


def apply_review(records: Iterable[Any], folder: Union[str, Path, None],
                 review_db: Optional[str] = None) -> list[dict]:
    """Records with the review decisions of `folder`/review.sqlite (or `review_db`) applied.

    Without a review database every item stays `review_status` "open". With
    one, pipeline.review (`load_decisions`, `apply_decisions`) returns the
    records with corrections applied, reviewers' additions appended, rejected
    items dropped and `review: {"status": accepted|corrected|added|open}` on
    every item, which becomes the row's `review_status`. `review_db` is a
    path or a SQLAlchemy URL (a team's shared `profilex review --db`).
    Document texts are read from source.text_path / source.path, relative to
    the current folder (where `profilex run` ran), as the review app reads them.
    """
    records = [as_dict(r) for r in records]
    source = review_db
    if source is None and folder is not None and (Path(folder) / REVIEW_FILE).exists():
        source = Path(folder) / REVIEW_FILE
    if source is None:
        return records
    from pipeline.review import apply_decisions, load_decisions

    return [as_dict(r) for r in apply_decisions(records, load_decisions(source))]


# ---------------------------------------------------------------- SQL

def sql_url(target: str, fmt: str) -> str:
    """A SQLAlchemy URL for `target`: a file path for sqlite, a URL for postgres.

    `postgresql://` and `postgres://` URLs use the psycopg (3) driver.
    """
    if fmt == "sqlite":
        if target.startswith("sqlite:"):
            return target
        path = Path(target).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path.resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if target.startswith(prefix):
            return "postgresql+psycopg://" + target[len(prefix):]
    if target.startswith("postgresql+"):
        return target
    raise ExportUsageError(f"not a PostgreSQL URL: {target!r} (expected postgresql://USER@HOST:PORT/DB)")


def sql_metadata():
    """SQLAlchemy tables for `TABLES`, with indexes on doc_id and the columns analysts filter on.

    Every item table's doc_id references documents.doc_id; tactic_evidence
    and agency_mentions reference their tactic and agency rows.
    """
    import sqlalchemy as sa

    types = {"id": sa.String(32), "text": sa.Text(), "category": sa.Text(), "int": sa.BigInteger(),
             "float": sa.Float(), "bool": sa.Boolean(), "date": sa.Date()}
    parents = {"doc_id": "documents.doc_id", "tactic_row_id": "tactics.row_id",
               "agency_row_id": "agencies.row_id"}
    required = {"row_id", "doc_id", "source_sha256", "extractor_version"}
    meta = sa.MetaData()
    for name, columns in TABLES.items():
        cols = []
        for c in columns:
            args = [types[c.kind]]
            if c.name in parents and not (name == "documents" and c.name == "doc_id"):
                args.append(sa.ForeignKey(parents[c.name]))
            cols.append(sa.Column(c.name, *args, primary_key=c.kind == "id", nullable=c.name not in required,
                                  unique=name == "documents" and c.name == "doc_id", comment=c.doc or None))
        table = sa.Table(name, meta, *cols)
        for c in columns:
            if c.index and not (name == "documents" and c.name == "doc_id"):
                sa.Index(f"ix_{name}_{c.name}", table.c[c.name])
    sa.Table(META_TABLE, meta, sa.Column("key", sa.Text(), primary_key=True), sa.Column("value", sa.Text()))
    return meta


def data_tables(meta) -> list:
    """The export tables in dependency order (parents first)."""
    return [t for t in meta.sorted_tables if t.name in TABLES]


def schema_sql(dialect: str = "sqlite") -> str:
    """The CREATE TABLE and CREATE INDEX statements of the export, for `dialect`."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable, SetColumnComment

    d = {"sqlite": sqlite.dialect(), "postgres": postgresql.dialect(),
         "postgresql": postgresql.dialect()}[dialect]
    parts = []
    for table in sql_metadata().sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=d)).strip() + ";")
        for index in sorted(table.indexes, key=lambda i: i.name):
            parts.append(str(CreateIndex(index).compile(dialect=d)).strip() + ";")
        if d.supports_comments:  # SQLite keeps no comments
            parts.extend(str(SetColumnComment(c).compile(dialect=d)).strip() + ";"
                         for c in table.columns if c.comment)
    return "\n\n".join(parts) + "\n"


def _native(value: Any, kind: str) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def frame_rows(frame: pd.DataFrame, table: str) -> list[dict]:
    """A table's rows as dicts of plain Python values (None for missing, date for dates)."""
    columns: tuple[Column, ...] = TABLES[table]
    data = {c.name: frame[c.name].astype("object").tolist() for c in columns}
    return [{c.name: _native(data[c.name][i], c.kind) for c in columns} for i in range(len(frame))]


def _check_version(conn) -> None:
    import sqlalchemy as sa

    inspector = sa.inspect(conn)
    if not inspector.has_table("documents"):
        return
    version = None
    if inspector.has_table(META_TABLE):
        version = conn.execute(sa.text(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")).scalar()
    if version != EXPORT_SCHEMA_VERSION:
        raise ExportError(f"the database holds tables of export schema version {version or 'unknown'}, "
                          f"this profilex writes version {EXPORT_SCHEMA_VERSION}: export with --rebuild "
                          f"to drop and recreate its tables")


def _plan(report: ExportReport, existing: dict[str, Optional[str]], frames: dict[str, pd.DataFrame],
          prune: bool) -> tuple[set[str], set[str]]:
    """Fill the report's page lists; return (pages to write, pages whose old rows go)."""
    docs = frames["documents"]
    incoming = dict(zip(docs["doc_id"].tolist(), docs["rows_sha256"].tolist()))
    write: set[str] = set()
    for doc_id, fingerprint in incoming.items():
        if doc_id not in existing:
            report.added.append(doc_id)
            write.add(doc_id)
        elif existing[doc_id] != fingerprint:
            report.replaced.append(doc_id)
            write.add(doc_id)
        else:
            report.unchanged.append(doc_id)
    vanished = [d for d in existing if d not in incoming]
    if prune:
        report.removed.extend(vanished)
    else:
        report.kept.extend(vanished)
    return write, write | set(report.removed)


def export_sql(frames: dict[str, pd.DataFrame], url: str, *, prune: bool = False,
               rebuild: bool = False, fmt: str = "sqlite") -> ExportReport:
    """Bring the database at `url` in step with `frames`, in one transaction."""
    import sqlalchemy as sa

    engine = _engine(url, write=True)
    shown = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    report = ExportReport(fmt, shown or engine.url.render_as_string(hide_password=True))
    meta = sql_metadata()
    try:
        with engine.begin() as conn:
            if rebuild:
                meta.drop_all(conn)
            _check_version(conn)
            meta.create_all(conn)
            meta_table = meta.tables[META_TABLE]
            conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema_version"))
            conn.execute(sa.insert(meta_table), [{"key": "schema_version", "value": EXPORT_SCHEMA_VERSION}])
            documents = meta.tables["documents"]
            existing = dict(conn.execute(sa.select(documents.c.doc_id, documents.c.rows_sha256)).all())
            write, delete = _plan(report, existing, frames, prune)
            gone = sorted(delete)
            for table in reversed(data_tables(meta)):  # children first
                for i in range(0, len(gone), CHUNK):
                    conn.execute(sa.delete(table).where(table.c.doc_id.in_(gone[i:i + CHUNK])))
            for table in data_tables(meta):  # parents first
                frame = frames[table.name]
                rows = frame_rows(frame[frame["doc_id"].isin(write)], table.name)
                report.rows[table.name] = len(rows)
                if rows:
                    conn.execute(sa.insert(table), rows)
    finally:
        engine.dispose()
    return report


def read_sql_tables(url: str) -> dict[str, pd.DataFrame]:
    """Every export table of the database at `url`, with the declared column types."""
    import sqlalchemy as sa

    engine = _engine(url)
    meta = sql_metadata()
    try:
        with engine.connect() as conn:
            return {name: coerce(pd.read_sql_query(sa.select(meta.tables[name]), conn), name)
                    for name in TABLES}
    finally:
        engine.dispose()


def _engine(url: str, write: bool = False):
    """A SQLAlchemy engine; for SQLite, one whose transactions also cover DDL.

    Python's sqlite3 module runs CREATE TABLE outside the transaction it
    opens for INSERT/DELETE; here the driver is left in autocommit and the
    engine issues BEGIN itself (BEGIN IMMEDIATE for an export, so that two
    exports to one file take turns), as SQLAlchemy's SQLite notes advise.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    if engine.url.get_backend_name() == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
    return engine


# ---------------------------------------------------------------- files

def table_path(folder: Union[str, Path], table: str, fmt: str) -> Path:
    return Path(folder) / f"{table}.{fmt}"


def _date_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table] if c.kind == "date"]


def _replace_with(path: Path, write) -> None:
    """Call write(tmp_path), then rename the temporary file over `path`."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_table(frame: pd.DataFrame, path: Path, fmt: str, table: str) -> None:
    """One table to one file: Parquet keeps the types (dates as date32), CSV and JSONL write ISO dates."""
    dates = _date_columns(table)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = pa.Table.from_pandas(frame, preserve_index=False)
        for name in dates:
            i = arrow.schema.get_field_index(name)
            arrow = arrow.set_column(i, name, arrow.column(name).cast(pa.date32()))
        _replace_with(path, lambda tmp: pq.write_table(arrow, tmp))
        return
    rows = frame_rows(frame, table)
    for row in rows:
        for name in dates:
            if row[name] is not None:
                row[name] = row[name].isoformat()
    if fmt == "csv":
        out = pd.DataFrame(rows, columns=[c.name for c in TABLES[table]])
        _replace_with(path, lambda tmp: out.to_csv(tmp, index=False, encoding="utf-8"))
    elif fmt == "jsonl":
        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        _replace_with(path, write)
    else:
        raise ExportError(f"unknown file format {fmt!r}")


def read_table(path: Union[str, Path], fmt: str, table: str) -> pd.DataFrame:
    """A table file written by `write_table`, back with the declared column types."""
    path = Path(path)
    if fmt == "parquet":
        frame = pd.read_parquet(path)
    elif fmt == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    elif fmt == "jsonl":
        with open(path, encoding="utf-8") as handle:
            frame = pd.DataFrame.from_records([json.loads(line) for line in handle if line.strip()])
    else:
        raise ExportError(f"unknown file format {fmt!r}")
    return coerce(frame, table)


def read_file_tables(folder: Union[str, Path], fmt: str) -> Optional[dict[str, pd.DataFrame]]:
    """The tables in `folder` (None when it holds no export of `fmt`)."""
    if not table_path(folder, "documents", fmt).exists():
        return None
    out = {}
    for name in TABLES:
        path = table_path(folder, name, fmt)
        out[name] = read_table(path, fmt, name) if path.exists() else coerce(pd.DataFrame(), name)
    return out


def export_files(frames: dict[str, pd.DataFrame], folder: Union[str, Path], fmt: str, *,
                 prune: bool = False) -> ExportReport:
    """Write one file per table into `folder`, keeping the rows of pages not in `frames` unless pruned."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    report = ExportReport(fmt, str(folder))
    old = read_file_tables(folder, fmt)
    existing: dict[str, Optional[str]] = {}
    if old is not None:
        docs = old["documents"]
        existing = dict(zip(docs["doc_id"].tolist(), docs["rows_sha256"].tolist()))
    write, _ = _plan(report, existing, frames, prune)
    keep = set(report.kept)
    for name in TABLES:
        frame = frames[name]
        if old is not None and keep:
            frame = coerce(pd.concat([frame.astype("object"), old[name][old[name]["doc_id"].isin(keep)]
                                      .astype("object")], ignore_index=True), name)
        report.rows[name] = int(frame["doc_id"].isin(write).sum())
        write_table(frame, table_path(folder, name, fmt), fmt, name)
    return report


# ---------------------------------------------------------------- entry point

def default_target(folder: Union[str, Path], fmt: str) -> str:
    if fmt == "sqlite":
        return str(Path(folder) / DEFAULT_SQLITE)
    if fmt in FILE_FORMATS:
        return str(Path(folder) / DEFAULT_TABLES_DIR)
    url = os.environ.get("PROFILEX_PG_URL")
    if not url:
        raise ExportUsageError("--format postgres needs --to postgresql://USER@HOST:PORT/DB "
                          "(or the PROFILEX_PG_URL environment variable)")
    return url


def guess_format(target: Optional[str]) -> str:
    """The format a --to target implies: postgres for a PostgreSQL URL, else sqlite."""
    if target and target.startswith(("postgresql:", "postgres:", "postgresql+")):
        return "postgres"
    return "sqlite"


def export(records: Iterable[Any], fmt: str = "sqlite", to: Optional[str] = None, *,
           folder: Union[str, Path] = "extracted", prune: bool = False,
           rebuild: bool = False) -> ExportReport:
    """Export records (already reviewed) as tables in format `fmt` to `to` (default under `folder`)."""
    if fmt not in FORMATS:
        raise ExportUsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    target = to or default_target(folder, fmt)
    frames = to_frames(records)
    if fmt in FILE_FORMATS:
        return export_files(frames, target, fmt, prune=prune)
    return export_sql(frames, sql_url(target, fmt), prune=prune, rebuild=rebuild, fmt=fmt)


def read_tables(fmt: str, target: str) -> dict[str, pd.DataFrame]:
    """Read back what `export` wrote (for analysts and tests)."""
    if fmt in FILE_FORMATS:
        tables = read_file_tables(target, fmt)
        if tables is None:
            raise ExportError(f"no {fmt} export in {target}")
        return tables
    return read_sql_tables(sql_url(target, fmt))
