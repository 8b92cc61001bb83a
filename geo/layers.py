"""Everything the pipeline found -> GeoDataFrames with a fixed, documented schema.

The four layers (``places``, ``events``, ``casualties``, ``zones``) are described by the JSON
Schemas in ``schemas/``; renderers and exporters read only these columns, never raw text.
Every frame has CRS EPSG:4326 and is sorted by ``id``.

Each layer is built in two steps: ``*_rows`` make plain rows (:class:`LayerRows`, cheap to
ship between processes and to concatenate), and :func:`layer_frame` makes the frame. The
places layer is counted first (:func:`tally_places`), and tallies of consecutive runs of
articles merge (:func:`merge_tallies`), so a distributed engine reduces it piecewise.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from shapely import wkb

from geo.types import Event, Mention, ReconciledEvent, Record, Zone

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


LAYER_COLUMNS: dict[str, list[str]] = {
    "places": PLACE_COLUMNS,
    "events": EVENT_COLUMNS,
    "casualties": CASUALTY_COLUMNS,
    "zones": ZONE_COLUMNS,
}
"""The columns of each layer, in order."""


def _points(lons: list[float], lats: list[float]) -> list[object]:
    """Points at ``(lon, lat)``, made in one call rather than one ``Point`` each."""
    return list(shapely.points(lons, lats)) if lons else []


@dataclass(slots=True)
class LayerRows:
    """A layer's rows before they become a frame: attributes and where each row is.

    Rows of several runs of articles (or of several shards of places) are concatenated
    with :meth:`extend` and made into one frame by :func:`layer_frame`; a frame made of
    the pieces is the frame made of all rows at once, as frames are sorted by ``id``
    (stably: rows with the same id keep the order they were given in).
    """

    rows: list[dict[str, object]] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    shapes: list[bytes] = field(default_factory=list)
    """WKB geometries, for layers of polygons (zones) instead of ``lons``/``lats``."""

    def add(self, row: dict[str, object], lon: float, lat: float) -> None:
        """Append one row of a point layer."""
        self.rows.append(row)
        self.lons.append(lon)
        self.lats.append(lat)

    def extend(self, other: LayerRows) -> None:
        """Append the rows of ``other``."""
        self.rows.extend(other.rows)
        self.lons.extend(other.lons)
        self.lats.extend(other.lats)
        self.shapes.extend(other.shapes)


def layer_frame(name: str, rows: LayerRows) -> gpd.GeoDataFrame:
    """The layer ``name`` (one of :data:`LAYER_NAMES`) of ``rows``: EPSG:4326, sorted by id."""
    if name == "zones":
        geometry = [wkb.loads(shape) for shape in rows.shapes]
    else:
        geometry = _points(rows.lons, rows.lats)
    frame = gpd.GeoDataFrame(rows.rows, columns=LAYER_COLUMNS[name], geometry=geometry, crs=CRS)
    if len(frame):
        frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    return frame


_PlaceRow = tuple[str, str, str | None, str | None, int, object, float, float]
"""What the places layer shows of a place: name, kind, country, admin1, precision,
gazetteer precision, lon, lat."""


@dataclass(slots=True)
class PlaceTally(Record):
    """How one place was mentioned so far: the running state of :func:`places_layer`.

    ``place`` is what the row shows of the place of the first of the most precise mentions,
    whose precision is ``precision``. Plain values only: tallies are shipped between
    processes.
    """

    place: _PlaceRow
    precision: int
    mentions: int = 0
    articles: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)


def _place_row(mention: Mention) -> _PlaceRow:
    place = mention.place
    assert place is not None
    return (place.name, place.kind, place.country, place.admin1, _place_precision(mention),
            place.precision, place.lon, place.lat)  # fmt: skip


def tally_places(results: Iterable[tuple[str, Sequence[Mention]]]) -> dict[str, PlaceTally]:
    """Count the resolved mentions of each place, by place id, in the order given.

    Demonyms are not places of the map; they are counted in ``roles`` of their country only
    when the country itself is also named.
    """
    tallies: dict[str, PlaceTally] = {}
    for article_id, mentions in results:
        for m in mentions:
            place = m.place
            if place is None or m.role == "demonym":
                continue
            tally = tallies.get(place.id)
            if tally is None:
                tally = tallies[place.id] = PlaceTally(_place_row(m), m.precision or 9)
            elif (m.precision or 9) < tally.precision:
                tally.place, tally.precision = _place_row(m), m.precision or 9
            tally.mentions += 1
            tally.articles.add(article_id)
            tally.roles.add(m.role)
    return tallies


def merge_tallies(parts: Iterable[Mapping[str, PlaceTally]]) -> dict[str, PlaceTally]:
    """The tallies of consecutive runs of articles, given in order, as one tally.

    Equal to :func:`tally_places` of all the runs' articles at once.
    """
    merged: dict[str, PlaceTally] = {}
    for part in parts:
        for pid, tally in part.items():
            held = merged.get(pid)
            if held is None:
                merged[pid] = PlaceTally(tally.place, tally.precision, tally.mentions,
                                         set(tally.articles), set(tally.roles))  # fmt: skip
                continue
            if tally.precision < held.precision:
                held.place, held.precision = tally.place, tally.precision
            held.mentions += tally.mentions
            held.articles |= tally.articles
            held.roles |= tally.roles
    return merged


def place_rows(tallies: Mapping[str, PlaceTally]) -> LayerRows:
    """The rows of the places layer for ``tallies``."""
    out = LayerRows()
    for pid, tally in tallies.items():
        name, kind, country, admin1, precision, gazetteer_precision, lon, lat = tally.place
        row = {
            "id": pid,
            "name": name,
            "kind": kind,
            "country": country,
            "admin1": admin1,
            "precision": precision,
            "gazetteer_precision": gazetteer_precision,
            "mentions": tally.mentions,
            "articles": sorted(tally.articles),
            "roles": sorted(tally.roles),
        }
        out.add(row, lon, lat)
    return out


def places_layer(results: Iterable[tuple[str, Sequence[Mention]]]) -> gpd.GeoDataFrame:
    """One point per resolved place, with how often and where it was mentioned.

    Demonyms are not places of the map; they are counted in ``roles`` of their country only
    when the country itself is also named.
    """
    return layer_frame("places", place_rows(tally_places(results)))


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


def _event_head(event: Event | ReconciledEvent) -> dict[str, object]:
    """The columns the events and casualties layers share, up to ``precision``."""
    place = event.place
    assert place is not None
    return {
        "id": event.id,
        "event_type": event.event_type,
        "sub_event_type": event.sub_event_type,
        "date": event.date,
        "date_precision": event.date_precision,
        "place": place.name,
        "place_id": place.id,
        "precision": event.precision,
    }


def event_rows(events: Iterable[Event]) -> LayerRows:
    """The events layer's rows: one point per located event (statements of intent included)."""
    out = LayerRows()
    for e in events:
        if e.place is None:
            continue
        row = {
            **_event_head(e),
            **(_counts(_event_counts(e)) if e.figures else _NO_COUNTS),
            "article": e.article,
            "quote": e.quote,
            "plover": e.plover,
            "actor": e.actor,
            "source": e.source,
        }
        out.add(row, e.place.lon, e.place.lat)
    return out


def casualty_rows(records: Iterable[ReconciledEvent]) -> LayerRows:
    """The casualties layer's rows: one point per reconciled event, its ranges, every source."""
    out = LayerRows()
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
        row = {
            **_event_head(r),
            **_counts(r.counts),
            "missing_best": r.counts.get("missing", (None, None, None))[1],
            "displaced_best": r.counts.get("displaced", (None, None, None))[1],
            "sources": sources,
            "disputed": r.disputed,
            "n_sources": len({s.article for s in r.sources}),
        }
        out.add(row, r.place.lon, r.place.lat)
    return out


def zone_rows(zones: Iterable[Zone]) -> LayerRows:
    """The zones layer's rows: one polygon per zone, its places, sources, quote and method."""
    out = LayerRows()
    for z in zones:
        out.rows.append(
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
        out.shapes.append(z.geometry_wkb)
    return out
