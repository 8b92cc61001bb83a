"""Property-based tests for geo.numbers, geo.sentences and geo.figures (hypothesis).

300 examples per test by default; ``pytest --hypothesis-profile=thorough`` runs 10,000
(profiles are registered in conftest.py).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.figures import extract_figures
from geo.numbers import parse_number, parse_quantity
from geo.sentences import split_sentences

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen "
_UNITS += "fourteen fifteen sixteen seventeen eighteen nineteen"
UNITS = _UNITS.split()
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

FRAGMENTS = [
    "at least 12 people were killed", "and 33 injured", "nearly 5,000", "3.9-million",
    "1.5m", "twenty-three", "a dozen", "dozens of", "tens of thousands of civilians",
    "between 20 and 25", "20-25", "two or three", "up to 400", "the death toll rose to",
    "killing at least seven", "with 22 wounded", "bodies of 50", "lost their lives",
    "according to figures from the mayor", "which cannot be verified", "Zelenskiy said",
    "the city council said, citing eyewitnesses", "Reuters could not verify", "reportedly",
    "a city of 400,000", "home to 1.5 million people", "$500 million", "€2bn", "March 29",
    "2014", "10:30", "a 15-year consultation period", "the nine-story building", "40%",
    "U.S.", "Lt. Gen.", "Mr.", "3.9", ",", ".", "!", "?", "\n", "\n\n", '"', "“", "”", "-",
    "–", "killed", "injured", "fled", "trapped", "missing", "held", "affected", "or",
    "including about 200 children,", "9" * 40, "1,000,000,000,000,000", "İ", "ǅ", "\u2028",
    "\x00", "﷽", "ß", "people", "of", "the", "toll", "number of dead is", "some", "over",
]


def _words(n: int) -> str:
    """English words for 0 <= n < 1,000,000 ("two hundred and fifty-one thousand ...")."""

    def below_thousand(k: int) -> list[str]:
        out: list[str] = []
        hundreds, rest = divmod(k, 100)
        if hundreds:
            out += [UNITS[hundreds], "hundred"]
            if rest:
                out.append("and")
        if rest >= 20:
            tens, units = divmod(rest, 10)
            out.append(TENS[tens - 2] + (f"-{UNITS[units]}" if units else ""))
        elif rest or not out:
            out.append(UNITS[rest])
        return out

    thousands, rest = divmod(n, 1000)
    if not thousands:
        return " ".join(below_thousand(rest))
    words = [*below_thousand(thousands), "thousand"]
    if rest:
        words += below_thousand(rest)
    return " ".join(words)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_digits_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=999_999))
def test_words_round_trip(n: int) -> None:
    assert parse_number(_words(n)) == n


@given(st.text())
def test_parsers_never_raise(text: str) -> None:
    number = parse_number(text)
    assert number is None or number >= 0
    quantity = parse_quantity(text)
    if quantity is not None:
        values = [v for v in (quantity.low, quantity.best, quantity.high) if v is not None]
        assert values == sorted(values)


def _check_figures(text: str) -> None:
    spans = split_sentences(text)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
    for (_, end), (following, _) in itertools.pairwise(spans):
        assert end <= following
    covered = sum(end - start for start, end in spans)
    assert covered <= len(text)
    figures = extract_figures(text)
    assert [f.start for f in figures] == sorted(f.start for f in figures)
    for f in figures:
        assert 0 <= f.sentence_start <= f.start < f.end <= f.sentence_end <= len(text)
        assert text[f.start : f.end] == f.text
        assert (f.sentence_start, f.sentence_end) in spans
        values = [v for v in (f.low, f.best, f.high) if v is not None]
        assert values
        assert values == sorted(values)
        assert all(0 <= v <= 100_000_000 for v in values)
        sentence = text[f.sentence_start : f.sentence_end]
        assert f.attribution is None or f.attribution in sentence
        assert f.hedge is None or f.hedge in sentence
        if f.qualifier == "range":
            assert f.best is None and f.low is not None and f.high is not None
        if f.qualifier in {"at_least", "vague"}:
            assert f.high is None
        if f.qualifier == "at_most":
            assert f.low is None


@given(st.text())
def test_any_text(text: str) -> None:
    _check_figures(text)


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(" ".join))
def test_tricky_text(text: str) -> None:
    _check_figures(text)


@given(
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5), st.integers().map(str)),
        max_size=30,
    ).map("".join)
)
def test_glued_text(text: str) -> None:
    _check_figures(text)


@pytest.mark.parametrize("digits", [10, 100, 10_000, 1_000_000])
def test_huge_numbers(digits: int) -> None:
    big = "7" * digits
    assert parse_number(big) is None or digits <= 15
    assert extract_figures(f"At least {big} people were killed and {big} injured.") == []
