"""Compiled statement finding gives exactly what its sources give as plain Python.

``geo/cues.py`` and ``geo/zones.py`` are written in Cython's pure-Python mode: compiled,
the cue gate reads a sentence character by character and a cue's pattern is tried only
where a match may start; uncompiled, the same files split sentences into chunks and
search. These tests load both sources a second time as plain Python (the plain zones
built on the plain cues) and compare them with the modules in use, so a change that only
one of them understands is caught. Each test skips when the module it checks runs as plain
Python here.
"""

from __future__ import annotations

import doctest
import sys
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace

import pytest

from geo import cues, zones
from geo.resolve import geoparse
from geo.sentences import split_sentences
from geo.types import Article, Mention
from tests.compiled import is_compiled, load_plain, sample_texts, skip_unless_compiled

STATEMENTS = [
    "Russia promised to drastically reduce military activity in the Kyiv and Chernihiv "
    "directions, while fighting continued around Kharkiv.",
    "Russian troops have left Bucha; Ukrainian forces recaptured Irpin on Monday.",
    "Mariupol, besieged for weeks, is surrounded, but officials said Odesa was calm.",
    "Officials denied any fighting in Lviv, and the shelling of Kharkiv went on.",
    'The mayor said "Chernihiv is encircled" as well as cut off from Kyiv.',
    "Heavy fighting raged near Izium, whereas Sumy was blockaded. İzmir sent aid to Kyiv.",
    "Ukraine's army retook Trostianets, and a counter-offensive near Kherson was reported.",
    "Fighting  went on\taround\nKharkiv,\u00a0while Sumy was encircled . ",
]
"""Sentences for every kind of statement, clause end and reach, beside the sample texts
(and blanks a quote gathers into one space)."""


@pytest.fixture(scope="module")
def plain_cues() -> ModuleType:
    return load_plain(cues)


@pytest.fixture(scope="module")
def plain_zones(plain_cues: ModuleType) -> Iterator[ModuleType]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "geo.cues", plain_cues)  # what its imports find
        yield load_plain(zones)


@pytest.fixture(scope="module")
def articles() -> list[tuple[Article, list[Mention], list[tuple[int, int]]]]:
    texts = [*sample_texts(), *STATEMENTS]
    found = []
    for i, text in enumerate(texts):
        article = Article(id=f"a{i}", text=text, date="2022-03-29")
        found.append((article, geoparse(article), split_sentences(text)))
    return found


def _values(statement: zones.Statement) -> tuple[object, ...]:
    """A statement's fields, comparable across the two modules' ``Statement`` classes."""
    return tuple(getattr(statement, name) for name in zones.Statement.__dataclass_fields__)


def test_plain_sources_run_uncompiled(plain_cues: ModuleType, plain_zones: ModuleType) -> None:
    assert not is_compiled(plain_cues)
    assert not is_compiled(plain_zones)
    assert plain_zones.CueGate is plain_cues.CueGate
    article = Article(id="z", text=STATEMENTS[0], date="2022-03-29")
    found = plain_zones.find_statements(article, geoparse(article), [(0, len(article.text))])
    assert [s.zone for s in found] == ["pledged_deescalation", "active_fighting"]


def test_plain_cues_pass_their_doctests(plain_cues: ModuleType) -> None:
    """Compiled, geo/cues.py cannot be collected for doctests beside its extension module."""
    result = doctest.testmod(plain_cues)
    assert result.attempted >= 5
    assert result.failed == 0


def test_compiled_and_plain_find_the_same_statements(
    plain_zones: ModuleType,
    articles: list[tuple[Article, list[Mention], list[tuple[int, int]]]],
) -> None:
    skip_unless_compiled(cues, zones)
    kinds = set()
    for article, mentions, sentences in articles:
        expected = plain_zones.find_statements(article, mentions, sentences)
        found = zones.find_statements(article, mentions, sentences)
        assert [_values(s) for s in found] == [_values(s) for s in expected], article.text
        kinds |= {s.zone for s in found}
    assert kinds == {"pledged_deescalation", "withdrawal", "active_fighting", "besieged"} | {
        "recaptured"
    }


def test_compiled_and_plain_cues_agree(
    plain_zones: ModuleType,
    articles: list[tuple[Article, list[Mention], list[tuple[int, int]]]],
) -> None:
    skip_unless_compiled(cues)
    gate, promise_gate = zones._GATE, zones._PROMISE_GATE
    pairs = [(zones._CUES[kind], plain_zones._CUES[kind], gate) for kind in zones._CUES]
    pairs += [
        (zones._PROMISE_CUE, plain_zones._PROMISE_CUE, promise_gate),
        (zones._PROMISE_CUE, plain_zones._PROMISE_CUE, None),
        (zones._NEGATED_CUE, plain_zones._NEGATED_CUE, None),
    ]
    matches = 0
    for article, _, sentences in articles:
        for start, end in sentences:
            sentence = article.text[start:end]
            low = cues.folded(sentence)
            assert gate.words(low) == plain_zones._GATE.words(low), sentence
            assert promise_gate.words(low) == plain_zones._PROMISE_GATE.words(low), sentence
            for cue, plain, cue_gate in pairs:
                words = None if cue_gate is None else cue_gate.words(low)
                spans = [m.span() for m in cue.matches(sentence, low, words)]
                assert spans == [m.span() for m in plain.matches(sentence, low, words)]
                assert spans == [m.span() for m in cue.finditer(sentence, low, words)]
                assert spans == [m.span() for m in cue.pattern.finditer(sentence)]
                first = cue.search(sentence, low, words)
                assert (first and first.span()) == (spans[0] if spans else None)
                matches += len(spans)
    assert matches >= 20


def test_mentions_between_spans_asked_in_any_order(plain_zones: ModuleType) -> None:
    starts = (0, 3, 3, 7, 12, 12, 20, 31, *range(40, 51), 60)
    mentions = [SimpleNamespace(start=start) for start in starts]
    spans = [(0, 5), (5, 12), (12, 13), (13, 60), (2, 8), (0, 100), (45, 46), (30, 20)]
    spans += [(61, 70), (3, 3), (40, 51), (39, 61)]
    for module in (zones, plain_zones):
        within = module._Within(mentions)
        for start, end in [*spans, *spans[::-1], *sorted(spans)]:
            expected = tuple(m for m in mentions if start <= m.start < end)
            assert within.between(start, end) == expected, (module.__name__, start, end)
