"""Rank the gazetteer candidates of one article's toponyms with evidence: resolution's core.

:mod:`geo.resolve` gathers the evidence (candidates, the article's countries, "X, Y"
containers); this module does what runs for every mention: the arithmetic for every
candidate, over typed columns, and then (:func:`mentions`) the mention records themselves:

1. a first pass scores each candidate by its prior, its population, agreement with the
   article's countries, its container and whether a "direction" names an area; the best
   settlement or admin-1 unit of each mention becomes an *anchor*;
2. a second pass adds spatial coherence: each candidate is weighed against the anchors of
   the *other* mentions (full weight when named within ``NEAR_CHARS`` characters, else
   ``FAR_WEIGHT``), by distance for settlements and by admin-1 unit;
3. one sense per discourse: mentions of the same name and kind sum their candidates'
   scores and all take the order of that sum;
4. each mention takes its best place, a confidence from the margin over the runner-up,
   its role and UCDP's where_prec.

Written in Cython's pure-Python mode, like :mod:`geo.toponyms`: setup.py compiles it when
a C compiler is there, and the same file runs as plain Python otherwise. Distances use the
C library's ``hypot`` and ``cos`` in both cases (the values NumPy gives), so the compiled
and the plain module rank alike to the last bit.
"""

from __future__ import annotations

import array
import math
from collections.abc import Callable, Sequence
from typing import Any

import cython
from cython.cimports.libc import math as cmath

from geo.columns import slots
from geo.gazetteer import haversine_km
from geo.priors import round4
from geo.toponyms import Toponym
from geo.types import Mention

NEAR_CHARS = cython.declare(cython.int, 250)
"""Places named within this many characters of each other count as named together."""
FAR_WEIGHT = cython.declare(cython.double, 0.4)
"""Weight of an anchor named further away than ``NEAR_CHARS``."""
COHERENCE_KM = cython.declare(cython.double, 250.0)
"""A settlement gains coherence credit from anchors closer than this, linearly."""
AREA_COHERENCE = cython.declare(cython.double, 0.2)
"""Coherence credit for countries, regions and seas, which are not weighed by distance."""
MAX_ANCHORS = cython.declare(cython.int, 200)
"""Above this many anchors an article is a list of places, not a story: each mention is
then weighed against the anchors named near it and the first ``FAR_ANCHORS`` distinct
places only, which keeps ranking linear in the article's length (an article naming
10,000 places took six minutes, every place weighed against every other)."""
FAR_ANCHORS = cython.declare(cython.int, 64)

Ranked = tuple[int, float, int, float]
"""Best candidate, its score, runner-up (-1 when there is none) and the runner-up's score."""

_START = cython.declare(cython.Py_ssize_t, Toponym._fields.index("start"))
_END = cython.declare(cython.Py_ssize_t, Toponym._fields.index("end"))
_TEXT = cython.declare(cython.Py_ssize_t, Toponym._fields.index("text"))
_KEY = cython.declare(cython.Py_ssize_t, Toponym._fields.index("key"))
_KIND = cython.declare(cython.Py_ssize_t, Toponym._fields.index("kind"))
_CONTAINER = cython.declare(cython.Py_ssize_t, Toponym._fields.index("container"))
_DATELINE = cython.declare(cython.Py_ssize_t, Toponym._fields.index("dateline"))
_ROLE_HINT = cython.declare(cython.Py_ssize_t, Toponym._fields.index("role_hint"))
_COUNTRY = cython.declare(cython.Py_ssize_t, Toponym._fields.index("country"))
_QUALIFIER = cython.declare(cython.Py_ssize_t, Toponym._fields.index("qualifier"))


@cython.cfunc
@cython.inline
def _toponym(top: Any) -> tuple[Any, ...]:
    """A :class:`~geo.toponyms.Toponym` as the tuple it is: its fields read by index.

    ``top[_KIND]`` is ``top.kind``; compiled, it is a C array read, where the attribute
    goes through the class's descriptor (about 60 instructions), several times for each
    name of every article.
    """
    if not isinstance(top, tuple):
        msg = f"expected a Toponym, got {type(top).__name__}"
        raise TypeError(msg)
    return cython.cast(tuple, top)  # a subclass of tuple: tuple's own reads hold


@cython.cfunc
@cython.inline
def _is(value: Any, word: str) -> cython.bint:
    """``value == word`` for one of the module's words (a kind, a hint, a precision).

    The words of toponyms and places are the interned constants of the modules that set
    them, so an equal value is mostly ``word`` itself, and an unequal one mostly differs
    in length; Python's comparison, about 50 instructions, is left for the rest.
    """
    if value is word:
        return True
    if not isinstance(value, str):  # None: no hint, no qualifier
        return False
    text: str = cython.cast(str, value)
    return len(text) == len(word) and text == word


_SETTLEMENT = cython.declare(cython.int, 0)
_ADMIN1 = cython.declare(cython.int, 1)
_AREA = cython.declare(cython.int, 2)
_ARTICLE_AREA_KINDS = frozenset({"country", "admin1", "region"})
_NEUTRAL_KINDS = frozenset({"sea", "continent", "region"})
_BOX_COUNTRY = cython.declare(cython.int, 0)
_BOX_ADMIN1 = cython.declare(cython.int, 1)
_BOX_REGION = cython.declare(cython.int, 2)
_BOX_SETTLEMENT = cython.declare(cython.int, 3)
_BOX_OTHER = cython.declare(cython.int, 4)
_BOX_KINDS = {
    "country": _BOX_COUNTRY,
    "admin1": _BOX_ADMIN1,
    "region": _BOX_REGION,
    "settlement": _BOX_SETTLEMENT,
}
_KIND_PRECISION = {"continent": 6, "country": 6, "region": 5, "admin1": 4, "sea": 7}
_NEAR_QUALIFIERS = frozenset({"near", "around", "outskirts", "relative"})
_KM_PER_DEGREE = cython.declare(cython.double, 111.195)
_DEG_TO_RAD = cython.declare(cython.double, math.pi / 180.0)
_MEAN_LAT_MARGIN = cython.declare(cython.double, 1.2)
"""Degrees: an anchor within ``COHERENCE_KM`` of a latitude in distance along the meridian
(2.25 degrees) has a mean latitude with it within 1.125 degrees of it, so the cosine of
the mean is at least the cosine of ``|latitude| + 1.2`` (up to 90): 0.075 degrees more
than needed, a margin far above any rounding of the two cosines."""

if cython.compiled:
    from cython.cimports.cpython.array import clone as _clone
    from cython.cimports.cpython.object import Py_TYPE, PyObject, PyTypeObject
else:  # plain Python: NumPy calls the C library, as compiled code does
    import numpy as _np


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _hypot(x: cython.double, y: cython.double) -> cython.double:
    if cython.compiled:
        return cmath.hypot(x, y)
    return float(_np.hypot(x, y))  # math.hypot rounds differently from the C library


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _cos(x: cython.double) -> cython.double:
    if cython.compiled:
        return cmath.cos(x)
    return math.cos(x)


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _fmod(x: cython.double, y: cython.double) -> cython.double:
    if cython.compiled:
        return cmath.fmod(x, y)
    return math.fmod(x, y)


@cython.cfunc
def _log10(x: Any) -> cython.double:
    """``math.log10(x)`` of a positive int, as a C double (the C library's, as ``math``'s)."""
    value: cython.double = x  # what math.log10 takes of an int that a double holds
    if cython.compiled and value > 0.0:
        return cmath.log10(value)
    return math.log10(x)


@cython.cfunc
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _least_cos(lat: cython.double) -> cython.double:
    """A lower bound of the cosine of the mean latitude of ``lat`` and a place near it.

    Near: within ``COHERENCE_KM`` (see :data:`_MEAN_LAT_MARGIN`); 0 near the poles.
    """
    if abs(lat) + _MEAN_LAT_MARGIN < 90.0:
        return _cos((abs(lat) + _MEAN_LAT_MARGIN) * _DEG_TO_RAD)
    return 0.0


@cython.cfunc
def _id_bit(place_id: str) -> cython.int:
    """Which of 64 bits stands for a gazetteer id: the low bits of its hash.

    A table keeps the bits of its candidates' ids, and an anchor whose bit is not among
    them is none of them, with no set lookup; the same id always has the same bit.
    """
    return hash(place_id) & 63


_BIT_ONE = cython.declare(cython.ulonglong, 1)


@cython.cfunc
@cython.inline
def _same_id(a: Any, b: Any) -> cython.bint:
    """``a == b`` for two gazetteer ids, their hashes compared first.

    Each string keeps its hash, and unequal ones mostly differ there, where Python's
    comparison takes about 50 instructions.
    """
    return a is b or (hash(a) == hash(b) and a == b)


_DOUBLE_ZERO = array.array("d", [0.0])
_INT_ZERO = array.array("i", [0])


@cython.cfunc
def _doubles(n: cython.int) -> array.array[float]:
    """``n`` zeros: compiled, a new array cleared with ``memset``.

    Repeating a one-item array copies the item ``n`` times, about 20 instructions each.
    """
    if cython.compiled:
        return _clone(_DOUBLE_ZERO, n, True)
    return _DOUBLE_ZERO * n


@cython.cfunc
def _ints(n: cython.int) -> array.array[int]:
    if cython.compiled:
        return _clone(_INT_ZERO, n, True)
    return _INT_ZERO * n


@cython.final
@cython.cclass
class CandidateTable:
    """The gazetteer candidates of one name, best prior first, as typed columns.

    Parameters
    ----------
    candidates
        :class:`~geo.types.Candidate` objects as :meth:`geo.gazetteer.Gazetteer.candidates`
        returns them (best prior first, unique place ids).
    """

    _candidates: tuple[Any, ...]
    _places: tuple[Any, ...]
    ids: frozenset[str]
    place_ids: tuple[str, ...]
    n: cython.int
    base: cython.double[:]
    lat: cython.double[:]
    lon: cython.double[:]
    least_cos: cython.double[:]
    kind: cython.int[:]
    neutral: cython.int[:]
    order: cython.int[:]
    kind_prec: cython.int[:]
    unit_prec: cython.int[:]
    known_prec: cython.int[:]
    new_country: cython.int[:]
    id_bit: cython.int[:]
    id_bits: cython.ulonglong
    countries: tuple[str | None, ...]
    admin1: tuple[str | None, ...]
    lead_country: str | None
    lead_is_area: cython.bint
    lead_is_clear: cython.bint

    def __init__(self, candidates: Sequence[Any]) -> None:
        self._candidates = tuple(candidates)
        self.n = len(self._candidates)
        n: cython.int = self.n
        # Two buffers, cut into the columns: taking a typed view of a buffer is what
        # costs, slicing one is free.
        doubles: cython.double[:] = _doubles(4 * n)
        ints: cython.int[:] = _ints(8 * n)
        self.base, self.lat, self.lon = doubles[:n], doubles[n : 2 * n], doubles[2 * n : 3 * n]
        self.least_cos = doubles[3 * n :]
        self.kind, self.order, self.neutral = ints[:n], ints[n : 2 * n], ints[2 * n : 3 * n]
        self.kind_prec, self.unit_prec = ints[3 * n : 4 * n], ints[4 * n : 5 * n]
        self.known_prec, self.id_bit, self.id_bits = ints[5 * n : 6 * n], ints[6 * n : 7 * n], 0
        self.new_country = ints[7 * n :]  # a country other than the last one before it
        # One loop, no generator expressions: a table is made for every name first seen.
        places: list[Any] = []
        ids: list[str] = []
        countries: list[str | None] = []
        admin1: list[str | None] = []
        last_country: str | None = None
        i: cython.int
        for i in range(n):
            candidate = self._candidates[i]
            place = candidate.place
            kind = place.kind
            places.append(place)
            ids.append(place.id)
            country = place.country
            countries.append(country)
            if country:  # the share of the article's countries changes here
                self.new_country[i] = last_country is None or country != last_country
                last_country = country
            admin1.append(place.admin1_id)
            score: cython.double = candidate.score
            self.base[i] = score + 0.04 * _log10(1 + (place.population or 0))
            self.lat[i], self.lon[i] = place.lat, place.lon
            self.least_cos[i] = _least_cos(self.lat[i])
            if kind == "settlement":  # string compares: no dictionary method call
                self.kind[i] = _SETTLEMENT
            elif kind == "admin1":
                self.kind[i] = _ADMIN1
            else:
                self.kind[i] = _AREA
                self.neutral[i] = kind in _NEUTRAL_KINDS
            self.id_bit[i] = _id_bit(place.id)
            self.id_bits |= _BIT_ONE << self.id_bit[i]
        self._places = tuple(places)
        self.ids = frozenset(ids)
        self.place_ids = tuple(ids)
        if n > 1:  # the ids are unique: sorting the numbers by id ranks them
            for rank, i in enumerate(sorted(range(n), key=ids.__getitem__)):
                self.order[i] = rank
        self.countries = tuple(countries)
        self.admin1 = tuple(admin1)
        self.lead_country, self.lead_is_area, self.lead_is_clear = None, False, False
        if n:
            lead = self._candidates[0]
            self.lead_country = lead.place.country
            self.lead_is_area = lead.place.kind in _ARTICLE_AREA_KINDS
            self.lead_is_clear = n == 1 or lead.score - self._candidates[1].score > 0.2

    def __len__(self) -> int:
        return self.n

    @property
    def candidates(self) -> tuple[Any, ...]:
        """The candidates, best prior first."""
        return self._candidates

    @property
    def places(self) -> tuple[Any, ...]:
        """The candidates' places, in the same order."""
        return self._places

    def place(self, i: int) -> Any:
        """The place of candidate ``i``."""
        return self._places[i]

    @cython.cfunc
    def precision(self, i: cython.int, qualifier: Any) -> cython.int:
        """where_prec of candidate ``i`` with ``qualifier``.

        What the place gives is read the first time the candidate is chosen and kept:
        a name's table serves every later article that names it.
        """
        if not self.known_prec[i]:
            place = self._places[i]
            self.kind_prec[i] = _kind_precision(place.kind)
            self.unit_prec[i] = _unit_precision(place.precision)
            self.known_prec[i] = 1
        return _precision(self.kind_prec[i], self.unit_prec[i], qualifier)


@cython.final
@cython.cclass
class Container:
    """The places of one "X, Y" or "X in the Y region" container, ready for container_credit.

    A name followed by the same container is common ("..., Donetsk region"): the
    resolver keeps one of these for each container it has seen, and each candidate is
    then looked up by its country and admin1 unit instead of compared with every place.

    Parameters
    ----------
    boxes
        The container's gazetteer entries (:class:`~geo.types.Place`).
    """

    by_country: dict[str | None, frozenset[str]]
    admin1_ids: frozenset[str]
    settlement_ids: tuple[str, ...]
    n_settlements: cython.int
    lat: cython.double[:]
    lon: cython.double[:]

    def __init__(self, boxes: Sequence[Any]) -> None:
        by_country: dict[str | None, set[str]] = {}  # a country or region holds its country
        admin1_ids: set[str] = set()  # an admin1 unit or region holds its admin1 places
        settlements: list[Any] = []
        for box in boxes:
            kind = _BOX_KINDS.get(box.kind, _BOX_OTHER)
            if kind in (_BOX_COUNTRY, _BOX_REGION):
                by_country.setdefault(box.country, set()).add(box.id)
            if kind in (_BOX_ADMIN1, _BOX_REGION):
                admin1_ids.add(box.id)
            if kind == _BOX_SETTLEMENT:
                settlements.append(box)
        self.by_country = {country: frozenset(ids) for country, ids in by_country.items()}
        self.admin1_ids = frozenset(admin1_ids)
        self.settlement_ids = tuple(box.id for box in settlements)
        self.n_settlements = len(settlements)
        doubles: cython.double[:] = _doubles(2 * self.n_settlements)
        self.lat, self.lon = doubles[: self.n_settlements], doubles[self.n_settlements :]
        b: cython.int
        for b in range(self.n_settlements):
            self.lat[b], self.lon[b] = settlements[b].lat, settlements[b].lon

    @cython.cfunc
    def holds(self, place_id: str, country: str | None, admin1_id: str | None) -> cython.bint:
        """Whether a place other than the candidate itself holds it: country, admin1, region."""
        ids = self.by_country.get(country)
        if ids is not None and (len(ids) > 1 or place_id not in ids):
            return True
        return admin1_id in self.admin1_ids and admin1_id != place_id

    @cython.cfunc
    def near(self, place_id: str, lat: cython.double, lon: cython.double) -> cython.bint:
        """Whether a settlement of the container other than the candidate is within 60 km."""
        b: cython.int
        for b in range(self.n_settlements):
            if (
                abs(lat - self.lat[b]) < _NEAR_BOX_DEGREES
                and self.settlement_ids[b] != place_id
                and _haversine_km(lat, lon, self.lat[b], self.lon[b]) < 60
            ):
                return True
        return False


def container_credit(table: CandidateTable, container: Container) -> array.array[float]:
    """Per candidate, 0.6 x how well it lies in the container ("X, Y", "X in the Y region").

    A candidate inside a country, admin1 unit or region of the container gets 1 (a region
    also holds its whole country's places), one within 60 km of a settlement of it 0.5;
    a place of the container does not hold itself.
    """
    credit = _doubles(table.n)
    i: cython.int
    for i in range(table.n):
        place_id = table.place_ids[i]
        if container.holds(place_id, table.countries[i], table.admin1[i]):
            credit[i] = 0.6
        elif container.near(place_id, table.lat[i], table.lon[i]):
            credit[i] = 0.6 * 0.5
    return credit


_NEAR_BOX_DEGREES = cython.declare(cython.double, 0.6)
"""A place further than this in latitude from a settlement is more than 60 km from it.

On the sphere the distance is at least the difference in latitude (6371 km x 0.6
degrees is 66.7 km): the haversine need not be taken, and the margin is far above
any rounding."""

_TWO = cython.declare(cython.double, 2.0)
"""A variable, so that the C compiler cannot turn ``pow(x, 2)`` into ``x * x``."""


@cython.cfunc
@cython.inline
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _square(x: cython.double) -> cython.double:
    """Python's ``x ** 2``: the C library's ``pow(|x|, 2)``, which ``x * x`` is not always."""
    return cmath.pow(cmath.fabs(x), _TWO)


@cython.cfunc
@cython.exceptval(check=False)  # C arithmetic: raises nothing
def _haversine_km(
    lat1: cython.double, lon1: cython.double, lat2: cython.double, lon2: cython.double
) -> cython.double:
    """:func:`geo.gazetteer.haversine_km` to the last bit, with the C library's functions.

    Python's ``math`` calls the same C functions (and ``x ** 2`` is :func:`_square`).
    """
    if not cython.compiled:
        return haversine_km(lat1, lon1, lat2, lon2)
    p1: cython.double = lat1 * _DEG_TO_RAD
    p2: cython.double = lat2 * _DEG_TO_RAD
    dp: cython.double = p2 - p1
    dl: cython.double = (lon2 - lon1) * _DEG_TO_RAD
    a: cython.double = _square(cmath.sin(dp / 2)) + cmath.cos(p1) * cmath.cos(p2) * _square(
        cmath.sin(dl / 2)
    )
    root: cython.double = cmath.sqrt(a)
    return 2 * 6371.0088 * cmath.asin(root if root < 1.0 else 1.0)


@cython.cfunc
def _better(
    score: cython.double[:], a: cython.int, b: cython.int, table: CandidateTable, off: cython.int
) -> cython.bint:
    """Whether candidate ``a`` ranks above ``b``: higher score, then smaller id."""
    if score[off + a] != score[off + b]:
        return score[off + a] > score[off + b]
    return table.order[a] < table.order[b]


@cython.final
@cython.cclass
class _Anchors:
    """The anchors of one article: each mention's first-pass best settlement or admin1."""

    n: cython.int
    pos: cython.int[:]
    start: cython.int[:]
    kind: cython.int[:]
    lat: cython.double[:]
    lon: cython.double[:]
    ids: list[str]
    bit: cython.int[:]
    far: cython.int[:]
    n_far: cython.int

    @cython.cfunc
    def use(self, ints: cython.int[:], doubles: cython.double[:], n: cython.int) -> cython.void:
        """Room for ``n`` anchors: ``4 n`` ints and the far ones' in ``ints``, ``2 n`` doubles."""
        self.n = 0
        self.pos, self.start, self.kind = ints[:n], ints[n : 2 * n], ints[2 * n : 3 * n]
        self.bit, self.far = ints[3 * n : 4 * n], ints[4 * n :]
        self.lat, self.lon = doubles[:n], doubles[n : 2 * n]
        self.ids = []
        self.n_far = 0

    @cython.ccall
    def add(self, pos: cython.int, start: cython.int, table: CandidateTable, i: cython.int) -> None:
        k: cython.int = self.n
        self.pos[k], self.start[k], self.kind[k] = pos, start, table.kind[i]
        self.lat[k], self.lon[k] = table.lat[i], table.lon[i]
        self.ids.append(table.place_ids[i])
        self.bit[k] = table.id_bit[i]
        self.n = k + 1

    @cython.ccall
    def choose_far(self) -> None:
        """The first ``FAR_ANCHORS`` distinct places, weighed by every mention of a long list."""
        seen: set[str] = set()
        k: cython.int
        for k in range(self.n):
            if self.n_far >= FAR_ANCHORS:
                break
            if self.ids[k] not in seen:
                seen.add(self.ids[k])
                self.far[self.n_far] = k
                self.n_far += 1


@cython.final
@cython.cclass
class _Pool:
    """The anchors one mention is weighed against, sorted by kind, with their weights.

    :meth:`fill` keeps the settlement anchors' coordinates and the admin1 anchors' numbers
    in columns of their own, so that :meth:`coherence` and :meth:`admin1`, which run for
    every candidate, read only the anchors they weigh.
    """

    anchors: _Anchors
    n: cython.int
    n_settlements: cython.int
    lat: cython.double[:]
    lon: cython.double[:]
    weight: cython.double[:]
    n_admin1: cython.int
    admin1_at: cython.int[:]
    admin1_weight: cython.double[:]
    south: cython.double
    north: cython.double

    @cython.cfunc
    def use(
        self, anchors: _Anchors, ints: cython.int[:], doubles: cython.double[:], size: cython.int
    ) -> cython.void:
        """Room for ``size`` anchors of ``anchors``, in ``ints`` and ``doubles``."""
        self.anchors = anchors
        self.n, self.n_settlements, self.n_admin1 = 0, 0, 0
        self.lat, self.lon = doubles[:size], doubles[size : 2 * size]
        self.weight = doubles[2 * size : 3 * size]
        self.admin1_weight = doubles[3 * size : 4 * size]
        self.admin1_at = ints[:size]

    @cython.cfunc
    def fill(self, pos: cython.int, start: cython.int, own: CandidateTable) -> cython.void:
        """Keep the anchors of the other mentions that are not one of ``own``'s places."""
        anchors: _Anchors = self.anchors
        self.n, self.n_settlements, self.n_admin1 = 0, 0, 0
        self.south, self.north = math.inf, -math.inf
        if anchors.n <= MAX_ANCHORS:
            self._take(0, anchors.n, pos, start, own)
            return
        lo: cython.int = _bisect(anchors.start, anchors.n, start - NEAR_CHARS + 1, False)
        hi: cython.int = _bisect(anchors.start, anchors.n, start + NEAR_CHARS - 1, True)
        self._take(lo, hi, pos, start, own)
        k: cython.int
        for k in range(anchors.n_far):
            self._take(anchors.far[k], anchors.far[k] + 1, pos, start, own)

    @cython.cfunc
    @cython.boundscheck(False)  # k < anchors.n, and the pool's columns hold every anchor
    @cython.wraparound(False)
    @cython.initializedcheck(False)  # use() sets every column
    def _take(
        self,
        lo: cython.int,
        hi: cython.int,
        pos: cython.int,
        start: cython.int,
        own: CandidateTable,
    ) -> cython.void:
        anchors: _Anchors = self.anchors
        k: cython.int
        j: cython.int
        weight: cython.double
        for k in range(lo, hi):
            if anchors.pos[k] == pos or (
                own.id_bits >> anchors.bit[k] & 1 and anchors.ids[k] in own.ids
            ):
                continue
            weight = 1.0 if abs(anchors.start[k] - start) < NEAR_CHARS else FAR_WEIGHT
            self.n += 1
            if anchors.kind[k] == _SETTLEMENT:
                j = self.n_settlements
                self.lat[j], self.lon[j], self.weight[j] = anchors.lat[k], anchors.lon[k], weight
                self.n_settlements = j + 1
                self.south = min(self.south, anchors.lat[k])
                self.north = max(self.north, anchors.lat[k])
            else:  # an admin1 unit: the first pass makes no other anchors
                j = self.n_admin1
                self.admin1_at[j], self.admin1_weight[j] = k, weight
                self.n_admin1 = j + 1

    @cython.cfunc
    @cython.boundscheck(False)  # j < n_settlements, the filled part of the columns
    @cython.wraparound(False)
    @cython.initializedcheck(False)  # use() sets every column
    @cython.cdivision(True)  # COHERENCE_KM is not 0
    def coherence(
        self, lat: cython.double, lon: cython.double, least_cos: cython.double
    ) -> cython.double:
        """Max over settlement anchors of weight x (1 - distance / 250 km), floored at 0.

        Distances are equirectangular: exact enough within the 250 km radius that counts.
        Anchors that cannot raise the maximum are skipped before any distance is taken:
        one whose weight is no more than the best credit so far (the credit is at most
        the weight, after rounding too), and one whose latitude or longitude difference
        alone is 250 km (the distance is at least that: ``hypot(a, b) >= |a|`` holds after
        rounding too). The longitude test first uses ``least_cos``, a lower bound of the
        cosine (:func:`_least_cos` of ``lat``), and takes the anchor's own cosine only for
        the anchors that bound leaves. Those two differences also bound the distance from
        below (``least_km``), and so the credit from above: an anchor whose bound is no
        more than the best credit so far is skipped too.

        A place 250 km south of the southernmost anchor (or north of the northernmost) is
        that far from every anchor: its difference in latitude with any other is at least
        as large, after rounding too, so each anchor would be skipped and 0 is the answer.
        """
        best: cython.double = 0.0
        j: cython.int
        dlat: cython.double
        dlon: cython.double
        km: cython.double
        least_km: cython.double
        credit: cython.double
        if lat < self.south and _KM_PER_DEGREE * abs(lat - self.south) >= COHERENCE_KM:
            return 0.0
        if lat > self.north and _KM_PER_DEGREE * abs(lat - self.north) >= COHERENCE_KM:
            return 0.0
        for j in range(self.n_settlements):
            if self.weight[j] <= best:
                continue
            dlat = lat - self.lat[j]
            least_km = _KM_PER_DEGREE * abs(dlat)
            if least_km >= COHERENCE_KM:
                continue
            dlon = abs(lon - self.lon[j])
            if dlon >= 360.0:  # fmod returns a smaller value unchanged
                dlon = _fmod(dlon, 360.0)
            dlon = min(dlon, 360.0 - dlon)
            least_km = max(least_km, _KM_PER_DEGREE * (dlon * least_cos))
            if least_km >= COHERENCE_KM:  # then so is the longitude test below
                continue
            if self.weight[j] * (1.0 - least_km / COHERENCE_KM) <= best:  # nearer ones first
                continue
            dlon = dlon * _cos((lat + self.lat[j]) / 2 * _DEG_TO_RAD)
            if _KM_PER_DEGREE * abs(dlon) >= COHERENCE_KM:  # as for the latitude
                continue
            km = _KM_PER_DEGREE * _hypot(dlat, dlon)
            credit = self.weight[j] * max(1.0 - km / COHERENCE_KM, 0.0)
            best = max(best, credit)
        return best

    @cython.cfunc
    @cython.boundscheck(False)  # j < n_admin1, the filled part of the columns
    @cython.wraparound(False)
    @cython.initializedcheck(False)  # use() sets every column
    def admin1(self, admin1_id: str | None) -> cython.double:
        """The largest weight of an admin1 anchor with id ``admin1_id``, else 0."""
        ids: list[str] = self.anchors.ids
        best: cython.double = 0.0
        j: cython.int
        if not admin1_id:
            return 0.0
        for j in range(self.n_admin1):
            if _same_id(ids[self.admin1_at[j]], admin1_id):
                best = max(best, self.admin1_weight[j])
        return best


@cython.cfunc
def _bisect(values: cython.int[:], n: cython.int, x: cython.int, right: cython.bint) -> cython.int:
    """``bisect_left`` (or ``bisect_right``) of ``x`` in the sorted ``values[:n]``."""
    lo: cython.int = 0
    hi: cython.int = n
    mid: cython.int
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] < x or (right and values[mid] == x):
            lo = mid + 1
        else:
            hi = mid
    return lo


def evidence(
    toponyms: Sequence[Any],
    names: dict[str, CandidateTable | None],
    admin_names: dict[str, CandidateTable | None],
    lookup: Callable[[str, bool], CandidateTable | None],
    credits: dict[tuple[str, str, tuple[int, ...]], array.array[float]],
    credit_of: Callable[[Any, CandidateTable], array.array[float]],
) -> tuple[list[CandidateTable | None], list[array.array[float] | None]]:
    """Each toponym's candidate table and container credit, from the resolver's caches.

    Parameters
    ----------
    toponyms
        The article's :class:`~geo.toponyms.Toponym` objects.
    names, admin_names
        The tables of the names seen so far by key, for "the X region" (kind ``"admin"``,
        admin units first) and for the other kinds; a name not there is looked up with
        ``lookup(key, admin)`` and kept.
    credits
        Container credits by ``(key, kind, container)``; ``credit_of(toponym, table)``
        makes (and keeps) one that is not there.

    Returns
    -------
    tables, containers
        As :func:`rank_article` takes them: ``None`` for demonyms and unknown names, and
        for toponyms without a container.
    """
    tables: list[CandidateTable | None] = []
    containers: list[array.array[float] | None] = []
    table: CandidateTable | None
    top: tuple[Any, ...]
    for toponym in toponyms:
        top = _toponym(toponym)
        kind = top[_KIND]
        table = None
        if not _is(kind, "demonym"):
            admin: cython.bint = _is(kind, "admin")
            cache = admin_names if admin else names
            key = top[_KEY]  # the key is how the gazetteer looks the text up
            found: Any = cache.get(key, _UNSEEN)
            if found is _UNSEEN:  # a name not seen before (or since the cache was cleared)
                found = cache[key] = lookup(key, admin)
            table = found
        tables.append(table)
        credit = None
        if table is not None:
            container = top[_CONTAINER]
            if container:
                credit = credits.get((top[_KEY], kind, container))
                if credit is None:
                    credit = credit_of(top, table)
        containers.append(credit)
    return tables, containers


_UNSEEN = object()
"""What :func:`evidence` finds for a name the resolver has not looked up."""


def rank_article(
    toponyms: Sequence[Any],
    tables: Sequence[CandidateTable | None],
    containers: Sequence[array.array[float] | None],
) -> list[Ranked | None]:
    """Rank every mention's candidates; ``None`` for a mention without candidates.

    Parameters
    ----------
    toponyms
        The article's :class:`~geo.toponyms.Toponym` objects, sorted by start.
    tables
        Each toponym's candidates (``None`` for demonyms and unknown names); mentions of
        one name and kind must share one table.
    containers
        Per toponym, the container credit of each candidate (already x 0.6), or ``None``.
    """
    return _Ranking(toponyms, tables, containers).run()


def country_context(
    toponyms: Sequence[Any], tables: Sequence[CandidateTable | None]
) -> dict[str, float]:
    """How strongly the article is about each country (ISO code -> weight).

    A demonym counts 1; a country, admin1 unit or region 1 (2 in the dateline); any other
    place 0.5 (1.5 in the dateline) when its name has one clear reading.
    """
    weights: dict[str, float] = {}
    table: CandidateTable | None
    pos: cython.int
    top: tuple[Any, ...]
    for pos in range(len(toponyms)):
        top = _toponym(toponyms[pos])
        country = top[_COUNTRY]
        if _is(top[_KIND], "demonym") and country:
            if ":" not in country:
                weights[country] = weights.get(country, 0.0) + 1
            continue
        table = tables[pos]
        if table is None or table.lead_country is None:
            continue
        country = table.lead_country
        if table.lead_is_area:
            weights[country] = weights.get(country, 0.0) + (2 if top[_DATELINE] else 1)
        elif table.lead_is_clear:
            weights[country] = weights.get(country, 0.0) + (1.5 if top[_DATELINE] else 0.5)
    return weights


@cython.final
@cython.cclass
class _Ranking:
    toponyms: Sequence[Any]
    tables: list[CandidateTable | None]
    countries: dict[str, float]
    has_countries: cython.bint
    total: cython.double
    containers: Sequence[array.array[float] | None]
    offsets: cython.int[:]
    lead: cython.int[:]
    prior: cython.double[:]
    score: cython.double[:]
    anchors: _Anchors
    pool: _Pool

    def __init__(
        self,
        toponyms: Sequence[Any],
        tables: Sequence[CandidateTable | None],
        containers: Sequence[array.array[float] | None],
    ) -> None:
        self.toponyms, self.tables, self.containers = toponyms, list(tables), containers
        countries = country_context(toponyms, tables)
        self.countries = countries
        self.has_countries = bool(countries)
        self.total = sum(countries.values()) or 1.0
        # Two buffers for the article, cut into every column of the ranking, its anchors
        # and its pool: taking a typed view of a buffer is what costs, slicing one is free.
        n: cython.int = len(self.tables)
        room: cython.int = n + min(n, FAR_ANCHORS)  # the pool's: near anchors and far ones
        ints: cython.int[:] = _ints(5 * n + 1 + 2 * room)
        offsets: cython.int[:] = ints[: n + 1]
        size: cython.int = 0
        pos: cython.int
        table: CandidateTable | None
        for pos in range(n):
            offsets[pos] = size
            table = self.tables[pos]
            size += table.n if table is not None else 0
        offsets[n] = size
        self.offsets, self.lead = offsets, ints[n + 1 : 2 * n + 1]
        doubles: cython.double[:] = _doubles(2 * size + 2 * n + 4 * room)
        self.prior, self.score = doubles[:size], doubles[size : 2 * size]
        self.anchors = _Anchors.__new__(_Anchors)
        self.anchors.use(ints[2 * n + 1 : 5 * n + 1 + room], doubles[2 * size :], n)
        self.pool = _Pool.__new__(_Pool)
        self.pool.use(self.anchors, ints[5 * n + 1 + room :], doubles[2 * size + 2 * n :], room)

    @cython.ccall
    def run(self) -> list[Ranked | None]:
        anchors = self._first_pass()
        self._second_pass(anchors)
        return self._one_sense()

    @cython.cfunc
    def _first_pass(self) -> _Anchors:
        """Score by prior and article context; each mention's best anchor-kind place."""
        anchors: _Anchors = self.anchors
        pos: cython.int
        i: cython.int
        best: cython.int
        direction: cython.bint
        table: CandidateTable | None
        top: tuple[Any, ...]
        for pos in range(len(self.tables)):
            table = self.tables[pos]
            if table is None:
                continue
            self._priors(pos, table)
            top = _toponym(self.toponyms[pos])
            direction = _is(top[_KIND], "direction")
            off: cython.int = self.offsets[pos]
            for i in range(table.n):
                self.score[off + i] = self.prior[off + i]
                if direction and table.kind[i] != _SETTLEMENT:
                    self.score[off + i] -= 0.3
            best = 0
            for i in range(1, table.n):
                if _better(self.score, i, best, table, off):
                    best = i
            if table.kind[best] != _AREA:
                anchors.add(pos, top[_START], table, best)
        if anchors.n > MAX_ANCHORS:
            anchors.choose_far()
        return anchors

    @cython.cfunc
    def _priors(self, pos: cython.int, table: CandidateTable) -> cython.void:
        """Prior, population, country agreement and container, in that order."""
        off: cython.int = self.offsets[pos]
        bonus = self.containers[pos]
        i: cython.int
        s: cython.double
        share: cython.double = 0.0
        for i in range(table.n):
            s = table.base[i]
            country = table.countries[i]
            if country and self.has_countries:
                if table.new_country[i]:  # a name's candidates mostly share one country
                    weight = cython.cast(cython.double, self.countries.get(country, 0.0))
                    share = 0.35 * weight / self.total
                s += share
            elif country is None and table.neutral[i]:
                s += 0.15  # no country to agree with the article: a neutral share
            if bonus is not None:
                s += cython.cast(cython.double, bonus[i])
            self.prior[off + i] = s

    @cython.cfunc
    def _second_pass(self, anchors: _Anchors) -> cython.void:
        """Add coherence with the anchors of the other mentions."""
        pool: _Pool = self.pool
        pos: cython.int
        i: cython.int
        s: cython.double
        direction: cython.bint
        table: CandidateTable | None
        top: tuple[Any, ...]
        for pos in range(len(self.tables)):
            table = self.tables[pos]
            if table is None:
                continue
            top = _toponym(self.toponyms[pos])
            direction = _is(top[_KIND], "direction")
            pool.fill(pos, top[_START], table)
            off: cython.int = self.offsets[pos]
            for i in range(table.n):
                s = self.prior[off + i]
                if pool.n and table.kind[i] != _SETTLEMENT:
                    s += AREA_COHERENCE  # areas hold their neighbours; no distance to weigh
                elif pool.n:
                    s += 0.35 * pool.coherence(table.lat[i], table.lon[i], table.least_cos[i])
                    s += 0.2 * pool.admin1(table.admin1[i])
                if direction and table.kind[i] != _SETTLEMENT:
                    s -= 0.3
                self.score[off + i] = s

    @cython.cfunc
    def _one_sense(self) -> list[Ranked | None]:
        """All mentions of a name and kind take the order of their summed scores.

        Most articles name each place once: each mention then leads itself, and its own
        scores are the sums (the order treats ``0.0 + -0.0`` and ``-0.0`` alike).
        """
        n: cython.int = len(self.tables)
        lead: cython.int[:] = self.lead
        sums: cython.double[:] = self.score
        keys: set[str] = set()
        named: cython.int = 0
        pos: cython.int
        for pos in range(n):
            lead[pos] = pos
            if self.tables[pos] is not None:
                keys.add(_toponym(self.toponyms[pos])[_KEY])
                named += 1
        if len(keys) < named:  # some name is named twice
            self._lead_by_name(lead)
            sums = self._sums(lead)
        out: list[Ranked | None] = []
        table: CandidateTable | None
        for pos in range(n):
            table = self.tables[pos]
            out.append(None if table is None else self._top_two(pos, table, lead[pos], sums))
        return out

    @cython.cfunc
    def _lead_by_name(self, lead: cython.int[:]) -> cython.void:
        """Point each mention at the first mention of its name and kind."""
        leader: dict[tuple[str, str], int] = {}
        pos: cython.int
        top: tuple[Any, ...]
        for pos in range(len(self.tables)):
            if self.tables[pos] is not None:
                top = _toponym(self.toponyms[pos])
                lead[pos] = leader.setdefault((top[_KEY], top[_KIND]), pos)

    @cython.cfunc
    def _sums(self, lead: cython.int[:]) -> cython.double[:]:
        """Each name's summed scores, kept at its leading mention's candidates."""
        sums: cython.double[:] = _doubles(self.offsets[len(self.tables)])
        pos: cython.int
        i: cython.int
        first: cython.int
        table: CandidateTable | None
        for pos in range(len(self.tables)):
            table = self.tables[pos]
            if table is None:
                continue
            first = lead[pos]
            if self.tables[first] is not table:  # resolve looks each name up once per article
                msg = f"mentions of {self.toponyms[pos].key!r} were given different candidates"
                raise AssertionError(msg)
            for i in range(table.n):
                sums[self.offsets[first] + i] += self.score[self.offsets[pos] + i]
        return sums

    @cython.cfunc
    def _top_two(
        self, pos: cython.int, table: CandidateTable, first: cython.int, sums: cython.double[:]
    ) -> tuple:
        off: cython.int = self.offsets[pos]
        total_off: cython.int = self.offsets[first]
        best: cython.int = -1
        runner: cython.int = -1
        i: cython.int
        for i in range(table.n):
            if best < 0 or self._above(i, best, table, off, total_off, sums):
                runner, best = best, i
            elif runner < 0 or self._above(i, runner, table, off, total_off, sums):
                runner = i
        runner_score = self.score[off + runner] if runner >= 0 else 0.0
        return (best, self.score[off + best], runner, runner_score)

    @cython.cfunc
    def _above(
        self,
        a: cython.int,
        b: cython.int,
        table: CandidateTable,
        off: cython.int,
        total_off: cython.int,
        sums: cython.double[:],
    ) -> cython.bint:
        """Order of one sense: summed score, then own score, then id."""
        if sums[total_off + a] != sums[total_off + b]:
            return sums[total_off + a] > sums[total_off + b]
        return _better(self.score, a, b, table, off)


def where_prec(place: Any, qualifier: str | None = None) -> int:
    """UCDP-style where_prec of a resolved place and its spatial qualifier.

    See :func:`geo.resolve.where_prec`.
    """
    return _where_prec(place, qualifier)


@cython.cfunc
def _where_prec(place: Any, qualifier: str | None) -> cython.int:
    return _precision(_kind_precision(place.kind), _unit_precision(place.precision), qualifier)


@cython.cfunc
def _kind_precision(kind: Any) -> cython.int:
    """where_prec of a place of this kind whatever its qualifier (a continent...), else 0."""
    precision: cython.int = _KIND_PRECISION.get(kind, 0)
    return precision


@cython.cfunc
def _unit_precision(precision: Any) -> cython.int:
    """where_prec of a place known only to its unit (hromada, raion, admin1), else 0."""
    if _is(precision, "hromada") or _is(precision, "raion"):
        return 3
    if _is(precision, "admin1"):
        return 4
    return 0


@cython.cfunc
def _precision(kind: cython.int, unit: cython.int, qualifier: Any) -> cython.int:
    """where_prec from a place's :func:`_kind_precision` and :func:`_unit_precision`."""
    if kind:
        return kind
    if qualifier is None:  # most names: neither "direction" nor a "near" word
        return unit or 1
    if _is(qualifier, "direction"):
        return 4
    if unit:
        return unit
    if qualifier in _NEAR_QUALIFIERS:
        return 2
    return 1


def mentions(
    toponyms: Sequence[Any],
    tables: Sequence[CandidateTable | None],
    ranked: Sequence[Ranked | None],
    entry: Callable[[str], Any],
) -> list[Mention]:
    """Each toponym as a :class:`~geo.types.Mention` of the place its ranking chose.

    Parameters
    ----------
    toponyms, tables
        As for :func:`rank_article`.
    ranked
        What :func:`rank_article` returned for them.
    entry
        Looks a gazetteer id up (``None`` when there is no such entry): a demonym takes
        its country's entry, "the X region" the admin1 unit of a settlement named X.
    """
    out: list[Mention] = []
    countries: dict[str, Any] = {}  # the entries of the demonyms' countries, by code
    pos: cython.Py_ssize_t
    top: tuple[Any, ...]
    for pos in range(len(toponyms)):
        top = _toponym(toponyms[pos])
        if _is(top[_KIND], "demonym"):
            out.append(_demonym(top, entry, countries))
        elif tables[pos] is None or ranked[pos] is None:
            out.append(_mention(top[_START], top[_END], top[_TEXT], None, "other", 0.0, None,
                               None, None, top[_QUALIFIER]))  # fmt: skip
        else:
            out.append(_resolved(top, tables[pos], ranked[pos], entry))
    return out


MENTION_FIELDS = (
    "start", "end", "text", "place", "role", "score", "precision",
    "runner_up", "runner_up_score", "qualifier",
)  # fmt: skip
"""The fields :func:`_mention` sets, in :class:`~geo.types.Mention`'s order."""


@cython.cfunc
def _mention(
    start: Any,
    end: Any,
    text: Any,
    place: Any,
    role: Any,
    score: Any,
    precision: Any,
    runner_up: Any,
    runner_up_score: Any,
    qualifier: Any,
) -> Mention:
    """``Mention(start, end, ...)``, made from C when compiled.

    A frozen dataclass's own ``__init__`` sets each field with ``object.__setattr__``,
    which looks the field's slot up through the class every time. Compiled, this makes
    the object with the class's ``tp_new`` (what ``Mention.__new__(Mention)`` calls) and
    sets each slot through its own descriptor (:data:`_MENTION_SLOTS`, what
    ``object.__setattr__`` finds): no Python frame, no lookups, about 600 instructions a
    record instead of 4,000, for every name of every article. It holds while
    :class:`~geo.types.Mention` has exactly :data:`MENTION_FIELDS`, as slots, and no
    ``__post_init__``, which tests/test_ranking.py checks. Plain Python calls the
    constructor, so the tests comparing the compiled module with its source compare the
    records made both ways too.
    """
    if not cython.compiled:
        return Mention(start, end, text, place, role, score, precision, runner_up,
                       runner_up_score, qualifier)  # fmt: skip
    mention = _new_record(Mention)
    slots: tuple[Any, ...] = _MENTION_SLOTS
    _set_slot(slots[0], mention, start)
    _set_slot(slots[1], mention, end)
    _set_slot(slots[2], mention, text)
    _set_slot(slots[3], mention, place)
    _set_slot(slots[4], mention, role)
    _set_slot(slots[5], mention, score)
    _set_slot(slots[6], mention, precision)
    _set_slot(slots[7], mention, runner_up)
    _set_slot(slots[8], mention, runner_up_score)
    _set_slot(slots[9], mention, qualifier)
    return mention


_MENTION_SLOTS = slots(Mention, MENTION_FIELDS)
"""The slot descriptor of each field of :class:`~geo.types.Mention`, in :data:`MENTION_FIELDS`'s
order."""
_NO_ARGS = ()


@cython.cfunc
def _new_record(cls: Any) -> Any:
    """``cls.__new__(cls)``, by the class's ``tp_new`` (compiled only)."""
    return cython.cast(cython.pointer(PyTypeObject), cls).tp_new(
        cls, cython.cast(cython.pointer(PyObject), _NO_ARGS), cython.NULL
    )


@cython.cfunc
@cython.inline
@cython.exceptval(-1)
def _set_slot(slot: Any, record: Any, value: Any) -> cython.int:
    """``slot.__set__(record, value)``, by the descriptor's ``tp_descr_set`` (compiled only)."""
    return Py_TYPE(slot).tp_descr_set(slot, record, value)


@cython.cfunc
def _demonym(
    top: tuple[Any, ...], entry: Callable[[str], Any], countries: dict[str, Any]
) -> Mention:
    """The mention of a demonym: its country, looked up once per article in ``countries``."""
    code = top[_COUNTRY]
    place = None
    if code:
        if code in countries:
            place = countries[code]
        else:
            place = countries[code] = entry(code if ":" in code else f"adm0:{code}")
    if place is None:
        return _mention(
            top[_START], top[_END], top[_TEXT], None, "demonym", 0.0, None, None, None, None
        )
    return _mention(top[_START], top[_END], top[_TEXT], place, "demonym", 1.0, 6, None, None, None)


@cython.cfunc
def _resolved(
    top: tuple[Any, ...], table: CandidateTable, ranked: tuple, entry: Callable[[str], Any]
) -> Mention:
    """The mention of a toponym whose candidates were ranked."""
    best: cython.int = ranked[0]
    second: cython.int = ranked[2]
    best_score: cython.double = ranked[1]
    second_score: cython.double = ranked[3]
    place = table._places[best]
    qualifier = top[_QUALIFIER]
    precision: cython.int
    if _is(top[_KIND], "admin") and table.kind[best] == _SETTLEMENT and place.admin1_id:
        place = entry(place.admin1_id) or place
    if place is table._places[best]:  # its where_prec is the table's, worked out once
        precision = table.precision(best, qualifier)
    else:
        precision = _where_prec(place, qualifier)
    runner = table._places[second] if second >= 0 else None
    margin: cython.double = 1.0
    if runner is not None and second_score > 0:
        margin = best_score / (best_score + second_score)
    confidence: cython.double = max(0.0, min(1.0, margin * min(1.0, best_score)))
    runner_score = None
    if runner is not None and best_score + second_score > 0:
        runner_score = round4(second_score / (best_score + second_score))
    return _mention(top[_START], top[_END], top[_TEXT], place, _role(top[_ROLE_HINT], place),
                   round4(confidence), precision, runner, runner_score,
                   qualifier)  # fmt: skip


@cython.cfunc
def _role(hint: str | None, place: Any) -> str:
    if _is(hint, "other"):
        return "other"
    if _is(hint, "origin"):
        return "origin"
    if _is(hint, "metonym") and (_is(place.kind, "country") or place.capital):
        return "metonym"
    return "location"
