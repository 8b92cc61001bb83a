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
from geo.types import Article, Candidate, Mention, Place

logger = logging.getLogger(__name__)

STRATEGY = "resolve.evidence.v1"

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
    return ranking.where_prec(place, qualifier)


class Resolver:
    """Resolves the toponyms of one article at a time against a gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or get_gazetteer()
        # The tables of the names seen, by key: for "the X region" and for the others.
        self._names: dict[str, ranking.CandidateTable | None] = {}
        self._admin_names: dict[str, ranking.CandidateTable | None] = {}
        self._credits: dict[tuple[str, str, tuple[int, ...]], array.array[float]] = {}
        self._containers: dict[tuple[int, ...], ranking.Container] = {}
        self._entry = functools.lru_cache(maxsize=10_000)(self._get)

    def candidates(self, top: Toponym) -> tuple[Candidate, ...]:
        """Gazetteer candidates for a toponym, by prior score."""
        self._make_room(1)
        table = self._table(top)
        return table.candidates if table is not None else ()

    def _make_room(self, names: int) -> None:
        """Start the name caches afresh if ``names`` more could overfill them."""
        if len(self._names) + len(self._admin_names) + names > _CACHED_NAMES:
            self._names.clear()
            self._admin_names.clear()

    def _table(self, top: Toponym) -> ranking.CandidateTable | None:
        """The candidates of a toponym's name (admin units first for "the X region")."""
        admin = top.kind == "admin"
        names = self._admin_names if admin else self._names
        if top.key not in names:  # the key is how the gazetteer looks the text up
            names[top.key] = self._lookup(top.key, admin)
        return names[top.key]

    def _lookup(self, key: str, admin: bool) -> ranking.CandidateTable | None:
        found: list[Candidate] = []
        if admin:
            found = self.gazetteer.key_candidates(
                key, limit=_CANDIDATE_LIMIT, kinds=("admin1", "region")
            )
        if not found:
            found = self.gazetteer.key_candidates(key, limit=_CANDIDATE_LIMIT)
        return ranking.CandidateTable(found) if found else None

    def resolve(self, text: str, toponyms: Sequence[Toponym]) -> list[Mention]:
        """Resolve every toponym of one article; unresolvable ones stay, with no place."""
        # Never in the middle of an article: the mentions of a name share one table.
        self._make_room(len(toponyms))
        tables, containers = ranking.evidence(
            toponyms, self._names, self._admin_names, self._lookup,
            self._credits, self._container_credit,
        )  # fmt: skip
        ranked = ranking.rank_article(toponyms, tables, containers)
        return ranking.mentions(toponyms, tables, ranked, self._entry)

    def _container_credit(self, top: Toponym, table: ranking.CandidateTable) -> array.array[float]:
        """Per candidate, 0.6 x how well it lies in the "X, Y" / "in the Y region" container."""
        container = self._containers.get(top.container)
        if container is None:
            if len(self._containers) >= _CACHED_NAMES:
                self._containers.clear()
            boxes = [self.gazetteer.place_at(r) for r in top.container]
            container = self._containers[top.container] = ranking.Container(boxes)
        credit = ranking.container_credit(table, container)
        if len(self._credits) >= _CACHED_NAMES:
            self._credits.clear()
        self._credits[top.key, top.kind, top.container] = credit
        return credit

    def _get(self, place_id: str) -> Place | None:
        try:
            return self.gazetteer.get(place_id)
        except LookupError:
            return None


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
