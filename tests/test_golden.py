"""Golden records: each sample page in raw/ gives exactly its checked-in record.

tests/golden/<doc_id>.json holds the record (minus `extractor`, which changes
with every rule edit). After a deliberate change, regenerate them with
`pytest tests/test_golden.py --update-golden` and review the diff.
"""
import json
from pathlib import Path

import pytest

from pipeline.load import expand_inputs

REPO = Path(__file__).resolve().parent.parent
SAMPLES = list(expand_inputs([str(REPO / "raw")]))
GOLDEN = REPO / "tests" / "golden"
VOLATILE = ("extractor",)


def golden_view(record: dict) -> dict:
    view = {k: v for k, v in record.items() if k not in VOLATILE}
    view["source"] = dict(view["source"], path=Path(view["source"]["path"]).relative_to(REPO).as_posix())
    return view


@pytest.mark.parametrize("name", [Path(p).name for p in SAMPLES])
def test_record_matches_golden(sample_outcomes, name, update_golden):
    outcome = sample_outcomes[name]
    assert outcome.error is None, outcome.error
    view = golden_view(outcome.record.model_dump(mode="json"))
    golden = GOLDEN / f"{view['doc_id']}.json"
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(view, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run pytest --update-golden"
    assert view == json.loads(golden.read_text(encoding="utf-8"))


def test_readme_record_is_real_output(sample_outcomes):
    """The record the README shows is what the pipeline gives for that page today."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## One record", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    shown = json.loads(block)
    outcome = sample_outcomes[Path(shown["source"]["path"]).name]
    actual = outcome.record.model_dump(mode="json")
    actual["source"]["path"] = shown["source"]["path"]
    assert {k: v for k, v in shown.items() if k not in VOLATILE} == \
        {k: v for k, v in actual.items() if k not in VOLATILE}
