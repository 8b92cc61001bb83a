"""Recognition (geo.toponyms) and resolution (geo.resolve) on sentences and on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.gazetteer import haversine_km
from geo.ingest import read_articles
from geo.resolve import geoparse
from geo.toponyms import find_toponyms
from geo.types import Mention


def _by_text(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.text: m for m in mentions}


def _resolved(text: str) -> dict[str, str | None]:
    return {m.text: (m.place.id if m.place else None) for m in geoparse(text)}


def test_offsets_point_at_the_surface_text() -> None:
    text = "Shelling hit Kharkiv and the Kyiv region on Tuesday, officials in Sumy said."
    for m in geoparse(text):
        assert text[m.start : m.end] == m.text


def test_admin_phrases_resolve_to_oblasts_and_regions() -> None:
    found = _by_text(
        geoparse(
            "Fighting continued in the Kharkiv region and in Donetsk oblast, while eastern "
            "Donbas saw shelling and the Kyiv Oblast governor reported calm."
        )
    )
    assert found["Kharkiv region"].place is not None
    assert found["Kharkiv region"].place.id == "adm1:UA-63"
    assert found["Kharkiv region"].precision == 4
    assert found["Donetsk oblast"].place is not None
    assert found["Donetsk oblast"].place.kind == "admin1"
    assert found["Donbas"].place is not None
    assert found["Donbas"].place.id == "region:donbas"
    assert found["Donbas"].precision == 5


def test_directions_spread_over_a_coordination() -> None:
    found = _by_text(
        geoparse("Moscow pledged to cut back activity in the Kyiv and Chernihiv directions.")
    )
    assert found["Kyiv"].qualifier == "direction"
    assert found["Chernihiv"].qualifier == "direction"
    assert found["Chernihiv"].precision == 4


def test_spatial_qualifiers_give_precision_two() -> None:
    found = _by_text(geoparse("Troops regrouped on the outskirts of Kyiv and near Brovary."))
    assert found["Kyiv"].qualifier == "outskirts" and found["Kyiv"].precision == 2
    assert found["Brovary"].qualifier == "near" and found["Brovary"].precision == 2


def test_people_are_not_places() -> None:
    text = (
        "Governor Vitaliy Kim said the strike destroyed half the building. Irina, an "
        "engineer, fled with her son. Retired general Mark Hertling was sceptical, and "
        "Denis Pushilin made a statement. Later Kim said rescuers were still digging."
    )
    names = {m.text for m in geoparse(text)}
    assert not names & {"Kim", "Irina", "Hertling", "Pushilin", "Mark", "Vitaliy"}


def test_calendar_and_common_words_are_not_places() -> None:
    text = "March was hard. Most said the Union would help. Seven people left. The war went on."
    assert [m.text for m in geoparse(text) if m.role != "demonym"] == []


def test_possessives_and_curly_apostrophes() -> None:
    found = _by_text(geoparse("Ukraine's capital was quiet, but Kyiv’s suburbs were shelled."))
    assert found["Ukraine"].place is not None and found["Ukraine"].place.id == "adm0:UA"
    assert found["Kyiv"].place is not None and found["Kyiv"].place.id == "gn:703448"


def test_all_caps_dateline_is_read() -> None:
    text = "KHARKIV, Ukraine (AP) — Shelling resumed at dawn. NATO and the EU met in Brussels."
    found = _by_text(geoparse(text))
    assert found["KHARKIV"].place is not None and found["KHARKIV"].place.id == "gn:706483"
    assert "NATO" not in found


def test_demonyms_are_linked_to_their_country_and_never_locations() -> None:
    found = _by_text(geoparse("Danish lawmakers met Ukrainian officials and a Russian envoy."))
    assert found["Danish"].role == "demonym"
    assert found["Danish"].place is not None and found["Danish"].place.id == "adm0:DK"
    assert found["Russian"].place is not None and found["Russian"].place.country == "RU"


def test_country_beats_town_named_after_it() -> None:
    resolved = _resolved("Morocco and Denmark sent aid to Ukraine.")
    assert resolved == {"Morocco": "adm0:MA", "Denmark": "adm0:DK", "Ukraine": "adm0:UA"}


def test_namesakes_follow_their_neighbours() -> None:
    south = _by_text(geoparse("Missiles struck Kherson, Odesa and Mykolaiv overnight."))
    assert south["Mykolaiv"].place is not None
    assert haversine_km(south["Mykolaiv"].place.lat, south["Mykolaiv"].place.lon, 46.97, 31.99) < 10
    assert south["Mykolaiv"].runner_up is not None  # the close call is visible


def test_x_comma_y_picks_the_namesake_in_y() -> None:
    found = _by_text(geoparse("Floods hit Paris, Texas on Monday."))
    assert found["Paris"].place is not None and found["Paris"].place.country == "US"


def test_metonyms_and_origins() -> None:
    found = _by_text(geoparse("Moscow denied the report. Thousands fled from Mariupol."))
    assert found["Moscow"].role == "metonym"
    assert found["Mariupol"].role == "origin"


def test_unresolvable_names_never_empty_the_rest() -> None:
    toponyms = find_toponyms("Kyiv and Lviv")
    assert [t.text for t in toponyms] == ["Kyiv", "Lviv"]
    assert all(m.place is not None for m in geoparse("Kyiv and Lviv"))


@pytest.mark.parametrize(
    "text", ["", " ", "\x00\x01", "ÿ" * 10_000, "Kyiv" * 3000, "Київ і Харків"]
)
def test_odd_input_never_raises(text: str) -> None:
    for m in geoparse(text):
        assert 0 <= m.start < m.end <= len(text)


@pytest.mark.shared
def test_seed_places_resolve(seeds_dir: Path) -> None:
    articles, problems = read_articles([seeds_dir])
    assert len(articles) == 5 and not [p for p in problems if p.severity == "error"]
    resolved: dict[str, set[str]] = {}
    names: set[str] = set()
    demonyms: dict[str, set[str]] = {}
    for article in articles:
        for m in geoparse(article):
            names.add(m.text)
            if m.place is not None and m.role == "demonym":
                demonyms.setdefault(m.text, set()).add(m.place.id)
            elif m.place is not None:
                resolved.setdefault(m.text.casefold(), set()).add(m.place.id)
    expected = {
        "kyiv": "gn:703448", "chernihiv": "gn:710735", "mariupol": "gn:701822",
        "mykolaiv": "gn:700569", "kharkiv": "gn:706483", "sumy": "gn:692194",
        "kherson": "gn:706448", "istanbul": "gn:745044", "moscow": "gn:524901",
        "crimea": "adm1:UA-43", "donetsk region": "adm1:UA-14", "morocco": "adm0:MA",
    }  # fmt: skip
    for name, place_id in expected.items():
        assert resolved.get(name) == {place_id}, name
    assert demonyms["Danish"] == {"adm0:DK"}
    assert "danish" not in resolved
    assert resolved["rusaniv"] == {"ua:UA32060070200013870"}
    assert any(k.startswith("donbas") and ids == {"region:donbas"} for k, ids in resolved.items())
    assert not names & {"Kim", "Irina", "Fomin", "Medinsky", "Hertling", "Pushilin"}


@pytest.mark.shared
def test_seed_rusaniv_is_approximate(seeds_dir: Path) -> None:
    articles, _ = read_articles([seeds_dir])
    rusaniv = [m for a in articles for m in geoparse(a) if m.text == "Rusaniv"]
    assert rusaniv
    for m in rusaniv:
        assert m.place is not None
        assert m.place.precision == "hromada" and m.precision in {2, 3}
        assert m.place.admin1 == "Kyiv Oblast"


def test_given_names_are_the_detectors_names() -> None:
    """Read from gender-guesser's data file directly, the names are exactly the detector's."""
    import gender_guesser.detector as gg

    from geo.toponyms import given_names

    assert list(given_names()) == list(gg.Detector(case_sensitive=False).names)


def test_english_frequencies_are_wordfreqs() -> None:
    """Read from wordfreq's data file directly, the list is exactly wordfreq's, in order."""
    import wordfreq

    from geo.toponyms import english_frequencies

    ours = english_frequencies()
    theirs = wordfreq.get_frequency_dict("en")
    assert list(ours.items()) == list(theirs.items())
    assert ours["the"] > ours["kyiv"] > 0


def test_recognition_does_not_import_wordfreq() -> None:
    """A process that recognises names skips importing wordfreq (about 0.3 s)."""
    import subprocess
    import sys

    code = (
        "import sys; from geo.toponyms import find_toponyms; "
        "assert find_toponyms('Shelling hit Kyiv and Mykolaiv.'); "
        "print('wordfreq' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
