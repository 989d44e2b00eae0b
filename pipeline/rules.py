"""Loading the rule model in models/: patterns, lexicons and vocabularies.

Rules are data a domain expert edits, so a bad file must fail at start-up
with its name and line, never be skipped silently:

- `*.jsonl` pattern files hold one rule per line, in the format spaCy's
  SpanRuler writes with `to_disk`: `{"id": ..., "label": ..., "pattern": ...}`
  where the pattern is a phrase string or a list of token-pattern dicts.
  Blank lines and lines starting with `//` are skipped.
- `*.json` lexicons are validated against a pydantic model the extractor
  passes in.

`rules_hash()` is the sha256 of every file under models/ (path and bytes),
so a record names exactly the rules that made it. `derived(lexicon, key,
build)` keeps what an extractor builds from a lexicon (regexes, word sets)
so it is built once, not on every call.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"

T = TypeVar("T", bound=BaseModel)
D = TypeVar("D")

# What `derived` built: (id of the owner, key) -> (owner, value).
_DERIVED: dict[tuple[int, str], tuple[object, object]] = {}
DERIVED_LIMIT = 1024


def derived(owner: object, key: str, build: Callable[[Any], D]) -> D:
    """`build(owner)`, built once per owner object and key: a regex or word set made from a lexicon.

    Looked up by the owner's identity (a lexicon model or a list is not
    hashable, and hashing its contents on every call is the cost this
    saves); the owner is held, so its id is not reused while its entry
    lives. The memo starts over past DERIVED_LIMIT entries: pipelines
    renewed over a long batch bring new lexicons and do not pile up."""
    known = _DERIVED.get((id(owner), key))
    if known is not None and known[0] is owner:
        return known[1]  # type: ignore[return-value]
    value = build(owner)
    if len(_DERIVED) >= DERIVED_LIMIT:
        _DERIVED.clear()
    _DERIVED[(id(owner), key)] = (owner, value)
    return value


class RuleFileError(ValueError):
    """A rule file that cannot be used, with the file and line to fix."""

    def __init__(self, path: Path, line: Optional[int], reason: str):
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class PatternRule(BaseModel):
    """One line of a JSONL pattern file (SpanRuler's on-disk format)."""
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    label: str = Field(min_length=1)
    pattern: Union[str, list[dict[str, Any]]]


def models_dir(path: Optional[Union[str, Path]] = None) -> Path:
    return Path(path) if path is not None else MODELS_DIR


def _first_error(err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"])
    return f"{loc}: {e['msg']}" if loc else e["msg"]


def load_patterns(path: Union[str, Path]) -> list[PatternRule]:
    """Read and validate a JSONL pattern file; ids must be unique in it."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(path, None, "missing rule file")
    rules: list[PatternRule] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise RuleFileError(path, n, f"not valid JSON ({err.msg})") from None
        try:
            rule = PatternRule.model_validate(data)
        except ValidationError as err:
            raise RuleFileError(path, n, _first_error(err)) from None
        if isinstance(rule.pattern, list) and not rule.pattern:
            raise RuleFileError(path, n, "empty token pattern")
        if rule.id in seen and rule.pattern == rules[seen[rule.id]].pattern:
            raise RuleFileError(path, n, f"duplicate rule {rule.id!r} (first on line {seen[rule.id]})")
        seen.setdefault(rule.id, len(rules))
        rules.append(rule)
    _check_token_patterns(path, rules)
    return rules


def _check_token_patterns(path: Path, rules: list[PatternRule]) -> None:
    """Let spaCy's own validator read every token pattern before any text is seen."""
    token_rules = [r for r in rules if isinstance(r.pattern, list)]
    if not token_rules:
        return
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    for rule in token_rules:
        try:
            matcher.add(rule.id, [rule.pattern])
        except (ValueError, TypeError) as err:
            line = _line_of(path, rule)
            raise RuleFileError(path, line, f"bad token pattern for {rule.id!r}: "
                                f"{str(err).splitlines()[0][:200]}") from None


def _line_of(path: Path, rule: PatternRule) -> Optional[int]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if f'"{rule.id}"' in line:
            return n
    return None


def load_lexicon(path: Union[str, Path], model: type[T]) -> T:
    """Read a JSON lexicon and validate it against `model`."""
    path = Path(path)
    if not path.is_file():
        raise RuleFileError(path, None, "missing lexicon file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise RuleFileError(path, err.lineno, f"not valid JSON ({err.msg})") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise RuleFileError(path, None, _first_error(err)) from None


@lru_cache(maxsize=8)
def _hash_tree(root: str) -> str:
    digest = hashlib.sha256()
    base = Path(root)
    for p in sorted(base.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            digest.update(p.relative_to(base).as_posix().encode())
            digest.update(b"\0")
            digest.update(p.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def rules_hash(path: Optional[Union[str, Path]] = None) -> str:
    """sha256 over every file of the rule model (relative path and bytes)."""
    return _hash_tree(str(models_dir(path).resolve()))
