"""Tests for geo.sentences.split_sentences."""

from __future__ import annotations

import pytest

from geo.sentences import split_sentences


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
        ("It was not a withdrawal... They are shifting.", ["It was not a withdrawal...",
                                                          "They are shifting."]),
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
