"""Tests for geo.export: RFC 7946 GeoJSON, schemas, GeoPackage, GeoParquet, CSV.

``sample_layers`` builds small, realistic synthetic layers; tests/test_render.py reuses it.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from geo import export
from geo._errors import InputError

DATA = Path(__file__).parent / "data"

KYIV = ("gn:703448", "Kyiv", 30.5234, 50.4501, "Kyiv City")
CITIES = {
    "kyiv": KYIV,
    "chernihiv": ("gn:710735", "Chernihiv", 31.2849, 51.5055, "Chernihiv Oblast"),
    "mariupol": ("gn:701822", "Mariupol", 37.5496, 47.0971, "Donetsk Oblast"),
    "mykolaiv": ("gn:700569", "Mykolaiv", 31.9946, 46.9659, "Mykolaiv Oblast"),
    "kharkiv": ("gn:706483", "Kharkiv", 36.2304, 49.9935, "Kharkiv Oblast"),
}
XSS_SCRIPT = "<script>window.__pwned=1</script>"
XSS_IMG = '<img src=x onerror="window.__pwned=1">'
XSS_LINK = '<a href="javascript:window.__pwned=1">read more</a>'
COUNTS = ("killed_low", "killed_best", "killed_high", "injured_low", "injured_best", "injured_high")


Triple = tuple[int | None, int | None, int | None]


def _counts(
    killed: Triple = (None, None, None), injured: Triple = (None, None, None)
) -> dict[str, Any]:
    return dict(zip(COUNTS, (*killed, *injured), strict=True))


def _buffer(city: str, km: float) -> shapely.Geometry:
    """A circle of ``km`` around a city, computed in UTM zone 36N (metres), back in WGS84."""
    _, _, lon, lat, _ = CITIES[city]
    metric = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:32636")
    return metric.buffer(km * 1000, quad_segs=16).to_crs("EPSG:4326").iloc[0]


def sample_layers() -> dict[str, gpd.GeoDataFrame]:
    """Places, events, casualties and zones around five Ukrainian cities."""
    places = gpd.GeoDataFrame(
        [
            {
                "id": pid,
                "name": name,
                "kind": "settlement",
                "country": "UA",
                "admin1": admin1,
                "precision": 1,
                "gazetteer_precision": "exact",
                "mentions": 3 + i,
                "articles": [f"a{i}", "a9"],
                "roles": ["location"],
            }
            for i, (pid, name, _, _, admin1) in enumerate(CITIES.values())
        ],
        geometry=[Point(lon, lat) for _, _, lon, lat, _ in CITIES.values()],
        crs="EPSG:4326",
    )
    events_rows = [
        (
            "ev-004",
            "mariupol",
            "Battles",
            "Armed clash",
            "2022-03-02",
            (None, None, None),
            "Heavy fighting continued in Mariupol.",
            None,
        ),
        (
            "ev-001",
            "kyiv",
            "Explosions/Remote violence",
            "Shelling/artillery/missile attack",
            "2022-02-24",
            (5, 5, 5),
            f"Five people were killed in Kyiv. {XSS_SCRIPT}",
            "Reuters",
        ),
        (
            "ev-002",
            "chernihiv",
            "Explosions/Remote violence",
            "Air/drone strike",
            "2022-03-03",
            (47, 47, 47),
            f"At least 47 people were killed in Chernihiv {XSS_IMG}",
            "BBC",
        ),
        (
            "ev-003",
            "mykolaiv",
            "Violence against civilians",
            None,
            "2022-03-29",
            (12, 12, 15),
            f"Officials said 12 died in Mykolaiv {XSS_LINK}",
            "Ukrinform",
        ),
        (
            "ev-005",
            "kharkiv",
            "Strategic developments",
            "Agreement",
            None,
            (None, None, None),
            "Russia pledged to reduce activity near Kharkiv — “a goodwill step”.",
            None,
        ),
    ]
    events = gpd.GeoDataFrame(
        [
            {
                "id": eid,
                "event_type": etype,
                "sub_event_type": sub,
                "date": date,
                "date_precision": "day" if date else None,
                "place": CITIES[city][1],
                "place_id": CITIES[city][0],
                "precision": 1,
                **_counts(killed),
                "article": f"art-{eid}",
                "quote": quote,
                "plover": None,
                "actor": "Russian Armed Forces" if etype != "Battles" else None,
                "source": source,
            }
            for eid, city, etype, sub, date, killed, quote, source in events_rows
        ],
        geometry=[Point(CITIES[row[1]][2], CITIES[row[1]][3]) for row in events_rows],
        crs="EPSG:4326",
    )

    def source(
        article: str,
        outlet: str,
        figure: str,
        attribution: str | None,
        hedge: str | None,
        best: int | None,
        low: int | None = None,
        high: int | None = None,
    ) -> dict[str, Any]:
        return {
            "article": article,
            "date": "2022-03-20",
            "source": outlet,
            "figure": figure,
            "attribution": attribution,
            "hedge": hedge,
            "kind": "killed",
            "low": best if low is None else low,
            "best": best,
            "high": best if high is None else high,
        }

    casualty_rows = [
        (
            "cas-mariupol",
            "mariupol",
            "Explosions/Remote violence",
            "2022-03-16",
            (5000, 5000, 5000),
            (None, None, None),
            True,
            [
                source("a1", "Reuters", "5,000 people killed", "city council", None, 5000),
                source("a2", "AP", f"up to 20,000 {XSS_SCRIPT}", "mayor", "up to", 20000, 0, 20000),
            ],
        ),
        (
            "cas-chernihiv",
            "chernihiv",
            "Explosions/Remote violence",
            "2022-03-03",
            (47, 47, 47),
            (18, 18, 18),
            False,
            [source("a3", "BBC", f"47 people {XSS_IMG}", "regional governor", None, 47)],
        ),
        (
            "cas-mykolaiv",
            "mykolaiv",
            "Explosions/Remote violence",
            "2022-03-29",
            (12, 14, 15),
            (33, 33, 33),
            False,
            [
                source(
                    "a4", "Ukrinform", "at least 12 died", "rescue service", "at least", 12, 12, 15
                )
            ],
        ),
        (
            "cas-kharkiv",
            "kharkiv",
            "Explosions/Remote violence",
            "2022-03-01",
            (None, None, None),
            (None, 20, None),
            False,
            [
                source(
                    "a5",
                    "Kyiv Independent",
                    "dozens of casualties",
                    None,
                    "dozens",
                    None,
                    None,
                    None,
                )
            ],
        ),
        (
            "cas-kyiv",
            "kyiv",
            "Explosions/Remote violence",
            "2022-02-24",
            (5, 5, 5),
            (None, None, None),
            False,
            [source("a6", "Reuters", "five people", "police", None, 5)],
        ),
    ]
    casualties = gpd.GeoDataFrame(
        [
            {
                "id": cid,
                "event_type": etype,
                "sub_event_type": "Shelling/artillery/missile attack",
                "date": date,
                "date_precision": "day",
                "place": CITIES[city][1],
                "place_id": CITIES[city][0],
                "precision": 1,
                **_counts(killed, injured),
                "missing_best": None,
                "displaced_best": None,
                "sources": sources,
                "disputed": disputed,
                "n_sources": len(sources),
            }
            for cid, city, etype, date, killed, injured, disputed, sources in casualty_rows
        ],
        geometry=[Point(CITIES[row[1]][2], CITIES[row[1]][3]) for row in casualty_rows],
        crs="EPSG:4326",
    )
    pledged = shapely.MultiPolygon([_buffer("kyiv", 60), _buffer("chernihiv", 40)])
    donut = _buffer("mariupol", 30).difference(_buffer("mariupol", 8))
    zones = gpd.GeoDataFrame(
        [
            {
                "id": "zone-1",
                "zone": "pledged_deescalation",
                "places": ["gn:703448", "gn:710735"],
                "place_names": ["Kyiv", "Chernihiv"],
                "date": "2022-03-29",
                "actor": "Russian Ministry of Defence",
                "sources": ["a7"],
                "quote": f"Russia will drastically reduce military activity {XSS_IMG}",
                "method": "buffer:60km:gn:703448",
                "plover": "RETREAT",
            },
            {
                "id": "zone-2",
                "zone": "besieged",
                "places": ["gn:701822"],
                "place_names": ["Mariupol"],
                "date": "2022-03-02",
                "actor": None,
                "sources": ["a1"],
                "quote": "Mariupol is encircled.",
                "method": "buffer:30km:gn:701822",
                "plover": None,
            },
            {
                "id": "zone-3",
                "zone": "active_fighting",
                "places": ["gn:700569"],
                "place_names": ["Mykolaiv"],
                "date": "2022-03-05",
                "actor": None,
                "sources": ["a4"],
                "quote": "Fighting around Mykolaiv.",
                "method": "buffer:25km:gn:700569",
                "plover": None,
            },
        ],
        geometry=[pledged, donut, _buffer("mykolaiv", 25)],
        crs="EPSG:4326",
    )
    return {"places": places, "events": events, "casualties": casualties, "zones": zones}


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    return sample_layers()


@pytest.fixture
def layers_dir(tmp_path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    folder = tmp_path / "layers"
    for name, gdf in layers.items():
        export.write_geojson(gdf, folder / f"{name}.geojson")
    return folder


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


# ----------------------------------------------------------------------------- GeoJSON


def test_geojson_is_rfc7946(layers: dict[str, gpd.GeoDataFrame]) -> None:
    data = json.loads(export.to_geojson(layers["places"]))
    assert data["type"] == "FeatureCollection"
    assert "crs" not in data
    kyiv = next(f for f in data["features"] if f["id"] == KYIV[0])
    assert kyiv["geometry"] == {"type": "Point", "coordinates": [30.5234, 50.4501]}
    lon, lat = kyiv["geometry"]["coordinates"]
    assert 30 < lon < 31 and 50 < lat < 51  # [lon, lat], not [lat, lon]
    assert kyiv["properties"]["id"] == kyiv["id"]
    assert kyiv["properties"]["articles"] == ["a0", "a9"]
    assert isinstance(kyiv["properties"]["mentions"], int)


def test_features_sorted_and_keys_stable(layers: dict[str, gpd.GeoDataFrame]) -> None:
    data = json.loads(export.to_geojson(layers["events"]))
    ids = [f["id"] for f in data["features"]]
    assert ids == sorted(ids)
    assert all(list(f) == ["type", "id", "properties", "geometry"] for f in data["features"])
    assert list(data["features"][0]["properties"]) == list(layers["events"].columns[:-1])


def test_polygon_winding_right_hand_rule(layers: dict[str, gpd.GeoDataFrame]) -> None:
    zones = layers["zones"].copy()
    # A clockwise input exterior must come out counter-clockwise.
    zones.loc[2, "geometry"] = shapely.orient_polygons(zones.geometry.iloc[2], exterior_cw=True)
    assert _signed_area(list(zones.geometry.iloc[2].exterior.coords)) < 0
    data = json.loads(export.to_geojson(zones))
    checked_holes = 0
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for rings in polygons:
            assert _signed_area(rings[0]) > 0
            for hole in rings[1:]:
                assert _signed_area(hole) < 0
                checked_holes += 1
    assert checked_holes == 1  # the Mariupol donut


def test_coordinates_rounded_to_six_decimals(layers: dict[str, gpd.GeoDataFrame]) -> None:
    text = export.to_geojson(layers["zones"])
    ring = json.loads(text)["features"][0]["geometry"]["coordinates"][0][0]
    assert all(len(repr(value).split(".")[1]) <= 6 for point in ring for value in point)


def test_geojson_byte_identical(tmp_path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    first = export.write_geojson(layers["casualties"], tmp_path / "a.geojson").read_bytes()
    shuffled = layers["casualties"].sample(frac=1, random_state=3)
    second = export.write_geojson(shuffled, tmp_path / "b.geojson").read_bytes()
    assert first == second
    assert first.endswith(b"]}\n")
    assert "“a goodwill step”".encode() in export.to_geojson(layers["events"]).encode()


def test_nan_and_numpy_values(layers: dict[str, gpd.GeoDataFrame]) -> None:
    events = layers["events"].copy()
    events["killed_best"] = events["killed_best"].astype(float)  # None -> NaN
    events["precision"] = events["precision"].astype("int64")
    data = json.loads(export.to_geojson(events))
    by_id = {f["id"]: f["properties"] for f in data["features"]}
    assert by_id["ev-004"]["killed_best"] is None
    assert by_id["ev-001"]["precision"] == 1
    assert by_id["ev-001"]["killed_best"] == 5
    assert '"killed_best":5,' in export.to_geojson(events)  # not 5.0
    assert "NaN" not in export.to_geojson(events)


def _row_by_row(gdf: gpd.GeoDataFrame) -> str:
    """The GeoJSON text as first written: one pandas record and one geometry at a time."""
    lines = []
    for record, geom in zip(
        gdf.drop(columns="geometry").to_dict(orient="records"), gdf.geometry, strict=True
    ):
        properties = {key: export._jsonable(value) for key, value in record.items()}
        for key in export.INTEGER_COLUMNS.intersection(properties):
            if isinstance(properties[key], float) and properties[key].is_integer():
                properties[key] = int(properties[key])
        feature = {
            "type": "Feature",
            "id": str(record["id"]),
            "properties": properties,
            "geometry": export._geometry(geom),
        }
        lines.append(
            (feature["id"], json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
        )
    lines.sort(key=lambda item: item[0])
    return export._collection([line for _, line in lines])


def test_bulk_encoding_equals_row_by_row(layers: dict[str, gpd.GeoDataFrame]) -> None:
    clockwise = shapely.Polygon([(30, 50), (30, 51), (31, 51), (31, 50)])  # wound the wrong way
    holed = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (2, 1), (2, 2), (1, 2)]]
    )
    odd = gpd.GeoDataFrame(
        {
            "id": ["z-1", "z-0", "z-2", "z-3", "z-4", "z-5", "z-6"],
            "precision": [1.0, float("nan"), 3.0, 2.5, 4.0, 5.0, 6.0],  # ints held as floats
            "score": [0.123456789, float("inf"), 1.0, -0.0, 2.0, 3.0, 4.0],
            "places": [["gn:1"], [], ["gn:2", "gn:3"], None, ["é"], ["x"], ["y"]],
            "sources": [{"a": 1}, None, {"b": [1, 2.5]}, {}, {"c": None}, {}, {}],
            "flag": [True, False, True, False, True, False, True],
            "note": ["Київ “quoted”", None, "a\nb", "<tag>", "\u2028", "", "ok"],
        },
        geometry=[
            clockwise,
            None,
            shapely.Point(30.12345678, 50.98765432),
            shapely.MultiPolygon([clockwise, holed]),
            shapely.Polygon(),
            shapely.Point(1e-7, -0.0),
            clockwise,  # the same polygon again: encoded once, written twice
        ],
        crs="EPSG:4326",
    )
    for frame in (*layers.values(), odd):
        assert export.to_geojson(frame) == _row_by_row(frame)
    assert export.to_geojson(odd.iloc[:0]) == '{"type":"FeatureCollection","features":[]}\n'


def test_reprojects_other_crs(layers: dict[str, gpd.GeoDataFrame]) -> None:
    metric = layers["places"].to_crs("EPSG:3857")
    data = json.loads(export.to_geojson(metric))
    kyiv = next(f for f in data["features"] if f["id"] == KYIV[0])
    assert kyiv["geometry"]["coordinates"] == pytest.approx([30.5234, 50.4501], abs=1e-6)


def test_missing_crs_fails_clearly(layers: dict[str, gpd.GeoDataFrame]) -> None:
    naive = gpd.GeoDataFrame(
        layers["places"].drop(columns="geometry"), geometry=list(layers["places"].geometry)
    )
    with pytest.raises(InputError, match=r"no CRS.*set_crs"):
        export.to_geojson(naive)


def test_missing_id_fails_clearly(layers: dict[str, gpd.GeoDataFrame]) -> None:
    with pytest.raises(InputError, match="no 'id' column"):
        export.to_geojson(layers["places"].drop(columns="id"))


def test_read_layers_round_trip(layers_dir: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    read = export.read_layers(layers_dir)
    assert list(read) == list(export.LAYER_NAMES)
    places = read["places"]
    assert places.crs == "EPSG:4326"
    assert places.loc[places["id"] == KYIV[0], "articles"].iloc[0] == ["a0", "a9"]
    expected = layers["places"].sort_values("id").reset_index(drop=True)
    expected["mentions"] = expected["mentions"].astype("Int64")
    expected["precision"] = expected["precision"].astype("Int64")
    assert_geodataframe_equal(places, expected, check_crs=True)
    sources = read["casualties"].set_index("id").loc["cas-mariupol", "sources"]
    assert sources[1]["attribution"] == "mayor"


def test_read_layers_lists_every_missing_file(tmp_path: Path) -> None:
    (tmp_path / "places.geojson").write_text('{"type":"FeatureCollection","features":[]}\n')
    with pytest.raises(InputError, match=r"events\.geojson, casualties\.geojson, zones\.geojson"):
        export.read_layers(tmp_path)


# ----------------------------------------------------------------------------- schemas


@pytest.mark.parametrize("name", export.LAYER_NAMES)
def test_schema_accepts_good_layers(name: str, layers: dict[str, gpd.GeoDataFrame]) -> None:
    assert export.validate_layer(name, json.loads(export.to_geojson(layers[name]))) == []


def test_schema_reports_bad_layer() -> None:
    bad = json.loads((DATA / "layers_bad_events.geojson").read_text())
    errors = export.validate_layer("events", bad)
    text = "\n".join(errors)
    assert "crs" in text  # RFC 7946 removed the crs member
    assert "'five' is not of type 'integer', 'null'" in text
    assert "230.5234 is greater than the maximum of 90" in text  # [lat, lon] swapped
    assert "-3 is less than the minimum of 0" in text
    assert "'fortnight' is not one of" in text
    assert "'01/03/2022' does not match" in text
    assert "'Point' was expected" in text
    assert "'ev-2' differs from properties.id 'ev-X'" in text
    assert any(error.startswith("$.features[1].properties") for error in errors)


def test_schema_rejects_wrong_zone_kind(layers: dict[str, gpd.GeoDataFrame]) -> None:
    zones = layers["zones"].copy()
    zones.loc[0, "zone"] = "ceasefire"
    errors = export.validate_layer("zones", json.loads(export.to_geojson(zones)))
    assert errors and "'ceasefire' is not one of" in errors[0]


def test_validate_unknown_layer() -> None:
    with pytest.raises(InputError, match="unknown layer 'roads'"):
        export.validate_layer("roads", {"type": "FeatureCollection", "features": []})


# ----------------------------------------------------------------------------- export()


def test_export_merged_geojson(layers_dir: Path, tmp_path: Path) -> None:
    out = export.export(layers_dir, "geojson", tmp_path / "all.geojson")
    data = json.loads(out.read_text())
    layer_names = [f["properties"]["layer"] for f in data["features"]]
    assert layer_names.count("casualties") == 5
    assert set(layer_names) == set(export.LAYER_NAMES)
    assert "crs" not in data


def test_export_gpkg(layers_dir: Path, tmp_path: Path) -> None:
    out = export.export(layers_dir, "gpkg", tmp_path / "layers.gpkg")
    tables = {name for name, _ in pyogrio.list_layers(out)}
    assert tables == set(export.LAYER_NAMES)
    casualties = pyogrio.read_dataframe(out, layer="casualties")
    assert casualties.crs == "EPSG:4326"
    row = casualties.set_index("id").loc["cas-mariupol"]
    assert json.loads(row["sources"])[0]["source"] == "Reuters"
    assert int(row["killed_best"]) == 5000
    zones = pyogrio.read_info(out, layer="zones")
    assert zones["geometry_type"] == "MultiPolygon"
    assert pyogrio.read_info(out, layer="places")["features"] == 5


def test_export_parquet(layers_dir: Path, tmp_path: Path) -> None:
    out = export.export(layers_dir, "parquet", tmp_path / "parquet")
    expected = sorted(f"{name}.parquet" for name in export.LAYER_NAMES)
    assert sorted(p.name for p in out.iterdir()) == expected
    zones = gpd.read_parquet(out / "zones.parquet")
    assert zones.crs == "EPSG:4326"
    assert json.loads(zones.set_index("id").loc["zone-1", "places"]) == ["gn:703448", "gn:710735"]
    events = gpd.read_parquet(out / "events.parquet")
    assert str(events["killed_best"].dtype) == "Int64"


def test_export_csv(layers_dir: Path, tmp_path: Path) -> None:
    out = export.export(layers_dir, "csv", tmp_path / "events.csv")
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == export.CSV_COLUMNS
    by_id = {row["event_id_cnty"]: row for row in rows}
    assert set(by_id) == {
        "cas-chernihiv",
        "cas-kharkiv",
        "cas-kyiv",
        "cas-mariupol",
        "cas-mykolaiv",
    }
    kyiv = by_id["cas-kyiv"]
    assert (kyiv["latitude"], kyiv["longitude"]) == ("50.4501", "30.5234")
    assert kyiv["admin1"] == "Kyiv City" and kyiv["country"] == "UA"
    assert kyiv["year"] == "2022" and kyiv["time_precision"] == "1"
    mykolaiv = by_id["cas-mykolaiv"]
    assert (mykolaiv["deaths_low"], mykolaiv["deaths_best"], mykolaiv["deaths_high"]) == (
        "12",
        "14",
        "15",
    )
    assert mykolaiv["fatalities"] == "14"
    assert by_id["cas-kharkiv"]["fatalities"] == ""  # unknown, not zero
    assert "AP" in by_id["cas-mariupol"]["source"]


def test_export_csv_falls_back_to_events(
    layers: dict[str, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    folder = tmp_path / "layers"
    for name, gdf in layers.items():
        export.write_geojson(
            gdf.iloc[0:0] if name == "casualties" else gdf, folder / f"{name}.geojson"
        )
    out = export.export(folder, "csv", tmp_path / "events.csv")
    frame = pd.read_csv(out)
    assert sorted(frame["event_id_cnty"]) == ["ev-001", "ev-002", "ev-003", "ev-004", "ev-005"]
    assert frame.set_index("event_id_cnty").loc["ev-002", "fatalities"] == 47


def test_export_unknown_format(layers_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export format 'shp'"):
        export.export(layers_dir, "shp", tmp_path / "x.shp")  # type: ignore[arg-type]
