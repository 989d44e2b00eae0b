"""Tactic labels and narrative evidence: pure functions, no spaCy.

- `canonical_label("IT-based tactics")` -> ("IT Based Tactics", True): a
  listed label mapped onto the 15 canonical labels of models/tactics/labels.json
  (case, spacing, hyphens, plurals, synonyms such as "Dear John Letters");
  an unknown label comes back as written with known False ("Shaming").
- `not_in_use(sentence, start)`: whether a sentence only proposes or
  denies a tactic ("showed interest in ... has not been instituted", "no
  evidence that ... ran reverse stings") rather than reporting its use. A
  sanction the text says is available ("Police can also seize the
  vehicles") is use.
- `merge_tactics(listed, evidence)`: one entry per label, listed ones first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict


class LabelsLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: dict[str, list[str]]


class ContextRule(BaseModel):
    """Words one of which must stand near a rule's match (in its sentence or paragraph)."""
    model_config = ConfigDict(extra="forbid")

    scope: Literal["sentence", "paragraph"] = "sentence"
    words: list[str]


class ModalityLexicon(BaseModel):
    """Cues that a sentence does not report a tactic in use, and context some rules need."""
    model_config = ConfigDict(extra="forbid")

    not_used: list[str]
    # A not_used cue only counts when it stands this many characters or fewer from the evidence.
    window: int = 200
    # Negations count only right before the evidence ("did not arrest the men", "No john school").
    negations: list[str] = []
    negation_window: int = 12
    context: dict[str, ContextRule] = {}


def normalize_label(text: str) -> str:
    """Lower case, hyphens and slashes as spaces, apostrophes and punctuation dropped, spaces collapsed."""
    s = text.replace("\u00a0", " ").replace("’", "'").lower()
    s = re.sub(r"[-‐‑–—/_]", " ", s)
    s = re.sub(r"'s\b", "s", s)
    s = re.sub(r"[^\w\s&]", "", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass
class LabelVocab:
    lexicon: LabelsLexicon
    index: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for label, synonyms in self.lexicon.labels.items():
            for form in [label] + synonyms:
                self.index[normalize_label(form)] = label

    @property
    def labels(self) -> list[str]:
        return list(self.lexicon.labels)


def canonical_label(text: str, vocab: LabelVocab) -> tuple[str, bool]:
    """(canonical label, True) for a known label, else (the label as written, False)."""
    key = normalize_label(text)
    if key in vocab.index:
        return vocab.index[key], True
    for variant in (key[:-1] if key.endswith("s") else key + "s", key.removesuffix(" tactics"),
                    key.removesuffix(" orders"), key.removesuffix(" program")):
        if variant and variant in vocab.index:
            return vocab.index[variant], True
    # "Reverse stings (street level)", "Vehicle seizure program": a known form of two or more
    # words inside the label, the longest one.
    padded = f" {key} "
    inside = [form for form in vocab.index if " " in form and f" {form} " in padded]
    if inside:
        return vocab.index[max(inside, key=len)], True
    return " ".join(text.split()), False


@lru_cache(maxsize=64)
def _words_regex(words: tuple[str, ...]) -> re.Pattern:
    """One pattern matching any of `words` (lower case) as whole words, longest first."""
    alternatives = sorted((re.escape(w.lower().replace("’", "'")) for w in words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def not_in_use(sentence: str, start: int, end: int, lexicon: ModalityLexicon) -> Optional[str]:
    """The cue that makes sentence[start:end] a tactic not in use, or None.

    A `not_used` cue counts when it is in the same sentence within
    `lexicon.window` characters of the evidence; a negation only right before it.
    """
    low = sentence.lower().replace("’", "'")
    lo = max(0, start - lexicon.window)
    hi = min(len(low), end + lexicon.window)
    if lexicon.not_used:
        m = _words_regex(tuple(lexicon.not_used)).search(low, lo, hi)
        if m:
            return m.group()
    if lexicon.negations:
        before = low[max(0, start - lexicon.negation_window - 12):start]
        for m in _words_regex(tuple(lexicon.negations)).finditer(before):
            if len(before) - m.end() <= lexicon.negation_window:
                return m.group()
    return None


def has_context(scope_text: str, words: list[str]) -> bool:
    """Whether one of `words` occurs (as a word, case-insensitively) in `scope_text`."""
    return bool(words) and _words_regex(tuple(words)).search(scope_text.lower().replace("’", "'")) is not None


BLANK_LINE = re.compile(r"\r?\n[ \t\u00a0]*\r?\n|\r[ \t\u00a0]*\r")


def paragraph_bounds(text: str, start: int, end: int, reach: int = 1500) -> tuple[int, int]:
    """The paragraph (text between blank lines) around text[start:end], at most `reach` characters each side."""
    lo = max(0, start - reach)
    for m in BLANK_LINE.finditer(text, lo, start):
        lo = m.end()
    m = BLANK_LINE.search(text, end, min(len(text), end + reach))
    return lo, (m.start() if m else min(len(text), end + reach))


@dataclass
class TacticItem:
    label: str
    listed: bool
    known: bool
    span: Optional[tuple[int, int, str]] = None       # (start, end, rule)
    evidence: list[tuple[int, int, str]] = field(default_factory=list)


def merge_tactics(listed: list[tuple[str, bool, tuple[int, int, str]]],
                  evidence: list[tuple[str, tuple[int, int, str]]]) -> list[TacticItem]:
    """One item per label: listed labels in list order, then labels with evidence only.

    `listed`: (label, known, span); `evidence`: (label, span), in text order.
    """
    items: dict[str, TacticItem] = {}
    for label, known, span in listed:
        if label not in items:
            items[label] = TacticItem(label=label, listed=True, known=known, span=span)
    for label, span in evidence:
        item = items.get(label)
        if item is None:
            item = items[label] = TacticItem(label=label, listed=False, known=True)
        if span not in item.evidence:
            item.evidence.append(span)
    for item in items.values():
        item.evidence.sort()
        if item.span is None and item.evidence:
            item.span = item.evidence[0]
    return list(items.values())
