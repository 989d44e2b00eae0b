"""Stage 1: read an input file into a document text.

The document text is the file's bytes with a leading UTF-8 byte-order mark
removed, decoded as UTF-8, or, when that fails, with the legacy encoding
charset-normalizer detects (recorded in `source.encoding`). Nothing else is
changed: CRLF, tabs and odd spaces stay, so that span offsets index exactly
what a reviewer opens.

An HTML page (*.html, *.htm) becomes the text pipeline.html_text extracts
from it; that text is what spans index, and it is saved next to the records.

Files that cannot be documents raise `LoadError` with a stable code that
goes to errors.jsonl; the batch goes on.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.html_text import html_to_text, is_html_path

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
INPUT_SUFFIXES = (".txt", ".html", ".htm")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Share of control characters (other than whitespace) above which a decoded
# file is taken for binary data rather than text.
MAX_CONTROL_SHARE = 0.05


class LoadError(Exception):
    """A file that cannot become a document; `code` goes to errors.jsonl."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Document:
    path: str
    doc_id: str
    text: str
    sha256: str
    encoding: str
    raw_bytes: int
    # True when `text` was extracted from HTML: the text is then saved next to
    # the records (DIR/text/<doc_id>.txt) and named in source.text_path.
    from_html: bool = False

    @property
    def chars(self) -> int:
        return len(self.text)


def expand_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Files as given, folders walked (sorted) for *.txt, *.html, *.htm.

    Paths stay as the user typed them, a folder joined with the file's path
    under it, so `source.path` opens from where the command ran. A missing
    input is yielded as it is and fails at load time with `not_found`.
    """
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            for p in found:
                yield str(Path(given) / p.relative_to(path))
        else:
            yield given


def slug(name: str) -> str:
    base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower()
    return base or "doc"


class DocIds:
    """Stable, unique doc ids from file names: the stem's slug, then -2, -3 for repeats."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, path: str) -> str:
        base = slug(Path(path).stem)
        n = self.seen.get(base, 0) + 1
        self.seen[base] = n
        return base if n == 1 else f"{base}-{n}"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for a file's bytes; raises LoadError for non-text."""
    if data.startswith(UTF16_BOMS) or (len(data) >= 4 and data[1:4:2] == b"\x00\x00"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise LoadError("binary", f"looks like UTF-16 but does not decode: {err.reason}") from None
        return text.lstrip("\ufeff"), "utf-16"
    if b"\x00" in data:
        raise LoadError("binary", "contains NUL bytes: not a text file")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "mac_roman"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1"), "latin_1"


# Unicode's control characters (category Cc: U+0000-001F, U+007F-009F) other than \t \n \v \f \r.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def looks_binary(text: str) -> bool:
    """More than MAX_CONTROL_SHARE of the first 64K characters are control characters."""
    if not text:
        return False
    controls = len(CONTROL_CHARACTER.findall(text, 0, 65536))
    return controls / min(len(text), 65536) > MAX_CONTROL_SHARE


def load_document(path: str, doc_id: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one input file; raises LoadError with a code and a plain message."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise LoadError("not_found", "no such file") from None
    except OSError as err:
        raise LoadError("unreadable", f"cannot read: {err.strerror or err}") from None
    if p.is_dir():
        raise LoadError("unreadable", "is a folder, not a file")
    if size > max_bytes:
        raise LoadError("too_large", f"{size} bytes is over the {max_bytes}-byte limit "
                        "(raise it with --max-bytes)")
    try:
        data = p.read_bytes()
    except OSError as err:
        raise LoadError("unreadable", f"cannot read: {err.strerror or err}") from None
    text, encoding = decode(data)
    if looks_binary(text):
        raise LoadError("binary", "mostly control characters: not a text file")
    from_html = is_html_path(path)
    if from_html:
        try:
            text = html_to_text(text)
        except Exception as err:  # the HTML parser's own exceptions vary by version
            raise LoadError("bad_html", f"cannot read the HTML: {err}") from None
    if not text.strip():
        raise LoadError("empty", "the file is empty or holds only whitespace"
                        + (" once its markup is removed" if from_html else ""))
    return Document(path=path, doc_id=doc_id, text=text,
                    sha256=hashlib.sha256(data).hexdigest(), encoding=encoding,
                    raw_bytes=size, from_html=from_html)
