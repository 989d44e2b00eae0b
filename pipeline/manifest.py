"""What an output folder already holds, so a re-run does only what changed.

Two files next to records.jsonl:

- `manifest.jsonl`, written atomically at the end of each completed run: a
  header line (`{"manifest": 1, "run": {...}}`, what the last run did), then
  one line per input in input order: the source path, its doc_id, the
  file's sha256, the rules hash, the extractor version, a hash of the
  pipeline's code, the outcome (`record` or `error`), the run that
  extracted it, and where its line sits in records.jsonl (offset, length).
  A page whose key (path, doc_id, sha256, rules, code, version, text path)
  is unchanged keeps its record: the line is copied, byte for byte.
- `.journal.jsonl`, written while a run goes: one line per page as it is
  finished (record or error), flushed at once and fsynced every second.
  Killed (SIGINT or SIGKILL), the folder still holds the previous complete
  outputs plus the journal; the next run reuses every journal line whose
  key still matches and extracts only what is missing. A completed run
  deletes it.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pipeline import __version__

MANIFEST_FILE = "manifest.jsonl"
JOURNAL_FILE = ".journal.jsonl"
MANIFEST_FORMAT = 1
FSYNC_EVERY_SECONDS = 1.0
CODE_ROOT = Path(__file__).resolve().parent


# Modules that never shape a record (commands, review app, exports, the
# batch machinery): editing them does not re-extract every page.
NOT_EXTRACTION = frozenset({"commands", "review", "__main__.py", "api.py", "bench.py", "cli.py",
                            "evaluate.py", "export.py", "manifest.py", "parallel.py", "progress.py",
                            "report.py", "tables.py"})


@lru_cache(maxsize=1)
def code_hash() -> str:
    """sha256 over the Python sources that make records (a code change re-extracts)."""
    digest = hashlib.sha256()
    for p in sorted(CODE_ROOT.rglob("*.py")):
        rel = p.relative_to(CODE_ROOT).parts
        if "__pycache__" in rel or rel[0] in NOT_EXTRACTION:
            continue
        digest.update(p.relative_to(CODE_ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(p.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def file_sha256(path: str) -> Optional[str]:
    """The sha256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class PageKey:
    """Everything a page's record depends on: its bytes and name, the rules, the code, the version."""
    path: str
    doc_id: str
    sha256: Optional[str]
    rules: str
    code: str
    version: str = __version__
    text_path: Optional[str] = None


def key_of(entry: dict) -> PageKey:
    return PageKey(path=entry.get("path"), doc_id=entry.get("doc_id"), sha256=entry.get("sha256"),
                   rules=entry.get("rules"), code=entry.get("code"), version=entry.get("version"),
                   text_path=entry.get("text_path"))


def entry_for(key: PageKey, outcome: str, run: str, **extra) -> dict:
    entry = asdict(key)
    entry["outcome"] = outcome
    entry["run"] = run
    entry.update(extra)
    return entry


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """The previous run's entries by doc_id, in input order ({} when none or unreadable).

    By doc_id, not path: doc ids are unique in a run, a path given twice is not.
    """
    entries: dict[str, dict] = {}
    try:
        handle = open(Path(out_dir) / MANIFEST_FILE, encoding="utf-8")
    except OSError:
        return entries
    with handle:
        for n, line in enumerate(handle):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                return {}  # a manifest we cannot trust is no manifest
            if n == 0:
                if data.get("manifest") != MANIFEST_FORMAT:
                    return {}
                continue
            if isinstance(data, dict) and isinstance(data.get("doc_id"), str):
                entries[data["doc_id"]] = data
    return entries


def manifest_header(summary: dict) -> dict:
    return {"manifest": MANIFEST_FORMAT, "run": summary}


def read_line_at(handle, offset: int, length: int) -> Optional[bytes]:
    """The bytes of one JSONL line at `offset` (with its newline), or None if it is not there."""
    if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length <= 0:
        return None
    handle.seek(offset)
    data = handle.read(length)
    if len(data) != length or not data.endswith(b"\n") or b"\n" in data[:-1]:
        return None
    return data


def record_matches(line: bytes, key: PageKey) -> bool:
    """Whether a records.jsonl line is the record of this page, as the key says."""
    try:
        record = json.loads(line)
        source = record["source"]
        return (record.get("doc_id") == key.doc_id and source.get("path") == key.path
                and source.get("sha256") == key.sha256 and source.get("text_path") == key.text_path
                and record.get("extractor", {}).get("rules") == key.rules
                and record.get("extractor", {}).get("version") == key.version)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


class FolderBusy(Exception):
    """Another run is writing to the same output folder."""


def _lock(handle, out_dir: Path) -> None:
    """Hold the journal exclusively: two runs never write one folder at once."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise FolderBusy(f"another profilex run is writing to {out_dir}") from None


class Journal:
    """Append-only log of the pages finished by the current (or an interrupted) run.

    Each line: `{"key": {...}, "outcome": "record"|"error", "run": ID, "line": "<the JSONL line>"}`.
    """

    def __init__(self, out_dir: Path, *, reuse: bool = True):
        self.path = Path(out_dir) / JOURNAL_FILE
        self.index: dict[str, tuple[int, int]] = {}  # doc_id -> (offset, length)
        self.handle = open(self.path, "a+b")
        _lock(self.handle, out_dir)
        good_end = self._scan() if reuse else 0
        self.handle.truncate(good_end)  # drop a line cut short by a kill
        self.resumed = len(self.index)
        self._synced = time.monotonic()

    def _scan(self) -> int:
        """Index the complete lines of an existing journal; returns where they end."""
        offset = 0
        with open(self.path, "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                try:
                    data = json.loads(line)
                    doc_id = data["key"]["doc_id"]
                except (ValueError, KeyError, TypeError):
                    break
                self.index[doc_id] = (offset, len(line))
                offset += len(line)
        return offset

    def lookup(self, key: PageKey) -> Optional[dict]:
        """The journal entry for this page if its key still matches."""
        where = self.index.get(key.doc_id)
        if where is None:
            return None
        entry = self._read(*where)
        if entry is None or key_of(entry["key"]) != key:
            return None
        return entry

    def _read(self, offset: int, length: int) -> Optional[dict]:
        self.handle.seek(offset)
        data = self.handle.read(length)
        self.handle.seek(0, os.SEEK_END)
        try:
            return json.loads(data)
        except ValueError:
            return None

    def entry(self, doc_id: str) -> Optional[dict]:
        where = self.index.get(doc_id)
        return self._read(*where) if where else None

    def append(self, key: PageKey, outcome: str, line: str, run: str) -> None:
        data = (json.dumps({"key": asdict(key), "outcome": outcome, "run": run, "line": line},
                           ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self.handle.seek(0, os.SEEK_END)
        offset = self.handle.tell()
        self.handle.write(data)
        self.handle.flush()  # in the kernel now: survives SIGKILL of this process
        self.index[key.doc_id] = (offset, len(data))
        if time.monotonic() - self._synced >= FSYNC_EVERY_SECONDS:
            self.sync()

    def sync(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        if not self.handle.closed:
            self.sync()
            self.handle.close()

    def remove(self) -> None:
        self.close()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

