"""Tests for geo.figures.extract_figures: kinds, qualifiers, attribution, hedges, distractors."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import figures, numbers
from geo._errors import InputError
from geo.figures import FIGURE_PARSERS, STRATEGY, extract_figures
from geo.sentences import split_sentences
from geo.types import Figure
from tests.compiled import load_plain, sample_texts, skip_unless_compiled

DATA = Path(__file__).parent / "data"
SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"

Row = tuple[str, int | None, int | None, int | None, str, str, str]


def _rows(text: str) -> list[Row]:
    return [
        (f.kind, f.low, f.best, f.high, f.qualifier, f.victims, f.text)
        for f in extract_figures(text)
    ]


def _check(figure: Figure, text: str) -> None:
    """Invariants every figure must satisfy."""
    assert text[figure.start : figure.end] == figure.text
    assert figure.sentence_start <= figure.start < figure.end <= figure.sentence_end
    values = [v for v in (figure.low, figure.best, figure.high) if v is not None]
    assert values == sorted(values)
    sentence = text[figure.sentence_start : figure.sentence_end]
    assert figure.attribution is None or figure.attribution in sentence
    assert figure.hedge is None or figure.hedge in sentence
    assert figure.strategy == STRATEGY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kinds, both word orders
        (
            "Russian shelling killed 12 people in Kharkiv.",
            [("killed", 12, 12, 12, "exact", "people", "killed 12 people")],
        ),
        (
            "12 people were killed and 33 were wounded.",
            [
                ("killed", 12, 12, 12, "exact", "people", "12 people were killed"),
                ("injured", 33, 33, 33, "exact", "people", "33 were wounded"),
            ],
        ),
        (
            "Shelling in Kharkiv: 12 killed and 33 injured.",
            [
                ("killed", 12, 12, 12, "exact", "people", "12 killed"),
                ("injured", 33, 33, 33, "exact", "people", "33 injured"),
            ],
        ),
        (
            "The attack left 12 dead and 30 wounded.",
            [
                ("killed", 12, 12, 12, "exact", "people", "12 dead"),
                ("injured", 30, 30, 30, "exact", "people", "30 wounded"),
            ],
        ),
        (
            "The strike hit a market, killing at least seven, with 22 wounded.",
            [
                ("killed", 7, 7, None, "at_least", "people", "killing at least seven"),
                ("injured", 22, 22, 22, "exact", "people", "22 wounded"),
            ],
        ),
        (
            "The death toll rose to 12.",
            [("killed", 12, 12, 12, "exact", "people", "death toll rose to 12")],
        ),
        (
            "The death toll from the strike has risen to at least 20.",
            [
                (
                    "killed",
                    20,
                    20,
                    None,
                    "at_least",
                    "people",
                    "death toll from the strike has risen to at least 20",
                )
            ],
        ),
        (
            "The number of dead is 12.",
            [("killed", 12, 12, 12, "exact", "people", "number of dead is 12")],
        ),
        (
            "At least 5,000 people have died since the siege began.",
            [("killed", 5000, 5000, None, "at_least", "people", "At least 5,000 people have died")],
        ),
        (
            "Rescuers recovered the bodies of 50 people.",
            [("killed", 50, 50, 50, "exact", "people", "bodies of 50 people")],
        ),
        (
            "Investigators counted 40 bodies and 300 graves.",
            [
                ("killed", 40, 40, 40, "exact", "people", "40 bodies"),
                ("killed", 300, 300, 300, "exact", "people", "300 graves"),
            ],
        ),
        (
            "About 100 people lost their lives.",
            [
                (
                    "killed",
                    100,
                    100,
                    100,
                    "approximate",
                    "people",
                    "About 100 people lost their lives",
                )
            ],
        ),
        (
            "There could be thousands of deaths.",
            [("killed", 1000, 1000, None, "vague", "people", "thousands of deaths")],
        ),
        (
            "More than 300 people sought medical help and 40 were hospitalised.",
            [
                (
                    "injured",
                    300,
                    300,
                    None,
                    "at_least",
                    "people",
                    "More than 300 people sought medical help",
                ),
                ("injured", 40, 40, None, "at_least", "people", "40 were hospitalised"),
            ],
        ),
        (
            "Fewer than 10 people were hurt.",
            [("injured", None, 10, 10, "at_most", "people", "Fewer than 10 people were hurt")],
        ),
        (
            "Between 20 and 25 people are missing.",
            [("missing", 20, None, 25, "range", "people", "Between 20 and 25 people are missing")],
        ),
        (
            "Some 20-25 residents remain unaccounted for.",
            [
                (
                    "missing",
                    20,
                    None,
                    25,
                    "range",
                    "residents",
                    "Some 20-25 residents remain unaccounted for",
                )
            ],
        ),
        (
            "Hundreds of people fled the town.",
            [("displaced", 100, 100, None, "vague", "people", "Hundreds of people fled")],
        ),
        (
            "Close to 2,000 people were evacuated from Sumy.",
            [
                (
                    "displaced",
                    2000,
                    2000,
                    2000,
                    "approximate",
                    "people",
                    "Close to 2,000 people were evacuated",
                )
            ],
        ),
        (
            "Almost 4 million refugees have crossed into Poland.",
            [
                (
                    "displaced",
                    None,
                    4_000_000,
                    4_000_000,
                    "at_most",
                    "refugees",
                    "Almost 4 million refugees",
                )
            ],
        ),
        (
            "Over 3.9 million people fleeing the country and millions more displaced at home.",
            [
                (
                    "displaced",
                    3_900_000,
                    3_900_000,
                    None,
                    "at_least",
                    "people",
                    "Over 3.9 million people fleeing",
                ),
                (
                    "displaced",
                    1_000_000,
                    1_000_000,
                    None,
                    "vague",
                    "people",
                    "millions more displaced",
                ),
            ],
        ),
        (
            "Up to 400 civilians are trapped in the theatre basement.",
            [
                (
                    "trapped",
                    None,
                    400,
                    400,
                    "at_most",
                    "civilians",
                    "Up to 400 civilians are trapped",
                )
            ],
        ),
        (
            "Tens of thousands of civilians in the port city of Mariupol remain trapped.",
            [
                (
                    "trapped",
                    10_000,
                    10_000,
                    None,
                    "vague",
                    "civilians",
                    "Tens of thousands of civilians in the port city of Mariupol remain trapped",
                )
            ],
        ),
        (
            "Russian forces detained 30 journalists.",
            [("held", 30, 30, 30, "exact", "journalists", "detained 30 journalists")],
        ),
        (
            "Around 1,000 prisoners of war are being held.",
            [
                (
                    "held",
                    1000,
                    1000,
                    1000,
                    "approximate",
                    "prisoners",
                    "Around 1,000 prisoners of war are being held",
                )
            ],
        ),
        (
            "Nearly a dozen soldiers were captured.",
            [
                (
                    "held",
                    None,
                    12,
                    12,
                    "at_most",
                    "soldiers",
                    "Nearly a dozen soldiers were captured",
                )
            ],
        ),
        (
            "An estimated 1.5m people have been affected by the blackout.",
            [
                (
                    "affected",
                    1_500_000,
                    1_500_000,
                    1_500_000,
                    "approximate",
                    "people",
                    "An estimated 1.5m people have been affected",
                )
            ],
        ),
        (
            "Some 130,000 residents are without heating.",
            [
                (
                    "affected",
                    130_000,
                    130_000,
                    130_000,
                    "approximate",
                    "residents",
                    "Some 130,000 residents are without heating",
                )
            ],
        ),
        # numbers in words
        (
            "Twenty-three people were injured and two hundred were evacuated.",
            [
                ("injured", 23, 23, 23, "exact", "people", "Twenty-three people were injured"),
                ("displaced", 200, 200, 200, "exact", "people", "two hundred were evacuated"),
            ],
        ),
        (
            "Dozens of civilians were killed.",
            [("killed", 12, 12, None, "vague", "civilians", "Dozens of civilians were killed")],
        ),
        # an aside, and a count joined to the one before it
        (
            "Nearly 5,000 people, including about 200 children, have been killed.",
            [
                (
                    "killed",
                    None,
                    5000,
                    5000,
                    "at_most",
                    "people",
                    "Nearly 5,000 people, including about 200 children, have been killed",
                ),
                (
                    "killed",
                    200,
                    200,
                    200,
                    "approximate",
                    "children",
                    "about 200 children, have been killed",
                ),
            ],
        ),
        (
            "Missiles killed 12 civilians and three soldiers.",
            [
                ("killed", 12, 12, 12, "exact", "civilians", "killed 12 civilians"),
                ("killed", 3, 3, 3, "exact", "soldiers", "three soldiers"),
            ],
        ),
        (
            "At least 12 people were killed and 33 injured.",
            [
                ("killed", 12, 12, None, "at_least", "people", "At least 12 people were killed"),
                ("injured", 33, 33, None, "at_least", "people", "33 injured"),
            ],
        ),
        (
            "The military said it had killed over 1,000 Russian troops.",
            [
                (
                    "killed",
                    1000,
                    1000,
                    None,
                    "at_least",
                    "soldiers",
                    "killed over 1,000 Russian troops",
                )
            ],
        ),
    ],
)
def test_extract_figures(text: str, expected: list[Row]) -> None:
    assert _rows(text) == expected
    for figure in extract_figures(text):
        _check(figure, text)


@pytest.mark.parametrize(
    "text",
    [
        # combined casualty counts have no kind of their own
        "Thousands of people have been killed or injured.",
        "Thousands have been killed and injured.",
        "The shelling ended up killing or injuring 30.",
        # populations, crowds
        "Mariupol numbered some 400,000 people before the war.",
        "Before the war the city had about 400,000 residents.",
        "A city of 400,000 and a town of 20,000 were shelled.",
        "Kyiv is home to 3 million people.",
        "Its pre-war population of 1.5 million people was killed off by nothing.",
        "A crowd of 5,000 gathered in the square.",
        # distances, areas, money
        "Troops advanced 20 km, then 15 miles, across 1,200 square kilometres.",
        "The US pledged $500 million, or 500 million dollars, and the EU €2bn.",
        "Allies discussed up to $500 million in aid; 40% of it was spent.",
        # dates, times, durations, ages, storeys
        "On March 29, 2014 at 10:30 on the 15th the talks began for 30 days.",
        "Talks on 29 March proposed a 15-year consultation period.",
        "A 10-year-old boy watched the nine-story building and a five-storey block burn.",
        "Rescuers searched the rubble for two weeks.",
        # counts of things, ordinals, labels
        "Russia fired 30 missiles and 12 drones, destroying 5 tanks and two buses.",
        "Three humanitarian corridors opened and 12 Russian tanks were captured.",
        "It was the first strike, the second round of talks, under Article 5.",
        "The worst attack since World War Two killed nobody.",
        "Two MiG-29 jets were destroyed.",
        # absurd values
        "Some 500,000,000,000 people were killed.",
        "Six of us share one flat. We have a sack of flour.",
    ],
)
def test_not_a_casualty_figure(text: str) -> None:
    assert extract_figures(text) == []


def test_year_before_people_is_a_count() -> None:
    assert _rows("Some 2000 people were killed in 2014.") == [
        ("killed", 2000, 2000, 2000, "approximate", "people", "Some 2000 people were killed")
    ]


@pytest.mark.parametrize(
    ("text", "attribution"),
    [
        ("Russian shelling killed 12 people, officials said.", "officials said"),
        ("At least 5,000 people have died, according to the UN.", "according to the UN"),
        (
            "Nearly 5,000 people have died, according to figures from the mayor which could "
            "not be checked.",
            "according to figures from the mayor",
        ),
        ("Zelenskiy said seven people were killed.", "Zelenskiy said"),
        (
            "Between 20 and 25 people are missing, the city council said, citing eyewitnesses.",
            "the city council said, citing eyewitnesses",
        ),
        ("The mayor told the BBC that about 90 people had been killed.", "The mayor told the BBC"),
        ("The mayor told Reuters about 90 people had been killed.", "The mayor told Reuters"),
        (
            "In Chernihiv, which Russia said it would spare, Mayor Vladyslav Atroshenko said "
            "at least 350 civilians had died.",
            "Mayor Vladyslav Atroshenko said",
        ),
        ('"At least 20 people died," said Kim.', "said Kim"),
        ("Nearly a dozen soldiers were captured, Moscow claimed.", "Moscow claimed"),
        ("Nearly four million people have fled Ukraine, UN figures show.", "UN figures show"),
        ("Seven people were killed.", None),
    ],
)
def test_attribution(text: str, attribution: str | None) -> None:
    figures = extract_figures(text)
    assert figures
    assert figures[0].attribution == attribution


@pytest.mark.parametrize(
    ("text", "hedge"),
    [
        ("Nearly 5,000 have died, which cannot be verified.", "which cannot be verified"),
        (
            "Some 70 people died, a figure that could not be independently verified.",
            "that could not be independently verified",
        ),
        (
            "Twenty people were injured; Reuters could not verify the figure.",
            "Reuters could not verify",
        ),
        ("Unconfirmed reports said 200 people were trapped.", "Unconfirmed"),
        ("Dozens of civilians were reportedly killed.", "reportedly"),
        ("Seven were killed, allegedly by Russian troops.", "allegedly"),
        ("Russia claimed it killed 300 soldiers.", "claimed"),
        ("Thousands of civilians may have died.", "may have"),
        ("Seven people were killed.", None),
    ],
)
def test_hedge(text: str, hedge: str | None) -> None:
    figures = extract_figures(text)
    assert figures
    assert figures[0].hedge == hedge


def test_offsets_and_sentences_in_a_longer_text() -> None:
    text = (
        "KYIV, March 29 - Gov. Kim said 7 people died.\n\n"
        "Mr. Putin spoke. Later, officials said 22 were hurt and 3 missing.\n"
    )
    figures = extract_figures(text)
    assert [(f.kind, f.best) for f in figures] == [("killed", 7), ("injured", 22), ("missing", 3)]
    for figure in figures:
        _check(figure, text)
    assert text[figures[0].sentence_start : figures[0].sentence_end] == (
        "KYIV, March 29 - Gov. Kim said 7 people died."
    )
    assert figures[1].attribution == "officials said"
    assert figures[1].sentence_start == figures[2].sentence_start
    assert [f.start for f in figures] == sorted(f.start for f in figures)


def test_given_sentences_are_used() -> None:
    text = "12 people were killed. 33 people were injured."
    spans = split_sentences(text)
    assert extract_figures(text, sentences=spans) == extract_figures(text)
    only_second = extract_figures(text, sentences=[spans[1]])
    assert [(f.kind, f.best) for f in only_second] == [("injured", 33)]
    assert extract_figures(text, sentences=[]) == []


def test_bad_sentences_are_reported_together() -> None:
    with pytest.raises(InputError, match=r"2 bad sentence span\(s\).*\(5, 500\).*\(-1, 2\)"):
        extract_figures("12 killed.", sentences=[(0, 10), (5, 500), (-1, 2)])


def test_max_count() -> None:
    text = "Nearly four million people have fled."
    assert extract_figures(text, max_count=1_000_000) == []
    assert len(extract_figures(text)) == 1


def test_registry() -> None:
    assert FIGURE_PARSERS[STRATEGY] is extract_figures
    assert STRATEGY == "figures.rules.v1"
    assert all(f.strategy == STRATEGY for f in FIGURE_PARSERS[STRATEGY]("12 killed."))


def test_large_tricky_text_runs() -> None:
    """About 1 MB of repeated tricky phrases, some with no sentence ends at all, finishes."""
    chunk = (
        "nearly 5,000 people, including about 200 children, have been killed, according to "
        "numbers from the council which cannot be verified; a city of 400,000, $500 million, "
        "the nine-story building, tens of thousands of civilians in the city remain trapped, "
        "between 20 and 25 killed or injured, twenty-three twenty-three one two three "
        "1,2,3,4,5 3.9-million Mr. U.S. said said said according to "
    )
    text = chunk * (1_000_000 // len(chunk))
    figures = extract_figures(text)
    assert len(figures) >= 3 * (1_000_000 // len(chunk))
    digits = "9" * 200_000 + " people were killed. " + "1" * 20 + " killed."
    assert extract_figures(digits) == []


def _fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_fixture_mariupol() -> None:
    text = _fixture("figures_mariupol.txt")
    figures = extract_figures(text)
    assert [(f.kind, f.qualifier, f.best, f.victims) for f in figures] == [
        ("killed", "approximate", 5000, "residents"),
        ("trapped", "vague", 10_000, "civilians"),
        ("killed", "approximate", 210, "children"),
    ]
    assert figures[0].attribution == "the city's mayor said"
    assert figures[0].hedge == "that could not be independently verified"
    assert figures[1].attribution == "U.S. officials say"
    assert figures[2].attribution == "Mr. Boychenko told local television"
    assert all(400_000 not in (f.low, f.best, f.high) for f in figures)


def test_fixture_mykolaiv() -> None:
    figures = extract_figures(_fixture("figures_mykolaiv.txt"))
    assert [(f.kind, f.best, f.attribution) for f in figures] == [
        ("killed", 12, "local officials said"),
        ("injured", 33, "local officials said"),
        ("killed", 7, "President Zelenskiy said"),
        ("injured", 22, "President Zelenskiy said"),
    ]


def test_fixture_chernihiv() -> None:
    figures = extract_figures(_fixture("figures_chernihiv.txt"))
    assert [(f.kind, f.qualifier, f.low, f.best, f.high, f.attribution) for f in figures] == [
        ("killed", "at_least", 350, 350, None, "the mayor said"),
        ("killed", "at_most", None, 400, 400, "officials elsewhere said"),
        ("displaced", "at_most", None, 4_000_000, 4_000_000, "UN figures showed"),
    ]


@pytest.mark.shared
def test_seeds() -> None:
    """The five seed reports of 29-30 March 2022: the figures we know are there, and no others."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
    if not texts:
        pytest.skip(f"no seed articles in {SEEDS}")
    found = {name: extract_figures(text) for name, text in texts.items()}
    everything = [(name, f) for name, figures in found.items() for f in figures]
    for name, figure in everything:
        _check(figure, texts[name])

    def has(kind: str, best: int, qualifier: str, attribution: str | None = None) -> list[str]:
        return [
            name
            for name, f in everything
            if f.kind == kind
            and f.best == best
            and f.qualifier == qualifier
            and (attribution is None or (f.attribution and re.search(attribution, f.attribution)))
        ]

    mariupol = has("killed", 5000, "at_most")
    assert len(mariupol) >= 3, mariupol
    unverified = [f for _, f in everything if f.best == 5000 and f.hedge]
    assert len(unverified) >= 2
    assert all("verified" in (f.hedge or "") for f in unverified)
    assert any(
        re.search("mayor|Mayor", f.attribution or "") for _, f in everything if f.best == 5000
    )
    assert has("killed", 12, "at_least", "Authorities said")
    assert has("injured", 33, "at_least", "Authorities said")
    assert has("killed", 7, "exact", "Zelenskiy said")
    assert has("injured", 22, "exact", "Zelenskiy said")
    assert has("killed", 350, "at_least", "Mayor")
    assert has("killed", 400, "at_most", "officials")
    assert has("displaced", 4_000_000, "at_most")
    for _, f in everything:
        assert {f.low, f.best, f.high} & {400_000, 500_000_000, 15, 2014} == set(), f


@pytest.mark.parametrize(
    "text",
    [
        "12 people were \u212aILLED.",  # the Kelvin sign lower-cases to "k"
        "“Killed” were 12 civilians; 3 (wounded) and 4\u2003injured.",
        "At least twelve—killed, 7 DEAD, the toll rose to 9.",
        "Ten people were \u212ailled in Kyiv, which could not be independently verified.",
        "İn Kyiv 12 people were killed, which could not be conf\u0131rmed.",
        "Dozens of people, among them 12 children, have died, officials may have said.",
    ],
)
def test_sentence_filter_never_changes_figures(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    filtered = extract_figures(text)
    monkeypatch.setattr("geo.figures._sentence_flags", lambda *_: -1)  # no skipping, all words
    # The hedge pattern runs always, whole, over the whole sentence.
    monkeypatch.setattr("geo.figures._HEDGE_WORDS", (b"",))
    monkeypatch.setattr("geo.figures._HEDGE_NEEDS", (((b"",),),) * 5)
    assert extract_figures(text) == filtered
    assert any(f.kind in {"killed", "injured"} for f in filtered)


@pytest.fixture(scope="module")
def plain_figures() -> ModuleType:
    """``geo/figures.py`` loaded again as plain Python, reading numbers with plain Python too."""
    compiled_numbers = sys.modules["geo.numbers"]
    sys.modules["geo.numbers"] = load_plain(numbers)
    try:
        return load_plain(figures)
    finally:
        sys.modules["geo.numbers"] = compiled_numbers


def test_compiled_figures_match_plain_python(plain_figures: ModuleType) -> None:
    """Compiled, the rules and the sentence filter find exactly what the plain source finds."""
    skip_unless_compiled(figures, numbers)
    found = 0
    for text in [*sample_texts(), *_FOLDED_TEXTS]:
        expected = plain_figures.extract_figures(text)
        assert extract_figures(text) == expected, text[:200]
        found += len(expected)
    assert found >= 20


_FOLDED_TEXTS = (
    "12 people were \u212aILLED in \u0130zyum; 3 \u017foldiers were k\u0131llED.",
    "Ｔｗｅｌｖｅ killed; 5 ٣ injured; ½ dead, 7 wounded ‘civilians’.",
    "Nearly 5,000 have died — reportedly — and 1.5m displaced…",
)
"""Texts with the characters the sentence filter folds to ASCII letters or skips."""


def test_sentence_filter_keys_hold_every_filter_word(plain_figures: ModuleType) -> None:
    """Compiled, each filter word is read as one number: none may be longer than a key holds."""
    words = (
        plain_figures._CUE_WORDS
        | plain_figures._NUMBER_WORD_BYTES
        | set(plain_figures._PHRASE_WORDS)
        | {word for group, _ in plain_figures._HEDGE_KEY_WORDS for word in group}
    )
    assert all(word.isalpha() and word.islower() for word in words)
    assert max(map(len, words)) <= plain_figures._KEY_LETTERS
    assert len(plain_figures._FILTER_KEYS) == len(set(map(plain_figures._word_key, words)))
    for key, flags in zip(plain_figures._FILTER_KEYS, plain_figures._FILTER_FLAGS, strict=True):
        assert plain_figures._key_flags(key) == flags > 0
    assert plain_figures._key_flags(plain_figures._word_key(b"kyiv")) == 0
    # the flags, a phrase word's number and a bit for each pair fit in a signed 64-bit integer
    assert len(plain_figures._PHRASE_WORDS) < plain_figures._PHRASE_ID_MASK
    assert plain_figures._BIGRAM_SHIFT + len(plain_figures._BIGRAMS) < 63


_RULE_WORDS = (
    "at least nearly about some between and or to of the a toll death rose has risen number "
    "killed killing wounded injured died dead bodies refugees people civilians children "
    "soldiers prisoners war aid workers lost their lives taken hostage were have been were "
    "reportedly in city Mariupol , . ; : - – ( ) $ % March May 2014 10 30 12 5,000 1.5 "
    "million dozens three twenty according said told reporters officials Reuters could not "
    "verify which cannot be verified including among them year old km tanks"
).split()


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(_RULE_WORDS), min_size=1, max_size=25))
def test_compiled_rules_match_plain_python_on_generated_text(
    plain_figures: ModuleType, words: list[str]
) -> None:
    """Counts, outcomes, tolls, asides, attributions and hedges in any order: same figures."""
    skip_unless_compiled(figures, numbers)
    text = " ".join(words)
    assert extract_figures(text) == plain_figures.extract_figures(text)


def test_max_count_takes_any_number() -> None:
    """``math.inf`` lifts the cap; a fractional cap compares as a number, compiled or not."""
    import math

    text = "Officials said 120 million people were killed."
    assert extract_figures(text) == []  # over the default cap of 100 million
    assert [f.best for f in extract_figures(text, max_count=math.inf)] == [120_000_000]
    assert extract_figures("Zero people were killed.", max_count=-0.5) == []
