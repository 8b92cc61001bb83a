"""Recognition's name index and the Toponyms it makes.

The name index finds keys by bisection in the gazetteer's sorted key table and remembers
what it found, named or not; these tests check it against a small table, also after it
has forgotten its answers, and check that recognised names are full Toponyms.
"""

from __future__ import annotations

import array

import pytest

from geo import toponyms
from geo.toponyms import NameIndex, Toponym, find_toponyms

KEYS = ("kyiv", "kyiv oblast", "lviv", "odesa")
ROWS = {"kyiv": (0, 2), "kyiv oblast": (1,), "lviv": (3,), "odesa": (4, 5, 6)}


def small_index() -> NameIndex:
    """An index over ``KEYS``, whose rows are ``ROWS``."""
    starts = [0]
    rows: list[int] = []
    for key in KEYS:
        rows.extend(ROWS[key])
        starts.append(len(rows))
    kinds = ["city", "admin1", "city", "city", "city", "city", "city"]
    populations = [3_000_000, 0, 100, 700_000, 1_000_000, 0, 5]
    return NameIndex(kinds, populations, (KEYS, array.array("i", starts), array.array("i", rows)))


@pytest.mark.parametrize("key", [*KEYS, "", "a", "kyi", "kyiv o", "zzz", "lviv city"])
def test_rows_are_the_tables_rows(key: str) -> None:
    index = small_index()
    expected = ROWS.get(key, ())
    assert index.rows(key) == expected
    assert index.rows(key) == expected  # remembered
    assert index.has(key) == bool(expected)


def test_answers_are_the_same_after_the_index_forgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toponyms, "_KEY_MEMORY", 2)
    index = small_index()
    asked = ["kyiv", "nowhere", "odesa", "kyiv", "elsewhere", "lviv", "kyiv oblast"] * 2
    assert [index.rows(key) for key in asked] == [ROWS.get(key, ()) for key in asked]


def test_prefixes_continue_to_keys() -> None:
    index = small_index()
    assert index.continues("kyiv")
    assert index.continues("kyiv o")
    assert not index.continues("kyiv r")
    assert not index.continues("zz")


def test_largest_and_kind() -> None:
    index = small_index()
    assert index.largest(ROWS["kyiv"]) == 3_000_000
    assert index.largest(()) == 0
    assert index.kind(1) == "admin1"


def test_recognised_names_are_toponyms() -> None:
    found = find_toponyms("Shelling near Kyiv, Ukraine, and in the Kharkiv region.")
    assert [top.text for top in found] == ["Kyiv", "Ukraine", "Kharkiv region"]
    for top in found:
        assert type(top) is Toponym
        assert len(top) == len(Toponym._fields)
    kyiv = found[0]
    assert kyiv.qualifier == "near"
    assert kyiv.container == found[1].rows
    assert kyiv._replace(qualifier=None).qualifier is None
    assert found[2].kind == "admin"
