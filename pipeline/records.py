"""The record contract (shared/CONTRACT.md) as pydantic models.

This module is the source of truth for what `profilex run` writes: the JSON
Schema printed by `profilex schema` is generated from `Record`. Models may
add fields to the contract, never drop or rename one.

Every span carries start/end code-point offsets into the document text and
the text itself; `check_spans(record, text)` verifies the invariant
`text[start:end] == span.text` for every span anywhere in a record, and
`Record.model_validate(data, context={"text": text})` runs it as part of
validation.
"""
from __future__ import annotations

from typing import Any, Iterator, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator

SCHEMA_VERSION = "1"

SectionName = Literal["title", "tactics", "narrative", "partners", "sources", "footer", "other"]
ItemSection = Literal["narrative", "sources", "title", "tactics", "partners", "footer", "other"]
TimexMod = Literal["START", "MID", "END", "APPROX", "BEFORE", "AFTER", "ON_OR_BEFORE", "ON_OR_AFTER"]
PopulationQualifier = Literal["exact", "about", "over", "under"]
ArrestQualifier = Literal["exact", "over", "at_least", "about", "up_to"]
ArrestRole = Literal["buyer", "seller", "trafficker", "mixed", "unknown"]
AgencyKind = Literal["police", "sheriff", "state_police", "prosecutor", "court", "federal",
                     "state_agency", "local_government", "task_force", "ngo", "other"]
JurisdictionType = Literal["City", "County", "State", "Region"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(Model):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    rule: Optional[str] = Field(default=None, description="id of the rule that made this span")

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        return self


class Source(Model):
    path: str
    sha256: str
    chars: int
    encoding: str = "utf-8"
    text_path: Optional[str] = None


class Extractor(Model):
    version: str
    rules: str


class Title(Model):
    value: str
    span: Span


class Jurisdiction(Model):
    name: Optional[str] = None
    state: Optional[str] = None
    state_code: Optional[str] = None
    type: Optional[JurisdictionType] = None
    spans: list[Span] = []
    confidence: float = Field(default=1.0, ge=0, le=1)


class PopulationMention(Model):
    value: int = Field(ge=0)
    qualifier: PopulationQualifier = "exact"
    span: Span
    confidence: float = Field(default=1.0, ge=0, le=1)


class Population(Model):
    value: Optional[int] = Field(default=None, ge=0)
    span: Optional[Span] = None
    mentions: list[PopulationMention] = []
    confidence: float = Field(default=1.0, ge=0, le=1)


class Tactic(Model):
    label: str
    listed: bool
    known: bool = True
    span: Optional[Span] = None
    evidence: list[Span] = []
    confidence: float = Field(default=1.0, ge=0, le=1)


class DateRef(Model):
    value: Optional[str] = None
    mod: Optional[TimexMod] = None


class Arrest(Model):
    count: int = Field(ge=0)
    qualifier: ArrestQualifier = "exact"
    role: ArrestRole = "unknown"
    date: Optional[DateRef] = None
    section: ItemSection = "narrative"
    span: Span
    sentence: Optional[Span] = None
    confidence: float = Field(default=1.0, ge=0, le=1)


class DateItem(Model):
    value: str
    mod: Optional[TimexMod] = None
    section: ItemSection = "narrative"
    span: Span
    start: Optional[str] = Field(default=None, description="first calendar day covered (ISO date)")
    end: Optional[str] = Field(default=None, description="last calendar day covered (ISO date)")
    granularity: Optional[Literal["day", "month", "season", "year", "decade", "interval"]] = None
    confidence: float = Field(default=1.0, ge=0, le=1)


class Agency(Model):
    name: str
    kind: AgencyKind = "other"
    aliases: list[str] = []
    mentions: list[Span] = []
    confidence: float = Field(default=1.0, ge=0, le=1)


class Citation(Model):
    title: Optional[str] = None
    outlet: Optional[str] = None
    date: Optional[DateRef] = None
    heading: Optional[str] = None
    span: Span
    confidence: float = Field(default=1.0, ge=0, le=1)


class Section(Model):
    name: SectionName
    span: Span
    heading: Optional[str] = None


class Flag(Model):
    code: str
    message: str
    span: Optional[Span] = None


class Record(Model):
    schema_version: str = SCHEMA_VERSION
    doc_id: str
    source: Source
    extractor: Extractor
    title: Optional[Title] = None
    jurisdiction: Optional[Jurisdiction] = None
    population: Optional[Population] = None
    tactics: list[Tactic] = []
    arrests: list[Arrest] = []
    dates: list[DateItem] = []
    agencies: list[Agency] = []
    citations: list[Citation] = []
    sections: list[Section] = []
    flags: list[Flag] = []

    @model_validator(mode="after")
    def _spans_match_text(self, info: ValidationInfo) -> "Record":
        text = (info.context or {}).get("text") if info else None
        if text is not None:
            check_spans(self, text)
        return self


class ErrorLine(Model):
    source: str
    error: str
    message: str


_CONTAINERS = (BaseModel, list, tuple, dict)


def iter_spans(obj: Any) -> Iterator[Span]:
    """Every Span inside a model (or list/dict of models), depth first."""
    if isinstance(obj, Span):
        yield obj
        return
    if isinstance(obj, BaseModel):
        values = [getattr(obj, name) for name in type(obj).model_fields]
    elif isinstance(obj, (list, tuple)):
        values = obj
    elif isinstance(obj, dict):
        values = obj.values()
    else:
        return
    for value in values:
        if isinstance(value, _CONTAINERS):  # strings and numbers hold no span: no generator for them
            yield from iter_spans(value)


class SpanMismatch(ValueError):
    pass


def check_spans(record: BaseModel, text: str) -> None:
    """Raise SpanMismatch naming the first span whose text is not text[start:end]."""
    for span in iter_spans(record):
        if span.end > len(text) or text[span.start:span.end] != span.text:
            raise SpanMismatch(
                f"span {span.start}:{span.end} {span.text[:40]!r} does not match the document text "
                f"{text[span.start:span.end][:40]!r}")


def record_json_schema() -> dict:
    return Record.model_json_schema()
