"""Hostile and broken input through the real ``geo build`` command, in a subprocess.

Each test puts one bad input next to a good article, runs ``python -m geo.cli build DIR
--out OUT`` and checks what the user sees: the exact message on stderr (naming the file and
the problem), that the good article was still read and mapped, the documented exit status
(``0`` when there were only warnings, ``EXIT_SKIPPED`` = 3 when some input was not read)
and that no traceback is ever printed. ``tests/test_ingest.py`` covers the same inputs at
the library level; these tests pin the command-line contract.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from geo.cli import EXIT_OK, EXIT_SKIPPED

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
LAYERS = ("places", "events", "casualties", "zones")

GOOD_TEXT = (
    "date 2022-03-29\n"
    "MYKOLAIV, Ukraine - A missile hit the regional administration building in Mykolaiv on "
    "Tuesday, killing at least 12 people and injuring 33, the regional governor said.\n"
)
SUMMARY = re.compile(
    r"^articles (?P<articles>\d+), places (?P<places>\d+), events (?P<events>\d+), "
    r"figures (?P<figures>\d+), casualty records (?P<casualties>\d+), zones (?P<zones>\d+), "
    r"errors (?P<errors>\d+), warnings (?P<warnings>\d+)$",
    re.MULTILINE,
)


@dataclass
class Run:
    """What one ``geo build`` printed and returned, and what it wrote."""

    returncode: int
    stdout: str
    stderr: str
    out: Path

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    @property
    def problems(self) -> list[str]:
        """The ``error:``/``warning:`` lines, in order."""
        return [line for line in self.lines if line.startswith(("error: ", "warning: "))]

    @property
    def summary(self) -> dict[str, int]:
        match = SUMMARY.search(self.stderr)
        assert match is not None, f"no summary line in stderr:\n{self.stderr}"
        return {key: int(value) for key, value in match.groupdict().items()}

    def layer(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            (self.out / "layers" / f"{name}.geojson").read_text(encoding="utf-8")
        )
        assert data["type"] == "FeatureCollection"
        return data

    def place_articles(self) -> dict[str, set[str]]:
        """Place name -> ids of the articles that mention it (from the places layer)."""
        return {
            f["properties"]["name"]: set(f["properties"]["articles"])
            for f in self.layer("places")["features"]
        }

    def articles_on_map(self) -> set[str]:
        return set().union(*self.place_articles().values())


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a ``geo`` subprocess: this checkout first on the path."""
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "1000"  # long paths on one line; test_messages_are_not_wrapped drops it
    env.update(extra)
    return env


def geo_build(
    *inputs: Path,
    out: Path,
    prefix: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Run:
    """Run ``geo build INPUTS --out OUT`` in a subprocess and check the invariants."""
    cmd = [*prefix, sys.executable, "-m", "geo.cli", "build", *map(str, inputs), "--out", str(out)]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or child_env(),
        cwd=out.parent,
        timeout=timeout,
        check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr, out)
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode in {EXIT_OK, EXIT_SKIPPED}, run.stderr
    for name in LAYERS:  # every layer written and parseable, whatever was skipped
        run.layer(name)
    assert (out / "maps" / "index.html").is_file()
    return run


def good(folder: Path, name: str = "good.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(GOOD_TEXT, encoding="utf-8")
    return path


def assert_good_processed(run: Run, article: str = "good") -> None:
    assert article in run.place_articles().get("Mykolaiv", set()), run.place_articles()
    casualties = run.layer("casualties")["features"]
    assert any(
        f["properties"]["place"] == "Mykolaiv" and f["properties"]["killed_low"] == 12
        for f in casualties
    ), casualties


# ----------------------------------------------------------------------------- cases


def test_empty_file(tmp_path: Path) -> None:
    good(tmp_path / "in")
    empty = tmp_path / "in" / "empty.txt"
    empty.write_bytes(b"")
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [f"warning: '{empty}' is empty (0 bytes); nothing to read"]
    assert run.returncode == EXIT_OK  # nothing was in it, so nothing was lost
    assert run.summary["articles"] == 1
    assert_good_processed(run)


def test_binary_file_renamed_txt(tmp_path: Path) -> None:
    good(tmp_path / "in")
    photo = tmp_path / "in" / "photo.txt"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16)
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"error: '{photo}' looks like a binary file, not text "
        "(it starts with the signature of a PNG image); not read"
    ]
    assert run.returncode == EXIT_SKIPPED
    assert run.summary["articles"] == 1
    assert_good_processed(run)


def test_cp1251_text(tmp_path: Path) -> None:
    good(tmp_path / "in")
    legacy = tmp_path / "in" / "cp.txt"
    body = (DATA / "ingest_cp1251.txt").read_bytes().decode("cp1251")
    legacy.write_bytes((body + "Харків обстріляли вранці.\n").encode("cp1251"))
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"warning: '{legacy}' is not UTF-8; decoded as 'cp1251' (a guess). "
        "Check the text, or save the file as UTF-8"
    ]
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    assert "cp" in run.place_articles()["Kharkiv"]  # decoded right: the Cyrillic name resolved
    assert_good_processed(run)


def test_utf16_with_bom(tmp_path: Path) -> None:
    good(tmp_path / "in")
    wide = tmp_path / "in" / "wide.txt"
    shutil.copyfile(DATA / "ingest_utf16.txt", wide)
    assert wide.read_bytes().startswith(b"\xff\xfe")
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == []  # a byte-order mark is not a guess: nothing to report
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    assert "wide" in run.place_articles()["Kharkiv"]
    assert_good_processed(run)


def test_100_mb_file(tmp_path: Path) -> None:
    good(tmp_path / "in")
    huge = tmp_path / "in" / "huge.txt"
    with huge.open("wb") as handle:  # sparse: the size limit is checked before reading
        handle.truncate(100 * 1024 * 1024)
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"error: '{huge}' is 100.0 MB, over the 50.0 MB size limit; not read. "
        "Raise the limit to read it anyway (geo build --max-file-mb 100, "
        "or max_bytes=104857600 in Python)"
    ]
    assert run.returncode == EXIT_SKIPPED
    assert run.summary["articles"] == 1
    assert_good_processed(run)


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Kharkiv shelled | Daily Planet</title>
<style>.Lviv { color: red }</style>
<script>var edition = "Poltava"; document.write("Uzhhorod");</script></head>
<body>
<nav><a href="/">Home</a> <a href="/lviv">Lviv</a> <a href="/dnipro">Dnipro news</a></nav>
<header><div class="masthead">Daily Planet, Zaporizhzhia edition</div></header>
<article>
<h1>Kharkiv shelled</h1>
<time datetime="2022-03-31T09:00:00+03:00">31 March</time>
<p>Shelling hit the centre of Kharkiv on Thursday, killing 4 people, officials said.</p>
<script>window.location = "https://example.org/Ternopil";</script>
<div class="share">Share on social media from Rivne</div>
</article>
<aside>Most read: Lutsk port reopens</aside>
<footer>© Daily Planet, Chernivtsi</footer>
</body></html>
"""


def test_html_page_with_scripts_styles_and_navigation(tmp_path: Path) -> None:
    good(tmp_path / "in")
    (tmp_path / "in" / "page.html").write_text(PAGE, encoding="utf-8")
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == []
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    places = run.place_articles()
    assert "page" in places["Kharkiv"]
    boilerplate = {
        "Lviv", "Poltava", "Uzhhorod", "Dnipro", "Zaporizhzhia", "Ternopil", "Rivne", "Lutsk",
        "Chernivtsi",
    }  # fmt: skip
    assert boilerplate.isdisjoint(places), sorted(boilerplate & set(places))
    quotes = " ".join(f["properties"]["quote"] for f in run.layer("events")["features"])
    assert "Shelling hit the centre of Kharkiv" in quotes
    assert "document.write" not in quotes and "window.location" not in quotes
    assert_good_processed(run)


def test_jsonl_with_broken_lines(tmp_path: Path) -> None:
    good(tmp_path / "in")
    wire = tmp_path / "in" / "wire.jsonl"
    w1 = {"id": "w1", "text": "Shelling hit Kharkiv, killing 4 people.", "date": "2022-03-29"}
    w3 = {"id": "w3", "text": "Shelling was reported in Chernihiv.", "date": "2022-03-30"}
    wire.write_text(
        json.dumps(w1)
        + "\n"
        + '{"id": "w2", "text": "Fighting continued near Sumy."\n'
        + "not json at all\n"
        + json.dumps(w3)
        + "\n",
        encoding="utf-8",
    )
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"error: '{wire}' line 2: not valid JSON (Expecting ',' delimiter at column 53); "
        "line skipped",
        f"error: '{wire}' line 3: not valid JSON (Expecting value at column 1); line skipped",
    ]
    # A line that could not be read is an article lost: exit status 3, like a skipped file.
    assert run.returncode == EXIT_SKIPPED
    assert run.summary["articles"] == 3
    assert {"w1", "w3", "good"} <= run.articles_on_map()
    assert_good_processed(run)


def test_same_article_twice(tmp_path: Path) -> None:
    first = good(tmp_path / "in", "a.txt")
    second = good(tmp_path / "in", "b.txt")
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"warning: '{second}': article 'b' has the same text as article 'a' from '{first}'; "
        "kept the first, skipped this copy"
    ]
    assert run.returncode == EXIT_OK  # de-duplicated on purpose: nothing lost
    assert run.summary["articles"] == 1
    assert run.place_articles()["Mykolaiv"] == {"a"}
    [record] = [
        f for f in run.layer("casualties")["features"] if f["properties"]["place"] == "Mykolaiv"
    ]
    assert record["properties"]["n_sources"] == 1  # not counted twice
    assert_good_processed(run, "a")


def test_malformed_date_line(tmp_path: Path) -> None:
    good(tmp_path / "in")
    bad = tmp_path / "in" / "bad-date.txt"
    bad.write_text(
        "date 2022-13-45\nShelling hit the centre of Kharkiv, killing 4 people.\n", encoding="utf-8"
    )
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"warning: '{bad}' line 1: malformed date '2022-13-45' (expected 'date YYYY-MM-DD'); "
        "date left empty, text kept"
    ]
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    events = [f["properties"] for f in run.layer("events")["features"]]
    assert [e["date"] for e in events if e["article"] == "bad-date"] == [None]
    assert_good_processed(run)


def test_missing_date_line(tmp_path: Path) -> None:
    good(tmp_path / "in")
    (tmp_path / "in" / "undated.txt").write_text(
        "Shelling hit the centre of Kharkiv, killing 4 people.\n", encoding="utf-8"
    )
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == []  # the date line is optional; the map says "date unknown"
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    events = [f["properties"] for f in run.layer("events")["features"]]
    assert [e["date"] for e in events if e["article"] == "undated"] == [None]
    assert "date unknown" in (run.out / "maps" / "index.html").read_text(encoding="utf-8")
    assert_good_processed(run)


def _unprivileged_prefix() -> tuple[str, ...]:
    """A command prefix under which permission bits apply (root ignores them)."""
    if os.geteuid() != 0:
        return ()
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare: file permissions cannot be tested")
    prefix = (unshare, "--map-user=1000", "--map-group=1000")
    probe = subprocess.run([*prefix, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"running as root and unshare is not allowed here: {probe.stderr!r}")
    return prefix


def test_file_that_cannot_be_read(tmp_path: Path) -> None:
    prefix = _unprivileged_prefix()
    good(tmp_path / "in")
    locked = tmp_path / "in" / "locked.txt"
    locked.write_text("Shelling hit Kharkiv.\n", encoding="utf-8")
    locked.chmod(0)
    try:
        run = geo_build(tmp_path / "in", out=tmp_path / "out", prefix=prefix)
    finally:
        locked.chmod(0o644)
    assert run.problems == [
        f"error: '{locked}' cannot be read: permission denied. Check the file's permissions"
    ]
    assert run.returncode == EXIT_SKIPPED
    assert run.summary["articles"] == 1
    assert_good_processed(run)


def test_folder_with_a_symlink_loop(tmp_path: Path) -> None:
    good(tmp_path / "in")
    (tmp_path / "in" / "sub").mkdir()
    good(tmp_path / "in" / "sub", "other.txt").write_text(
        "Shelling was reported in Kharkiv on Tuesday.\n", encoding="utf-8"
    )
    loop = tmp_path / "in" / "sub" / "back"
    loop.symlink_to("..", target_is_directory=True)
    run = geo_build(tmp_path / "in", out=tmp_path / "out", timeout=60)
    assert run.problems == [
        f"warning: '{loop}' is a symbolic link loop (it points back to '..', a folder already "
        "being read); not followed"
    ]
    assert run.returncode == EXIT_OK  # every file was read once; nothing lost
    assert run.summary["articles"] == 2  # each file read once, not once per trip round the loop
    assert_good_processed(run)


def test_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    folder = tmp_path / "вхідні дані" / "zprávy ünï 2022"
    good(folder, "Миколаїв звіт (1).txt")
    empty = folder / "порожній файл.txt"
    empty.write_bytes(b"")
    out = tmp_path / "вихід out ü"
    run = geo_build(tmp_path / "вхідні дані", out=out)
    assert run.problems == [f"warning: '{empty}' is empty (0 bytes); nothing to read"]
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 1
    assert f"wrote {out / 'layers' / 'places.geojson'}" in run.lines
    assert f"wrote {out / 'maps' / 'index.html'}" in run.lines
    [article] = run.articles_on_map()
    assert re.fullmatch(r"[A-Za-z0-9._-]+", article), article  # a file-name-safe id
    assert_good_processed(run, article)


def test_article_that_mentions_no_place(tmp_path: Path) -> None:
    good(tmp_path / "in")
    nowhere = tmp_path / "in" / "nowhere.txt"
    nowhere.write_text(
        "date 2022-03-30\nMarkets were calm on Wednesday and 3 people were injured in a fall.\n",
        encoding="utf-8",
    )
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"warning: '{nowhere}': article 'nowhere' mentions no place the gazetteer knows; "
        "it is not on the map"
    ]
    assert run.returncode == EXIT_OK  # read and counted; there is just nothing to draw
    assert run.summary["articles"] == 2
    assert "nowhere" not in run.articles_on_map()
    assert_good_processed(run)


def _settlement_names(n: int) -> list[str]:
    import pandas as pd

    from geo.settings import data_dir

    places = pd.read_parquet(
        data_dir / "places.parquet", columns=["name", "country", "kind", "population"]
    )
    ua = places[(places["country"] == "UA") & (places["kind"] == "settlement")]
    ordered = ua.sort_values(["population", "name"], ascending=[False, True], kind="stable")
    names = list(dict.fromkeys(ordered["name"]))[:n]
    assert len(names) == n
    return names


def test_article_with_10000_place_names(tmp_path: Path) -> None:
    good(tmp_path / "in")
    names = _settlement_names(10_000)
    (tmp_path / "in" / "list.txt").write_text(
        "date 2022-03-30\nAir raid alerts were declared in " + ", ".join(names) + ".\n",
        encoding="utf-8",
    )
    try:
        run = geo_build(tmp_path / "in", out=tmp_path / "out", timeout=90)
    except subprocess.TimeoutExpired:
        pytest.fail("geo build of one article naming 10,000 places took more than 90 s")
    assert run.problems == []
    assert run.returncode == EXIT_OK
    assert run.summary["articles"] == 2
    assert run.summary["places"] >= 9_000
    assert_good_processed(run)


# ----------------------------------------------------------------------------- output


def test_names_and_values_that_look_like_markup_are_printed_verbatim(tmp_path: Path) -> None:
    good(tmp_path / "in")
    draft = tmp_path / "in" / "report [draft] [bold red].txt"
    draft.write_bytes(b"")
    wire = tmp_path / "in" / "wire.jsonl"
    wire.write_text(
        json.dumps({"id": "w1", "text": "Shelling hit Kharkiv.", "date": "[/] [link=x]"}) + "\n",
        encoding="utf-8",
    )
    run = geo_build(tmp_path / "in", out=tmp_path / "out")
    assert run.problems == [
        f"warning: '{draft}' is empty (0 bytes); nothing to read",
        f"warning: '{wire}' line 1: malformed date '[/] [link=x]' (expected 'YYYY-MM-DD'); "
        "date left empty, text kept",
    ]
    assert run.returncode == EXIT_OK
    assert_good_processed(run)


def test_messages_are_not_wrapped(tmp_path: Path) -> None:
    """Redirected to a log file, a message stays on one line whatever its length."""
    folder = tmp_path / ("a folder with a rather long name " * 3).strip()
    good(folder)
    empty = folder / ("an empty file with a long name " * 3).strip().replace(" ", "_")
    empty = empty.with_suffix(".txt")
    empty.write_bytes(b"")
    env = child_env()
    del env["COLUMNS"]
    run = geo_build(folder, out=tmp_path / "out", env=env)
    assert f"warning: '{empty}' is empty (0 bytes); nothing to read" in run.lines
    assert SUMMARY.search(run.stderr)


def test_extract_skips_bad_files_and_exits_3(tmp_path: Path) -> None:
    good(tmp_path / "in")
    photo = tmp_path / "in" / "photo.txt"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    proc = subprocess.run(
        [sys.executable, "-m", "geo.cli", "extract", str(tmp_path / "in")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=child_env(),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == EXIT_SKIPPED
    assert (
        f"error: '{photo}' looks like a binary file, not text "
        "(it starts with the signature of a PNG image); not read"
    ) in proc.stderr.splitlines()
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["article"] == "good"
    assert any(m["name"] == "Mykolaiv" for m in record["mentions"])
