"""The batch under review: DIR/records.jsonl and the text of every document.

Records are read again when records.jsonl changes (a re-run of extraction
while the app is open shows at the next request). A document's text is the
file at `source.text_path` when set (the text saved for an HTML page, UTF-8),
else `source.path`, both relative to the folder the command runs in, decoded
with `source.encoding` and a leading byte-order mark removed: exactly the text
the record's spans index.

Doc ids are looked up in the records, never used as paths.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from pipeline.review.anchoring import text_sha256

RECORDS_FILE = "records.jsonl"


class BatchError(Exception):
    """records.jsonl missing or unreadable (a plain message for the user)."""


def text_file(record: dict, base: Optional[Path] = None) -> tuple[Path, str]:
    """(file, encoding) holding a record's document text."""
    source = record.get("source") or {}
    base = Path(base) if base is not None else Path.cwd()
    if source.get("text_path"):
        path, encoding = Path(source["text_path"]), "utf-8"
    elif source.get("path"):
        path, encoding = Path(source["path"]), source.get("encoding") or "utf-8"
    else:
        raise ValueError("the record names no source file")
    return (path if path.is_absolute() else base / path), encoding


def read_text(record: dict, base: Optional[Path] = None) -> str:
    """The document text a record's spans index (raises OSError or ValueError)."""
    path, encoding = text_file(record, base)
    data = path.read_bytes()
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} does not decode as {encoding}: {err}") from None
    return text[1:] if text.startswith("\ufeff") else text


def bad_spans(record: dict, text: str) -> list[dict]:
    """Spans of the record's items that do not index `text` (the page changed since extraction)."""
    from pipeline.review.fields import items_of

    return [span for item in items_of(record) for span in item.spans
            if span["end"] > len(text) or text[span["start"]:span["end"]] != span["text"]]


@dataclass
class Document:
    record: dict
    text: Optional[str]
    problem: Optional[str] = None  # why the text is missing or does not match the record
    sha: Optional[str] = None
    mismatched: list[dict] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.record["doc_id"]


class Batch:
    """The records of one folder, reloaded when records.jsonl changes."""

    def __init__(self, folder: Path, base: Optional[Path] = None):
        self.folder = Path(folder)
        self.base = Path(base) if base is not None else Path.cwd()
        self.path = self.folder / RECORDS_FILE
        self._lock = threading.Lock()
        self._stamp: Optional[tuple] = None
        self._records: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._texts: dict[str, tuple[tuple, tuple]] = {}  # doc_id -> (file stamp, what _read gave)

    def _load(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise BatchError(f"no {RECORDS_FILE} in {self.folder}: run `profilex run` first") from None
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if stamp == self._stamp:
                return
            records = []
            with open(self.path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise BatchError(f"{self.path} line {number} is not JSON: {err.msg}") from None
                    if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
                        raise BatchError(f"{self.path} line {number} is not a record (no doc_id)")
                    records.append(record)
            self._records = records
            self._by_id = {r["doc_id"]: r for r in records}
            self._texts = {}
            self._stamp = stamp

    def records(self) -> list[dict]:
        self._load()
        return self._records

    def record(self, doc_id: str) -> Optional[dict]:
        self._load()
        return self._by_id.get(doc_id)

    def doc_ids(self) -> list[str]:
        return [r["doc_id"] for r in self.records()]

    def document(self, doc_id: str) -> Optional[Document]:
        record = self.record(doc_id)
        if record is None:
            return None
        try:
            path, _ = text_file(record, self.base)
            stat = path.stat()
            key = (doc_id, str(path), stat.st_mtime_ns, stat.st_size)
        except (OSError, ValueError):
            key = (doc_id, None)
        seen = self._texts.get(doc_id)
        if seen is None or seen[0] != key:  # first time, or the file changed
            seen = (key, self._read(record))
            self._texts[doc_id] = seen
        return Document(record, *seen[1])

    def _read(self, record: dict) -> tuple:
        """(text, problem, sha, mismatched spans) of a record's document."""
        try:
            text = read_text(record, self.base)
        except (OSError, ValueError) as err:
            return None, f"the document text cannot be read: {getattr(err, 'strerror', None) or err}", None, []
        mismatched = bad_spans(record, text)
        problem = None
        if mismatched:
            problem = (f"{len(mismatched)} span(s) of the record do not match the current text: the page "
                       "changed after extraction; re-run `profilex run`")
        return text, problem, text_sha256(text), mismatched
