"""Map generation and browser load time for 1k, 10k and 100k events.

The four layers of the bundled example are grown to N events and N casualty records:
rows are copied with new ids, moved to random gazetteer settlements (Ukraine and the
world), and given their own article (about three rows each), date, killed counts and
text: every event quote is a distinct 200-400 character text built from the example's
sentences with new numbers, so the page cannot share quote text between events any more
than it could for a real corpus (``quote_mb`` is the quote text a page must hold).
``geo.render.render_map`` writes the HTML (timed: generation), then headless Chromium
opens it offline through ``tests/browser.py``'s ``open_page`` (timed: navigation until
the ``load`` event; until Leaflet has drawn its first marker or cluster; and until
``window.geoReadyAt``, when every layer has drawn all of its features: large layers are
inflated and clustered in chunks after the load event). Each page is opened ``--repeats``
times, each time in a fresh browser, and the medians are reported. Target: a 100k-event
map under 12 MB that loads in under 3 s.

    python benchmarks/bench_map.py [--sizes 1000 10000 100000] [--repeats 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def example_layers() -> dict[str, gpd.GeoDataFrame]:
    from geo.ingest import read_articles
    from geo.pipeline import extract, reduce

    articles, _ = read_articles([ROOT / "examples" / "corpus"])
    return reduce([extract(a) for a in articles])


_NUMBER = re.compile(r"\d[\d,]*")
DAY0 = dt.date(2022, 2, 24)


def _sentences(base: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """The example's quotes (events and zones): real news sentences, 82-270 characters."""
    quotes = [*base["events"]["quote"], *base["zones"]["quote"]]
    return sorted({str(q) for q in quotes if isinstance(q, str) and q.strip()})


def _quote(rng: random.Random, sentences: list[str], place: str) -> str:
    """A distinct quote of about 200-400 characters about ``place``.

    One or two example sentences, the first naming ``place``, every number replaced by a
    random one, so quotes are as long as real ones and (almost) never repeat: a page
    cannot share their text between events, as it could not for a real corpus.
    """
    parts = [rng.choice(sentences)]
    while sum(len(part) for part in parts) < 200:
        parts.append(rng.choice(sentences))
    text = f"In {place}, " + " ".join(parts)
    return _NUMBER.sub(lambda _: str(rng.randrange(2, 900)), text)[:400]


def grow(
    frame: gpd.GeoDataFrame,
    n: int,
    rng: random.Random,
    places: list[tuple],
    sentences: list[str],
) -> gpd.GeoDataFrame:
    """``n`` rows copied from ``frame``, each with its own place, date, article and text.

    Places are random gazetteer settlements; about three rows share an article (and its
    date and source file); killed counts are random (0 for about 40%, else 1-200, a few up
    to 6,000); quotes and the figures of casualty sources are distinct texts.
    """
    rows = frame.iloc[[rng.randrange(len(frame)) for _ in range(n)]].copy()
    chosen = [rng.choice(places) for _ in range(n)]
    rows["id"] = [f"syn-{i:06d}" for i in range(n)]
    articles = [f"syn-article-{rng.randrange(max(1, n // 3)):06d}" for _ in range(n)]
    days = {a: (DAY0 + dt.timedelta(days=rng.randrange(1000))).isoformat() for a in articles}
    dates = [days[a] for a in articles]
    killed = [
        0
        if rng.random() < 0.4
        else (rng.randrange(1, 200) if rng.random() < 0.97 else rng.randrange(200, 6000))
        for _ in range(n)
    ]
    if "date" in rows.columns:
        rows["date"] = dates
    if "place" in rows.columns:
        rows["place"] = [p[1] for p in chosen]
    if "place_id" in rows.columns:
        rows["place_id"] = [p[0] for p in chosen]
    if "article" in rows.columns:
        rows["article"] = articles
        rows["source"] = [f"{a}.txt" for a in articles]
    if "quote" in rows.columns:
        rows["quote"] = [_quote(rng, sentences, p[1]) for p in chosen]
    if "killed_best" in rows.columns:
        rows["killed_low"] = [
            k if rng.random() < 0.8 else max(0, k - rng.randrange(1, 10)) for k in killed
        ]
        rows["killed_best"] = killed
        rows["killed_high"] = [
            k if rng.random() < 0.8 else k + rng.randrange(1, 50) for k in killed
        ]
    if "sources" in rows.columns:
        rows["sources"] = [
            [
                {
                    **source,
                    "article": f"{article}" if j == 0 else f"syn-article-{rng.randrange(n):06d}",
                    "source": f"{article}.txt",
                    "date": date,
                    "figure": _NUMBER.sub(
                        str(k), str(source.get("figure") or f"{k} people were killed")
                    ),
                    "best": k,
                }
                for j, source in enumerate(
                    sources if isinstance(sources, list) else json.loads(sources)
                )
            ]
            for sources, article, date, k in zip(
                rows["sources"], articles, dates, killed, strict=True
            )
        ]
    rows = rows.set_geometry([Point(p[3], p[2]) for p in chosen], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.DataFrame(rows).reset_index(drop=True), crs="EPSG:4326")


def _open(out: Path, open_page: Any) -> dict[str, float]:
    """One fresh browser opening ``out``: seconds to load, first marker, everything drawn."""
    with open_page(out, settle_ms=0, timeout_ms=120_000) as page:
        drawn = page.wait_for(
            ".leaflet-marker-icon, .marker-cluster, path.leaflet-interactive",
            timeout_ms=120_000,
        )
        # geo.render sets window.geoReadyAt (ms after navigation) once every layer has
        # drawn all of its features (large ones are inflated and clustered after load).
        page.raw.wait_for_function("window.geoReadyAt !== undefined", timeout=300_000)
        return {
            "load_s": page.report.load_seconds,
            "drawn_s": page.report.load_seconds + drawn,
            "ready_s": page.evaluate("window.geoReadyAt") / 1000,
            "errors": len(page.report.errors),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="browser openings per size; the medians are reported (timings on a shared "
        "machine are noisy), every opening is kept under 'runs'",
    )
    args = parser.parse_args(argv)

    from browser import browser_available, open_page

    from geo.gazetteer import get_gazetteer
    from geo.render import render_map

    gaz = get_gazetteer()
    rng = random.Random(0)
    cols = {c: gaz.column(c).to_pylist() for c in ("id", "name", "lat", "lon", "kind", "country")}
    places = [
        (i, nm, la, lo)
        for i, nm, la, lo, k, c in zip(*cols.values(), strict=True)
        if k == "settlement" and (c == "UA" or rng.random() < 0.05)
    ]
    base = example_layers()
    basemap = gaz.areas_frame()
    results = []
    with tempfile.TemporaryDirectory(prefix="geo-map-") as tmp:
        for n in args.sizes:
            layers = dict(base)
            sentences = _sentences(base)
            layers["events"] = grow(base["events"], n, rng, places, sentences)
            layers["casualties"] = grow(base["casualties"], n, rng, places, sentences)
            quotes = set(layers["events"]["quote"])
            out = Path(tmp) / f"map-{n}.html"
            started = time.perf_counter()
            render_map(layers, out, basemap=basemap, title=f"{n} synthetic events")
            generate = time.perf_counter() - started
            row: dict[str, object] = {
                "events": n,
                "generate_s": generate,
                "html_mb": out.stat().st_size / 1e6,
                "quote_mb": sum(len(q.encode()) for q in quotes) / 1e6,
                "distinct_quotes": len(quotes),
                "load_s": None,
                "drawn_s": None,
                "ready_s": None,
                "errors": None,
            }
            if browser_available():
                runs = [_open(out, open_page) for _ in range(args.repeats)]
                for key in ("load_s", "drawn_s", "ready_s"):
                    row[key] = statistics.median(run[key] for run in runs)
                row["errors"] = max(run["errors"] for run in runs)
                row["runs"] = runs
            results.append(row)
            print(json.dumps(row), file=sys.stderr)
    out_json = json.dumps(results, indent=1)
    if args.json:
        args.json.write_text(out_json)
    else:
        print(out_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
