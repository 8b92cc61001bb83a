"""Property-based tests for the geoparser: geo.toponyms.find_toponyms and geo.resolve.geoparse.

300 examples per test in the default run. The dedicated run with 10,000 examples each::

    pytest tests/test_properties_geoparse.py tests/test_figures_properties.py \\
        --hypothesis-profile=thorough

(profiles are registered in conftest.py; ``HYPOTHESIS_PROFILE=thorough`` does the same).
"""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from geo.resolve import geoparse
from geo.toponyms import find_toponyms
from geo.types import Article

PLACES = [
    "Kyiv", "Kiev", "Mykolaiv", "Kharkiv", "Kharkov", "Chernihiv", "Mariupol", "Odesa", "Lviv",
    "Irpin", "Bucha", "Kherson", "Donetsk", "Luhansk", "Crimea", "Donbas", "Ukraine", "Russia",
    "Moscow", "Istanbul", "Turkey", "Black Sea", "Sea of Azov", "Europe", "Georgia", "Paris",
    "the Kyiv region", "Kyiv Oblast", "the Donetsk and Luhansk regions", "Kharkiv region",
    "Київ", "Харків", "Миколаїв", "Киев", "Sumy", "Izium", "Washington", "Springfield",
]  # fmt: skip
DEMONYMS = ["Ukrainian", "Russian", "Turkish", "American", "Georgian", "European", "Crimean"]
WORDS = [
    "near", "outskirts of", "north of", "in", "the", "city of", "region", "oblast", "direction",
    "forces", "said", "killed", "12", "1,200", "at least", "people", "President", "Mr.",
    "KYIV, March 29 -", "(Reuters)", "and", "or", "'s", "of", "Street", "St.", "Lake",
]  # fmt: skip
PUNCTUATION = [",", ".", ";", ":", "-", "–", "—", "(", ")", '"', "“", "”", "'", "\n", "\n\n", " "]

fragments = st.one_of(
    st.sampled_from(PLACES),
    st.sampled_from(DEMONYMS),
    st.sampled_from(WORDS),
    st.sampled_from(PUNCTUATION),
    st.integers(min_value=0, max_value=10**7).map(str),
    st.text(max_size=6),
)
mixed_text = st.lists(fragments, max_size=40).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "", ", ", "\n"]), min_size=len(parts),
                           max_size=len(parts))
    .map(lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)  # fmt: skip
any_text = st.one_of(st.text(), mixed_text)


def _check_toponyms(text: str) -> None:
    found = find_toponyms(text)
    for top in found:
        assert 0 <= top.start < top.end <= len(text)
        assert text[top.start : top.end] == top.text


def _check_mentions(text: str) -> None:
    mentions = geoparse(text)
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert 0.0 <= m.score <= 1.0
        assert m.precision is None or 1 <= m.precision <= 7
        for place in (m.place, m.runner_up):
            if place is not None:
                assert -90.0 <= place.lat <= 90.0
                assert -180.0 <= place.lon <= 180.0
        if m.place is None:
            assert m.precision is None
        if m.runner_up_score is not None:
            assert 0.0 <= m.runner_up_score <= 1.0
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    for before, after in itertools.pairwise(mentions):
        assert before.end <= after.start, "mentions must not overlap"


@given(st.text())
def test_toponyms_any_text(text: str) -> None:
    _check_toponyms(text)


@given(mixed_text)
def test_toponyms_place_like_text(text: str) -> None:
    _check_toponyms(text)


@given(st.text())
def test_geoparse_any_text(text: str) -> None:
    _check_mentions(text)


@given(mixed_text)
def test_geoparse_place_like_text(text: str) -> None:
    _check_mentions(text)


@given(any_text, st.one_of(st.none(), st.sampled_from(["2022-03-29", "1999-12-31"])))
def test_geoparse_article_matches_text(text: str, date: str | None) -> None:
    article = Article(id="a", text=text, date=date)
    assert geoparse(article) == geoparse(text)
