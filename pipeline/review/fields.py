"""What a reviewer decides on: the items of a record, field by field.

Every reviewable field of a record (pipeline/records.py) is a list of items
here: list fields (tactics, arrests, dates, agencies, citations) one item per
entry, single-object fields (title, jurisdiction, population) one item when
set. For each field this module knows

- the *key*: the values that identify an item for anchoring (an arrest is its
  count, a date its EDTF value, an agency its name, a tactic its label);
- the *editable* values a reviewer may correct, with their types;
- the item's spans (the first is the one a decision is anchored to).

Pure functions over plain dicts: no spaCy, no database.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pydantic import ValidationError

from pipeline import records as models


class BadValue(ValueError):
    """A correction or addition the field cannot hold (a plain message for a 400)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str            # shown in the legend
    colour: str           # highlight colour (CSS)
    key: tuple[str, ...]  # values that identify an item
    editable: tuple[str, ...]
    many: bool            # list field (True) or single object (False)
    model: type
    spans: Callable[[dict], list[dict]]


def _one(name: str) -> Callable[[dict], list[dict]]:
    return lambda item: [item[name]] if item.get(name) else []


def _tactic_spans(item: dict) -> list[dict]:
    return ([item["span"]] if item.get("span") else []) + list(item.get("evidence") or [])


def _population_spans(item: dict) -> list[dict]:
    return ([item["span"]] if item.get("span") else []) + [m["span"] for m in item.get("mentions") or []
                                                          if m.get("span")]


FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in [
    FieldSpec("title", "Title", "#d9d9d9", ("value",), ("value",), False, models.Title, _one("span")),
    FieldSpec("jurisdiction", "Jurisdiction", "#a6cee3", ("name", "state_code"),
              ("name", "state", "state_code", "type"), False, models.Jurisdiction,
              lambda item: list(item.get("spans") or [])),
    FieldSpec("population", "Population", "#b2df8a", ("value",), ("value",), False, models.Population,
              _population_spans),
    FieldSpec("tactics", "Tactic", "#fdbf6f", ("label",), ("label",), True, models.Tactic, _tactic_spans),
    FieldSpec("arrests", "Arrests", "#fb9a99", ("count",), ("count", "role", "qualifier"), True,
              models.Arrest, _one("span")),
    FieldSpec("dates", "Date", "#cab2d6", ("value",), ("value", "mod"), True, models.DateItem,
              _one("span")),
    FieldSpec("agencies", "Agency", "#8dd3c7", ("name",), ("name", "kind"), True, models.Agency,
              lambda item: list(item.get("mentions") or [])),
    FieldSpec("citations", "Citation", "#ffff99", ("title",), ("title", "outlet"), True, models.Citation,
              _one("span")),
]}

# EDTF values of the guidelines: 2008, 2018-06, 1998-05-25, 199X, 2019-22, 2012/2014.
_EDTF_POINT = r"(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|\d{3}X|\d{2}XX)"
EDTF = re.compile(rf"^{_EDTF_POINT}(?:/{_EDTF_POINT})?$")


@dataclass
class Item:
    """One reviewable item of a record as the extractor gave it."""
    field: str
    index: int
    data: dict
    spans: list[dict]
    confidence: Optional[float]

    @property
    def key(self) -> dict:
        return item_key(self.field, self.data)

    @property
    def span(self) -> Optional[dict]:
        return self.spans[0] if self.spans else None


def items_of(record: dict) -> list[Item]:
    """Every reviewable item of a record dict, in field order then list order."""
    out: list[Item] = []
    for spec in FIELDS.values():
        value = record.get(spec.name)
        entries = (value or []) if spec.many else ([value] if value else [])
        for index, entry in enumerate(entries):
            if spec.name == "population" and entry.get("value") is None:
                continue
            out.append(Item(spec.name, index, entry, [s for s in spec.spans(entry) if s],
                            entry.get("confidence")))
    return out


def item_key(field: str, data: dict) -> dict:
    return {name: data.get(name) for name in FIELDS[field].key}


def norm(value: Any) -> Any:
    """A value as compared for anchoring: strings NFKC, case-folded, spaces collapsed."""
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if isinstance(value, dict):
        return {k: norm(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


def same_key(a: dict, b: dict) -> bool:
    return norm(a) == norm(b)


def describe(field: str, data: dict) -> str:
    """A short human text of an item's value (for lists and the queue)."""
    if field == "jurisdiction":
        parts = [data.get("name"), data.get("state_code") or data.get("state"), data.get("type")]
        return ", ".join(str(p) for p in parts if p)
    if field == "arrests":
        extra = [data.get("role")] if data.get("role") not in (None, "unknown") else []
        date = (data.get("date") or {}).get("value")
        return " ".join([str(data.get("count"))] + extra + ([f"({date})"] if date else []))
    if field == "dates":
        return str(data.get("value")) + (f" {data['mod']}" if data.get("mod") else "")
    if field == "agencies":
        return f"{data.get('name')} ({data.get('kind', 'other')})"
    if field == "citations":
        return " / ".join(str(p) for p in (data.get("title"), data.get("outlet")) if p)
    if field == "tactics":
        return str(data.get("label"))
    return str(data.get("value"))


def coerce_value(field: str, value: Any) -> dict:
    """A reviewer's value as a dict of the field's editable values.

    A scalar is the field's first key (`3` for arrests is `{"count": 3}`,
    `"2019-06"` for dates is `{"value": "2019-06"}`); a dict names its keys.
    Raises BadValue with a plain message.
    """
    spec = FIELDS[field]
    if value is None:
        raise BadValue(f"a value is needed for {field}")
    if not isinstance(value, dict):
        value = {spec.key[0]: value}
    unknown = sorted(set(value) - set(spec.editable))
    if unknown:
        raise BadValue(f"{field} has no editable value {', '.join(unknown)} "
                       f"(editable: {', '.join(spec.editable)})")
    out: dict = {}
    for name, raw in value.items():
        if (name == "count" or (field == "population" and name == "value")):
            if isinstance(raw, str) and raw.strip().replace(",", "").isdigit():
                raw = int(raw.strip().replace(",", ""))
            if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
                raise BadValue(f"{field} {name} must be a whole number of 0 or more, not {raw!r}")
        elif raw is not None:
            if not isinstance(raw, str):
                raise BadValue(f"{field} {name} must be text, not {raw!r}")
            raw = " ".join(raw.split())
            if not raw and name in spec.key:
                raise BadValue(f"{field} {name} must not be empty")
            if not raw:
                raw = None
        if field == "dates" and name == "value" and not EDTF.match(raw or ""):
            raise BadValue(f"date value {raw!r} is not an EDTF value such as 2008, 2018-06, "
                           "1998-05-25, 199X, 2019-22 or 2012/2014")
        out[name] = raw
    return out


def corrected(field: str, data: dict, value: dict) -> dict:
    """The item with the reviewer's values in place, validated by the field's model."""
    return _validated(field, {**data, **value})


def added(field: str, value: dict, span: dict) -> dict:
    """A new item for a field from a reviewer's value and the span they selected."""
    data = dict(value)
    if field == "jurisdiction":
        data["spans"] = [span]
    elif field == "agencies":
        data["mentions"] = [span]
    elif field == "tactics":
        data.setdefault("listed", False)
        data["evidence"] = [span]
    else:
        data["span"] = span
    if field == "dates":
        data.setdefault("section", "narrative")
    return _validated(field, data)


def _validated(field: str, data: dict) -> dict:
    try:
        model = FIELDS[field].model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise BadValue(f"{field}: {where + ': ' if where else ''}{first.get('msg')}") from None
    return model.model_dump(mode="json")
