"""Tests for geo.numbers: number words, digits, qualifiers and the ranges they imply."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import numbers
from geo.numbers import (
    Quantity,
    match_amount,
    match_quantity,
    number_positions,
    parse_number,
    parse_quantity,
    tokenize,
    tokenize_columns,
)
from tests.compiled import load_plain, sample_texts, skip_unless_compiled


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("5,000", 5000),
        ("400,000", 400_000),
        ("3.9 million", 3_900_000),
        ("3.9-million", 3_900_000),
        ("1.5m", 1_500_000),
        ("2bn", 2_000_000_000),
        ("4 million", 4_000_000),
        ("seven", 7),
        ("Twenty-three", 23),
        ("twenty three", 23),
        ("four million", 4_000_000),
        ("a dozen", 12),
        ("two dozen", 24),
        ("a hundred", 100),
        ("two hundred", 200),
        ("two hundred and fifty", 250),
        ("a thousand", 1000),
        ("one hundred thousand", 100_000),
        ("zero", 0),
        ("tens", 10),
        ("dozens", 12),
        ("scores", 20),
        ("hundreds", 100),
        ("thousands", 1000),
        ("millions", 1_000_000),
        ("tens of thousands", 10_000),
        ("hundreds of thousands", 100_000),
        ("several hundred", 100),
        ("a few thousand", 1000),
    ],
)
def test_parse_number(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "3.9",  # a decimal without a scale is not a count
        "1,2,3",
        "12,34",
        "1.2.3",
        "seven people",
        "nearly four million",  # qualified: parse_quantity's job
        "one two",
        "twenty eleven",
        "a",
        "hundred",
        "March 29",
        "9" * 5000,  # would exceed Python's int-string limit; must not raise
        "1" + "0" * 100,
    ],
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("12", Quantity(12, 12, 12, "exact", "12")),
        ("a total of 12", Quantity(12, 12, 12, "exact", "12")),
        ("at least 12", Quantity(12, 12, None, "at_least", "12")),
        ("more than 100", Quantity(100, 100, None, "at_least", "100")),
        ("over 100", Quantity(100, 100, None, "at_least", "100")),
        ("upwards of 60", Quantity(60, 60, None, "at_least", "60")),
        ("more than a dozen", Quantity(12, 12, None, "at_least", "a dozen")),
        ("nearly 5,000", Quantity(None, 5000, 5000, "at_most", "5,000")),
        ("nearly four million", Quantity(None, 4_000_000, 4_000_000, "at_most", "four million")),
        ("almost 4 million", Quantity(None, 4_000_000, 4_000_000, "at_most", "4 million")),
        ("up to 400", Quantity(None, 400, 400, "at_most", "400")),
        ("as many as 3,000", Quantity(None, 3000, 3000, "at_most", "3,000")),
        ("fewer than 10", Quantity(None, 10, 10, "at_most", "10")),
        ("less than 10", Quantity(None, 10, 10, "at_most", "10")),
        ("about 210", Quantity(210, 210, 210, "approximate", "210")),
        ("around 1,000", Quantity(1000, 1000, 1000, "approximate", "1,000")),
        ("some 400,000", Quantity(400_000, 400_000, 400_000, "approximate", "400,000")),
        ("roughly 70", Quantity(70, 70, 70, "approximate", "70")),
        ("close to 2,000", Quantity(2000, 2000, 2000, "approximate", "2,000")),
        ("approximately 90", Quantity(90, 90, 90, "approximate", "90")),
        ("an estimated 1.5m", Quantity(1_500_000, 1_500_000, 1_500_000, "approximate", "1.5m")),
        ("between 20 and 25", Quantity(20, None, 25, "range", "20 and 25")),
        ("from 20 to 25", Quantity(20, None, 25, "range", "20 to 25")),
        ("20 to 25", Quantity(20, None, 25, "range", "20 to 25")),
        ("20-25", Quantity(20, None, 25, "range", "20-25")),
        ("20–25", Quantity(20, None, 25, "range", "20–25")),  # an en dash
        ("two or three", Quantity(2, None, 3, "range", "two or three")),
        ("some 20-25", Quantity(20, None, 25, "range", "20-25")),
        ("3 to 4 million", Quantity(3_000_000, None, 4_000_000, "range", "3 to 4 million")),
        ("between 25 and 20", Quantity(20, None, 25, "range", "25 and 20")),
        ("between 5 and 5", Quantity(5, 5, 5, "exact", "5 and 5")),
        ("dozens of", Quantity(12, 12, None, "vague", "dozens of")),
        ("tens of thousands", Quantity(10_000, 10_000, None, "vague", "tens of thousands")),
        ("hundreds", Quantity(100, 100, None, "vague", "hundreds")),
        ("thousands", Quantity(1000, 1000, None, "vague", "thousands")),
    ],
)
def test_parse_quantity(phrase: str, expected: Quantity) -> None:
    assert parse_quantity(phrase) == expected


@pytest.mark.parametrize(
    "phrase", ["", "at least", "many people", "the first", "between 20", "12 people", "some"]
)
def test_parse_quantity_rejects(phrase: str) -> None:
    assert parse_quantity(phrase) is None


def test_match_quantity_reports_token_positions() -> None:
    tokens = tokenize("the toll rose to at least 20 people")
    found = match_quantity(tokens, 4)
    assert found is not None
    assert (found.start, found.value_start, found.end) == (4, 6, 7)
    assert [t.text for t in tokens[found.start : found.end]] == ["at", "least", "20"]
    assert match_quantity(tokens, 99) is None
    assert match_quantity(tokens, -1) is None


def test_tokenize_keeps_offsets_for_unicode() -> None:
    text = "İstanbul: 5,000 — Ωmega’s 3.9-million"
    tokens = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert "5,000" in [t.text for t in tokens]


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul: 5,000 — Ωmega’s 3.9-million people, (AP) killed; dogs' x²y 12killed",
        "don't stop 1,2,3 a_b ٣ ½ \u212aILLED\tten\xa0twenty-one",
    ],
)
def test_tokenize_span_is_tokenizing_the_slice(text: str) -> None:
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1, 3):
            expected = [
                (t.text, t.lower, t.start + start, t.end + start) for t in tokenize(text[start:end])
            ]
            assert [tuple(t) for t in tokenize(text, start, end)] == expected


def test_tokenize_words_and_punctuation_split_as_the_pattern_does() -> None:
    tokens = tokenize("killed, dogs' x²y ab1 ½ ٣ (AP) U.S.")
    assert [t.text for t in tokens] == [
        "killed", ",", "dogs", "'", "x²y", "ab", "1", "½", "٣", "(", "AP", ")",
        "U", ".", "S", ".",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        st.sampled_from(list("ab Z5,.-' \n\tİıſ\u212a3½Ж")) | st.characters(), max_size=60
    ),
    start=st.integers(0, 10),
)
def test_token_columns_are_the_tokens_as_lists(text: str, start: int) -> None:
    """The columns the figure rules read hold exactly what ``tokenize`` gives, in order."""
    start = min(start, len(text))
    tokens = tokenize(text, start)
    columns = tokenize_columns(text, start)
    assert columns.text == [t.text for t in tokens]
    assert columns.lower == [t.lower for t in tokens]
    assert columns.start == [t.start for t in tokens]
    assert columns.end == [t.end for t in tokens]
    assert all(
        text[s:e] == t for t, s, e in zip(columns.text, columns.start, columns.end, strict=True)
    )
    assert columns.lower == [t.lower() for t in columns.text]
    assert columns.start == sorted(columns.start)


def test_number_positions_marks_digits_and_number_words() -> None:
    lowers = tokenize_columns("At least 12 were killed, twenty-one hurt and 1.5 million fled").lower
    marked = [lowers[i] for i in number_positions(lowers)]
    assert marked == ["12", "twenty", "one", "1.5", "million"]  # scale words count too


@pytest.fixture(scope="module")
def plain_numbers() -> ModuleType:
    return load_plain(numbers)


def _needs_compiled() -> None:
    skip_unless_compiled(numbers)


def test_compiled_tokens_match_plain_python(plain_numbers: ModuleType) -> None:
    _needs_compiled()
    for text in sample_texts():
        columns = tokenize_columns(text)
        assert tuple(columns) == tuple(plain_numbers.tokenize_columns(text))
        assert number_positions(columns.lower) == plain_numbers.number_positions(columns.lower)


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(
        st.sampled_from(list("ab Z5,.-'’ \n\tİıſ\u212a3½²٣ЖŉǅΣ_")) | st.characters(), max_size=60
    ),
    start=st.integers(0, 10),
)
def test_compiled_token_columns_match_plain_python(
    plain_numbers: ModuleType, text: str, start: int
) -> None:
    """Any characters: the compiled scanner splits and lower-cases as the pattern does."""
    _needs_compiled()
    start = min(start, len(text))
    for end in (None, len(text), (start + len(text)) // 2):
        columns = tokenize_columns(text, start, end)
        assert tuple(columns) == tuple(plain_numbers.tokenize_columns(text, start, end))
        assert number_positions(columns.lower) == plain_numbers.number_positions(columns.lower)


def test_match_amount_is_match_quantity_flattened() -> None:
    text = "Between 20 and 25 died, nearly 5,000 fled, dozens of people and 3 to 4 million more"
    tokens = tokenize_columns(text)
    found = 0
    for i in range(-1, len(tokens.text) + 1):
        match = match_quantity(tokens, i, text=text)
        amount = match_amount(tokens, i, text)
        if match is None:
            assert amount is None
            continue
        quantity = match.quantity
        assert amount == (
            *match[:3], quantity.low, quantity.best, quantity.high, quantity.qualifier,
            quantity.value_text,
        )  # fmt: skip
        found += 1
    assert found >= 4


_AMOUNT_WORDS = (
    "a an at least more than nearly up to between and from to or some about over dozens of "
    "tens thousands several few hundred thousand million twenty one two three - – , . 3.9 "
    "5,000 1,2,3 12 1.5m 2bn mln 1900 killed people"
).split()


def _same_amounts(plain: ModuleType, text: str) -> None:
    tokens = tokenize_columns(text)
    plain_tokens = plain.tokenize_columns(text)  # plain Python's own TokenColumns
    for i in range(len(tokens.text)):
        assert match_amount(tokens, i, text) == plain.match_amount(plain_tokens, i, text)
        # Each module has its own Quantity class: compare what they hold
        assert repr(match_quantity(tokens, i)) == repr(plain.match_quantity(plain_tokens, i))
        assert numbers.match_number(tokens, i) == plain.match_number(plain_tokens, i)


def test_compiled_amounts_match_plain_python(plain_numbers: ModuleType) -> None:
    """Compiled, every token of the sample texts starts the same amount (or none)."""
    _needs_compiled()
    for text in sample_texts():
        _same_amounts(plain_numbers, text)


@settings(max_examples=500, deadline=None)
@given(words=st.lists(st.sampled_from(_AMOUNT_WORDS), max_size=8), glue=st.sampled_from([" ", ""]))
def test_compiled_amount_phrases_match_plain_python(
    plain_numbers: ModuleType, words: list[str], glue: str
) -> None:
    """Qualifiers, ranges, scales and number words in any order read the same compiled."""
    _needs_compiled()
    _same_amounts(plain_numbers, glue.join(words))


def test_large_amounts_stay_exact_integers() -> None:
    """Digits times a scale are integer arithmetic, never rounded through a float."""
    assert parse_number("999999999999999 thousand") == 999_999_999_999_999_000
    assert parse_number("3.9 million") == 3_900_000


def test_numbers_in_words_do_not_overflow() -> None:
    """A repeated scale word sums past 2**63; compiled code must not wrap around."""
    text = " ".join(["ninety nine hundred billion"] * 940_000)
    assert parse_number(text) == 940_000 * 9_900_000_000_000
