"""`derived`: what an extractor builds from a lexicon is built once per lexicon object."""
import pipeline.rules as rules
from pipeline.rules import derived


def test_built_once_per_owner_and_key():
    calls = []

    def build(words):
        calls.append(list(words))
        return frozenset(words)

    first, second = ["since", "beginning in"], ["since", "beginning in"]  # equal, but two objects
    assert derived(first, "test:words", build) == {"since", "beginning in"}
    assert derived(first, "test:words", build) is derived(first, "test:words", build)
    assert len(calls) == 1
    derived(second, "test:words", build)  # another lexicon object: built for it
    derived(first, "test:other", build)  # another key: built again
    assert len(calls) == 3


def test_the_memo_starts_over_when_full(monkeypatch):
    monkeypatch.setattr(rules, "DERIVED_LIMIT", 3)
    monkeypatch.setattr(rules, "_DERIVED", {})
    owners = [[n] for n in range(5)]
    for owner in owners:
        derived(owner, "test:n", lambda o: o[0] * 2)
    assert len(rules._DERIVED) <= 3
    assert [derived(o, "test:n", lambda o: o[0] * 2) for o in owners] == [0, 2, 4, 6, 8]
