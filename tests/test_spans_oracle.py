"""Oracle tests: every span of every record matches the document text, on
every sample page in raw/ and on odd variants of them (CRLF, BOM,
non-breaking spaces, emoji, curly quotes)."""
from pathlib import Path

import pytest

from pipeline.html_text import html_to_text
from pipeline.load import expand_inputs
from pipeline.records import check_spans, iter_spans

REPO = Path(__file__).resolve().parent.parent
SAMPLES = list(expand_inputs([str(REPO / "raw")]))


def read_text(record: dict) -> str:
    path = record["source"].get("text_path") or record["source"]["path"]
    data = Path(path).read_bytes()
    return data.decode(record["source"]["encoding"]).removeprefix("\ufeff")


@pytest.mark.parametrize("name", [Path(p).name for p in SAMPLES])
def test_every_sample_gives_a_record_whose_spans_match_its_text(sample_outcomes, name, tmp_path):
    outcome = sample_outcomes[name]
    assert outcome.error is None, outcome.error
    record = outcome.record
    text = read_text(record.model_dump())
    if name.endswith((".html", ".htm")):
        text = html_to_text(text)
    check_spans(record, text)
    assert list(iter_spans(record)), "a record without a single span"


def odd_variants(text: str) -> dict[str, str]:
    return {
        "crlf": text.replace("\n", "\r\n"),
        "bom": "\ufeff" + text,
        "nbsp": text.replace(" ", "\u00a0", 200),
        "emoji": text.replace(". ", ". 🚓👮🏽\u200d♀️ ", 30),
        "curly": text.replace("'", "\u2019").replace('"', "\u201c"),
        "straight": text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"'),
        "tabs": text.replace(" ", "\t", 50),
        "cr_only": text.replace("\n", "\r"),
    }


@pytest.mark.parametrize("name", ["fitchburg-ma.txt", "waterbury-ct.txt", "polk-county-fl-b.txt",
                                  "houston-tx.txt", "news-phoenix-jamming-johns.txt"])
def test_spans_match_on_odd_input(extract_text, name):
    text = (REPO / "raw" / name).read_text(encoding="utf-8-sig")
    for variant, odd in odd_variants(text).items():
        record = extract_text(odd)  # build_record validates every span against the text
        for span in iter_spans_dict(record):
            assert odd[span["start"]:span["end"]] == span["text"], (variant, span)


def iter_spans_dict(obj):
    if isinstance(obj, dict):
        if {"start", "end", "text"} <= obj.keys() and isinstance(obj["start"], int):
            yield obj
        for v in obj.values():
            yield from iter_spans_dict(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from iter_spans_dict(v)


def test_record_lines_are_the_json_of_the_records_dump(sample_outcomes):
    """records.jsonl is written by pydantic's serializer: the same text as json.dumps of the dump."""
    from pipeline.write import json_line, record_line

    records = [o.record for o in sample_outcomes.values() if o.record is not None]
    assert len(records) > 40
    for record in records:
        assert record_line(record) == json_line(record.model_dump(mode="json", exclude_none=False))


@pytest.mark.parametrize("path", [("title", "span"), ("dates", 0, "span"), ("tactics", -1, "evidence", 0),
                                  ("agencies", 0, "mentions", 0)])
def test_a_record_with_a_span_off_its_text_is_rejected(sample_outcomes, path):
    """The contract checks every span, however deep: a record pointing at the wrong characters never validates."""
    import pydantic

    from pipeline.records import Record

    outcome = sample_outcomes["allentown-pa.txt"]
    data = outcome.record.model_dump(mode="json")
    text = Path(outcome.path).read_text(encoding="utf-8-sig")
    Record.model_validate(data, context={"text": text})  # as written: valid
    target = data
    for key in path:
        target = target[key]
    target["text"] = target["text"] + "x"
    with pytest.raises(pydantic.ValidationError, match="does not match the document text"):
        Record.model_validate(data, context={"text": text})
