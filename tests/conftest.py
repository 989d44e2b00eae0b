"""Shared fixtures: the spaCy pipeline is built once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
SHARED = REPO.parent / "shared"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current pipeline output")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def nlp():
    from pipeline.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def extract_text(nlp):
    """Run the whole pipeline on a text; returns the record's fields as a dict."""
    from pipeline.build import build_record
    from pipeline.load import Document
    from pipeline.rules import rules_hash

    def run(text: str, doc_id: str = "test"):
        doc = nlp(text)
        document = Document(path=f"{doc_id}.txt", doc_id=doc_id, text=text, sha256="0" * 64,
                            encoding="utf-8", raw_bytes=len(text.encode()))
        return build_record(doc, document, rules_hash()).model_dump(mode="json")

    return run
