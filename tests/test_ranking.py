"""The compiled ranking core ranks exactly as the same module run as plain Python.

``geo/ranking.py`` is compiled by Cython when the package is installed with a C compiler
(see setup.py) and runs uncompiled otherwise. These tests load the source a second time as
plain Python, resolve the same articles through both and compare every mention, so a
change that only one of them understands (or a distance computed with another rounding)
is caught.
"""

from __future__ import annotations

import array
import dataclasses
import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import ranking, resolve
from geo.gazetteer import haversine_km
from geo.types import Mention
from tests.compiled import load_plain, sample_texts, source_of
from tests.test_properties_geoparse import any_text


@pytest.fixture(scope="module")
def pure() -> ModuleType:
    return load_plain(ranking)


def _geoparse_with(module: ModuleType, text: str, monkeypatch: pytest.MonkeyPatch) -> list[Mention]:
    with monkeypatch.context() as patch:
        patch.setattr(resolve, "ranking", module)
        return resolve.geoparse(text, resolver=resolve.Resolver())


def test_pure_module_is_plain_python(pure: ModuleType) -> None:
    assert pure.__file__ == str(source_of(ranking))
    assert not pure.cython.compiled


def test_pure_and_compiled_rank_articles_alike(
    pure: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = sample_texts()
    assert len(texts) >= 10
    resolved = 0
    for text in texts:
        expected = _geoparse_with(pure, text, monkeypatch)
        assert resolve.geoparse(text, resolver=resolve.Resolver()) == expected
        resolved += sum(m.place is not None for m in expected)
    assert resolved > 100


@settings(max_examples=60)
@given(any_text)
def test_pure_and_compiled_rank_any_text_alike(pure: ModuleType, text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        expected = _geoparse_with(pure, text, patch)
    assert resolve.geoparse(text, resolver=resolve.Resolver()) == expected


def test_container_credit_follows_the_container(pure: ModuleType) -> None:
    """A candidate in the named oblast gets full credit; a namesake elsewhere none."""
    resolver = resolve.Resolver()
    found = resolver.gazetteer.candidates("Mykolaiv", limit=None)
    oblast = resolver.gazetteer.get("adm1:UA-48")  # Mykolaiv oblast
    for module in (ranking, pure):
        table = module.CandidateTable(found)
        credit = list(module.container_credit(table, module.Container([oblast])))
        inside = [c.place.admin1_id == oblast.id for c in found]
        assert [x == 0.6 for x in credit] == inside
        assert any(inside) and not all(inside)


def test_container_credit_by_distance_is_the_same_compiled(pure: ModuleType) -> None:
    """Settlement containers credit by great-circle distance, computed alike in C and Python."""
    gazetteer = resolve.Resolver().gazetteer
    found = gazetteer.candidates("Ivanivka", limit=None)
    boxes = [c.place for c in gazetteer.candidates("Mykolaivka", limit=None)]
    credits = [
        list(module.container_credit(module.CandidateTable(found), module.Container(boxes)))
        for module in (ranking, pure)
    ]
    assert credits[0] == credits[1]
    assert 0.3 in credits[0] and 0.0 in credits[0]


def _credit_box_by_box(found: list[Any], boxes: list[Any]) -> list[float]:
    """Container credit by its definition: each candidate against each place of the container."""
    credits = []
    for candidate in found:
        place, best = candidate.place, 0.0
        for box in boxes:
            if box.id == place.id:
                continue  # a place does not hold itself
            if (box.kind in ("country", "region") and box.country == place.country) or (
                box.kind in ("admin1", "region") and box.id == place.admin1_id
            ):
                best = 1.0
            elif (
                box.kind == "settlement"
                and haversine_km(place.lat, place.lon, box.lat, box.lon) < 60
            ):
                best = max(best, 0.5)
        credits.append(0.6 * best)
    return credits


@pytest.mark.parametrize(
    ("name", "container"),
    [("Ivanivka", "Mykolaivka"), ("Mykolaiv", "Mykolaiv"), ("Donetsk", "Donetsk"),
     ("Kharkiv", "Ukraine"), ("Black Sea", "Black Sea"), ("Novoselivka", "Novoselivka")],
)  # fmt: skip
def test_container_credit_is_the_box_by_box_credit(
    pure: ModuleType, name: str, container: str
) -> None:
    """Prepared once per container, the credit is still each place of it weighed in turn.

    Containers of a name's own candidates (and their admin1 units and countries, twice)
    check that a place never holds itself, whatever else of the container holds it.
    """
    resolver = resolve.Resolver()
    found = resolver.gazetteer.candidates(name, limit=None)
    boxes = [c.place for c in resolver.gazetteer.candidates(container, limit=None)]
    units = {c.place.admin1_id for c in found if c.place.admin1_id}
    units |= {f"adm0:{c.place.country}" for c in found if c.place.country}
    boxes += [p for p in map(resolver._get, sorted(units)) if p is not None] * 2
    assert found and boxes
    expected = _credit_box_by_box(found, boxes)
    for module in (ranking, pure):
        table = module.CandidateTable(found)
        assert list(module.container_credit(table, module.Container(boxes))) == expected


@given(st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=-2, max_value=2))
def test_round4_is_round(x: float) -> None:
    assert repr(ranking.round4(x)) == repr(round(x, 4))


def test_round4_defers_halfway_cases_and_keeps_signed_zero() -> None:
    for x in (0.00005, 0.00015, 0.12345, -0.00001, -0.0, 2.5e-5):
        assert repr(ranking.round4(x)) == repr(round(x, 4))


def test_country_context_weighs_datelines_and_demonyms() -> None:
    text = "KHARKIV, Ukraine (AP) - Russian troops shelled Sumy. Danish aid arrived."
    tops = resolve.find_toponyms(text)
    resolver = resolve.Resolver()
    tables = [None if t.kind == "demonym" else resolver._table(t) for t in tops]
    weights = ranking.country_context(tops, tables)
    assert weights["RU"] == 1 and weights["DK"] == 1  # demonyms
    assert weights["UA"] > 2  # the dateline's country counts double


def test_mentions_keep_names_the_gazetteer_cannot_place(pure: ModuleType) -> None:
    """A demonym whose country has no entry stays, unplaced; the other names are placed."""
    text = "Danish aid reached the Kharkiv region and Sumy."
    tops = resolve.find_toponyms(text)
    resolver = resolve.Resolver()
    found_for = [() if t.kind == "demonym" else resolver.candidates(t) for t in tops]
    containers = [None] * len(tops)
    for module in (ranking, pure):
        tables = [module.CandidateTable(c) if c else None for c in found_for]
        ranked = module.rank_article(tops, tables, containers)
        found = module.mentions(tops, tables, ranked, lambda _id: None)
        assert [m.text for m in found] == [t.text for t in tops]
        demonym = found[0]
        assert demonym.role == "demonym" and demonym.place is None
        assert demonym.score == 0.0 and demonym.precision is None
        assert all(m.place is not None and 0 < m.score <= 1 for m in found[1:])


def test_mention_records_have_the_fields_ranking_sets() -> None:
    """Compiled, ranking sets a Mention's slots one by one: they must be all of its fields."""
    assert tuple(f.name for f in dataclasses.fields(Mention)) == ranking.MENTION_FIELDS
    assert not hasattr(Mention, "__post_init__")
    slot = type(Mention.__dict__["start"])
    slots = zip(ranking._MENTION_SLOTS, ranking.MENTION_FIELDS, strict=True)
    assert all(type(s) is slot and s.__name__ == name for s, name in slots)
    assert type(Mention).__new__ is type.__new__ and Mention.__new__ is object.__new__


_LATITUDES = st.floats(min_value=-90, max_value=90)
_LONGITUDES = st.floats(min_value=-180, max_value=180)


@given(_LATITUDES, _LONGITUDES, _LATITUDES, _LONGITUDES)
def test_places_far_apart_in_latitude_are_far_apart(
    pure: ModuleType, lat: float, lon: float, lat2: float, lon2: float
) -> None:
    """container_credit skips the haversine when the latitudes alone are too far apart."""
    if abs(lat - lat2) >= pure._NEAR_BOX_DEGREES:
        assert haversine_km(lat, lon, lat2, lon2) >= 60


@given(_LATITUDES, st.floats(min_value=-2.25, max_value=2.25))
def test_the_cosine_bound_holds_for_every_anchor_that_counts(
    pure: ModuleType, lat: float, step: float
) -> None:
    """Coherence's lower bound of the cosine of the mean latitude of a candidate and anchor."""
    other = max(-90.0, min(90.0, lat + step))
    if abs(lat) + pure._MEAN_LAT_MARGIN < 90:
        least = math.cos((abs(lat) + pure._MEAN_LAT_MARGIN) * math.pi / 180)
        assert math.cos((lat + other) / 2 * (math.pi / 180)) >= least


def _coherence_by_definition(
    lat: float, lon: float, anchors: list[tuple[float, float, float]]
) -> float:
    """Coherence as its docstring defines it: every anchor weighed, nothing skipped."""
    best = 0.0
    for a_lat, a_lon, weight in anchors:
        dlat = lat - a_lat
        dlon = abs(lon - a_lon)
        dlon = min(math.fmod(dlon, 360.0), 360.0 - math.fmod(dlon, 360.0))
        dlon *= math.cos((lat + a_lat) / 2 * (math.pi / 180))
        km = 111.195 * float(np.hypot(dlat, dlon))
        best = max(best, weight * max(1.0 - km / 250.0, 0.0))
    return best


_ANCHORS = st.lists(
    st.tuples(
        st.floats(min_value=44, max_value=53),
        st.floats(min_value=22, max_value=41),
        st.sampled_from([1.0, 0.4]),
    ),
    max_size=12,
)


@settings(max_examples=300)
@given(st.floats(min_value=40, max_value=57), st.floats(min_value=18, max_value=45), _ANCHORS)
def test_coherence_skips_only_anchors_that_cannot_count(
    pure: ModuleType, lat: float, lon: float, anchors: list[tuple[float, float, float]]
) -> None:
    """The bounds coherence skips anchors and places by leave its maximum as it is.

    The pool of the plain module is filled by hand (its methods are plain methods there);
    the compiled one runs the same source, which the tests above compare.
    """
    pool = pure._Pool.__new__(pure._Pool)
    room = len(anchors)
    pool.use(None, array.array("i", [0] * room), array.array("d", [0.0] * 4 * room), room)
    pool.n, pool.south, pool.north = room, math.inf, -math.inf
    for j, (a_lat, a_lon, weight) in enumerate(anchors):
        pool.lat[j], pool.lon[j], pool.weight[j] = a_lat, a_lon, weight
        pool.south, pool.north = min(pool.south, a_lat), max(pool.north, a_lat)
    pool.n_settlements = room
    assert pool.coherence(lat, lon, pure._least_cos(lat)) == _coherence_by_definition(
        lat, lon, anchors
    )


def _where_prec_by_definition(place: Any, qualifier: str | None) -> int:
    kinds = {"continent": 6, "country": 6, "region": 5, "admin1": 4, "sea": 7}
    if place.kind in kinds:
        return kinds[place.kind]
    if qualifier == "direction":
        return 4
    if place.precision in ("hromada", "raion"):
        return 3
    if place.precision == "admin1":
        return 4
    return 2 if qualifier in ("near", "around", "outskirts", "relative") else 1


@pytest.mark.parametrize("name", ["Ivanivka", "Kharkiv", "Donetsk", "Black Sea", "Ukraine"])
def test_tables_keep_each_candidates_where_prec(pure: ModuleType, name: str) -> None:
    """A table's precision columns give where_prec for any qualifier, as the place does."""
    found = resolve.Resolver().gazetteer.candidates(name, limit=None)
    assert found
    table = pure.CandidateTable(found)
    for i, candidate in enumerate(found):
        for qualifier in (None, "near", "outskirts", "direction", "north", "around"):
            expected = _where_prec_by_definition(candidate.place, qualifier)
            assert table.precision(i, qualifier) == expected
            assert ranking.where_prec(candidate.place, qualifier) == expected


def test_a_tables_id_bits_hold_its_ids(pure: ModuleType) -> None:
    """An anchor whose id bit a table lacks is none of its candidates.

    The pool then skips the set lookup for it.
    """
    gazetteer = resolve.Resolver().gazetteer
    found = gazetteer.candidates("Ivanivka", limit=None)
    others = gazetteer.candidates("Mykolaivka", limit=None)
    table = pure.CandidateTable(found)
    for candidate in found:
        assert table.id_bits >> pure._id_bit(candidate.place.id) & 1
    for candidate in others:
        if not table.id_bits >> pure._id_bit(candidate.place.id) & 1:
            assert candidate.place.id not in table.ids
