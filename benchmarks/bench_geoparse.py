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
Throughput is MB of UTF-8 text per second of CPU time of this process (= per core).
Every stage runs as ``geo extract`` runs its articles: with the garbage collector's full
collections suspended (``geo._collector``), which would otherwise walk the corpus held in
memory again and again.

    python benchmarks/bench_geoparse.py [--budget 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import corpus_files


def load_texts(min_mb: float = 50.0) -> tuple[list[str], float]:
    texts = []
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--budget", type=float, default=60.0, help="CPU seconds per stage")
    parser.add_argument("--json", type=Path, help="write the numbers here")
    args = parser.parse_args(argv)

    texts, total_mb = load_texts()
    print(f"corpus: {len(texts)} articles, {total_mb:.1f} MB", file=sys.stderr)

    from flashgeotext.geotext import GeoText as FlashGeoText
    from geotext import GeoText

    from geo._collector import young_collections_only
    from geo.pipeline import extract
    from geo.resolve import geoparse
    from geo.toponyms import find_toponyms
    from geo.types import Article

    started = time.perf_counter()
    flash = FlashGeoText()
    flash_load = time.perf_counter() - started
    counter = iter(range(10**9))

    def as_article(text: str) -> Article:
        return Article(id=f"b{next(counter)}", text=text, date="2022-03-30")

    stages: dict[str, Callable[[str], object]] = {
        "find_toponyms": find_toponyms,
        "geoparse": lambda t: geoparse(as_article(t)),
        "extract": lambda t: extract(as_article(t)),
        "geotext": GeoText,
        "flashgeotext": lambda t: flash.extract(input_text=t),
    }
    extract(as_article("Shelling in Kyiv killed 2 people."))  # load the gazetteer, tables
    results: dict[str, object] = {"corpus_articles": len(texts), "corpus_mb": total_mb}
    for name, fn in stages.items():
        with young_collections_only():
            row = measure(fn, texts, args.budget)
        results[name] = row
        print(
            f"{name:14s} {row['mb_per_s_core']:7.2f} MB/s/core "
            f"({row['mb']:.1f} MB, {row['articles']} articles, {row['cpu_s']:.1f} s CPU)",
            file=sys.stderr,
        )
    results["flashgeotext_load_s"] = flash_load
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    else:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
