"""Scoring records against gold files, and how far confidence can be trusted.

The fields and matching rules are those of shared/eval/score.py
(shared/corpus/GUIDELINES.md), reimplemented as pure functions so that
`profilex eval` can show a domain expert what a rule change does to their
own gold files:

- tactics_listed / tactics_mentioned: the sets of labels (listed; with
  evidence).
- population: the value.
- arrests: the multiset of (count, year of the date or None).
- dates: the multiset of EDTF values.
- agencies: a predicted name matches a gold name or alias once each, after
  `norm_name` (lower case, "the" dropped, "&" read as "and", punctuation
  removed).
- citations: the multiset of (title after `norm_title`, date value).
- jurisdiction: name, state_code and type, each compared after `norm_name`.
- population_mentions (not in score.py; the gold files hold them): the
  multiset of mention values.

A gold file that lacks a field's key altogether does not annotate it: the
field is left out for that page (score.py would stop there), so a domain
expert can write gold files for only the fields they check.

Each predicted item is also judged right or wrong on its own (`Outcome`),
with the rule that made it and its confidence: that gives the calibration
bands (how often items of a confidence band are right) and the measured
precision per rule that `--calibrate-out` stores in models/confidence.json.
"""
from __future__ import annotations

import collections
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from pipeline.components.confidence import Context, context_for, features, item_rule, sections_lookup

CORE = ("tactics_listed", "population", "arrests", "dates", "agencies")
FIELDS = CORE + ("tactics_mentioned", "citations", "jurisdiction", "population_mentions")
EXTRA_FIELDS = ("population_mentions",)  # scored here, not by shared/eval/score.py
JURISDICTION_KEYS = ("name", "state_code", "type")
DEFAULT_BAND_EDGES = (0.0, 0.5, 0.7, 0.9, 1.0)


# ---------------------------------------------------------------- normalization


def norm_name(s: Optional[str]) -> str:
    s = (s or "").lower().replace("&", " and ").replace("’", "'")
    s = re.sub(r"^the\s+", "", s.strip())
    s = re.sub(r"[^\w\s]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def norm_title(s: Optional[str]) -> str:
    return norm_name((s or "").strip("“”\"' ,."))


def date_value(d: Any) -> Optional[str]:
    if isinstance(d, dict):
        return d.get("value")
    return d


def year_of(d: Any) -> Optional[str]:
    v = date_value(d)
    return v[:4] if isinstance(v, str) and len(v) >= 4 else None


# ---------------------------------------------------------------- matching


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def match_multiset(gold: Iterable, pred: Sequence) -> tuple[list[bool], list]:
    """Which predicted keys match a gold key (each gold key used once), and the gold keys left over."""
    left = collections.Counter(gold)
    flags = []
    for key in pred:
        if left[key] > 0:
            left[key] -= 1
            flags.append(True)
        else:
            flags.append(False)
    return flags, sorted(left.elements(), key=str)


def match_agencies(gold: Sequence[dict], pred: Sequence[Optional[str]]) -> tuple[list[bool], list[str]]:
    """Predicted names against gold agencies (name or any alias), each gold agency matched once."""
    remaining = list(gold)
    flags = []
    for name in pred:
        n = norm_name(name)
        hit = next((g for g in remaining
                    if n == norm_name(g["name"]) or n in {norm_name(a) for a in g.get("aliases", [])}), None)
        if hit is not None:
            remaining.remove(hit)
        flags.append(hit is not None)
    return flags, [g["name"] for g in remaining]


# ---------------------------------------------------------------- one document


@dataclass
class Outcome:
    """One predicted item judged against the gold file."""
    doc: str
    field: str  # the record field, as in models/confidence.json ("population.mentions", ...)
    rule: str
    confidence: Optional[float]
    right: bool
    item: str  # what was predicted, for the listing
    features: tuple[str, ...] = ()  # its section and agreement features (models/confidence.json)


@dataclass
class DocResult:
    doc: str
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in FIELDS})
    misses: dict[str, list] = field(default_factory=dict)  # field -> gold values not found
    extras: dict[str, list] = field(default_factory=dict)  # field -> predicted values not in gold
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # no record, bad spans
    spans_ok: int = 0
    spans_all: int = 0
    context: Context = field(default_factory=Context)  # for the items' features


def _count(result: DocResult, name: str, flags: list[bool], pred: Sequence, missed: Sequence) -> None:
    tp = sum(flags)
    result.tallies[name].add(tp, len(flags) - tp, len(missed))
    extra = [p for p, ok in zip(pred, flags) if not ok]
    if missed:
        result.misses[name] = list(missed)
    if extra:
        result.extras[name] = extra


def _outcome(result: DocResult, field_name: str, item: dict, right: bool, shown: Any) -> None:
    conf = item.get("confidence")
    result.outcomes.append(Outcome(result.doc, field_name, item_rule(field_name, item),
                                   float(conf) if isinstance(conf, (int, float)) else None, right, str(shown),
                                   tuple(features(field_name, item, result.context))))


def iter_record_spans(obj: Any):
    if isinstance(obj, dict):
        if {"start", "end", "text"} <= obj.keys() and isinstance(obj.get("start"), int):
            yield obj
        for v in obj.values():
            yield from iter_record_spans(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from iter_record_spans(v)


def _score_tactics(gold: dict, record: dict, result: DocResult) -> None:
    tactics = record.get("tactics") or []
    listed = [t["label"] for t in tactics if t.get("listed")]
    mentioned = [t["label"] for t in tactics if t.get("evidence")]
    for name, pred in (("tactics_listed", listed), ("tactics_mentioned", mentioned)):
        pred = sorted(set(pred))
        flags, missed = match_multiset(set(gold.get(name) or []), pred)
        _count(result, name, flags, pred, missed)
    gold_listed, gold_mentioned = set(gold.get("tactics_listed") or []), set(gold.get("tactics_mentioned") or [])
    for t in tactics:
        right = t["label"] in (gold_listed if t.get("listed") else gold_mentioned)
        _outcome(result, "tactics", t, right, t["label"])


def _score_population(gold: dict, record: dict, result: DocResult) -> None:
    gpop_obj = gold.get("population") or {}
    ppop_obj = record.get("population") or {}
    gpop, ppop = gpop_obj.get("value"), ppop_obj.get("value")
    tp = int(gpop is not None and ppop == gpop)
    result.tallies["population"].add(tp, int(ppop is not None and not tp), int(gpop is not None and not tp))
    if ppop != gpop:
        if gpop is not None:
            result.misses["population"] = [gpop]
        if ppop is not None:
            result.extras["population"] = [ppop]
    if ppop is not None:
        _outcome(result, "population", ppop_obj, bool(tp), ppop)
    mentions = ppop_obj.get("mentions") or []
    pred = [m.get("value") for m in mentions]
    flags, missed = match_multiset([m["value"] for m in gpop_obj.get("mentions") or []], pred)
    _count(result, "population_mentions", flags, pred, missed)
    for m, ok in zip(mentions, flags):
        _outcome(result, "population.mentions", m, ok, m.get("value"))


def _score_list(name: str, gold_key, pred_key):
    """A scorer for a list field matched as a multiset of keys."""
    def score(gold: dict, record: dict, result: DocResult) -> None:
        items = record.get(name) or []
        pred = [pred_key(x) for x in items]
        flags, missed = match_multiset([gold_key(x) for x in gold.get(name) or []], pred)
        _count(result, name, flags, pred, missed)
        for item, ok, key in zip(items, flags, pred):
            _outcome(result, name, item, ok, key)
    return score


def _score_agencies(gold: dict, record: dict, result: DocResult) -> None:
    agencies = record.get("agencies") or []
    pred = [a.get("name") for a in agencies]
    flags, missed = match_agencies(gold.get("agencies") or [], pred)
    _count(result, "agencies", flags, pred, missed)
    for a, ok in zip(agencies, flags):
        _outcome(result, "agencies", a, ok, a.get("name"))


def _score_jurisdiction(gold: dict, record: dict, result: DocResult) -> None:
    gj, pj = gold.get("jurisdiction") or {}, record.get("jurisdiction") or {}
    all_right, any_predicted = True, False
    for key in JURISDICTION_KEYS:
        g, p = gj.get(key), pj.get(key)
        ok = g is not None and p is not None and norm_name(str(p)) == norm_name(str(g))
        result.tallies["jurisdiction"].add(int(ok), int(p is not None and not ok), int(g is not None and not ok))
        if not ok and g is not None:
            result.misses.setdefault("jurisdiction", []).append(f"{key}={g}")
        if not ok and p is not None:
            result.extras.setdefault("jurisdiction", []).append(f"{key}={p}")
        any_predicted |= p is not None
        all_right &= ok or p is None
    if any_predicted:
        _outcome(result, "jurisdiction", pj, all_right,
                 ", ".join(f"{k}={pj.get(k)}" for k in JURISDICTION_KEYS if pj.get(k) is not None))


# (gold key that must be present, scorer). A gold file without a key does not
# annotate that field: it is left out for that page rather than counted wrong.
SCORERS = (
    (("tactics_listed", "tactics_mentioned"), _score_tactics),
    (("population",), _score_population),
    (("arrests",), _score_list("arrests", lambda a: (a["count"], year_of(a["date"])),
                               lambda a: (a.get("count"), year_of(a.get("date"))))),
    (("dates",), _score_list("dates", lambda d: d["value"], lambda d: d.get("value"))),
    (("agencies",), _score_agencies),
    (("citations",), _score_list("citations", lambda c: (norm_title(c["title"]), date_value(c["date"])),
                                 lambda c: (norm_title(c.get("title")), date_value(c.get("date"))))),
    (("jurisdiction",), _score_jurisdiction),
)


def score_document(gold: dict, record: Optional[dict], text: Optional[str] = None) -> DocResult:
    """Compare one record with its gold file (score.py's rules); `text` checks the spans."""
    result = DocResult(doc=gold["doc"])
    if record is None:
        result.notes.append("no record")
        record = {}
    if text is not None:
        for sp in iter_record_spans(record):
            result.spans_all += 1
            if 0 <= sp["start"] <= sp["end"] <= len(text) and text[sp["start"]:sp["end"]] == sp["text"]:
                result.spans_ok += 1
            else:
                result.notes.append(f"bad span {sp['start']}:{sp['end']} {sp['text'][:40]!r}")
    result.context = context_for(record, sections_lookup(record.get("sections") or []))
    for keys, scorer in SCORERS:
        if any(k in gold for k in keys):
            scorer(gold, record, result)
    return result


# ---------------------------------------------------------------- many documents


@dataclass
class Band:
    low: float
    high: float
    n: int = 0
    right: int = 0
    confidence_sum: float = 0.0

    @property
    def accuracy(self) -> Optional[float]:
        return self.right / self.n if self.n else None

    @property
    def mean_confidence(self) -> Optional[float]:
        return self.confidence_sum / self.n if self.n else None

    def as_dict(self) -> dict:
        return {"low": self.low, "high": self.high, "n": self.n, "right": self.right,
                "accuracy": self.accuracy, "mean_confidence": self.mean_confidence}


def parse_band_edges(spec: str) -> tuple[float, ...]:
    """"0.5,0.7,0.9" -> (0, 0.5, 0.7, 0.9, 1); raises ValueError for unordered or out-of-range edges."""
    inner = [float(x) for x in spec.split(",") if x.strip()]
    edges = (0.0, *inner, 1.0)
    if any(not 0 < x < 1 for x in inner) or any(a >= b for a, b in zip(edges, edges[1:])):
        raise ValueError(f"band edges must rise strictly between 0 and 1: {spec!r}")
    return edges


def calibration(outcomes: Iterable[Outcome], edges: Sequence[float] = DEFAULT_BAND_EDGES) -> list[Band]:
    """Items per confidence band [low, high) (the last band includes 1) and how many were right.

    Items without a confidence are left out.
    """
    bands = [Band(lo, hi) for lo, hi in zip(edges, edges[1:])]
    for o in outcomes:
        if o.confidence is None:
            continue
        band = next((b for b in bands if b.low <= o.confidence < b.high), bands[-1])
        band.n += 1
        band.right += int(o.right)
        band.confidence_sum += o.confidence
    return bands


def feature_stats(outcomes: Iterable[Outcome]) -> dict[str, dict[str, dict[str, int]]]:
    """field -> feature -> {"n": items with it, "right": those matched to gold}: what a weight rests on."""
    stats: dict[str, dict[str, dict[str, int]]] = {}
    for o in outcomes:
        for f in o.features:
            s = stats.setdefault(o.field, {}).setdefault(f, {"n": 0, "right": 0})
            s["n"] += 1
            s["right"] += int(o.right)
    return stats


def rule_stats(outcomes: Iterable[Outcome]) -> dict[str, dict[str, dict[str, int]]]:
    """field -> rule -> {"n": items, "right": items matched to gold}."""
    stats: dict[str, dict[str, dict[str, int]]] = {}
    for o in outcomes:
        s = stats.setdefault(o.field, {}).setdefault(o.rule, {"n": 0, "right": 0})
        s["n"] += 1
        s["right"] += int(o.right)
    return stats


@dataclass
class Report:
    docs: list[DocResult]
    records: int = 0
    edges: Sequence[float] = DEFAULT_BAND_EDGES

    def tallies(self) -> dict[str, Tally]:
        total = {k: Tally() for k in FIELDS}
        for d in self.docs:
            for k, t in d.tallies.items():
                total[k].add(t.tp, t.fp, t.fn)
        return total

    @property
    def outcomes(self) -> list[Outcome]:
        return [o for d in self.docs for o in d.outcomes]

    def overall_f1(self) -> float:
        t = self.tallies()
        return sum(t[k].prf()[2] for k in CORE) / len(CORE)

    def calibration_by_field(self) -> dict[str, list[Band]]:
        by_field: dict[str, list[Outcome]] = collections.defaultdict(list)
        for o in self.outcomes:
            by_field[o.field].append(o)
        return {f: calibration(by_field[f], self.edges) for f in sorted(by_field)}

    def as_dict(self) -> dict:
        out: dict[str, Any] = {}
        for k, t in self.tallies().items():
            p, r, f = t.prf()
            out[k] = {"precision": p, "recall": r, "f1": f, "tp": t.tp, "fp": t.fp, "fn": t.fn}
        out["overall_f1"] = self.overall_f1()
        out["spans_valid"] = sum(d.spans_ok for d in self.docs)
        out["spans_total"] = sum(d.spans_all for d in self.docs)
        out["docs"] = len(self.docs)
        out["records"] = self.records
        out["errors"] = [{"doc": d.doc, "field": f, "missed": _jsonable(d.misses.get(f, [])),
                          "extra": _jsonable(d.extras.get(f, []))}
                         for d in self.docs for f in FIELDS if d.misses.get(f) or d.extras.get(f)]
        out["notes"] = [{"doc": d.doc, "note": n} for d in self.docs for n in d.notes]
        out["calibration"] = {"all": [b.as_dict() for b in calibration(self.outcomes, self.edges)]}
        out["calibration"].update({f: [b.as_dict() for b in bands]
                                   for f, bands in self.calibration_by_field().items()})
        out["rules"] = rule_stats(self.outcomes)
        out["features"] = feature_stats(self.outcomes)
        return out


def _jsonable(values: list) -> list:
    return [list(v) if isinstance(v, tuple) else v for v in values]


def evaluate(pairs: Iterable[tuple[dict, Optional[dict], Optional[str]]], records: int = 0,
             edges: Sequence[float] = DEFAULT_BAND_EDGES) -> Report:
    """Score (gold, record or None, document text or None) triples."""
    return Report([score_document(g, r, t) for g, r, t in pairs], records=records, edges=edges)


# ---------------------------------------------------------------- files


def read_gold_dir(gold_dir: Path) -> list[dict]:
    """Every `*.gold.json` of a folder, sorted by name."""
    golds = []
    for path in sorted(Path(gold_dir).glob("*.gold.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "doc" not in data:
            raise ValueError(f"{path}: not a gold file (no 'doc' field)")
        golds.append(data)
    return golds


def read_records(path: Path) -> list[dict]:
    records = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not valid JSON ({err.msg})") from None
    return records


def record_for(doc: str, gold_dir: Path, records: Sequence[dict]) -> Optional[dict]:
    """The record of a gold file's page: same file name, preferring one read from beside the gold folder."""
    same = [r for r in records if Path((r.get("source") or {}).get("path", "")).name == doc]
    if len(same) > 1:
        here = Path(gold_dir).resolve().parent
        for r in same:
            try:
                Path(r["source"]["path"]).resolve().relative_to(here)
                return r
            except ValueError:
                continue
    return same[0] if same else None


def read_text(record: Optional[dict], raw_dir: Optional[Path] = None) -> Optional[str]:
    """The document text a record's spans point into, when its file can be found from here
    (or, failing that, under `raw_dir` by file name)."""
    source = (record or {}).get("source") or {}
    path = source.get("text_path") or source.get("path")
    if path and not Path(path).is_file() and raw_dir is not None and not source.get("text_path"):
        path = str(Path(raw_dir) / Path(path).name)
    if not path or not Path(path).is_file():
        return None
    if not source.get("text_path") and Path(path).suffix.lower() in (".html", ".htm"):
        return None  # the spans point into the text extracted from the page, not saved here
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    encoding = source.get("encoding") or "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff") if encoding.startswith("utf-16") else text


# ---------------------------------------------------------------- text output


def _fmt(x: Optional[float]) -> str:
    return "     -" if x is None else f"{x:6.3f}"


def format_report(report: Report, show_errors: bool = True) -> str:
    lines = [f"{len(report.docs)} gold documents, {report.records} records"]
    lines.append(f"{'field':<20} {'P':>6} {'R':>6} {'F1':>6}   tp/fp/fn")
    for k, t in report.tallies().items():
        p, r, f = t.prf()
        mark = "*" if k in CORE else ("+" if k in EXTRA_FIELDS else " ")
        lines.append(f"{k:<19}{mark} {p:6.3f} {r:6.3f} {f:6.3f}   {t.tp}/{t.fp}/{t.fn}")
    ok, total = sum(d.spans_ok for d in report.docs), sum(d.spans_all for d in report.docs)
    lines.append(f"overall F1 {report.overall_f1():.3f} (mean of the * fields) spans {ok}/{total}")
    lines.append("(+ is scored here only, not by shared/eval/score.py)")
    if show_errors:
        lines.append("")
        lines.append("Misses (in gold, not found) and extras (found, not in gold):")
        any_error = False
        for d in report.docs:
            for note in d.notes:
                lines.append(f"{d.doc}: {note}")
                any_error = True
            for f in FIELDS:
                miss, extra = d.misses.get(f), d.extras.get(f)
                if miss or extra:
                    lines.append(f"{d.doc}: {f} missed {_show(miss)} extra {_show(extra)}")
                    any_error = True
        if not any_error:
            lines.append("none")
    lines.append("")
    lines.append("Calibration: items per confidence band and how often they match the gold")
    lines.append(f"{'field':<20} " + "  ".join(f"{_band_name(b):>17}" for b in calibration([], report.edges)))
    rows = {"all": calibration(report.outcomes, report.edges), **report.calibration_by_field()}
    for name, bands in rows.items():
        cells = [f"{b.right:>4}/{b.n:<4} {_pct(b.accuracy):>7}" for b in bands]
        lines.append(f"{name:<20} " + "  ".join(f"{c:>17}" for c in cells))
    lines.append("")
    lines.append("Features (models/confidence.json weights): items with each and how many are right")
    for name, by_feature in sorted(feature_stats(report.outcomes).items()):
        cells = [f"{f} {s['right']}/{s['n']}" for f, s in sorted(by_feature.items())]
        lines.append(f"{name:<20} " + ", ".join(cells))
    return "\n".join(lines)


def _band_name(b: Band) -> str:
    return f"{b.low:.2f}-{b.high:.2f}"


def _pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _show(values: Optional[list]) -> str:
    return "[]" if not values else "[" + ", ".join(repr(v) if not isinstance(v, tuple) else
                                                  "(" + ", ".join(map(repr, v)) + ")" for v in values) + "]"
