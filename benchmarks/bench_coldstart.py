"""Cold start: the CLI and the gazetteer in fresh processes (target < 1 s), median of N.

``cli``        ``geo gazetteer lookup Kyiv`` (interpreter, typer, gazetteer, one answer)
``gazetteer``  ``python -c "from geo.gazetteer import get_gazetteer;
               get_gazetteer().candidates('Kyiv')"``
``python``     ``python -c pass``: the interpreter alone, the floor under both

    python benchmarks/bench_coldstart.py [-n 7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "cli": [shutil.which("geo") or "geo", "gazetteer", "lookup", "Kyiv"],
    "gazetteer": [
        sys.executable,
        "-c",
        "from geo.gazetteer import get_gazetteer; get_gazetteer().candidates('Kyiv')",
    ],
    "python": [sys.executable, "-c", "pass"],
}


def median_seconds(cmd: list[str], n: int) -> tuple[float, list[float]]:
    runs = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=7, help="fresh processes per command")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = {}
    for name, cmd in COMMANDS.items():
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)  # warm the page cache
        median, runs = median_seconds(cmd, args.n)
        results[name] = {"median_s": median, "min_s": min(runs), "max_s": max(runs)}
        print(f"{name:10s} median {median:.3f} s (min {min(runs):.3f}, max {max(runs):.3f})",
              file=sys.stderr)  # fmt: skip
    out = json.dumps(results, indent=1)
    if args.json:
        args.json.write_text(out)
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
