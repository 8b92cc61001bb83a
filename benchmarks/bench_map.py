"""Map generation and browser load time for 1k, 10k and 100k events.

The four layers of the bundled example are grown to N events: event and casualty rows
are copied with new ids and moved to random gazetteer settlements (Ukraine and the
world), so the map clusters and draws N points of each. ``geo.render.render_map`` writes
the HTML (timed: generation), then headless Chromium opens it offline through
``tests/browser.py``'s ``open_page`` (timed: navigation until the ``load`` event, then
until Leaflet has drawn its marker or cluster elements). Target: a 100k-event map under
12 MB that loads in under 3 s.

    python benchmarks/bench_map.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

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


def grow(
    frame: gpd.GeoDataFrame, n: int, rng: random.Random, places: list[tuple]
) -> gpd.GeoDataFrame:
    rows = frame.iloc[[rng.randrange(len(frame)) for _ in range(n)]].copy()
    chosen = [rng.choice(places) for _ in range(n)]
    rows["id"] = [f"syn-{i:06d}" for i in range(n)]
    if "place" in rows.columns:
        rows["place"] = [p[1] for p in chosen]
    if "place_id" in rows.columns:
        rows["place_id"] = [p[0] for p in chosen]
    rows = rows.set_geometry([Point(p[3], p[2]) for p in chosen], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.DataFrame(rows).reset_index(drop=True), crs="EPSG:4326")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--json", type=Path)
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
            layers["events"] = grow(base["events"], n, rng, places)
            layers["casualties"] = grow(base["casualties"], n, rng, places)
            out = Path(tmp) / f"map-{n}.html"
            started = time.perf_counter()
            render_map(layers, out, basemap=basemap, title=f"{n} synthetic events")
            generate = time.perf_counter() - started
            row: dict[str, object] = {
                "events": n,
                "generate_s": generate,
                "html_mb": out.stat().st_size / 1e6,
                "load_s": None,
                "drawn_s": None,
                "errors": None,
            }
            if browser_available():
                with open_page(out, settle_ms=0, timeout_ms=120_000) as page:
                    drawn = page.wait_for(
                        ".leaflet-marker-icon, .marker-cluster, path.leaflet-interactive",
                        timeout_ms=120_000,
                    )
                    row["load_s"] = page.report.load_seconds
                    row["drawn_s"] = page.report.load_seconds + drawn
                    row["errors"] = len(page.report.errors)
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
