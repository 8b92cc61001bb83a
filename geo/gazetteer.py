"""The bundled offline gazetteer: name lookup, ranked candidates, reverse lookup, a geocoder.

Three GeoParquet/Parquet files in :data:`geo.settings.data_dir` (built by
``gazetteer/build.py``): ``places.parquet`` (one row per entry), ``names.parquet`` (the
name index: normalised key -> row, sorted by key) and ``areas.parquet`` (country, admin1
and region polygons). Loading reads the columns with pyarrow and searches the sorted key
column by bisection, so a new process answers its first query in well under a second;
polygons are read only when :meth:`Gazetteer.reverse` or :meth:`Gazetteer.geometry` needs
them.

Examples
--------
>>> from geo.gazetteer import get_gazetteer
>>> best = get_gazetteer().candidates("Mykolaiv")[0]  # doctest: +SKIP
>>> best.place.admin1, round(best.place.lat, 2)  # doctest: +SKIP
('Mykolaiv Oblast', 46.98)
"""

from __future__ import annotations

import array
import bisect
import dataclasses
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast, get_args, overload

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from geo import settings
from geo._errors import GazetteerError, InputError
from geo.columns import build, column, record, slots, values_buffer
from geo.priors import prior, score_rows
from geo.types import Candidate, Place, PlaceKind

if TYPE_CHECKING:
    import geopandas as gpd
    from geopy.location import Location
    from shapely.geometry.base import BaseGeometry

__all__ = [
    "MAX_NAME_LENGTH",
    "Gazetteer",
    "OfflineGeocoder",
    "ReverseResult",
    "get_gazetteer",
    "normalize_name",
]

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
"""Longest name :meth:`Gazetteer.candidates` accepts; the longest gazetteer name is shorter."""

_APOSTROPHES = re.compile(r"['’ʼ`´ʻ‘′]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_]+")
_FILES = ("places.parquet", "names.parquet", "areas.parquet")
_FLAGS = frozenset({"occupied", "is_capital"})
"""Columns of flags: a missing flag reads as ``False``."""
_PLACE_COLUMNS = (
    "id", "name", "kind", "lat", "lon", "country", "admin1", "population", "precision",
    "admin1_id", "occupied", "katottg", "hromada", "raion",
)  # fmt: skip
_PLACE_FIELDS = slots(Place, [field.name for field in dataclasses.fields(Place)])
_CANDIDATE_FIELDS = slots(Candidate, [field.name for field in dataclasses.fields(Candidate)])
_KINDS = frozenset(get_args(PlaceKind))

_Reader = Callable[[int], Any]
"""Reads the Python value at one index of an Arrow array."""


def normalize_name(name: str) -> str:
    """Return the lookup key of a place name.

    NFKD-decompose, drop combining marks and format characters, casefold, drop
    apostrophes, turn hyphens and runs of whitespace into one space, strip.

    Parameters
    ----------
    name
        Any place name, in any script.

    Returns
    -------
    str
        The key; the empty string when nothing is left.

    Examples
    --------
    >>> normalize_name("  Kam'yans'ke ")
    'kamyanske'
    >>> normalize_name("Ivano-Frankivsk"), normalize_name("São   Paulo")
    ('ivano frankivsk', 'sao paulo')
    >>> normalize_name("Знам’янка") == normalize_name("ЗНАМ'ЯНКА")
    True
    >>> normalize_name("İstanbul"), normalize_name("Straße")
    ('istanbul', 'strasse')
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(
        char
        for char in text
        if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )
    text = _APOSTROPHES.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def _validate_name(name: object) -> str:
    """Return ``name`` if it can be looked up; raise :class:`InputError` otherwise."""
    if not isinstance(name, str):
        msg = f"a place name must be a str, got {type(name).__name__} {name!r:.80}"
        raise InputError(msg)
    if len(name) > MAX_NAME_LENGTH:
        msg = (
            f"place name of {len(name)} characters is too long to be a place name "
            f"(at most {MAX_NAME_LENGTH}); pass the name, not the text: {name[:40]!r}..."
        )
        raise InputError(msg)
    bad = sorted({c for c in name if unicodedata.category(c) == "Cc" and not c.isspace()})
    if bad:
        msg = (
            f"place name {name[:60]!r} contains control characters {bad!r}; "
            "strip them before the lookup"
        )
        raise InputError(msg)
    return name


class ReverseResult(TypedDict):
    """What :meth:`Gazetteer.reverse` returns: the units containing (or nearest to) a point."""

    lat: float
    lon: float
    country_id: str | None
    country: str | None
    admin1_id: str | None
    admin1: str | None
    occupied: bool
    distance_km: float  # 0.0 inside a polygon, else distance to the nearest one used


class _ArrowStrings(Sequence[str]):
    """A read-only ``Sequence[str]`` view over a pyarrow string array, for :mod:`bisect`."""

    def __init__(self, array: pa.Array) -> None:
        self._array = array
        self._read = column(array)

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return cast("list[str]", self._array[index].to_pylist())
        return cast("str", self._read(index))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres.

    Examples
    --------
    >>> round(haversine_km(50.45, 30.52, 51.50, 31.29))  # Kyiv to Chernihiv
    129
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _fast(read: _Reader) -> _Reader:
    """``read``, or the same reader's ``at`` method, which compiled callers call for less."""
    return cast("_Reader", getattr(read, "at", read))


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


class Gazetteer:
    """The bundled gazetteer, loaded from a folder of Parquet files.

    Use :meth:`load` (or :func:`get_gazetteer` for a shared, cached instance) rather than
    the constructor.

    Parameters
    ----------
    data_dir
        Folder holding ``places.parquet``, ``names.parquet`` and ``areas.parquet``.
    names, places
        The loaded tables (names sorted by key, places sorted by id).
    """

    def __init__(self, data_dir: Path, names: pa.Table, places: pa.Table) -> None:
        self.data_dir = data_dir
        self._key_array = _column(names, "key")
        self._keys: Sequence[str] = _ArrowStrings(self._key_array)
        self._name_rows = _column(names, "row")
        self._name_surface = _column(names, "name")
        self._name_source = _column(names, "source")
        self._places = places
        self._size = places.num_rows
        self._cols = {name: _column(places, name) for name in places.column_names}
        self._ids = _ArrowStrings(self._cols["id"])
        self._distinct_keys: tuple[str, ...] | None = None
        self._areas: dict[str, Any] | None = None

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, data_dir: str | Path | None = None) -> Gazetteer:
        """Load the gazetteer files from ``data_dir``.

        Parameters
        ----------
        data_dir
            Folder with the three Parquet files; ``None`` uses :data:`geo.settings.data_dir`.

        Returns
        -------
        Gazetteer
            The loaded gazetteer. Polygons are read later, on first use.

        Raises
        ------
        GazetteerError
            If a file is missing or cannot be read.
        """
        folder = Path(settings.data_dir if data_dir is None else data_dir)
        missing = [name for name in _FILES if not (folder / name).is_file()]
        if missing:
            msg = (
                f"gazetteer files {missing!r} not found in {str(folder)!r}; "
                "rebuild them with `python gazetteer/build.py` or point "
                "geo.settings.data_dir at a folder that has them"
            )
            raise GazetteerError(msg)
        try:
            # ParquetFile.read, not read_table: read_table imports pyarrow.dataset and pandas.
            names = pq.ParquetFile(folder / "names.parquet", memory_map=True).read()
            places = pq.ParquetFile(folder / "places.parquet", memory_map=True).read()
        except (OSError, pa.ArrowException) as exc:
            msg = f"cannot read the gazetteer in {str(folder)!r}: {exc}; rebuild it"
            raise GazetteerError(msg) from exc
        expected = {"key", "row", "name", "source"}
        if not expected <= set(names.column_names) or "id" not in places.column_names:
            msg = f"the gazetteer in {str(folder)!r} has an unexpected schema; rebuild it"
            raise GazetteerError(msg)
        logger.debug("gazetteer: %d places, %d names", places.num_rows, names.num_rows)
        return cls(folder, names, places)

    def __len__(self) -> int:
        return self._places.num_rows

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.data_dir)!r}, places={len(self)}, names={len(self._keys)})"

    # ------------------------------------------------------------------ bulk access
    @functools.cached_property
    def _row_numbers(self) -> np.ndarray:
        """The name index's row column as a NumPy view (no copy, and no pandas import)."""
        rows = self._name_rows
        if rows.null_count or rows.type != pa.int32():
            msg = "the gazetteer's name index has missing or non-int32 rows; rebuild it"
            raise GazetteerError(msg)
        return values_buffer(rows, np.int32)

    @functools.cached_property
    def _read(self) -> dict[str, _Reader]:
        """A reader per column :meth:`place_at`, :meth:`prior` and :meth:`candidates` use."""
        wanted = {*_PLACE_COLUMNS, "is_capital", "geonameid"}
        read = {
            name: column(self._cols[name], missing=False if name in _FLAGS else None)
            for name in wanted
            if name in self._cols
        }
        read.setdefault("geonameid", lambda _row: None)  # gazetteers built before it
        return read

    @functools.cached_property
    def _place_readers(self) -> tuple[_Reader, ...]:
        """A reader per field of :class:`~geo.types.Place`, in order; flags read as bools."""
        return tuple(
            self._read["is_capital" if field.name == "capital" else field.name]
            for field in dataclasses.fields(Place)
        )

    @functools.cached_property
    def _score_readers(self) -> tuple[tuple[_Reader, _Reader], tuple[_Reader, ...]]:
        """The readers :func:`~geo.priors.score_rows` takes: of the name index and of places."""
        _rows, matched_at, source_at = self._read_names
        read = self._read
        places = (read[name] for name in ("kind", "country", "id", "population", "is_capital"))
        return (_fast(matched_at), _fast(source_at)), tuple(map(_fast, places))

    @functools.cached_property
    def _read_names(self) -> tuple[_Reader, _Reader, _Reader]:
        """Readers of the name index's row, name and source columns."""
        rows = self._row_numbers.data.__getitem__
        return rows, column(self._name_surface), column(self._name_source)

    def _key_range(self, key: str) -> tuple[int, int]:
        equal_range = self._key_search
        if equal_range is not None:
            return equal_range(key)
        lo = bisect.bisect_left(self._keys, key)
        hi = bisect.bisect_right(self._keys, key, lo=lo)
        return lo, hi

    @functools.cached_property
    def _key_search(self) -> Callable[[str], tuple[int, int]] | None:
        """The key column's search by its UTF-8 bytes, when its reader has one."""
        return getattr(column(self._key_array), "equal_range", None)

    def lookup_key(self, key: str) -> list[int]:
        """Return the place rows whose name index holds an already-normalised ``key``.

        Parameters
        ----------
        key
            A key as returned by :func:`normalize_name`.

        Returns
        -------
        list[int]
            Rows for :meth:`place_at`, in row order; empty when the key is unknown.
        """
        lo, hi = self._key_range(key)
        if lo == hi:
            return []
        return cast("list[int]", self._row_numbers[lo:hi].tolist())

    def key_table(self) -> tuple[tuple[str, ...], array.array[int], array.array[int]]:
        """Return the name index as three flat tables, for recognisers.

        Returns
        -------
        tuple
            ``keys``, every distinct key in sorted order; ``starts``, one more than there
            are keys, such that the rows of ``keys[k]`` are ``rows[starts[k]:starts[k + 1]]``;
            ``rows``, place rows (see :meth:`place_at`). The same rows as
            :meth:`lookup_key` gives, without a search per key.
        """
        keys = self.keys()
        starts = np.append(self._key_starts, len(self._key_array)).astype(np.int32)
        rows = self._row_numbers.astype(np.int32).tobytes()
        return keys, array.array("i", starts.tobytes()), array.array("i", rows)

    def rows_for(self, name: str) -> list[int]:
        """Return the place rows any of whose names normalises like ``name``."""
        key = normalize_name(_validate_name(name))
        return self.lookup_key(key) if key else []

    def keys(self) -> tuple[str, ...]:
        """Return every distinct key of the name index, sorted (built on first call).

        Use it to build a dictionary or an Aho-Corasick automaton for recognising names in
        text; look the matched keys up with :meth:`lookup_key`.
        """
        if self._distinct_keys is None:
            # Whoever wants every key will look many up: bisect Python strings from now on
            # (about 0.2 s and 80 MB once) rather than converting Arrow values per probe.
            # Tuples of strings, unlike lists, drop out of the garbage collector's rounds.
            self._keys = every = tuple(self._key_array.to_pylist())
            # The first of each run of equal keys: the same string objects, not copies.
            self._distinct_keys = tuple(map(every.__getitem__, self._key_starts.tolist()))
        return self._distinct_keys

    @functools.cached_property
    def _key_starts(self) -> np.ndarray:
        """Where each run of equal keys starts in the name index (which is sorted by key).

        Raises
        ------
        GazetteerError
            If the index is not sorted by key.
        """
        import pyarrow.compute as pc

        keys = self._key_array
        n = len(keys)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        later = pc.less(keys.slice(1), keys.slice(0, n - 1))
        if pc.any(later).as_py():
            msg = "the gazetteer's name index is not sorted by key; rebuild it"
            raise GazetteerError(msg)
        changed = pc.indices_nonzero(pc.not_equal(keys.slice(1), keys.slice(0, n - 1)))
        return np.concatenate([[0], changed.to_numpy().astype(np.int64) + 1])

    @functools.lru_cache(maxsize=65536)  # noqa: B019 - one gazetteer per process; rows are stable
    def place_at(self, row: int) -> Place:
        """Return the entry at ``row`` of ``places.parquet``.

        Raises
        ------
        GazetteerError
            If ``row`` is out of range.
        """
        if not 0 <= row < self._size:
            msg = f"gazetteer row {row!r} is out of range (0..{len(self) - 1})"
            raise GazetteerError(msg)
        return record(Place, _PLACE_FIELDS, self._place_readers, row)

    def _row_of(self, place_id: str) -> int | None:
        index = bisect.bisect_left(self._ids, place_id)
        if index < len(self._ids) and self._ids[index] == place_id:
            return index
        return None

    def get(self, place_id: str) -> Place:
        """Return the entry with id ``place_id``.

        Raises
        ------
        GazetteerError
            If no entry has that id.
        """
        row = self._row_of(place_id) if isinstance(place_id, str) else None
        if row is None:
            msg = (
                f"no gazetteer entry has id {place_id!r}; ids look like 'gn:703448', "
                "'ua:UA32060070200013870', 'adm0:UA', 'adm1:UA-32', 'region:donbas', "
                "'sea:black-sea'; find them with Gazetteer.candidates(name)"
            )
            raise GazetteerError(msg)
        return self.place_at(row)

    def column(self, name: str) -> pa.Array:
        """Return one column of ``places.parquet`` (row-aligned with :meth:`place_at`).

        Extra columns beyond :class:`~geo.types.Place`: ``is_capital``, ``name_uk`` (the
        official Ukrainian name of KATOTTG settlements) and ``katottg_name`` (its KMU 2010
        romanisation).
        """
        if name not in self._cols:
            msg = f"places.parquet has no column {name!r}; it has {sorted(self._cols)!r}"
            raise GazetteerError(msg)
        return self._cols[name]

    # ------------------------------------------------------------------ candidates
    def prior(self, row: int, source: str) -> float:
        """Return the evidence-free prior (0-1) of the entry at ``row`` matched via ``source``.

        The score adds a weight for the entry's kind, for how the name matched (official
        name or alias vs mere alternate), for its log population and for a national
        capital, scaled to 0-1.
        """
        read = self._read
        return prior(read["kind"](row), read["population"](row), read["is_capital"](row), source)

    def _city_over_own_admin1(
        self, scored: list[tuple[float, str, int, str, str]], kinds: list[str]
    ) -> list[tuple[float, str, int, str, str]]:
        """A city that is its own admin1 unit (Sevastopol, Kyiv City, Istanbul) outranks it.

        When a settlement's admin1 is a candidate of the same name, the settlement takes
        that admin1's score plus a hair, so the city is read before the unit around it.
        ``kinds`` holds the kind of each entry of ``scored``.
        """
        if "admin1" not in kinds:
            return scored
        admin_scores = {
            ident: neg
            for (neg, ident, _r, _m, _s), kind in zip(scored, kinds, strict=True)
            if kind == "admin1"
        }
        parent_of = self._read["admin1_id"]
        out = []
        for (neg, ident, row, matched, source), kind in zip(scored, kinds, strict=True):
            lifted = neg
            if kind == "settlement" and (parent := parent_of(row)) in admin_scores:
                lifted = min(neg, admin_scores[parent] - 0.0001)
            out.append((lifted, ident, row, matched, source))
        return out

    def candidates(
        self,
        name: str,
        country: str | None = None,
        *,
        limit: int | None = 10,
        kinds: Iterable[PlaceKind] | None = None,
    ) -> list[Candidate]:
        """Return the entries a name may refer to, best prior first.

        Parameters
        ----------
        name
            A place name in any script ("Mykolaiv", "Миколаїв", "Kyiv region").
        country
            Keep only entries of this ISO 3166-1 alpha-2 country.
        limit
            Most candidates to return; ``None`` returns all.
        kinds
            Keep only entries of these kinds.

        Returns
        -------
        list[Candidate]
            Best first; ties broken by id. Empty when nothing matches (or ``name`` is blank).

        Raises
        ------
        InputError
            If ``name`` is not a string, is longer than :data:`MAX_NAME_LENGTH` or holds
            control characters.
        """
        key = normalize_name(_validate_name(name))
        if not key:
            return []
        return self.key_candidates(key, country, limit=limit, kinds=kinds)

    def key_candidates(
        self,
        key: str,
        country: str | None = None,
        *,
        limit: int | None = 10,
        kinds: Iterable[PlaceKind] | None = None,
    ) -> list[Candidate]:
        """Return :meth:`candidates` of a name by its already-normalised ``key``.

        For recognisers that hold the key of each name they found (see :meth:`lookup_key`):
        ``key_candidates(normalize_name(name))`` is ``candidates(name)``, without
        normalising the name again. Parameters and result as :meth:`candidates`.
        """
        wanted_kinds = None if kinds is None else set(kinds)
        if wanted_kinds is not None and not wanted_kinds <= _KINDS:
            msg = f"unknown kinds {sorted(wanted_kinds - _KINDS)!r}"
            raise InputError(msg)
        wanted_country = country.upper() if country else None
        lo, hi = self._key_range(key)
        scored, row_kinds = score_rows(
            self._row_numbers.data, lo, hi, *self._score_readers, wanted_kinds, wanted_country
        )
        scored = self._city_over_own_admin1(scored, row_kinds)
        scored.sort()
        if limit is not None:
            scored = scored[: max(0, limit)]
        place_at = self.place_at
        return [
            build(Candidate, _CANDIDATE_FIELDS, (place_at(row), -neg, matched, source == "primary"))
            for neg, _id, row, matched, source in scored
        ]

    # ------------------------------------------------------------------ areas
    def _load_areas(self) -> dict[str, Any]:
        if self._areas is None:
            import numpy as np
            import shapely

            table = pq.ParquetFile(self.data_dir / "areas.parquet").read()
            geoms = shapely.from_wkb(np.asarray(table.column("geometry").to_pylist(), dtype=object))
            ids = table.column("id").to_pylist()
            kinds = table.column("kind").to_pylist()
            countries = [i for i, k in enumerate(kinds) if k == "country"]
            admin1 = [i for i, k in enumerate(kinds) if k == "admin1"]
            self._areas = {
                "ids": ids,
                "names": table.column("name").to_pylist(),
                "occupied": table.column("occupied").to_pylist(),
                "geoms": geoms,
                "by_id": {area_id: i for i, area_id in enumerate(ids)},
                "countries": countries,
                "admin1": admin1,
                "country_tree": shapely.STRtree(geoms[countries]),
                "admin1_tree": shapely.STRtree(geoms[admin1]),
            }
        return self._areas

    def areas_frame(self) -> gpd.GeoDataFrame:
        """Every country, admin1 and region polygon as a GeoDataFrame (EPSG:4326)."""
        import geopandas as gpd

        return gpd.read_parquet(self.data_dir / "areas.parquet")

    def geometry(self, place_id: str) -> BaseGeometry | None:
        """Return the polygon of a country, admin1 or region entry; ``None`` for points.

        Raises
        ------
        GazetteerError
            If no entry has id ``place_id``.
        """
        areas = self._load_areas()
        index = areas["by_id"].get(place_id)
        if index is None:
            self.get(place_id)  # raises for an unknown id
            return None
        return cast("BaseGeometry", areas["geoms"][index])

    def _containing(
        self, tree: Any, members: list[int], lat: float, lon: float, tolerance_km: float
    ) -> tuple[int | None, float]:
        import shapely
        from shapely.ops import nearest_points

        areas = self._load_areas()
        point = shapely.Point(lon, lat)
        hits = sorted(members[int(i)] for i in tree.query(point, predicate="intersects"))
        if hits:
            return hits[0], 0.0
        if tolerance_km <= 0:
            return None, math.inf
        dlat = tolerance_km / 110.574
        dlon = tolerance_km / (111.320 * max(math.cos(math.radians(lat)), 0.01))
        box = shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)
        best: tuple[float, int] | None = None
        for i in tree.query(box):
            index = members[int(i)]
            near = nearest_points(areas["geoms"][index], point)[0]
            dist = haversine_km(lat, lon, near.y, near.x)
            if dist <= tolerance_km and (best is None or (dist, index) < best):
                best = (dist, index)
        return (None, math.inf) if best is None else (best[1], best[0])

    def reverse(self, lat: float, lon: float, *, tolerance_km: float = 5.0) -> ReverseResult:
        """Return the country and admin1 containing a point.

        A point on no polygon (the simplified coastline misses some harbours) takes the
        nearest polygon within ``tolerance_km`` (great-circle distance).

        Parameters
        ----------
        lat, lon
            WGS84 degrees.
        tolerance_km
            How far outside a polygon a point may lie and still be given to it.

        Returns
        -------
        ReverseResult
            Ids and names are ``None`` when nothing is within reach (open sea).

        Raises
        ------
        InputError
            If the coordinates are not finite numbers within range.
        """
        try:
            flat, flon = float(lat), float(lon)
        except (TypeError, ValueError) as exc:
            msg = f"reverse() needs numeric lat and lon, got {lat!r}, {lon!r}"
            raise InputError(msg) from exc
        if not (
            math.isfinite(flat)
            and -90 <= flat <= 90
            and math.isfinite(flon)
            and -180 <= flon <= 180
        ):
            msg = f"coordinates out of range: lat={lat!r}, lon={lon!r} (lat -90..90, lon -180..180)"
            raise InputError(msg)
        areas = self._load_areas()
        c_index, c_dist = self._containing(
            areas["country_tree"], areas["countries"], flat, flon, tolerance_km
        )
        a_index, a_dist = self._containing(
            areas["admin1_tree"], areas["admin1"], flat, flon, tolerance_km
        )
        used = [d for d in (c_dist, a_dist) if math.isfinite(d)]
        occupied = a_index is not None and bool(areas["occupied"][a_index])
        return ReverseResult(
            lat=flat,
            lon=flon,
            country_id=None if c_index is None else areas["ids"][c_index],
            country=None if c_index is None else areas["names"][c_index],
            admin1_id=None if a_index is None else areas["ids"][a_index],
            admin1=None if a_index is None else areas["names"][a_index],
            occupied=occupied,
            distance_km=round(max(used), 3) if used else math.inf,
        )


@functools.cache
def _cached(data_dir: Path) -> Gazetteer:
    return Gazetteer.load(data_dir)


@functools.lru_cache(maxsize=64)
def _folder(data_dir: str | Path) -> Path:
    """``data_dir`` resolved, once per value: resolving asks the file system every time."""
    return Path(data_dir).resolve()


def get_gazetteer(data_dir: str | Path | None = None) -> Gazetteer:
    """Return a gazetteer loaded once per folder and process (``None``: the settings' folder).

    Cheap to call again: stages look the gazetteer up per statement or per lookup.
    """
    return _cached(_folder(settings.data_dir if data_dir is None else data_dir))


class OfflineGeocoder:
    """A drop-in, offline stand-in for geopy's ``Nominatim`` backed by the bundled gazetteer.

    Parameters
    ----------
    gazetteer
        The gazetteer to use; ``None`` uses :func:`get_gazetteer`.
    """

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer answering the queries."""
        if self._gazetteer is None:
            self._gazetteer = get_gazetteer()
        return self._gazetteer

    def _location(self, candidate: Candidate) -> Location:
        from geopy.location import Location

        place = candidate.place
        parts = [place.name]
        if place.admin1 and place.admin1 != place.name:
            parts.append(place.admin1)
        if place.country and place.kind != "country":
            parts.append(place.country)
        raw = {
            "id": place.id,
            "name": place.name,
            "kind": place.kind,
            "lat": place.lat,
            "lon": place.lon,
            "country": place.country,
            "admin1": place.admin1,
            "admin1_id": place.admin1_id,
            "precision": place.precision,
            "population": place.population,
            "occupied": place.occupied,
            "score": candidate.score,
            "matched": candidate.matched,
        }
        return Location(", ".join(parts), (place.lat, place.lon, 0.0), raw)

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        limit: int | None = None,
        country_codes: str | list[str] | None = None,
        **kwargs: Any,
    ) -> Location | list[Location] | None:
        """Geocode a place name like ``Nominatim.geocode``.

        "Name, Country" is understood: the last part, if it names a country, restricts
        the search. ``timeout`` and other Nominatim keywords are accepted and ignored.

        Returns
        -------
        Location | list[Location] | None
            The best location (``exactly_one``), a list of up to ``limit`` locations, or
            ``None`` when nothing matches.
        """
        del timeout, kwargs
        codes = [country_codes] if isinstance(country_codes, str) else list(country_codes or [])
        name = _validate_name(query).strip()
        if "," in name:
            head, _, tail = name.rpartition(",")
            found = self.gazetteer.candidates(tail, kinds=["country"], limit=1)
            if found and head.strip():
                name = head.strip()
                codes = codes or [found[0].place.country or ""]
        wanted = {c.upper() for c in codes if c}
        found_all = self.gazetteer.candidates(name, limit=None)
        if wanted:
            found_all = [c for c in found_all if c.place.country in wanted]
        if not found_all:
            return None
        if exactly_one:
            return self._location(found_all[0])
        return [self._location(c) for c in found_all[: limit or 10]]

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Location | list[Location] | None:
        """Reverse-geocode a point like ``Nominatim.reverse`` (admin1 and country level).

        ``query`` is anything geopy's ``Point`` accepts: ``(lat, lon)``, ``"lat, lon"`` or
        a ``Point``. Returns ``None`` when the point is on no country (open sea).
        """
        from geopy.location import Location
        from geopy.point import Point

        del timeout, kwargs
        try:
            point = Point(query)
        except (TypeError, ValueError) as exc:
            msg = f"cannot read a point from {query!r}; pass (lat, lon) or 'lat, lon'"
            raise InputError(msg) from exc
        found = self.gazetteer.reverse(point.latitude, point.longitude)
        if found["country_id"] is None and found["admin1_id"] is None:
            return None
        parts = [p for p in (found["admin1"], found["country"]) if p]
        location = Location(", ".join(parts), (point.latitude, point.longitude, 0.0), dict(found))
        return location if exactly_one else [location]
