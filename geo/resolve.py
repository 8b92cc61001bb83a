"""Resolve recognised toponyms to one gazetteer entry each, with evidence, not population alone.

Each candidate's prior (kind, official name, population, capital) is combined with what the
article itself says: the countries it is about (country names, demonyms, the dateline),
"X, Y" and "X in the Y region" containers, and spatial coherence with the other places
named in the same article (a village named next to the small towns around it is the
namesake there). Two passes: the first resolves with priors and country context, the
second re-ranks each mention against the places the first pass chose for the others.
"""

from __future__ import annotations

import array
import functools
import logging
from collections.abc import Sequence

from geo import ranking
from geo.gazetteer import Gazetteer, get_gazetteer
from geo.toponyms import Toponym, find_toponyms
from geo.types import Article, Candidate, Mention, Place, Role

logger = logging.getLogger(__name__)

STRATEGY = "resolve.evidence.v1"

_KIND_PRECISION = {"continent": 6, "country": 6, "region": 5, "admin1": 4, "sea": 7}
_CANDIDATE_LIMIT = 40
_CACHED_NAMES = 100_000
"""Names whose candidates the resolver keeps; the cache starts afresh when it is full."""


def where_prec(place: Place, qualifier: str | None = None) -> int:
    """UCDP-style where_prec for a resolved place and its spatial qualifier.

    Examples
    --------
    >>> from geo.types import Place
    >>> city = Place("gn:1", "X", "settlement", 0.0, 0.0, "UA", None, None, "exact")
    >>> where_prec(city), where_prec(city, "near")
    (1, 2)
    >>> where_prec(Place("ua:1", "Y", "settlement", 0.0, 0.0, "UA", None, None, "hromada"))
    3
    """
    if place.kind in _KIND_PRECISION:
        return _KIND_PRECISION[place.kind]
    if qualifier == "direction":
        return 4
    if place.precision in {"hromada", "raion"}:
        return 3
    if place.precision == "admin1":
        return 4
    if qualifier in {"near", "around", "outskirts", "relative"}:
        return 2
    return 1


class Resolver:
    """Resolves the toponyms of one article at a time against a gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or get_gazetteer()
        self._tables: dict[tuple[str, bool], ranking.CandidateTable | None] = {}
        self._credits: dict[tuple[str, str, tuple[int, ...]], array.array[float]] = {}
        self._entry = functools.lru_cache(maxsize=10_000)(self._get)

    def candidates(self, top: Toponym) -> tuple[Candidate, ...]:
        """Gazetteer candidates for a toponym, by prior score."""
        table = self._table(top)
        return table.candidates if table is not None else ()

    def _table(self, top: Toponym) -> ranking.CandidateTable | None:
        """The candidates of a toponym's name (admin units first for "the X region")."""
        admin = top.kind == "admin"
        cache_key = (top.key, admin)  # the key is how the gazetteer looks the text up
        if cache_key in self._tables:
            return self._tables[cache_key]
        found: list[Candidate] = []
        if admin:
            found = self.gazetteer.candidates(
                top.text, limit=_CANDIDATE_LIMIT, kinds=("admin1", "region")
            )
        if not found:
            found = self.gazetteer.candidates(top.text, limit=_CANDIDATE_LIMIT)
        table = ranking.CandidateTable(found) if found else None
        if len(self._tables) >= _CACHED_NAMES:
            self._tables.clear()
        self._tables[cache_key] = table
        return table

    def resolve(self, text: str, toponyms: Sequence[Toponym]) -> list[Mention]:
        """Resolve every toponym of one article; unresolvable ones stay, with no place."""
        named: dict[tuple[str, str], ranking.CandidateTable | None] = {}  # one table per name
        tables = [
            None
            if top.kind == "demonym"
            else named[top.key, top.kind]
            if (top.key, top.kind) in named
            else named.setdefault((top.key, top.kind), self._table(top))
            for top in toponyms
        ]
        containers = [
            self._container_credit(top, table) if top.container and table is not None else None
            for top, table in zip(toponyms, tables, strict=True)
        ]
        ranked = ranking.rank_article(toponyms, tables, containers)
        return [
            self._mention(top, table, best)
            for top, table, best in zip(toponyms, tables, ranked, strict=True)
        ]

    def _container_credit(self, top: Toponym, table: ranking.CandidateTable) -> array.array[float]:
        """Per candidate, 0.6 x how well it lies in the "X, Y" / "in the Y region" container."""
        cache_key = (top.key, top.kind, top.container)
        credit = self._credits.get(cache_key)
        if credit is None:
            boxes = [self.gazetteer.place_at(r) for r in top.container]
            credit = ranking.container_credit(table, boxes)
            if len(self._credits) >= _CACHED_NAMES:
                self._credits.clear()
            self._credits[cache_key] = credit
        return credit

    def _mention(
        self, top: Toponym, table: ranking.CandidateTable | None, ranked: ranking.Ranked | None
    ) -> Mention:
        if top.kind == "demonym":
            place = self._country(top.country)
            return Mention(
                start=top.start,
                end=top.end,
                text=top.text,
                place=place,
                role="demonym",
                score=1.0 if place else 0.0,
                precision=6 if place else None,
                qualifier=None,
            )
        if table is None or ranked is None:
            return Mention(
                start=top.start,
                end=top.end,
                text=top.text,
                place=None,
                role="other",
                score=0.0,
                precision=None,
                qualifier=top.qualifier,
            )
        best, best_score, second, second_score = ranked
        place = table.place(best)
        if top.kind == "admin" and place.kind == "settlement":
            place = self._admin_of(place) or place
        runner = table.place(second) if second >= 0 else None
        margin = best_score / (best_score + second_score) if runner and second_score > 0 else 1.0
        confidence = max(0.0, min(1.0, margin * min(1.0, best_score)))
        return Mention(
            start=top.start,
            end=top.end,
            text=top.text,
            place=place,
            role=_role(top, place),
            score=ranking.round4(confidence),
            precision=where_prec(place, top.qualifier),
            runner_up=runner,
            runner_up_score=ranking.round4(second_score / (best_score + second_score))
            if runner and best_score + second_score > 0
            else None,
            qualifier=top.qualifier,
        )

    def _get(self, place_id: str) -> Place | None:
        try:
            return self.gazetteer.get(place_id)
        except LookupError:
            return None

    def _country(self, code: str | None) -> Place | None:
        if not code:
            return None
        return self._entry(code if ":" in code else f"adm0:{code}")

    def _admin_of(self, place: Place) -> Place | None:
        if not place.admin1_id:
            return None
        return self._entry(place.admin1_id)


def _role(top: Toponym, place: Place) -> Role:
    if top.role_hint == "other":
        return "other"
    if top.role_hint == "origin":
        return "origin"
    if top.role_hint == "metonym" and (place.kind == "country" or place.capital):
        return "metonym"
    return "location"


@functools.cache
def _default_resolver() -> Resolver:
    return Resolver()


def geoparse(article: Article | str, *, resolver: Resolver | None = None) -> list[Mention]:
    """Find and resolve every place mention in an article.

    Parameters
    ----------
    article
        An :class:`~geo.types.Article` or a plain string.
    resolver
        A :class:`Resolver`; defaults to one over the bundled gazetteer.

    Returns
    -------
    list of Mention
        Sorted by offset; demonyms carry role ``"demonym"`` and their country.
    """
    text = article.text if isinstance(article, Article) else article
    resolver = resolver or _default_resolver()
    toponyms = find_toponyms(text)
    mentions = resolver.resolve(text, toponyms)
    logger.debug("geoparsed %d mentions", len(mentions))
    return mentions
