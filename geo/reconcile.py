"""Merge several reports of the same event into one record with ranges and every source.

Two events are the same when they are at the same gazetteer place, report at least one
common kind of figure, and have compatible types; a group of reports must also share a
common date window (every report's window overlaps all the others'). Per kind,
following UCDP: ``low`` is the lowest figure any source gives, ``high`` the highest, and
``best`` the most conservative of the sources' own best estimates (ACLED's rule). Each
source contributes its final word: the largest figure of that kind it reports for the event.
An event is ``disputed`` when the sources' best figures differ by more than
``DISPUTE_TOLERANCE`` (5 %) of the largest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence

from geo.dates import window
from geo.types import Event, Figure, ReconciledEvent, SourceReport

logger = logging.getLogger(__name__)

POLICY = "best=min(source best); low=min(source low); high=max(source high|best)"

DISPUTE_TOLERANCE = 0.05
"""Sources disagree when their best figures differ by more than this share of the largest."""

_GENERIC = {("Battles", "Armed clash"), ("Violence against civilians", "Attack")}


def _kinds(event: Event) -> set[str]:
    return {f.kind for f in event.figures}


def _source_figure(figures: Sequence[Figure]) -> Figure:
    """A source's final word on one kind: its largest best (or low) figure."""
    return max(figures, key=lambda f: (f.best or f.low or f.high or 0, f.start))


def figure_range(figures: Sequence[Figure]) -> tuple[int | None, int | None, int | None]:
    """Combine figures of one kind into (low, best, high); ``None`` where no source bounds it.

    Examples
    --------
    >>> from geo.types import Figure
    >>> def f(low, best, high):
    ...     return Figure("killed", low, best, high, "exact", "people", "", 0, 0, 0, 0)
    >>> figure_range([f(350, 350, None), f(None, 400, 400)])
    (350, 350, 400)
    >>> figure_range([f(None, 400, 400)])
    (None, 400, 400)
    """
    bests = [f.best for f in figures if f.best is not None]
    low = min((f.low for f in figures if f.low is not None), default=None)
    tops = [f.high if f.high is not None else f.best for f in figures]
    high = max((v for v in tops if v is not None), default=None)
    best = min(bests) if bests else None
    if best is not None:
        low = best if low is not None and best < low else low
        high = best if high is not None and best > high else high
    return low, best, high


def _disagree(figures: Sequence[Figure], tolerance: float = DISPUTE_TOLERANCE) -> bool:
    """Whether sources' best figures differ by more than ``tolerance`` of the largest.

    "12 killed" against "7 killed" and "at least 350" against "up to 400" differ;
    "nearly four million" against "more than 3.9 million" do not.

    Examples
    --------
    >>> from geo.types import Figure
    >>> def f(best):
    ...     return Figure("killed", best, best, best, "exact", "people", "", 0, 0, 0, 0)
    >>> _disagree([f(12), f(7)]), _disagree([f(4_000_000), f(3_900_000)])
    (True, False)
    """
    bests = [f.best for f in figures if f.best is not None]
    if len(bests) < 2:
        return False
    return (max(bests) - min(bests)) > tolerance * max(bests)


_Traits = tuple[set[str], tuple[str, str | None], tuple[dt.date, dt.date] | None]
"""An event's figure kinds, type and date window: what clustering compares."""


def _traits(event: Event) -> _Traits:
    return _kinds(event), _type(event), window(event.date, event.date_precision)


class _Cluster:
    """Reports taken for one event.

    They share a place, a kind of figure, compatible types and a common date window (the
    intersection of their windows is not empty).
    """

    def __init__(self, event: Event, traits: _Traits) -> None:
        kinds, kind, other = traits
        self.events = [event]
        self.kinds = set(kinds)
        self.window = other
        self.types = {kind} - _GENERIC

    def admits(self, traits: _Traits) -> bool:
        kinds, kind, other = traits
        if self.kinds.isdisjoint(kinds):
            return False
        if kind not in _GENERIC and self.types and self.types != {kind}:
            return False
        return (
            self.window is None
            or other is None
            or (max(self.window[0], other[0]) <= min(self.window[1], other[1]))
        )

    def add(self, event: Event, traits: _Traits) -> None:
        kinds, kind, other = traits
        self.events.append(event)
        self.kinds |= kinds
        if other is not None:
            self.window = (
                other
                if self.window is None
                else (max(self.window[0], other[0]), min(self.window[1], other[1]))
            )
        if kind not in _GENERIC:
            self.types.add(kind)


def _type(event: Event) -> tuple[str, str | None]:
    return event.event_type, event.sub_event_type


def reconcile(events: Iterable[Event]) -> list[ReconciledEvent]:
    """Cluster located events with figures and merge each cluster.

    Parameters
    ----------
    events
        Events from any number of articles; those without a place or figures are skipped.

    Returns
    -------
    list of ReconciledEvent
        Sorted by id (stable for the same input).
    """
    pool = sorted(
        (e for e in events if e.place is not None and e.figures),
        key=lambda e: (e.place.id if e.place else "", e.date or "", e.article, e.id),
    )
    clusters: list[_Cluster] = []
    at_place: dict[str, list[_Cluster]] = {}  # clusters by place: only those can match
    for event in pool:
        assert event.place is not None
        traits = _traits(event)  # once per event, not once per cluster it is compared with
        candidates = at_place.setdefault(event.place.id, [])
        for cluster in candidates:
            if cluster.admits(traits):
                cluster.add(event, traits)
                break
        else:
            candidates.append(_Cluster(event, traits))
            clusters.append(candidates[-1])
    merged = [_merge(cluster.events) for cluster in clusters]
    merged.sort(key=lambda r: r.id)
    logger.info("reconciled %d events into %d records", len(pool), len(merged))
    return merged


def _merge(cluster: list[Event]) -> ReconciledEvent:
    head = cluster[0]
    assert head.place is not None
    kinds = sorted({f.kind for e in cluster for f in e.figures})
    counts: dict[str, tuple[int | None, int | None, int | None]] = {}
    sources: list[SourceReport] = []
    disputed = False
    by_article: dict[str, list[Event]] = {}
    for event in cluster:
        by_article.setdefault(event.article, []).append(event)
    for kind in kinds:
        finals: list[Figure] = []
        for article in sorted(by_article):
            figs = [f for e in by_article[article] for f in e.figures if f.kind == kind]
            if not figs:
                continue
            final = _source_figure(figs)
            finals.append(final)
            event = next(e for e in by_article[article] if final in e.figures)
            sources.append(
                SourceReport(
                    article=article,
                    date=event.date,
                    figure=final.text,
                    attribution=final.attribution,
                    hedge=final.hedge,
                    kind=final.kind,
                    low=final.low,
                    best=final.best,
                    high=final.high,
                    source=event.source,
                )
            )
        counts[kind] = figure_range(finals)
        disputed = disputed or _disagree(finals)
    types = sorted(
        {(e.event_type, e.sub_event_type or "") for e in cluster},
        key=lambda t: (t in {(g[0], g[1]) for g in _GENERIC}, t),
    )
    event_type, sub_type = types[0]
    dated = sorted(
        (e for e in cluster if e.date),
        key=lambda e: (
            {"day": 0, "week": 1, "month": 2, "year": 3}.get(e.date_precision or "year", 3),
            e.date or "",
        ),
    )
    best_date = dated[0] if dated else head
    ids = tuple(sorted(e.id for e in cluster))
    rid = "rc-" + hashlib.sha1("|".join(ids).encode(), usedforsecurity=False).hexdigest()[:12]
    return ReconciledEvent(
        id=rid,
        event_type=event_type,
        sub_event_type=sub_type or None,
        date=best_date.date,
        date_precision=best_date.date_precision,
        place=head.place,
        precision=min((e.precision for e in cluster if e.precision is not None), default=None),
        counts=counts,
        sources=tuple(sorted(sources, key=lambda s: (s.kind, s.article, s.figure))),
        disputed=disputed,
        events=ids,
    )
