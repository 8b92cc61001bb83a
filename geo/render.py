"""Layers -> one static, offline HTML map (folium + Leaflet).

The page draws without a network: Leaflet, Leaflet.markercluster and jQuery are inlined
from :mod:`geo.assets`, folium's CDN links (Bootstrap, Font Awesome, awesome-markers) are
dropped, base tiles are off by default and a bundled basemap (country and admin1 outlines)
is drawn as a vector layer instead.

Each layer becomes a single ``L.geoJSON`` layer whose points are ``circleMarker``s, never
one folium ``Marker`` per point, so 100,000 points stay a page a browser can open; point
layers with more than :data:`geo.settings.cluster_threshold` features are clustered.
Popup and tooltip HTML is built here, in Python, with every text value passed through
:func:`html.escape`, and stored as a compact feature property; the page only inserts it.

folium gives every element a random id; :func:`render_map` renumbers them in order of
appearance, so the same layers always give a byte-identical page.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure

from geo import settings
from geo._atomic import write_text
from geo._errors import InputError
from geo.assets import inline_tags
from geo.export import LAYER_NAMES

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- styles

PLEDGED = "#1f5fbf"
FIGHTING = "#d7301f"
BESIEGED = "#7f0000"
RECAPTURED = "#1a9850"
WITHDRAWAL = "#8c6bb1"
CASUALTY = "#e34a33"
DISPUTED_RING = "#3f007d"
UNKNOWN = "#9e9e9e"
EVENT = "#253494"
PLACE = "#4d4d4d"
WATER = "#d4e4ee"
LAND = "#ece9e2"
FOCUS_LAND = "#fcfbf8"

ZONE_STYLES: dict[str, dict[str, Any]] = {
    "pledged_deescalation": {
        "color": PLEDGED,
        "weight": 2.5,
        "dashArray": "8 6",
        "fillColor": PLEDGED,
        "fillOpacity": 0.12,
        "opacity": 0.95,
    },
    "active_fighting": {
        "color": FIGHTING,
        "weight": 1.5,
        "fillColor": FIGHTING,
        "fillOpacity": 0.38,
        "opacity": 0.9,
    },
    "besieged": {
        "color": BESIEGED,
        "weight": 2,
        "fillColor": BESIEGED,
        "fillOpacity": 0.45,
        "opacity": 0.95,
    },
    "recaptured": {
        "color": RECAPTURED,
        "weight": 1.5,
        "dashArray": "2 4",
        "fillColor": RECAPTURED,
        "fillOpacity": 0.2,
        "opacity": 0.9,
    },
    "withdrawal": {
        "color": WITHDRAWAL,
        "weight": 1.5,
        "dashArray": "2 4",
        "fillColor": WITHDRAWAL,
        "fillOpacity": 0.2,
        "opacity": 0.9,
    },
}
ZONE_LABELS = {
    "pledged_deescalation": "Pledged de-escalation",
    "active_fighting": "Active fighting",
    "besieged": "Besieged",
    "recaptured": "Recaptured",
    "withdrawal": "Withdrawal",
}
CASUALTY_STYLES: dict[str, dict[str, Any]] = {
    "known": {"color": "#7f0000", "weight": 1, "fillColor": CASUALTY, "fillOpacity": 0.6},
    "disputed": {"color": DISPUTED_RING, "weight": 3, "fillColor": CASUALTY, "fillOpacity": 0.6},
    "unknown": {"color": "#616161", "weight": 1, "fillColor": UNKNOWN, "fillOpacity": 0.55},
    "unknown_disputed": {
        "color": DISPUTED_RING,
        "weight": 3,
        "fillColor": UNKNOWN,
        "fillOpacity": 0.55,
    },
}
EVENT_STYLES = {"event": {"color": "#ffffff", "weight": 1, "fillColor": EVENT, "fillOpacity": 0.85}}
PLACE_STYLES = {"place": {"color": PLACE, "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 1}}
BOUNDARY_STYLES = {
    "country": {"color": "#8f8a80", "weight": 1.2, "fillColor": LAND, "fillOpacity": 1},
    "focus": {"color": "#3c3c3c", "weight": 1.8, "fillColor": FOCUS_LAND, "fillOpacity": 1},
    "admin1": {"color": "#b9b3a7", "weight": 0.7, "fillOpacity": 0, "dashArray": "4 3"},
}
"""Basemap styles; ``focus`` is a country that contains data, drawn lighter and bolder."""

MIN_RADIUS = 5.0
"""Radius (px) of the smallest casualty symbol with a known count."""
UNKNOWN_RADIUS = 4.0
"""Radius (px) of a casualty symbol with an unknown or zero count."""
MAX_RADIUS = 30.0
"""Radius (px) of the largest casualty symbol; the others scale with sqrt(killed)."""
QUOTE_CHARS = 280
"""Quotes in popups are cut to this many characters (the full text is in the layers)."""

FONT = '"Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'

_MAP_CSS = f"""
<style data-asset="geo-map">
html, body {{ font-family: {FONT}; }}
.leaflet-container {{ background: {WATER}; font: 13px/1.4 {FONT}; }}
.geo-title {{ position: fixed; top: 10px; left: 50%; transform: translateX(-50%);
  z-index: 1000; background: rgba(255,255,255,.95); padding: 6px 16px; border-radius: 4px;
  box-shadow: 0 1px 5px rgba(0,0,0,.3); text-align: center; max-width: 56%; }}
.geo-title h1 {{ font-size: 17px; margin: 0; font-weight: 600; color: #222; }}
.geo-title p {{ font-size: 12px; margin: 2px 0 0; color: #555; }}
.geo-legend {{ position: fixed; bottom: 28px; right: 10px; z-index: 1000; color: #222;
  background: rgba(255,255,255,.95); padding: 8px 12px; border-radius: 4px; font-size: 12px;
  box-shadow: 0 1px 5px rgba(0,0,0,.3); width: 210px; }}
.geo-legend h2 {{ font-size: 11px; margin: 7px 0 3px; text-transform: uppercase;
  letter-spacing: .05em; color: #666; font-weight: 600; }}
.geo-legend h2:first-child {{ margin-top: 0; }}
.geo-legend .row {{ display: flex; align-items: center; gap: 8px; margin: 2px 0; }}
.geo-legend svg {{ flex: none; }}
.geo-legend text {{ font-size: 11px; fill: #333; }}
.geo-label {{ background: transparent; border: 0; box-shadow: none; padding: 0 2px;
  font-weight: 600; font-size: 12px; color: #222;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }}
.geo-label::before {{ display: none; }}
.geo-popup {{ font-size: 12px; line-height: 1.4; }}
.geo-popup h3 {{ font-size: 14px; margin: 0 0 2px; }}
.geo-popup .m {{ color: #555; margin-bottom: 4px; }}
.geo-popup ol {{ margin: 4px 0 0; padding-left: 18px; max-height: 180px; overflow-y: auto; }}
.geo-popup q {{ font-style: italic; }}
.geo-popup .d {{ color: {DISPUTED_RING}; font-weight: 600; }}
.leaflet-control-layers {{ font-size: 12px; }}
</style>
"""


# --------------------------------------------------------------------------- HTML helpers


def _esc(value: Any) -> str:
    """Escape any value for HTML text or attribute context.

    Examples
    --------
    >>> _esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> _esc(None)
    ''
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _count(value: Any) -> str:
    """Format a count with thousands separators.

    Examples
    --------
    >>> _count(5000), _count(None)
    ('5,000', 'unknown')
    """
    number = _int(value)
    return "unknown" if number is None else f"{number:,}"


def figure_range(kind: str, low: Any, best: Any, high: Any) -> str:
    """Return a count with its range as popups show it (escaped HTML-safe text).

    Examples
    --------
    >>> figure_range("killed", 5000, 5000, 5000)
    'killed 5,000 (low 5,000 – high 5,000)'
    >>> figure_range("injured", 10, None, 40)
    'injured unknown (low 10 – high 40)'
    >>> figure_range("killed", None, 3, None)
    'killed 3'
    """
    text = f"{_esc(kind)} {_count(best)}"
    if _int(low) is not None or _int(high) is not None:
        text += f" (low {_count(low)} – high {_count(high)})"
    return text


def _quote(text: Any, limit: int = QUOTE_CHARS) -> str:
    if _missing(text) or not str(text).strip():
        return ""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return f"<q>{_esc(value)}</q>"


def _when(row: Mapping[str, Any]) -> str:
    date = row.get("date")
    if _missing(date) or not date:
        return "date unknown"
    precision = row.get("date_precision")
    suffix = "" if _missing(precision) or precision in (None, "day") else f" ({_esc(precision)})"
    return f"{_esc(date)}{suffix}"


def _list(value: Any) -> list[Any]:
    if _missing(value):
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return parsed if isinstance(parsed, list) else [parsed]
    return list(value)


def _event_type(row: Mapping[str, Any]) -> str:
    parts = [row.get("event_type"), row.get("sub_event_type")]
    return " / ".join(_esc(part) for part in parts if not _missing(part) and part)


def _figures(row: Mapping[str, Any]) -> list[str]:
    lines = []
    for kind in ("killed", "injured"):
        low, best, high = (row.get(f"{kind}_{part}") for part in ("low", "best", "high"))
        if not all(_missing(value) for value in (low, best, high)):
            lines.append(figure_range(kind, low, best, high))
    for kind in ("missing", "displaced"):
        if not _missing(row.get(f"{kind}_best")):
            lines.append(f"{kind} {_count(row.get(f'{kind}_best'))}")
    return lines


def casualty_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one casualties feature: place, date, ranges and every source."""
    parts = [f'<div class="geo-popup"><h3>{_esc(row.get("place"))}</h3>']
    parts.append(f'<div class="m">{_when(row)} · {_event_type(row)}</div>')
    parts.append("<br>".join(f"<b>{line}</b>" for line in _figures(row)) or "<b>no count</b>")
    if row.get("disputed") is True or row.get("disputed") is np.True_:
        parts.append('<div class="d">Disputed: sources disagree</div>')
    items = []
    for source in _list(row.get("sources")):
        if not isinstance(source, Mapping):
            continue
        who = source.get("source") or source.get("article")
        detail = [
            figure_range(
                source.get("kind") or "count",
                source.get("low"),
                source.get("best"),
                source.get("high"),
            )
        ]
        if source.get("attribution"):
            detail.append(f"per {_esc(source.get('attribution'))}")
        if source.get("hedge"):
            detail.append(f"hedge: {_esc(source.get('hedge'))}")
        items.append(
            f"<li><b>{_esc(who)}</b> {_esc(source.get('date') or '')}: "
            f"{_quote(source.get('figure'))} — {'; '.join(detail)}</li>"
        )
    if items:
        parts.append(f"<ol>{''.join(items)}</ol>")
    parts.append("</div>")
    return "".join(parts)


def event_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one events feature."""
    parts = [f'<div class="geo-popup"><h3>{_esc(row.get("place"))}</h3>']
    parts.append(f'<div class="m">{_when(row)} · {_event_type(row)}</div>')
    figures = _figures(row)
    if figures:
        parts.append("<br>".join(f"<b>{line}</b>" for line in figures) + "<br>")
    extra = [
        f"{label}: {_esc(row.get(key))}"
        for key, label in (("actor", "actor"), ("plover", "PLOVER"), ("source", "source"))
        if not _missing(row.get(key)) and row.get(key)
    ]
    extra.append(f"article {_esc(row.get('article'))}")
    parts.append(f'<div class="m">{" · ".join(extra)}</div>{_quote(row.get("quote"))}</div>')
    return "".join(parts)


def place_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one places feature."""
    where = ", ".join(
        _esc(row.get(key))
        for key in ("admin1", "country")
        if not _missing(row.get(key)) and row.get(key)
    )
    articles = [str(article) for article in _list(row.get("articles"))]
    shown = ", ".join(_esc(article) for article in articles[:5])
    more = f" and {len(articles) - 5} more" if len(articles) > 5 else ""
    roles = ", ".join(_esc(role) for role in dict.fromkeys(str(r) for r in _list(row.get("roles"))))
    return (
        f'<div class="geo-popup"><h3>{_esc(row.get("name"))}</h3>'
        f'<div class="m">{_esc(row.get("kind"))}{" · " + where if where else ""}'
        f" · {_esc(row.get('id'))}</div>"
        f"{_count(row.get('mentions'))} mentions in {len(articles)} articles"
        f"{': ' + shown + more if shown else ''}<br>"
        f"roles: {roles or 'none'} · precision {_esc(row.get('precision'))}"
        f" ({_esc(row.get('gazetteer_precision'))})</div>"
    )


def zone_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one zones feature."""
    zone = row.get("zone")
    names = ", ".join(_esc(name) for name in _list(row.get("place_names")))
    sources = ", ".join(_esc(source) for source in _list(row.get("sources")))
    meta = [_esc(row.get("date") or "date unknown")]
    if row.get("actor"):
        meta.append(f"actor: {_esc(row.get('actor'))}")
    if row.get("plover"):
        meta.append(f"PLOVER: {_esc(row.get('plover'))}")
    return (
        f'<div class="geo-popup"><h3>{_esc(ZONE_LABELS.get(str(zone), zone))}: {names}</h3>'
        f'<div class="m">{" · ".join(meta)}</div>{_quote(row.get("quote"))}'
        f'<div class="m">method {_esc(row.get("method"))} · sources {sources or "none"}</div></div>'
    )


# --------------------------------------------------------------------------- folium elements


class _Raw(Element):
    """An element that renders fixed text verbatim (no Jinja parsing of its content)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Raw"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _js_json(data: Any) -> str:
    """JSON text safe inside an inline ``<script>`` (no ``<`` or ``>`` characters)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


class _GeoJsonLayer(folium.map.Layer):
    """One Leaflet layer per data layer, styled by key, with prebuilt popups and tooltips.

    ``data`` comes from :func:`_pack`: ``s`` a table of HTML fragments (escaped text and
    markup), ``k`` the style keys, then either ``f`` (points: rows of ``[lat, lon, key
    index, radius, popup fragment ids, tooltip fragment ids]``, drawn as ``circleMarker``s
    in one feature group or cluster group) or ``g`` (a FeatureCollection whose properties
    are ``k``, ``p`` and ``t`` in the same encoding, drawn with ``L.geoJSON``). Sharing
    fragments keeps pages with 100,000 points small.
    """

    _template = folium.template.Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var styles = {{ this.styles_js }};
  var data = {{ this.data_js }};
  var S = data.s, K = data.k, cls = {{ this.class_name|tojson }};
  function text(ix) {
    var out = "";
    for (var i = 0; i < ix.length; i++) { out += S[ix[i]]; }
    return out;
  }
  function bind(layer, p, t) {
    if (p && p.length) { layer.bindPopup(function () { return text(p); },
      {maxWidth: 340, autoPanPaddingTopLeft: [50, 80], autoPanPaddingBottomRight: [250, 30]}); }
    {%- if this.labels %}
    if (t && t.length) { layer.bindTooltip(text(t), {permanent: true, direction: "right",
      offset: [5, 0], className: "geo-label", interactive: false}); }
    {%- else %}
    if (t && t.length) { layer.bindTooltip(function () { return text(t); }, {sticky: true}); }
    {%- endif %}
  }
  {%- if this.points %}
  var layers = new Array(data.f.length);
  for (var i = 0; i < data.f.length; i++) {
    var f = data.f[i];
    var marker = L.circleMarker([f[0], f[1]], Object.assign(
      {radius: f[3], className: cls{% if not this.interactive %}, interactive: false{% endif %}},
      styles[K[f[2]]]));
    {%- if this.interactive and not this.cluster %}
    bind(marker, f[4], f[5]);
    {%- endif %}
    marker.geoRow = f;
    layers[i] = marker;
  }
  {%- if this.cluster %}
  var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
    maxClusterRadius: 50});
  group.addLayers(layers);
  {%- if this.interactive %}
  // Large layers bind a marker's popup and tooltip on first use, not 100,000 up front.
  function lazy(e) {
    var marker = e.layer, f = marker.geoRow;
    if (!f || marker.geoBound) { return; }
    marker.geoBound = true;
    bind(marker, f[4], f[5]);
    if (e.type === "click" && marker.getPopup()) { marker.openPopup(); }
    if (e.type === "mouseover" && marker.getTooltip()) { marker.openTooltip(e.latlng); }
  }
  group.on("click mouseover", lazy);
  {%- endif %}
  return group;
  {%- else %}
  return L.featureGroup(layers);
  {%- endif %}
  {%- else %}
  return L.geoJSON(data.g, {
    style: function (feature) {
      return Object.assign({className: cls}, styles[K[feature.properties.k]]);
    },
    {%- if this.interactive %}
    onEachFeature: function (feature, layer) {
      bind(layer, feature.properties.p, feature.properties.t);
    }
    {%- else %}
    interactive: false
    {%- endif %}
  });
  {%- endif %}
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        name: str,
        styles: Mapping[str, Mapping[str, Any]],
        class_name: str,
        points: bool,
        cluster: bool = False,
        interactive: bool = True,
        control: bool = True,
        labels: bool = False,
        bounds: list[list[float]] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=True)
        self._name = "GeoLayer"
        self.data_js = _js_json(data)
        self.styles_js = _js_json(styles)
        self.class_name = class_name
        self.points = points
        self.cluster = cluster
        self.interactive = interactive
        self.labels = labels
        self.bounds = bounds
        self.n_features = len(data["f"]) if points else len(data["g"]["features"])

    def _get_self_bounds(self) -> list[list[float | None]]:
        """``[[south, west], [north, east]]`` of the data, so ``Map.get_bounds`` sees it."""
        if self.bounds is None:
            return [[None, None], [None, None]]
        return [list(corner) for corner in self.bounds]


@dataclass(frozen=True, slots=True)
class MapLayer:
    """What :func:`build_map` put on the map for one layer (for tests and logging)."""

    name: str
    features: int
    clustered: bool
    class_name: str


# --------------------------------------------------------------------------- data -> GeoJSON


def _wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        msg = f"{what} has no CRS; set it first, e.g. gdf.set_crs('EPSG:4326')"
        raise InputError(msg)
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def _records(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    columns = [column for column in gdf.columns if column != gdf.geometry.name]
    return list(gdf[columns].to_dict(orient="records"))


def _coords(geom: shapely.Geometry, decimals: int) -> Any:
    rounded = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    return shapely.geometry.mapping(rounded)


_MARKUP_RUNS = re.compile(r"((?:<[^>]*>)+)")


class _Fragments:
    """A table of unique HTML fragments; a popup becomes a list of indices into it."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def encode(self, html_text: str | None) -> list[int]:
        if not html_text:
            return []
        # Text never contains "<" (it is escaped), so splitting at tags is exact.
        ids = []
        for piece in _MARKUP_RUNS.split(html_text):
            if piece:
                if piece not in self.index:
                    self.index[piece] = len(self.items)
                    self.items.append(piece)
                ids.append(self.index[piece])
        return ids


def _pack(
    gdf: gpd.GeoDataFrame,
    props: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    points: bool,
    decimals: int = 5,
    order: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """Encode a layer for :class:`_GeoJsonLayer` (see there), sorted by id then ``order``."""
    rows = list(zip(_records(gdf), gdf.geometry.array, strict=True))
    rows = [(row, geom) for row, geom in rows if geom is not None and not geom.is_empty]
    rows.sort(key=lambda pair: str(pair[0].get("id", "")))
    if order is not None:
        rows.sort(key=lambda pair: order(pair[0]))
    fragments = _Fragments()
    keys: dict[str, int] = {}
    packed: list[Any] = []
    for row, geom in rows:
        prop = props(row)
        key = keys.setdefault(str(prop["k"]), len(keys))
        popup, tooltip = fragments.encode(prop.get("p")), fragments.encode(prop.get("t"))
        if points:
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            packed.append(
                [
                    round(point.y, decimals),
                    round(point.x, decimals),
                    key,
                    prop.get("r", MIN_RADIUS),
                    popup,
                    tooltip,
                ]
            )
        else:
            packed.append(
                {
                    "type": "Feature",
                    "properties": {"k": key, "p": popup, "t": tooltip},
                    "geometry": _coords(geom, decimals),
                }
            )
    data: dict[str, Any] = {"s": fragments.items, "k": list(keys)}
    if points:
        data["f"] = packed
    else:
        data["g"] = {"type": "FeatureCollection", "features": packed}
    return data


def casualty_radius(killed: Any, max_killed: int) -> float:
    """Symbol radius in pixels: area proportional to ``killed``, at least :data:`MIN_RADIUS`.

    Unknown and zero counts get :data:`UNKNOWN_RADIUS`.

    Examples
    --------
    >>> casualty_radius(100, 100), casualty_radius(25, 100), casualty_radius(None, 100)
    (30.0, 15.0, 4.0)
    >>> casualty_radius(1, 10_000)
    5.0
    """
    number = _int(killed)
    if not number or max_killed <= 0:
        return UNKNOWN_RADIUS
    return round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(number / max_killed)), 1)


def _max_killed(gdf: gpd.GeoDataFrame) -> int:
    if "killed_best" not in gdf.columns or not len(gdf):
        return 0
    values = [_int(value) for value in gdf["killed_best"]]
    return max((value for value in values if value), default=0)


def _tooltip(*parts: Any) -> str:
    return " · ".join(_esc(part) for part in parts if not _missing(part) and part)


def _date_range(layers: Mapping[str, gpd.GeoDataFrame]) -> tuple[str, str] | None:
    dates: list[str] = []
    for gdf in layers.values():
        if "date" in gdf.columns:
            dates.extend(str(d) for d in gdf["date"] if not _missing(d) and d)
    return (min(dates), max(dates)) if dates else None


def _bounds(frames: Iterable[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [gdf.total_bounds for gdf in frames if len(gdf) and not gdf.geometry.is_empty.all()]
    boxes = [box for box in boxes if np.isfinite(box).all()]
    if not boxes:
        return None
    stacked = np.vstack(boxes)
    west, south = stacked[:, 0].min(), stacked[:, 1].min()
    east, north = stacked[:, 2].max(), stacked[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def _basemap_pack(
    basemap: gpd.GeoDataFrame,
    bounds: list[list[float]] | None,
    points: Sequence[shapely.Geometry],
) -> dict[str, Any]:
    base = _wgs84(basemap, "basemap")
    kinds = base["kind"] if "kind" in base.columns else pd.Series("country", index=base.index)
    base = base.assign(_kind=kinds.astype(str)).reset_index(drop=True)
    base = base[base["_kind"].isin(["country", "admin1"])]
    countries = base[base["_kind"] == "country"]
    if len(points) and len(countries):
        hits = countries.sindex.query(np.asarray(points, dtype=object), predicate="intersects")[1]
        focus = countries.index[np.unique(hits)]
        base.loc[focus, "_kind"] = "focus"
    if bounds is not None:
        (south, west), (north, east) = bounds
        pad_lat = max(3.0, (north - south) * 0.6)
        pad_lon = max(4.0, (east - west) * 0.6)
        box = (
            west - pad_lon,
            max(-85.0, south - pad_lat),
            east + pad_lon,
            min(85.0, north + pad_lat),
        )
        base = base[base.intersects(shapely.box(*box))]
        clipped = shapely.clip_by_rect(base.geometry.array, *box)
        base = base.set_geometry(gpd.GeoSeries(clipped, index=base.index, crs=base.crs))
        span = max(box[2] - box[0], box[3] - box[1])
    else:
        span = 360.0
    tolerance = span / 3000
    simplified = shapely.simplify(base.geometry.array, tolerance, preserve_topology=True)
    base = base.set_geometry(gpd.GeoSeries(simplified, index=base.index, crs=base.crs))
    # Countries first so admin1 lines draw on top of their fill, focus countries last of
    # them so their bold outline is not covered by a neighbour's.
    rank = {"country": 0, "focus": 1, "admin1": 2}
    return _pack(
        base,
        lambda row: {"k": row["_kind"]},
        points=False,
        decimals=4,
        order=lambda row: rank[row["_kind"]],
    )


# --------------------------------------------------------------------------- legend, title


def _swatch_polygon(style: Mapping[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="26" height="16"><rect x="2" y="2" width="22" height="12" '
        f'fill="{style.get("fillColor", "none")}" fill-opacity="{style.get("fillOpacity", 0)}" '
        f'stroke="{style["color"]}" stroke-width="{min(style["weight"], 2.5)}"{dash}/></svg>'
    )


def _swatch_circle(style: Mapping[str, Any], radius: float, size: int | None = None) -> str:
    box = size or int(2 * radius + 6)
    centre = box / 2
    return (
        f'<svg width="{box}" height="{box}"><circle cx="{centre}" cy="{centre}" r="{radius}" '
        f'fill="{style["fillColor"]}" fill-opacity="{style["fillOpacity"]}" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}"/></svg>'
    )


def _line(style: Mapping[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="26" height="10"><line x1="1" y1="5" x2="25" y2="5" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}"{dash}/></svg>'
    )


def _nice(number: float) -> int:
    """Round down to 1, 2 or 5 times a power of ten.

    Examples
    --------
    >>> _nice(5000), _nice(730), _nice(1)
    (5000, 500, 1)
    """
    if number < 1:
        return 1
    power = 10 ** math.floor(math.log10(number))
    return max(step * power for step in (1, 2, 5) if step * power <= number)


def _size_legend(max_killed: int) -> str:
    """Nested circles for three reference counts, labelled with leader lines."""
    refs = sorted(
        {_nice(max_killed), _nice(max_killed / 10), _nice(max_killed / 100)}, reverse=True
    )
    style = CASUALTY_STYLES["known"]
    height = 2 * MAX_RADIUS + 12
    centre_x = MAX_RADIUS + 3
    parts = []
    label_y = height
    for ref in refs[::-1]:  # smallest first, so labels can be pushed apart upwards
        radius = casualty_radius(ref, max_killed)
        top = height - 3 - 2 * radius
        label_y = min(top, label_y - 12)
        parts.append(
            f'<circle cx="{centre_x}" cy="{height - 3 - radius}" r="{radius}" '
            f'fill="{style["fillColor"]}" fill-opacity="0.35" stroke="{style["color"]}" '
            'stroke-width="1"/>'
            f'<polyline points="{centre_x},{top} {2 * MAX_RADIUS + 8},{top} '
            f'{2 * MAX_RADIUS + 14},{label_y}" fill="none" stroke="#777" stroke-width="0.6"/>'
            f'<text x="{2 * MAX_RADIUS + 17}" y="{label_y + 4}">{ref:,}</text>'
        )
    return f'<svg width="190" height="{height}">{"".join(parts[::-1])}</svg>'


def _legend(
    zones: Sequence[str], layers: Mapping[str, int], max_killed: int, boundaries: bool
) -> str:
    rows: list[str] = []
    if zones:
        rows.append("<h2>Zones</h2>")
        rows.extend(
            f'<div class="row">{_swatch_polygon(ZONE_STYLES[z])}{ZONE_LABELS[z]}</div>'
            for z in ZONE_STYLES
            if z in zones
        )
    if layers.get("casualties"):
        rows.append("<h2>Killed (best estimate)</h2>")
        if max_killed:
            rows.append(_size_legend(max_killed))
        rows.append(
            f'<div class="row">{_swatch_circle(CASUALTY_STYLES["disputed"], 6)}'
            "disputed between sources</div>"
        )
        rows.append(
            f'<div class="row">{_swatch_circle(CASUALTY_STYLES["unknown"], 5)}count unknown</div>'
        )
    if layers.get("events"):
        rows.append(
            f'<h2>Reports</h2><div class="row">{_swatch_circle(EVENT_STYLES["event"], 5)}'
            "event (one article)</div>"
        )
    if layers.get("places"):
        if not layers.get("events"):
            rows.append("<h2>Reports</h2>")
        rows.append(
            f'<div class="row">{_swatch_circle(PLACE_STYLES["place"], 3.5)}place mentioned</div>'
        )
    if boundaries:
        rows.append(
            "<h2>Boundaries</h2>"
            f'<div class="row">{_line(BOUNDARY_STYLES["focus"])}country</div>'
            f'<div class="row">{_line(BOUNDARY_STYLES["admin1"])}province (admin1)</div>'
        )
    return f'<div class="geo-legend" id="geo-legend">{"".join(rows)}</div>'


def _title(title: str | None, dates: tuple[str, str] | None, counts: Mapping[str, int]) -> str:
    heading = _esc(title or "Conflict events")
    if dates is None:
        when = "dates unknown"
    elif dates[0] == dates[1]:
        when = _esc(dates[0])
    else:
        when = f"{_esc(dates[0])} – {_esc(dates[1])}"
    summary = ", ".join(f"{count:,} {name}" for name, count in counts.items() if count)
    return (
        f'<div class="geo-title" id="geo-title"><h1>{heading}</h1>'
        f"<p>{when}{' · ' + summary if summary else ''}</p></div>"
    )


# --------------------------------------------------------------------------- the map


def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    basemap: gpd.GeoDataFrame | None,
    title: str | None = None,
    tiles: bool = False,
    cluster_threshold: int | None = None,
    label_limit: int = 40,
) -> tuple[folium.Map, list[MapLayer]]:
    """Build the folium map for the layers without rendering it.

    Parameters are those of :func:`render_map`; places get permanent name labels when there
    are at most ``label_limit`` of them.

    Returns
    -------
    tuple
        The map and, per drawn layer (in drawing order), what was added.
    """
    threshold = settings.cluster_threshold if cluster_threshold is None else cluster_threshold
    unknown = sorted(set(layers) - set(LAYER_NAMES))
    if unknown:
        msg = f"unknown layer names {unknown!r}; expected some of {list(LAYER_NAMES)!r}"
        raise InputError(msg)
    frames = {name: _wgs84(gdf, f"layer {name!r}") for name, gdf in layers.items()}
    empty = gpd.GeoDataFrame({"id": []}, geometry=[], crs="EPSG:4326")
    places = frames.get("places", empty)
    events = frames.get("events", empty)
    casualties = frames.get("casualties", empty)
    zones = frames.get("zones", empty)

    bounds = _bounds(frame for frame in (places, events, casualties, zones))
    fmap = folium.Map(
        location=None
        if bounds is None
        else [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        # Without tiles Leaflet has no zoom limits, which markercluster needs.
        minZoom=2,
        maxZoom=18,
    )
    # Drop folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers).
    fmap.default_js = []
    fmap.default_css = []
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.title = title or "Conflict events"
    styles, scripts = inline_tags(("leaflet", "markercluster", "jquery"))
    figure.header.add_child(_Raw(styles + _MAP_CSS), name="geo_css")
    figure.header.add_child(_Raw(scripts), name="geo_js")

    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False).add_to(fmap)

    added: list[MapLayer] = []

    def add(layer: _GeoJsonLayer) -> None:
        if layer.n_features:
            layer.add_to(fmap)
            added.append(
                MapLayer(layer.layer_name, layer.n_features, layer.cluster, layer.class_name)
            )

    if basemap is not None and len(basemap):
        points = [
            geom
            for frame in (places, events, casualties)
            for geom in frame.geometry.array[:: max(1, len(frame) // 5000)]
            if geom is not None and not geom.is_empty
        ]
        add(
            _GeoJsonLayer(
                _basemap_pack(basemap, bounds, points),
                name="Boundaries",
                styles=BOUNDARY_STYLES,
                class_name="geo-boundaries",
                points=False,
                interactive=False,
            )
        )

    def zone_props(row: dict[str, Any]) -> dict[str, Any]:
        names = ", ".join(str(name) for name in _list(row.get("place_names")))
        return {
            "k": row.get("zone"),
            "p": zone_popup(row),
            "t": _tooltip(ZONE_LABELS.get(str(row.get("zone")), row.get("zone")), names),
        }

    zone_kinds = zones["zone"].astype(str) if "zone" in zones.columns else pd.Series([], dtype=str)
    zone_groups = (
        ("Pledged zones", "geo-pledged", ["pledged_deescalation"]),
        ("Fighting zones", "geo-fighting", ["active_fighting", "besieged"]),
        ("Other zones", "geo-other-zones", ["recaptured", "withdrawal"]),
    )
    for label, class_name, kinds in zone_groups:
        subset = zones[zone_kinds.isin(kinds).to_numpy()] if len(zones) else zones
        add(
            _GeoJsonLayer(
                _pack(subset, zone_props, points=False),
                name=label,
                bounds=_bounds([subset]),
                styles={k: ZONE_STYLES[k] for k in kinds},
                class_name=class_name,
                points=False,
            )
        )

    def place_props(row: dict[str, Any]) -> dict[str, Any]:
        return {"k": "place", "r": 3.5, "p": place_popup(row), "t": _tooltip(row.get("name"))}

    add(
        _GeoJsonLayer(
            _pack(places, place_props, points=True),
            name="Places",
            styles=PLACE_STYLES,
            bounds=_bounds([places]),
            class_name="geo-places",
            points=True,
            cluster=len(places) > threshold,
            labels=len(places) <= label_limit,
        )
    )

    def event_props(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "k": "event",
            "r": 5,
            "p": event_popup(row),
            "t": _tooltip(row.get("place"), row.get("date"), row.get("event_type")),
        }

    add(
        _GeoJsonLayer(
            _pack(events, event_props, points=True),
            name="Events",
            styles=EVENT_STYLES,
            bounds=_bounds([events]),
            class_name="geo-events",
            points=True,
            cluster=len(events) > threshold,
        )
    )

    max_killed = _max_killed(casualties)

    def casualty_props(row: dict[str, Any]) -> dict[str, Any]:
        known = _int(row.get("killed_best"))
        disputed = bool(row.get("disputed"))
        key = ("known" if known else "unknown") + ("_disputed" if disputed else "")
        key = "disputed" if key == "known_disputed" else key
        return {
            "k": key,
            "r": casualty_radius(known, max_killed),
            "p": casualty_popup(row),
            "t": _tooltip(
                row.get("place"),
                row.get("date"),
                f"killed {_count(known)}" if known is not None else None,
            ),
        }

    # Largest symbols first, so small ones stay clickable on top of them.
    add(
        _GeoJsonLayer(
            _pack(
                casualties,
                casualty_props,
                points=True,
                order=lambda row: -(_int(row.get("killed_best")) or 0),
            ),
            name="Casualties",
            styles=CASUALTY_STYLES,
            class_name="geo-casualties",
            points=True,
            bounds=_bounds([casualties]),
            cluster=len(casualties) > threshold,
        )
    )

    named = (("events", events), ("casualties", casualties), ("places", places), ("zones", zones))
    counts = {name: len(frame) for name, frame in named}
    present_zones = sorted(set(zone_kinds)) if len(zones) else []
    figure.html.add_child(_Raw(_title(title, _date_range(frames), counts)), name="geo_title")
    figure.html.add_child(
        _Raw(_legend(present_zones, counts, max_killed, basemap is not None and len(basemap) > 0)),
        name="geo_legend",
    )
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    if bounds is not None:
        # Keep the data clear of the title (top) and the legend (bottom right).
        fmap.fit_bounds(
            bounds, padding_top_left=(40, 80), padding_bottom_right=(260, 30), max_zoom=11
        )
    return fmap, added


_HEX_ID = re.compile(r"[0-9a-f]{32}")


def _element_ids(element: Element) -> set[str]:
    ids = {element._id}
    children = list(element._children.values())
    if isinstance(element, Figure):
        children += [element.header, element.html, element.script]
    for child in children:
        ids |= _element_ids(child)
    return ids


def _deterministic(page: str, ids: set[str]) -> str:
    """Renumber folium's random element ids in order of first appearance."""
    mapping: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        if found not in ids:
            return found
        if found not in mapping:
            mapping[found] = f"{len(mapping) + 1:032x}"
        return mapping[found]

    return _HEX_ID.sub(replace, page)


def render_html(fmap: folium.Map) -> str:
    """Render a map from :func:`build_map` to the page's HTML, with deterministic ids."""
    figure = fmap.get_root()
    page = figure.render()
    return _deterministic(page, _element_ids(figure))


def render_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    out_html: str | Path,
    *,
    basemap: gpd.GeoDataFrame | None,
    title: str | None = None,
    tiles: bool = False,
    cluster_threshold: int | None = None,
) -> Path:
    """Draw the layers as one self-contained HTML map that works offline.

    Parameters
    ----------
    layers
        Some of ``places``, ``events``, ``casualties`` and ``zones`` (see :mod:`geo.layers`);
        empty or absent layers are left off the map.
    out_html
        The HTML file to write (atomically).
    basemap
        Country and admin1 polygons (a ``kind`` column with ``country``/``admin1``; without
        it every polygon is drawn as a country), e.g. ``gazetteer/areas.parquet``. Clipped to
        the data's surroundings and simplified. ``None`` draws no boundaries.
    title
        The map's heading; the corpus' date range is shown under it.
    tiles
        Add an OpenStreetMap tile layer (needs a network when viewed). Off by default.
    cluster_threshold
        Point layers with more features are clustered; ``None`` reads
        :data:`geo.settings.cluster_threshold`.

    Returns
    -------
    Path
        ``out_html``.

    Raises
    ------
    InputError
        If a layer has no CRS or an unknown name.
    """
    fmap, added = build_map(
        layers, basemap=basemap, title=title, tiles=tiles, cluster_threshold=cluster_threshold
    )
    page = render_html(fmap)
    target = Path(out_html)
    write_text(target, page)
    logger.info(
        "rendered %s to %s (%d bytes)",
        ", ".join(f"{layer.features} {layer.name.lower()}" for layer in added) or "an empty map",
        target,
        len(page.encode("utf-8")),
    )
    return target
