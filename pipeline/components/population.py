"""Population component: the footer figure and the narrative's statements of
the jurisdiction's own population (logic in pipeline.population_rules).

Candidate phrases come from the token patterns of models/population/patterns.jsonl
("a population of about 40,000", "a city of approximately 100,000 people",
"home to more than 700,000 people", "About 434,000 people live in the
parish"), in narrative sections only; `whose_population` keeps the ones said
of the page's own place. `value` is the footer figure, else the first own
narrative figure. Flags: `population_mismatch` (footer and narrative differ
by more than 25 %), `population_rejected` (a footer figure no US place has).
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
from pipeline.population_rules import (PlaceRef, PopulationLexicon, footer_figure, mismatch, parse_figure,
                                       plausible, whose_population)
from pipeline.rules import load_lexicon, load_patterns, models_dir as resolve_models_dir
from pipeline.spans import add_flag, make_span, results, text_of, trimmed_span

ORDER = 30
FACTORY = "profilex_population"
HEAD_RULES = ("place_of",)
# How many words after a figure may say it counts no population ("3,000 people on a waiting list").
VETO_REACH = 3
# How much of its sentence (characters each side) decides whose figure it is: a bound keeps
# a page that is one endless "sentence" linear.
WHOSE_REACH = 400


class PopulationComponent:
    def __init__(self, nlp: Language, folder: Path):
        self.lexicon = load_lexicon(folder / "lexicon.json", PopulationLexicon)
        self.matcher = GatedMatcher(nlp.vocab, validate=True)
        for rule in load_patterns(folder / "patterns.jsonl"):
            pattern = rule.pattern if isinstance(rule.pattern, list) else \
                [{"LOWER": w} for w in rule.pattern.lower().split()]
            self.matcher.add(rule.id, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        layout = layout_of(doc)
        place = place_of(doc)
        mentions = []
        if place is not None and place.name is not None:
            ref = PlaceRef(place.name.value, place.type.value if place.type else None)
            mentions = self.mentions(doc, layout, ref)

        footer = None
        region = layout.footer.get("population")
        if region is not None:
            value = footer_figure(region.text)
            if value is not None and plausible(value, self.lexicon):
                footer = (value, make_span(text, region.start, region.end, rule="footer_population"))
            else:
                add_flag(doc, "population_rejected", f"footer population {region.text!r} is not a plausible figure",
                         make_span(text, region.start, region.end, rule="footer_population"))

        if footer is None and not mentions:
            results(doc)["population"] = None
            doc.spans["population"] = []
            return doc
        if footer is not None:
            value, span, confidence = footer[0], footer[1], 0.95
            if mentions and mismatch(value, mentions[0]["value"]):
                add_flag(doc, "population_mismatch",
                         f"footer population {value} and narrative figure {mentions[0]['value']} differ by more than 25%",
                         mentions[0]["span"])
                confidence = 0.8
        else:
            value, span, confidence = mentions[0]["value"], mentions[0]["span"], mentions[0]["confidence"]
        results(doc)["population"] = {"value": value, "span": span, "mentions": mentions,
                                      "confidence": confidence}
        spans = [doc.char_span(m["span"]["start"], m["span"]["end"], label="population", alignment_mode="expand")
                 for m in mentions]
        doc.spans["population"] = [s for s in spans if s is not None]
        return doc

    def mentions(self, doc: Doc, layout, ref: PlaceRef) -> list[dict]:
        """The narrative's statements of the page's own population, in text order."""
        text = text_of(doc)
        matches = []
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            span.id = match_id
            matches.append(span)
        out = []
        if not matches:
            return out
        sents = list(doc.sents)
        starts = [sent.start for sent in sents]
        for span in sorted(filter_spans(matches), key=lambda s: s.start):
            if layout.section_at(span.start_char) != "narrative":
                continue
            sent = sents[bisect.bisect_right(starts, span.start) - 1]
            # A match the sentencizer cut ("pop. 50,000") reads on to the end of its last sentence.
            sent_end = sents[bisect.bisect_right(starts, span.end - 1) - 1]
            rule = span.id_
            figure = parse_figure(span.text, self.lexicon)
            if figure is None:
                continue
            value, qualifier, _, _ = figure
            if not plausible(value, self.lexicon):
                continue
            after = [t.lower_ for t in doc[span.end:min(sent_end.end, span.end + 2 * VETO_REACH)]
                     if not t.is_space][:VETO_REACH]
            if any(word in self.lexicon.veto_after for word in after):
                continue
            head = span[0].lower_ if rule in HEAD_RULES else None
            lo = max(sent.start_char, span.start_char - WHOSE_REACH)
            hi = min(sent_end.end_char, span.end_char + WHOSE_REACH)
            prefix, suffix = text[lo:span.start_char], text[span.end_char:hi]
            if lo > sent.start_char:  # cut at a word boundary, not inside a name
                prefix = prefix[prefix.find(" ") + 1:]
            if hi < sent_end.end_char:
                suffix = suffix[:suffix.rfind(" ") + 1]
            whose, reason = whose_population(prefix, suffix, head, ref, self.lexicon)
            if whose != "own":
                continue
            out.append({"value": value, "qualifier": qualifier,
                        "span": trimmed_span(text, span.start_char, span.end_char, rule=rule),
                        "confidence": 0.85 if head or rule == "population_of" else 0.75})
        return out


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_population(nlp: Language, name: str, models_dir: Optional[str]) -> PopulationComponent:
    return PopulationComponent(nlp, Path(resolve_models_dir(models_dir)) / "population")
