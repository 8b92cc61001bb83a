"""Acceptance: the five seed articles about the 29 March 2022 Istanbul talks, end to end.

The seeds live beside the repository (``../shared/seeds``); these tests skip when they are
absent. They state what must hold of the layers (zones, casualty records) and of the map
drawn offline in Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from browser import open_page, requires_browser
from shapely.geometry import Point

from geo.export import validate_layer
from geo.layers import LAYER_NAMES
from geo.pipeline import build

pytestmark = [pytest.mark.shared]

# (lon, lat): shapely order.
KYIV = Point(30.52, 50.45)
CHERNIHIV = Point(31.29, 51.50)
MARIUPOL = Point(37.55, 47.10)
SUMY = Point(34.80, 50.91)
KHARKIV = Point(36.23, 49.99)
KHERSON = Point(32.61, 46.64)
MYKOLAIV = Point(31.99, 46.97)


@pytest.fixture(scope="module")
def seed_build(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    summary = build([seeds_dir], out)
    assert summary.articles == 5
    return out


def _layer(out: Path, name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "layers" / f"{name}.geojson")


def _zones(out: Path, kind: str) -> shapely.Geometry:
    zones = _layer(out, "zones")
    chosen = zones[zones["zone"] == kind]
    assert len(chosen), f"no {kind} zone in the seed build"
    return shapely.union_all(chosen.geometry.array)


def _record(out: Path, place: str, **expected: Any) -> dict[str, Any]:
    """The one casualty record at ``place`` whose columns have the ``expected`` values."""
    records = _layer(out, "casualties")
    here = records[records["place"] == place]
    assert len(here), f"no casualty record at {place}"
    rows = here.drop(columns="geometry").to_dict(orient="records")
    matching = [
        row for row in rows if all(row.get(key) == value for key, value in expected.items())
    ]
    shown = [{key: row.get(key) for key in (*expected, "n_sources")} for row in rows]
    assert len(matching) == 1, f"{place}: want {expected}, have {shown}"
    return matching[0]


def _sources(record: dict[str, Any]) -> list[dict[str, Any]]:
    sources = record["sources"]
    return json.loads(sources) if isinstance(sources, str) else list(sources)


def test_pledged_zone_covers_kyiv_and_chernihiv(seed_build: Path) -> None:
    pledged = _zones(seed_build, "pledged_deescalation")
    assert pledged.contains(KYIV)
    assert pledged.contains(CHERNIHIV)
    assert not pledged.contains(MARIUPOL)


@pytest.mark.parametrize(
    ("name", "point"),
    [
        ("Mariupol", MARIUPOL),
        ("Sumy", SUMY),
        ("Kharkiv", KHARKIV),
        ("Kherson", KHERSON),
        ("Mykolaiv", MYKOLAIV),
    ],
)
def test_fighting_zones_cover_the_front(seed_build: Path, name: str, point: Point) -> None:
    assert _zones(seed_build, "active_fighting").contains(point), name


def test_fighting_zones_leave_kyiv_out(seed_build: Path) -> None:
    assert not _zones(seed_build, "active_fighting").contains(KYIV)


def test_mariupol_record(seed_build: Path) -> None:
    record = _record(seed_build, "Mariupol", killed_best=5000)
    assert record["n_sources"] == 3
    assert len({source["article"] for source in _sources(record)}) == 3


def test_mykolaiv_record(seed_build: Path) -> None:
    record = _record(seed_build, "Mykolaiv", killed_best=7)
    counts = {
        kind: tuple(record[f"{kind}_{part}"] for part in ("low", "best", "high"))
        for kind in ("killed", "injured")
    }
    assert counts == {"killed": (7, 7, 12), "injured": (22, 22, 33)}
    assert record["disputed"] is True
    assert record["n_sources"] == 2
    sources = _sources(record)
    assert len({source["article"] for source in sources}) == 2
    assert all(source["attribution"] for source in sources), sources


def test_chernihiv_record(seed_build: Path) -> None:
    record = _record(seed_build, "Chernihiv", killed_best=350)
    assert (record["killed_low"], record["killed_high"]) == (350, 400)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_layers_match_schemas(seed_build: Path, name: str) -> None:
    geojson = json.loads((seed_build / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))
    assert geojson["features"], f"{name} is empty"
    assert validate_layer(name, geojson) == []


@pytest.mark.browser
@requires_browser
def test_seed_map_draws_offline(seed_build: Path, tmp_path: Path) -> None:
    shot = tmp_path / "seed-map.png"
    with open_page(seed_build / "maps" / "index.html", screenshot=shot) as page:
        assert page.evaluate("typeof L") == "object"
        counts = page.evaluate(
            """() => Object.fromEntries(
              ['geo-boundaries', 'geo-pledged', 'geo-fighting', 'geo-casualties', 'geo-events']
                .map(c => [c, document.querySelectorAll('path.' + c).length]))"""
        )
        view = page.evaluate(
            """() => {
              const map = Object.keys(window).filter(k => k.startsWith('map_'))
                .map(k => window[k]).find(v => v instanceof L.Map);
              const b = map.getBounds();
              return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()];
            }"""
        )
        labels = page.evaluate(
            """() => [...document.querySelectorAll('.geo-label:not(.hidden) span')]
              .filter(e => e.offsetParent !== null).map(e => e.textContent)"""
        )
    assert not page.report.errors, page.report.errors
    assert page.report.blocked == []
    assert counts["geo-boundaries"] > 0 and counts["geo-events"] > 0
    assert counts["geo-pledged"] >= 1 and counts["geo-fighting"] >= 5, counts
    assert counts["geo-casualties"] >= 3, counts
    # The view is Ukraine, not every place mentioned (Washington, Morocco ...).
    south, west, north, east = view
    assert 40 < south < 47 and 20 < west < 31 and 51.5 < north < 58 and 37.5 < east < 52, view
    assert {"Kyiv", "Mariupol", "Chernihiv", "Mykolaiv"} <= set(labels), labels
    assert "Donetsk Oblast" not in labels
    assert shot.stat().st_size > 50_000
