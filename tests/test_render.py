"""Tests for geo.render: Python-side state, HTML fragments, then the page in Chromium."""

from __future__ import annotations

import base64
import itertools
import json
import re
import time
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from browser import open_page, requires_browser
from shapely.geometry import Point
from test_export import XSS_IMG, XSS_LINK, XSS_SCRIPT, sample_layers

from geo import render
from geo._errors import InputError
from geo.zones import buffer_at

WORLD = Path("/usr/share/qgis/resources/data/world_map.gpkg")
POINT_CLASSES = ("geo-places", "geo-events", "geo-casualties")
ALL_CLASSES = ("geo-boundaries", "geo-pledged", "geo-fighting", *POINT_CLASSES)


@pytest.fixture(scope="module")
def basemap() -> gpd.GeoDataFrame:
    if not WORLD.exists():
        pytest.skip(f"Natural Earth basemap {WORLD} is not installed")
    countries = gpd.read_file(WORLD, layer="countries").assign(kind="country")
    provinces = gpd.read_file(WORLD, layer="states_provinces").assign(kind="admin1")
    columns = ["kind", "geometry"]
    return gpd.GeoDataFrame(
        pd.concat([countries[columns], provinces[columns]], ignore_index=True), crs="EPSG:4326"
    )


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory: pytest.TempPathFactory, basemap: gpd.GeoDataFrame) -> Path:
    out = tmp_path_factory.mktemp("map") / "map.html"
    return render.render_map(sample_layers(), out, basemap=basemap, title="War in Ukraine")


# ----------------------------------------------------------------------------- Python side


def _fit_bounds(fmap: object) -> list[list[float]]:
    import folium

    fits = [
        child
        for child in fmap._children.values()  # type: ignore[attr-defined]
        if isinstance(child, folium.map.FitBounds)
    ]
    assert len(fits) == 1
    return fits[0].bounds  # type: ignore[no-any-return]


def test_build_map_state(basemap: gpd.GeoDataFrame) -> None:
    fmap, added = render.build_map(sample_layers(), basemap=basemap, title="T")
    assert [layer.name for layer in added] == [
        "Boundaries",
        "Pledged zones",
        "Fighting zones",
        "Places",
        "Events",
        "Casualties",
        "Place names",
    ]
    counts = {layer.name: layer.features for layer in added}
    assert counts["Fighting zones"] == 2 and counts["Pledged zones"] == 1
    assert counts["Casualties"] == 5 and not any(layer.clustered for layer in added)
    assert counts["Place names"] == 5  # every sample city has an event
    assert fmap.default_js == [] and fmap.default_css == []
    (south, west), (north, east) = _fit_bounds(fmap)
    # Mariupol (37.55 E, 47.10 N) to Chernihiv (51.51 N) plus the zone buffers.
    assert 46 < south < 47.0 and 29.5 < west < 30.5 and 51.5 < north < 52.5 and 37.5 < east < 38.5


def _with_far_places(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Add Washington, a Texan "Kirby" and Canada: mentioned, but not where anything happens."""
    far = gpd.GeoDataFrame(
        [
            {
                "id": "gn:4140963",
                "name": "Washington",
                "kind": "settlement",
                "mentions": 1,
                "roles": ["location"],
            },
            {
                "id": "gn:4703415",
                "name": "Kirby",
                "kind": "settlement",
                "mentions": 9,
                "roles": ["metonym"],
            },
            {
                "id": "adm0:CA",
                "name": "Canada",
                "kind": "country",
                "mentions": 30,
                "roles": ["location"],
            },
            {
                "id": "adm1:UA-14",
                "name": "Donetsk Oblast",
                "kind": "admin1",
                "mentions": 40,
                "roles": ["location"],
            },
        ],
        geometry=[
            Point(-77.04, 38.90),
            Point(-98.39, 29.46),
            Point(-75.70, 45.41),
            Point(37.84, 48.05),
        ],
        crs="EPSG:4326",
    )
    places = pd.concat([layers["places"], far], ignore_index=True)
    return {**layers, "places": gpd.GeoDataFrame(places, crs="EPSG:4326")}


def test_fit_ignores_far_away_places() -> None:
    layers = _with_far_places(sample_layers())
    fmap, added = render.build_map(layers, basemap=None)
    (south, west), (north, east) = _fit_bounds(fmap)
    assert south > 46 and west > 29 and north < 53 and east < 39
    # The far places stay in the Places layer.
    assert {layer.name: layer.features for layer in added}["Places"] == 9


def test_fit_falls_back_and_picks_densest_cluster() -> None:
    places = sample_layers()["places"]
    west, south, east, north = places.total_bounds
    assert render.focus_bounds({"places": places}) == [[south, west], [north, east]]
    assert (
        render.focus_bounds({name: gdf.iloc[0:0] for name, gdf in sample_layers().items()}) is None
    )
    events = sample_layers()["events"]
    lone = events.iloc[[0]].assign(id="ev-far", precision=1)
    lone = lone.set_geometry(gpd.GeoSeries([Point(-77.04, 38.90)], index=lone.index, crs=4326))
    both = gpd.GeoDataFrame(pd.concat([events, lone], ignore_index=True), crs="EPSG:4326")
    (south, west), (north, east) = render.focus_bounds({"events": both})
    assert west > 29 and south > 46  # Washington's single event is left out of the view
    # Country-wide records (precision 6, drawn at the capital) do not steer the view.
    country = events.iloc[[0]].assign(id="ev-ru", precision=6)
    country = country.set_geometry(
        gpd.GeoSeries([Point(37.62, 55.75)], index=country.index, crs=4326)
    )
    with_country = gpd.GeoDataFrame(pd.concat([events, country], ignore_index=True), crs=4326)
    assert render.focus_bounds({"events": with_country})[1][0] < 52


def test_labels_skip_areas_and_metonyms() -> None:
    layers = _with_far_places(sample_layers())
    fmap, added = render.build_map(layers, basemap=None)
    counts = {layer.name: layer.features for layer in added}
    assert counts["Place names"] == 5  # the five cities; not Kirby (metonym only), not Washington
    assert counts["Region names"] == 2  # Canada, Donetsk Oblast: their own layer ...
    labels = {
        child.layer_name: render._js_json(child.data)
        for child in fmap._children.values()
        if isinstance(child, render._LabelLayer)
    }
    assert '"Donetsk Oblast"' in labels["Region names"]
    assert '"Donetsk Oblast"' not in labels["Place names"] and "Kirby" not in labels["Place names"]
    assert '"Mariupol"' in labels["Place names"]


def test_region_labels_off_by_default() -> None:
    fmap, _ = render.build_map(_with_far_places(sample_layers()), basemap=None)
    labels = [child for child in fmap._children.values() if isinstance(child, render._LabelLayer)]
    assert [(layer.layer_name, layer.show) for layer in labels] == [
        ("Place names", True),
        ("Region names", False),
    ]


def test_casualty_radius_scales_with_sqrt() -> None:
    big = render.casualty_radius(5000)
    quarter = render.casualty_radius(1250)
    assert big == render.MAX_RADIUS == 28 and quarter == pytest.approx(big / 2, abs=0.1)
    assert render.casualty_radius(50_000) == render.MAX_RADIUS  # capped
    assert render.casualty_radius(None) == render.UNKNOWN_RADIUS
    assert render.casualty_radius(1) == render.MIN_RADIUS
    assert render.casualty_radius(350) < 8  # Chernihiv does not swallow Kyiv


def test_zone_styles_contrast() -> None:
    styles = render.ZONE_STYLES
    assert styles["pledged_deescalation"]["dashArray"]
    assert "dashArray" not in styles["active_fighting"]
    assert styles["besieged"]["fillColor"] == f"url(#{render.HATCH})"
    assert styles["besieged"]["weight"] > styles["active_fighting"]["weight"]
    colours = {kind: style["color"] for kind, style in styles.items()}
    assert len(set(colours.values())) == len(colours)
    html_page = render.render_html(render.build_map(sample_layers(), basemap=None)[0])
    assert f'<pattern id="{render.HATCH}"' in html_page


def test_popup_shows_ranges_and_sources() -> None:
    row = sample_layers()["casualties"].set_index("id").loc["cas-mariupol"].to_dict()
    popup = render.casualty_popup({**row, "place": "Mariupol"})
    assert "killed: 5,000" in popup and "killed: 20,000 (range 0–20,000)" in popup
    assert "attribution: city council" in popup and "attribution: mayor" in popup
    assert "hedge: up to" in popup and "<b>a1</b> · Reuters · 2022-03-20" in popup
    assert "2022-03-16 (exact day)" in popup and "Explosions/Remote violence" in popup
    assert "Disputed" in popup
    assert "&lt;script&gt;" in popup and "<script>" not in popup
    mykolaiv = sample_layers()["casualties"].set_index("id").loc["cas-mykolaiv"].to_dict()
    assert "killed: 14 (range 12–15)" in render.casualty_popup(mykolaiv)


def _words(data: dict) -> list[list[str]]:
    """The dictionaries of a packed layer: each is one string and its words' lengths."""
    tables = []
    for text, lengths in data["d"]:
        words, at = [], 0
        for length in lengths:  # UTF-16 code units, as the page counts them
            size = len(text[at:].encode("utf-16-le")[: 2 * length].decode("utf-16-le"))
            words.append(text[at : at + size])
            at += size
        assert at == len(text)
        tables.append(words)
    return tables


def _decode(data: dict, column_name: str) -> list[str]:
    """What the page's ``text()`` does, for every feature of a packed layer."""
    skeletons, words, column = data["sk"], _words(data), data[column_name]
    values = [
        data["p"]["v"][c] if v is None else v  # a tooltip column stored as the popup's
        for c, v in enumerate(column["v"])
    ]
    values = [
        list(itertools.accumulate(v)) if delta else list(v)
        for v, delta in zip(values, column["z"], strict=True)
    ]
    at = [0] * len(values)
    out = []
    for skeleton in column["s"]:
        pieces = []
        for item in skeletons[skeleton]:
            if isinstance(item, str):
                pieces.append(item)
            else:
                pieces.append(words[item][values[item][at[item]]])
                at[item] += 1
        out.append("".join(pieces))
    assert len(out) == data["n"] and at == [len(v) for v in values]
    return out


def test_pack_round_trips_popups_and_shares_text() -> None:
    casualties = sample_layers()["casualties"]
    popups = {str(row["id"]): render.casualty_popup(row) for row in render._records(casualties)}

    def props(row: dict) -> dict:
        return {
            "k": "known",
            "p": popups[str(row["id"])],
            "t": render._tooltip(row["place"], "a · b"),
        }

    data = render._pack(casualties, props, points=True)
    ids = sorted(popups)
    assert _decode(data, "p") == [popups[i] for i in ids]
    assert _decode(data, "t")[0].endswith(" · a · b")
    assert data["n"] == len(casualties) and len(data["l"]) == len(data["y"]) == data["n"]
    # Locations are integers (degrees * 1e5) in [lat, lon] order.
    lat, lon = (
        data["xy"][2 * data["l"][0]] / data["e"],
        data["xy"][2 * data["l"][0] + 1] / data["e"],
    )
    assert 44 < lat < 53 and 22 < lon < 41
    # Each distinct text is stored once, escaped.
    assert all(len(table) == len(set(table)) for table in _words(data))
    assert not any("<" in word for table in _words(data) for word in table)
    assert render._pack(casualties, props, points=True) == data  # deterministic


def test_pack_stores_repeated_quotes_once() -> None:
    events = _synthetic_events(3000)
    fmap, _ = render.build_map({"events": events}, basemap=None)
    page = render.render_html(fmap)
    assert page.count("Shelling hit the town centre overnight, officials said.") == 1
    assert page.count("Place 996") == 1  # popups and tooltips share the place names
    assert 'type="application/json"' in page and "L.markerClusterGroup({" in page


_BLOCK = re.compile(r'<script type="application/(json|octet-stream)" id="([^"]+)">(.*?)</script>')


def _blocks(page: str) -> list[tuple[str, str]]:
    """The page's data blocks in order: ``("json" or "octet-stream", content)``."""
    return [(kind, body) for kind, _, body in _BLOCK.findall(page)]


def test_large_layer_data_is_compressed_and_round_trips(tmp_path: Path) -> None:
    layers = sample_layers()
    plain = render.render_map(layers, tmp_path / "plain.html", basemap=None).read_text("utf-8")
    packed = render.render_map(
        layers, tmp_path / "packed.html", basemap=None, compress_over=0
    ).read_text("utf-8")
    plain_blocks, packed_blocks = _blocks(plain), _blocks(packed)
    assert len(packed_blocks) == len(plain_blocks) == 6  # 5 data layers, the place names
    compressed = 0
    for (kind, body), (plain_kind, plain_body) in zip(packed_blocks, plain_blocks, strict=True):
        assert plain_kind == "json"
        if kind == "json":  # label layers stay plain
            assert body == plain_body
            continue
        compressed += 1
        assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", body)  # base64: nothing for HTML to parse
        text = zlib.decompress(base64.b64decode(body)).decode("ascii")  # all-ASCII JSON
        assert json.loads(text) == json.loads(plain_body)
    assert compressed == 5
    # The quotes are in the compressed data only, and every payload is still escaped.
    assert "Five people were killed in Kyiv" in plain
    assert "Five people were killed in Kyiv" not in packed
    for payload in (XSS_SCRIPT, XSS_IMG, XSS_LINK):
        assert payload not in packed
    assert "DecompressionStream" in packed
    # The threshold: layers over it are compressed, smaller ones are not.
    layer = render._GeoJsonLayer({"n": 0}, name="x", styles={}, class_name="c", points=True)
    layer.compress_over = len(render._js_json(layer.data))
    assert 'type="application/json"' in layer.data_block()
    layer.compress_over -= 1
    assert 'type="application/octet-stream"' in layer.data_block()


def test_a_layer_packed_for_another_threshold_is_encoded_again() -> None:
    """A packed layer carries only its block; another threshold re-encodes the same data."""
    data = {"n": 1, "q": "Обстріл у Києві </script> “quoted” ’"}
    ahead = render.packed(0, lambda: data)
    assert ahead.block[0] == "application/octet-stream" and ahead.block[1].isascii()
    layer = render._GeoJsonLayer(ahead, name="x", styles={}, class_name="c", points=True)
    layer.compress_over = 0
    assert ahead.block[1] in layer.data_block()
    layer.compress_over = None
    kind, _, body = _BLOCK.fullmatch(layer.data_block()).groups()  # type: ignore[union-attr]
    assert kind == "json" and body == render._js_json(data) and json.loads(body) == data
    assert "</script>" not in body


def test_compression_threshold_reads_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render.settings, "map_compress_bytes", 0)
    page = render.render_map(sample_layers(), tmp_path / "m.html", basemap=None)
    assert page.read_text("utf-8").count('type="application/octet-stream"') == 5
    monkeypatch.setattr(render.settings, "map_compress_bytes", 10**9)
    page = render.render_map(sample_layers(), tmp_path / "m.html", basemap=None)
    assert 'type="application/octet-stream"' not in page.read_text("utf-8")


def test_template_syntax_in_text_is_data(tmp_path: Path) -> None:
    layers = sample_layers()
    layers["events"] = layers["events"].assign(quote="{{ 7 * 7 }} {% if 1 %}x{% endif %}")
    page = render.render_map(layers, tmp_path / "m.html", basemap=None).read_text("utf-8")
    assert "{{ 7 * 7 }} {% if 1 %}x{% endif %}" in page


def test_missing_crs_fails() -> None:
    layers = sample_layers()
    layers["events"] = gpd.GeoDataFrame(
        layers["events"].drop(columns="geometry"), geometry=list(layers["events"].geometry)
    )
    with pytest.raises(InputError, match="layer 'events' has no CRS"):
        render.build_map(layers, basemap=None)


def test_unknown_layer_name_fails() -> None:
    with pytest.raises(InputError, match="unknown layer names \\['roads'\\]"):
        render.build_map({"roads": sample_layers()["places"]}, basemap=None)


# ----------------------------------------------------------------------------- HTML


def test_html_has_no_network_references(sample_html: Path) -> None:
    page = sample_html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page)
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", page)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page)
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "bootstrap", "fontawesome", "cdnjs"):
        assert cdn not in page
    assert 'data-asset="leaflet"' in page and 'data-asset="markercluster"' in page


def test_html_has_layers_legend_title(sample_html: Path) -> None:
    page = sample_html.read_text(encoding="utf-8")
    for name in ("Pledged zones", "Fighting zones", "Casualties", "Events", "Places", "Boundaries"):
        assert f'"{name}"' in page  # the layer control's entries
    assert 'id="geo-legend"' in page and "Pledged de-escalation" in page
    assert "<h1>War in Ukraine</h1>" in page
    assert "2022-02-24 – 2022-03-29" in page
    assert "L.markerClusterGroup({" not in page  # 5 points: nothing to cluster


def test_html_escapes_article_text(sample_html: Path) -> None:
    page = sample_html.read_text(encoding="utf-8")
    for payload in (XSS_SCRIPT, XSS_IMG, XSS_LINK):
        assert payload not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in page
    assert "&lt;a href=&quot;javascript:window.__pwned=1&quot;&gt;" in page


def test_title_is_escaped(tmp_path: Path) -> None:
    out = render.render_map(
        sample_layers(), tmp_path / "m.html", basemap=None, title="<b>bold</b> & co"
    )
    page = out.read_text(encoding="utf-8")
    assert "<h1>&lt;b&gt;bold&lt;/b&gt; &amp; co</h1>" in page


def test_render_is_deterministic(tmp_path: Path, basemap: gpd.GeoDataFrame) -> None:
    first = render.render_map(sample_layers(), tmp_path / "a.html", basemap=basemap)
    second = render.render_map(sample_layers(), tmp_path / "b.html", basemap=basemap)
    assert first.read_bytes() == second.read_bytes()
    assert "map_00000000000000000000000000000001" in first.read_text(encoding="utf-8")


def test_empty_layers_are_left_out(tmp_path: Path) -> None:
    layers = {name: gdf.iloc[0:0] for name, gdf in sample_layers().items()}
    layers["places"] = sample_layers()["places"]
    fmap, added = render.build_map(layers, basemap=None)
    assert [layer.name for layer in added] == ["Places", "Place names"]
    page = render.render_html(fmap)
    assert '"Casualties"' not in page


def test_tiles_optional() -> None:
    fmap, _ = render.build_map(sample_layers(), basemap=None)
    assert "tile.openstreetmap.org" not in render.render_html(fmap)
    fmap, _ = render.build_map(sample_layers(), basemap=None, tiles=True)
    assert "tile.openstreetmap.org" in render.render_html(fmap)


# ----------------------------------------------------------------------------- browser


def _synthetic_events(n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    lon = rng.uniform(23.0, 39.5, n)
    lat = rng.uniform(45.5, 51.8, n)
    killed = rng.integers(0, 30, n)
    return gpd.GeoDataFrame(
        {
            "id": [f"ev-{i:06d}" for i in range(n)],
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Shelling/artillery/missile attack",
            "date": [f"2022-03-{1 + i % 28:02d}" for i in range(n)],
            "date_precision": "day",
            "place": [f"Place {i % 997}" for i in range(n)],
            "place_id": [f"gn:{700000 + i % 997}" for i in range(n)],
            "precision": 1,
            "killed_low": killed,
            "killed_best": killed,
            "killed_high": killed,
            "injured_low": None,
            "injured_best": None,
            "injured_high": None,
            "article": [f"a{i % 5000}" for i in range(n)],
            "quote": "Shelling hit the town centre overnight, officials said.",
            "plover": None,
            "actor": None,
            "source": "Synthetic",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _count(page: object, css: str) -> int:
    return int(page.evaluate(f"document.querySelectorAll({css!r}).length"))  # type: ignore[attr-defined]


_OPEN_ALL_POPUPS = """() => {
  const map = Object.keys(window).filter(k => k.startsWith('map_'))
    .map(k => window[k]).find(v => v instanceof L.Map);
  let n = 0, text = '';
  map.eachLayer(layer => {
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup(); n += 1;
      text += layer.getPopup().getElement().textContent;
    }
  });
  return [n, text];
}"""


@pytest.mark.browser
@requires_browser
def test_page_draws_offline(sample_html: Path, tmp_path: Path) -> None:
    shot = tmp_path / "map.png"
    with open_page(sample_html, screenshot=shot) as page:
        assert page.evaluate("typeof L") == "object"
        for css_class in ALL_CLASSES:
            assert _count(page, f"path.{css_class}") > 0, css_class
        assert _count(page, "#geo-legend") == 1
        assert _count(page, ".leaflet-control-layers-overlays label") == 7
        assert _count(page, ".geo-label") == 5  # permanent place names
        # No two visible labels overlap (the declutter hides the lower-priority one).
        overlaps = page.evaluate(
            """() => {
              const boxes = [...document.querySelectorAll('.geo-label:not(.hidden) span')]
                .map(e => e.getBoundingClientRect());
              let n = 0;
              boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
                if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top)
                  { n += 1; }
              }));
              return n;
            }"""
        )
        assert overlaps == 0
        # Open every popup: prebuilt popup HTML is inserted only now.
        opened = page.evaluate(_OPEN_ALL_POPUPS)
        assert opened[0] == 5 + 5 + 5 + 3
        assert XSS_SCRIPT in opened[1]  # shown as text ...
        assert page.evaluate("typeof window.__pwned") == "undefined"  # ... never run
        assert _count(page, ".leaflet-popup-content img, .leaflet-popup-content a") == 0
    assert not page.report.errors, page.report.errors
    assert not page.report.blocked
    assert shot.stat().st_size > 20_000


@pytest.mark.browser
@requires_browser
def test_large_layer_loads(tmp_path: Path) -> None:
    n = 100_000
    started = time.perf_counter()
    out = render.render_map({"events": _synthetic_events(n)}, tmp_path / "big.html", basemap=None)
    render_seconds = time.perf_counter() - started
    size_mb = out.stat().st_size / 1e6
    assert size_mb < 12
    with open_page(out, screenshot=tmp_path / "big.png", timeout_ms=60_000) as page:
        assert page.evaluate("typeof L.markerClusterGroup") == "function"
        drawn = page.report.load_seconds + page.wait_for(".marker-cluster", timeout_ms=60_000)
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=120_000)
        assert _count(page, ".marker-cluster") > 0
        clustered = page.evaluate(
            """() => {
              const map = Object.keys(window).filter(k => k.startsWith('map_'))
                .map(k => window[k]).find(v => v instanceof L.Map);
              let n = 0;
              map.eachLayer(layer => {
                if (layer._gridClusters) { n += layer.getLayers().length; }
              });
              return n;
            }"""
        )
        assert clustered == n  # every event placed once the page says it is ready
    assert not page.report.errors, page.report.errors
    print(
        f"100k events: {size_mb:.1f} MB, render {render_seconds:.1f} s, "
        f"load {page.report.load_seconds:.1f} s, clusters drawn after {drawn:.1f} s"
    )


@pytest.mark.browser
@requires_browser
def test_compressed_page_draws_offline(tmp_path: Path) -> None:
    out = render.render_map(sample_layers(), tmp_path / "m.html", basemap=None, compress_over=0)
    assert 'type="application/octet-stream"' in out.read_text("utf-8")
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=30_000)
        for css_class in ALL_CLASSES[1:]:  # no basemap here
            assert _count(page, f"path.{css_class}") > 0, css_class
        opened = page.evaluate(_OPEN_ALL_POPUPS)
        assert opened[0] == 5 + 5 + 5 + 3
        assert "Five people were killed in Kyiv." in opened[1]  # the quote, inflated
        assert "Russia pledged to reduce activity near Kharkiv — “a goodwill step”." in opened[1]
        assert XSS_SCRIPT in opened[1]  # shown as text ...
        assert page.evaluate("typeof window.__pwned") == "undefined"  # ... never run
        assert _count(page, ".leaflet-popup-content img, .leaflet-popup-content a") == 0
    assert not page.report.errors, page.report.errors
    assert not page.report.blocked


@pytest.mark.browser
@requires_browser
def test_layers_stack_in_page_order_whichever_inflates_first(tmp_path: Path) -> None:
    """Boundaries under zones under points, though the large basemap block inflates last.

    The bundled example's layers on the gazetteer's areas, as ``geo build`` draws them.
    """
    from geo.export import read_layers
    from geo.gazetteer import get_gazetteer

    layers = read_layers(Path(__file__).resolve().parent.parent / "layers")
    basemap = get_gazetteer().areas_frame()
    out = render.render_map(layers, tmp_path / "m.html", basemap=basemap)
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=30_000)
        first, z = page.raw.evaluate(
            """(classes) => {
              const paths = classes.map(c => document.querySelector('path.' + c));
              const pane = p => p && Number(getComputedStyle(p.closest('.leaflet-pane')).zIndex);
              return [paths.map(p => p !== null), paths.map(pane)];
            }""",
            list(ALL_CLASSES),
        )
    assert all(first), dict(zip(ALL_CLASSES, first, strict=True))
    boundaries, zones, points = z[0], z[1:3], z[3:]
    assert boundaries < min(zones) and max(zones) < min(points), dict(
        zip(ALL_CLASSES, z, strict=True)
    )
    assert not page.report.errors, page.report.errors


def _repeated_zone(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The sample zones, Mykolaiv's fighting zone reported on two more days, and Kharkiv's.

    Sorted by id, the repeats come before other zones, so shapes and features interleave.
    """
    zones = layers["zones"]
    mykolaiv = zones[zones["id"] == "zone-3"]
    later = [
        mykolaiv.assign(id=f"zone-{n}a", date=f"2022-03-0{day}", quote=f"Fighting on day {day}.")
        for n, day in ((1, 6), (2, 7))
    ]
    kharkiv = mykolaiv.assign(
        id="zone-2b", places=[["gn:706483"]], place_names=[["Kharkiv"]], quote="Kharkiv shelled."
    ).set_geometry([Point(36.23, 49.99).buffer(0.3)], crs=zones.crs)
    return gpd.GeoDataFrame(pd.concat([zones, *later, kharkiv], ignore_index=True), crs=zones.crs)


def test_features_sharing_a_shape_are_packed_once() -> None:
    zones = _repeated_zone(sample_layers())
    _, added = render.build_map({"zones": zones}, basemap=None)
    assert {layer.name: layer.features for layer in added}["Fighting zones"] == 5
    data = render._pack(zones, lambda row: {"k": row["zone"]}, points=False)
    assert data["n"] == 6
    # By id: zone-1, zone-1a, zone-2, zone-2a, zone-2b, zone-3. Mykolaiv's three are one
    # shape; a shape standing for one feature is the lowest-numbered one not yet drawn.
    members = [f["properties"].get("m") for f in data["g"]["features"]]
    assert members == [None, [1, 3, 5], None, None]


@pytest.mark.browser
@requires_browser
def test_one_shape_lists_every_report_of_it(tmp_path: Path) -> None:
    zones = _repeated_zone(sample_layers())
    out = render.render_map({"zones": zones}, tmp_path / "m.html", basemap=None)
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=30_000)
        assert _count(page, "path.geo-fighting") == 3  # Mykolaiv once, Kharkiv, Mariupol
        opened = page.evaluate(_OPEN_ALL_POPUPS)
        tooltips = page.evaluate(
            """() => {
              const map = Object.keys(window).filter(k => k.startsWith('map_'))
                .map(k => window[k]).find(v => v instanceof L.Map);
              const out = [];
              map.eachLayer(l => { if (l.getTooltip && l.getTooltip()) {
                out.push(l.getTooltip().getContent()); } });
              return out.sort();
            }"""
        )
    assert opened[0] == 4
    for quote in ("Fighting around Mykolaiv.", "Fighting on day 6.", "Fighting on day 7."):
        assert quote in opened[1]
    assert tooltips == [
        "Active fighting · Kharkiv",
        "Active fighting · Mykolaiv · 3 records",
        "Besieged · Mariupol",
        "Pledged de-escalation · Kyiv, Chernihiv",
    ]
    assert not page.report.errors, page.report.errors


def _buffer_zone(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """The sample zones and Kharkiv's fighting zone as the 25 km buffer geo.zones draws."""
    zones = layers["zones"]
    kharkiv = (
        zones[zones["id"] == "zone-3"]
        .assign(id="zone-4", places=[["gn:706483"]], place_names=[["Kharkiv"]],
                quote="Shelling around Kharkiv.", method="buffer:25km:gn:706483")
        .set_geometry([buffer_at(49.98081, 36.25272, 25.0)], crs=zones.crs)
    )  # fmt: skip
    return gpd.GeoDataFrame(pd.concat([zones, kharkiv], ignore_index=True), crs=zones.crs)


def test_a_metric_buffer_is_sent_as_its_centre_and_radius() -> None:
    zones = _buffer_zone(sample_layers())
    circle = render._buffer_circle(zones.iloc[-1].to_dict(), zones.geometry.iloc[-1])
    assert circle is not None
    lat, lon, metres = circle
    assert metres == 25_000.0
    assert abs(lat - 49.98081) < 1e-5 and abs(lon - 36.25272) < 1e-5  # about a metre
    # Not a buffer: another method, or a buffer's polygon changed since.
    assert render._buffer_circle({"method": "admin1:adm1:UA-63"}, zones.geometry.iloc[-1]) is None
    clipped = zones.geometry.iloc[-1].intersection(Point(36.25, 49.98).buffer(0.2))
    assert render._buffer_circle(zones.iloc[-1].to_dict(), clipped) is None
    data = render.pack_zones(zones, ("active_fighting", "besieged"))
    shapes = {f["geometry"]["type"]: f for f in data["g"]["features"]}
    assert shapes["Point"]["properties"]["r"] == 25_000.0
    assert shapes["Point"]["geometry"]["coordinates"] == [36.25272, 49.98081]
    assert len(data["g"]["features"]) == 3  # Mykolaiv's and Mariupol's polygons


@pytest.mark.browser
@requires_browser
def test_a_metric_buffer_is_drawn_as_a_circle_with_its_popup(tmp_path: Path) -> None:
    zones = _buffer_zone(sample_layers())
    polygon = zones.geometry.iloc[-1]
    out = render.render_map({"zones": zones}, tmp_path / "m.html", basemap=None)
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=30_000)
        assert _count(page, "path.geo-fighting") == 3
        circle = page.evaluate(
            """() => {
              const map = Object.keys(window).filter(k => k.startsWith('map_'))
                .map(k => window[k]).find(v => v instanceof L.Map);
              let found = null;
              map.eachLayer(l => { if (l instanceof L.Circle) { found = l; } });
              const b = found.getBounds();
              found.openPopup();
              return {bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
                      pane: found.options.pane,
                      popup: found.getPopup().getElement().textContent,
                      tooltip: found.getTooltip().getContent()};
            }"""
        )
    # Leaflet's circle covers the buffer polygon's extent (to 1 % of its 50 km width).
    for drawn, exact in zip(circle["bounds"], polygon.bounds, strict=True):
        assert abs(drawn - exact) < 0.01 * (polygon.bounds[2] - polygon.bounds[0])
    assert circle["pane"] != "overlayPane"  # in the zones' own pane, under the points
    assert "Shelling around Kharkiv." in circle["popup"]
    assert circle["tooltip"] == "Active fighting · Kharkiv"
    assert not page.report.errors, page.report.errors


@pytest.mark.browser
@requires_browser
def test_clustered_compressed_popup_shows_its_quote(tmp_path: Path) -> None:
    n = 3000
    events = _synthetic_events(n).assign(
        quote=[f"Quote {i}: shelling hit street {i} overnight, officials said." for i in range(n)]
    )
    out = render.render_map({"events": events}, tmp_path / "m.html", basemap=None, compress_over=0)
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=60_000)
        shown = page.evaluate(
            """async () => {
              const map = Object.keys(window).filter(k => k.startsWith('map_'))
                .map(k => window[k]).find(v => v instanceof L.Map);
              let group = null;
              map.eachLayer(layer => { if (layer._gridClusters) { group = layer; } });
              const count = group.getLayers().length;
              const marker = group.getLayers().find(m => m.geoIndex === 1234);
              // Zoom in until the marker stands alone, then click it as a reader would.
              map.setView(marker.getLatLng(), map.getMaxZoom(), {animate: false});
              await new Promise(resolve => setTimeout(resolve, 300));
              const box = map.hasLayer(marker) && marker.getElement().getBoundingClientRect();
              return [count, box && [box.left + box.width / 2, box.top + box.height / 2]];
            }"""
        )
        assert shown[0] == n and shown[1]  # every event clustered; this one drawn alone
        page.raw.mouse.click(*shown[1])  # the popup is bound on this first click
        popup = page.raw.wait_for_selector(".leaflet-popup-content", timeout=5_000)
        shown.append(popup.text_content())
    # Features are numbered in id order: index 1234 is ev-001234.
    assert "Quote 1234: shelling hit street 1234 overnight, officials said." in shown[2]
    assert "Place 237" in shown[2]  # 1234 % 997
    assert not page.report.errors, page.report.errors


@pytest.mark.browser
@requires_browser
def test_page_without_decompression_stream_says_why(tmp_path: Path) -> None:
    out = render.render_map(sample_layers(), tmp_path / "m.html", basemap=None, compress_over=0)
    page_html = out.read_text("utf-8")
    # A browser without DecompressionStream (Firefox before 113, Safari before 16.4).
    out.write_text(
        page_html.replace("<head>", "<head><script>delete window.DecompressionStream;</script>", 1),
        encoding="utf-8",
    )
    with open_page(out, settle_ms=0) as page:
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=30_000)
        assert _count(page, ".geo-label") == 5  # the plain layers still draw
        assert _count(page, "#geo-legend") == 1
    failures = [error for error in page.report.errors if "could not be read" in error]
    assert len(failures) == 5 and "DecompressionStream" in failures[0]
