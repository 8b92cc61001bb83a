"""Security: hostile article text never runs in a reader's browser, no network, no path escape.

* XSS: an article whose text, title, source and file name carry ``<script>``, an
  ``onerror`` image and ``javascript:`` links goes through ``geo build``; the map is opened in
  headless Chromium, every popup and tooltip is opened, and no injected script may run.
* Network: ``geo build`` runs with networking blocked (a network namespace via ``unshare``
  when allowed, and always a ``sitecustomize`` that makes every socket connection fail and
  records the attempt) and must succeed without one attempt.
* The opt-in online geocoder (geo.online) is off unless enabled, throttled to one request
  per second, and tested against a mocked Nominatim.
* Article ids such as ``../../etc/x`` are sanitised; nothing is written outside ``--out``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from browser import open_page, requires_browser
from test_cli_bad_input import child_env, geo_build

import geo.gazetteer
import geo.online
from geo import settings
from geo.cli import EXIT_OK
from geo.ingest import safe_id

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
LINK = '<a href="javascript:window.__pwned=3">read more</a>'
FILE_NAME_IMG = "<img src=x onerror=window.__pwned=4>"  # no "/" so it can be a file name
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _hostile_inputs(folder: Path) -> None:
    folder.mkdir(parents=True)
    records = [
        {
            "id": f"xss {SCRIPT}",
            "date": "2022-03-29",
            "title": f"Mykolaiv {SCRIPT} {IMG}",
            "source": f"Evil News {LINK} {SCRIPT}",
            "text": (
                f"MYKOLAIV - A missile hit the administration building in Mykolaiv {SCRIPT} on "
                f"Tuesday, killing at least 12 people {IMG} and injuring 33, the governor said "
                f"{LINK}. Russia will reduce its military activity near Kyiv {IMG}, its "
                "negotiators said in Istanbul."
            ),
        },
        {
            "id": "xss-2",
            "date": "2022-03-30",
            "source": IMG,
            "text": f"CHERNIHIV - Shelling killed 5 people in Chernihiv {LINK}, officials said.",
        },
    ]
    (folder / "hostile.jsonl").write_text(
        "".join(json.dumps(record) + "\n" for record in records), encoding="utf-8"
    )
    (folder / f"{FILE_NAME_IMG}.txt").write_text(
        f"date 2022-03-31\nKHARKIV - Shelling killed 4 people in Kharkiv {SCRIPT}.\n",
        encoding="utf-8",
    )


OPEN_EVERYTHING = """() => {
  const map = Object.keys(window).filter(k => k.startsWith('map_'))
    .map(k => window[k]).find(v => v instanceof L.Map);
  const layers = [];
  map.eachLayer(layer => layers.push(layer));
  let popups = 0, tooltips = 0, text = '', markup = '';
  for (const layer of layers) {
    const latlng = layer.getLatLng ? layer.getLatLng()
      : (layer.getBounds ? layer.getBounds().getCenter() : map.getCenter());
    // What a reader does: hover, then click (large layers bind popups on first use).
    layer.fire('mouseover', {latlng: latlng});
    layer.fire('click', {latlng: latlng});
    if (layer.getTooltip && layer.getTooltip()) {
      layer.openTooltip(latlng); tooltips += 1;
      const el = layer.getTooltip().getElement();
      if (el) { text += el.textContent + '\\n'; markup += el.innerHTML + '\\n'; }
    }
    if (layer.getPopup && layer.getPopup()) {
      layer.openPopup(latlng); popups += 1;
      const el = layer.getPopup().getElement();
      if (el) { text += el.textContent + '\\n'; markup += el.innerHTML + '\\n'; }
    }
  }
  return {popups, tooltips, text, markup};
}"""


def _click_every_path(page: Any) -> int:
    """Real mouse clicks and hovers on the drawn circles and polygons."""
    raw = page.raw
    handles = raw.query_selector_all("path.leaflet-interactive")
    clicked = 0
    for handle in handles[:60]:
        box = handle.bounding_box()
        if not box or box["width"] < 1 or box["height"] < 1:
            continue
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if not (0 <= x <= 1280 and 0 <= y <= 860):
            continue
        raw.mouse.move(x, y)
        raw.mouse.click(x, y)
        raw.wait_for_timeout(30)
        clicked += 1
    return clicked


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    _hostile_inputs(root / "in")
    run = geo_build(root / "in", out=root / "out")
    assert run.returncode == EXIT_OK, run.stderr
    return root / "out"


def test_hostile_text_reaches_layers_as_data(hostile_build: Path) -> None:
    events = json.loads((hostile_build / "layers" / "events.geojson").read_text("utf-8"))
    quotes = " ".join(f["properties"]["quote"] for f in events["features"])
    sources = {f["properties"]["source"] for f in events["features"]}
    assert SCRIPT in quotes and IMG in quotes  # kept verbatim in the data ...
    assert f"Evil News {LINK} {SCRIPT}" in sources
    assert f"{FILE_NAME_IMG}.txt" in sources
    html = (hostile_build / "maps" / "index.html").read_text("utf-8")
    for payload in (SCRIPT, IMG, LINK, FILE_NAME_IMG, "<script>window.__pwned"):
        assert payload not in html  # ... and never verbatim in the page
    assert 'href="javascript:' not in html


@pytest.mark.browser
@requires_browser
def test_no_injected_script_runs_in_the_browser(hostile_build: Path, tmp_path: Path) -> None:
    with open_page(hostile_build / "maps" / "index.html", screenshot=tmp_path / "xss.png") as page:
        assert page.evaluate("typeof L") == "object"
        clicked = _click_every_path(page)
        opened = page.evaluate(OPEN_EVERYTHING)
        page.raw.wait_for_timeout(300)  # let any onerror handler fire
        pwned = page.evaluate("typeof window.__pwned")
        injected = page.evaluate(
            """() => ({
              scripts: document.querySelectorAll(
                '.leaflet-pane script, .leaflet-popup script, .leaflet-tooltip script').length,
              imgs: document.querySelectorAll(
                '.leaflet-popup-content img, .leaflet-tooltip img, img[src="x"]').length,
              js_links: [...document.querySelectorAll('a[href]')]
                .filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript:'))
                .length,
              onerror: document.querySelectorAll('[onerror]').length,
            })"""
        )
    assert clicked > 0
    assert opened["popups"] >= 3 and opened["tooltips"] >= 3, opened
    assert pwned == "undefined"
    assert injected == {"scripts": 0, "imgs": 0, "js_links": 0, "onerror": 0}
    # The payloads reached the popups, as text a reader can see ...
    assert "window.__pwned=1" in opened["text"]
    assert "Evil News" in opened["text"]
    assert SCRIPT in opened["text"] or IMG in opened["text"]
    # ... and never as markup.
    for payload in (SCRIPT, IMG, '<a href="javascript:', FILE_NAME_IMG):
        assert payload not in opened["markup"]
    assert not page.report.page_errors, page.report.page_errors
    assert not page.report.blocked, page.report.blocked  # the map fetched nothing online


# ----------------------------------------------------------------------------- network

SITECUSTOMIZE = '''
"""Test guard: every network connection fails and is recorded in $GEO_NETWORK_LOG."""
import os
import socket

_LOG = os.environ["GEO_NETWORK_LOG"]


def _refuse(what, *args, **kwargs):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{what} {args!r}\\n")
    raise OSError(101, f"network blocked by the test ({what})")


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _connect(self, address, *args):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _real_connect(self, address, *args)
    return _refuse("connect", address)


def _connect_ex(self, address, *args):
    if self.family == getattr(socket, "AF_UNIX", None):
        return _real_connect_ex(self, address, *args)
    return _refuse("connect_ex", address)


socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex
socket.getaddrinfo = lambda *args, **kwargs: _refuse("getaddrinfo", *args)
socket.create_connection = lambda *args, **kwargs: _refuse("create_connection", *args)
'''


def _network_namespace() -> tuple[str, ...]:
    """``unshare -rn`` (a new, empty network namespace) when this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "-rn"), (unshare, "-n")):
        if subprocess.run([*prefix, "true"], capture_output=True, check=False).returncode == 0:
            return prefix
    return ()


def test_build_runs_with_networking_blocked(tmp_path: Path, example_corpus: Path) -> None:
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE), encoding="utf-8")
    log = tmp_path / "network.log"
    log.write_text("", encoding="utf-8")
    env = child_env(GEO_NETWORK_LOG=str(log))
    env["PYTHONPATH"] = f"{guard}:{env['PYTHONPATH']}"
    # The guard itself works: a connection attempt in the same environment fails and is logged.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80), 1)"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.returncode != 0 and "network blocked by the test" in probe.stderr
    assert "create_connection" in log.read_text("utf-8")
    log.write_text("", encoding="utf-8")

    out = tmp_path / "out"
    out.mkdir()
    run = geo_build(example_corpus, out=out, prefix=_network_namespace(), env=env)
    assert run.returncode == EXIT_OK, run.stderr
    assert run.summary["articles"] >= 10 and run.summary["places"] > 0
    assert log.read_text("utf-8") == ""  # not one connection was even attempted


# ----------------------------------------------------------------------------- online geocoder


class _FakeNominatim:
    """Stands in for geopy's Nominatim: records calls, never touches the network."""

    instances: list[_FakeNominatim] = []  # noqa: RUF012

    def __init__(self, *, user_agent: str, timeout: float) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        _FakeNominatim.instances.append(self)

    def geocode(self, query: str, **kwargs: Any) -> Any:
        self.calls.append((query, kwargs, time.monotonic()))
        if query == "Nowhere":
            return None
        return SimpleNamespace(
            latitude=46.975,
            longitude=31.995,
            address="Mykolaiv, Mykolaiv Oblast, Ukraine",
            raw={
                "osm_type": "relation",
                "osm_id": 1234,
                "name": "Mykolaiv",
                "address": {"country_code": "ua", "state": "Mykolaiv Oblast"},
            },
        )


@pytest.fixture
def fake_nominatim(monkeypatch: pytest.MonkeyPatch) -> type[_FakeNominatim]:
    import geopy.geocoders

    monkeypatch.setattr(geopy.geocoders, "Nominatim", _FakeNominatim)
    _FakeNominatim.instances = []
    geo.online._throttled.cache_clear()
    yield _FakeNominatim  # type: ignore[misc]
    geo.online._throttled.cache_clear()


def test_online_geocoder_is_off_by_default(fake_nominatim: type[_FakeNominatim]) -> None:
    assert settings.online is False
    with pytest.raises(geo.online.OnlineDisabledError, match=r"geo\.settings\.online = True"):
        geo.online.geocode("Mykolaiv")
    assert fake_nominatim.instances == []  # nothing was even set up


def test_online_geocoder_when_enabled_is_throttled(
    fake_nominatim: type[_FakeNominatim], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "online", True)
    place = geo.online.geocode("Mykolaiv", country="UA")
    assert place is not None
    assert (place.id, place.name, place.country, place.admin1) == (
        "osm:relation:1234", "Mykolaiv", "UA", "Mykolaiv Oblast",
    )  # fmt: skip
    assert (place.lat, place.lon) == (46.975, 31.995)
    assert geo.online.geocode("Nowhere") is None
    [nominatim] = fake_nominatim.instances  # one shared, throttled client
    assert nominatim.user_agent == settings.nominatim_user_agent
    (_, kwargs, first), (_, _, second) = nominatim.calls
    assert kwargs["country_codes"] == "ua"
    assert second - first >= geo.online.MIN_DELAY_SECONDS * 0.95  # one request per second


def test_online_geocoder_per_call_opt_in(fake_nominatim: type[_FakeNominatim]) -> None:
    assert geo.online.geocode("Mykolaiv", online=True) is not None
    with pytest.raises(geo.online.OnlineDisabledError):
        geo.online.geocode("Mykolaiv", online=False)


def test_online_geocoder_errors_are_reported(
    fake_nominatim: type[_FakeNominatim], monkeypatch: pytest.MonkeyPatch
) -> None:
    from geopy.exc import GeocoderUnavailable

    def unavailable(self: _FakeNominatim, query: str, **kwargs: Any) -> Any:
        raise GeocoderUnavailable("connection refused")

    monkeypatch.setattr(_FakeNominatim, "geocode", unavailable)
    with pytest.raises(geo.online.OnlineGeocodingError, match="could not geocode 'Kyiv'"):
        geo.online.geocode("Kyiv", online=True)


# ----------------------------------------------------------------------------- paths


def test_article_ids_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    hostile_ids = [
        "../../etc/x", "/etc/passwd", "..\\..\\windows\\x", "CON", ".hidden", "a/../../b",
    ]  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ids.jsonl").write_text(
        "".join(
            json.dumps({"id": raw, "text": f"Shelling killed {n + 2} people in {city}."}) + "\n"
            for n, (raw, city) in enumerate(
                zip(
                    hostile_ids,
                    ["Kharkiv", "Sumy", "Kherson", "Odesa", "Poltava", "Dnipro"],
                    strict=True,
                )
            )
        ),
        encoding="utf-8",
    )
    before = set(tmp_path.rglob("*"))
    out = tmp_path / "deep" / "er" / "out"
    out.mkdir(parents=True)
    run = geo_build(folder, out=out)
    assert run.returncode == EXIT_OK, run.stderr
    written = set(tmp_path.rglob("*")) - before
    parents = {out, out.parent, out.parent.parent}
    outside = [p for p in written if out not in p.parents and p not in parents]
    assert outside == []
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "layers/casualties.geojson", "layers/events.geojson", "layers/places.geojson",
        "layers/zones.geojson", "maps/index.html",
    ]  # fmt: skip
    ids = run.articles_on_map()
    ids |= {f["properties"]["article"] for f in run.layer("events")["features"]}
    assert safe_id("../../etc/x") == "etc_x-01bc0313"
    assert "etc_x-01bc0313" in ids
    for article in ids:
        assert SAFE_ID.fullmatch(article) and ".." not in article, article


def test_cli_lookup_asks_nominatim_only_with_online(
    fake_nominatim: type[_FakeNominatim], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from geo.cli import app

    monkeypatch.setattr(geo.gazetteer.Gazetteer, "candidates", lambda *a, **k: [])
    runner = CliRunner()
    offline = runner.invoke(app, ["gazetteer", "lookup", "Mykolaiv", "--json"])
    assert offline.exit_code == 1
    assert fake_nominatim.instances == []  # without --online nothing is asked
    online = runner.invoke(app, ["gazetteer", "lookup", "Mykolaiv", "--json", "--online"])
    assert online.exit_code == 0, online.output
    [row] = json.loads(online.stdout)
    assert row["id"] == "osm:relation:1234" and row["country"] == "UA"
