"""The generated outputs: committed files are current, builds are reproducible, GeoJSON is RFC 7946.

Regenerate the committed ``layers/`` and ``maps/`` with ``geo build`` from the repository root.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from geo.layers import LAYER_NAMES
from geo.pipeline import build

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = [*(f"layers/{name}.geojson" for name in LAYER_NAMES), "maps/index.html"]


@pytest.fixture(scope="module")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example")
    build(None, out)
    return out


def _geojson(out: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (out / "layers" / f"{name}.geojson").read_text(encoding="utf-8")
    )
    return data


def test_committed_outputs_are_current(example_build: Path) -> None:
    if not list((REPO / "layers").glob("*.geojson")):
        pytest.skip("layers/ holds no GeoJSON yet; run `geo build` from the repository root")
    stale = [
        relative
        for relative in OUTPUTS
        if not (REPO / relative).is_file()
        or (REPO / relative).read_bytes() != (example_build / relative).read_bytes()
    ]
    assert stale == [], f"stale committed outputs {stale}; run `geo build` from the repo root"


def test_builds_are_byte_identical(example_build: Path, tmp_path: Path) -> None:
    build(None, tmp_path)
    different = [
        relative
        for relative in OUTPUTS
        if (tmp_path / relative).read_bytes() != (example_build / relative).read_bytes()
    ]
    assert different == []


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_layers_are_rfc7946(example_build: Path, name: str) -> None:
    data = _geojson(example_build, name)
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    assert data["features"], f"{name} is empty"
    for feature in data["features"]:
        assert feature["type"] == "Feature" and "crs" not in feature
        geom = shape(feature["geometry"])
        west, south, east, north = geom.bounds
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def test_positions_are_lon_lat(example_build: Path) -> None:
    kyiv = [
        feature["geometry"]["coordinates"]
        for feature in _geojson(example_build, "places")["features"]
        if feature["properties"]["name"] == "Kyiv"
    ]
    assert len(kyiv) == 1
    lon, lat = kyiv[0]
    assert lon == pytest.approx(30.52, abs=0.05) and lat == pytest.approx(50.45, abs=0.05)


def test_polygon_rings_are_wound_right(example_build: Path) -> None:
    polygons = []
    for feature in _geojson(example_build, "zones")["features"]:
        geom = shape(feature["geometry"])
        polygons.extend(getattr(geom, "geoms", [geom]))
    assert polygons
    for polygon in polygons:
        assert polygon.geom_type == "Polygon"
        assert shapely.is_ccw(polygon.exterior), "exterior rings must be counterclockwise"
        for hole in polygon.interiors:
            assert not shapely.is_ccw(hole), "holes must be clockwise"
