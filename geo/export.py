"""Layers -> files: GeoJSON (RFC 7946), GeoPackage, GeoParquet and an ACLED-like CSV.

The four layers (``places``, ``events``, ``casualties``, ``zones``; see :mod:`geo.layers`)
are GeoDataFrames in EPSG:4326. :func:`write_geojson` is the canonical on-disk form: our
own serialiser, so the same layer always gives the same bytes (features sorted by id,
coordinates rounded to 6 decimals, polygons wound right-hand, no ``crs`` member).

Tabular formats cannot hold lists or objects, so list and dict columns (``articles``,
``roles``, ``sources``, ``places``, ...) are written as JSON text in the GeoPackage, the
GeoParquet files and the CSV.

GeoParquet layout: one file per layer, ``<out>/<layer>.parquet``. The layers have different
columns and geometry types, so one file with a ``layer`` column would be mostly nulls and
mix points with polygons, which several readers (QGIS among them) handle badly.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj.exceptions import CRSError

from geo._atomic import atomic_open, atomic_path, write_text
from geo._errors import InputError
from geo.layers import LAYER_NAMES

logger = logging.getLogger(__name__)


ExportFormat = Literal["geojson", "gpkg", "parquet", "csv"]

INTEGER_COLUMNS: frozenset[str] = frozenset(
    {
        "precision",
        "mentions",
        "n_sources",
        "killed_low",
        "killed_best",
        "killed_high",
        "injured_low",
        "injured_best",
        "injured_high",
        "missing_best",
        "displaced_best",
    }
)
"""Columns that hold whole numbers (nullable): written as integers, never as floats."""

CSV_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "deaths_low",
    "deaths_best",
    "deaths_high",
    "injured_low",
    "injured_best",
    "injured_high",
)
"""ACLED's columns followed by UCDP's low/best/high death and injury counts."""

_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
_COORD_DECIMALS = 6


def schemas_dir() -> Path:
    """Return the folder that holds ``<layer>.schema.json`` (``schemas/`` at the repo root)."""
    import geo

    return Path(geo.__file__).resolve().parent.parent / "schemas"


# --------------------------------------------------------------------------- GeoJSON


def _to_wgs84(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        msg = (
            f"{what} has no CRS, so its coordinates cannot be written as WGS84 lon/lat; "
            "set it first, e.g. gdf.set_crs('EPSG:4326')"
        )
        raise InputError(msg)
    if gdf.crs.equals("EPSG:4326"):
        return gdf
    try:
        return gdf.to_crs("EPSG:4326")
    except (CRSError, ValueError) as error:
        msg = f"{what} has CRS {gdf.crs.to_string()!r}, which cannot be converted to EPSG:4326"
        raise InputError(msg) from error


def _jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON data: numpy scalars and arrays unwrapped, NaN -> None."""
    kind = type(value)
    # Fast paths for the plain Python values layers are mostly made of; same results as below.
    if value is None or kind is str or kind is bool or kind is int:
        return value
    if kind is float:
        return None if math.isnan(value) or math.isinf(value) else value
    if kind is list or kind is tuple:
        return [_jsonable(item) for item in value]
    if kind is dict:
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (str, bool)):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    msg = f"cannot write a value of type {type(value).__name__} ({value!r}) as JSON"
    raise InputError(msg)


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
"""The one JSON encoding of every written feature (one instance: no set-up per call)."""


def _geometry(geom: shapely.Geometry | None) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    rounded = shapely.transform(geom, lambda coords: np.round(coords, _COORD_DECIMALS))
    oriented = shapely.orient_polygons(rounded, exterior_cw=False)
    mapped: dict[str, Any] = _jsonable(shapely.geometry.mapping(oriented))
    return mapped


def _geometry_texts(geoms: Any) -> list[str]:
    """The JSON text of :func:`_geometry` for every geometry of a layer, computed in bulk.

    Rounding and winding run once over the whole array, points are written from their
    coordinate arrays, and each distinct polygon (zones repeat the same admin areas and
    buffers) is mapped and encoded once. The text is exactly ``_ENCODER.encode(_geometry(g))``.
    """
    array = np.asarray(geoms, dtype=object)
    if not len(array):
        return []
    rounded = shapely.transform(array, lambda coords: np.round(coords, _COORD_DECIMALS))
    oriented = shapely.orient_polygons(rounded, exterior_cw=False)
    blank = shapely.is_missing(oriented) | shapely.is_empty(oriented)
    coords = shapely.get_coordinates(oriented, include_z=True)
    if not np.isfinite(coords[:, :2]).all() or shapely.has_z(oriented).any():
        # NaN or 3D coordinates: the general path (rare; same output, slower).
        return [_ENCODER.encode(_geometry(geom)) for geom in array]
    texts: list[str] = ["null"] * len(array)
    is_point = (shapely.get_type_id(oriented) == shapely.GeometryType.POINT) & ~blank
    if is_point.any():
        xs = shapely.get_x(oriented[is_point]).tolist()
        ys = shapely.get_y(oriented[is_point]).tolist()
        for row, x, y in zip(np.flatnonzero(is_point).tolist(), xs, ys, strict=True):
            texts[row] = '{"type":"Point","coordinates":[' + repr(x) + "," + repr(y) + "]}"
    others = np.flatnonzero(~is_point & ~blank)
    if len(others):
        seen: dict[bytes, str] = {}
        for row, key, geom in zip(
            others.tolist(), shapely.to_wkb(oriented[others]), oriented[others], strict=True
        ):
            text = seen.get(key)
            if text is None:
                text = seen[key] = _ENCODER.encode(shapely.geometry.mapping(geom))
            texts[row] = text
    return texts


def _feature_id(value: Any, row: int, what: str) -> str:
    value = _jsonable(value)
    if value is None or value == "":
        msg = f"{what} row {row} has no id; every feature needs a non-empty 'id'"
        raise InputError(msg)
    return str(value)


def features(
    gdf: gpd.GeoDataFrame, *, extra: Mapping[str, Any] | None = None, what: str = "layer"
) -> list[dict[str, Any]]:
    """Return a layer's rows as GeoJSON feature dicts, in WGS84, sorted by id.

    Parameters
    ----------
    gdf
        A layer with an ``id`` column and a CRS.
    extra
        Properties added to every feature after the layer's own (e.g. ``{"layer": "zones"}``).
    what
        How to name the layer in error messages.

    Returns
    -------
    list of dict
        ``{"type": "Feature", "id": ..., "properties": {...}, "geometry": {...}}``.
    """
    gdf, ids, rows = _properties(gdf, extra=extra, what=what)
    out = [
        {"type": "Feature", "id": fid, "properties": properties, "geometry": _geometry(geom)}
        for fid, properties, geom in zip(ids, rows, gdf.geometry.array, strict=True)
    ]
    out.sort(key=lambda feature: str(feature["id"]))
    return out


def _properties(
    gdf: gpd.GeoDataFrame, *, extra: Mapping[str, Any] | None, what: str
) -> tuple[gpd.GeoDataFrame, list[str], list[dict[str, Any]]]:
    """The layer in WGS84, its feature ids and its rows' properties as plain JSON data.

    Converted column by column (one pass per column, not a pandas record per row); the
    values are those of ``_jsonable`` applied to ``DataFrame.to_dict(orient="records")``.
    """
    gdf = _to_wgs84(gdf, what)
    if "id" not in gdf.columns:
        msg = f"{what} has no 'id' column; columns are {list(gdf.columns)!r}"
        raise InputError(msg)
    names = [str(column) for column in gdf.columns if column != gdf.geometry.name]
    columns: list[list[Any]] = []
    for name in names:
        values = [_jsonable(value) for value in gdf[name].tolist()]
        if name in INTEGER_COLUMNS:
            # pandas turns an integer column with a missing value into floats: 5 -> 5.0.
            values = [
                int(value) if isinstance(value, float) and value.is_integer() else value
                for value in values
            ]
        columns.append(values)
    tail = {key: _jsonable(value) for key, value in extra.items()} if extra else {}
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    if tail:
        for properties in rows:
            properties.update(tail)
    ids = [_feature_id(fid, row, what) for row, fid in enumerate(gdf["id"].tolist())]
    return gdf, ids, rows


def _feature_lines(
    gdf: gpd.GeoDataFrame, *, extra: Mapping[str, Any] | None = None, what: str = "layer"
) -> list[str]:
    """:func:`features`, each encoded as its line of the FeatureCollection, sorted by id."""
    gdf, ids, rows = _properties(gdf, extra=extra, what=what)
    encode = _ENCODER.encode
    keyed = [
        (fid, '{"type":"Feature","id":' + encode(fid) + ',"properties":' + encode(properties)
         + ',"geometry":' + geometry + "}")
        for fid, properties, geometry in zip(
            ids, rows, _geometry_texts(gdf.geometry.array), strict=True
        )
    ]  # fmt: skip
    keyed.sort(key=lambda item: item[0])
    return [line for _, line in keyed]


def _collection(lines: list[str]) -> str:
    # One feature per line: stable, diff-friendly, and still one JSON document.
    if not lines:
        return '{"type":"FeatureCollection","features":[]}\n'
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def to_geojson(gdf: gpd.GeoDataFrame) -> str:
    """Serialise a layer as an RFC 7946 FeatureCollection, deterministically.

    Parameters
    ----------
    gdf
        A layer with an ``id`` column and a CRS (reprojected to EPSG:4326 if needed).

    Returns
    -------
    str
        The GeoJSON text: no ``crs`` member, ``[lon, lat]`` positions rounded to 6 decimals,
        exterior rings counter-clockwise and holes clockwise, features sorted by id, one
        feature per line, non-ASCII text kept as is, ending with a newline.

    Raises
    ------
    InputError
        If the frame has no CRS, a CRS that cannot be converted, no ``id`` column, an empty
        id, or a value that is not JSON data.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> gdf = gpd.GeoDataFrame({"id": ["gn:703448"]}, geometry=[Point(30.5234, 50.4501)],
    ...                        crs="EPSG:4326")
    >>> print(to_geojson(gdf), end="")
    {"type":"FeatureCollection","features":[
    {"type":"Feature","id":"gn:703448","properties":{"id":"gn:703448"},"geometry":{"type":"Point","coordinates":[30.5234,50.4501]}}
    ]}
    """
    return _collection(_feature_lines(gdf))


def write_geojson(gdf: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write :func:`to_geojson` output to ``path`` atomically and return the path."""
    target = Path(path)
    write_text(target, to_geojson(gdf))
    return target


def read_geojson(path: str | Path) -> gpd.GeoDataFrame:
    """Read a FeatureCollection written by :func:`write_geojson` back into a layer.

    Lists and objects in properties stay Python lists and dicts; integer columns become
    pandas' nullable ``Int64``. The result has CRS EPSG:4326.
    """
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        msg = f"cannot read GeoJSON {str(source)!r}: {error}"
        raise InputError(msg) from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        msg = f"{str(source)!r} is not a GeoJSON FeatureCollection"
        raise InputError(msg)
    rows = []
    geometries = []
    for feature in data.get("features", []):
        properties = dict(feature.get("properties") or {})
        properties.setdefault("id", feature.get("id"))
        rows.append(properties)
        geometry = feature.get("geometry")
        geometries.append(shapely.geometry.shape(geometry) if geometry else None)
    empty = {"id": pd.Series([], dtype="object")}
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(empty)
    for column in frame.columns:
        if column in INTEGER_COLUMNS:
            frame[column] = frame[column].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))


def read_layers(layers_dir: str | Path) -> dict[str, gpd.GeoDataFrame]:
    """Read ``places``, ``events``, ``casualties`` and ``zones`` from ``<name>.geojson`` files.

    Parameters
    ----------
    layers_dir
        The folder :func:`write_geojson` wrote the four layers into.

    Returns
    -------
    dict of str to GeoDataFrame
        The four layers, keyed by name, in :data:`LAYER_NAMES` order.

    Raises
    ------
    InputError
        Listing every missing file at once, or naming a file that cannot be read.
    """
    folder = Path(layers_dir)
    missing = [name for name in LAYER_NAMES if not (folder / f"{name}.geojson").is_file()]
    if missing:
        names = ", ".join(f"{name}.geojson" for name in missing)
        msg = f"layer folder {str(folder)!r} lacks {names}; expected all of {list(LAYER_NAMES)!r}"
        raise InputError(msg)
    return {name: read_geojson(folder / f"{name}.geojson") for name in LAYER_NAMES}


# --------------------------------------------------------------------------- validation


def validate_layer(name: str, geojson: Mapping[str, Any]) -> list[str]:
    """Check a layer's GeoJSON against ``schemas/<name>.schema.json``.

    Parameters
    ----------
    name
        One of :data:`LAYER_NAMES`.
    geojson
        A parsed FeatureCollection (``json.loads`` of :func:`to_geojson`).

    Returns
    -------
    list of str
        Every problem found, each prefixed with its JSON path; empty when valid. Beyond the
        schema, a feature's top-level ``id`` must equal its ``id`` property.

    Raises
    ------
    InputError
        If ``name`` is not a known layer.
    """
    from jsonschema import Draft202012Validator

    path = schemas_dir() / f"{name}.schema.json"
    if name not in LAYER_NAMES or not path.is_file():
        msg = f"unknown layer {name!r}; expected one of {list(LAYER_NAMES)!r}"
        raise InputError(msg)
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    errors = [
        f"{error.json_path}: {error.message}"
        for error in sorted(validator.iter_errors(geojson), key=lambda e: list(map(str, e.path)))
    ]
    for index, feature in enumerate(geojson.get("features") or []):
        if not isinstance(feature, Mapping):
            continue
        properties = feature.get("properties")
        if isinstance(properties, Mapping) and properties.get("id") != feature.get("id"):
            errors.append(
                f"$.features[{index}].id: {feature.get('id')!r} differs from "
                f"properties.id {properties.get('id')!r}"
            )
    return errors


# --------------------------------------------------------------------------- tabular


def _tabular(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    """Return a copy fit for a table: WGS84, sorted by id, lists/dicts as JSON text."""
    gdf = _to_wgs84(gdf, what)
    out = gdf.copy()
    if "id" in out.columns and len(out):
        out = out.sort_values("id", kind="stable").reset_index(drop=True)
    for column in out.columns:
        if column == out.geometry.name:
            continue
        series = out[column]
        if column in INTEGER_COLUMNS:
            out[column] = pd.array([_jsonable(value) for value in series], dtype="Int64")
        elif series.dtype == object:
            nested = series.map(lambda value: isinstance(value, (list, tuple, dict, np.ndarray)))
            if nested.any():
                out[column] = [
                    None
                    if value is None
                    else json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=False)
                    for value in series
                ]
            else:
                out[column] = [_jsonable(value) for value in series]
    return out


def _geometry_type(name: str) -> str:
    return "MultiPolygon" if name == "zones" else "Point"


def _write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], out: Path) -> Path:
    with atomic_path(out) as tmp:
        # GDAL warns unless a GeoPackage's name ends in .gpkg: write beside the temporary
        # file under that extension, then move it into place for atomic_path to publish.
        staging = tmp.with_name(tmp.name + ".gpkg")
        try:
            for name, gdf in layers.items():
                _tabular(gdf, f"layer {name!r}").to_file(
                    staging,
                    layer=name,
                    driver="GPKG",
                    engine="pyogrio",
                    geometry_type=_geometry_type(name),
                    promote_to_multi=name == "zones",
                )
            staging.replace(tmp)
        finally:
            staging.unlink(missing_ok=True)
    return out


def _write_parquet(layers: Mapping[str, gpd.GeoDataFrame], out: Path) -> Path:
    if out.exists() and not out.is_dir():
        msg = f"GeoParquet export writes one file per layer into a folder; {str(out)!r} is a file"
        raise InputError(msg)
    out.mkdir(parents=True, exist_ok=True)
    for name, gdf in layers.items():
        table = _tabular(gdf, f"layer {name!r}")
        with atomic_path(out / f"{name}.parquet") as tmp:
            table.to_parquet(tmp, index=False, schema_version="1.0.0", write_covering_bbox=False)
    return out


def _csv_rows(layers: Mapping[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    casualties = layers.get("casualties")
    use_casualties = casualties is not None and len(casualties) > 0
    chosen = casualties if use_casualties else layers.get("events")
    if chosen is None or len(chosen) == 0:
        return pd.DataFrame(columns=list(CSV_COLUMNS))
    name = "casualties" if use_casualties else "events"
    table = _tabular(chosen, f"layer {name!r}")
    places = layers.get("places")
    lookup: dict[str, tuple[Any, Any]] = {}
    if places is not None and len(places):
        for pid, country, admin1 in zip(
            places["id"],
            places.get("country", [None] * len(places)),
            places.get("admin1", [None] * len(places)),
            strict=True,
        ):
            lookup[str(pid)] = (_jsonable(country), _jsonable(admin1))

    def column(key: str) -> list[Any]:
        if key not in table.columns:
            return [None] * len(table)
        return [_jsonable(value) for value in table[key]]

    place_ids = column("place_id")
    dates = column("date")
    precisions = column("precision")
    if use_casualties:
        source_lists = [json.loads(text) if text else [] for text in column("sources")]
        sources = [
            "; ".join(dict.fromkeys(str(s.get("source") or s.get("article")) for s in items))
            for items in source_lists
        ]
        notes = [
            " | ".join(
                f"{s.get('attribution') or 'unattributed'}: {s.get('figure')}" for s in items
            )
            for items in source_lists
        ]
    else:
        sources = column("source")
        notes = column("quote")
    points = table.geometry
    rows = pd.DataFrame(
        {
            "event_id_cnty": column("id"),
            "event_date": dates,
            "year": [int(date[:4]) if date else None for date in dates],
            "time_precision": [_TIME_PRECISION.get(p) for p in column("date_precision")],
            "event_type": column("event_type"),
            "sub_event_type": column("sub_event_type"),
            "actor1": column("actor"),
            "country": [lookup.get(str(pid), (None, None))[0] for pid in place_ids],
            "admin1": [lookup.get(str(pid), (None, None))[1] for pid in place_ids],
            "location": column("place"),
            "latitude": [None if p is None or p.is_empty else round(p.y, 6) for p in points],
            "longitude": [None if p is None or p.is_empty else round(p.x, 6) for p in points],
            "geo_precision": [
                None if p is None else (1 if p == 1 else 2 if p <= 3 else 3) for p in precisions
            ],
            "source": sources,
            "notes": notes,
            "fatalities": column("killed_best"),
            "deaths_low": column("killed_low"),
            "deaths_best": column("killed_best"),
            "deaths_high": column("killed_high"),
            "injured_low": column("injured_low"),
            "injured_best": column("injured_best"),
            "injured_high": column("injured_high"),
        },
        columns=list(CSV_COLUMNS),
    )
    for key in ("year", "time_precision", "geo_precision", "fatalities", *CSV_COLUMNS[-6:]):
        rows[key] = pd.array(list(rows[key]), dtype="Int64")
    return rows


def _write_csv(layers: Mapping[str, gpd.GeoDataFrame], out: Path) -> Path:
    rows = _csv_rows(layers)
    with atomic_open(out, "w") as handle:
        rows.to_csv(handle, index=False, lineterminator="\n")
    return out


def export(
    layers_dir: str | Path,
    fmt: ExportFormat,
    out: str | Path,
) -> Path:
    """Convert the four GeoJSON layers in ``layers_dir`` to another format.

    Parameters
    ----------
    layers_dir
        Folder with ``places.geojson``, ``events.geojson``, ``casualties.geojson`` and
        ``zones.geojson``.
    fmt
        ``"geojson"``: one FeatureCollection with every feature tagged by a ``layer``
        property. ``"gpkg"``: a GeoPackage with one table per layer. ``"parquet"``: a
        folder ``out`` with one GeoParquet file per layer. ``"csv"``: ACLED-like rows with
        UCDP low/best/high counts, from the casualties layer (the events layer when no
        casualties were reconciled).
    out
        The file (or, for ``"parquet"``, the folder) to write. Every file is replaced
        atomically.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    InputError
        If a layer file is missing or unreadable, or ``fmt`` is unknown.
    """
    target = Path(out)
    writers = {"gpkg": _write_gpkg, "parquet": _write_parquet, "csv": _write_csv}
    if fmt != "geojson" and fmt not in writers:
        msg = f"unknown export format {fmt!r}; expected 'geojson', 'gpkg', 'parquet' or 'csv'"
        raise InputError(msg)
    layers = read_layers(layers_dir)
    if fmt == "geojson":
        merged = [
            line
            for name, gdf in layers.items()
            for line in _feature_lines(gdf, extra={"layer": name}, what=f"layer {name!r}")
        ]
        write_text(target, _collection(merged))
    else:
        writers[fmt](layers, target)
    counts = ", ".join(f"{len(gdf)} {name}" for name, gdf in layers.items())
    logger.info("exported %s to %s (%s)", counts, target, fmt)
    return target
