"""Geoparsing throughput in MB/s per core, ours and the peers', on the same English text.

Stages, each in this one process (one core), on the articles of the benchmark corpus
(``make_corpus.py``, >= 50 MB), in corpus order, until the corpus or the time budget of
the stage is used up:

``find_toponyms``    recognition only (spans looked up in the gazetteer's name index)
``geoparse``         recognition and resolution (one gazetteer entry per mention)
``extract``          everything ``geo extract`` does per article (places, figures, events)
``geotext``          geotext 0.4: regex for capitalised words, city/country name lists
``flashgeotext``     flashgeotext: flashtext keyword lookup of cities and countries

geotext and flashgeotext only list names (no offsets for geotext, no disambiguation, no
coordinates), so they bound from above what recognition alone can cost in Python.
Throughput is MB of UTF-8 text per second of CPU time of the stage (= per core).
Each stage runs in a fresh process of its own, as ``geo extract`` starts: the gazetteer is
loaded (one short article, not counted), but no name has been looked up yet, so every
first-seen name costs what it costs a user. Every stage runs as ``geo extract`` runs its
articles: with the garbage collector's full collections suspended (``geo._collector``),
which would otherwise walk the corpus held in memory again and again.

    python benchmarks/bench_geoparse.py [--budget 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import corpus_files


def load_texts(min_mb: float = 50.0) -> tuple[list[str], float]:
    texts: list[str] = []
    for path in corpus_files(min_mb):
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    return texts, sum(len(t.encode("utf-8")) for t in texts) / 1e6


def measure(fn: Callable[[str], object], texts: list[str], budget: float) -> dict[str, float]:
    """Run ``fn`` over ``texts`` until done or ``budget`` CPU seconds; MB/s per core."""
    done_bytes = 0
    n = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for text in texts:
        fn(text)
        done_bytes += len(text.encode("utf-8"))
        n += 1
        if n % 64 == 0 and time.process_time() - cpu0 > budget:
            break
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "articles": n,
        "mb": done_bytes / 1e6,
        "cpu_s": cpu,
        "wall_s": wall,
        "mb_per_s_core": done_bytes / 1e6 / cpu if cpu else float("nan"),
    }


STAGES = ("find_toponyms", "geoparse", "extract", "geotext", "flashgeotext")


def stage_function(name: str) -> tuple[Callable[[str], object], float]:
    """The function a stage runs on each text, and the seconds its tables took to load."""
    if name == "geotext":
        from geotext import GeoText

        return GeoText, 0.0
    if name == "flashgeotext":
        from flashgeotext.geotext import GeoText as FlashGeoText

        started = time.perf_counter()
        flash = FlashGeoText()
        return (lambda t: flash.extract(input_text=t)), time.perf_counter() - started
    from geo.pipeline import extract
    from geo.resolve import geoparse
    from geo.toponyms import find_toponyms
    from geo.types import Article

    counter = iter(range(10**9))

    def as_article(text: str) -> Article:
        return Article(id=f"b{next(counter)}", text=text, date="2022-03-30")

    stages: dict[str, Callable[[str], object]] = {
        "find_toponyms": find_toponyms,
        "geoparse": lambda t: geoparse(as_article(t)),
        "extract": lambda t: extract(as_article(t)),
    }
    if name not in stages:
        msg = f"unknown stage {name!r}; stages: {', '.join(STAGES)}"
        raise SystemExit(msg)
    # One short article loads the gazetteer and the stage's tables, as the first article
    # of a run would; of the names, only "Kyiv" has been looked up.
    started = time.perf_counter()
    stages[name]("Shelling in Kyiv killed 2 people.")
    return stages[name], time.perf_counter() - started


def run_stage(name: str, budget: float) -> dict[str, float]:
    """Measure one stage in this process (see the module's docstring)."""
    from geo._collector import young_collections_only

    texts, _total = load_texts()
    fn, loaded = stage_function(name)
    with young_collections_only():
        row = measure(fn, texts, budget)
    row["load_s"] = loaded
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--budget", type=float, default=60.0, help="CPU seconds per stage")
    parser.add_argument("--json", type=Path, help="write the numbers here")
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)  # one, in-process
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(run_stage(args.stage, args.budget)))
        return 0

    texts, total_mb = load_texts()  # made here first, if it is not there yet
    articles = len(texts)
    del texts  # each stage's process reads its own copy
    print(f"corpus: {articles} articles, {total_mb:.1f} MB", file=sys.stderr)
    results: dict[str, object] = {"corpus_articles": articles, "corpus_mb": total_mb}
    for name in STAGES:
        command = [sys.executable, __file__, "--stage", name, "--budget", str(args.budget)]
        # Only the numbers come back on stdout; the stage's errors show as they happen.
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        row = json.loads(done.stdout)
        results[name] = row
        print(
            f"{name:14s} {row['mb_per_s_core']:7.2f} MB/s/core "
            f"({row['mb']:.1f} MB, {row['articles']} articles, {row['cpu_s']:.1f} s CPU)",
            file=sys.stderr,
        )
    results["flashgeotext_load_s"] = cast("dict[str, float]", results["flashgeotext"])["load_s"]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    else:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
