"""``geo build`` at 1k, 10k and 100k articles: articles per second and peak memory.

Each run is a fresh ``geo build`` process (``--engine local``, or ``--engine dask`` on a
LocalCluster of 1 or 2 single-threaded worker processes) on the first N articles of the
benchmark corpus (``make_corpus.py``), written as JSON Lines shards under
``benchmarks/data/build-N``. Peak memory is the largest resident set of the build
process and (for dask) of its worker processes, sampled with psutil every 50 ms.
Articles per second count the whole command: start-up, reading, every stage, layers and
map. A size whose estimated time exceeds ``--max-seconds`` is not run; it is
extrapolated from the largest measured size and marked as such.

    python benchmarks/bench_build.py [--sizes 1000 10000 100000] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import DATA, write_corpus

ROOT = Path(__file__).resolve().parent.parent


def corpus_of(n: int) -> Path:
    folder = DATA / f"build-{n}"
    marker = folder / "done.json"
    if not marker.is_file():
        write_corpus(folder, n, shard=20_000)
        marker.write_text(json.dumps({"articles": n}))
    return folder


def run_build(folder: Path, engine: str, workers: int | None) -> dict[str, float]:
    """One ``geo build`` in a fresh process; wall seconds and peak RSS (MB) of the tree."""
    geo = shutil.which("geo") or "geo"
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as out:
        cmd = [geo, "build", *sorted(str(p) for p in folder.glob("corpus-*.jsonl")), "-o", out]
        env = dict(os.environ)
        if engine == "dask":
            cmd += ["--engine", "dask"]
            if workers:
                # The LocalCluster takes its worker count from the visible cores.
                cmd = ["taskset", "-c", ",".join(str(i) for i in range(workers)), *cmd]
        started = time.perf_counter()
        proc = psutil.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
        peak = 0
        while proc.poll() is None:
            try:
                tree = [proc, *proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree if p.is_running())
                peak = max(peak, rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode not in (0,):
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": peak / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument(
        "--engines", nargs="+", default=["local", "dask-1", "dask-2"],
        help="local, dask-1 (one worker), dask-2 (two workers)",
    )  # fmt: skip
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows: list[dict[str, object]] = []
    for engine in args.engines:
        last: dict[str, float] | None = None
        last_n = 0
        for n in sorted(args.sizes):
            name, _, count = engine.partition("-")
            workers = int(count) if count else None
            estimate = last["seconds"] * n / last_n if last else 0.0
            if last is not None and estimate > args.max_seconds:
                rows.append({
                    "engine": engine, "articles": n, "seconds": estimate,
                    "articles_per_s": n / estimate, "peak_rss_mb": None, "estimated": True,
                })  # fmt: skip
                print(f"{engine} {n}: estimated {estimate:.0f} s (not run)", file=sys.stderr)
                continue
            folder = corpus_of(n)
            result = run_build(folder, name, workers)
            last, last_n = result, n
            rows.append({
                "engine": engine, "articles": n, "seconds": result["seconds"],
                "articles_per_s": n / result["seconds"], "peak_rss_mb": result["peak_rss_mb"],
                "estimated": False,
            })  # fmt: skip
            print(
                f"{engine} {n}: {result['seconds']:.1f} s, {n / result['seconds']:.1f} art/s, "
                f"peak {result['peak_rss_mb']:.0f} MB",
                file=sys.stderr,
            )
    out = json.dumps(rows, indent=1)
    if args.json:
        args.json.write_text(out)
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
