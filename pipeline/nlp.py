"""Stage 3: the one spaCy pipeline every document goes through.

`spacy.blank("en")` (no model is downloaded) with the project's tokenizer
(pipeline.tokenizer: linear on hostile input, no cache-breaking whitespace
special cases), a sentencizer, then the
project's components in ORDER (see pipeline.components). Each component
reads its rules from models/ when it is built, so a bad rule file fails
here, at start-up, naming the file and line.

Memory over a long batch: every new word, number or name a page brings is
added to the pipeline's vocabulary for good. Instead of spaCy's memory
zones (inside one, the tokenizer stops caching: tokenizing took 3x as
long), a batch replaces its pipeline by a fresh one once the vocabulary has
grown by STRINGS_BUDGET strings (`renewed`), so memory stays bounded.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional, Union
from weakref import WeakKeyDictionary

import spacy
from spacy.language import Language

from pipeline.components import component_modules
from pipeline.rules import models_dir as resolve_models_dir
from pipeline.tokenizer import TOKENIZER_CONFIG

log = logging.getLogger(__name__)
# Strings a pipeline may add to its vocabulary before a batch replaces it (about 60 MiB).
STRINGS_BUDGET = 250_000
# For each pipeline built here: (its vocabulary's size when built, its models folder).
_BUILT: "WeakKeyDictionary[Language, tuple[int, str]]" = WeakKeyDictionary()
_SHARED: dict[Optional[str], Language] = {}


def build_nlp(models_dir: Optional[Union[str, Path]] = None) -> Language:
    """A fresh pipeline reading its rules from `models_dir` (default: the repo's models/)."""
    root = str(resolve_models_dir(models_dir).resolve())
    nlp = spacy.blank("en", config=TOKENIZER_CONFIG)
    nlp.add_pipe("sentencizer")
    for module in component_modules():
        nlp.add_pipe(module.FACTORY, config={"models_dir": root})
    _BUILT[nlp] = (len(nlp.vocab.strings), root)
    return nlp


def outgrown(nlp: Language, budget: Optional[int] = None) -> bool:
    """Has `nlp` added more than `budget` (default STRINGS_BUDGET) strings to its vocabulary since it was built?"""
    built = _BUILT.get(nlp)
    start = built[0] if built else 0
    return len(nlp.vocab.strings) - start > (STRINGS_BUDGET if budget is None else budget)


def renewed(nlp: Language, budget: Optional[int] = None) -> Language:
    """`nlp`, or a fresh pipeline on the same rules once `nlp` has outgrown its budget.

    Call it between groups of pages; the old pipeline is freed when its holder lets go of it.
    A pipeline not made by `build_nlp` (a caller's own) is never replaced: we could not rebuild it."""
    built = _BUILT.get(nlp)
    if built is None or not outgrown(nlp, budget):
        return nlp
    log.debug("the pipeline's vocabulary grew to %d strings: building a fresh one", len(nlp.vocab.strings))
    return build_nlp(built[1])


def shared_nlp(models_dir: Optional[str] = None) -> Language:
    """The pipeline built once per process (per models folder) and reused, renewed when outgrown."""
    nlp = _SHARED.get(models_dir)
    fresh = build_nlp(models_dir) if nlp is None else renewed(nlp)
    if fresh is not nlp:
        _SHARED[models_dir] = fresh
    return fresh
