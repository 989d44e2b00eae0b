"""The project's tokenizer: spaCy's English tokenizer, made safe and fast.

Two changes, both leaving tokens and offsets of ordinary text unchanged
(tests/test_tokenizer.py proves it on every sample page):

- spaCy's tokenizer strips prefixes and suffixes from a whitespace-free chunk
  one at a time, re-searching the whole chunk each time: quadratic in the
  chunk's length ("((((..." of 4,000 characters took 16 s). Chunks longer
  than MAX_CHUNK characters are split into word runs and single other
  characters instead, so the cost stays linear whatever arrives.
- The built-in special cases for single whitespace characters ("\\n", " ",
  "\\xa0", "\\t") make spaCy 3.8 stop caching for the rest of a document
  once one matches (explosion/spaCy#13950), i.e. on every blank line. The
  tokenizer produces the same whitespace tokens without them.

Registered as "profilex.Tokenizer.v1" so `nlp.to_disk` / `spacy.load`
rebuild the same tokenizer.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from pipeline.spans import TEXT_KEY

MAX_CHUNK = 200
LONG_CHUNK = re.compile(r"\S{%d,}" % (MAX_CHUNK + 1))
PIECES = re.compile(r"\w+|[^\w\s]")
WHITESPACE_SPECIAL_CASES = frozenset({"\n", " ", "\xa0", "\t"})
NBSP_NORM = "  "


class GuardedTokenizer:
    """Wraps spaCy's Tokenizer; long whitespace-free chunks are split linearly."""

    def __init__(self, base: Any):
        self.base = base

    def __call__(self, text: str) -> Doc:
        doc = self._tokenize(text)
        doc.user_data[TEXT_KEY] = text  # == doc.text, which spaCy rebuilds on every access
        return doc

    def _tokenize(self, text: str) -> Doc:
        if not LONG_CHUNK.search(text):
            return self.base(text)
        docs = []
        pos = 0
        for m in LONG_CHUNK.finditer(text):
            if m.start() > pos:
                docs.append(self.base(text[pos:m.start()]))
            words = PIECES.findall(m.group())
            docs.append(Doc(self.base.vocab, words=words, spaces=[False] * len(words)))
            pos = m.end()
        if pos < len(text):
            docs.append(self.base(text[pos:]))
        return Doc.from_docs(docs, ensure_whitespace=False)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str) -> Any:
        # to_disk, from_disk, to_bytes, from_bytes, vocab, rules, ... are spaCy's.
        return getattr(self.base, name)


def base_tokenizer(nlp: Language) -> Tokenizer:
    """spaCy's tokenizer for `nlp`'s language ("spacy.Tokenizer.v1"), less the whitespace special cases.

    Built with those rules left out rather than built whole and then given new
    rules: setting `Tokenizer.rules` loads every special case a second time,
    a tenth of a second of each run's start-up."""
    defaults = nlp.Defaults
    rules = {k: v for k, v in (defaults.tokenizer_exceptions or {}).items() if k not in WHITESPACE_SPECIAL_CASES}
    return Tokenizer(
        nlp.vocab,
        rules=rules,
        prefix_search=compile_prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
        suffix_search=compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
        infix_finditer=compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


@spacy.registry.tokenizers("profilex.Tokenizer.v1")
def create_tokenizer() -> Callable[[Language], GuardedTokenizer]:
    def make(nlp: Language) -> GuardedTokenizer:
        tokenizer = GuardedTokenizer(base_tokenizer(nlp))
        nlp.vocab["\xa0"].norm_ = NBSP_NORM  # what the removed special case gave it
        return tokenizer

    return make


TOKENIZER_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": "profilex.Tokenizer.v1"}}}
