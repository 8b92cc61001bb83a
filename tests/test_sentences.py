"""Tests for geo.sentences.split_sentences."""

from __future__ import annotations

import random
from types import ModuleType

import pytest

from geo import sentences
from geo.sentences import split_sentences
from tests.compiled import load_plain, sample_texts, skip_unless_compiled


def _split(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A retired U.S. lieutenant general spoke. Then he left.",
            ["A retired U.S. lieutenant general spoke.", "Then he left."],
        ),
        (
            "U.S. President Joe Biden called. Gov. Kim and Lt. Gen. Hertling agreed.",
            ["U.S. President Joe Biden called.", "Gov. Kim and Lt. Gen. Hertling agreed."],
        ),
        ("Mr. Putin and Mrs. Smith met Dr. Jones.", ["Mr. Putin and Mrs. Smith met Dr. Jones."]),
        (
            "Aid went to the U.N. The agency thanked donors.",
            ["Aid went to the U.N.", "The agency thanked donors."],
        ),
        (
            "More than 3.9 million fled. Some 400,000 lived there.",
            ["More than 3.9 million fled.", "Some 400,000 lived there."],
        ),
        (
            '"We are eight people." He said so. "Stop!" she cried. Why? Nobody knew.',
            ['"We are eight people."', "He said so.", '"Stop!" she cried.', "Why?", "Nobody knew."],
        ),
        (
            '"It is a redeployment, not a withdrawal," the official said.',
            ['"It is a redeployment, not a withdrawal," the official said.'],
        ),
        (
            "“It’s deliberate.” The mayor spoke in 2014. 12 people died.",
            ["“It’s deliberate.”", "The mayor spoke in 2014.", "12 people died."],
        ),
        (
            "Guarantors (France, Germany etc.) would act. Talks went on.",
            ["Guarantors (France, Germany etc.) would act.", "Talks went on."],
        ),
        (
            "It was not a withdrawal... They are shifting.",
            ["It was not a withdrawal...", "They are shifting."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_paragraphs_headlines_and_wrapped_lines() -> None:
    text = (
        "PROPOSALS\n"
        "Negotiators met in Istanbul\n"
        "on Tuesday. They talked.\n\n\n"
        "Donbas region\r\n"
        "The fate of the region was set aside"
    )
    assert _split(text) == [
        "PROPOSALS",
        "Negotiators met in Istanbul\non Tuesday.",
        "They talked.",
        "Donbas region",
        "The fate of the region was set aside",
    ]


def test_spans_are_trimmed_ordered_and_cover_all_text() -> None:
    text = "  First one.   Second one!\n\n  Third, with a date: March 29.  "
    spans = split_sentences(text)
    assert spans == sorted(spans)
    covered = set()
    for start, end in spans:
        assert text[start:end] == text[start:end].strip() != ""
        covered.update(range(start, end))
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
    assert len(spans) == 3


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \r\n"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


_TRICKY_TEXTS = (
    "Mr\r\n. Smith left.\r\rU.S. The talks\x85began.\u2028No. 5 \u2029won…  Then?!) Yes.",
    '  He said "No."  \n\n  the U.S.  President came.\tJ. Smith (U.N.) A. B.  e.g. Some',
    "Lt.\nGen. Kim\nwent home\nand slept. «Why?» ‘Fine.’ 3.9. 4... (5.) ",
    "İstanbul ıs. ſo. Ｔｈｅ end.\x0bNext\x1cline.\f\nDone",
)
"""Texts with every kind of line break, terminal, closer and opener the rules treat."""


def _random_texts(count: int) -> list[str]:
    """Short texts drawn from the characters and words the rules look at."""
    pieces = [*"aB .!?…:;\"'”’»)]“‘«([\n\r\x85\u2028\u2029\t\x0bı", "Mr.", "U.S.", " The", "..."]
    pieces += [" the", "\r\n", "\n\n", " e.g.", "  ", "J.", "3.9", "Gen."]
    rng = random.Random(20260509)
    return ["".join(rng.choices(pieces, k=rng.randint(0, 30))) for _ in range(count)]


@pytest.fixture(scope="module")
def plain_sentences() -> ModuleType:
    return load_plain(sentences)


def test_compiled_sentences_match_plain_python(plain_sentences: ModuleType) -> None:
    """Compiled, the text is split exactly where the plain source splits it."""
    skip_unless_compiled(sentences)
    texts = [*sample_texts(), *_TRICKY_TEXTS, *_random_texts(20_000)]
    for text in texts:
        assert split_sentences(text) == plain_sentences.split_sentences(text), repr(text[:200])
