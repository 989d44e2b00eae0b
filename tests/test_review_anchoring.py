"""Review decisions anchored to items and re-attached after re-extraction or a changed page."""
import pytest

from pipeline.records import Agency, Arrest, DateItem, Extractor, Record, Source, Span, Tactic, Title
from pipeline.review.anchoring import context_of, relocate, resolve, text_sha256
from pipeline.review.fields import BadValue, added, coerce_value, corrected, items_of
from pipeline.review.store import apply_to_record

TEXT = ("Erie, PA\r\n\r\nTactics Used\r\n\r\nReverse Stings\r\n\r\n"
        "In June 2019 police arrested 12 men in a reverse sting \U0001F694. The Erie Police Department "
        "said \u201cmore to come\u201d. In 2020, 7 men were arrested and 12 more were warned.\r\n")


def sp(text, needle, nth=0):
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return Span(start=at, end=at + len(needle), text=needle)


def record_for(text, arrests=((12, 0), (7, 0)), dates=("2019-06", "2020")):
    needles = {"2019-06": "June 2019", "2020": "2020"}
    return Record(
        doc_id="erie-pa", source=Source(path="erie-pa.txt", sha256="0" * 64, chars=len(text)),
        extractor=Extractor(version="t", rules="t"),
        title=Title(value="Erie, PA", span=sp(text, "Erie, PA")),
        tactics=[Tactic(label="Reverse Stings", listed=True, span=sp(text, "Reverse Stings"), confidence=0.9)],
        arrests=[Arrest(count=c, span=sp(text, str(c), nth), confidence=0.6) for c, nth in arrests],
        dates=[DateItem(value=v, span=sp(text, needles[v])) for v in dates],
        agencies=[Agency(name="Erie Police Department", kind="police",
                         mentions=[sp(text, "Erie Police Department")], confidence=0.8)],
    ).model_dump(mode="json")


def decision(record, text, field, index, action, value=None, id_=1, reviewer="ann", span=None, key=None):
    items = [i for i in items_of(record) if i.field == field]
    item = items[index] if index is not None else None
    span = span or (item.span if item else None)
    before, after = context_of(text, span)
    return {"id": id_, "doc_id": record["doc_id"], "text_sha256": text_sha256(text), "text_chars": len(text),
            "field": field, "item_index": index, "key": key or item.key, "span": span, "before": before,
            "after": after, "action": action, "value": value, "snapshot": item.data if item else None,
            "note": None, "reviewer": reviewer, "at": f"2026-01-01T00:00:0{id_}"}


def test_relocate_same_text_keeps_offsets():
    record = record_for(TEXT)
    d = decision(record, TEXT, "arrests", 0, "accept")
    assert relocate(d, TEXT, text_sha256(TEXT)) == (d["span"]["start"], d["span"]["end"])


def test_relocate_finds_the_span_after_text_was_inserted_before_it():
    record = record_for(TEXT)
    d = decision(record, TEXT, "arrests", 1, "accept")  # the "7"
    new = "UPDATED 2024: page moved.\n" + TEXT
    start, end = relocate(d, new, text_sha256(new))
    assert new[start:end] == "7" and start == d["span"]["start"] + len("UPDATED 2024: page moved.\n")


def test_relocate_picks_the_occurrence_whose_context_agrees():
    record = record_for(TEXT)
    d = decision(record, TEXT, "arrests", 0, "accept")  # the first "12": "arrested 12 men"
    # the page now has another "12" earlier in a different context
    new = TEXT.replace("Reverse Stings\r\n", "Reverse Stings\r\n12 Steps\r\n")
    start, end = relocate(d, new, text_sha256(new))
    assert new[start - len("arrested "):end + len(" men")] == "arrested 12 men"


def test_relocate_gives_none_when_the_span_text_is_gone():
    record = record_for(TEXT)
    d = decision(record, TEXT, "agencies", 0, "accept")
    new = TEXT.replace("Erie Police Department", "city police")
    assert relocate(d, new, text_sha256(new)) is None


def test_resolve_attaches_decisions_to_the_same_items_after_rerun_with_new_rules():
    record = record_for(TEXT)
    decisions = [decision(record, TEXT, "arrests", 0, "accept", id_=1),
                 decision(record, TEXT, "dates", 1, "correct", {"value": "2021"}, id_=2)]
    # new rules: the arrests come out in another order and a new date appears
    rerun = record_for(TEXT, arrests=((7, 0), (12, 0)), dates=("2020", "2019-06"))
    review = resolve(items_of(rerun), decisions, TEXT)
    twelve = next(s for s in review.of_field("arrests") if s.data["count"] == 12)
    assert twelve.status == "accepted" and twelve.index == 1
    date_2020 = next(s for s in review.of_field("dates") if s.data["value"] == "2020")
    assert date_2020.status == "corrected" and date_2020.value["value"] == "2021"
    assert not review.stale


def test_resolve_marks_decisions_stale_when_no_item_matches_and_never_drops_them():
    record = record_for(TEXT)
    decisions = [decision(record, TEXT, "arrests", 1, "reject", id_=1)]
    rerun = record_for(TEXT, arrests=((12, 0),))  # the 7 is no longer extracted
    review = resolve(items_of(rerun), decisions, TEXT)
    assert [d["id"] for d in review.stale] == [1]
    assert all(s.status == "open" for s in review.items)


def test_resolve_value_changed_by_new_rules_is_stale():
    record = record_for(TEXT)
    decisions = [decision(record, TEXT, "arrests", 0, "accept", id_=1)]
    rerun = record_for(TEXT, arrests=((7, 0),))
    rerun["arrests"][0]["span"] = record["arrests"][0]["span"]  # same place, but now it says 7
    rerun["arrests"][0]["span"]["text"] = "12"
    review = resolve(items_of(rerun), decisions, TEXT)
    assert len(review.stale) == 1


def test_resolve_a_correction_matches_an_item_that_now_has_the_corrected_value():
    record = record_for(TEXT)
    decisions = [decision(record, TEXT, "dates", 0, "correct", {"value": "2019-07"})]
    rerun = record_for(TEXT)
    rerun["dates"][0]["value"] = "2019-07"  # the extractor now agrees with the reviewer
    review = resolve(items_of(rerun), decisions, TEXT)
    assert review.of_field("dates")[0].status == "corrected" and not review.stale


def test_resolve_latest_decision_wins_and_history_keeps_both():
    record = record_for(TEXT)
    decisions = [decision(record, TEXT, "tactics", 0, "accept", id_=1, reviewer="ann"),
                 decision(record, TEXT, "tactics", 0, "reject", id_=2, reviewer="bob")]
    state = resolve(items_of(record), decisions, TEXT).of_field("tactics")[0]
    assert state.status == "rejected" and [d["reviewer"] for d in state.decisions] == ["ann", "bob"]


def test_resolve_added_item_follows_its_text_and_goes_stale_when_the_text_is_gone():
    record = record_for(TEXT)
    span = sp(TEXT, "12", 1).model_dump()  # "12 more were warned": a missed count
    add = decision(record, TEXT, "arrests", None, "add", {"count": 12}, span=span, key={"count": 12})
    review = resolve(items_of(record), [add], TEXT)
    extra = [s for s in review.of_field("arrests") if s.origin == "added"]
    assert len(extra) == 1 and extra[0].status == "added" and extra[0].index == 2
    new = "Intro line.\r\n" + TEXT
    moved = resolve(items_of(record_for(new)), [add], new)
    extra = [s for s in moved.of_field("arrests") if s.origin == "added"][0]
    assert new[extra.span["start"]:extra.span["end"]] == "12" and extra.span["start"] == span["start"] + 13
    gone = TEXT.replace("12 more were warned", "others were warned")
    assert len(resolve(items_of(record_for(gone)), [add], gone).stale) == 1


def test_resolve_add_that_the_extractor_now_finds_becomes_that_item_accepted():
    record = record_for(TEXT)
    span = sp(TEXT, "12", 1).model_dump()
    add = decision(record, TEXT, "arrests", None, "add", {"count": 12}, span=span, key={"count": 12})
    rerun = record_for(TEXT, arrests=((12, 0), (7, 0), (12, 1)))
    review = resolve(items_of(rerun), [add], TEXT)
    assert [s.status for s in review.of_field("arrests")] == ["open", "open", "accepted"]
    assert all(s.origin == "extracted" for s in review.items)


def test_decision_on_an_added_item_attaches_to_it():
    record = record_for(TEXT)
    span = sp(TEXT, "12", 1).model_dump()
    add = decision(record, TEXT, "arrests", None, "add", {"count": 12}, span=span, key={"count": 12}, id_=1)
    fix = dict(add, id=2, action="correct", value={"count": 13})
    state = [s for s in resolve(items_of(record), [add, fix], TEXT).items if s.origin == "added"][0]
    assert state.status == "added" and state.value["count"] == 13
    withdraw = dict(add, id=3, action="reject", value=None)
    state = [s for s in resolve(items_of(record), [add, fix, withdraw], TEXT).items if s.origin == "added"][0]
    assert state.status == "rejected"


def test_coerce_value_scalars_name_the_fields_key():
    assert coerce_value("arrests", "1,200") == {"count": 1200}
    assert coerce_value("dates", "199X") == {"value": "199X"}
    assert coerce_value("agencies", {"name": " Erie  PD ", "kind": "police"}) == {"name": "Erie PD", "kind": "police"}
    assert coerce_value("tactics", "John School") == {"label": "John School"}


@pytest.mark.parametrize("field,value,message", [
    ("arrests", -3, "whole number"), ("arrests", "twelve", "whole number"), ("arrests", True, "whole number"),
    ("dates", "June 2019", "EDTF"), ("tactics", "  ", "must not be empty"),
    ("agencies", {"colour": "red"}, "no editable value colour"), ("dates", None, "a value is needed"),
])
def test_coerce_value_refuses_bad_values_with_a_plain_message(field, value, message):
    with pytest.raises(BadValue, match=message):
        coerce_value(field, value)


def test_corrected_and_added_items_are_validated_by_the_record_models():
    with pytest.raises(BadValue, match="kind"):
        corrected("agencies", {"name": "X"}, {"kind": "spaceship"})
    item = added("agencies", {"name": "Erie PD"}, {"start": 0, "end": 4, "text": "Erie"})
    assert item["kind"] == "other" and item["mentions"][0]["text"] == "Erie"


def test_apply_to_record_drops_rejected_applies_corrections_and_marks_every_item():
    record = record_for(TEXT)
    span = sp(TEXT, "12", 1).model_dump()
    decisions = [decision(record, TEXT, "arrests", 0, "accept", id_=1),
                 decision(record, TEXT, "arrests", 1, "reject", id_=2),
                 decision(record, TEXT, "dates", 0, "correct", {"value": "2019-07"}, id_=3),
                 decision(record, TEXT, "arrests", None, "add", {"count": 12}, span=span, key={"count": 12}, id_=4),
                 decision(record, TEXT, "title", 0, "reject", id_=5)]
    out = apply_to_record(record, decisions, TEXT)
    assert [(a["count"], a["review"]["status"]) for a in out["arrests"]] == [(12, "accepted"), (12, "added")]
    assert out["dates"][0]["value"] == "2019-07" and out["dates"][0]["review"]["status"] == "corrected"
    assert out["dates"][1]["review"]["status"] == "open"
    assert out["title"] is None
    assert out["agencies"][0]["review"] == {"status": "open", "reviewer": None, "at": None, "note": None,
                                            "decision": None}
    assert out["review"]["stale"] == []
    for item in out["arrests"]:  # every span of the result still indexes the text
        assert TEXT[item["span"]["start"]:item["span"]["end"]] == item["span"]["text"]
