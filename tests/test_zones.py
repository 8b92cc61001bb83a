"""Zones: statements found in text, and the polygons drawn for them."""

from __future__ import annotations

from pyproj import Geod
from shapely import wkb
from shapely.geometry import Point

from geo.gazetteer import get_gazetteer
from geo.resolve import geoparse
from geo.sentences import split_sentences
from geo.types import Article
from geo.zones import Statement, build_zones, find_statements

KYIV = Point(30.5238, 50.4547)
CHERNIHIV = Point(31.2849, 51.5055)
MARIUPOL = Point(37.5493, 47.0971)
BROVARY = Point(30.7903, 50.5114)


def _statements(text: str, date: str = "2022-03-29") -> list[Statement]:
    article = Article(id="z", text=text, date=date)
    return find_statements(article, geoparse(article), split_sentences(text))


def _zones(text: str) -> dict[tuple[str, str], object]:
    return {(z.zone, z.place_names[0]): z for z in build_zones(_statements(text))}


def test_a_pledge_for_directions_covers_the_oblasts() -> None:
    zones = _zones(
        "Russia's deputy defence minister said Moscow would reduce military activity in the "
        "Kyiv and Chernihiv directions."
    )
    kyiv = zones[("pledged_deescalation", "Kyiv")]
    chernihiv = zones[("pledged_deescalation", "Chernihiv")]
    kyiv_area = wkb.loads(kyiv.geometry_wkb)  # type: ignore[attr-defined]
    assert kyiv_area.contains(KYIV) and kyiv_area.contains(BROVARY)
    assert kyiv.method == "direction:adm1:UA-30+adm1:UA-32"  # type: ignore[attr-defined]
    assert kyiv.plover == "CONCEDE" and kyiv.actor == "Russia"  # type: ignore[attr-defined]
    assert wkb.loads(chernihiv.geometry_wkb).contains(CHERNIHIV)  # type: ignore[attr-defined]
    assert not kyiv_area.contains(MARIUPOL)


def test_fighting_around_a_city_is_a_metric_buffer() -> None:
    zones = _zones("Heavy fighting continued around Mariupol in the southeast.")
    zone = zones[("active_fighting", "Mariupol")]
    assert zone.method == "buffer:25km:gn:701822"  # type: ignore[attr-defined]
    centre = get_gazetteer().get("gn:701822")
    ring = wkb.loads(zone.geometry_wkb).exterior  # type: ignore[attr-defined]
    geod = Geod(ellps="WGS84")
    distances = [geod.inv(centre.lon, centre.lat, x, y)[2] / 1000 for x, y in ring.coords]
    assert min(distances) > 24.5 and max(distances) < 25.5  # metres on the ground, not degrees


def test_places_outside_the_pledge_clause_are_left_out() -> None:
    statements = _statements(
        "Russia promised to scale down operations around Kyiv, while fighting went on in Kharkiv."
    )
    pledges = [s for s in statements if s.zone == "pledged_deescalation"]
    assert [m.text for s in pledges for m in s.places] == ["Kyiv"]
    fighting = [s for s in statements if s.zone == "active_fighting"]
    assert fighting and "Kharkiv" in {m.text for s in fighting for m in s.places}


def test_a_siege_names_only_the_besieged_city() -> None:
    statements = _statements("Russian troops have encircled Chernihiv, 140 km north of Kyiv.")
    besieged = {m.text for s in statements if s.zone == "besieged" for m in s.places}
    assert besieged == {"Chernihiv"}


def test_recaptured_ground_is_a_smaller_buffer() -> None:
    zones = _zones("Ukrainian forces recaptured Trostianets on Saturday.")
    zone = zones[("recaptured", "Trostianets")]
    assert zone.method.startswith("buffer:10km:")  # type: ignore[attr-defined]


def test_negated_fighting_is_not_a_zone() -> None:
    assert not [
        s for s in _statements("There was no fighting in Lviv.") if s.zone == "active_fighting"
    ]


def test_statements_about_the_same_place_merge_with_every_source() -> None:
    a = Article(id="a", text="Shelling hit Kharkiv again.", date="2022-03-30")
    b = Article(id="b", text="Fierce battles raged in Kharkiv.", date="2022-03-31")
    statements = [
        s for art in (a, b) for s in find_statements(art, geoparse(art), split_sentences(art.text))
    ]
    [zone] = build_zones(statements)
    assert zone.sources == ("a", "b")
    assert zone.date == "2022-03-30"
    assert zone.id == build_zones(reversed(statements))[0].id
