"""Layers -> one static, offline HTML map (folium + Leaflet).

The page draws without a network: Leaflet, Leaflet.markercluster and jQuery are inlined
from :mod:`geo.assets`, folium's CDN links (Bootstrap, Font Awesome, awesome-markers) are
dropped, base tiles are off by default and a bundled basemap (country and admin1 outlines)
is drawn as a vector layer instead.

Each layer becomes a single ``L.geoJSON`` layer whose points are ``circleMarker``s, never
one folium ``Marker`` per point, so 100,000 points stay a page a browser can open; point
layers with more than :data:`geo.settings.cluster_threshold` features are clustered.
Popup and tooltip HTML is built here, in Python, with every text value passed through
:func:`html.escape`, and stored dictionary-encoded in columns (see :class:`_Texts`); the
page only puts the pieces back together. A layer's data larger than
:data:`geo.settings.map_compress_bytes` is stored deflated and base64-encoded and inflated
by the browser's own ``DecompressionStream``, so a 100,000-event map stays one file of
about 10 MB that needs no network.

folium gives every element a random id; :func:`render_map` renumbers them in order of
appearance, so the same layers always give a byte-identical page.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import logging
import math
import re
import zlib
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
from folium.elements import ElementAddToElement

from geo import settings
from geo._atomic import write_text
from geo._errors import InputError
from geo.assets import inline_tags
from geo.layers import LAYER_NAMES
from geo.zones import BUFFER_METHOD, CIRCLE_VERTICES, buffer_at

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- styles

PLEDGED = "#2166ac"
PLEDGED_FILL = "#9ecae1"
FIGHTING = "#e6550d"
FIGHTING_LINE = "#a63603"
BESIEGED = "#7f0000"
RECAPTURED = "#1a9850"
WITHDRAWAL = "#01857f"
CASUALTY = "#b2182b"
CASUALTY_LINE = "#67000d"
DISPUTED_RING = "#3f007d"
UNKNOWN = "#9e9e9e"
EVENT = "#253494"
PLACE = "#4d4d4d"
WATER = "#d4e4ee"
LAND = "#ece9e2"
FOCUS_LAND = "#fcfbf8"
HATCH = "geo-hatch"
"""Id of the SVG pattern (diagonal dark-red lines) that fills besieged zones."""

ZONE_STYLES: dict[str, dict[str, Any]] = {
    "pledged_deescalation": {
        "color": PLEDGED,
        "weight": 2.5,
        "dashArray": "8 6",
        "fillColor": PLEDGED_FILL,
        "fillOpacity": 0.35,
        "opacity": 1,
    },
    "active_fighting": {
        "color": FIGHTING_LINE,
        "weight": 1.5,
        "fillColor": FIGHTING,
        "fillOpacity": 0.45,
        "opacity": 0.9,
    },
    "besieged": {
        "color": BESIEGED,
        "weight": 3.5,
        "fillColor": f"url(#{HATCH})",
        "fillOpacity": 1,
        "opacity": 1,
    },
    "recaptured": {
        "color": RECAPTURED,
        "weight": 2,
        "fillColor": RECAPTURED,
        "fillOpacity": 0.3,
        "opacity": 1,
    },
    "withdrawal": {
        "color": WITHDRAWAL,
        "weight": 2,
        "dashArray": "2 4",
        "fillColor": WITHDRAWAL,
        "fillOpacity": 0.25,
        "opacity": 1,
    },
}
"""Zone styles: pledged blue dashed on light blue, fighting orange-red, besieged hatched
dark red with a thick outline, recaptured green, withdrawal teal."""
ZONE_LABELS = {
    "pledged_deescalation": "Pledged de-escalation",
    "active_fighting": "Active fighting",
    "besieged": "Besieged",
    "recaptured": "Recaptured",
    "withdrawal": "Withdrawal",
}
CASUALTY_STYLES: dict[str, dict[str, Any]] = {
    "known": {"color": CASUALTY_LINE, "weight": 1.2, "fillColor": CASUALTY, "fillOpacity": 0.6},
    "disputed": {
        "color": DISPUTED_RING,
        "weight": 3,
        "fillColor": CASUALTY,
        "fillOpacity": 0.6,
    },
    "unknown": {"color": "#424242", "weight": 1.2, "fillColor": UNKNOWN, "fillOpacity": 0.7},
    "unknown_disputed": {
        "color": DISPUTED_RING,
        "weight": 3,
        "fillColor": UNKNOWN,
        "fillOpacity": 0.7,
    },
}
for _key, _style in list(CASUALTY_STYLES.items()):
    CASUALTY_STYLES[f"area_{_key}"] = {**_style, "dashArray": "3 3", "fillOpacity": 0.3}
"""Casualty styles by key: ``known`` (a killed count), ``disputed`` (ringed: sources
disagree), ``unknown`` (no death toll), and ``area_*`` variants, dashed and paler, for figures
about a whole country or region drawn at its gazetteer point."""
EVENT_STYLES = {"event": {"color": "#ffffff", "weight": 1, "fillColor": EVENT, "fillOpacity": 0.9}}
PLACE_STYLES = {
    "place": {"color": PLACE, "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 1},
    "area": {"color": "#8a8a8a", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.6},
}
"""``place``: a city or village; ``area``: a country, province or region, drawn at its
gazetteer point (often the capital) and so kept small and grey."""
BOUNDARY_STYLES = {
    "country": {"color": "#8f8a80", "weight": 1.2, "fillColor": LAND, "fillOpacity": 1},
    "focus": {"color": "#3c3c3c", "weight": 1.8, "fillColor": FOCUS_LAND, "fillOpacity": 1},
    "admin1": {"color": "#b9b3a7", "weight": 0.7, "fillOpacity": 0, "dashArray": "4 3"},
}
"""Basemap styles; ``focus`` is a country that contains data, drawn lighter and bolder."""

AREA_KINDS = frozenset({"country", "admin1", "region", "continent", "sea"})
"""Place kinds that are areas: their names go to the off-by-default region label layer."""
MIN_RADIUS = 4.5
"""Radius (px) of the smallest casualty symbol with a known count."""
UNKNOWN_RADIUS = 4.5
"""Radius (px) of a casualty symbol with an unknown or zero count."""
MAX_RADIUS = 28.0
"""Radius (px) of the symbol for :data:`FULL_SCALE_KILLED` or more killed."""
FULL_SCALE_KILLED = 5000
"""Killed count drawn at :data:`MAX_RADIUS`; smaller counts scale with its square root, so
the area of a symbol is proportional to the count, the same on every map."""
MAX_ZOOM = 13
"""Deepest zoom of a map without tiles: a view about 40 km across, where neighbouring
villages (the finest the data places anything) are drawn apart. markercluster builds its
clusters for every zoom level, so each level fewer makes a large map load faster."""
TILE_MAX_ZOOM = 18
"""Deepest zoom of a map with OpenStreetMap tiles (street level)."""
LABEL_TOP_N = 8
"""Besides the places of events, casualties and zones, the most mentioned cities labelled."""
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
  box-shadow: 0 1px 5px rgba(0,0,0,.3); width: 220px; line-height: 1.3; }}
.geo-legend h2 {{ font-size: 11px; margin: 7px 0 3px; text-transform: uppercase;
  letter-spacing: .05em; color: #666; font-weight: 600; }}
.geo-legend h2:first-child {{ margin-top: 0; }}
.geo-legend .row {{ display: flex; align-items: center; gap: 8px; margin: 2px 0; }}
.geo-legend svg {{ flex: none; }}
.geo-legend text {{ font-size: 11px; fill: #333; }}
.geo-label {{ background: none; border: 0; }}
.geo-label span {{ position: absolute; left: 7px; top: -8px; white-space: nowrap;
  font-weight: 600; font-size: 12px; line-height: 16px; color: #1a1a1a;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }}
.geo-label.area span {{ left: -50px; width: 100px; text-align: center; white-space: normal;
  font-weight: 400; font-style: italic; font-size: 11px; color: #5a5348;
  text-transform: uppercase; letter-spacing: .06em; }}
.geo-label.hidden {{ visibility: hidden; }}
.geo-popup {{ font-size: 12px; line-height: 1.4; }}
.geo-popup h3 {{ font-size: 14px; margin: 0 0 2px; }}
.geo-popup .m {{ color: #555; margin-bottom: 4px; }}
.geo-popup .f {{ font-weight: 600; }}
.geo-popup ol {{ margin: 6px 0 0; padding-left: 18px; max-height: 300px; overflow-y: auto; }}
.geo-popup li {{ margin-bottom: 4px; }}
.geo-popup li .s {{ color: #555; }}
.geo-popup + .geo-popup {{ border-top: 1px solid #ccc; margin-top: 8px; padding-top: 6px; }}
.geo-popup q {{ font-style: italic; }}
.geo-popup .d {{ color: {DISPUTED_RING}; font-weight: 600; }}
.leaflet-control-layers {{ font-size: 12px; }}
</style>
"""


_READY_JS = """
<script data-asset="geo-ready">
// window.geoReadyAt: performance.now() once the page has loaded and every data layer has
// drawn all of its features (large layers are inflated, then clustered in chunks, after
// the load event).
window.geoPending = 1;
window.geoDone = function () {
  window.geoPending -= 1;
  if (window.geoPending === 0) { window.geoReadyAt = performance.now(); }
};
window.addEventListener("load", function () { window.geoDone(); });
// A layer's data, as a promise: plain JSON, or JSON deflated (zlib) and base64-encoded,
// which the browser inflates with its built-in DecompressionStream.
window.geoData = function (id) {
  // Inside a promise, so that a browser without DecompressionStream (or a broken block)
  // rejects it and leaves the rest of the page working.
  return Promise.resolve().then(function () {
    var element = document.getElementById(id);
    if (element.type === "application/json") { return JSON.parse(element.text); }
    var binary = atob(element.text), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new ReadableStream({start: function (controller) {
      controller.enqueue(bytes);
      controller.close();
    }}).pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  });
};
// A data layer's features are drawn as soon as its block is inflated.
window.geoLayer = function (id, draw) {
  window.geoPending += 1;
  window.geoData(id).then(draw).catch(function (error) { window.geoDataFailed(id, error); });
};
// Each data layer draws in a pane of its own, stacked in the order the page defines the
// layers (boundaries under zones under points) whichever block is inflated first: in one
// shared pane, later paths paint over earlier ones. Under the markers' pane (600).
window.geoPanes = 0;
window.geoPane = function (map, name) {
  map.createPane(name).style.zIndex = 400 + (++window.geoPanes);
  return name;
};
window.geoDataFailed = function (id, error) {
  console.error("geo: layer data " + id + " could not be read (" + error + "); this " +
    "browser may lack DecompressionStream (Chrome 80, Firefox 113, Safari 16.4 have it)");
  window.geoDone();
};
</script>
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
    if value.__class__ is str:
        escaped = _ESCAPED.get(value)
        if escaped is None:
            escaped = html.escape(value, quote=True)
            if len(value) <= _ESCAPED_CHARS:
                if len(_ESCAPED) >= _ESCAPED_MAX:
                    _ESCAPED.clear()
                _ESCAPED[value] = escaped
        return escaped
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


_ESCAPED: dict[str, str] = {}
"""Short strings already escaped: place names, dates, kinds and ids repeat in most popups."""
_ESCAPED_CHARS = 80
_ESCAPED_MAX = 200_000
_NA = pd.NA


def _missing(value: Any) -> bool:
    kind = value.__class__
    if kind is str or kind is int or kind is bool:
        return False
    if value is None or value is _NA:
        return True
    if kind is float:
        return math.isnan(value)
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _int(value: Any) -> int | None:
    if value.__class__ is int:
        return value
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
    """Return a count with its range as popups show it (HTML-safe text).

    Examples
    --------
    >>> figure_range("killed", 7, 7, 12)
    'killed: 7 (range 7–12)'
    >>> figure_range("killed", 5000, 5000, 5000), figure_range("killed", None, 3, None)
    ('killed: 5,000', 'killed: 3')
    >>> figure_range("killed", None, 5000, 5000), figure_range("injured", 10, None, 40)
    ('killed: 5,000 (up to 5,000)', 'injured: unknown (range 10–40)')
    >>> figure_range("killed", 12, 12, None)
    'killed: 12 (at least 12)'
    """
    lo, mid, hi = _int(low), _int(best), _int(high)
    text = f"{_esc(kind)}: {_count(mid)}"
    if lo is not None and hi is not None:
        if lo != hi or mid is None:
            text += f" (range {_count(lo)}–{_count(hi)})"
    elif lo is not None:
        text += f" (at least {_count(lo)})"
    elif hi is not None:
        text += f" (up to {_count(hi)})"
    return text


def _quote(text: Any, limit: int = QUOTE_CHARS) -> str:
    if _missing(text) or not str(text).strip():
        return ""
    value = " ".join(str(text).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return f"<q>{_esc(value)}</q>"


_PRECISION_WORDS = {
    "day": "exact day",
    "week": "within a week",
    "month": "month only",
    "year": "year only",
}


def _when(row: Mapping[str, Any]) -> str:
    """The date with its precision, e.g. ``2022-03-29 (within a week)``.

    Examples
    --------
    >>> _when({"date": "2022-03-29", "date_precision": "week"})
    '2022-03-29 (within a week)'
    >>> _when({"date": None})
    'date unknown'
    """
    date = row.get("date")
    if _missing(date) or not date:
        return "date unknown"
    precision = row.get("date_precision")
    if _missing(precision) or not precision:
        return _esc(date)
    word = _PRECISION_WORDS.get(str(precision), f"precision: {precision}")
    return f"{_esc(date)} ({_esc(word)})"


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


_RANGES = tuple(
    (kind, f"{kind}_low", f"{kind}_best", f"{kind}_high") for kind in ("killed", "injured")
)
_COUNTS = tuple((kind, f"{kind}_best") for kind in ("missing", "displaced"))


def _figures(row: Mapping[str, Any]) -> list[str]:
    lines = []
    for kind, low_key, best_key, high_key in _RANGES:
        low, best, high = row.get(low_key), row.get(best_key), row.get(high_key)
        if not (_missing(low) and _missing(best) and _missing(high)):
            lines.append(figure_range(kind, low, best, high))
    for kind, best_key in _COUNTS:
        best = row.get(best_key)
        if not _missing(best):
            lines.append(f"{kind}: {_count(best)}")
    return lines


def _truthy(value: Any) -> bool:
    return not _missing(value) and bool(value)


def _source_item(source: Mapping[str, Any]) -> str:
    """One source of a casualty record: article, outlet, date, figure, attribution, hedge."""
    article = source.get("article")
    outlet = source.get("source")
    head = [f"<b>{_esc(article or outlet or 'unknown article')}</b>"]
    if _truthy(outlet) and not str(outlet).startswith(str(article)):
        head.append(_esc(outlet))  # an outlet's name, not just the article's file name
    date = source.get("date")
    head.append(_esc(date) if _truthy(date) else "date unknown")
    detail = [
        figure_range(
            source.get("kind") or "count",
            source.get("low"),
            source.get("best"),
            source.get("high"),
        )
    ]
    if _truthy(source.get("attribution")):
        detail.append(f"attribution: {_esc(source.get('attribution'))}")
    if _truthy(source.get("hedge")):
        detail.append(f"hedge: {_esc(source.get('hedge'))}")
    quote = f" {_quote(source.get('figure'))}" if _truthy(source.get("figure")) else ""
    return f'<li><span class="s">{" · ".join(head)}</span>{quote}<br>{"; ".join(detail)}</li>'


def casualty_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one casualties feature: place, date, ranges and every source."""
    parts = [f'<div class="geo-popup"><h3>{_esc(row.get("place"))}</h3>']
    meta = [_when(row)]
    event_type = _event_type(row)
    if event_type:
        meta.append(event_type)
    parts.append(f'<div class="m">{" · ".join(meta)}</div>')
    parts.append(
        "<br>".join(f'<span class="f">{line}</span>' for line in _figures(row))
        or '<span class="f">no count</span>'
    )
    if _truthy(row.get("disputed")):
        parts.append('<div class="d">Disputed: sources disagree</div>')
    items = [
        _source_item(source)
        for source in _list(row.get("sources"))
        if source.__class__ is dict or isinstance(source, Mapping)
    ]
    if items:
        parts.append(f"<ol>{''.join(items)}</ol>")
    parts.append("</div>")
    return "".join(parts)


def event_popup(row: Mapping[str, Any]) -> str:
    """Popup HTML for one events feature."""
    parts = [f'<div class="geo-popup"><h3>{_esc(row.get("place"))}</h3>']
    meta = [_when(row)]
    event_type = _event_type(row)
    if event_type:
        meta.append(event_type)
    parts.append(f'<div class="m">{" · ".join(meta)}</div>')
    figures = _figures(row)
    if figures:
        parts.append("<br>".join(f'<span class="f">{line}</span>' for line in figures) + "<br>")
    extra = [
        f"{label}: {_esc(row.get(key))}"
        for key, label in (("actor", "actor"), ("plover", "PLOVER"), ("source", "source"))
        if _truthy(row.get(key))
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
    meta = [_when(row)]
    if _truthy(row.get("actor")):
        meta.append(f"actor: {_esc(row.get('actor'))}")
    if _truthy(row.get("plover")):
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


def _js_json(data: Any, *, ascii_only: bool = False) -> str:
    """JSON text safe inside an inline ``<script>`` (no ``<`` or ``>`` characters).

    With ``ascii_only``, every character beyond ASCII is escaped too.
    """
    text = json.dumps(data, ensure_ascii=ascii_only, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def _block(data: Any, compress_over: int | None) -> tuple[str, str]:
    """The type and text of the ``<script>`` block for ``data`` (see :class:`_DataElement`)."""
    data_js = _js_json(data)
    if compress_over is None or len(data_js.encode("utf-8")) <= compress_over:
        return "application/json", data_js
    # All-ASCII JSON (other characters as \u escapes) inflates to a one-byte string in
    # the browser, which decodes and parses about a quarter faster.
    ascii_json = _js_json(data, ascii_only=True)
    packed = base64.b64encode(zlib.compress(ascii_json.encode("ascii"), 6)).decode("ascii")
    return "application/octet-stream", packed


def _unblock(block: tuple[str, str]) -> Any:
    """The data a :func:`_block` holds."""
    kind, text = block
    if kind == "application/octet-stream":
        text = zlib.decompress(base64.b64decode(text)).decode("ascii")
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class Packed:
    """One data layer of the map, packed and encoded: what a worker sends back."""

    n: int
    """How many features."""
    compress_over: int | None
    block: tuple[str, str]
    """The data block's type and text for ``compress_over`` (see :func:`_block`)."""


def packed(compress_over: int | None, pack: Callable[..., dict[str, Any]], *args: Any) -> Packed:
    """Run ``pack(*args)`` (e.g. :func:`pack_points`) and encode its data for the page.

    A self-contained task: any process with this module can run it, so an engine with
    workers (see :func:`build_map`'s ``start``) packs the layers in parallel.
    """
    data = pack(*args)
    return Packed(int(data["n"]), compress_over, _block(data, compress_over))


Start = Callable[..., Callable[[], Packed]]
"""Starts ``fn(*args)`` somewhere and returns a function that waits for its result."""


def _start_here(fn: Callable[..., Packed], *args: Any) -> Callable[[], Packed]:
    """Run in this process, when the result is asked for."""
    return functools.partial(fn, *args)


class _DataElement(folium.map.Layer):
    """A layer whose data sits in a ``<script>`` data block, not in the layer's code.

    Data up to ``compress_over`` bytes is a ``<script type="application/json">`` block the
    browser parses with ``JSON.parse`` (faster than a script literal of the same size);
    larger data is deflated (zlib) and base64-encoded in a
    ``<script type="application/octet-stream">`` block, and ``window.geoData`` inflates it
    with the browser's own ``DecompressionStream``: a large page is several times smaller
    and still one file that needs no network. Neither the data nor the script is run
    through Jinja again, so text such as ``{{`` in an article cannot change the page.
    """

    data: Any
    """The layer's data, or ``None`` when it was given :attr:`packed`."""
    compress_over: int | None = None
    packed: Packed | None = None
    """The data encoded ahead (elsewhere, perhaps), used if its threshold is ours."""

    def data_block(self) -> str:
        """The ``<script>`` element that holds the data (see the class docstring)."""
        block_id = f"{self.get_name()}_data"
        ahead = self.packed
        if ahead is not None and ahead.compress_over == self.compress_over:
            kind, text = ahead.block
        else:
            data = self.data if ahead is None else _unblock(ahead.block)
            kind, text = _block(data, self.compress_over)
        return f'<script type="{kind}" id="{block_id}">{text}</script>'

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement
        figure = self.get_root()
        assert isinstance(figure, Figure)
        name = self.get_name()
        figure.html.add_child(_Raw(self.data_block()), name=f"{name}_data")
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_Raw(script(self, kwargs)), name=name)
        if self.show:  # what folium.map.Layer.render does
            assert self._parent is not None
            self.add_child(
                ElementAddToElement(element_name=name, element_parent_name=self._parent.get_name()),
                name=f"{name}_add",
            )
        for child in self._children.values():
            child.render(**kwargs)


class _GeoJsonLayer(_DataElement):
    """One Leaflet layer per data layer, styled by key, with popups and tooltips on demand.

    ``data`` comes from :func:`_pack`: ``n`` features, ``k`` their style keys, ``sk`` and
    ``d`` the skeletons and dictionaries of popups and tooltips, and ``p`` and ``t`` their
    columns (see :class:`_Texts`; ``p`` or ``t`` is absent when no feature has one); then
    either, for points, ``xy`` the distinct locations as integers (``lat * e``, ``lon * e``),
    ``l`` a location per feature, ``sy`` the distinct ``[key, radius]`` symbols and ``y`` a
    symbol per feature, drawn as ``circleMarker``s in one feature group or cluster group; or
    ``g`` a FeatureCollection of the distinct shapes, drawn with ``L.geoJSON``: features
    sharing a geometry and a key are one shape, whose popup lists theirs in order and whose
    tooltip is the first's with their count. A shape's properties are ``{"k": key}``, and
    ``"m": [feature, ...]`` when it stands for more than one; shapes come in the order of
    their first feature, so one without ``m`` is the lowest-numbered feature not yet drawn.
    A shape whose geometry is a Point is a circle of radius ``"r"`` metres (a zone's metric
    buffer, see :func:`_buffer_circle`), drawn with ``L.circle``.

    The layer object exists at once (the layer control and the map hold it); its features
    are added when :func:`window.geoData` has the data, which for a compressed block is
    after the page's load event. A popup's HTML (escaped in Python) is put together from
    its pieces when it first opens; a clustered layer binds a marker's popup and tooltip
    only on its first click or hover.
    """

    _template = folium.template.Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var styles = {{ this.styles_js }}, cls = {{ this.class_name|tojson }};
  var pane = window.geoPane({{ this._parent.get_name() }}, {{ this.get_name()|tojson }});
  var K, SK, D, P, T, n, C, uses;
  // The texts of feature i: its skeleton's literals, and for each slot the next word of
  // that slot's dictionary column. A column's start for each feature (and its running
  // sums, where stored as differences) is worked out the first time it is read.
  function prepare(col) {
    if (col.off) { return; }
    var off = new Int32Array(n * C), at = new Int32Array(C), i, j;
    for (i = 0; i < C; i++) {
      var v = col.v[i];
      if (col.z[i]) { for (j = 1; j < v.length; j++) { v[j] += v[j - 1]; } }
    }
    for (i = 0; i < n; i++) {
      off.set(at, i * C);
      var u = uses[col.s[i]];
      for (j = 0; j < u.length; j++) { at[u[j]] += 1; }
    }
    col.off = off;
  }
  function has(col, i) { return !!col && SK[col.s[i]].length > 0; }
  function text(col, i) {
    if (!has(col, i)) { return ""; }
    prepare(col);
    var s = SK[col.s[i]], at = col.off.slice(i * C, i * C + C), out = "";
    for (var j = 0; j < s.length; j++) {
      var c = s[j];
      out += typeof c === "string" ? c : word(c, col.v[c][at[c]++]);
    }
    return out;
  }
  var popupOptions = {maxWidth: 380, minWidth: 260, maxHeight: 420,
    autoPanPaddingTopLeft: [50, 80], autoPanPaddingBottomRight: [250, 30]};
  function bind(layer, i) {
    if (has(P, i)) { layer.bindPopup(function () { return text(P, i); }, popupOptions); }
    if (has(T, i)) { layer.bindTooltip(text(T, i), {sticky: true}); }
  }
  // A shape standing for several features: every popup, in order, and the first tooltip.
  function bindAll(layer, members) {
    if (members.length === 1) { bind(layer, members[0]); return; }
    var popups = members.filter(function (i) { return has(P, i); });
    var titled = members.filter(function (i) { return has(T, i); });
    if (popups.length) {
      layer.bindPopup(function () { return popups.map(function (i) { return text(P, i); })
        .join(""); }, popupOptions);
    }
    if (titled.length) {
      layer.bindTooltip(text(T, titled[0]) + " · " + members.length + " records",
        {sticky: true});
    }
  }
  function read(data) {
    K = data.k; SK = data.sk; D = data.d; P = data.p; T = data.t; n = data.n; C = D.length;
    uses = SK.map(function (s) {
      return s.filter(function (item) { return typeof item === "number"; });
    });
    if (T) {
      T.v = T.v.map(function (v, c) { return v === null ? P.v[c].slice() : v; });
    }
  }
  // Word j of dictionary c: a slice of the dictionary's one string, found by the running
  // sum of the word lengths (worked out on first use).
  function word(c, j) {
    var table = D[c];
    if (!table.off) {
      var lengths = table[1], off = new Int32Array(lengths.length + 1);
      for (var i = 0; i < lengths.length; i++) { off[i + 1] = off[i] + lengths[i]; }
      table.off = off;
    }
    return table[0].slice(table.off[j], table.off[j + 1]);
  }
  {%- if this.points %}
  var layers = [];
  {%- if this.cluster %}
  var group = L.markerClusterGroup({chunkedLoading: true, chunkInterval: 150, chunkDelay: 5,
    showCoverageOnHover: false, maxClusterRadius: 50,
    chunkProgress: function (done, total) {
      if (layers.length && done === layers.length && total === layers.length &&
          !group.geoLoaded) {
        group.geoLoaded = true;
        setTimeout(window.geoDone, 0);
      }
    }});
  {%- if this.interactive %}
  // Large layers bind a marker's popup and tooltip on first use, not 100,000 up front.
  group.on("click mouseover", function (event) {
    var marker = event.layer;
    if (marker.geoIndex === undefined || marker.geoBound) { return; }
    marker.geoBound = true;
    bind(marker, marker.geoIndex);
    if (event.type === "click" && marker.getPopup()) { marker.openPopup(); }
    if (event.type === "mouseover" && marker.getTooltip()) { marker.openTooltip(event.latlng); }
  });
  {%- endif %}
  // The markers in Z-order (Morton order of their cells on a 32768 x 32768 grid over the
  // layer): neighbours on the map are added one after another, which makes markercluster's
  // grid lookups several times faster than in feature order. Features stay numbered as
  // they are; only the order they are clustered in changes.
  function zOrder(markers, xy, at) {
    var m = markers.length, keys = new Float64Array(m), lo = [Infinity, Infinity],
      hi = [-Infinity, -Infinity], i, k;
    if (m >= 8388608) { return markers; }
    for (i = 0; i < xy.length; i++) {
      k = i % 2;
      if (xy[i] < lo[k]) { lo[k] = xy[i]; }
      if (xy[i] > hi[k]) { hi[k] = xy[i]; }
    }
    function spread(v) {
      v = (v | (v << 8)) & 0x00FF00FF;
      v = (v | (v << 4)) & 0x0F0F0F0F;
      v = (v | (v << 2)) & 0x33333333;
      return (v | (v << 1)) & 0x55555555;
    }
    var sy = 32767 / Math.max(1, hi[0] - lo[0]), sx = 32767 / Math.max(1, hi[1] - lo[1]);
    for (i = 0; i < m; i++) {
      var y = Math.round((xy[2 * at[i]] - lo[0]) * sy);
      var x = Math.round((xy[2 * at[i] + 1] - lo[1]) * sx);
      // key (30 bits) * 2^23 + index: exact in a double, sorted natively as numbers.
      keys[i] = (spread(x) + 2 * spread(y)) * 8388608 + i;
    }
    keys.sort();
    var ordered = new Array(m);
    for (i = 0; i < m; i++) { ordered[i] = markers[keys[i] % 8388608]; }
    return ordered;
  }
  {%- else %}
  var group = L.featureGroup();
  {%- endif %}
  function draw(data) {
    read(data);
    var xy = data.xy, at = data.l, Y = data.y, e = data.e;
    // One marker class per symbol: its style sits on the prototype, not on every marker.
    var kinds = data.sy.map(function (s) {
      return L.CircleMarker.extend({options: Object.assign({radius: s[1], className: cls,
        pane: pane
        {%- if not this.interactive %}, interactive: false{% endif %}}, styles[K[s[0]]])});
    });
    var markers = new Array(n);
    for (var i = 0; i < n; i++) {
      var marker = new kinds[Y[i]](L.latLng(xy[2 * at[i]] / e, xy[2 * at[i] + 1] / e));
      {%- if this.interactive and not this.cluster %}
      bind(marker, i);
      {%- endif %}
      marker.geoIndex = i;
      markers[i] = marker;
    }
    {%- if this.cluster %}
    layers = zOrder(markers, xy, at);
    // Circle markers never move or drag: skip the three handlers markercluster puts on each.
    group._childMarkerEventHandlers = {};
    // Add the markers once the group is on the map: before that, addLayers checks each
    // marker against every marker queued so far (quadratic), and nothing is chunked.
    if (group._map) { group.addLayers(layers, true); }
    else { group.once("add", function () { group.addLayers(layers, true); }); }
    {%- else %}
    markers.forEach(function (marker) { group.addLayer(marker); });
    window.geoDone();
    {%- endif %}
  }
  {%- else %}
  var drawn = [], next = 0;  // which features have a shape, and the lowest without one
  var group = L.geoJSON(null, {
    pane: pane,
    // A shape sent as a point is a circle: its centre, and its radius in metres.
    pointToLayer: function (feature, latlng) {
      return L.circle(latlng, {radius: feature.properties.r, pane: pane});
    },
    style: function (feature) {
      return Object.assign({className: cls}, styles[K[feature.properties.k]]);
    },
    {%- if this.interactive %}
    onEachFeature: function (feature, layer) {
      var m = feature.properties.m;
      if (!m) { while (drawn[next]) { next++; } m = [next]; }
      m.forEach(function (i) { drawn[i] = true; });
      bindAll(layer, m);
    }
    {%- else %}
    interactive: false
    {%- endif %}
  });
  function draw(data) {
    read(data);
    group.addData(data.g);
    window.geoDone();
  }
  {%- endif %}
  window.geoLayer({{ (this.get_name() ~ "_data")|tojson }}, draw);
  return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        data: Mapping[str, Any] | Packed,
        *,
        name: str,
        styles: Mapping[str, Mapping[str, Any]],
        class_name: str,
        points: bool,
        cluster: bool = False,
        interactive: bool = True,
        control: bool = True,
        bounds: list[list[float]] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=True)
        self._name = "GeoLayer"
        if isinstance(data, Packed):
            self.packed, self.data = data, None
            self.n_features = data.n
        else:
            self.data = data
            self.n_features = int(data["n"])
        self.styles_js = _js_json(styles)
        self.class_name = class_name
        self.points = points
        self.cluster = cluster
        self.interactive = interactive
        self.bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        """``[[south, west], [north, east]]`` of the data, so ``Map.get_bounds`` sees it."""
        if self.bounds is None:
            return [[None, None], [None, None]]
        return [list(corner) for corner in self.bounds]


class _LabelLayer(_DataElement):
    """Permanent place names as ``divIcon`` markers, one layer per kind of name.

    ``labels`` are ``[lat, lon, escaped text]`` rows in priority order. Every label layer on
    the page registers with one shared ``geoDeclutter`` that runs after each zoom and each
    layer switch: in registration order (city names before region names) and row order, a
    label that overlaps one already shown is hidden, so names never print over each other.
    """

    _template = folium.template.Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var rows = JSON.parse(document.getElementById({{ (this.get_name() ~ "_data")|tojson }}).text);
  var map = {{ this._parent.get_name() }};
  var group = L.featureGroup();
  for (var i = 0; i < rows.length; i++) {
    L.marker([rows[i][0], rows[i][1]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: {{ this.class_name|tojson }}, iconSize: [0, 0],
        html: "<span>" + rows[i][2] + "</span>"})}).addTo(group);
  }
  if (!window.geoDeclutter) {
    window.geoLabelGroups = [];
    window.geoDeclutter = function () {
      var kept = [];
      window.geoLabelGroups.forEach(function (g) {
        if (!map.hasLayer(g)) { return; }
        g.eachLayer(function (marker) {
          var el = marker.getElement();
          if (!el || !el.firstChild) { return; }
          el.classList.remove("hidden");
          var r = el.firstChild.getBoundingClientRect();
          var clash = kept.some(function (k) {
            return r.left < k.right + 2 && r.right + 2 > k.left &&
              r.top < k.bottom && r.bottom > k.top;
          });
          if (clash) { el.classList.add("hidden"); } else { kept.push(r); }
        });
      });
    };
    var later = function () { setTimeout(window.geoDeclutter, 0); };
    map.on("zoomend overlayadd overlayremove resize", later);
    later();
  }
  window.geoLabelGroups.push(group);
  group.on("add", function () { setTimeout(window.geoDeclutter, 0); });
  return group;
})();
{% endmacro %}
"""
    )

    def __init__(
        self, labels: Sequence[Sequence[Any]], *, name: str, class_name: str, show: bool
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoLabels"
        self.data = [list(row) for row in labels]
        self.class_name = class_name
        self.n_features = len(labels)


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
    """The rows as dictionaries, without the geometry.

    What ``to_dict("records")`` gives (Python scalars), built column by column, which is
    several times faster for 100,000 rows.
    """
    columns = [column for column in gdf.columns if column != gdf.geometry.name]
    if not columns:
        return [{} for _ in range(len(gdf))]
    values = [gdf[column].tolist() for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _coords(geom: shapely.Geometry, decimals: int) -> Any:
    rounded = shapely.transform(geom, lambda xy: np.round(xy, decimals))
    return shapely.geometry.mapping(rounded)


_LITERALS = re.compile(r"((?:<[^>]*>| · )+)")
"""Markup runs and the `` · `` separator: the fixed parts of popups and tooltips."""


_TAGGED = re.compile(r"[^<>\x01]*(?:<[^<>·\x01]*>[^<>\x01]*)*")
"""Text whose tags and `` · `` separators :meth:`_Texts.encode` can cut with str methods:
every ``<`` opens a tag closed by the next ``>``, no tag holds a ``·``, no ``\x01``."""

_Shape = tuple[tuple[str, ...] | None, tuple[str, ...], tuple[bool, ...]]


def _literal_runs(
    tags: tuple[str, ...], filled: tuple[bool, ...]
) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    r"""Tags and separators with no text between them joined into literal runs.

    ``filled`` tells which of the texts around the tags are non-empty; returns the runs and
    which of the texts around them are non-empty, as :data:`_LITERALS` would cut.

    Examples
    --------
    >>> _literal_runs(("b", "\x01", "/b"), (False, True, False, False))
    (('<b>', ' · </b>'), (False, True, False))
    """
    runs: list[str] = []
    kept = [filled[0]]
    current = ""
    for index, tag in enumerate(tags):
        current += " · " if tag == "\x01" else f"<{tag}>"
        if filled[index + 1] or index == len(tags) - 1:
            runs.append(current)
            kept.append(filled[index + 1])
            current = ""
    return tuple(runs), tuple(kept)


class _Texts:
    """Popups and tooltips of one layer, dictionary-encoded in columns.

    Each HTML string (already escaped) is cut into literal runs (markup and `` · ``) and the
    text between them. The literals, with a slot for each text, form a skeleton stored once
    per layer; each text goes to a dictionary chosen by the literal before it (the text
    after ``<q>`` is a quote, after ``<h3>`` a place name, ...). A feature's popup is then a
    skeleton id and one small integer per slot, and a quote or place name shared by many
    features is stored once. Text never contains ``<`` (it is escaped), so the cut is exact:
    joining the pieces gives the input back.

    The integers are stored by column (see :meth:`columns`): one stream per dictionary, in
    feature order, so that similar numbers sit together and compress well. Strings are only
    cut up and queued by :meth:`encode`; the words are numbered for all of them at once,
    column by column, in :meth:`tables`.
    """

    def __init__(self) -> None:
        self.skeletons: dict[tuple[str | int, ...], int] = {}
        self.contexts: dict[str, int] = {}
        self.shapes: dict[_Shape, tuple[int, list[int]]] = {}
        self.texts: list[str] = []
        self.slot_contexts: list[int] = []
        self.calls: list[int] = []
        self.slot_counts: list[int] = []

    def encode(self, html_text: str | None) -> int:
        """Queue one string; return its number (the order of the calls, from 0)."""
        text = html_text or ""
        if _TAGGED.fullmatch(text):
            # Tags and separators as ``<``-delimited pieces: texts at even positions, tag
            # bodies (a separator as ``\x01``) at odd ones; str methods, not a regex scan.
            pieces = text.replace(" · ", "<\x01>").replace(">", "<").split("<")
            tags: tuple[str, ...] | None = tuple(pieces[1::2])
        else:
            # Split on a capturing group: texts at even positions, literal runs at odd ones.
            pieces = _LITERALS.split(text)
            tags = None
        texts = pieces[0::2]
        shape = (tags, tuple(pieces[1::2]) if tags is None else (), tuple(map(bool, texts)))
        known = self.shapes.get(shape)
        if known is None:
            known = self.shapes[shape] = self._skeleton(*shape)
        skeleton, contexts = known
        self.texts.extend(filter(None, texts))
        self.slot_contexts.extend(contexts)
        self.slot_counts.append(len(contexts))
        self.calls.append(skeleton)
        return len(self.calls) - 1

    def _skeleton(
        self, tags: tuple[str, ...] | None, runs: tuple[str, ...], filled: tuple[bool, ...]
    ) -> tuple[int, list[int]]:
        """The skeleton id and slot contexts of strings of one shape.

        ``tags``: the tag bodies and separators in order (see :meth:`encode`), or ``None``
        and ``runs`` the literal runs; ``filled``: whether each text is non-empty.
        """
        if tags is not None:
            runs, filled = _literal_runs(tags, filled)
        items: list[str | int] = []
        slots: list[int] = []
        literal = ""
        for index, has_text in enumerate(filled):
            if has_text:
                context = self.contexts.setdefault(literal, len(self.contexts))
                items.append(context)
                slots.append(context)
            if index < len(runs):
                literal = runs[index]
                items.append(literal)
        skeleton = self.skeletons.setdefault(tuple(items), len(self.skeletons))
        return skeleton, slots

    def tables(self) -> tuple[list[list[str | int]], list[list[str]]]:
        """``(skeletons, dictionaries)``; words are numbered most frequent first.

        Small numbers for frequent words keep the page small; ties keep first appearance,
        so the output is deterministic, and a column of distinct texts (quotes) counts
        up by one. Contexts that end up with the same table (the place name of a popup and
        of a tooltip) share it: skeletons name the dictionary, not the literal. Call once,
        after the last :meth:`encode`.
        """
        contexts = np.asarray(self.slot_contexts, dtype=np.int64)
        texts = np.asarray(self.texts, dtype=object)
        self.ranks = np.zeros(len(contexts), dtype=np.int64)
        table_of: list[int] = []
        dictionaries: list[list[str]] = []
        seen: dict[tuple[str, ...], int] = {}
        order = np.argsort(contexts, kind="stable")
        starts = np.searchsorted(contexts[order], np.arange(len(self.contexts) + 1))
        for context in range(len(self.contexts)):
            where = order[starts[context] : starts[context + 1]]
            codes, words = pd.factorize(texts[where])
            counts = np.bincount(codes, minlength=len(words))
            # Most frequent first, ties in order of first appearance.
            by_rank = np.lexsort((np.arange(len(words)), -counts))
            rank = np.empty(len(words), dtype=np.int64)
            rank[by_rank] = np.arange(len(words))
            self.ranks[where] = rank[codes]
            table = tuple(words[by_rank].tolist())
            index = seen.setdefault(table, len(dictionaries))
            if index == len(dictionaries):
                dictionaries.append(list(table))
            table_of.append(index)
        self.table_of = np.asarray(table_of, dtype=np.int64)
        skeletons = [
            [item if isinstance(item, str) else table_of[item] for item in items]
            for items in self.skeletons
        ]
        return skeletons, dictionaries

    def columns(self, calls: Sequence[int], n_tables: int) -> dict[str, list[Any]]:
        """The strings of ``calls`` (numbers from :meth:`encode`) by column.

        ``s``: the skeleton id of each string; ``v``: per dictionary, the word ids (in the
        numbering of :meth:`tables`) its slots take, string after string and slot after
        slot; ``z``: per dictionary, 1 when its ``v`` is stored as differences from the
        previous value (a column of distinct quotes then becomes ``1, 1, 1, ...``), else 0.
        The page finds a string's place in each column by counting the slots of the
        strings before it.
        """
        counts = np.asarray(self.slot_counts, dtype=np.int64)
        chosen = np.zeros(len(counts), dtype=bool)
        chosen[np.asarray(calls, dtype=np.int64)] = True
        in_calls = np.repeat(chosen, counts)
        tables = self.table_of[np.asarray(self.slot_contexts, dtype=np.int64)]
        values: list[list[int]] = []
        deltas: list[int] = []
        for table in range(n_tables):
            column = self.ranks[in_calls & (tables == table)]
            delta = np.diff(column, prepend=0)
            steady = int(np.count_nonzero((delta >= 0) & (delta <= 1)))
            deltas.append(int(steady * 2 > len(column)))
            values.append((delta if deltas[-1] else column).tolist())
        return {"s": [self.calls[call] for call in calls], "v": values, "z": deltas}


def _anchors(geoms: np.ndarray) -> np.ndarray:
    """Each point itself, and a representative point of any other shape (missing stay so)."""
    points = geoms.copy()
    other = shapely.get_type_id(points) > 0  # -1: missing, 0: a point
    points[other] = shapely.point_on_surface(points[other])
    return points


def _scaled_points(geoms: np.ndarray, scale: int) -> tuple[list[int], list[int]]:
    """``(lat * scale, lon * scale)`` rounded, of each point or representative point."""
    points = _anchors(geoms)
    # np.rint rounds half to even, as Python's round() does.
    lat = np.rint(shapely.get_y(points) * scale).astype(np.int64).tolist()
    lon = np.rint(shapely.get_x(points) * scale).astype(np.int64).tolist()
    return lat, lon


def _pack(
    gdf: gpd.GeoDataFrame,
    props: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    points: bool,
    decimals: int = 5,
    order: Callable[[dict[str, Any]], Any] | None = None,
    circle: Callable[[dict[str, Any], shapely.Geometry], Circle | None] | None = None,
) -> dict[str, Any]:
    """Encode a layer for :class:`_GeoJsonLayer` (see there), sorted by id then ``order``.

    ``circle`` tells which shapes are circles, sent as their centre and radius.
    """
    records = _records(gdf)
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    drawable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ids = [str(row.get("id", "")) for row in records]
    index = np.flatnonzero(drawable).tolist()
    index.sort(key=ids.__getitem__)
    if order is not None:
        index.sort(key=lambda i: order(records[i]))
    texts = _Texts()
    keys: dict[str, int] = {}
    symbols: dict[tuple[int, float], int] = {}
    locations: dict[tuple[int, int], int] = {}
    popups: list[int] = []
    tooltips: list[int] = []
    at: list[int] = []
    drawn: list[int] = []
    features: list[dict[str, Any]] = []
    scale = 10**decimals
    shapes: dict[tuple[bytes, int], list[int]] = {}
    shown = geoms[index] if index else geoms[:0]
    if points:
        where = zip(*_scaled_points(shown, scale), strict=True)
    else:
        # Features with the same geometry and style (one place's zone, reported on many
        # days) are drawn as one shape that lists them all: stacked translucent copies
        # would only darken, and each copy would cost the page its coordinates.
        same = iter(shapely.to_wkb(shown).tolist() if index else [])
    for number, (row, geom) in enumerate(zip((records[i] for i in index), shown, strict=True)):
        prop = props(row)
        key = keys.setdefault(str(prop["k"]), len(keys))
        popups.append(texts.encode(prop.get("p")))
        tooltips.append(texts.encode(prop.get("t")))
        if points:
            at.append(locations.setdefault(next(where), len(locations)))
            symbol = (key, float(prop.get("r", MIN_RADIUS)))
            drawn.append(symbols.setdefault(symbol, len(symbols)))
            continue
        members = shapes.setdefault((next(same), key), [])
        if not members:
            round_shape = circle(row, geom) if circle is not None else None
            if round_shape is None:
                features.append({"type": "Feature", "properties": {"k": key},
                                 "geometry": _coords(geom, decimals)})  # fmt: skip
            else:
                lat, lon, metres = round_shape
                centre = [round(lon, decimals), round(lat, decimals)]
                features.append({"type": "Feature", "properties": {"k": key, "r": metres},
                                 "geometry": {"type": "Point", "coordinates": centre}})  # fmt: skip
        members.append(number)
    for feature, members in zip(features, shapes.values(), strict=True):
        if len(members) > 1:  # a shape alone stands for the next feature not yet drawn
            feature["properties"]["m"] = members
    skeletons, dictionaries = texts.tables()
    data: dict[str, Any] = {
        "n": len(index),
        "k": list(keys),
        "sk": skeletons,
        # Each dictionary as one string and the length of each word in it (UTF-16 code
        # units, as JavaScript counts): one string is far cheaper for the browser to parse
        # and keep than 100,000 small ones.
        "d": [
            ["".join(table), [len(word.encode("utf-16-le")) // 2 for word in table]]
            for table in dictionaries
        ],
    }
    for name, calls in (("p", popups), ("t", tooltips)):
        if any(skeletons[texts.calls[call]] for call in calls):
            data[name] = texts.columns(calls, len(dictionaries))
    if "p" in data and "t" in data:
        # A tooltip column equal to the popup's (the place name of each feature) is
        # stored once: ``null`` stands for "as in ``p``".
        popup, tooltip = data["p"], data["t"]
        for table, column in enumerate(tooltip["v"]):
            same = column == popup["v"][table] and tooltip["z"][table] == popup["z"][table]
            if column and same:
                tooltip["v"][table] = None
    if points:
        data["xy"] = [value for where in locations for value in where]
        data["l"] = at
        data["sy"] = [[key, radius] for key, radius in symbols]
        data["y"] = drawn
        data["e"] = scale
    else:
        data["g"] = {"type": "FeatureCollection", "features": features}
    return data


def casualty_radius(killed: Any, full_scale: int = FULL_SCALE_KILLED) -> float:
    """Symbol radius in pixels: area proportional to ``killed``, capped at :data:`MAX_RADIUS`.

    The scale is fixed (``full_scale`` killed or more is drawn at :data:`MAX_RADIUS`), so a
    symbol means the same count on every map; small counts get at least
    :data:`MIN_RADIUS`, unknown and zero counts :data:`UNKNOWN_RADIUS`.

    Examples
    --------
    >>> casualty_radius(5000), casualty_radius(1250), casualty_radius(20_000)
    (28.0, 14.0, 28.0)
    >>> casualty_radius(1), casualty_radius(None)
    (4.5, 4.5)
    """
    number = _int(killed)
    if not number or number < 0 or full_scale <= 0:
        return UNKNOWN_RADIUS
    radius = MAX_RADIUS * math.sqrt(min(number, full_scale) / full_scale)
    return round(max(MIN_RADIUS, radius), 1)


def _max_killed(gdf: gpd.GeoDataFrame) -> int:
    if "killed_best" not in gdf.columns or not len(gdf):
        return 0
    values = [_int(value) for value in gdf["killed_best"]]
    return max((value for value in values if value), default=0)


def _tooltip(*parts: Any) -> str:
    return " · ".join([_esc(part) for part in parts if not _missing(part) and part])


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


CLUSTER_CELL_DEGREES = 8.0
"""Grid cell (degrees) used to find the densest cluster of the data the map is fitted to."""


def _located(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rows placed finer than a region (``precision`` below 5); all rows without the column."""
    if not len(gdf) or "precision" not in gdf.columns:
        return gdf
    precision = pd.to_numeric(gdf["precision"], errors="coerce")
    return gdf[(precision < 5).fillna(value=False).to_numpy()]


def _drawable(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """The geometries that are neither missing nor empty, as an object array."""
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    return geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]


def _densest(geoms: Sequence[shapely.Geometry], cell: float) -> list[shapely.Geometry]:
    """The geometries of the most populated group of touching grid cells.

    Each geometry counts in the cell of its representative point; cells that share an edge or
    a corner form a group; ties go to the group whose first cell sorts first, so the result
    does not depend on input order.
    """
    if len(geoms) < 2:
        return list(geoms)
    points = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    xy = shapely.get_coordinates(points)
    columns = np.floor(xy / cell).astype(np.int64)
    cells = list(zip(columns[:, 0].tolist(), columns[:, 1].tolist(), strict=True))
    counts: dict[tuple[int, int], int] = {}
    for key in cells:
        counts[key] = counts.get(key, 0) + 1
    group_of: dict[tuple[int, int], int] = {}
    groups: list[list[tuple[int, int]]] = []
    for start in sorted(counts):
        if start in group_of:
            continue
        group_of[start] = len(groups)
        members, todo = [start], [start]
        while todo:
            cx, cy = todo.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    near = (cx + dx, cy + dy)
                    if near in counts and near not in group_of:
                        group_of[near] = len(groups)
                        members.append(near)
                        todo.append(near)
        groups.append(members)
    sizes = [sum(counts[key] for key in members) for members in groups]
    best = sizes.index(max(sizes))
    return [geom for geom, key in zip(geoms, cells, strict=True) if group_of[key] == best]


def focus_bounds(
    layers: Mapping[str, gpd.GeoDataFrame], *, cell: float = CLUSTER_CELL_DEGREES
) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` the map is fitted to.

    The content that matters is the zones and the events and casualty records placed finer
    than a region (a country-wide figure sits at the capital and says nothing about where);
    when there are none, every event and record; when there are none either, the places that
    are not areas, then all places. Of these, only the densest cluster (see :func:`_densest`)
    counts, so a mention of Washington does not shrink a map of Ukraine to a dot. Other
    features stay on the map, outside the initial view.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> events = gpd.GeoDataFrame(
    ...     {"precision": [1, 1, 1, 6]},
    ...     geometry=[Point(30.5, 50.4), Point(37.5, 47.1), Point(-77.0, 38.9), Point(37.6, 55.7)],
    ...     crs="EPSG:4326",
    ... )
    >>> focus_bounds({"events": events})
    [[47.1, 30.5], [50.4, 37.5]]
    """
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    zones = layers.get("zones", empty)
    points = [layers.get(name, empty) for name in ("events", "casualties")]
    places = layers.get("places", empty)
    if "kind" in places.columns:
        not_areas = places[~places["kind"].astype(str).isin(AREA_KINDS).to_numpy()]
    else:
        not_areas = places
    tiers = [
        [zones, *(_located(frame) for frame in points)],
        [zones, *points],
        [not_areas],
        [places],
    ]
    for tier in tiers:
        geoms = [geom for frame in tier for geom in _drawable(frame).tolist()]
        if geoms:
            box = shapely.total_bounds(np.asarray(_densest(geoms, cell), dtype=object))
            return [[float(box[1]), float(box[0])], [float(box[3]), float(box[2])]]
    return None


def _padded(bounds: list[list[float]], share: float, lat: float, lon: float) -> tuple[float, ...]:
    (south, west), (north, east) = bounds
    pad_lat = max(lat, (north - south) * share)
    pad_lon = max(lon, (east - west) * share)
    return (
        max(-180.0, west - pad_lon),
        max(-85.0, south - pad_lat),
        min(180.0, east + pad_lon),
        min(85.0, north + pad_lat),
    )


def _clip_simplify(
    base: gpd.GeoDataFrame, box: tuple[float, ...], tolerance: float
) -> gpd.GeoDataFrame:
    base = base[base.intersects(shapely.box(*box)).to_numpy()]
    clipped = shapely.clip_by_rect(base.geometry.array, *box)
    simplified = shapely.simplify(clipped, tolerance, preserve_topology=True)
    return base.set_geometry(gpd.GeoSeries(simplified, index=base.index, crs=base.crs))


def _basemap_pack(
    basemap: gpd.GeoDataFrame,
    focus: list[list[float]] | None,
    extent: list[list[float]] | None,
    points: Sequence[shapely.Geometry],
) -> dict[str, Any]:
    """Country and admin1 outlines: detailed around ``focus``, coarse out to ``extent``.

    Provinces are drawn only around the focus; countries reach every mentioned place, simplified
    finely where they meet the focus and coarsely elsewhere, so the page stays small.
    """
    base = _wgs84(basemap, "basemap")
    kinds = base["kind"] if "kind" in base.columns else pd.Series("country", index=base.index)
    base = base.assign(_kind=kinds.astype(str)).reset_index(drop=True)
    base = base[base["_kind"].isin(["country", "admin1"])]
    countries = base[base["_kind"] == "country"]
    if len(points) and len(countries):
        # A tree of the points queried with each country: the country's outline is then
        # prepared once for all the points near it, not tested point by point.
        tree = shapely.STRtree(np.asarray(points, dtype=object))
        hits = tree.query(countries.geometry.array, predicate="intersects")[0]
        focus_ids = countries.index[np.unique(hits)]
        base.loc[focus_ids, "_kind"] = "focus"
    if focus is None or extent is None:
        world = (-180.0, -85.0, 180.0, 85.0)
        base = _clip_simplify(base, world, 360.0 / 3000)
    else:
        near = _padded(focus, 1.0, 4.0, 6.0)
        far = _padded(
            [
                [min(focus[0][0], extent[0][0]), min(focus[0][1], extent[0][1])],
                [max(focus[1][0], extent[1][0]), max(focus[1][1], extent[1][1])],
            ],
            0.15,
            5.0,
            8.0,
        )
        fine = max(near[2] - near[0], near[3] - near[1]) / 3000
        coarse = max(fine, max(far[2] - far[0], far[3] - far[1]) / 1500)
        is_admin1 = (base["_kind"] == "admin1").to_numpy()
        touches = base.intersects(shapely.box(*near)).to_numpy()
        # Provinces are outlines only: their boundaries as lines, so clipping them to the
        # focus box draws no false edge along the box.
        provinces = base[is_admin1]
        provinces = provinces.set_geometry(
            gpd.GeoSeries(
                shapely.boundary(provinces.geometry.array), index=provinces.index, crs=base.crs
            )
        )
        parts = [
            _clip_simplify(provinces, near, fine),
            _clip_simplify(base[~is_admin1 & touches], far, fine),
            _clip_simplify(base[~is_admin1 & ~touches], far, coarse),
        ]
        base = gpd.GeoDataFrame(pd.concat(parts).sort_index(), crs=base.crs)
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


_HATCH_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    f'<pattern id="{HATCH}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ef8a62" '
    'fill-opacity="0.35"/><line x1="0" y1="0" x2="0" y2="8" stroke="' + BESIEGED + '" '
    'stroke-width="3" stroke-opacity="0.75"/></pattern></defs></svg>'
)
"""The hatch pattern besieged zones (and their legend swatch) are filled with."""


def _swatch_polygon(style: Mapping[str, Any]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (
        f'<svg width="28" height="18"><rect x="2" y="2" width="24" height="14" '
        f'fill="{style.get("fillColor", "none")}" fill-opacity="{style.get("fillOpacity", 0)}" '
        f'stroke="{style["color"]}" stroke-width="{min(style["weight"], 3)}"{dash}/></svg>'
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
        f'<svg width="28" height="10"><line x1="1" y1="5" x2="27" y2="5" '
        f'stroke="{style["color"]}" stroke-width="{style["weight"]}"{dash}/></svg>'
    )


SIZE_REFERENCES = (5000, 1000, 100)
"""Counts shown in the legend's nested circles (the scale is fixed, see casualty_radius)."""


def _size_legend() -> str:
    """Nested circles for :data:`SIZE_REFERENCES`, labelled with leader lines."""
    style = CASUALTY_STYLES["known"]
    height = 2 * MAX_RADIUS + 8
    centre_x = MAX_RADIUS + 3
    parts = []
    label_y = height + 14
    for ref in sorted(SIZE_REFERENCES):  # smallest first, so labels can be pushed upwards
        radius = casualty_radius(ref)
        top = height - 3 - 2 * radius
        label_y = min(top, label_y - 14)
        text = f"{ref:,}+" if ref >= FULL_SCALE_KILLED else f"{ref:,}"
        parts.append(
            f'<circle cx="{centre_x}" cy="{height - 3 - radius}" r="{radius}" '
            f'fill="{style["fillColor"]}" fill-opacity="0.3" stroke="{style["color"]}" '
            'stroke-width="1"/>'
            f'<polyline points="{centre_x},{top} {2 * MAX_RADIUS + 8},{top} '
            f'{2 * MAX_RADIUS + 14},{label_y}" fill="none" stroke="#777" stroke-width="0.6"/>'
            f'<text x="{2 * MAX_RADIUS + 17}" y="{label_y + 4}">{text}</text>'
        )
    return f'<svg width="196" height="{height}">{"".join(parts[::-1])}</svg>'


def _legend(
    zones: Sequence[str], layers: Mapping[str, int], boundaries: bool, *, areas: bool = False
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
        rows.append(_size_legend())
        rows.append(
            f'<div class="row">{_swatch_circle(CASUALTY_STYLES["disputed"], 6)}'
            "sources disagree (ringed)</div>"
        )
        rows.append(
            f'<div class="row">{_swatch_circle(CASUALTY_STYLES["unknown"], 5)}'
            "no death toll (injured, displaced…)</div>"
        )
        if areas:
            rows.append(
                f'<div class="row">{_swatch_circle(CASUALTY_STYLES["area_unknown"], 6)}'
                "figure for a whole country or region</div>"
            )
    if layers.get("events") or layers.get("places"):
        rows.append("<h2>Reports</h2>")
    if layers.get("events"):
        rows.append(
            f'<div class="row">{_swatch_circle(EVENT_STYLES["event"], 4)}event (one article)</div>'
        )
    if layers.get("places"):
        rows.append(
            f'<div class="row">{_swatch_circle(PLACE_STYLES["place"], 3.5, 14)}'
            "city or village mentioned</div>"
            f'<div class="row">{_swatch_circle(PLACE_STYLES["area"], 2.5, 14)}'
            "country or region mentioned</div>"
        )
    if boundaries:
        rows.append(
            "<h2>Boundaries</h2>"
            f'<div class="row">{_line(BOUNDARY_STYLES["focus"])}country</div>'
            f'<div class="row">{_line(BOUNDARY_STYLES["admin1"])}province (admin1)</div>'
        )
    return f'<div class="geo-legend" id="geo-legend">{"".join(rows)}</div>'


def _title(title: str | None, dates: tuple[str, str] | None, counts: Mapping[str, int]) -> str:
    heading = title or "Conflict events"
    if dates is None:
        when = "dates unknown"
    elif dates[0] == dates[1]:
        when = _esc(dates[0])
    else:
        when = f"{_esc(dates[0])} – {_esc(dates[1])}"
    if dates is not None and all(date in heading for date in dates):
        when = ""  # the heading already says when
    summary = ", ".join(f"{count:,} {name}" for name, count in counts.items() if count)
    line = " · ".join(part for part in (when, summary) if part)
    return f'<div class="geo-title" id="geo-title"><h1>{_esc(heading)}</h1><p>{line}</p></div>'


# --------------------------------------------------------------------------- the map


def _label_rows(
    places: gpd.GeoDataFrame,
    used: set[str],
    *,
    top_n: int,
    limit: int,
) -> tuple[list[list[Any]], list[list[Any]]]:
    """``(city labels, area labels)`` as ``[lat, lon, escaped name]`` in priority order.

    City labels: places (not areas) named by an event, casualty record or zone, then the
    ``top_n`` most mentioned other places not known only as metonyms ("Kyiv said"); at most
    ``limit``. Area labels: countries, provinces and regions (their own, off-by-default layer,
    so "Donetsk Oblast" never sits on top of Mariupol).
    """
    if not len(places):
        return [], []
    geoms = np.asarray(places.geometry.array, dtype=object)
    shown = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    points = _anchors(geoms)  # for the whole layer at once
    lats, lons = shapely.get_y(points).tolist(), shapely.get_x(points).tolist()
    names, kinds, ids, roles, mentions = (
        places[column].tolist() if column in places.columns else [None] * len(places)
        for column in ("name", "kind", "id", "roles", "mentions")
    )
    rows = []
    for i in np.flatnonzero(shown).tolist():
        name = names[i]
        if _missing(name):
            continue
        rows.append(
            (
                str(kinds[i]) in AREA_KINDS,
                str(ids[i]) in used,
                {str(role) for role in _list(roles[i])} <= {"metonym"},
                -(_int(mentions[i]) or 0),
                str(name),
                str(ids[i]),
                [round(lats[i], 5), round(lons[i], 5), _esc(name)],
            )
        )
    rows.sort(key=lambda item: (not item[1], item[3], item[4], item[5]))
    cities = [item for item in rows if not item[0]]
    chosen = [item for item in cities if item[1]]
    others = [item for item in cities if not item[1] and not item[2] and item[3] <= -2]
    chosen += others[:top_n]
    areas = [item[6] for item in rows if item[0]]
    return [item[6] for item in chosen[:limit]], areas[:limit]


def _used_places(frames: Iterable[gpd.GeoDataFrame]) -> set[str]:
    used: set[str] = set()
    for frame in frames:
        if "place_id" in frame.columns:
            used.update(str(pid) for pid in frame["place_id"] if not _missing(pid))
        if "places" in frame.columns:
            used.update(str(pid) for value in frame["places"] for pid in _list(value))
    return used


_ZONE_GROUPS = (
    ("Pledged zones", "geo-pledged", ("pledged_deescalation",)),
    ("Other zones", "geo-other-zones", ("recaptured", "withdrawal")),
    ("Fighting zones", "geo-fighting", ("active_fighting", "besieged")),
)
"""The zone layers of the map: name, CSS class and zone kinds, in drawing order."""


_Props = Callable[[dict[str, Any]], dict[str, Any]]
_PointLayer = tuple[
    gpd.GeoDataFrame, _Props, Callable[[dict[str, Any]], Any] | None, str, Mapping[str, Any], str
]
"""Frame, properties, order, name, styles and CSS class of a point layer."""


def _zone_kinds(zones: gpd.GeoDataFrame) -> pd.Series:
    return zones["zone"].astype(str) if "zone" in zones.columns else pd.Series([], dtype=str)


def _zone_subset(zones: gpd.GeoDataFrame, kinds: Sequence[str]) -> gpd.GeoDataFrame:
    return zones[_zone_kinds(zones).isin(kinds).to_numpy()] if len(zones) else zones


def _zone_props(row: dict[str, Any]) -> dict[str, Any]:
    names = ", ".join(str(name) for name in _list(row.get("place_names")))
    return {
        "k": row.get("zone"),
        "p": zone_popup(row),
        "t": _tooltip(ZONE_LABELS.get(str(row.get("zone")), row.get("zone")), names),
    }


def _place_props(row: dict[str, Any]) -> dict[str, Any]:
    area = str(row.get("kind")) in AREA_KINDS
    return {
        "k": "area" if area else "place",
        "r": 2.5 if area else 3.5,
        "p": place_popup(row),
        "t": _tooltip(row.get("name")),
    }


def _event_props(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "k": "event",
        "r": 4,
        "p": event_popup(row),
        "t": _tooltip(row.get("place"), row.get("date"), row.get("event_type")),
    }


def _casualty_props(row: dict[str, Any]) -> dict[str, Any]:
    known = _int(row.get("killed_best"))
    disputed = _truthy(row.get("disputed"))
    key = ("known" if known else "unknown") + ("_disputed" if disputed else "")
    key = "disputed" if key == "known_disputed" else key
    precision = _int(row.get("precision"))
    if precision is not None and precision >= 5:
        key = f"area_{key}"
    return {
        "k": key,
        "r": casualty_radius(known),
        "p": casualty_popup(row),
        "t": _tooltip(
            row.get("place"),
            row.get("date"),
            f"killed {_count(known)}" if known is not None else None,
        ),
    }


def _most_killed_first(row: dict[str, Any]) -> int:
    return -(_int(row.get("killed_best")) or 0)


def pack_points(
    frame: gpd.GeoDataFrame,
    props: Callable[[dict[str, Any]], dict[str, Any]],
    order: Callable[[dict[str, Any]], Any] | None,
) -> dict[str, Any]:
    """One point layer's data for the page (see :class:`_GeoJsonLayer`)."""
    return _pack(frame, props, points=True, order=order)


Circle = tuple[float, float, float]
"""A circle on the ground: centre latitude and longitude, radius in metres."""


def _buffer_circle(row: dict[str, Any], geom: shapely.Geometry) -> Circle | None:
    """The circle a zone drawn as a metric buffer stands for (see :func:`geo.zones.buffer_at`).

    Such a zone's polygon has its vertices at the same distance on the ground in 64
    directions, north and south among them, from a centre on the meridian halfway between
    its westmost and eastmost vertices: the centre's latitude is halfway between the north
    and south vertices (to well under a metre at 25 km). The shape counts as that circle
    only if it is the buffer drawn around that centre, to a metre. The page draws it with
    Leaflet's ``L.circle``, for a few bytes instead of 64 vertices; other shapes are ``None``.
    """
    found = BUFFER_METHOD.match(str(row.get("method") or ""))
    if found is None or geom.geom_type != "Polygon" or len(geom.interiors):
        return None
    ring = shapely.get_coordinates(geom.exterior)
    if len(ring) != CIRCLE_VERTICES + 1:
        return None
    (west, south), (east, north) = ring.min(axis=0), ring.max(axis=0)
    lat, lon, km = float(south + north) / 2, float(west + east) / 2, float(found.group(1))
    if not buffer_at(lat, lon, km).equals_exact(geom, tolerance=1e-5):
        return None
    return lat, lon, km * 1000.0


def pack_zones(zones: gpd.GeoDataFrame, kinds: Sequence[str]) -> dict[str, Any]:
    """The data of the zones of ``kinds``, in that order (besieged hatching over fighting)."""
    rank = {kind: i for i, kind in enumerate(kinds)}

    def zone_order(row: dict[str, Any]) -> int:
        return rank.get(str(row.get("zone")), 0)

    return _pack(
        _zone_subset(zones, kinds),
        _zone_props,
        points=False,
        order=zone_order,
        circle=_buffer_circle,
    )


def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    basemap: gpd.GeoDataFrame | None,
    title: str | None = None,
    tiles: bool = False,
    cluster_threshold: int | None = None,
    compress_over: int | None = None,
    label_limit: int = 40,
    label_top_n: int = LABEL_TOP_N,
    start: Start | None = None,
) -> tuple[folium.Map, list[MapLayer]]:
    """Build the folium map for the layers without rendering it.

    Parameters are those of :func:`render_map`, and: ``label_limit``, the most place names
    printed on the map; ``label_top_n``, how many of the most mentioned places are named
    besides those of events, casualty records and zones.

    Returns
    -------
    tuple
        The map and, per drawn layer (in drawing order), what was added.
    """
    threshold = settings.cluster_threshold if cluster_threshold is None else cluster_threshold
    compress = settings.map_compress_bytes if compress_over is None else compress_over
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

    extent = _bounds(frame for frame in (places, events, casualties, zones))
    focus = focus_bounds(frames)
    fmap = folium.Map(
        location=None
        if focus is None
        else [(focus[0][0] + focus[1][0]) / 2, (focus[0][1] + focus[1][1]) / 2],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
        # Without tiles Leaflet has no zoom limits, which markercluster needs.
        minZoom=2,
        maxZoom=TILE_MAX_ZOOM if tiles else MAX_ZOOM,
    )
    # Drop folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers).
    fmap.default_js = []
    fmap.default_css = []
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.title = title or "Conflict events"
    styles, scripts = inline_tags(("leaflet", "markercluster", "jquery"))
    figure.header.add_child(_Raw(styles + _MAP_CSS), name="geo_css")
    figure.header.add_child(_Raw(scripts + _READY_JS), name="geo_js")
    figure.html.add_child(_Raw(_HATCH_DEFS), name="geo_defs")

    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", overlay=False).add_to(fmap)

    added: list[MapLayer] = []

    def add(layer: _GeoJsonLayer | _LabelLayer, *, clustered: bool = False) -> None:
        if layer.n_features:
            if isinstance(layer, _GeoJsonLayer):
                layer.compress_over = compress
            layer.add_to(fmap)
            added.append(MapLayer(layer.layer_name, layer.n_features, clustered, layer.class_name))

    # Every data layer is packed first (in parallel, where ``start`` has workers), then
    # added in drawing order: boundaries, zones, then points.
    run = start or _start_here
    basemap_block = None
    if basemap is not None and len(basemap):
        points = [
            geom
            for frame in (places, events, casualties)
            for geom in frame.geometry.array[:: max(1, len(frame) // 5000)]
            if geom is not None and not geom.is_empty
        ]
        basemap_block = run(packed, compress, _basemap_pack, basemap, focus, extent, points)
    zone_blocks = [
        (label, class_name, kinds, run(packed, compress, pack_zones, zones, kinds))
        for label, class_name, kinds in _ZONE_GROUPS
    ]
    point_layers: tuple[_PointLayer, ...] = (
        (places, _place_props, None, "Places", PLACE_STYLES, "geo-places"),
        (events, _event_props, None, "Events", EVENT_STYLES, "geo-events"),
        # Largest symbols first, so small ones stay clickable on top of them.
        (casualties, _casualty_props, _most_killed_first, "Casualties", CASUALTY_STYLES,
         "geo-casualties"),
    )  # fmt: skip
    point_blocks = [
        (frame, name, look, class_name, run(packed, compress, pack_points, frame, props, order))
        for frame, props, order, name, look, class_name in point_layers
    ]

    if basemap_block is not None:
        add(
            _GeoJsonLayer(
                basemap_block(),
                name="Boundaries",
                styles=BOUNDARY_STYLES,
                class_name="geo-boundaries",
                points=False,
                interactive=False,
            )
        )
    for label, class_name, kinds, block in zone_blocks:
        add(
            _GeoJsonLayer(
                block(),
                name=label,
                bounds=_bounds([_zone_subset(zones, kinds)]),
                styles={k: ZONE_STYLES[k] for k in kinds},
                class_name=class_name,
                points=False,
            )
        )
    for frame, name, look, class_name, block in point_blocks:
        clustered = len(frame) > threshold  # clustered when it has more than ``threshold``
        layer = _GeoJsonLayer(
            block(),
            name=name,
            styles=look,
            bounds=_bounds([frame]),
            class_name=class_name,
            points=True,
            cluster=clustered,
        )
        add(layer, clustered=clustered)

    cities, areas = _label_rows(
        places,
        _used_places([events, casualties, zones]),
        top_n=label_top_n,
        limit=label_limit,
    )
    add(_LabelLayer(cities, name="Place names", class_name="geo-label", show=True))
    add(_LabelLayer(areas, name="Region names", class_name="geo-label area", show=False))

    named = (
        ("events", events),
        ("casualty records", casualties),
        ("places", places),
        ("zones", zones),
    )
    counts = {name: len(frame) for name, frame in named}
    present_zones = sorted(set(_zone_kinds(zones))) if len(zones) else []
    figure.html.add_child(_Raw(_title(title, _date_range(frames), counts)), name="geo_title")
    legend_counts = {"events": len(events), "casualties": len(casualties), "places": len(places)}
    figure.html.add_child(
        _Raw(
            _legend(
                present_zones,
                legend_counts,
                basemap is not None and len(basemap) > 0,
                areas=bool(len(_located(casualties)) < len(casualties)),
            )
        ),
        name="geo_legend",
    )
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)
    if focus is not None:
        # Keep the data clear of the title (top) and the legend (bottom right). Not
        # animated: a zoom animation from folium's starting view redraws every outline
        # for a quarter of a second while a large map is still clustering its markers.
        fit = folium.map.FitBounds(
            focus, padding_top_left=(40, 80), padding_bottom_right=(260, 30), max_zoom=11
        )
        fit.options["animate"] = False
        fmap.add_child(fit)
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
    compress_over: int | None = None,
    start: Start | None = None,
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
    compress_over
        Layers whose data is larger (bytes of JSON) are stored deflated in the page and
        inflated by the browser; ``None`` reads :data:`geo.settings.map_compress_bytes`.
    start
        How to run the packing of each data layer (:func:`packed`): called as
        ``start(fn, *args)``, it returns a function that waits for ``fn(*args)``. ``None``
        packs each layer in this process as it is added; an engine with workers passes one
        that submits the tasks to them, so the layers are packed in parallel (see
        :meth:`geo.distributed.DaskEngine.start`). The page is the same either way.

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
        layers,
        basemap=basemap,
        title=title,
        tiles=tiles,
        cluster_threshold=cluster_threshold,
        compress_over=compress_over,
        start=start,
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
