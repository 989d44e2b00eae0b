"""Records -> tidy tables: one row per item, every row carrying its provenance.

`to_frames(records)` turns contract records (pipeline.records.Record or
their JSON dicts) into pandas DataFrames, one per table of `TABLES`:

- documents: one row per page (place, population, title, source, counts);
- tactics (+ tactic_evidence), population_mentions, arrests, dates,
  agencies (+ agency_mentions), citations, flags: one row per item.

Every row carries `row_id`, `doc_id`, `source_sha256`, `extractor_version`,
the span it came from (`span_start`, `span_end`, `span_text`), the page
`section` the span lies in, the `rule` that made it and a `review_status`.
`row_id` is a hash of the doc_id, the table and the item's normalized
value (and offsets where one value can occur twice), so exporting the same
page again gives the same ids and upserts instead of duplicating.

Column types come from one declaration (`TABLES`) shared with the SQL
schema (pipeline.export): integers are nullable Int64, dates datetime64
(first and last calendar day an EDTF value covers, `edtf_range`), closed
vocabularies categoricals, flags booleans; nothing is left as a string that
is not text.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, get_args

import numpy as np
import pandas as pd

from pipeline import records as R

# Bump when a table or column changes: an existing database of another
# version must be rebuilt (`profilex export --rebuild`).
EXPORT_SCHEMA_VERSION = "1"

REVIEW_STATUSES = ("open", "accepted", "corrected", "added")
GRANULARITIES = ("day", "month", "season", "year", "decade", "century", "interval")
SECTIONS = get_args(R.SectionName)


@dataclass(frozen=True)
class Column:
    """One column: its pandas dtype and SQL type follow from `kind`.

    kind: "id" (hash key), "text", "category" (closed vocabulary in
    `categories`, or open when None), "int", "float", "bool", "date".
    `index`: analysts filter on it, so the SQL table gets an index.
    """
    name: str
    kind: str
    categories: Optional[tuple[str, ...]] = None
    index: bool = False
    doc: str = ""


def _c(name: str, kind: str = "text", categories=None, index: bool = False, doc: str = "") -> Column:
    return Column(name, kind, tuple(categories) if categories is not None else None, index, doc)


HEAD = (
    _c("row_id", "id", doc="stable hash of doc_id, table and the item's normalized value"),
    _c("doc_id", index=True, doc="the page (records.jsonl doc_id)"),
)
PROVENANCE = (
    _c("section", "category", SECTIONS, doc="page section the span lies in"),
    _c("span_start", "int", doc="code-point offset of the item's span in the document text"),
    _c("span_end", "int"),
    _c("span_text", doc="document_text[span_start:span_end]"),
    _c("rule", doc="id of the rule that made the span"),
    _c("confidence", "float"),
    _c("review_status", "category", REVIEW_STATUSES, index=True,
       doc="open (not reviewed), accepted, corrected, added (by a reviewer); rejected items are dropped"),
    _c("source_sha256", doc="sha256 of the source file's bytes"),
    _c("extractor_version"),
)
DATE_COLUMNS = lambda prefix: (  # noqa: E731
    _c(f"{prefix}value", doc="EDTF value"),
    _c(f"{prefix}mod", "category", get_args(R.TimexMod), doc="TIMEX3 modifier"),
    _c(f"{prefix}granularity", "category", GRANULARITIES),
    _c(f"{prefix}start", "date", index=True, doc="first calendar day the value covers"),
    _c(f"{prefix}end", "date", doc="last calendar day the value covers"),
)


def _table(*middle: Column) -> tuple[Column, ...]:
    return HEAD + tuple(middle) + PROVENANCE


TABLES: dict[str, tuple[Column, ...]] = {
    "documents": _table(
        _c("source_path"), _c("text_path"), _c("encoding", "category"), _c("chars", "int"),
        _c("title"),
        _c("jurisdiction_name", index=True), _c("state", "category", index=True),
        _c("state_code", "category", index=True),
        _c("jurisdiction_type", "category", get_args(R.JurisdictionType), index=True),
        _c("population", "int"), _c("population_span_start", "int"), _c("population_span_end", "int"),
        _c("population_span_text"),
        _c("tactics", "int", doc="number of tactics"), _c("tactics_listed", "int"),
        _c("population_mentions", "int"), _c("arrests", "int"), _c("dates", "int"),
        _c("agencies", "int"), _c("agency_mentions", "int"), _c("citations", "int"), _c("flags", "int"),
        _c("extractor_rules", doc="hash of the rule files"), _c("schema_version"),
        _c("jurisdiction_review_status", "category", REVIEW_STATUSES),
        _c("population_review_status", "category", REVIEW_STATUSES),
        _c("stale_decisions", "int", doc="review decisions that match no item of the page any more"),
        _c("rows_sha256", doc="hash of every row exported for the page: a page whose hash changed is replaced"),
    ),
    "tactics": _table(
        _c("label", "category", index=True), _c("listed", "bool"), _c("known", "bool"),
        _c("evidence_count", "int"),
    ),
    "tactic_evidence": _table(_c("tactic_row_id", index=True), _c("label", "category", index=True)),
    "population_mentions": _table(
        _c("value", "int"), _c("qualifier", "category", get_args(R.PopulationQualifier)),
    ),
    "arrests": _table(
        _c("count", "int"), _c("qualifier", "category", get_args(R.ArrestQualifier)),
        _c("role", "category", get_args(R.ArrestRole), index=True),
        *DATE_COLUMNS("date_"),
        _c("sentence_start", "int"), _c("sentence_end", "int"),
    ),
    "dates": _table(*DATE_COLUMNS("date_")),
    "agencies": _table(
        _c("name", index=True), _c("kind", "category", get_args(R.AgencyKind), index=True),
        _c("aliases", doc="other forms the page uses, joined with '; '"), _c("mention_count", "int"),
    ),
    "agency_mentions": _table(_c("agency_row_id", index=True), _c("agency_name", index=True)),
    "citations": _table(
        _c("title"), _c("outlet", index=True), _c("heading"), *DATE_COLUMNS("date_"),
    ),
    "flags": _table(_c("code", "category", index=True), _c("message")),
}


# ---------------------------------------------------------------- EDTF

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"\d{4}")
_DECADE = re.compile(r"(\d{3})X")
_CENTURY = re.compile(r"(\d{2})XX")
_OPEN = ("", "..")


def edtf_range(value: Optional[str]) -> Optional[tuple[Optional[dt.date], Optional[dt.date], str]]:
    """An EDTF value -> (first day, last day, granularity), or None when unreadable.

    >>> edtf_range("2008")
    (datetime.date(2008, 1, 1), datetime.date(2008, 12, 31), 'year')

    Covers the values of the guidelines: `2018-06`, `1998-05-25`, `199X`
    (decade), `19XX` (century), seasons `2019-21..24` (spring Mar-May,
    summer Jun-Aug, autumn Sep-Nov, winter Dec to the end of the next
    February), intervals `2012/2014` and open ones (`2012/..`: no end).
    Qualifiers `?`, `~`, `%` are ignored (the bounds are the same).
    """
    if not isinstance(value, str):
        return None
    v = value.strip().replace("?", "").replace("~", "").replace("%", "")
    if "/" in v:
        left, _, right = v.partition("/")
        a = None if left in _OPEN else edtf_range(left)
        b = None if right in _OPEN else edtf_range(right)
        if (left not in _OPEN and a is None) or (right not in _OPEN and b is None) or (a is None and b is None):
            return None
        start = a[0] if a else None
        end = b[1] if b else None
        if start and end and end < start:
            return None
        return start, end, "interval"
    from pipeline import edtf

    try:
        if (m := _DAY.fullmatch(v)):
            d = edtf.day_date(int(m[1]), int(m[2]), int(m[3]))
        elif (m := _MONTH.fullmatch(v)):
            year, part = int(m[1]), int(m[2])
            if 1 <= part <= 12:
                d = edtf.month_date(year, part)
            elif part in edtf.SEASON_MONTHS:
                d = edtf.season_date(year, part)
            else:
                return None
        elif _YEAR.fullmatch(v):
            d = edtf.year_date(int(v))
        elif (m := _DECADE.fullmatch(v)):
            d = edtf.decade_date(int(m[1]) * 10)
        elif (m := _CENTURY.fullmatch(v)):
            first = int(m[1]) * 100
            return dt.date(max(first, 1), 1, 1), dt.date(first + 99, 12, 31), "century"
        else:
            return None
    except ValueError:  # a day or month that does not exist (ImpossibleDate), year 0
        return None
    return d.start, d.end, d.granularity


# ---------------------------------------------------------------- ids

def normalize(value: Any) -> str:
    """The form of a value that goes into a row id: NFKC, case-folded, one space."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    return re.sub(r"\s+", " ", text).strip()


def row_id(doc_id: str, table: str, *parts: Any) -> str:
    """A stable 32-hex-digit id for an item: the same page and value give the same id."""
    key = "\x1f".join([doc_id, table, *(normalize(p) for p in parts)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def rows_fingerprint(rows: Mapping[str, list[dict]]) -> str:
    """sha256 of a page's rows (canonical JSON): the same rows give the same hash."""
    blob = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- rows

def section_at(sections: list[Mapping], offset: Optional[int]) -> Optional[str]:
    """The name of the record section whose span holds `offset` (None when none does)."""
    if offset is None:
        return None
    for section in sections:
        span = section.get("span") or {}
        if span.get("start", 0) <= offset < span.get("end", -1):
            return section.get("name")
    return None


def review_status(item: Optional[Mapping]) -> str:
    """An item's review status: pipeline.review puts `review: {"status": ...}` on every item."""
    review = (item or {}).get("review")
    if isinstance(review, Mapping) and review.get("status"):
        return review["status"]
    return "open"


def as_dict(record: Any) -> dict:
    """A Record model or its JSON dict -> a plain dict (review keys kept)."""
    if isinstance(record, R.Record):
        return record.model_dump(mode="json")
    if isinstance(record, Mapping):
        return dict(record)
    raise TypeError(f"not a record: {type(record).__name__}")


class _RowMaker:
    """Builds the rows of one record, table by table, with provenance filled in."""

    def __init__(self, record: dict):
        self.record = record
        self.doc_id = record["doc_id"]
        self.common = {
            "doc_id": self.doc_id,
            "source_sha256": record["source"]["sha256"],
            "extractor_version": record["extractor"]["version"],
        }
        self.sections = record.get("sections") or []
        self.rows: dict[str, list[dict]] = {name: [] for name in TABLES}
        self.seen: set[str] = set()

    def add(self, table: str, key: tuple, item: Optional[Mapping], span: Optional[Mapping],
            section: Optional[str] = None, status: Optional[str] = None, **values) -> str:
        rid = row_id(self.doc_id, table, *key)
        n = 1
        while rid in self.seen:  # the same value twice at the same place: number the copies
            n += 1
            rid = row_id(self.doc_id, table, *key, f"#{n}")
        self.seen.add(rid)
        span = span or {}
        row = {
            "row_id": rid, **self.common, **values,
            "section": section or section_at(self.sections, span.get("start")),
            "span_start": span.get("start"), "span_end": span.get("end"), "span_text": span.get("text"),
            "rule": span.get("rule"),
            "confidence": (item or {}).get("confidence"),
            "review_status": status or review_status(item),
        }
        self.rows[table].append(row)
        return rid


def _date_values(ref: Optional[Mapping], prefix: str = "date_") -> dict:
    ref = ref or {}
    value = ref.get("value")
    bounds = edtf_range(value)
    if bounds:  # the value is the truth (a reviewer may have corrected it)
        start, end, granularity = bounds
    else:  # a value this reader does not know: the bounds the extractor gave, if any
        start, end, granularity = ref.get("start"), ref.get("end"), ref.get("granularity")
    return {f"{prefix}value": value, f"{prefix}mod": ref.get("mod"), f"{prefix}granularity": granularity,
            f"{prefix}start": start, f"{prefix}end": end}


def record_rows(record: Any) -> dict[str, list[dict]]:
    """One record -> {table: [row dict, ...]} (plain Python values)."""
    rec = as_dict(record)
    m = _RowMaker(rec)

    for tactic in rec.get("tactics") or []:
        evidence = tactic.get("evidence") or []
        span = tactic.get("span") or (evidence[0] if evidence else None)
        tid = m.add("tactics", (tactic["label"],), tactic, span, label=tactic["label"],
                    listed=tactic.get("listed"), known=tactic.get("known"), evidence_count=len(evidence))
        for ev in evidence:
            m.add("tactic_evidence", (tactic["label"], ev.get("start"), ev.get("end")), tactic, ev,
                  tactic_row_id=tid, label=tactic["label"])

    population = rec.get("population") or {}
    population_status = review_status(population) if population else None
    for mention in population.get("mentions") or []:
        span = mention.get("span") or {}
        m.add("population_mentions", (mention.get("value"), mention.get("qualifier"), span.get("start")),
              mention, span, status=population_status, value=mention.get("value"),
              qualifier=mention.get("qualifier"))

    for arrest in rec.get("arrests") or []:
        sentence = arrest.get("sentence") or {}
        span = arrest.get("span") or {}
        m.add("arrests", (arrest.get("count"), arrest.get("role"), span.get("start"), span.get("end")), arrest,
              span, section=arrest.get("section"), count=arrest.get("count"), qualifier=arrest.get("qualifier"),
              role=arrest.get("role"), **_date_values(arrest.get("date")),
              sentence_start=sentence.get("start"), sentence_end=sentence.get("end"))

    for date in rec.get("dates") or []:
        span = date.get("span") or {}
        m.add("dates", (date.get("value"), date.get("mod"), span.get("start"), span.get("end")), date, span,
              section=date.get("section"), **_date_values(date))

    agency_mentions = 0
    for agency in rec.get("agencies") or []:
        mentions = agency.get("mentions") or []
        aid = m.add("agencies", (agency["name"],), agency, mentions[0] if mentions else None,
                    name=agency["name"], kind=agency.get("kind"),
                    aliases="; ".join(agency.get("aliases") or []) or None, mention_count=len(mentions))
        for mention in mentions:
            agency_mentions += 1
            m.add("agency_mentions", (agency["name"], mention.get("start"), mention.get("end")), agency, mention,
                  agency_row_id=aid, agency_name=agency["name"])

    for citation in rec.get("citations") or []:
        span = citation.get("span") or {}
        m.add("citations", (citation.get("title"), citation.get("outlet"),
                            (citation.get("date") or {}).get("value"), span.get("start")),
              citation, span, title=citation.get("title"), outlet=citation.get("outlet"),
              heading=citation.get("heading"), **_date_values(citation.get("date")))

    for flag in rec.get("flags") or []:
        span = flag.get("span")
        m.add("flags", (flag["code"], (span or {}).get("start"), (span or {}).get("end"), flag.get("message")),
              flag, span, code=flag["code"], message=flag.get("message"))

    title = rec.get("title") or {}
    place = rec.get("jurisdiction") or {}
    pop_span = population.get("span") or {}
    counts = {name: len(m.rows[name]) for name in
              ("tactics", "population_mentions", "arrests", "dates", "agencies", "citations", "flags")}
    stale = ((rec.get("review") or {}).get("stale")) or []
    m.add("documents", (), title, title.get("span"), section="title" if title.get("span") else None,
          source_path=rec["source"].get("path"), text_path=rec["source"].get("text_path"),
          encoding=rec["source"].get("encoding"), chars=rec["source"].get("chars"),
          title=title.get("value"), jurisdiction_name=place.get("name"), state=place.get("state"),
          state_code=place.get("state_code"), jurisdiction_type=place.get("type"),
          population=population.get("value"), population_span_start=pop_span.get("start"),
          population_span_end=pop_span.get("end"), population_span_text=pop_span.get("text"),
          tactics_listed=sum(1 for t in rec.get("tactics") or [] if t.get("listed")),
          agency_mentions=agency_mentions, extractor_rules=rec["extractor"].get("rules"),
          schema_version=rec.get("schema_version"),
          jurisdiction_review_status=review_status(place) if place else None,
          population_review_status=population_status, stale_decisions=len(stale),
          **counts)
    # The page's fingerprint covers what is exported (not review metadata
    # such as reviewer names and times), and the export schema version.
    m.rows["documents"][-1]["rows_sha256"] = rows_fingerprint({"schema": EXPORT_SCHEMA_VERSION, **m.rows})
    return m.rows


# ---------------------------------------------------------------- frames

def _dtype(column: Column):
    return {
        "id": "string", "text": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
        "date": "datetime64[s]",
    }.get(column.kind)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value  # NaN


def _day(value: Any) -> str:
    """A date, datetime, Timestamp or ISO string -> "YYYY-MM-DD" ("NaT" when unreadable)."""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if not pd.isna(value) else "NaT"
    text = str(value)[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return "NaT"


def _int(value: Any) -> int:
    return int(float(value)) if isinstance(value, str) else int(value)


def coerce(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` with exactly the columns of `table`, in order, each of its declared type.

    Accepts what a reader gives back (ISO strings for dates, "True" for
    booleans, floats for integers) as well as Python values.
    """
    n = len(frame)
    out = {}
    for col in TABLES[table]:
        raw = frame[col.name].tolist() if col.name in frame.columns else [None] * n
        values = [None if _missing(v) else v for v in raw]
        if col.kind == "category":
            values = [None if v is None else str(v) for v in values]
            present = sorted({v for v in values if v is not None})
            cats = list(col.categories or ()) + [v for v in present if v not in (col.categories or ())]
            out[col.name] = pd.Categorical(values, categories=cats)
        elif col.kind == "date":
            out[col.name] = np.array(["NaT" if v is None else _day(v) for v in values], dtype="datetime64[s]")
        elif col.kind == "bool":
            out[col.name] = pd.array([None if v is None else _truth(v) for v in values], dtype="boolean")
        elif col.kind == "int":
            out[col.name] = pd.array([None if v is None else _int(v) for v in values], dtype="Int64")
        elif col.kind == "float":
            out[col.name] = pd.array([None if v is None else float(v) for v in values], dtype="Float64")
        else:
            out[col.name] = pd.array([None if v is None else str(v) for v in values], dtype="string")
    return pd.DataFrame(out, columns=[c.name for c in TABLES[table]])


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "t", "yes")
    return bool(value)


def empty_frames() -> dict[str, pd.DataFrame]:
    return {name: coerce(pd.DataFrame(), name) for name in TABLES}


def to_frames(records: Iterable[Any]) -> dict[str, pd.DataFrame]:
    """Records (models or dicts) -> {table name: DataFrame} with the declared column types."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    seen: set[str] = set()
    for record in records:
        rec = as_dict(record)
        if rec["doc_id"] in seen:
            raise ValueError(f"doc_id {rec['doc_id']!r} appears twice in the records")
        seen.add(rec["doc_id"])
        for name, table_rows in record_rows(rec).items():
            rows[name].extend(table_rows)
    return {name: coerce(pd.DataFrame.from_records(rows[name]), name) for name in TABLES}
