"""Run every benchmark and write ``benchmarks/RESULTS.md``.

    python benchmarks/run_all.py            # the measured suite (about 20 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # smoke run: small sizes, short budgets (~3 min)
    python benchmarks/run_all.py --full     # also runs the dask engines at 100k articles

Each benchmark runs as its own process and leaves its numbers as JSON under
``benchmarks/data/results/``; this script turns them into one markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "data" / "results"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(script: str, *args: str, name: str | None = None, report_only: bool = False) -> object:
    out = RESULTS / f"{name or Path(script).stem}.json"
    if report_only:
        return json.loads(out.read_text())
    cmd = [sys.executable, str(HERE / script), *args, "--json", str(out)]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True)
    return json.loads(out.read_text())


def fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite RESULTS.md from the last JSON results"
    )
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)

    budget = "8" if args.quick else "45"
    sizes = ["1000"] if args.quick else ["1000", "10000", "100000"]
    again = args.report_only
    geoparse = run("bench_geoparse.py", "--budget", budget, report_only=again)
    cold = run("bench_coldstart.py", "-n", "3" if args.quick else "7", report_only=again)
    map_sizes = ["1000", "10000"] if args.quick else sizes
    maps = run("bench_map.py", "--sizes", *map_sizes, report_only=again)
    build = run(
        "bench_build.py", "--sizes", *sizes, "--engines", "local", name="build_local",
        report_only=again,
    )  # fmt: skip
    dask_sizes = sizes if args.full or args.quick else sizes[:2]
    # --full measures every size, however long it takes (100k on one worker: ~11 minutes).
    patience = ["--max-seconds", "3600"] if args.full else []
    dask = run(
        "bench_build.py", "--sizes", *dask_sizes, "--engines", "dask-1", "dask-2", *patience,
        name="build_dask", report_only=again,
    )  # fmt: skip
    assert isinstance(geoparse, dict) and isinstance(cold, dict)
    assert isinstance(maps, list) and isinstance(build, list) and isinstance(dask, list)

    lines = [
        "# Benchmark results",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {os.cpu_count()} cores (nproc), {cpu_model()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- command: `python benchmarks/run_all.py{' --quick' if args.quick else ''}"
        f"{' --full' if args.full else ''}`",
        f"- corpus: {geoparse['corpus_articles']} generated English articles, "
        f"{geoparse['corpus_mb']:.1f} MB (`benchmarks/make_corpus.py`)",
        "",
        "## Geoparsing throughput (MB of text per CPU second = per core)",
        "",
        "| stage | MB/s per core | MB measured | articles | CPU s | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    targets = {"find_toponyms": ">= 20", "extract": ">= 5"}
    for name in ("find_toponyms", "geoparse", "extract", "geotext", "flashgeotext"):
        row = geoparse[name]
        lines.append(
            f"| {name} | {fmt(row['mb_per_s_core'])} | {fmt(row['mb'], 1)} | {row['articles']} "
            f"| {fmt(row['cpu_s'], 1)} | {targets.get(name, '')} |"
        )
    lines += [
        "",
        "Each stage runs in a fresh process of its own, from the corpus's first article: "
        "only the gazetteer and the stage's tables are loaded beforehand (not counted), so "
        "every name is looked up when it is first met, as in `geo extract`. "
        f"flashgeotext's lookup tables load in {fmt(geoparse['flashgeotext_load_s'])} s "
        "(not counted). Stages stop at the CPU budget, so the slow ones measure the first "
        "part of the corpus.",
        "",
        "## Cold start (fresh process, median)",
        "",
        "| command | median s | min s | max s | target |",
        "|---|---:|---:|---:|---|",
    ]
    for name, row in cold.items():
        target = "< 1" if name != "python" else "(floor)"
        lines.append(
            f"| {name} | {fmt(row['median_s'], 3)} | {fmt(row['min_s'], 3)} "
            f"| {fmt(row['max_s'], 3)} | {target} |"
        )
    lines += [
        "",
        "## `geo build`: articles per second and peak memory",
        "",
        "| engine | articles | seconds | articles/s | peak RSS MB | |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in [*build, *dask]:
        note = "**estimated** by linear extrapolation, not run" if row["estimated"] else ""
        lines.append(
            f"| {row['engine']} | {row['articles']} | {fmt(row['seconds'], 1)} "
            f"| {fmt(row['articles_per_s'], 1)} | {fmt(row['peak_rss_mb'], 0)} | {note} |"
        )
    by = {(r["engine"], r["articles"]): r for r in [*build, *dask] if not r["estimated"]}
    lines += ["", "Scaling (same input, measured runs only):", ""]
    for n in sorted({r["articles"] for r in dask}):
        one, two, local = by.get(("dask-1", n)), by.get(("dask-2", n)), by.get(("local", n))
        if one and two:
            lines.append(
                f"- {n} articles: dask 2 workers vs 1 worker "
                f"{one['seconds'] / two['seconds']:.2f}x"
                + (f"; vs local {local['seconds'] / two['seconds']:.2f}x" if local else "")
            )
    lines += [
        "",
        "## Map generation and browser load (headless Chromium, offline)",
        "",
        "| events | generate s | HTML MB | load event s | first marker drawn s "
        "| all drawn (geoReadyAt) s | JS errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in maps:
        lines.append(
            f"| {row['events']} | {fmt(row['generate_s'])} | {fmt(row['html_mb'])} "
            f"| {fmt(row['load_s'])} | {fmt(row['drawn_s'])} | {fmt(row.get('ready_s'))} "
            f"| {fmt(row['errors'])} |"
        )
    lines += [
        "",
        "Browser times are medians of several openings (`bench_map.py --repeats`), each in a "
        "fresh browser.",
    ]
    lines += ["", "Target: a 100k-event map under 12 MB that loads in under 3 s.", ""]
    args.out.write_text("\n".join(lines))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
