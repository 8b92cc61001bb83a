"""Resolve recognised toponyms to one gazetteer entry each, with evidence, not population alone.

Each candidate's prior (kind, official name, population, capital) is combined with what the
article itself says: the countries it is about (country names, demonyms, the dateline),
"X, Y" and "X in the Y region" containers, and spatial coherence with the other places
named in the same article (a village named next to the small towns around it is the
namesake there). Two passes: the first resolves with priors and country context, the
second re-ranks each mention against the places the first pass chose for the others.
"""

from __future__ import annotations

import bisect
import functools
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from geo.gazetteer import Gazetteer, get_gazetteer, haversine_km
from geo.toponyms import Toponym, find_toponyms
from geo.types import Article, Candidate, Mention, Place, PlaceKind, Role

logger = logging.getLogger(__name__)

STRATEGY = "resolve.evidence.v1"

_KIND_PRECISION = {"continent": 6, "country": 6, "region": 5, "admin1": 4, "sea": 7}
_COHERENCE_KM = 250.0
_AREA_COHERENCE = 0.2
"""Coherence credit for countries, regions and seas, which are not weighed by distance."""
_NEAR_CHARS = 250
"""Places named within this many characters of each other count as named together."""
_MAX_ANCHORS = 200
"""Above this many first-pass places an article is a list of places, not a story: each
mention is then weighed against the places named near it and the first ``_FAR_ANCHORS``
distinct places only, which keeps resolution linear in the article's length (an article
naming 10,000 places took six minutes, every place weighed against every other)."""
_FAR_ANCHORS = 64
_CANDIDATE_LIMIT = 40


@dataclass(frozen=True, slots=True)
class _Scored:
    candidate: Candidate
    score: float


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
        self._candidates = functools.lru_cache(maxsize=100_000)(self._lookup)
        self._entry = functools.lru_cache(maxsize=10_000)(self._get)

    def _lookup(self, text: str, admin: bool) -> tuple[Candidate, ...]:
        kinds: tuple[PlaceKind, ...] | None = ("admin1", "region") if admin else None
        found = self.gazetteer.candidates(text, limit=_CANDIDATE_LIMIT, kinds=kinds)
        return tuple(found)

    def candidates(self, top: Toponym) -> tuple[Candidate, ...]:
        """Gazetteer candidates for a toponym, by prior score."""
        if top.kind == "admin":
            found = self._candidates(top.text, True)
            if found:
                return found
        return self._candidates(top.text, False)

    def resolve(self, text: str, toponyms: Sequence[Toponym]) -> list[Mention]:
        """Resolve every toponym of one article; unresolvable ones stay, with no place."""
        cands = [self.candidates(t) if t.kind != "demonym" else () for t in toponyms]
        countries = self._country_context(toponyms, cands)
        first = [
            self._rank(t, c, countries, anchors=None) for t, c in zip(toponyms, cands, strict=True)
        ]
        anchors = [
            (pos, toponyms[pos].start, ranked[0].candidate.place)
            for pos, ranked in enumerate(first)
            if ranked and ranked[0].candidate.place.kind in {"settlement", "admin1"}
        ]
        large = len(anchors) > _MAX_ANCHORS
        starts = [start for _, start, _ in anchors]  # toponyms come sorted by start
        far: list[tuple[int, int, Place]] = []
        if large:
            distinct: set[str] = set()
            for anchor in anchors:
                if anchor[2].id not in distinct and len(far) < _FAR_ANCHORS:
                    distinct.add(anchor[2].id)
                    far.append(anchor)
        second: list[list[_Scored]] = []
        for pos, (top, cand) in enumerate(zip(toponyms, cands, strict=True)):
            own = {c.place.id for c in cand}
            weights: dict[str, tuple[float, Place]] = {}
            pool = anchors
            if large:
                lo = bisect.bisect_left(starts, top.start - _NEAR_CHARS + 1)
                hi = bisect.bisect_right(starts, top.start + _NEAR_CHARS - 1)
                pool = [*anchors[lo:hi], *far]
            for q, start, place in pool:
                if q == pos or place.id in own:
                    continue
                weight = 1.0 if abs(start - top.start) < _NEAR_CHARS else 0.4
                if weight > weights.get(place.id, (0.0, place))[0]:
                    weights[place.id] = (weight, place)
            others = _Anchors.of(weights[pid] for pid in sorted(weights))
            second.append(self._rank(top, cand, countries, anchors=others) if cand else [])
        return [
            self._mention(top, ranked)
            for top, ranked in zip(toponyms, _one_sense(toponyms, second), strict=True)
        ]

    def _country_context(
        self, toponyms: Sequence[Toponym], cands: Sequence[tuple[Candidate, ...]]
    ) -> dict[str, float]:
        """How strongly the article is about each country (ISO code -> weight)."""
        weights: dict[str, float] = defaultdict(float)
        for top, cand in zip(toponyms, cands, strict=True):
            if top.kind == "demonym" and top.country:
                if ":" not in top.country:
                    weights[top.country] += 1
                continue
            if not cand:
                continue
            best = cand[0]
            if best.place.country is None:
                continue
            if best.place.kind in {"country", "admin1", "region"}:
                weights[best.place.country] += 2 if top.dateline else 1
            elif len(cand) == 1 or best.score - cand[1].score > 0.2:
                weights[best.place.country] += 1.5 if top.dateline else 0.5
        return weights

    def _rank(
        self,
        top: Toponym,
        cand: tuple[Candidate, ...],
        countries: dict[str, float],
        *,
        anchors: _Anchors | None,
    ) -> list[_Scored]:
        if not cand:
            return []
        coherence = anchors.coherence([c.place for c in cand]) if anchors else None
        total = sum(countries.values()) or 1.0
        container = {
            self.gazetteer.place_at(r).id: self.gazetteer.place_at(r) for r in top.container
        }
        scored: list[_Scored] = []
        for n, c in enumerate(cand):
            place = c.place
            score = c.score + 0.04 * math.log10(1 + (place.population or 0))
            if place.country and countries:
                score += 0.35 * countries.get(place.country, 0.0) / total
            elif place.country is None and place.kind in {"sea", "continent", "region"}:
                score += 0.15  # no country to agree with the article: a neutral share
            if container:
                score += 0.6 * _contained(place, container.values())
            if anchors and place.kind != "settlement":
                score += _AREA_COHERENCE  # areas hold their neighbours; no distance to weigh
            if anchors and coherence is not None and place.kind == "settlement":
                score += 0.35 * float(coherence[n])
                score += 0.2 * anchors.admin1.get(place.admin1_id or "", 0.0)
            if top.kind == "direction" and place.kind != "settlement":
                score -= 0.3
            scored.append(_Scored(c, score))
        scored.sort(key=lambda s: (-s.score, s.candidate.place.id))
        return scored

    def _mention(self, top: Toponym, ranked: list[_Scored]) -> Mention:
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
        if not ranked:
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
        best = ranked[0]
        place = best.candidate.place
        if top.kind == "admin" and place.kind == "settlement":
            place = self._admin_of(place) or place
        runner = ranked[1] if len(ranked) > 1 else None
        margin = best.score / (best.score + runner.score) if runner and runner.score > 0 else 1.0
        confidence = max(0.0, min(1.0, margin * min(1.0, best.score)))
        return Mention(
            start=top.start,
            end=top.end,
            text=top.text,
            place=place,
            role=_role(top, place),
            score=round(confidence, 4),
            precision=where_prec(place, top.qualifier),
            runner_up=runner.candidate.place if runner else None,
            runner_up_score=round(runner.score / (best.score + runner.score), 4)
            if runner and best.score + runner.score > 0
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


@dataclass(frozen=True, slots=True)
class _Anchors:
    """The places the rest of an article resolved to, as arrays for vectorised distances."""

    lat: np.ndarray
    lon: np.ndarray
    weight: np.ndarray
    admin1: dict[str, float]

    @classmethod
    def of(cls, weighted: Iterable[tuple[float, Place]]) -> _Anchors | None:
        points: list[tuple[float, float, float]] = []
        admin1: dict[str, float] = {}
        for weight, place in weighted:
            if place.kind == "settlement":
                points.append((place.lat, place.lon, weight))
            elif place.kind == "admin1":
                admin1[place.id] = max(weight, admin1.get(place.id, 0.0))
        if not points and not admin1:
            return None
        arr = np.array(points, dtype=float).reshape(-1, 3)
        return cls(arr[:, 0], arr[:, 1], arr[:, 2], admin1)

    def __bool__(self) -> bool:
        return True

    def coherence(self, places: Sequence[Place]) -> np.ndarray:
        """Per place: max over anchors of weight x (1 - distance / 250 km), floored at 0.

        Distances are equirectangular: exact enough within the 250 km radius that counts.
        """
        if not len(self.lat):
            return np.zeros(len(places))
        lat = np.array([p.lat for p in places])[:, None]
        lon = np.array([p.lon for p in places])[:, None]
        dlon = np.abs(lon - self.lon[None, :]) % 360.0
        dlon = np.minimum(dlon, 360.0 - dlon) * np.cos(np.radians((lat + self.lat[None, :]) / 2))
        km = 111.195 * np.hypot(lat - self.lat[None, :], dlon)
        credit = self.weight[None, :] * np.clip(1.0 - km / _COHERENCE_KM, 0.0, None)
        return credit.max(axis=1)


def _one_sense(toponyms: Sequence[Toponym], ranked: list[list[_Scored]]) -> list[list[_Scored]]:
    """One sense per discourse: all mentions of a name take the reading they favour together.

    Scores of a candidate are summed over the mentions of the same name and kind; each
    mention's list is reordered by that sum, keeping its own scores for the confidence.
    """
    totals: dict[tuple[str, str], dict[str, float]] = {}
    for top, scored in zip(toponyms, ranked, strict=True):
        bucket = totals.setdefault((top.key, top.kind), defaultdict(float))
        for item in scored:
            bucket[item.candidate.place.id] += item.score
    out: list[list[_Scored]] = []
    for top, scored in zip(toponyms, ranked, strict=True):
        bucket = totals[(top.key, top.kind)]
        out.append(
            sorted(
                scored,
                key=lambda s: (-bucket[s.candidate.place.id], -s.score, s.candidate.place.id),
            )
        )
    return out


def _contained(place: Place, containers: object) -> float:
    """1.0 when ``place`` lies in one of the container places, 0.5 when nearby, else 0."""
    best = 0.0
    for box in containers:  # type: ignore[attr-defined]
        if box.id == place.id:
            continue
        if (box.kind == "country" and place.country == box.country) or (
            box.kind in {"admin1", "region"}
            and (
                place.admin1_id == box.id or (box.kind == "region" and place.country == box.country)
            )
        ):
            best = max(best, 1.0)
        elif box.kind == "settlement" and haversine_km(place.lat, place.lon, box.lat, box.lon) < 60:
            best = max(best, 0.5)
    return best


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
