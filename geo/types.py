"""Frozen records passed between the pipeline's stages.

Every stage takes the records of the stages before it and returns new ones; nothing is
mutated in place. Coordinates are always named ``lat`` and ``lon`` (WGS84 degrees).
"""

from __future__ import annotations

import inspect
import operator
import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Literal, TypeVar

PlaceKind = Literal["continent", "country", "admin1", "region", "settlement", "sea"]
"""What a gazetteer entry is. Ranking uses it: a country beats a town named after it."""

PlacePrecision = Literal["exact", "hromada", "raion", "admin1", "region", "country", "sea"]
"""How far a gazetteer entry's coordinates can be trusted.

``exact`` is a surveyed point (GeoNames); ``hromada`` means the settlement itself has no
coordinates and carries those of its hromada's administrative centre (approximate).
"""

Role = Literal["location", "metonym", "demonym", "origin", "other"]
"""What a place mention does in its sentence."""

FigureKind = Literal["killed", "injured", "missing", "displaced", "trapped", "held", "affected"]
Qualifier = Literal["exact", "at_least", "at_most", "approximate", "range", "vague"]
DatePrecision = Literal["day", "week", "month", "year"]


def _values_of(cls: type) -> Callable[[object], tuple[Any, ...]]:
    get = operator.attrgetter(*(f.name for f in fields(cls)))
    return get if len(fields(cls)) > 1 else lambda record: (get(record),)


_VALUES: dict[type, Callable[[object], tuple[Any, ...]]] = {}
"""Each record class's :func:`_values_of`, made when it is first pickled."""


_Class = TypeVar("_Class", bound=type)


def slot_init(cls: _Class) -> _Class:
    """Give a frozen, slotted dataclass an ``__init__`` that sets each slot directly.

    The ``__init__`` that dataclasses writes for a frozen class calls
    ``object.__setattr__`` for every field, which finds the field through the class anew
    each time: about 0.77 µs for a :class:`Mention`'s ten fields. Calling each slot's own
    descriptor does the same in about 0.43 µs, and the pipeline makes a record for every
    name, figure and event it reads. The signature, defaults and ``__post_init__`` stay;
    equality, hashing, ``repr`` and frozenness are the dataclass's own.

    Apply it above ``@dataclass(frozen=True, slots=True)``.

    Raises
    ------
    TypeError
        If a field has a default factory, is keyword-only or is left out of ``__init__``,
        or the class has an ``InitVar``.

    Examples
    --------
    >>> @slot_init
    ... @dataclass(frozen=True, slots=True)
    ... class Pair:
    ...     left: int
    ...     right: int = 0
    >>> Pair(1), Pair(1, right=2) == Pair(1, 2)
    (Pair(left=1, right=0), True)
    """
    helpers: dict[str, Any] = {}
    parameters, lines = [], []
    for number, f in enumerate(fields(cls)):
        if not f.init or f.default_factory is not MISSING or f.kw_only:
            msg = f"{cls.__name__}.{f.name}: slot_init takes positional fields only"
            raise TypeError(msg)
        default, setter = f"__slot_init_default_{number}", f"__slot_init_set_{number}"
        parameters.append(f.name if f.default is MISSING else f"{f.name}={default}")
        helpers[default] = f.default
        helpers[setter] = _slot(cls, f.name).__set__
        lines.append(f"  {setter}(__slot_init_self, {f.name})")
    if hasattr(cls, "__post_init__"):
        lines.append("  __slot_init_self.__post_init__()")
    # As dataclasses does: the helpers are the closure of the new function and the
    # module's own namespace its globals (so that its annotations resolve there).
    source = "\n".join(
        [
            f"def __create_init__({', '.join(helpers)}):",
            f" def __init__(__slot_init_self, {', '.join(parameters)}):",
            *(f" {line}" for line in lines or ["  pass"]),
            " return __init__",
        ]
    )
    made: dict[str, Any] = {}
    exec(source, vars(sys.modules[cls.__module__]), made)  # noqa: S102
    init = made["__create_init__"](**helpers)
    dataclass_init = cls.__init__  # type: ignore[misc]
    init.__qualname__ = dataclass_init.__qualname__
    init.__annotations__ = dict(dataclass_init.__annotations__)
    if (
        list(inspect.signature(init).parameters.values())[1:]
        != list(inspect.signature(dataclass_init).parameters.values())[1:]
    ):  # an InitVar, say: fields() does not list it
        msg = f"{cls.__name__}: slot_init cannot make the dataclass's __init__ signature"
        raise TypeError(msg)
    cls.__init__ = init  # type: ignore[misc]
    return cls


def _slot(cls: type, name: str) -> Any:
    """The descriptor of slot ``name``: in ``cls`` or the class that declared it."""
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    msg = f"{cls.__name__} has no slot {name!r}; apply slot_init above @dataclass(slots=True)"
    raise TypeError(msg)


class Record:
    """Base of the dataclass records: pickled as their class and their fields' values.

    Loading a record then costs one call of its ``__init__``. The default of a dataclass
    with slots calls ``fields()`` and sets each field from Python, several times slower,
    and the dask engine moves hundreds of thousands of records between processes.

    Examples
    --------
    >>> import pickle
    >>> article = Article(id="a1", text="Shelling in Kyiv.", date="2022-03-29")
    >>> pickle.loads(pickle.dumps(article)) == article
    True
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        cls = type(self)
        values = _VALUES.get(cls)
        if values is None:
            values = _VALUES[cls] = _values_of(cls)
        return cls, values(self)


@slot_init
@dataclass(frozen=True, slots=True)
class Article(Record):
    """One news article as read from disk.

    ``id`` is stable for the same input (derived from the file name or the record's id)
    and safe to use in file names.
    """

    id: str
    text: str
    date: str | None = None  # ISO "YYYY-MM-DD"
    title: str | None = None
    source: str | None = None  # outlet or file the article came from
    path: str | None = None

    def __post_init__(self) -> None:
        # The compiled stages take exactly ``str``: a subclass (numpy.str_) becomes one.
        for name in _ARTICLE_FIELDS:  # each a str, or None
            value = getattr(self, name)
            if value.__class__ is not str and isinstance(value, str):
                object.__setattr__(self, name, str(value))


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@slot_init
@dataclass(frozen=True, slots=True)
class Place(Record):
    """One gazetteer entry.

    ``id`` is namespaced by source: ``gn:703448`` (GeoNames), ``ua:UA32...`` (a KATOTTG
    settlement not in GeoNames), ``adm0:UA``, ``adm1:UA-32`` (Natural Earth admin units),
    ``region:donbas``, ``sea:black-sea``.
    """

    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country: str | None  # ISO 3166-1 alpha-2
    admin1: str | None
    population: int | None
    precision: PlacePrecision
    admin1_id: str | None = None
    occupied: bool = False
    katottg: str | None = None
    hromada: str | None = None
    raion: str | None = None
    capital: bool = False  # a national capital (speaks for its country: "Moscow denied")
    geonameid: int | None = None  # the GeoNames id, where the entry has one


@slot_init
@dataclass(frozen=True, slots=True)
class Candidate(Record):
    """A gazetteer entry proposed for a name, with the evidence-free prior score (0-1)."""

    place: Place
    score: float
    matched: str  # the gazetteer name that matched
    primary: bool  # whether ``matched`` is the entry's own primary/official name


@slot_init
@dataclass(frozen=True, slots=True)
class Mention(Record):
    """A place name found in an article, with what it resolved to.

    ``place`` is ``None`` when the name could not be resolved; the mention is kept.
    ``precision`` is UCDP's where_prec: 1 exact place, 2 near a place, 3 hromada/district,
    4 admin1, 5 larger region, 6 country, 7 sea or airspace.
    """

    start: int
    end: int
    text: str
    place: Place | None
    role: Role
    score: float
    precision: int | None
    runner_up: Place | None = None
    runner_up_score: float | None = None
    qualifier: str | None = None  # "near", "outskirts", "direction", "region", ...


@slot_init
@dataclass(frozen=True, slots=True)
class Figure(Record):
    """A count of people in one sentence: killed, injured, displaced ...

    ``low <= best <= high`` whenever they are not ``None``. ``start``/``end`` are character
    offsets of the figure's phrase in the article text; ``sentence`` is the sentence's span.
    """

    kind: FigureKind
    low: int | None
    best: int | None
    high: int | None
    qualifier: Qualifier
    victims: str  # "people", "civilians", "children", "soldiers", "prisoners", ...
    text: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    attribution: str | None = None
    hedge: str | None = None
    strategy: str = "figures.rules.v1"


@slot_init
@dataclass(frozen=True, slots=True)
class Event(Record):
    """Something that happened at one place, from one article, with its figures."""

    id: str
    article: str
    event_type: str
    sub_event_type: str | None
    date: str | None
    date_precision: DatePrecision | None
    place: Place | None
    precision: int | None
    quote: str
    figures: tuple[Figure, ...] = ()
    plover: str | None = None  # PLOVER code for statements of intent (CONCEDE, RETREAT ...)
    actor: str | None = None
    source: str | None = None
    strategy: str = "events.rules.v1"


@slot_init
@dataclass(frozen=True, slots=True)
class SourceReport(Record):
    """One source's account of a reconciled event."""

    article: str
    date: str | None
    figure: str
    attribution: str | None
    hedge: str | None
    kind: FigureKind
    low: int | None
    best: int | None
    high: int | None
    source: str | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class ReconciledEvent(Record):
    """Several reports of the same event merged: one range per kind and every source."""

    id: str
    event_type: str
    sub_event_type: str | None
    date: str | None
    date_precision: DatePrecision | None
    place: Place
    precision: int | None
    counts: dict[str, tuple[int | None, int | None, int | None]]  # kind -> (low, best, high)
    sources: tuple[SourceReport, ...]
    disputed: bool
    events: tuple[str, ...] = field(default=())


ZoneKind = Literal[
    "pledged_deescalation", "active_fighting", "besieged", "recaptured", "withdrawal"
]


@slot_init
@dataclass(frozen=True, slots=True)
class Zone(Record):
    """An area a statement speaks of, as a WGS84 polygon (shapely) with its method."""

    id: str
    zone: ZoneKind
    places: tuple[str, ...]  # gazetteer ids
    place_names: tuple[str, ...]
    date: str | None
    actor: str | None
    quote: str
    method: str  # "admin1:adm1:UA-32", "buffer:25km:gn:703448", ...
    article: str
    geometry_wkb: bytes = b""
    plover: str | None = None
    sources: tuple[str, ...] = ()
