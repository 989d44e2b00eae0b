"""The project's tokenizer gives spaCy's tokens and offsets, only faster and linear."""
import time
from pathlib import Path

import pytest
import spacy

from pipeline.tokenizer import MAX_CHUNK, TOKENIZER_CONFIG

REPO = Path(__file__).resolve().parent.parent
ODD = ["a\n\nb \xa0 c\t\td\r\n\r\ne", "  leading and trailing  ", "\n", "", "x" * MAX_CHUNK,
       "Sheriff’s Office (PCSO), “Sting Nets 40,” May 25 1998.\n\n\n", "e-mail: a@b.com 24/7 $25,000"]


@pytest.fixture(scope="module")
def tokenizers():
    return spacy.blank("en").tokenizer, spacy.blank("en", config=TOKENIZER_CONFIG).tokenizer


def tokens(doc):
    return [(t.idx, t.text, t.whitespace_, t.norm_) for t in doc]


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8-sig") for p in sorted((REPO / "raw").glob("*.txt"))] + ODD)
def test_tokens_and_offsets_are_spacys(tokenizers, text):
    stock, ours = tokenizers
    assert tokens(ours(text)) == tokens(stock(text))


@pytest.mark.parametrize("text", ODD + ["\ufeffBOM 🚔 emoji\r\n" + "y" * (3 * MAX_CHUNK) + " tail"])
def test_the_kept_text_is_the_docs_text(tokenizers, text):
    from pipeline.spans import TEXT_KEY, text_of

    doc = tokenizers[1](text)
    assert doc.user_data[TEXT_KEY] == doc.text == text_of(doc) == text
    bare = spacy.blank("en")(text)  # a Doc from elsewhere: read from the tokens once, then kept
    assert text_of(bare) == bare.text and bare.user_data[TEXT_KEY] == text


def test_long_chunks_are_split_but_cover_the_text_exactly(tokenizers):
    _, ours = tokenizers
    text = "start " + "(" * 3000 + "Police" + ")" * 3000 + " end\n"
    doc = ours(text)
    assert doc.text == text
    assert all(text[t.idx:t.idx + len(t)] == t.text for t in doc)


def test_cost_of_nested_brackets_is_linear(tokenizers):
    _, ours = tokenizers
    def cost(n):
        text = "(" * n + "Police Department (PD)" + ")" * n
        start = time.perf_counter()
        ours(text)
        return time.perf_counter() - start
    cost(1000)
    assert cost(40_000) < 40 * max(cost(4_000), 1e-3)


def test_pipeline_round_trips_through_disk(tmp_path, nlp):
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    text = "Waterbury, CT\n\nIn 2007, the Waterbury PD arrested 33 men.\n"
    assert tokens(loaded.make_doc(text)) == tokens(nlp.make_doc(text))
