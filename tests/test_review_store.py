"""The decision store: append-only rows in SQLite (and PostgreSQL when a test server is up)."""
import os
import threading
import uuid

import pytest

from pipeline.review.anchoring import resolve
from pipeline.review.fields import items_of
from pipeline.review.store import DecisionStore, apply_decisions, db_url, load_decisions

TEXT = "Duluth, MN\n\nIn 2016 police arrested 14 men in a sting.\n"
RECORD = {
    "doc_id": "duluth-mn", "source": {"path": "duluth-mn.txt", "sha256": "0" * 64, "chars": len(TEXT)},
    "title": {"value": "Duluth, MN", "span": {"start": 0, "end": 10, "text": "Duluth, MN"}},
    "arrests": [{"count": 14, "span": {"start": TEXT.index("14"), "end": TEXT.index("14") + 2, "text": "14"},
                 "confidence": 0.7}],
    "tactics": [], "dates": [], "agencies": [], "citations": [],
}


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = DecisionStore(tmp_path / "review.sqlite")
        yield s
        s.close()
        return
    base = os.environ.get("PROFILEX_TEST_PG_URL")
    if not base:
        reason = "PROFILEX_TEST_PG_URL is not set (source .ci/setup-postgres.sh to start a test server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run")
        pytest.skip(reason)
    import sqlalchemy as sa

    name = f"profilex_review_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(db_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(db_url(base)).set(database=name).render_as_string(hide_password=False)
    s = DecisionStore(url)
    yield s
    s.close()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def decide(store, action, reviewer="ann", value=None, note=None):
    item = items_of(RECORD)[1]
    return store.add(doc_id="duluth-mn", text=TEXT, field="arrests", action=action, item_index=1, key=item.key,
                     span=item.span, value=value, snapshot=item.data, note=note, reviewer=reviewer)


def test_every_decision_is_a_new_row_with_reviewer_time_and_anchor(store):
    first = decide(store, "accept", note="ok")
    second = decide(store, "correct", reviewer="bob", value={"count": 15})
    rows = store.for_doc("duluth-mn")
    assert [r["id"] for r in rows] == [first["id"], second["id"]] and second["id"] > first["id"]
    assert rows[0]["reviewer"] == "ann" and rows[0]["note"] == "ok" and rows[0]["at"] < rows[1]["at"]
    assert rows[1]["span"] == {"start": TEXT.index("14"), "end": TEXT.index("14") + 2, "text": "14"}
    assert rows[1]["key"] == {"count": 14} and rows[1]["value"] == {"count": 15}
    assert rows[1]["before"].endswith("arrested ") and rows[1]["after"].startswith(" men")
    assert store.all() == {"duluth-mn": rows} and store.for_doc("other") == []


def test_later_reviewer_wins_and_the_history_keeps_both(store):
    decide(store, "accept", reviewer="ann")
    decide(store, "reject", reviewer="bob")
    state = resolve(items_of(RECORD), store.for_doc("duluth-mn"), TEXT).items[1]
    assert state.status == "rejected" and [d["reviewer"] for d in state.decisions] == ["ann", "bob"]


def test_concurrent_decisions_are_all_kept(store):
    errors = []

    def worker(n):
        try:
            for i in range(5):
                decide(store, "accept" if i % 2 else "reject", reviewer=f"r{n}")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(store.for_doc("duluth-mn")) == 20


def test_values_are_parameters_not_sql(store):
    decide(store, "accept", reviewer="x'); DROP TABLE review_decisions; --", note="' OR 1=1 --")
    assert store.for_doc("duluth-mn")[0]["reviewer"].startswith("x');")


def test_bad_action_or_field_is_refused(store):
    with pytest.raises(ValueError):
        decide(store, "approve")
    with pytest.raises(ValueError):
        store.add(doc_id="d", text=TEXT, field="victims", action="accept", item_index=0, key={}, span=None,
                  reviewer="ann")


def test_apply_decisions_reads_a_database_by_url_or_path(store):
    decide(store, "correct", value={"count": 15})
    out = apply_decisions([RECORD], store.url, texts={"duluth-mn": TEXT})[0]
    assert out["arrests"][0]["count"] == 15 and out["arrests"][0]["review"]["status"] == "corrected"
    assert out["title"]["review"]["status"] == "open" and RECORD["arrests"][0]["count"] == 14


def test_apply_decisions_without_the_text_reports_decisions_stale_and_keeps_items_open(store, tmp_path,
                                                                                        monkeypatch):
    decide(store, "reject")
    monkeypatch.chdir(tmp_path)  # duluth-mn.txt is not there
    out = apply_decisions([RECORD], load_decisions(store.url))[0]
    assert out["arrests"][0]["review"]["status"] == "open"
    assert out["review"]["text_found"] is False and len(out["review"]["stale"]) == 1


def test_load_decisions_of_an_empty_database_is_empty(tmp_path):
    assert load_decisions(tmp_path / "none.sqlite") == {}


def test_db_url_forms():
    assert db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert db_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert db_url("x/review.sqlite").startswith("sqlite:////") and db_url("x/review.sqlite").endswith("x/review.sqlite")
