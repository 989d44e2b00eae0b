"""Stage 3: the one spaCy pipeline every document goes through.

`spacy.blank("en")` (no model is downloaded) with the project's tokenizer
(pipeline.tokenizer: linear on hostile input, no cache-breaking whitespace
special cases), a sentencizer, then the
project's components in ORDER (see pipeline.components). Each component
reads its rules from models/ when it is built, so a bad rule file fails
here, at start-up, naming the file and line.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

import spacy
from spacy.language import Language

from pipeline.components import component_modules
from pipeline.rules import models_dir as resolve_models_dir
from pipeline.tokenizer import TOKENIZER_CONFIG


def build_nlp(models_dir: Optional[Union[str, Path]] = None) -> Language:
    """A fresh pipeline reading its rules from `models_dir` (default: the repo's models/)."""
    root = str(resolve_models_dir(models_dir).resolve())
    nlp = spacy.blank("en", config=TOKENIZER_CONFIG)
    nlp.add_pipe("sentencizer")
    for module in component_modules():
        nlp.add_pipe(module.FACTORY, config={"models_dir": root})
    return nlp


@lru_cache(maxsize=2)
def shared_nlp(models_dir: Optional[str] = None) -> Language:
    """The pipeline built once per process (per models folder) and reused."""
    return build_nlp(models_dir)
