"""Layout component: the page's regions (pipeline.sections) on the Doc.

Writes `doc.user_data["layout"]` (a `sections.Layout`, read by later
components), `doc.spans["sections"]`, and the record's `title` and
`sections` fields.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.sections import Layout, find_layout
from pipeline.spans import make_span, results, text_of

ORDER = 10
FACTORY = "profilex_layout"
LAYOUT_KEY = "layout"


def layout_of(doc: Doc) -> Layout:
    """The layout a previous run of this component left on the Doc."""
    return doc.user_data[LAYOUT_KEY]


class LayoutComponent:
    def __call__(self, doc: Doc) -> Doc:
        layout = find_layout(text_of(doc))
        doc.user_data[LAYOUT_KEY] = layout
        out = results(doc)
        out["title"] = (
            {"value": layout.title.text, "span": make_span(text_of(doc), layout.title.start, layout.title.end)}
            if layout.title else None)
        out["sections"] = []
        spans = []
        for section in layout.sections:
            region = section.region
            entry = {"name": section.name, "span": make_span(text_of(doc), region.start, region.end)}
            if section.heading is not None:
                entry["heading"] = section.heading.text
            out["sections"].append(entry)
            span = doc.char_span(region.start, region.end, label=section.name, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["sections"] = spans
        return doc


@Language.factory(FACTORY, default_config={"models_dir": None})
def make_layout(nlp: Language, name: str, models_dir: str | None) -> LayoutComponent:
    return LayoutComponent()
