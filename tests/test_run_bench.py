"""The benchmark's corpus: varied pages shaped like the samples, reproducible."""
import random

from pipeline.bench import build_corpus, tokenizer_floor, vary


def test_vary_redraws_numbers_and_keeps_the_layout():
    import re

    text = "Erie, PA\n\nPopulation: 95,508\n\nIn 2019 police arrested 12 men.\n"
    out = vary(text, random.Random(1), [])
    assert out != text
    assert re.sub(r"\d", "#", out) == re.sub(r"\d", "#", text)
    years = [int(y) for seed in range(40) for y in re.findall(r"\b(?:19|20)\d\d\b", vary(text, random.Random(seed), []))]
    assert len(set(years)) > 5 and all(1985 <= y <= 2025 for y in years)  # a year stays a year
    swapped = [vary("Erie and Waco and Reno", random.Random(seed), ["Boston"]) for seed in range(40)]
    assert any("Boston" in s for s in swapped) and all(s.count(" and ") == 2 for s in swapped)


def test_corpus_has_the_pages_asked_for_and_is_the_same_each_time(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Erie, PA\n\nPolice arrested 9 men in June 2018.\n")
    (raw / "b.html").write_text("<h1>Waco, TX</h1><p>Police arrested 4 men in 2019.</p>")
    first = build_corpus(raw, tmp_path / "one", 7)
    second = build_corpus(raw, tmp_path / "two", 7)
    assert len(first) == 7 and [p.suffix for p in first[:2]] == [".txt", ".html"]
    assert [p.read_text() for p in first] == [p.read_text() for p in second]
    assert first[0].read_text() == (raw / "a.txt").read_text()  # the samples themselves come first
    assert len({p.read_text() for p in first}) > 2


def test_tokenizer_floor_counts_words_not_spaces():
    import spacy

    _, _, words = tokenizer_floor(["Erie, PA\n\n  Police arrested 9 men.\n"], spacy.blank("en").tokenizer)
    assert words == 8
