"""The resolver's caches: each name looked up once, each container prepared once.

:meth:`geo.resolve.Resolver.resolve` takes every toponym's candidates and container credit
from caches (:func:`geo.ranking.evidence`); these tests check that what it keeps is what
a fresh lookup gives, and that starting the caches afresh changes no result.
"""

from __future__ import annotations

import pytest

from geo import ranking, resolve
from geo.toponyms import find_toponyms

TEXT = (
    "KHARKIV, Ukraine (AP) - Shelling hit Ivanivka, Kharkiv region, and Kupiansk. "
    "Russian troops left Ivanivka, Kharkiv region, on Monday; Kupiansk was quiet."
)


def test_mentions_of_a_name_share_one_table_and_one_credit() -> None:
    resolver = resolve.Resolver()
    tops = find_toponyms(TEXT)
    tables, containers = ranking.evidence(
        tops, resolver._names, resolver._admin_names, resolver._lookup,
        resolver._credits, resolver._container_credit,
    )  # fmt: skip
    by_name: dict[tuple[str, str], ranking.CandidateTable | None] = {}
    for top, table in zip(tops, tables, strict=True):
        assert by_name.setdefault((top.key, top.kind), table) is table
        assert (table is None) == (top.kind == "demonym" or not resolver.candidates(top))
    contained = [c for top, c in zip(tops, containers, strict=True) if top.container]
    assert len(contained) == 3 and contained[1] is contained[2]  # "Ivanivka, Kharkiv region"
    assert len(resolver._containers) == 2  # and the dateline's "KHARKIV, Ukraine"


def test_cached_tables_and_credits_are_fresh_ones() -> None:
    """What the caches give a second article is what a new resolver computes."""
    resolver = resolve.Resolver()
    first = resolver.resolve(TEXT, find_toponyms(TEXT))
    assert resolver.resolve(TEXT, find_toponyms(TEXT)) == first
    assert resolve.Resolver().resolve(TEXT, find_toponyms(TEXT)) == first
    tops = find_toponyms(TEXT)
    for top in tops:
        if not top.container:
            continue
        table = resolver._table(top)
        assert table is not None
        boxes = [resolver.gazetteer.place_at(r) for r in top.container]
        fresh = ranking.container_credit(table, ranking.Container(boxes))
        assert resolver._credits[top.key, top.kind, top.container] == fresh


def test_region_names_have_their_own_tables() -> None:
    """ "The Kharkiv region" looks admin units up first; "Kharkiv" the city first."""
    resolver = resolve.Resolver()
    tops = find_toponyms("Shelling in Kharkiv and in the Kharkiv region.")
    city, region = (resolver._table(top) for top in tops)
    assert [top.kind for top in tops] == ["name", "admin"]
    assert city is not None and city.places[0].kind == "settlement"
    assert region is not None and region.places[0].kind in ("admin1", "region")
    assert resolver._names.keys() == {"kharkiv"}
    assert resolver._admin_names.keys() == {"kharkiv region"}


def test_caches_start_afresh_between_articles_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full cache is cleared before an article, never while it is being resolved."""
    tops = find_toponyms(TEXT)
    expected = resolve.Resolver().resolve(TEXT, tops)
    monkeypatch.setattr(resolve, "_CACHED_NAMES", 3)
    resolver = resolve.Resolver()
    for _ in range(3):
        assert resolver.resolve(TEXT, tops) == expected
        assert 0 < len(resolver._names) + len(resolver._admin_names) <= len(tops)


def test_evidence_takes_toponyms_only() -> None:
    resolver = resolve.Resolver()
    with pytest.raises(TypeError, match="Toponym"):
        ranking.evidence(
            [object()], resolver._names, resolver._admin_names, resolver._lookup,
            resolver._credits, resolver._container_credit,
        )  # fmt: skip
