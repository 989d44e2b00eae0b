import pytest

from pipeline.numbers import parse_digits, parse_number


@pytest.mark.parametrize("text, value", [
    ("9", 9), ("1,200", 1200), ("40576", 40576), ("114,000", 114000),
    ("seven", 7), ("Thirty-Nine", 39), ("thirty nine", 39), ("a dozen", 12), ("two dozen", 24),
    ("one hundred and twelve", 112), ("1.2 million", 1_200_000), ("2.2 million", 2_200_000),
    ("half a million", 500_000), ("forty thousand", 40_000), ("Six", 6),
])
def test_parse_number_reads_digits_words_and_scales(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "many", "1,20", "12.5", "seven men", "dozens"])
def test_parse_number_rejects_what_is_not_a_number(text):
    assert parse_number(text) is None


def test_parse_digits_only_reads_grouped_or_plain_digits():
    assert parse_digits("1,234,567") == 1234567
    assert parse_digits("1.5") is None


@pytest.mark.parametrize("text", ["²", "two ²", "½", "٣ dozen x"])
def test_parse_number_ignores_digit_like_symbols(text):
    assert parse_number(text) is None
