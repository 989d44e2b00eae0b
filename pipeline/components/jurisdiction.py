"""Jurisdiction component: the place the page is about (pipeline.places does the deciding).

Writes `results(doc)["jurisdiction"]` (`{"name", "state", "state_code",
"type", "spans", "confidence"}` or None when the page names no place) and
`doc.user_data["place"]` (a `places.Place`) for the population and tactics
stages, which need to know whose population a figure is.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.layout import layout_of
from pipeline.places import GazetteerLexicon, Place, PlaceVocab, StatesLexicon, TypesLexicon, iter_found, resolve_place
from pipeline.rules import load_lexicon, models_dir as resolve_models_dir
from pipeline.spans import make_span, results, text_of

ORDER = 20
FACTORY = "profilex_jurisdiction"
PLACE_KEY = "place"


def place_of(doc: Doc) -> Optional[Place]:
    """The place a previous run of this component decided on (None before it ran)."""
    return doc.user_data.get(PLACE_KEY)


def load_vocab(models_dir: Optional[str] = None) -> PlaceVocab:
    folder = Path(resolve_models_dir(models_dir)) / "jurisdiction"
    return PlaceVocab(states=load_lexicon(folder / "states.json", StatesLexicon),
                      types=load_lexicon(folder / "types.json", TypesLexicon),
                      gazetteer=load_lexicon(folder / "gazetteer.json", GazetteerLexicon))


def place_record(text: str, place: Place) -> Optional[dict]:
    """The contract's jurisdiction object for `place`, or None when nothing was found."""
    if place.name is None and place.state is None:
        return None
    spans = [make_span(text, f.start, f.end, rule=f.rule) for f in iter_found(place)]
    return {
        "name": place.name.value if place.name else None,
        "state": place.state.value if place.state else None,
        "state_code": place.state_code,
        "type": place.type.value if place.type else None,
        "spans": spans,
        "confidence": round(place.confidence if place.name else 0.5, 2),
    }


class JurisdictionComponent:
    def __init__(self, vocab: PlaceVocab):
        self.vocab = vocab

    def __call__(self, doc: Doc) -> Doc:
        layout = layout_of(doc)
        title = (layout.title.start, layout.title.end) if layout.title else None
        footer = {k: (r.start, r.end) for k, r in layout.footer.items()}
        narrative = [(r.start, r.end) for r in layout.regions("narrative")]
        place = resolve_place(text_of(doc), self.vocab, title=title, footer_state=footer.get("state"),
                              footer_type=footer.get("type"), narrative=narrative or None)
        doc.user_data[PLACE_KEY] = place
        results(doc)["jurisdiction"] = place_record(text_of(doc), place)
        spans = []
        for f in iter_found(place):
            span = doc.char_span(f.start, f.end, label=f.rule, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["jurisdiction"] = spans
        return doc


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_jurisdiction(nlp: Language, name: str, models_dir: Optional[str]) -> JurisdictionComponent:
    return JurisdictionComponent(load_vocab(models_dir))
