"""Confidence component (last stage): every item's `confidence` in [0, 1].

How sure the pipeline is of an item comes from three things, combined
here and explained in models/README.md ("confidence.json"):

1. The rule that made it. Every extractor names its rule in the item's span
   (`span.rule`); `profilex eval --calibrate-out models/confidence.json`
   measures, on gold pages, how often items of each (field, rule) were
   right. The base is that precision, smoothed toward a prior with
   `prior_weight` pseudo-items (so a rule seen twice does not get 1.0):
   `base = (right + prior_weight * prior) / (n + prior_weight)`. The prior
   is the extractor's provisional confidence when it set one, else the
   field's default, else the global default; a rule never measured gets the
   prior itself.
2. Where it stands: the section of the page (a footer population figure is
   surer than a narrative one; a headline in the sources is a clean count).
3. Whether other evidence agrees (a listed tactic with narrative evidence, a
   population mention agreeing with the footer, an agency named several
   times, an arrest count stated twice, a date inside a citation).

(2) and (3) are named features with weights in log-odds, per field:
`confidence = sigmoid(logit(base) + sum(weights of the features present))`.
A positive weight raises confidence, a negative one lowers it; the order of
items is what reviewers rely on (see `profilex eval` calibration bands).

Everything below but the component class is pure and works on plain dicts
(the results of a Doc, or a record read from records.jsonl).
"""
from __future__ import annotations

import bisect
import collections
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.rules import load_lexicon, models_dir as resolve_models_dir
from pipeline.spans import results

ORDER = 90
FACTORY = "profilex_confidence"
CONFIDENCE_FILE = "confidence.json"

# The item kinds that carry a confidence, as named in confidence.json.
ITEM_FIELDS = ("jurisdiction", "population", "population.mentions", "tactics", "arrests", "dates",
               "agencies", "citations")
NO_RULE = "(none)"
# Confidence is kept away from 0 and 1 before features are added, so a
# feature can always move it, and rounded to this many digits.
BASE_FLOOR, BASE_CEILING = 0.02, 0.98
DIGITS = 3


class RuleStat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(ge=0)
    right: int = Field(ge=0)

    @field_validator("right")
    @classmethod
    def _at_most_n(cls, v: int, info) -> int:
        if "n" in info.data and v > info.data["n"]:
            raise ValueError("right cannot exceed n")
        return v


class FieldSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default: Optional[float] = Field(default=None, ge=0, le=1)
    features: dict[str, float] = {}


class ConfidenceModel(BaseModel):
    """models/confidence.json."""
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    default: float = Field(ge=0, le=1, description="prior for an item whose field has no default")
    prior_weight: float = Field(ge=0, description="pseudo-items of the prior mixed into measured precision")
    fields: dict[str, FieldSettings] = {}
    rules: dict[str, dict[str, RuleStat]] = Field(default={}, description="measured: field -> rule -> n, right")
    measured_on: dict = Field(default={}, description="what `profilex eval --calibrate-out` measured on")

    @field_validator("fields", "rules")
    @classmethod
    def _known_fields(cls, v: dict) -> dict:
        unknown = sorted(set(v) - set(ITEM_FIELDS))
        if unknown:
            raise ValueError(f"unknown fields {unknown} (known: {', '.join(ITEM_FIELDS)})")
        return v


def load_confidence_model(models_dir: Optional[Union[str, Path]] = None) -> ConfidenceModel:
    return load_lexicon(resolve_models_dir(models_dir) / CONFIDENCE_FILE, ConfidenceModel)


# ---------------------------------------------------------------- items


def iter_items(record: dict) -> Iterator[tuple[str, dict]]:
    """(field, item) for every item that carries a confidence, in record order."""
    jurisdiction = record.get("jurisdiction")
    if jurisdiction and any(jurisdiction.get(k) for k in ("name", "state", "state_code", "type")):
        yield "jurisdiction", jurisdiction
    population = record.get("population")
    if population:
        if population.get("value") is not None:
            yield "population", population
        for mention in population.get("mentions") or []:
            yield "population.mentions", mention
    for name in ("tactics", "arrests", "dates", "agencies", "citations"):
        for item in record.get(name) or []:
            yield name, item


def item_spans(field_name: str, item: dict) -> list[dict]:
    """The spans that locate an item, the one that made it first."""
    spans = []
    if isinstance(item.get("span"), dict):
        spans.append(item["span"])
    for key in ("evidence", "mentions", "spans"):
        for s in item.get(key) or []:
            if isinstance(s, dict) and "start" in s:
                spans.append(s)
    return spans


def item_rule(field_name: str, item: dict) -> str:
    """The id of the rule that made an item (its first span naming one), or "(none)"."""
    for span in item_spans(field_name, item):
        if span.get("rule"):
            return str(span["rule"])
    return NO_RULE


# ---------------------------------------------------------------- features


@dataclass
class Context:
    """What the features may look at besides the item itself."""
    section_at: Callable[[int], str] = lambda offset: "narrative"
    population: Optional[dict] = None
    arrests: list[dict] = field(default_factory=list)
    citation_spans: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._counts: Optional[collections.Counter] = None
        self._cites: Optional[tuple[list[int], list[int]]] = None

    def count_stated(self, count) -> int:
        """How many arrest items state this count."""
        if self._counts is None:
            self._counts = collections.Counter(a.get("count") for a in self.arrests)
        return self._counts[count]

    def in_citation(self, start: int, end: int) -> bool:
        """Is text[start:end] inside a citation entry? (entries do not overlap)"""
        if self._cites is None:
            spans = sorted(self.citation_spans)
            self._cites = ([s for s, _ in spans], [e for _, e in spans])
        starts, ends = self._cites
        i = bisect.bisect_right(starts, start) - 1
        return i >= 0 and end <= ends[i]


def mention_agrees(value: int, qualifier: str, figure: int) -> bool:
    """Does a narrative population statement ("about 40,000") fit a figure (40576)?"""
    if figure <= 0 or value <= 0:
        return False
    if qualifier == "about":
        return abs(value - figure) <= 0.15 * figure
    if qualifier == "over":
        return value * 0.98 <= figure <= value * 1.5
    if qualifier == "under":
        return value * 0.5 <= figure <= value * 1.02
    return abs(value - figure) <= 0.02 * figure


def features(field_name: str, item: dict, ctx: Context) -> list[str]:
    """The named features of an item (section and agreement), looked up in confidence.json."""
    spans = item_spans(field_name, item)
    out = []
    if spans:
        out.append(f"section:{ctx.section_at(spans[0]['start'])}")
    if field_name == "jurisdiction":
        if any(ctx.section_at(s["start"]) == "footer" for s in spans[1:]):
            out.append("section:footer")
        if len({s.get("text", "").lower() for s in spans}) >= 2:
            out.append("several_spans")
    elif field_name == "population":
        mentions = item.get("mentions") or []
        if any(mention_agrees(m.get("value", 0), m.get("qualifier", "exact"), item["value"]) for m in mentions):
            out.append("agrees_with_mention")
    elif field_name == "population.mentions":
        pop = ctx.population or {}
        span = pop.get("span")
        if pop.get("value") is not None and span and ctx.section_at(span["start"]) == "footer":
            ok = mention_agrees(item.get("value", 0), item.get("qualifier", "exact"), pop["value"])
            out.append("agrees_with_footer" if ok else "disagrees_with_footer")
    elif field_name == "tactics":
        if item.get("listed") and item.get("evidence"):
            out.append("listed_and_evidenced")
        if len(item.get("evidence") or []) >= 2:
            out.append("several_evidence")
        if item.get("known") is False:
            out.append("unknown_label")
    elif field_name == "agencies":
        if len(item.get("mentions") or []) >= 2:
            out.append("named_several_times")
        if any(ctx.section_at(s["start"]) == "partners" for s in spans[1:]):
            out.append("section:partners")
    elif field_name == "arrests":
        if item.get("date") and (item["date"] or {}).get("value"):
            out.append("dated")
        if ctx.count_stated(item.get("count")) >= 2:
            out.append("count_restated")
    elif field_name == "dates":
        if spans and ctx.in_citation(spans[0]["start"], spans[0]["end"]):
            out.append("in_citation")
    elif field_name == "citations":
        if item.get("outlet") and item.get("date"):
            out.append("outlet_and_date")
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- scores


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def prior_of(field_name: str, item: dict, model: ConfidenceModel) -> float:
    provisional = item.get("confidence")
    if isinstance(provisional, (int, float)) and 0 <= provisional <= 1:
        return float(provisional)
    settings = model.fields.get(field_name)
    if settings is not None and settings.default is not None:
        return settings.default
    return model.default


def base_confidence(field_name: str, rule: str, prior: float, model: ConfidenceModel) -> float:
    """Measured precision of (field, rule), smoothed toward `prior`; `prior` for an unmeasured rule."""
    stat = model.rules.get(field_name, {}).get(rule)
    if stat is None or stat.n == 0 and model.prior_weight == 0:
        return prior
    return (stat.right + model.prior_weight * prior) / (stat.n + model.prior_weight)


def score_item(field_name: str, item: dict, ctx: Context, model: ConfidenceModel) -> float:
    base = base_confidence(field_name, item_rule(field_name, item), prior_of(field_name, item, model), model)
    base = min(max(base, BASE_FLOOR), BASE_CEILING)
    settings = model.fields.get(field_name)
    weights = settings.features if settings is not None else {}
    shift = sum(weights.get(f, 0.0) for f in features(field_name, item, ctx))
    return round(_sigmoid(_logit(base) + shift), DIGITS)


def context_for(out: dict, section_at: Callable[[int], str]) -> Context:
    """The Context of a record-shaped dict, given where its sections are."""
    return Context(
        section_at=section_at,
        population=out.get("population"),
        arrests=list(out.get("arrests") or []),
        citation_spans=[(c["span"]["start"], c["span"]["end"]) for c in out.get("citations") or []
                        if isinstance(c.get("span"), dict)])


def sections_lookup(sections: list[dict]) -> Callable[[int], str]:
    """`section_at` from a record's `sections` list (as Layout.section_at: "narrative" between them)."""
    regions = sorted((s["span"]["start"], s["span"]["end"], s["name"]) for s in sections or []
                     if isinstance(s.get("span"), dict))
    starts = [r[0] for r in regions]

    def section_at(offset: int) -> str:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and offset < regions[i][1]:
            return regions[i][2]
        return "narrative"
    return section_at


def finalize(out: dict, section_at: Callable[[int], str], model: ConfidenceModel) -> None:
    """Set `confidence` on every item of a record-shaped dict."""
    ctx = context_for(out, section_at)
    scored = [(item, score_item(name, item, ctx, model)) for name, item in iter_items(out)]
    for item, confidence in scored:  # all computed first: features read provisional values only
        item["confidence"] = confidence


# ---------------------------------------------------------------- calibration file


def calibrated_model(model: ConfidenceModel, stats: dict[str, dict[str, dict]], measured_on: dict) -> ConfidenceModel:
    """`model` with its measured rule table replaced by `stats` (field -> rule -> {n, right})."""
    rules = {f: {r: RuleStat(n=s["n"], right=s["right"]) for r, s in sorted(by_rule.items())}
             for f, by_rule in sorted(stats.items()) if f in ITEM_FIELDS}
    return model.model_copy(update={"rules": rules, "measured_on": measured_on})


def write_model(model: ConfidenceModel, path: Union[str, Path]) -> None:
    from pipeline.write import atomic_writer

    text = json.dumps(model.model_dump(mode="json"), indent=1, ensure_ascii=False)
    # Objects holding no other object ({"n": 3, "right": 3}, a feature table) on one line each.
    text = re.sub(r"\{[^{}\[\]]*\}", lambda m: re.sub(r"\s*\n\s*", " ", m.group()).replace("{ ", "{")
                  .replace(" }", "}"), text)
    with atomic_writer(Path(path)) as f:
        f.write(text + "\n")


class ConfidenceComponent:
    def __init__(self, model: ConfidenceModel):
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        from pipeline.components.layout import layout_of

        layout = layout_of(doc)
        finalize(results(doc), layout.section_at, self.model)
        return doc

    # nlp.to_disk / spacy.load carry the calibration with the pipeline.
    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        write_model(self.model, path / CONFIDENCE_FILE)

    def from_disk(self, path, exclude=()) -> "ConfidenceComponent":
        self.model = load_confidence_model(path)
        return self


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_confidence(nlp: Language, name: str, models_dir: Optional[str]) -> ConfidenceComponent:
    return ConfidenceComponent(load_confidence_model(models_dir))
