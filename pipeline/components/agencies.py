"""Agencies component: the named agencies a page mentions, one entry each.

Glue around `pipeline.agency_names.AgencyFinder` (the rules, pure) and
`pipeline.abbreviations` (Schwartz-Hearst short forms). Here: PhraseMatchers
for the fixed phrases of models/agencies/ (heads and plural heads on LOWER,
gazetteer names on LOWER, gazetteer acronyms on ORTH), the page's Key
Partners items and citation outlets from the layout, and the output:
`results(doc)["agencies"]` (contract shape, spans from `make_span`) and
`doc.spans["agencies"]`.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import compress
from operator import add, lt, not_
from typing import Optional

from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.abbreviations import find_abbreviations
from pipeline.agency_names import (AgencyFinder, AgencyLexicon, Gazetteer, HeadLexicon, Hit,
                                   MediaLexicon, Tokens)
from pipeline.components.layout import LAYOUT_KEY
from pipeline.rules import load_lexicon, models_dir as resolve_models_dir
from pipeline.spans import make_span, results, text_of

ORDER = 70
FACTORY = "profilex_agencies"
FOLDER = "agencies"


def load_finder(models_dir: Optional[str] = None) -> AgencyFinder:
    root = resolve_models_dir(models_dir) / FOLDER
    return AgencyFinder(load_lexicon(root / "heads.json", HeadLexicon),
                        load_lexicon(root / "gazetteer.json", Gazetteer),
                        load_lexicon(root / "media.json", MediaLexicon),
                        load_lexicon(root / "lexicon.json", AgencyLexicon))


def apostrophe_variants(phrase: str) -> list[str]:
    forms = {phrase, phrase.replace("'", "’"), phrase.replace("’", "'")}
    return sorted(forms)


# What makes the gap before a token a line break.
LINE_BREAK = re.compile("[\n\r\u2028]")


def doc_tokens(doc: Doc, text: str) -> tuple[Tokens, list[int]]:
    """Tokens without whitespace tokens, and the doc indices of the whitespace tokens.

    Read from `doc.to_array` (offsets, lengths, whitespace flags) into plain lists
    by builtins that loop in C (`compress`, `map`): creating a spaCy Token, or even a
    `Tok`, per token costs more than the rest of the component. A token has a space
    before it when a gap separates it from the previous one (the first always does),
    and a line break before it when a line break lies in that gap."""
    if not len(doc):
        return Tokens([], [], [], [], []), []
    starts, lengths, is_space = doc.to_array([IDX, LENGTH, IS_SPACE]).T.tolist()
    spaces = list(compress(range(len(is_space)), is_space))
    if spaces:
        kept = list(map(not_, is_space))
        starts, lengths = list(compress(starts, kept)), list(compress(lengths, kept))
    ends = list(map(add, starts, lengths))
    prev_ends = [0] + ends[:-1]
    space_before = list(map(lt, prev_ends, starts))
    if space_before:
        space_before[0] = True
    nl_before = [False] * len(starts)
    for m in LINE_BREAK.finditer(text):
        j = bisect_right(starts, m.start())  # the first token after the break
        if j < len(starts) and prev_ends[j] <= m.start():  # the break is in the gap before it
            nl_before[j] = True
    texts = [text[s:e] for s, e in zip(starts, ends)]
    return Tokens(texts, starts, ends, space_before, nl_before), spaces


def tok_index(spaces: list[int], i: int) -> int:
    """Index among the non-whitespace tokens of doc token i, -1 for a whitespace token
    (`spaces`: the doc indices of the whitespace tokens, in order)."""
    k = bisect_left(spaces, i)
    return -1 if k < len(spaces) and spaces[k] == i else i - k


def outlet_regions(text: str, layout) -> list[tuple[int, int]]:
    """The part of each Key Sources entry after its quoted title: the outlet and date."""
    regions = []
    for entry in getattr(layout, "source_entries", []) or []:
        region = entry.entry
        s = region.text
        opener = next((i for i, c in enumerate(s[:6]) if c in "“\""), None)
        if opener is None:
            continue
        close = max(s.rfind("”"), s.rfind("\"", opener + 1))
        if close <= opener:
            continue
        regions.append((region.start + close + 1, region.end))
    return regions


class AgenciesComponent:
    def __init__(self, nlp: Language, models_dir: Optional[str]):
        self.finder = load_finder(models_dir)
        self.heads = PhraseMatcher(nlp.vocab, attr="LOWER")
        for n, phrase in enumerate(self.finder.head_phrases()):
            self.heads.add(str(n), [nlp.make_doc(p) for p in apostrophe_variants(phrase)])
        self.plurals = PhraseMatcher(nlp.vocab, attr="LOWER")
        for n, phrase in enumerate(self.finder.plural_phrases()):
            self.plurals.add(str(n), [nlp.make_doc(p) for p in apostrophe_variants(phrase)])
        self.names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.acronyms = PhraseMatcher(nlp.vocab, attr="ORTH")
        for n, phrase, exact in self.finder.gazetteer_phrases():
            matcher = self.acronyms if exact else self.names
            matcher.add(str(n), [nlp.make_doc(p) for p in apostrophe_variants(phrase)])
        self.vocab = nlp.vocab

    def hits(self, matcher: PhraseMatcher, doc: Doc, spaces: list[int]) -> list[Hit]:
        out = []
        for match_id, start, end in matcher(doc):
            s = tok_index(spaces, start)
            last = tok_index(spaces, end - 1)
            if s < 0 or last < 0:
                continue
            out.append(Hit(s, last + 1, int(self.vocab.strings[match_id])))
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        toks, spaces = doc_tokens(doc, text)
        layout = doc.user_data.get(LAYOUT_KEY)
        partners = [(i.label.start, i.label.end) for i in getattr(layout, "partner_items", [])] if layout else []
        outlets = outlet_regions(text, layout) if layout else []
        headings = [(r.start, r.end) for r in (layout.subheadings + layout.source_headings)] if layout else []
        outlet_names = [c.get("outlet") for c in results(doc).get("citations", []) or [] if c.get("outlet")]
        agencies = self.finder.find(
            text, toks, self.hits(self.heads, doc, spaces), self.hits(self.plurals, doc, spaces),
            self.hits(self.names, doc, spaces) + self.hits(self.acronyms, doc, spaces),
            abbreviations=find_abbreviations(text), partner_items=partners,
            outlet_regions=outlets, outlet_names=outlet_names, headings=headings,
            places=[(results(doc).get("jurisdiction") or {}).get("name") or ""])
        out = []
        spans = []
        for a in agencies:
            mentions = [make_span(text, s, e, rule) for s, e, rule in a.mentions]
            out.append({"name": a.name, "kind": a.kind, "aliases": a.aliases, "mentions": mentions,
                        "confidence": round(a.confidence, 3)})
            for s, e, _ in a.mentions:
                span = doc.char_span(s, e, label="agency", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        results(doc)["agencies"] = out
        doc.spans["agencies"] = spans
        return doc


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_agencies(nlp: Language, name: str, models_dir: Optional[str]) -> AgenciesComponent:
    return AgenciesComponent(nlp, models_dir)
