"""The evidence-free prior of gazetteer entries, and the rows of a name scored by it.

The first time the pipeline meets a name, :meth:`geo.gazetteer.Gazetteer.key_candidates`
scores every entry the name may refer to: tens of thousands of names per corpus, a row or
a few each. :func:`score_rows` does that in one pass over the name index's rows of the
name, reading the columns it needs by row.

Compiled with Cython when a C compiler is there (see ``setup.py``); the same file runs as
plain Python otherwise, with the same results.

Examples
--------
>>> prior("country", 41_000_000, False, "primary"), prior("settlement", None, False, "alternate")
(0.9524, 0.1429)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from typing import Any

import cython
from cython.cimports.libc import math as cmath

__all__ = ["KIND_WEIGHT", "SOURCE_WEIGHT", "prior", "round4", "score_rows"]

KIND_WEIGHT: dict[str, float] = {
    "continent": 0.50,
    "country": 0.50,
    "admin1": 0.36,
    "region": 0.34,
    "sea": 0.32,
    "settlement": 0.15,
}
"""Prior weight of each kind: a country beats a town named after it."""

SOURCE_WEIGHT: dict[str, float] = {
    "primary": 0.15,
    "alias": 0.15,
    "romanized": 0.12,
    "alternate": 0.0,
}
"""Prior weight of how a name matched: the official name or a curated alias beats an alternate."""

POPULATION_WEIGHT = cython.declare(cython.double, 0.35)
"""Weight of ``log10(population) / 7.3`` (capped at 1) in the prior."""

CAPITAL_WEIGHT = cython.declare(cython.double, 0.05)
"""Bonus for a national capital."""

AREA_WEIGHT = cython.declare(cython.double, 0.11)
"""Stand-in for the population term of admin1 areas, regions and seas (they carry none):
an admin1 outranks towns of its name but not a city of a million ("Florida" is the state,
"New York" the city)."""

_SCORE_SCALE = cython.declare(
    cython.double,
    max(KIND_WEIGHT.values()) + max(SOURCE_WEIGHT.values()) + POPULATION_WEIGHT + CAPITAL_WEIGHT,
)
_AREA_KINDS = cython.declare(frozenset, frozenset({"admin1", "region", "sea"}))
_KIND_WEIGHT = cython.declare(dict, KIND_WEIGHT)
_SOURCE_WEIGHT = cython.declare(dict, SOURCE_WEIGHT)

_Reader = Callable[[int], Any]
"""Reads the Python value at one index of a column."""


@cython.ccall
def round4(x: cython.double) -> float:
    """``round(x, 4)``, without a decimal conversion where the answer is not in doubt.

    ``round`` finds the decimal digits of the float's exact value, rounds them half to
    even and reads the result back: about 9,000 instructions. ``x * 10000`` is within a
    few units in the last place of its exact value, so when its fraction is not within
    1e-6 of a half, the floor of it plus a half is the integer ``round`` picks, and that
    integer divided by 10000 is the float ``round`` reads back (both are correctly
    rounded). Near-halves, huge values and results that round to zero (``round`` keeps the
    sign of a zero) go to ``round`` itself.

    Examples
    --------
    >>> round4(0.123449999), round4(0.99996), round4(0.0), round4(1.0), round4(-0.00001)
    (0.1234, 1.0, 0.0, 1.0, -0.0)
    >>> all(round4(k / 20000) == round(k / 20000, 4) for k in range(20001))
    True
    """
    y: cython.double = x * 10000.0
    rounded: cython.double
    if abs(y) < 1e9 and abs(y - _floor(y) - 0.5) > 1e-6:
        rounded = _floor(y + 0.5) / 10000.0
        if rounded != 0.0:
            return rounded
    return round(x, 4)


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _floor(x: cython.double) -> cython.double:
    if cython.compiled:
        return cmath.floor(x)
    return float(math.floor(x))


def prior(kind: str, population: int | None, capital: bool | None, source: str) -> float:
    """The prior (0-1) of an entry of ``kind``, ``population`` and capital flag, via ``source``.

    The score adds a weight for the entry's kind, for how the name matched (official
    name or alias vs mere alternate), for its log population and for a national
    capital, scaled to 0-1 and rounded to four decimals.
    """
    return _prior(kind, population, capital, source)


@cython.cfunc
def _prior(kind: Any, population: Any, capital: Any, source: Any) -> float:
    score: cython.double = _KIND_WEIGHT.get(kind, 0.0) + _SOURCE_WEIGHT.get(source, 0.0)
    if population is not None and population > 0:
        # The C library's log10, as math.log10 calls it.
        logged: cython.double = (
            cmath.log10(population) if cython.compiled else math.log10(population)
        )
        score += POPULATION_WEIGHT * min(1.0, logged / 7.3)
    elif kind in _AREA_KINDS:
        score += AREA_WEIGHT
    if capital:
        score += CAPITAL_WEIGHT
    return round4(min(1.0, score / _SCORE_SCALE))


def score_rows(
    rows: Sequence[int],
    lo: cython.Py_ssize_t,
    hi: cython.Py_ssize_t,
    names: tuple[_Reader, _Reader],
    places: tuple[_Reader, ...],
    kinds: Collection[str] | None,
    country: str | None,
) -> tuple[list[tuple[float, str, int, str, str]], list[str]]:
    """Score the entries of the name index's rows ``lo`` to ``hi`` (one name's rows).

    Parameters
    ----------
    rows
        The name index's place row of each of its rows.
    lo, hi
        The name's rows of the index.
    names
        Readers of the index's matched name and source by index row.
    places
        Readers of the entries' kind, country, id, population and capital flag by place row.
    kinds
        Keep only entries of these kinds (``None``: all).
    country
        Keep only entries of this country code (``None`` or empty: all).

    Returns
    -------
    tuple
        ``(-prior, id, place row, matched name, source)`` of each entry kept, in index
        order, and the kind of each.
    """
    matched_at, source_at = names
    kind_of, country_of, id_of, population_of, capital_of = places
    scored: list[tuple[float, str, int, str, str]] = []
    row_kinds: list[str] = []
    index: cython.Py_ssize_t
    for index in range(lo, hi):
        row = rows[index]
        kind = kind_of(row)
        if kinds is not None and kind not in kinds:
            continue
        if country and country_of(row) != country:
            continue
        source = source_at(index)
        score = _prior(kind, population_of(row), capital_of(row), source)
        scored.append((-score, id_of(row), row, matched_at(index), source))
        row_kinds.append(kind)
    return scored, row_kinds
