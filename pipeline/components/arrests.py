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
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.arrest_logic import (ArrestLexicon, DateMention, Found, Match, Tok, Unit, classify_dates,
                                   context_roles, count_is_not_people, find_counts, has_markers, link_date,
                                   list_item_count, pick_role, read_count)
from pipeline.components.layout import layout_of
from pipeline.gated_matcher import GatedMatcher
from pipeline.rules import load_lexicon, load_patterns, models_dir as resolve_models_dir
from pipeline.spans import make_span, results, text_of

ORDER = 80
FACTORY = "profilex_arrests"
PATTERNS_FILE = "patterns.jsonl"
LEXICON_FILE = "lexicon.json"
TERMINAL = ".!?\"”’)"


class ArrestsComponent:
    def __init__(self, nlp: Language, folder: Path):
        self.lex = load_lexicon(folder / LEXICON_FILE, ArrestLexicon)
        self.matcher = GatedMatcher(nlp.vocab, validate=True)
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

    @staticmethod
    def _units(doc: Doc) -> list[tuple[int, int, int, int]]:
        """Sentences split at line breaks: (start, end, first token, end token), whitespace trimmed.

        Token indices, not Token objects: most sentences hold no count and
        never need their tokens (see `_TokenGrid`)."""
        text = text_of(doc)
        starts = doc.to_array(IDX).tolist()
        units = []
        for sent in doc.sents:
            pieces = []
            pos = sent.start_char
            for m in re.finditer(r"[\r\n]+", text[sent.start_char:sent.end_char]):
                pieces.append((pos, sent.start_char + m.start()))
                pos = sent.start_char + m.end()
            pieces.append((pos, sent.end_char))
            for a, b in pieces:
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    units.append((a, b, bisect.bisect_left(starts, a, sent.start, sent.end),
                                  bisect.bisect_left(starts, b, sent.start, sent.end)))
        return units


    def _page_units(self, doc: Doc, layout, dates: list[DateMention], count_starts: list[int],
                    pieces: list[tuple[int, int, int, int]]) -> list[tuple[Unit, _Sentence]]:
        """Each sentence of `pieces` (from `_units`) with what date linking needs (its dates, paragraph,
        section) and what counting needs.

        What is read only of a sentence holding a count (`generic`,
        `other_operation`, whether it is a headline) or only of one with an
        operation date (`operational`, asked when its date is carried) is
        worked out only for such sentences: most sentences are neither."""
        text, lex = text_of(doc), self.lex
        date_starts = [d.start for d in dates]
        sec_starts = [s.region.start for s in layout.sections]
        entries = layout.source_entries
        entry_starts = [e.entry.start for e in entries]
        title = layout.title
        paragraph_breaks = [m.end() for m in re.finditer(r"(?:\r?\n|\r)[ \t\u00a0]*(?:\r?\n|\r)", text)]
        out = []
        for a, b, first, end in pieces:
            section = layout.section_at(a)
            entry = None
            if section == "sources":
                i = bisect.bisect_right(entry_starts, a) - 1
                entry = entries[i] if i >= 0 and a < entries[i].entry.end else None
            block = ("entry", entry.entry.start) if entry is not None else \
                ("section", bisect.bisect_right(sec_starts, a) - 1)
            lo = bisect.bisect_left(date_starts, a)
            inside = [d for d in dates[lo:bisect.bisect_left(date_starts, b)] if d.end <= b]
            operation, since, report = classify_dates(text, inside, a, b, lex) if inside else ([], [], False)
            sentence = text[a:b]
            counted = _within(count_starts, first, end)
            names_operation = bool(operation) and has_markers(sentence, lex.operation_words)[0]
            generic = other_operation = headline = False
            if counted:
                generic, other_operation = has_markers(sentence, lex.generic_markers, lex.other_operation_markers)
                headline = section in ("title", "sources") or (title is not None and title.start <= a < title.end) \
                    or (not sentence.rstrip().endswith(tuple(TERMINAL)) and len(sentence.split()) <= 20
                        and self._whole_line(text, a, b))
            unit = Unit(a, b, bisect.bisect_right(paragraph_breaks, a), hash(block), operation, report,
                        names_operation, item=sentence[:1] in lex.bullets, generic=generic,
                        other_operation=other_operation, since_dates=since)
            out.append((unit, _Sentence(first, end, section, headline, entry, counted)))
        return out

    def _sentence_counts(self, doc: Doc, grid: "_TokenGrid", sent: "_Sentence", by_token: dict,
                         date_ranges: list[tuple[int, int]]) -> tuple[list[Tok], list[Match], list[tuple[int, int, int]]]:
        """The sentence's tokens, its trigger matches and the numbers in it that may count people."""
        ids = [i for i in range(sent.first, sent.end) if not grid.space[i]]
        toks = [grid.tok(i) for i in ids]
        index_of = {i: k for k, i in enumerate(ids)}
        matches, count_spans = [], []
        for i in ids:
            for match_id, start, end in by_token.get(i, []):
                if end - 1 not in index_of:
                    continue
                label, rule_id = self.labels[match_id]
                if label == "COUNT":
                    count_spans.append(doc[start:end])
                else:
                    matches.append(Match(label, index_of[start], index_of[end - 1] + 1, rule_id))
        counts = []
        for span in filter_spans(count_spans):
            s, e = index_of[span.start], index_of[span.end - 1] + 1
            value = read_count(span.text, self.lex.max_count)
            if value is not None and not count_is_not_people(toks, s, e, self.lex, date_ranges):
                counts.append((s, e, value))
        return toks, matches, counts

    def __call__(self, doc: Doc) -> Doc:
        text, lex = text_of(doc), self.lex
        layout = layout_of(doc)
        out = results(doc)
        dates = sorted((DateMention(d["value"], d.get("mod"), d["span"]["start"], d["span"]["end"])
                        for d in out.get("dates") or [] if d.get("value") and d.get("span")), key=lambda d: d.start)
        date_ranges = sorted((d.start, d.end) for d in dates)
        by_token: dict[int, list] = {}
        # a match is used only inside one sentence (see _sentence_counts): sentence starts limit the search
        for match_id, start, end in self.matcher(doc, limits=[sent.start for sent in doc.sents]):
            by_token.setdefault(start, []).append((match_id, start, end))
        grid = _TokenGrid(doc, text)
        count_starts = sorted(start for start, found in by_token.items()
                              if any(self.labels[match_id][0] == "COUNT" for match_id, _, _ in found))
        trigger_starts = sorted(start for start, found in by_token.items()
                                if any(self.labels[match_id][0] != "COUNT" for match_id, _, _ in found))
        pieces = self._units(doc)
        # A count is read only in a sentence with a number and an arrest trigger, or a list line;
        # date linking looks back, never ahead: sentences after the last such one are not needed.
        last = max((i for i, (a, _, first, end) in enumerate(pieces)
                    if _within(count_starts, first, end)
                    and (_within(trigger_starts, first, end) or text[a:a + 1] in lex.bullets)), default=-1)
        page = self._page_units(doc, layout, dates, count_starts, pieces[:last + 1])
        units = [u for u, _ in page]
        cross = self._single_story(layout)
        roles_cache: dict[int, frozenset] = {}
        pending: list[_Pending] = []
        lead: Optional[Found] = None  # the last count of a line ending in ":" ("netted 92 people:")
        for ui, (unit, sent) in enumerate(page):
            if sent.first == sent.end:
                continue
            # No number, or numbers but no arrest trigger (find_counts reads every count off a
            # trigger; only a list line under a lead counts without one): no count here, and a
            # list under it has no lead.
            if not sent.counted or not (_starts_within(trigger_starts, sent) or (unit.item and lead is not None)):
                if not unit.item:
                    lead = None
                continue
            toks, matches, counts = self._sentence_counts(doc, grid, sent, by_token, date_ranges)
            found = find_counts(toks, matches, counts, lex, headline=sent.headline)
            if unit.item:
                if not found and lead is not None:
                    item = list_item_count(toks, counts, lex)
                    if item is not None:
                        found = [item]
                        lead.mixed = True
            else:
                ends_list = text[unit.start:unit.end].rstrip().endswith(":")
                lead = found[-1] if found and ends_list and found[-1].span_end >= len(toks) - 1 else None
            for fi, f in enumerate(found):
                stop = toks[found[fi + 1].span_start].start if fi + 1 < len(found) else unit.end
                pending.append(self._pending(f, ui, units, toks, sent, text, out, dates, stop, cross, roles_cache))
        # a lead's `mixed` may be set by the list under it, after its entry was made: roles come last
        out["arrests"] = [p.entry(self.lex) for p in pending]
        spans = [doc.char_span(p.item["span"]["start"], p.item["span"]["end"], label="arrest",
                               alignment_mode="expand") for p in pending]
        doc.spans["arrests"] = [s for s in spans if s is not None]
        return doc

    def _pending(self, f: Found, ui: int, units: list[Unit], toks: list[Tok], sent: "_Sentence", text: str,
                 out: dict, dates: list[DateMention], stop: int, cross: bool, roles_cache: dict) -> "_Pending":
        lex = self.lex
        unit = units[ui]
        count_pos = toks[f.count_start].start
        if sent.entry is not None:
            date, how = self._citation_date(sent.entry, out, dates, count_pos), "headline"
        else:
            found_date, how = link_date(units, ui, count_pos, text, lex, cross_paragraphs=cross,
                                        phrase_end=toks[f.span_end - 1].end)
            date = {"value": found_date.value, "mod": found_date.mod} if found_date is not None else None
            if f.via == "list_item" and how == "carried":
                how = "list_item"
        noun = text[toks[f.count_end].start:toks[f.noun_end - 1].end] if f.noun_end > f.count_end else ""
        after_start = toks[f.noun_end].start if f.noun_end < len(toks) else unit.end
        after = text[after_start:max(after_start, min(stop, after_start + 160))]
        # what describes the people counted, not the officers who arrested them
        after = re.split(r"\s(?:by|after|when|while)\s|[;.]|(?<=\w)\s+who\s", after)[0]
        if unit.paragraph not in roles_cache:
            roles_cache[unit.paragraph] = context_roles(self._paragraph(text, unit), lex)
        conf = lex.confidence.get(how, 0.8)
        if f.via in ("enumeration", "list_item"):
            conf = min(conf, lex.confidence.get(f.via, 0.8))
        item = {
            "count": f.count,
            "qualifier": f.qualifier,
            "role": "unknown",
            "date": date,
            "section": "sources" if sent.section == "sources" else "narrative",
            "span": make_span(text, toks[f.span_start].start, toks[f.span_end - 1].end, rule=f"arrests.{f.rule}"),
            "sentence": make_span(text, unit.start, unit.end),
            "confidence": round(conf, 2),
        }
        # The operation a count belongs to is named near it: a bounded window keeps an
        # enormous unpunctuated "sentence" from making every count cost its whole length.
        around = text[max(unit.start, count_pos - ROLE_WINDOW):min(unit.end, count_pos + ROLE_WINDOW)]
        return _Pending(item, f, noun, after, roles_cache[unit.paragraph], around)

    @staticmethod
    def _paragraph(text: str, unit: Unit) -> str:
        start = max(text.rfind("\n\n", 0, unit.start), text.rfind("\r\n\r\n", 0, unit.start), 0)
        ends = [p for p in (text.find("\n\n", unit.end), text.find("\r\n\r\n", unit.end)) if p != -1]
        return text[start:min(ends) if ends else len(text)]

    @staticmethod
    def _single_story(layout) -> bool:
        """A news story or column (no tactic list, partner or source lists, footer): one operation throughout."""
        return not (layout.tactic_items or layout.partner_items or layout.source_headings or layout.source_entries
                    or layout.footer)

    @staticmethod
    def _whole_line(text: str, a: int, b: int) -> bool:
        return text[max(0, a - 1):a] in ("", "\n", "\r") and text[b:b + 1] in ("", "\n", "\r")

    @staticmethod
    def _citation_date(entry, out: dict, dates: list[DateMention], position: int) -> Optional[dict]:
        """The citation's own date: the last date the dates component found in the entry after the count,
        else the date the citations component gave the entry."""
        region = entry.entry
        lo = bisect.bisect_right([d.start for d in dates], position)
        inside = [d for d in dates[lo:] if d.start < region.end and d.end <= region.end]
        if inside:
            return {"value": inside[-1].value, "mod": inside[-1].mod}
        for c in out.get("citations") or []:
            span = c.get("span") or {}
            if span.get("start", -1) <= region.start < span.get("end", -1) or \
                    region.start <= span.get("start", -1) < region.end:
                if c.get("date") and c["date"].get("value"):
                    return {"value": c["date"]["value"], "mod": c["date"].get("mod")}
        return None


ROLE_WINDOW = 400  # characters either side of a count searched for the operation's name


def _within(starts: list[int], first: int, end: int) -> bool:
    """Does one of the sorted token offsets `starts` fall in first..end?"""
    k = bisect.bisect_left(starts, first)
    return k < len(starts) and starts[k] < end


def _starts_within(starts: list[int], sent: "_Sentence") -> bool:
    """Does one of the sorted token offsets `starts` fall in the sentence?"""
    return _within(starts, sent.first, sent.end)


class _TokenGrid:
    """The page's token offsets, lengths and whitespace flags, read once with `doc.to_array`."""

    def __init__(self, doc: Doc, text: str):
        self.text = text
        table = doc.to_array([IDX, LENGTH, IS_SPACE]).reshape(len(doc), 3)
        self.idx, self.length, self.space = (table[:, k].tolist() for k in range(3))

    def tok(self, i: int) -> Tok:
        start = self.idx[i]
        return Tok(self.text[start:start + self.length[i]], start, start + self.length[i])


@dataclass
class _Sentence:
    first: int  # its first token
    end: int  # the token after its last
    section: str
    headline: bool  # (worked out only for a sentence holding a count)
    entry: Optional[object]  # the Key Sources entry holding the sentence
    counted: bool  # a COUNT rule matched in it: it may hold an arrest count


@dataclass
class _Pending:
    """An arrest entry waiting for its role (a lead's `mixed` is known only after the list under it)."""
    item: dict
    found: Found
    noun: str
    after: str
    context: frozenset
    sentence: str

    def entry(self, lex: ArrestLexicon) -> dict:
        self.item["role"] = pick_role(self.noun, self.after, self.context, lex, mixed=self.found.mixed,
                                      sentence=self.sentence)
        return self.item


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_arrests(nlp: Language, name: str, models_dir: Optional[str]) -> ArrestsComponent:
    return ArrestsComponent(nlp, resolve_models_dir(models_dir) / "arrests")
