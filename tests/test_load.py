import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.load import DocIds, LoadError, decode, expand_inputs, load_document, slug


def write(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_utf8_bom_is_removed_and_offsets_start_after_it(tmp_path):
    path = write(tmp_path, "a.txt", b"\xef\xbb\xbfFitchburg, MA\n")
    doc = load_document(path, "a")
    assert doc.text == "Fitchburg, MA\n"
    assert doc.encoding == "utf-8"


def test_crlf_and_nbsp_are_kept_as_they_are(tmp_path):
    path = write(tmp_path, "a.txt", "A\r\nB\u00a0C".encode())
    assert load_document(path, "a").text == "A\r\nB\u00a0C"


def test_latin1_file_is_decoded_with_its_detected_encoding(tmp_path):
    path = write(tmp_path, "a.txt", "Caf\u00e9 in Montr\u00e9al \u2013 the police".encode("cp1252") * 20)
    doc = load_document(path, "a")
    assert "Caf\u00e9" in doc.text and doc.encoding != "utf-8"


def test_utf16_with_bom_is_decoded(tmp_path):
    path = write(tmp_path, "a.txt", "\ufeffHouston, TX\nPolice".encode("utf-16"))
    doc = load_document(path, "a")
    assert doc.text == "Houston, TX\nPolice" and doc.encoding == "utf-16"


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"  \n\t\r\n ", "empty"),
    (b"text\x00with nul", "binary"),
    (bytes(range(256)) * 4, "binary"),
])
def test_bad_files_raise_a_load_error_with_a_code(tmp_path, data, code):
    path = write(tmp_path, "bad.txt", data)
    with pytest.raises(LoadError) as err:
        load_document(path, "bad")
    assert err.value.code == code and err.value.message


def test_file_over_the_size_limit_is_too_large(tmp_path):
    path = write(tmp_path, "big.txt", b"x" * 2000)
    with pytest.raises(LoadError) as err:
        load_document(path, "big", max_bytes=1000)
    assert err.value.code == "too_large" and "--max-bytes" in err.value.message


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(LoadError) as err:
        load_document(str(tmp_path / "nope.txt"), "nope")
    assert err.value.code == "not_found"


def test_doc_ids_are_slugs_and_unique():
    ids = DocIds()
    assert ids("raw/Fitchburg, MA.txt") == "fitchburg-ma"
    assert ids("other/fitchburg-ma.txt") == "fitchburg-ma-2"
    assert slug("Ünïcode page!.html") == "unicode-page-html"


def test_folders_are_walked_sorted_and_keep_the_given_prefix(tmp_path):
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.html").write_text("a")
    (tmp_path / "skip.pdf").write_text("c")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.htm").write_text("c")
    found = list(expand_inputs([str(tmp_path)]))
    assert found == [str(tmp_path / "a.html"), str(tmp_path / "b.txt"), str(tmp_path / "sub" / "c.htm")]


def test_decode_prefers_utf8():
    assert decode("naïve “quotes”".encode()) == ("naïve “quotes”", "utf-8")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(max_codepoint=0x2FF), max_size=60))
def test_control_characters_are_unicodes_cc_less_the_whitespace_ones(text):
    from pipeline.load import CONTROL_CHARACTER

    expected = [ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v"]
    assert CONTROL_CHARACTER.findall(text) == expected
