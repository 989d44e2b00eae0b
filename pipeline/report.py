"""`profilex report`: what a batch found, in one self-contained HTML file.

Built on the export tables (pipeline.tables.to_frames), with review
decisions applied when a review database exists, so the report shows what
an analyst would get from `profilex export`. Charts are matplotlib figures
written as inline SVG: the file opens from disk, with no server, no network
and no JavaScript. matplotlib rather than Altair/Vega-Lite because static
SVG needs no bundled JavaScript runtime (Vega's is ~800 KB a file), renders
the same in every browser and in print, and stays searchable text.

`report_numbers()` computes every figure from the tables (tested against
them); `render_report()` only lays them out.
"""
from __future__ import annotations

import html
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import pandas as pd

REVIEW_URL = "http://127.0.0.1:8765/docs/{doc_id}"
LOW_CONFIDENCE = 0.6
ITEM_TABLES = ("tactics", "population_mentions", "arrests", "dates", "agencies", "citations")
TOP_N = 12
# One colour per field, the same as the review app's legend where they overlap.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]


@dataclass
class Batch:
    folder: Path
    records: list[dict]
    errors: list[dict]
    frames: dict[str, pd.DataFrame]
    reviewed: bool


def load_batch(folder: Union[str, Path]) -> Batch:
    """Records, errors and export tables of an output folder (review decisions applied)."""
    from pipeline.export import apply_review, read_records
    from pipeline.tables import to_frames

    folder = Path(folder)
    records_path = folder / "records.jsonl"
    if not records_path.is_file():
        raise FileNotFoundError(f"{records_path} not found: run `profilex run` first")
    records = list(read_records(records_path))
    errors_path = folder / "errors.jsonl"
    errors = ([json.loads(line) for line in errors_path.read_text(encoding="utf-8").splitlines() if line.strip()]
              if errors_path.is_file() else [])
    reviewed = any(folder.glob("review.sqlite*"))
    rows = apply_review(records, folder) if reviewed else records
    return Batch(folder, records, errors, to_frames(rows), reviewed)


def report_numbers(batch: Batch) -> dict[str, Any]:
    """Every figure the report shows, computed from the export tables."""
    f = batch.frames
    docs = f["documents"]
    n_records = len(docs)
    numbers: dict[str, Any] = {
        "pages": n_records + len(batch.errors),
        "records": n_records,
        "errors_by_code": dict(Counter(e.get("error", "unknown") for e in batch.errors).most_common()),
        "flags_by_code": {str(k): int(v) for k, v in f["flags"]["code"].value_counts().items() if v},
        "items_per_field": {t: int(len(f[t])) for t in ITEM_TABLES},
        "share_with_field": {t: (f[t]["doc_id"].nunique() / n_records if n_records else 0.0)
                             for t in ITEM_TABLES},
    }
    numbers["share_with_field"]["population"] = (
        float(docs["population"].notna().mean()) if n_records else 0.0)
    numbers["share_with_field"]["jurisdiction"] = (
        float(docs["jurisdiction_name"].notna().mean()) if n_records else 0.0)
    numbers["review"] = _review_progress(f) if batch.reviewed else None
    numbers["tactics"] = _tactic_counts(f["tactics"])
    numbers["tactics_by_state"] = _tactics_by_state(f["tactics"], docs)
    numbers["arrests_by_year_role"] = _arrests_by_year_role(f["arrests"])
    numbers["largest_operations"] = _largest_operations(f["arrests"], docs)
    numbers["agencies_top"] = _agencies_top(f["agencies"])
    numbers["agencies_by_kind"] = {str(k): int(v) for k, v in
                                   f["agencies"]["kind"].value_counts().items() if v}
    numbers["confidence"] = _confidence(f)
    numbers["low_confidence_pages"] = _low_confidence_pages(f, docs)
    numbers["pages_table"] = _pages_table(f, docs)
    return numbers


def _review_progress(f: dict[str, pd.DataFrame]) -> dict[str, Any]:
    statuses: Counter = Counter()
    for t in ITEM_TABLES:
        statuses.update(f[t]["review_status"].astype(str).tolist())
    total = sum(statuses.values())
    done = total - statuses.get("open", 0)
    return {"by_status": dict(statuses), "items": total, "reviewed": done,
            "share": done / total if total else 0.0}


def _tactic_counts(tactics: pd.DataFrame) -> list[dict]:
    if tactics.empty:
        return []
    t = tactics.assign(label=tactics["label"].astype(str))
    listed = t[t["listed"]].groupby("label")["doc_id"].nunique()
    evidenced = t[t["evidence_count"] > 0].groupby("label")["doc_id"].nunique()
    labels = sorted(set(listed.index) | set(evidenced.index),
                    key=lambda lab: (-int(listed.get(lab, 0)), lab))
    return [{"label": lab, "listed": int(listed.get(lab, 0)), "evidenced": int(evidenced.get(lab, 0))}
            for lab in labels]


def _tactics_by_state(tactics: pd.DataFrame, docs: pd.DataFrame) -> dict[str, dict[str, int]]:
    if tactics.empty:
        return {}
    states = docs.set_index("doc_id")["state"].astype("string")
    t = tactics.assign(label=tactics["label"].astype(str), state=tactics["doc_id"].map(states))
    t = t[t["state"].notna()]
    table = t.groupby(["state", "label"])["doc_id"].nunique()
    out: dict[str, dict[str, int]] = {}
    for (state, label), n in table.items():
        out.setdefault(str(state), {})[label] = int(n)
    return dict(sorted(out.items()))


def _arrests_by_year_role(arrests: pd.DataFrame) -> dict[str, dict[str, int]]:
    dated = arrests[arrests["date_start"].notna()]
    if dated.empty:
        return {}
    years = pd.to_datetime(dated["date_start"]).dt.year
    table = dated.assign(year=years, role=dated["role"].astype(str)).groupby(["year", "role"])["count"].sum()
    out: dict[str, dict[str, int]] = {}
    for (year, role), n in table.items():
        out.setdefault(str(int(year)), {})[role] = int(n)
    return dict(sorted(out.items()))


def _largest_operations(arrests: pd.DataFrame, docs: pd.DataFrame) -> list[dict]:
    if arrests.empty:
        return []
    titles = docs.set_index("doc_id")["title"]
    top = arrests.sort_values(["count", "doc_id"], ascending=[False, True]).head(TOP_N)
    return [{"doc_id": r.doc_id, "title": _s(titles.get(r.doc_id)), "count": int(r.count),
             "role": str(r.role), "date": _s(r.date_value), "text": _s(r.span_text)}
            for r in top.itertuples()]


def _agencies_top(agencies: pd.DataFrame) -> list[dict]:
    if agencies.empty:
        return []
    grouped = agencies.assign(kind=agencies["kind"].astype(str)).groupby(["name", "kind"])["doc_id"].nunique()
    grouped = grouped.sort_values(ascending=False).head(TOP_N)
    return [{"name": name, "kind": kind, "pages": int(n)} for (name, kind), n in grouped.items()]


def _confidence(f: dict[str, pd.DataFrame]) -> dict[str, dict[str, Any]]:
    out = {}
    for t in ITEM_TABLES:
        c = f[t]["confidence"].dropna()
        out[t] = {"items": int(len(c)), "mean": float(c.mean()) if len(c) else None,
                  "low": int((c < LOW_CONFIDENCE).sum()), "values": [float(v) for v in c]}
    return out


def _low_confidence_pages(f: dict[str, pd.DataFrame], docs: pd.DataFrame) -> list[dict]:
    counts: Counter = Counter()
    for t in ITEM_TABLES:
        low = f[t][f[t]["confidence"] < LOW_CONFIDENCE]
        counts.update(low["doc_id"].tolist())
    titles = docs.set_index("doc_id")["title"]
    return [{"doc_id": d, "title": _s(titles.get(d)), "low_items": n} for d, n in counts.most_common(TOP_N)]


def _pages_table(f: dict[str, pd.DataFrame], docs: pd.DataFrame) -> list[dict]:
    arrests = f["arrests"].groupby("doc_id")["count"].agg(["size", "sum"])
    rows = []
    for r in docs.itertuples():
        rows.append({
            "doc_id": r.doc_id, "title": _s(r.title), "jurisdiction": _s(r.jurisdiction_name),
            "state": _s(r.state), "type": _s(r.jurisdiction_type),
            "population": None if pd.isna(r.population) else int(r.population),
            "tactics": int(r.tactics), "arrest_statements": int(arrests["size"].get(r.doc_id, 0)),
            "people_arrested": int(arrests["sum"].get(r.doc_id, 0)), "agencies": int(r.agencies),
            "dates": int(r.dates), "flags": int(r.flags),
        })
    return rows


def _s(value: Any) -> Optional[str]:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


# ---------------------------------------------------------------- charts

def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"(?s)<metadata>.*?</metadata>", "", text)
    return text[text.index("<svg"):]  # drop the XML prolog and doctype: inline SVG in HTML


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt.subplots(figsize=(width, height))


def chart_tactics(rows: list[dict]) -> Optional[str]:
    if not rows:
        return None
    fig, ax = _figure(7, 0.28 * len(rows) + 0.8)
    labels = [r["label"] for r in rows][::-1]
    y = range(len(labels))
    ax.barh([i + 0.2 for i in y], [r["listed"] for r in rows][::-1], height=0.4, color=PALETTE[0],
            label="listed")
    ax.barh([i - 0.2 for i in y], [r["evidenced"] for r in rows][::-1], height=0.4, color=PALETTE[1],
            label="narrative evidence")
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("pages")
    ax.legend(loc="lower right", frameon=False)
    return _svg(fig)


def chart_arrests(by_year: dict[str, dict[str, int]]) -> Optional[str]:
    if not by_year:
        return None
    roles = sorted({role for counts in by_year.values() for role in counts})
    years = list(by_year)
    fig, ax = _figure(7, 3)
    bottom = [0] * len(years)
    for i, role in enumerate(roles):
        values = [by_year[y].get(role, 0) for y in years]
        ax.bar(years, values, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=role)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("sum of stated arrest counts")
    ax.tick_params(axis="x", rotation=60)
    ax.legend(frameon=False, ncol=len(roles), loc="lower left", bbox_to_anchor=(0, 1.02))
    return _svg(fig)


def chart_agencies(by_kind: dict[str, int]) -> Optional[str]:
    return _horizontal_bars(by_kind, PALETTE[4], "agencies (one per page)")


def chart_confidence(confidence: dict[str, dict[str, Any]]) -> Optional[str]:
    fields = [f for f, c in confidence.items() if c["values"]]
    if not fields:
        return None
    fig, ax = _figure(7, 3)
    ax.boxplot([confidence[f]["values"] for f in fields], widths=0.5)
    ax.set_xticks(range(1, len(fields) + 1), fields, rotation=20)
    ax.axhline(LOW_CONFIDENCE, color=PALETTE[2], linestyle="--", linewidth=1)
    ax.set_ylabel("confidence")
    ax.set_ylim(0, 1.02)
    return _svg(fig)


def chart_share(shares: dict[str, float]) -> Optional[str]:
    percent = {name: 100 * share for name, share in shares.items()}
    return _horizontal_bars(percent, PALETTE[3], "% of pages with the field found", limit=100)


def _horizontal_bars(values: dict[str, float], color: str, xlabel: str,
                     limit: Optional[float] = None) -> Optional[str]:
    """One horizontal bar per key, the first at the top; None when there is nothing to draw."""
    if not values:
        return None
    fig, ax = _figure(6, 0.3 * len(values) + 0.8)
    names = list(values)[::-1]
    ax.barh(names, [values[n] for n in names], color=color)
    if limit is not None:
        ax.set_xlim(0, limit)
    ax.set_xlabel(xlabel)
    return _svg(fig)


# ---------------------------------------------------------------- HTML

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#222}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.card b{display:block;font-size:1.6rem}table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n{text-align:right}.chart svg{max-width:100%;height:auto}
.muted{color:#777}.scroll{overflow-x:auto}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _link(doc_id: str, label: Optional[str] = None) -> str:
    return f'<a href="{_e(REVIEW_URL.format(doc_id=doc_id))}">{_e(label or doc_id)}</a>'


def _chart(svg: Optional[str], empty: str) -> str:
    return f'<div class="chart">{svg}</div>' if svg else f'<p class="muted">{_e(empty)}</p>'


def render_report(numbers: dict[str, Any], title: str = "profilex batch report") -> str:
    n = numbers
    cards = [("pages", n["pages"]), ("records", n["records"]), ("errors", sum(n["errors_by_code"].values())),
             ("flags", sum(n["flags_by_code"].values()))]
    cards += [(field, count) for field, count in n["items_per_field"].items()]
    if n["review"]:
        cards.append(("reviewed", f"{100 * n['review']['share']:.0f}%"))
    parts = [f"<h1>{_e(title)}</h1>",
             '<section id="glance"><h2>The batch at a glance</h2><div class="cards">'
             + "".join(f'<div class="card"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in cards) + "</div>",
             '<div class="grid"><div>',
             "<h3>Errors by code</h3>" + (_table(["code", "pages"], [[_e(k), v] for k, v in n["errors_by_code"].items()], {1})
                                          if n["errors_by_code"] else '<p class="muted">No errors.</p>'),
             "<h3>Flags by code</h3>" + (_table(["code", "flags"], [[_e(k), v] for k, v in n["flags_by_code"].items()], {1})
                                         if n["flags_by_code"] else '<p class="muted">No flags.</p>'),
             "</div><div><h3>Share of pages with each field</h3>",
             _chart(chart_share(n["share_with_field"]), "No records."), "</div></div>"]
    if n["review"]:
        parts.append("<h3>Review progress</h3>" + _table(
            ["status", "items"], [[_e(k), v] for k, v in sorted(n["review"]["by_status"].items())], {1}))
    parts.append("</section>")

    parts.append('<section id="tactics"><h2>Tactics</h2><p>Pages listing each tactic, and pages whose '
                 "narrative shows it in use.</p>" + _chart(chart_tactics(n["tactics"]), "No tactics found."))
    states = n["tactics_by_state"]
    if states:
        labels = sorted({lab for counts in states.values() for lab in counts})
        parts.append("<h3>Tactics by state (pages)</h3>" + _table(
            ["state"] + labels, [[_e(s)] + [counts.get(lab, "") for lab in labels] for s, counts in states.items()],
            set(range(1, len(labels) + 1))))
    parts.append("</section>")

    parts.append('<section id="arrests"><h2>Arrests</h2><h3>Arrest counts by year and role</h3>'
                 "<p>Sum of the counts pages state for operations dated that year; a total and its "
                 "break-down, or a count and its restatement, are each counted.</p>"
                 + _chart(chart_arrests(n["arrests_by_year_role"]), "No dated arrest counts."))
    if n["largest_operations"]:
        parts.append("<h3>Largest operations</h3>" + _table(
            ["count", "role", "date", "statement", "page"],
            [[o["count"], _e(o["role"]), _e(o["date"]), _e(o["text"]), _link(o["doc_id"], o["title"])]
             for o in n["largest_operations"]], {0}))
    parts.append("</section>")

    parts.append('<section id="agencies"><h2>Agencies</h2><div class="grid"><div><h3>By kind</h3>'
                 + _chart(chart_agencies(n["agencies_by_kind"]), "No agencies found.") + "</div><div>"
                 "<h3>Most frequent</h3>" + _table(["agency", "kind", "pages"],
                                                   [[_e(a["name"]), _e(a["kind"]), a["pages"]] for a in n["agencies_top"]], {2})
                 + "</div></div></section>")

    parts.append('<section id="confidence"><h2>Confidence</h2><p>Per field; the dashed line is the '
                 f"low-confidence mark ({LOW_CONFIDENCE}).</p>"
                 + _chart(chart_confidence(n["confidence"]), "No items."))
    if n["low_confidence_pages"]:
        parts.append("<h3>Where a reviewer should start</h3>" + _table(
            ["page", "low-confidence items"],
            [[_link(p["doc_id"], p["title"]), p["low_items"]] for p in n["low_confidence_pages"]], {1}))
    parts.append("</section>")

    parts.append('<section id="pages"><h2>Pages</h2>' + _table(
        ["page", "jurisdiction", "state", "type", "population", "tactics", "arrest statements",
         "people arrested", "agencies", "dates", "flags"],
        [[_link(p["doc_id"], p["title"]), _e(p["jurisdiction"]), _e(p["state"]), _e(p["type"]),
          _e(p["population"]), p["tactics"], p["arrest_statements"], p["people_arrested"], p["agencies"],
          p["dates"], p["flags"]] for p in n["pages_table"]], {4, 5, 6, 7, 8, 9, 10}) + "</section>")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>'
            f"</head><body>{body}</body></html>\n")


def build_report(folder: Union[str, Path], out: Union[str, Path]) -> dict[str, Any]:
    """Write the report of the batch in `folder` to `out` (atomically); return its numbers."""
    from pipeline.write import atomic_writer

    batch = load_batch(folder)
    numbers = report_numbers(batch)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(out) as handle:
        handle.write(render_report(numbers, title=f"profilex report: {Path(folder).resolve().name}/"))
    return numbers
