"""The pipeline's records: made through ``slot_init``, and pickled as themselves (the dask
engine ships them between processes)."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

from geo.ingest import read_articles
from geo.layers import PlaceTally, tally_places
from geo.pipeline import extract
from geo.reconcile import reconcile
from geo.types import Article, Mention, Place, Record, slot_init
from geo.zones import build_zones


def _subclasses(cls: type) -> set[type]:
    """The classes of the package derived from ``cls``.

    Not the classes ``dataclass(slots=True)`` made each of them from and replaced.
    """
    found = {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}
    return {c for c in found if getattr(sys.modules[c.__module__], c.__name__, None) is c}


def test_every_record_pickles_as_itself_through_its_init(example_corpus: Path) -> None:
    articles, _ = read_articles([example_corpus])
    results = [extract(article) for article in articles]
    events = [e for r in results for e in r.events]
    statements = [s for r in results for s in r.statements]
    tallies = tally_places((r.article.id, r.mentions) for r in results)
    made: list[object] = [
        *results,
        *reconcile(e for e in events if e.place is not None and e.figures),
        *build_zones(statements),
        *tallies.values(),
    ]
    seen: set[type] = set()

    def walk(value: object) -> None:
        if isinstance(value, Record):
            seen.add(type(value))
            for name in type(value).__dataclass_fields__:  # type: ignore[attr-defined]
                walk(getattr(value, name))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    for value in made:
        walk(value)
        loaded = pickle.loads(pickle.dumps(value, protocol=5))
        assert loaded == value
        assert type(loaded) is type(value)
    # Every kind of record the pipeline makes was among them (candidates stay inside it;
    # the dask engine's own records cross processes in tests/test_distributed.py).
    # Plain-Python copies of compiled modules, which other tests load (tests/compiled.py),
    # define their own record classes; the pipeline never makes those.
    made_here = {
        c
        for c in _subclasses(Record)
        if c.__module__ != "geo.distributed" and not c.__module__.endswith("_pure")
    }
    assert sorted(c.__name__ for c in made_here - seen) == ["Candidate"]


def test_a_record_is_loaded_by_its_init() -> None:
    """Not by the dataclass default, which sets each field from Python (slow)."""
    tally = PlaceTally(("Kyiv", "settlement", "UA", "Kyiv", 1, "exact", 30.5, 50.4), 1)
    assert tally.__reduce__()[0] is PlaceTally
    assert pickle.loads(pickle.dumps(tally)) == tally


def test_an_article_holds_its_strings_as_exactly_str() -> None:
    """The compiled stages take exactly ``str``; str subclasses (numpy.str_) are converted."""
    import numpy as np

    article = Article(
        id=np.str_("a"),
        text=np.str_("Shelling in Kyiv killed 12 people."),
        date=np.str_("2022-03-30"),
    )
    assert {type(value) for value in (article.id, article.text, article.date)} == {str}
    result = extract(article)
    assert [m.text for m in result.mentions] == ["Kyiv"] and len(result.figures) == 1


def test_slot_init_makes_what_the_dataclass_init_makes() -> None:
    """Same signature, defaults and values; still frozen, equal and hashable."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Plain:
        start: int
        place: Place | None
        qualifier: str | None = None

    @slot_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class Quick:
        start: int
        place: Place | None
        qualifier: str | None = None

    assert str(inspect.signature(Quick)) == str(inspect.signature(Plain))
    place = Place("gn:1", "X", "settlement", 50.0, 30.0, "UA", None, None, "exact")
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((1, place), {}),
        ((2, None), {"qualifier": "near"}),
        ((), {"start": 3, "place": None}),
    ]
    for args, kwargs in calls:
        quick, plain = Quick(*args, **kwargs), Plain(*args, **kwargs)
        assert dataclasses.astuple(quick) == dataclasses.astuple(plain)
        assert quick == Quick(*args, **kwargs) and hash(quick) == hash(Quick(*args, **kwargs))
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick.start = 5  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        Quick(1)  # type: ignore[call-arg]
    mention = Mention(1, 5, "Kyiv", place, "location", 0.9, 1)
    assert (mention.runner_up, mention.qualifier) == (None, None)


def test_slot_init_refuses_fields_it_cannot_set() -> None:
    with pytest.raises(TypeError, match="positional fields only"):

        @slot_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Listed:
            items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match="positional fields only"):

        @slot_init
        @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
        class Named:
            start: int

    with pytest.raises(TypeError, match="cannot make the dataclass's __init__ signature"):

        @slot_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Scaled:
            start: int
            scale: dataclasses.InitVar[int] = 1

            def __post_init__(self, scale: int) -> None:
                pass


def test_slot_init_of_a_derived_record_and_odd_field_names() -> None:
    @slot_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class Base:
        self: int  # named like the parameter __init__ takes the instance as

    @slot_init
    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived(Base):
        _set_0: int = 0  # named like a helper of the generated __init__ could be

    assert dataclasses.astuple(Derived(1, 2)) == (1, 2)
    assert typing.get_type_hints(Mention.__init__)["place"] == Place | None
