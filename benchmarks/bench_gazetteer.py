"""Cold start and memory of the bundled gazetteer.

Runs ``Gazetteer.load().candidates("Kyiv")`` in a fresh Python process N times and prints
the median wall time of that call sequence (imports included) and the peak RSS of the
process (``resource.getrusage``).

    python benchmarks/bench_gazetteer.py [-n 7] [--data-dir gazetteer]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from geo.gazetteer import Gazetteer
gaz = Gazetteer.load({data_dir!r})
found = gaz.candidates("Kyiv")
cold = time.perf_counter() - start
assert found and found[0].place.id == "gn:703448", found[:1]
start = time.perf_counter()
for name in ("Mykolaiv", "Avdiivka", "Rusaniv", "Kyiv region", "Donbas", "Moscow") * 50:
    gaz.candidates(name)
warm = (time.perf_counter() - start) / 300
rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
gaz.reverse(50.45, 30.52)
rss_areas = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
json.dump({{"cold": cold, "warm": warm, "rss": rss_loaded, "rss_areas": rss_areas}}, sys.stdout)
"""


def run_once(data_dir: str | None) -> dict[str, float]:
    code = CHILD.format(data_dir=data_dir)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=7, help="number of fresh processes")
    parser.add_argument("--data-dir", default=None, help="gazetteer folder (default: bundled)")
    args = parser.parse_args()
    runs = [run_once(args.data_dir) for _ in range(args.n)]
    cold = [r["cold"] for r in runs]
    print(f"cold start (import + load + candidates('Kyiv')), {args.n} fresh processes:")
    median = statistics.median(cold)
    print(f"  median {median:.3f} s   min {min(cold):.3f} s   max {max(cold):.3f} s")
    print(f"warm candidates(): median {statistics.median(r['warm'] for r in runs) * 1e3:.3f} ms")
    print(f"peak RSS after load + queries: {max(r['rss'] for r in runs):.0f} MB")
    print(f"peak RSS after reverse() (polygons loaded): {max(r['rss_areas'] for r in runs):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
