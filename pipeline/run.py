"""The batch: load every input, run the spaCy pipeline, write records and errors.

`run_batch` streams: documents are read one at a time, go through
`nlp.pipe`, and their records are written as they come, in input order, to
temporary files renamed over `records.jsonl` and `errors.jsonl` at the end.
A document that fails anywhere (unreadable, an extractor error, an invalid
record) becomes one line of errors.jsonl and the batch goes on.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.build import build_record
from pipeline.load import DEFAULT_MAX_BYTES, DocIds, Document, LoadError, expand_inputs, load_document
from pipeline.records import Record
from pipeline.rules import rules_hash
from pipeline.write import atomic_writer, check_writable, json_line

log = logging.getLogger("profilex")

RECORDS_FILE = "records.jsonl"
ERRORS_FILE = "errors.jsonl"
TEXT_DIR = "text"
FAILED_KEY = "profilex_failed"


class UsageError(Exception):
    """Bad invocation (no inputs, unwritable output folder): exit status 2."""


@dataclass
class BatchResult:
    records: int = 0
    errors: int = 0
    error_lines: list[dict] = field(default_factory=list)

    @property
    def exit_status(self) -> int:
        return 1 if self.errors else 0


@dataclass
class Outcome:
    """What one input became: a record, or an error line."""
    path: str
    record: Optional[Record] = None
    error: Optional[dict] = None


def _mark_failure(name: str, component: Callable, docs: list[Doc], err: Exception) -> None:
    """spaCy error handler: remember the first failing component on each Doc."""
    for doc in docs:
        doc.user_data.setdefault(FAILED_KEY, f"{name}: {type(err).__name__}: {err}")
    log.debug("component %s failed:\n%s", name, traceback.format_exc())


def error_line(path: str, code: str, message: str) -> dict:
    return {"source": path, "error": code, "message": message}


def extract(paths: Iterable[str], nlp: Language, *, max_bytes: int = DEFAULT_MAX_BYTES,
            models_dir: Optional[str] = None, batch_size: int = 64,
            out_dir: Optional[Path] = None) -> Iterator[Outcome]:
    """Yield one Outcome per input path, in input order.

    `out_dir` is where the text of HTML pages is saved (DIR/text/<doc_id>.txt).
    """
    rules = rules_hash(models_dir)
    doc_ids = DocIds()
    pending: list[Outcome] = []  # errors waiting for the documents before them

    def loaded() -> Iterator[tuple[str, Document]]:
        for path in paths:
            try:
                document = load_document(path, doc_ids(path), max_bytes=max_bytes)
            except LoadError as err:
                pending.append(Outcome(path, error=error_line(path, err.code, err.message)))
                continue
            pending.append(Outcome(path))
            yield document.text, document

    nlp.set_error_handler(_mark_failure)
    for doc, document in nlp.pipe(loaded(), as_tuples=True, batch_size=batch_size):
        outcome = next(o for o in pending if o.record is None and o.error is None)
        outcome.record, outcome.error = _finish(doc, document, rules, out_dir)
        while pending and (pending[0].record is not None or pending[0].error is not None):
            yield pending.pop(0)
    yield from pending


def text_path_for(document: Document, out_dir: Optional[Path]) -> Optional[str]:
    """Where the text of an HTML page is saved (None for plain-text pages)."""
    if not document.from_html or out_dir is None:
        return None
    return str(Path(out_dir) / TEXT_DIR / f"{document.doc_id}.txt")


def _finish(doc: Doc, document: Document, rules: str,
            out_dir: Optional[Path]) -> tuple[Optional[Record], Optional[dict]]:
    failure = doc.user_data.get(FAILED_KEY)
    if failure:
        return None, error_line(document.path, "extract_failed", failure)
    try:
        text_path = text_path_for(document, out_dir)
        record = build_record(doc, document, rules, text_path=text_path)
        if text_path:
            Path(text_path).parent.mkdir(parents=True, exist_ok=True)
            with atomic_writer(Path(text_path)) as handle:
                handle.write(document.text)
        return record, None
    except Exception as err:  # an extractor produced something the contract rejects
        log.debug("record for %s is invalid:\n%s", document.path, traceback.format_exc())
        return None, error_line(document.path, "invalid_record", f"{type(err).__name__}: {err}")


def run_batch(inputs: Iterable[str], out_dir: Path, nlp: Language, *,
              max_bytes: int = DEFAULT_MAX_BYTES, models_dir: Optional[str] = None,
              on_outcome: Optional[Callable[[Outcome], None]] = None) -> BatchResult:
    """Process `inputs` into `out_dir`/records.jsonl and errors.jsonl."""
    paths = list(expand_inputs(inputs))
    if not paths:
        raise UsageError("no input files found (give .txt, .html or .htm files or folders holding them)")
    out_dir = Path(out_dir)
    try:
        check_writable(out_dir)
    except OSError as err:
        raise UsageError(f"cannot write to {out_dir}: {err.strerror or err}") from None
    result = BatchResult()
    with atomic_writer(out_dir / RECORDS_FILE) as records, atomic_writer(out_dir / ERRORS_FILE) as errors:
        for outcome in extract(paths, nlp, max_bytes=max_bytes, models_dir=models_dir, out_dir=out_dir):
            if outcome.record is not None:
                records.write(json_line(outcome.record.model_dump(mode="json", exclude_none=False)))
                result.records += 1
            else:
                errors.write(json_line(outcome.error))
                result.errors += 1
                result.error_lines.append(outcome.error)
            if on_outcome:
                on_outcome(outcome)
    return result
