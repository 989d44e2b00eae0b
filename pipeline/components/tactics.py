"""Tactics component: listed labels and narrative evidence (logic in pipeline.tactic_labels).

- Listed: the rows of the page's "Tactics Used" list (checked rows only in
  a "Categories:" table), mapped onto the canonical labels of
  models/tactics/labels.json; an unknown label is kept as written
  (`known: false`) and flagged `unknown_tactic`.
- Evidence: the token patterns of models/tactics/evidence.jsonl (a
  GatedMatcher: each pattern runs only around its anchor words), kept only inside narrative sections, inside one sentence, and
  not in a sentence that only proposes or denies the tactic
  (models/tactics/modality.json). A page about no particular place (a
  tactic overview) reports no use "in this jurisdiction": no evidence.

Writes `results(doc)["tactics"]` and `doc.spans["tactics"]`.
"""
from __future__ import annotations

import bisect
from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from pipeline.components.jurisdiction import place_of
from pipeline.components.layout import layout_of
from pipeline.gated_matcher import GatedMatcher
from pipeline.rules import RuleFileError, load_lexicon, load_patterns, models_dir as resolve_models_dir
from pipeline.spans import add_flag, make_span, results, text_of
from pipeline.tactic_labels import (LabelVocab, LabelsLexicon, ModalityLexicon, canonical_label,
                                    has_context, merge_tactics, not_in_use, paragraph_bounds)

ORDER = 40
FACTORY = "profilex_tactics"
LISTED_CONFIDENCE = 0.95
UNKNOWN_CONFIDENCE = 0.6
# How far (characters) around a match its sentence or paragraph context is read.
CONTEXT_REACH = 1500


def evidence_confidence(n: int) -> float:
    """Confidence of an evidenced-only tactic from its number of evidence spans."""
    return round(min(0.9, 0.6 + 0.1 * n), 2)


class TacticsComponent:
    def __init__(self, nlp: Language, folder: Path):
        self.vocab = LabelVocab(load_lexicon(folder / "labels.json", LabelsLexicon))
        self.modality = load_lexicon(folder / "modality.json", ModalityLexicon)
        self.matcher = GatedMatcher(nlp.vocab, validate=True)
        self.rule_label: dict[str, str] = {}
        path = folder / "evidence.jsonl"
        for rule in load_patterns(path):
            if rule.label not in self.vocab.labels:
                raise RuleFileError(path, None, f"rule {rule.id!r}: unknown tactic label {rule.label!r}")
            pattern = rule.pattern if isinstance(rule.pattern, list) else \
                [{"LOWER": w} for w in rule.pattern.lower().split()]
            self.matcher.add(rule.id, [pattern])
            self.rule_label[rule.id] = rule.label
        for rule_id in self.modality.context:
            if rule_id not in self.rule_label:
                raise RuleFileError(folder / "modality.json", None, f"context for unknown rule {rule_id!r}")

    def __call__(self, doc: Doc) -> Doc:
        layout = layout_of(doc)
        text = text_of(doc)
        listed = []
        for item in layout.tactic_items:
            if item.checked is False:
                continue
            label, known = canonical_label(item.label.text, self.vocab)
            rule = "tactic_list_checked" if item.checked else "tactic_list"
            listed.append((label, known, (item.label.start, item.label.end, rule)))
            if not known:
                add_flag(doc, "unknown_tactic", f"listed tactic {item.label.text!r} is not in the vocabulary",
                         make_span(text, item.label.start, item.label.end, rule=rule))
        # Evidence is use "in this jurisdiction": a page about no place (a tactic overview) has none.
        place = place_of(doc)
        evidence = self.evidence(doc, layout) if place is not None and place.name is not None else []
        items = merge_tactics(listed, [(label, (s, e, rule)) for label, s, e, rule in evidence])
        out = []
        for item in items:
            span = make_span(text, *item.span[:2], rule=item.span[2]) if item.span else None
            if item.listed:
                confidence = LISTED_CONFIDENCE if item.known else UNKNOWN_CONFIDENCE
            else:
                confidence = evidence_confidence(len(item.evidence))
            out.append({"label": item.label, "listed": item.listed, "known": item.known, "span": span,
                        "evidence": [make_span(text, s, e, rule=r) for s, e, r in item.evidence],
                        "confidence": confidence})
        results(doc)["tactics"] = out
        spans = []
        for label, s, e, rule in evidence:
            span = doc.char_span(s, e, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["tactics"] = spans
        return doc

    def evidence(self, doc: Doc, layout) -> list[tuple[str, int, int, str]]:
        """(label, start, end, rule) for every kept evidence match, in text order."""
        kept = []
        text = text_of(doc)
        sents = list(doc.sents)
        starts = [sent.start for sent in sents]
        matches = self.matcher(doc, limits=starts)  # a match across sentences is dropped below anyway
        if not matches:
            return []
        for match_id, start, end in matches:
            span = doc[start:end]
            if layout.section_at(span.start_char) != "narrative" or \
                    layout.section_at(span.end_char - 1) != "narrative":
                continue
            sent = sents[bisect.bisect_right(starts, start) - 1]
            if end > sent.end:
                continue
            rule = doc.vocab.strings[match_id]
            # Cues are read in a bounded window of the sentence, so a page that is one
            # endless "sentence" costs linear time.
            reach = self.modality.window + self.modality.negation_window + 20
            lo = max(sent.start_char, span.start_char - reach)
            hi = min(sent.end_char, span.end_char + reach)
            if not_in_use(text[lo:hi], span.start_char - lo, span.end_char - lo, self.modality):
                continue
            need = self.modality.context.get(rule)
            if need is not None:
                if need.scope == "sentence":
                    lo = max(sent.start_char, span.start_char - CONTEXT_REACH)
                    hi = min(sent.end_char, span.end_char + CONTEXT_REACH)
                else:
                    lo, hi = paragraph_bounds(text, span.start_char, span.end_char, reach=CONTEXT_REACH)
                if not has_context(text[lo:hi], need.words):
                    continue
            labelled = doc.char_span(span.start_char, span.end_char, label=self.rule_label[rule])
            labelled.id_ = rule
            kept.append(labelled)
        out = []
        by_label: dict[str, list] = {}
        for span in kept:
            by_label.setdefault(span.label_, []).append(span)
        for label, spans in by_label.items():
            for span in filter_spans(spans):
                out.append((label, span.start_char, span.end_char, span.id_))
        out.sort(key=lambda t: (t[1], t[2]))
        return out


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_tactics(nlp: Language, name: str, models_dir: Optional[str]) -> TacticsComponent:
    return TacticsComponent(nlp, Path(resolve_models_dir(models_dir)) / "tactics")
