"""Stage 5: assemble a contract Record from what the components left on a Doc."""
from __future__ import annotations

from typing import Optional

from spacy.tokens import Doc

from pipeline import __version__
from pipeline.load import Document
from pipeline.records import Record
from pipeline.spans import results, text_of

LIST_FIELDS = ("tactics", "arrests", "dates", "agencies", "citations", "sections", "flags")
OBJECT_FIELDS = ("title", "jurisdiction", "population")


def build_record(doc: Doc, document: Document, rules: str,
                 text_path: Optional[str] = None) -> Record:
    """Validate the components' output as a Record; spans are checked against the text."""
    out = results(doc)
    source = {"path": document.path, "sha256": document.sha256, "chars": document.chars,
              "encoding": document.encoding}
    if text_path:
        source["text_path"] = text_path
    data = {
        "doc_id": document.doc_id,
        "source": source,
        "extractor": {"version": __version__, "rules": rules},
    }
    for name in OBJECT_FIELDS:
        data[name] = out.get(name)
    for name in LIST_FIELDS:
        data[name] = out.get(name, [])
    return Record.model_validate(data, context={"text": text_of(doc)})
