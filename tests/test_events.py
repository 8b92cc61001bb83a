"""Events: the governing place, ACLED types, dates, and the pipeline on our own articles."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from geo import events
from geo.dates import dateline_day, event_date, infer_year, window
from geo.events import build_events, classify, focus_place, governing_place
from geo.figures import extract_figures
from geo.ingest import read_articles
from geo.pipeline import article_json, extract, reduce
from geo.resolve import geoparse
from geo.sentences import split_sentences
from geo.types import Article
from tests.compiled import load_plain, sample_texts, skip_unless_compiled

EXPLOSIONS = "Explosions/Remote violence"


def _article(text: str, date: str | None = "2022-03-30", ident: str = "t") -> Article:
    return Article(id=ident, text=text, date=date)


def _figures(text: str, date: str | None = "2022-03-30") -> list[dict]:
    return article_json(extract(_article(text, date)))["figures"]  # type: ignore[return-value]


def test_a_figure_goes_to_the_city_its_sentence_names() -> None:
    [fig] = _figures("A missile hit the regional administration in Mykolaiv, killing 12 people.")
    assert fig["place"]["name"] == "Mykolaiv" and fig["place"]["precision"] == 1
    assert fig["kind"] == "killed" and fig["best"] == 12


def test_a_figure_without_a_place_takes_the_one_of_the_sentence_before() -> None:
    text = (
        "Russian forces shelled Chernihiv overnight. The mayor said at least 350 civilians "
        "had been killed since the start of the invasion."
    )
    [fig] = _figures(text)
    assert fig["place"]["name"] == "Chernihiv"
    assert (fig["low"], fig["best"], fig["high"]) == (350, 350, None)
    assert fig["attribution"] == "The mayor said"


def test_a_nationwide_tally_goes_to_the_country_never_to_a_city() -> None:
    text = "KYIV, March 29 - Nearly four million people have fled Ukraine since the invasion."
    [fig] = _figures(text)
    assert fig["kind"] == "displaced" and fig["best"] == 4_000_000
    assert fig["place"]["name"] == "Ukraine" and fig["place"]["precision"] == 6


def test_reference_points_do_not_govern_figures() -> None:
    text = "Troops retook Lukianivka, a village east of Kyiv. Four soldiers were killed there."
    [fig] = _figures(text)
    assert fig["place"]["name"] != "Kyiv"


def test_distractors_make_no_figures() -> None:
    text = (
        "Mariupol had about 430,000 residents before the war. The proposal set a 15-year "
        "consultation period for Crimea. Washington pledged $500 million. A 10-year-old boy "
        "waited outside the nine-storey building, 20 km from the front, with 40 tanks nearby."
    )
    assert _figures(text) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Rockets struck the city.", (EXPLOSIONS, "Shelling/artillery/missile attack")),
        ("A drone strike hit a depot.", (EXPLOSIONS, "Air/drone strike")),
        ("Ukrainian troops recaptured the town.", ("Battles", "Government regains territory")),
        ("Civilians were executed in the village.", ("Violence against civilians", "Attack")),
        ("Clashes went on all day.", ("Battles", "Armed clash")),
    ],
)
def test_acled_types(sentence: str, expected: tuple[str, str]) -> None:
    assert classify(sentence, []) == expected


def test_an_article_types_its_vague_sentences_from_its_clear_ones() -> None:
    text = (
        "A missile hit the administration building in Mykolaiv on Tuesday. "
        "Seven people were killed in Mykolaiv, officials said."
    )
    result = extract(_article(text))
    assert {e.event_type for e in result.events if e.figures} == {"Explosions/Remote violence"}


@pytest.mark.parametrize(
    ("sentence", "article_date", "expected"),
    [
        ("It happened on Tuesday.", "2022-03-30", ("2022-03-29", "day")),
        ("Shelling went on late on Saturday.", "2022-03-28", ("2022-03-26", "day")),
        ("The strike on March 28 killed four.", "2022-03-30", ("2022-03-28", "day")),
        ("The strike on 28 March killed four.", "2022-03-30", ("2022-03-28", "day")),
        ("Fighting raged last week.", "2022-04-05", ("2022-03-29", "week")),
        ("Shelling resumed yesterday.", "2022-03-30", ("2022-03-29", "day")),
        ("Displacement grew earlier this month.", "2022-03-30", ("2022-03-01", "month")),
        ("The toll rose, officials said on Wednesday.", "2022-03-30", ("2022-03-30", "week")),
        ("A strike on December 30 was reported.", "2022-01-05", ("2021-12-30", "day")),
    ],
)
def test_event_dates(sentence: str, article_date: str, expected: tuple[str, str]) -> None:
    assert event_date(sentence, article_date) == expected


def test_date_windows_and_datelines() -> None:
    assert window("2022-03-31", "month") is not None
    assert window(None, "day") is None
    assert dateline_day("KHARKIV, Ukraine, March 29 (AP) — Shelling") == (3, 29)
    assert dateline_day("KYIV, 29 March - text") == (3, 29)
    assert infer_year((3, 29), ["2022-03-30"]) == "2022-03-29"
    assert infer_year((9, 1), ["2022-03-30"]) is None  # too far from the run to guess


def test_statements_of_intent_are_concede_events() -> None:
    text = (
        "Russia promised on Tuesday to reduce military activity in the Kyiv and Chernihiv "
        "directions."
    )
    result = extract(_article(text, "2022-03-29"))
    concede = [e for e in result.events if e.plover == "CONCEDE"]
    assert {e.place.name for e in concede if e.place} == {"Kyiv", "Chernihiv"}
    assert {e.actor for e in concede} == {"Russia"}


def test_example_corpus_reconciles_the_mykolaiv_strike(example_corpus: Path) -> None:
    articles, problems = read_articles([example_corpus])
    assert not [p for p in problems if p.severity == "error"]
    layers = reduce([extract(a) for a in articles])
    casualties = layers["casualties"]
    mykolaiv = casualties[casualties["place"] == "Mykolaiv"]
    strike = mykolaiv[mykolaiv["n_sources"] >= 2].iloc[0]
    assert strike["disputed"]
    assert strike["killed_low"] == 7 and strike["killed_high"] >= 12
    articles_cited = {s["article"] for s in strike["sources"]}
    assert len(articles_cited) >= 2
    assert any(s["attribution"] and "Zelenskiy" in s["attribution"] for s in strike["sources"])


@pytest.fixture(scope="module")
def plain_events() -> ModuleType:
    return load_plain(events)


def test_compiled_events_match_plain_python(plain_events: ModuleType) -> None:
    """Compiled, the events, their places and quotes are those the plain source builds."""
    skip_unless_compiled(events)
    texts = [
        *sample_texts(),
        "12 people were killed.\n\nKYIV\n\nA missile  hit\tMykolaiv.  7 died.\n3 were injured.",
        "Shelling hit Kharkiv and Kyiv. Some 1,000 people fled Ukraine. 4 soldiers died there.",
    ]
    found = 0
    for number, text in enumerate(texts):
        article = Article(id=f"t{number}", text=text, date="2022-03-30", source="test")
        mentions = geoparse(article)
        spans = split_sentences(text)
        figures = extract_figures(text, sentences=spans)
        expected = plain_events.build_events(article, mentions, figures, spans)
        assert build_events(article, mentions, figures, spans) == expected, text[:200]
        assert focus_place(mentions) == plain_events.focus_place(mentions)
        for figure in figures:
            place = governing_place(figure, mentions, spans, text)
            assert place == plain_events.governing_place(figure, mentions, spans, text)
        found += len(expected[0])
    assert found >= 10
