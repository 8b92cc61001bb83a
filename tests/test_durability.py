"""Nothing lost: a build killed midway leaves readable outputs; builds are reproducible.

Every output is written to a temporary file beside it (``.NAME.XXXXXXXX.tmp``) and renamed
into place (geo._atomic). These tests SIGKILL a real ``geo build`` of ~3,000 articles

* while it is still processing articles: every previous layer and the map must be exactly
  as before;
* right after it renamed its first new layer into place: every file must still be complete
  and readable, each either the previous version or the new one (files are replaced one by
  one, so a kill between two renames leaves a mix of old and new files, never a torn one).

Byte-identical rebuilds in one process are tested in ``test_pipeline_outputs.py``; here two
``geo build`` processes with different hash seeds must write the same bytes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli_bad_input import child_env, geo_build

from geo.layers import LAYER_NAMES
from geo.pipeline import build

OUTPUTS = [*(f"layers/{name}.geojson" for name in LAYER_NAMES), "maps/index.html"]
CITIES = [
    "Kharkiv", "Mykolaiv", "Chernihiv", "Sumy", "Kherson", "Odesa", "Dnipro", "Zaporizhzhia",
    "Irpin", "Bucha", "Mariupol", "Izium", "Kramatorsk", "Sloviansk", "Poltava", "Kyiv",
]  # fmt: skip
OFFICES = ["regional governor", "city council", "mayor", "emergency service", "police"]


def write_corpus(path: Path, n: int, *, seed: int = 7) -> Path:
    """``n`` distinct articles in JSON Lines, built from the example corpus' sentence shapes."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            here, there = rng.sample(CITIES, 2)
            text = (
                f"{here.upper()}, Ukraine - Shelling hit the centre of {here} on Tuesday, killing "
                f"at least {rng.randint(1, 90)} people and injuring {rng.randint(1, 200)}, the "
                f"{rng.choice(OFFICES)} said in update {i}. Fighting continued near {there}, "
                f"where Russian forces tried to advance. Moscow said it would reduce its "
                f"military activity near {there}."
            )
            record = {
                "id": f"gen-{i:05d}",
                "date": f"2022-03-{1 + i % 28:02d}",
                "source": rng.choice(["Reuters", "AP", "Ukrinform", "Kyiv Independent"]),
                "text": text,
            }
            handle.write(json.dumps(record) + "\n")
    return path


def snapshot(out: Path) -> dict[str, bytes]:
    return {relative: (out / relative).read_bytes() for relative in OUTPUTS}


def assert_complete(out: Path) -> None:
    """Every output parses in full: the layers as GeoJSON, the map as a whole page."""
    for name in LAYER_NAMES:
        data = json.loads((out / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection" and isinstance(data["features"], list)
    page = (out / "maps" / "index.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and page.rstrip().endswith("</html>")


def leftovers(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob(".*.tmp"))


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # About 4 s of CPU to build here, a third of it before the first article is read.
    return write_corpus(tmp_path_factory.mktemp("big") / "in" / "wire.jsonl", 12_000)


@pytest.fixture
def previous(tmp_path: Path, example_corpus: Path) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    build([example_corpus], out)
    return out, snapshot(out)


def start_build(corpus: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "geo.cli", "build", str(corpus), "--out", str(out)],
        env=child_env(),
        cwd=out.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_busy(proc: subprocess.Popen[bytes], cpu: float) -> None:
    """Wait until ``proc`` has used ``cpu`` seconds of CPU, on a fast machine or a slow one.

    Read from Linux's ``/proc/PID/stat``; elsewhere, wait twice as long in wall time.
    """
    stat = Path(f"/proc/{proc.pid}/stat")
    started = time.monotonic()
    while True:
        assert proc.poll() is None, "the large build finished before it could be killed"
        if not stat.exists():
            if time.monotonic() - started >= 2 * cpu:
                return
        else:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") >= cpu:
                return  # utime + stime
        time.sleep(0.01)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    if proc.stderr is not None:
        proc.stderr.close()


def test_sigkill_while_processing_keeps_previous_outputs(
    big_corpus: Path, previous: tuple[Path, dict[str, bytes]]
) -> None:
    out, before = previous
    proc = start_build(big_corpus, out)
    try:
        wait_until_busy(proc, 2.0)  # imports, the gazetteer, then well into the articles
        assert snapshot(out) == before  # nothing touched yet while articles are processed
    finally:
        kill(proc)
    assert snapshot(out) == before
    assert_complete(out)
    assert leftovers(out) == []


def test_sigkill_between_renames_leaves_complete_files(
    big_corpus: Path, previous: tuple[Path, dict[str, bytes]]
) -> None:
    out, before = previous
    first = out / "layers" / f"{LAYER_NAMES[0]}.geojson"
    old_inode = first.stat().st_ino
    proc = start_build(big_corpus, out)
    try:
        deadline = time.monotonic() + 120
        while first.stat().st_ino == old_inode:  # the first new layer is renamed into place
            assert proc.poll() is None, "the build ended before it wrote anything"
            assert time.monotonic() < deadline, "the build wrote nothing within 120 s"
            time.sleep(0.002)
    finally:
        kill(proc)
    after = snapshot(out)
    assert after[OUTPUTS[0]] != before[OUTPUTS[0]]  # the kill did land while publishing
    assert_complete(out)  # each file is the old one or a whole new one, never a torn one
    # Everything is written into a hidden staging folder first and only renamed into place
    # at the end; a kill may leave that folder behind, never a stray file among the outputs.
    stray = leftovers(out)
    assert all(
        name.startswith(".geo-staging-") or name.rsplit("/", 1)[-1].startswith(".")
        for name in stray
    ), stray
    assert sorted(p.name for p in (out / "layers").glob("*.geojson")) == sorted(
        f"{name}.geojson" for name in LAYER_NAMES
    )
    # The next build completes over whatever the kill left.
    run = geo_build(big_corpus, out=out)
    assert run.returncode == 0, run.stderr
    assert_complete(out)
    assert not list(out.glob(".geo-staging-*"))  # the next build clears what the kill left


def test_two_processes_write_identical_bytes(tmp_path: Path, example_corpus: Path) -> None:
    corpus = write_corpus(tmp_path / "in" / "wire.jsonl", 300, seed=11)
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        run = geo_build(corpus.parent, example_corpus, out=out, env=child_env(PYTHONHASHSEED=seed))
        assert run.returncode == 0, run.stderr
        outs.append(snapshot(out))
    different = [relative for relative in OUTPUTS if outs[0][relative] != outs[1][relative]]
    assert different == []
