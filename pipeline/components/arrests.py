"""Arrests component: counted statements of people arrested, charged, cited, booked ...

Glue between spaCy and pipeline.arrest_logic: the Matcher rules of
models/arrests/patterns.jsonl (counts, trigger verbs and nouns) run over the
page once; each sentence (split again at line breaks, so that list lines and
headlines stand alone) goes through `arrest_logic.find_counts`, and every count
found gets its qualifier, role, operation date (from the dates component's
results, ORDER 50) and section. A headline in a Key Sources entry takes the
date of its citation.

Output: `results(doc)["arrests"]`, a list of
`{"count", "qualifier", "role", "date": {"value", "mod"} | None, "section",
"span", "sentence", "confidence"}`, and `doc.spans["arrests"]`.
"""
from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.arrest_logic import (ArrestLexicon, DateMention, Found, Match, Tok, Unit, classify_dates,
                                   context_roles, count_is_not_people, find_counts, has_marker, link_date,
                                   list_item_count, pick_role, read_count)
from pipeline.components.layout import layout_of
from pipeline.rules import load_lexicon, load_patterns, models_dir as resolve_models_dir
from pipeline.spans import make_span, results

ORDER = 80
FACTORY = "profilex_arrests"
PATTERNS_FILE = "patterns.jsonl"
LEXICON_FILE = "lexicon.json"
TERMINAL = ".!?\"”’)"


class ArrestsComponent:
    def __init__(self, nlp: Language, folder: Path):
        self.lex = load_lexicon(folder / LEXICON_FILE, ArrestLexicon)
        self.matcher = Matcher(nlp.vocab, validate=True)
        self.labels: dict[int, tuple[str, str]] = {}
        grouped: dict[tuple[str, str], list] = {}
        for rule in load_patterns(folder / PATTERNS_FILE):
            pattern = rule.pattern if isinstance(rule.pattern, list) else [{"LOWER": w} for w in rule.pattern.lower().split()]
            grouped.setdefault((rule.label, rule.id), []).append(pattern)
        for (label, rule_id), patterns in grouped.items():
            key = f"{label}|{rule_id}"
            self.matcher.add(key, patterns)
            self.labels[nlp.vocab.strings[key]] = (label, rule_id)

    # ------------------------------------------------------------ page structure

    def _units(self, doc: Doc) -> list[tuple[int, int, list]]:
        """Sentences split at line breaks: (start, end, tokens) with whitespace tokens left out."""
        text = doc.text
        units = []
        for sent in doc.sents:
            pieces = []
            pos = sent.start_char
            for m in re.finditer(r"[\r\n]+", text[sent.start_char:sent.end_char]):
                pieces.append((pos, sent.start_char + m.start()))
                pos = sent.start_char + m.end()
            pieces.append((pos, sent.end_char))
            toks = [t for t in sent if not t.is_space]
            starts = [t.idx for t in toks]
            for a, b in pieces:
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    units.append((a, b, toks[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]))
        return units

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        lex = self.lex
        layout = layout_of(doc)
        out = results(doc)
        dates = [DateMention(d["value"], d.get("mod"), d["span"]["start"], d["span"]["end"])
                 for d in out.get("dates") or [] if d.get("value") and d.get("span")]
        dates.sort(key=lambda d: d.start)
        date_starts = [d.start for d in dates]
        date_ranges = [(d.start, d.end) for d in dates]
        sections = sorted(layout.sections, key=lambda s: s.region.start)
        sec_starts = [s.region.start for s in sections]
        entries = sorted(layout.source_entries, key=lambda e: e.entry.start)
        entry_starts = [e.entry.start for e in entries]
        title_region = layout.title
        paragraph_breaks = [m.end() for m in re.finditer(r"(?:\r?\n|\r)[ \t\u00a0]*(?:\r?\n|\r)", text)]

        by_token: dict[int, list] = {}
        for match_id, start, end in self.matcher(doc):
            by_token.setdefault(start, []).append((match_id, start, end))

        raw_units = self._units(doc)
        units: list[Unit] = []
        unit_info = []
        for a, b, toks in raw_units:
            section = layout.section_at(a)
            if section == "sources":
                i = bisect.bisect_right(entry_starts, a) - 1
                block = ("entry", i) if i >= 0 and a < entries[i].entry.end else ("sources", a)
            else:
                i = bisect.bisect_right(sec_starts, a) - 1
                block = ("section", i)
            lo = bisect.bisect_left(date_starts, a)
            inside = [d for d in dates[lo:bisect.bisect_left(date_starts, b)] if d.end <= b]
            op_dates, since_dates, report = classify_dates(text, inside, a, b, lex)
            unit_text = text[a:b]
            units.append(Unit(a, b, bisect.bisect_right(paragraph_breaks, a), hash(block), op_dates, report,
                              has_marker(unit_text, lex.operation_words),
                              item=unit_text[:1] in lex.bullets,
                              generic=has_marker(unit_text, lex.generic_markers),
                              other_operation=has_marker(unit_text, lex.other_operation_markers),
                              since_dates=since_dates))
            headline = section in ("title", "sources") or (
                title_region is not None and title_region.start <= a < title_region.end) or (
                not unit_text.rstrip().endswith(tuple(TERMINAL)) and len(unit_text.split()) <= 20
                and self._whole_line(text, a, b))
            unit_info.append((toks, section, headline, block))

        arrests, spans = [], []
        lead_open = False  # the previous line ended "... netted 92 people:"
        lead_found: Optional[tuple[int, Found, list]] = None
        cross = self._single_story(layout)
        self._roles_cache: dict = {}
        for ui, (unit, (stoks, section, headline, block)) in enumerate(zip(units, unit_info)):
            if not stoks:
                continue
            first_i = stoks[0].i
            toks = [Tok(t.text, t.idx, t.idx + len(t.text)) for t in stoks]
            index_of = {t.i: k for k, t in enumerate(stoks)}
            matches, count_spans = [], []
            for t in stoks:
                for match_id, start, end in by_token.get(t.i, []):
                    if end - 1 not in index_of or start not in index_of:
                        continue
                    label, rule_id = self.labels[match_id]
                    if label == "COUNT":
                        count_spans.append(doc[start:end])
                    else:
                        matches.append(Match(label, index_of[start], index_of[end - 1] + 1, rule_id))
            counts = []
            for span in filter_spans(count_spans):
                s, e = index_of[span.start], index_of[span.end - 1] + 1
                value = read_count(span.text, lex.max_count)
                if value is None or count_is_not_people(toks, s, e, lex, date_ranges):
                    continue
                counts.append((s, e, value))
            found = find_counts(toks, matches, counts, lex, headline=headline)
            is_item = bool(stoks) and (stoks[0].text[:1] in lex.bullets or text[unit.start] in lex.bullets)
            if not found and lead_open and is_item:
                item = list_item_count(toks, counts, lex)
                if item is not None:
                    found = [item]
                    if lead_found is not None:
                        lead_found[1].mixed = True
            if not is_item:
                lead_open = bool(found) and text[unit.start:unit.end].rstrip().endswith(":") \
                    and found[-1].span_end >= len(toks) - 1
                lead_found = (ui, found[-1], toks) if lead_open else None
            for fi, f in enumerate(found):
                stop = toks[found[fi + 1].span_start].start if fi + 1 < len(found) else unit.end
                entry = self._entry(f, ui, units, toks, section, block, entries, text, out, stop, cross)
                arrests.append(entry)
                span = doc.char_span(toks[f.span_start].start, toks[f.span_end - 1].end, label="arrest",
                                     alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        # mixed flags may have been set on a lead after its entry was written
        out["arrests"] = [self._finish(a) for a in arrests]
        doc.spans["arrests"] = spans
        return doc

    def _context_roles(self, text: str, unit: Unit) -> frozenset:
        """Role hints of the paragraph holding `unit`, read once per paragraph."""
        key = (id(text), unit.paragraph)
        if key not in self._roles_cache:
            para_start = max(text.rfind("\n\n", 0, unit.start), text.rfind("\r\n\r\n", 0, unit.start), 0)
            ends = [p for p in (text.find("\n\n", unit.end), text.find("\r\n\r\n", unit.end)) if p != -1]
            self._roles_cache[key] = context_roles(text[para_start:min(ends) if ends else len(text)], self.lex)
        return self._roles_cache[key]

    @staticmethod
    def _single_story(layout) -> bool:
        """A news story or column (no tactic list, partner or source lists, footer): one operation throughout."""
        return not (layout.tactic_items or layout.partner_items or layout.source_headings or layout.source_entries
                    or layout.footer)

    @staticmethod
    def _whole_line(text: str, a: int, b: int) -> bool:
        before = text[max(0, a - 1):a]
        after = text[b:b + 1]
        return before in ("", "\n", "\r") and after in ("", "\n", "\r")

    def _entry(self, f: Found, ui: int, units: list[Unit], toks: list[Tok], section: str, block,
               entries, text: str, out: dict, stop: int, cross: bool) -> dict:
        lex = self.lex
        unit = units[ui]
        count_pos = toks[f.count_start].start
        if block[0] == "entry":
            date, how = self._citation_date(entries[block[1]], text, out, count_pos), "headline"
        else:
            date, how = link_date(units, ui, count_pos, text, lex, cross_paragraphs=cross,
                                  phrase_end=toks[f.span_end - 1].end)
            if f.via == "list_item" and how == "carried":
                how = "list_item"
        noun = text[toks[f.count_end].start:toks[f.noun_end - 1].end] if f.noun_end > f.count_end else ""
        after_start = toks[f.noun_end].start if f.noun_end < len(toks) else unit.end
        after = text[after_start:max(after_start, min(stop, after_start + 80))]
        # what describes the people counted, not the officers who arrested them
        after = re.split(r"\s(?:by|after|when|while)\s|[;.]|(?<=\w)\s+who\s", after)[0]
        context = self._context_roles(text, unit)
        conf = lex.confidence.get(how, 0.8)
        if f.via in ("enumeration", "list_item"):
            conf = min(conf, lex.confidence.get(f.via, 0.8))
        return {
            "_found": f, "_noun": noun, "_after": after, "_context": context,
            "count": f.count,
            "qualifier": f.qualifier,
            "date": {"value": date.value, "mod": date.mod} if isinstance(date, DateMention) else date,
            "section": "sources" if section == "sources" else "narrative",
            "span": make_span(text, toks[f.span_start].start, toks[f.span_end - 1].end, rule=f"arrests.{f.rule}"),
            "sentence": make_span(text, unit.start, unit.end),
            "confidence": round(conf, 2),
        }

    def _finish(self, a: dict) -> dict:
        f = a.pop("_found")
        noun, after, context = a.pop("_noun"), a.pop("_after"), a.pop("_context")
        role = pick_role(noun, after, context, self.lex, mixed=f.mixed)
        return {"count": a["count"], "qualifier": a["qualifier"], "role": role, "date": a["date"],
                "section": a["section"], "span": a["span"], "sentence": a["sentence"],
                "confidence": a["confidence"]}

    @staticmethod
    def _citation_date(entry, text: str, out: dict, position: int) -> Optional[dict]:
        """The citation's own date: the last date the dates component found in the entry after the count."""
        region = entry.entry
        inside = [d for d in out.get("dates") or []
                  if d.get("span") and region.start <= d["span"]["start"] and d["span"]["end"] <= region.end
                  and d["span"]["start"] > position and d.get("value")]
        if inside:
            d = max(inside, key=lambda d: d["span"]["start"])
            return {"value": d["value"], "mod": d.get("mod")}
        for c in out.get("citations") or []:
            span = c.get("span") or {}
            if span.get("start", -1) <= region.start < span.get("end", -1) or \
                    region.start <= span.get("start", -1) < region.end:
                if c.get("date") and c["date"].get("value"):
                    return {"value": c["date"]["value"], "mod": c["date"].get("mod")}
        return None


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_arrests(nlp: Language, name: str, models_dir: Optional[str]) -> ArrestsComponent:
    return ArrestsComponent(nlp, resolve_models_dir(models_dir) / "arrests")
