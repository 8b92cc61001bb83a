"""Everything the pipeline found -> GeoDataFrames with a fixed, documented schema.

The four layers (``places``, ``events``, ``casualties``, ``zones``) are described by the JSON
Schemas in ``schemas/``; renderers and exporters read only these columns, never raw text.
Every frame has CRS EPSG:4326 and is sorted by ``id``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence

import geopandas as gpd
import shapely
from shapely import wkb

from geo.types import Event, Mention, ReconciledEvent, Zone

logger = logging.getLogger(__name__)

CRS = "EPSG:4326"
LAYER_NAMES: tuple[str, ...] = ("places", "events", "casualties", "zones")
"""The layers every build produces, in the order exports list them."""

PLACE_COLUMNS = [
    "id",
    "name",
    "kind",
    "country",
    "admin1",
    "precision",
    "gazetteer_precision",
    "mentions",
    "articles",
    "roles",
]
COUNT_COLUMNS = [
    "killed_low",
    "killed_best",
    "killed_high",
    "injured_low",
    "injured_best",
    "injured_high",
]
EVENT_COLUMNS = [
    "id",
    "event_type",
    "sub_event_type",
    "date",
    "date_precision",
    "place",
    "place_id",
    "precision",
    *COUNT_COLUMNS,
    "article",
    "quote",
    "plover",
    "actor",
    "source",
]
CASUALTY_COLUMNS = [
    "id",
    "event_type",
    "sub_event_type",
    "date",
    "date_precision",
    "place",
    "place_id",
    "precision",
    *COUNT_COLUMNS,
    "missing_best",
    "displaced_best",
    "sources",
    "disputed",
    "n_sources",
]
ZONE_COLUMNS = [
    "id",
    "zone",
    "places",
    "place_names",
    "date",
    "actor",
    "sources",
    "quote",
    "method",
    "plover",
]


def _points(lons: list[float], lats: list[float]) -> list[object]:
    """Points at ``(lon, lat)``, made in one call rather than one ``Point`` each."""
    return list(shapely.points(lons, lats)) if lons else []


def _frame(
    rows: list[dict[str, object]], columns: list[str], geometry: list[object]
) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry=geometry, crs=CRS)
    if len(frame):
        frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    return frame


def places_layer(results: Iterable[tuple[str, Sequence[Mention]]]) -> gpd.GeoDataFrame:
    """One point per resolved place, with how often and where it was mentioned.

    Demonyms are not places of the map; they are counted in ``roles`` of their country only
    when the country itself is also named.
    """
    counts: dict[str, int] = defaultdict(int)
    articles: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    best: dict[str, Mention] = {}
    for article_id, mentions in results:
        for m in mentions:
            place = m.place
            if place is None or m.role == "demonym":
                continue
            pid = place.id
            counts[pid] += 1
            articles[pid].add(article_id)
            roles[pid].add(m.role)
            held = best.get(pid)
            if held is None or (m.precision or 9) < (held.precision or 9):
                best[pid] = m
    rows: list[dict[str, object]] = []
    lons: list[float] = []
    lats: list[float] = []
    for pid, mention in best.items():
        place = mention.place
        assert place is not None
        rows.append(
            {
                "id": pid,
                "name": place.name,
                "kind": place.kind,
                "country": place.country,
                "admin1": place.admin1,
                "precision": _place_precision(mention),
                "gazetteer_precision": place.precision,
                "mentions": counts[pid],
                "articles": sorted(articles[pid]),
                "roles": sorted(roles[pid]),
            }
        )
        lons.append(place.lon)
        lats.append(place.lat)
    return _frame(rows, PLACE_COLUMNS, _points(lons, lats))


def _place_precision(mention: Mention) -> int:
    """where_prec of the place itself, without the mention's "near" qualifier."""
    from geo.resolve import where_prec

    assert mention.place is not None
    return where_prec(mention.place)


def _counts(
    figures_by_kind: dict[str, tuple[int | None, int | None, int | None]],
) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for kind in ("killed", "injured"):
        low, best_, high = figures_by_kind.get(kind, (None, None, None))
        out[f"{kind}_low"], out[f"{kind}_best"], out[f"{kind}_high"] = low, best_, high
    return out


_NO_COUNTS: dict[str, int | None] = dict.fromkeys(COUNT_COLUMNS)
"""The counts of an event without figures (``_counts`` of no figures)."""


def _event_counts(event: Event) -> dict[str, tuple[int | None, int | None, int | None]]:
    from geo.reconcile import figure_range

    kinds: dict[str, list[object]] = defaultdict(list)
    for f in event.figures:
        kinds[f.kind].append(f)
    return {k: figure_range(v) for k, v in kinds.items()}  # type: ignore[arg-type]


def events_layer(events: Iterable[Event]) -> gpd.GeoDataFrame:
    """One point per located event (statements of intent included)."""
    rows: list[dict[str, object]] = []
    lons: list[float] = []
    lats: list[float] = []
    for e in events:
        if e.place is None:
            continue
        rows.append(
            {
                "id": e.id,
                "event_type": e.event_type,
                "sub_event_type": e.sub_event_type,
                "date": e.date,
                "date_precision": e.date_precision,
                "place": e.place.name,
                "place_id": e.place.id,
                "precision": e.precision,
                **(_counts(_event_counts(e)) if e.figures else _NO_COUNTS),
                "article": e.article,
                "quote": e.quote,
                "plover": e.plover,
                "actor": e.actor,
                "source": e.source,
            }
        )
        lons.append(e.place.lon)
        lats.append(e.place.lat)
    return _frame(rows, EVENT_COLUMNS, _points(lons, lats))


def casualties_layer(records: Iterable[ReconciledEvent]) -> gpd.GeoDataFrame:
    """One point per reconciled event, with its ranges and every source."""
    rows: list[dict[str, object]] = []
    lons: list[float] = []
    lats: list[float] = []
    for r in records:
        sources = [
            {
                "article": s.article,
                "date": s.date,
                "source": s.source,
                "figure": s.figure,
                "attribution": s.attribution,
                "hedge": s.hedge,
                "kind": s.kind,
                "low": s.low,
                "best": s.best,
                "high": s.high,
            }
            for s in r.sources
        ]
        rows.append(
            {
                "id": r.id,
                "event_type": r.event_type,
                "sub_event_type": r.sub_event_type,
                "date": r.date,
                "date_precision": r.date_precision,
                "place": r.place.name,
                "place_id": r.place.id,
                "precision": r.precision,
                **_counts(r.counts),
                "missing_best": r.counts.get("missing", (None, None, None))[1],
                "displaced_best": r.counts.get("displaced", (None, None, None))[1],
                "sources": sources,
                "disputed": r.disputed,
                "n_sources": len({s.article for s in r.sources}),
            }
        )
        lons.append(r.place.lon)
        lats.append(r.place.lat)
    return _frame(rows, CASUALTY_COLUMNS, _points(lons, lats))


def zones_layer(zones: Iterable[Zone]) -> gpd.GeoDataFrame:
    """One polygon per zone, with its places, sources, quote and method."""
    rows: list[dict[str, object]] = []
    geometry: list[object] = []
    for z in zones:
        rows.append(
            {
                "id": z.id,
                "zone": z.zone,
                "places": list(z.places),
                "place_names": list(z.place_names),
                "date": z.date,
                "actor": z.actor,
                "sources": list(z.sources),
                "quote": z.quote,
                "method": z.method,
                "plover": z.plover,
            }
        )
        geometry.append(wkb.loads(z.geometry_wkb))
    return _frame(rows, ZONE_COLUMNS, geometry)
