"""The dask engine gives byte-identical layers to the local engine, and fails clearly."""

from __future__ import annotations

import gc
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask engine needs dask[distributed]")

import geopandas as gpd
import pandas as pd
from distributed import Client, LocalCluster, get_task_stream
from typer.testing import CliRunner

import geo.pipeline
import geo.render
from geo import distributed
from geo._errors import InputError
from geo.cli import app
from geo.export import to_geojson
from geo.gazetteer import get_gazetteer
from geo.ingest import read_articles
from geo.layers import LAYER_NAMES
from geo.pipeline import (
    assemble_layers,
    build,
    dated_days,
    extract,
    reduce,
    reduce_partial,
    reduce_shard,
    shard_of,
)
from geo.render import render_map


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster of two single-threaded worker processes, shared by the module."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        # Even without a dashboard the scheduler serves /health; on a free local port, so
        # that two clusters at once (tests in parallel) don't warn about port 8787.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=50,
    ) as cluster:
        yield cluster.scheduler_address


def _same_layers(local: Path, dask: Path) -> None:
    for name in LAYER_NAMES:
        a = (local / "layers" / f"{name}.geojson").read_bytes()
        b = (dask / "layers" / f"{name}.geojson").read_bytes()
        assert json.loads(a)["type"] == "FeatureCollection"
        assert a == b, f"{name}.geojson differs between --engine local and --engine dask"


def _wire_jsonl(example_corpus: Path, path: Path, n: int = 200) -> Path:
    """~200 varied articles from the bundled ones, with the cases partitions must settle."""
    articles, _ = read_articles([example_corpus])
    towns = ["Bucha", "Irpin", "Sumy", "Odesa", "Poltava", "Dnipro", "Lviv", "Kherson"]
    lines = []
    for i in range(n):
        art = articles[i % len(articles)]
        text = art.text.replace("Mykolaiv", towns[i % len(towns)])
        text = re.sub(r"\b(\d{1,3})\b", lambda m, i=i: str(int(m.group()) + i), text)
        date = art.date
        if i % 25 == 7:  # undated wire copy: dated from its dateline and the others' dates
            date, text = None, "KYIV, March 29 (Reuters) - " + text
        lines.append({"id": f"a{i}", "date": date, "title": art.title, "text": text})
    lines[150] = dict(lines[3], id="dup-of-3")  # same text as an article in another partition
    lines[170] = dict(lines[170], id="a5")  # an id already used in another partition
    rows = [json.dumps(r) for r in lines]
    rows.insert(100, "{not json")  # a bad record: a warning with its line number
    rows.insert(120, "")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_example_corpus_dask_equals_local(
    example_corpus: Path, scheduler: str, tmp_path: Path
) -> None:
    local = build([example_corpus], tmp_path / "local", render=False)
    dask = build(
        [example_corpus], tmp_path / "dask", render=False, engine="dask", scheduler=scheduler
    )
    assert local.articles == dask.articles > 10
    assert local.problems == dask.problems
    _same_layers(tmp_path / "local", tmp_path / "dask")


def test_jsonl_in_byte_ranges_dask_equals_local(
    example_corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _wire_jsonl(example_corpus, tmp_path / "wire.jsonl")
    monkeypatch.setattr(distributed, "CHUNK_BYTES", 16 * 1024)
    plan, _ = distributed.plan_partitions([corpus], 4)
    assert len(plan) == 4
    assert all(u.path == str(corpus) and u.end is not None for p in plan for u in p.units)
    assert plan[0].units[0].first_line == 1
    assert plan[1].units[0].first_line > 1

    local = build([corpus], tmp_path / "local", render=False)
    dask = build(
        [corpus], tmp_path / "dask", render=False, engine="dask", scheduler=scheduler, partitions=4
    )
    assert local.articles == dask.articles == 199  # one duplicate skipped
    assert local.problems == dask.problems
    messages = " ".join(p.message for p in dask.problems)
    assert "same text as article 'a3'" in messages
    assert "id 'a5' is already used" in messages
    assert any(p.line == 101 for p in dask.problems)
    _same_layers(tmp_path / "local", tmp_path / "dask")


def test_partitions_are_equal_spans_whatever_the_file_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five files of 1.6 spans each: cut file by file, the last partition took three halves.
    monkeypatch.setattr(distributed, "CHUNK_BYTES", 1024)
    lines = [
        json.dumps({"id": f"r{i}", "text": "Shelling in Kyiv. " * (i % 7 + 1)}) for i in range(900)
    ]
    files = []
    for k in range(5):
        files.append(tmp_path / f"part-{k}.jsonl")
        files[-1].write_text("\n".join(lines[k * 180 : (k + 1) * 180]) + "\n", encoding="utf-8")
    small = tmp_path / "small.txt"  # a file that cannot be cut goes whole to one partition
    small.write_text("Fighting in Sumy.", encoding="utf-8")
    plan, _ = distributed.plan_partitions([*files, small], 8)
    sizes = [p.size for p in plan]
    total = sum(f.stat().st_size for f in [*files, small])
    assert len(plan) == 8 and sum(sizes) == total
    longest_line = max(len(line) + 1 for line in lines)
    assert max(sizes) - min(sizes) <= 2 * longest_line + small.stat().st_size
    units = [u for p in plan for u in p.units]
    assert [p.index for p in plan] == list(range(8))
    for path in files:  # each file's ranges in order, end to end, lines numbered from 1
        ranges = [u for u in units if u.path == str(path)]
        assert ranges[0].start == 0 and ranges[-1].end == path.stat().st_size
        assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
        data = path.read_bytes()
        assert all(u.first_line == data.count(b"\n", 0, u.start) + 1 for u in ranges)
        assert [u.part for u in ranges] == list(range(len(ranges)))
    assert units[-1] == distributed.Unit(str(small), units[-1].key, False, small.stat().st_size)


def test_many_partitions_come_back_in_input_order_and_workers_encode_layers(
    example_corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = _wire_jsonl(example_corpus, tmp_path / "wire.jsonl")
    monkeypatch.setattr(distributed, "CHUNK_BYTES", 4 * 1024)
    articles, _ = read_articles([corpus])
    with distributed.dask_engine(scheduler) as engine:
        assert engine.workers == 2
        # Partitions finish in any order; they are read back as they finish.
        results, problems = engine.extract([corpus], partitions=12)
        assert [r.article.id for r in results] == [a.id for a in articles]
        layers = reduce(results)
        texts = engine.geojson(layers)
        for name in LAYER_NAMES:
            assert texts[name]() == to_geojson(layers[name])
        basemap = get_gazetteer().areas_frame()
        with get_task_stream(client=engine.client) as stream:
            render_map(layers, tmp_path / "dask.html", basemap=basemap, start=engine.start)
        packs = [t for t in stream.data if t["key"].startswith("packed-")]
        assert len(packs) == 7  # boundaries, three zone layers, places, events, casualties
    render_map(layers, tmp_path / "here.html", basemap=basemap)
    assert (tmp_path / "dask.html").read_bytes() == (tmp_path / "here.html").read_bytes()
    assert sum(p.severity == "warning" for p in problems) >= 2  # duplicate text, id clash


def test_engine_reduce_keeps_its_layers_on_the_workers(
    example_corpus: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layers the client gets are also made on a worker: encoding them sends no frame."""
    with distributed.dask_engine(scheduler) as engine:
        reduction = engine.reduce([example_corpus], partitions=3)
        scattered: list[object] = []
        monkeypatch.setattr(engine.client, "scatter", lambda data, **_: scattered.append(data))
        texts = engine.geojson(reduction.layers)
        encoded = {name: text() for name, text in texts.items()}
        assert scattered == []
    articles, _ = read_articles([example_corpus])
    local = reduce([extract(a) for a in articles])
    for name in LAYER_NAMES:
        assert encoded[name] == to_geojson(reduction.layers[name]) == to_geojson(local[name])


def test_layers_reduced_in_runs_and_shards_equal_layers_reduced_at_once(
    example_corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    articles, _ = read_articles([_wire_jsonl(example_corpus, tmp_path / "wire.jsonl")])
    results = [extract(a) for a in articles]
    with caplog.at_level("WARNING", logger="geo.pipeline"):
        whole = reduce(results)
    assert "from its dateline" in caplog.text
    runs = [results[:37], results[37:120], results[120:]]
    partials = [reduce_partial(run, dated=dated_days(results), shards=5) for run in runs]
    assert sum(len(p.notes) for p in partials) == caplog.text.count("from its dateline") > 0
    # Some statement names places of several shards: each shard gets its own places.
    assert any(
        len({shard_of(m.place.id, 5) for m in st.places if m.place}) > 1
        for r in results
        for st in r.statements
    )
    shards = [reduce_shard(p.shards[k] for p in partials) for k in range(5)]
    pieces = assemble_layers((p.events for p in partials), shards)
    for name in LAYER_NAMES:
        assert len(pieces[name]) > 0
        assert to_geojson(pieces[name]) == to_geojson(whole[name]), name


def test_partitions_are_written_as_geoparquet(
    example_corpus: Path, scheduler: str, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    results, problems = distributed.extract_dask(
        [example_corpus], scheduler=scheduler, partitions=2, work_dir=work
    )
    assert not problems
    parts = sorted(work.glob("part-*"))
    assert len(parts) == 2
    mentions = gpd.read_parquet(parts[0] / "mentions.parquet")
    assert mentions.crs.to_epsg() == 4326
    assert {"article", "start", "end", "place_id"} <= set(mentions.columns)
    events = gpd.read_parquet(parts[1] / "events.parquet")
    assert events.crs.to_epsg() == 4326
    first = mentions.iloc[0]
    assert -90 <= first.geometry.y <= 90 and -180 <= first.geometry.x <= 180  # lon, lat
    assert len(results) == len(read_articles([example_corpus])[0])


def test_build_writes_the_kept_articles_of_each_partition_as_geoparquet(
    example_corpus: Path, scheduler: str, tmp_path: Path
) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    for path in sorted(example_corpus.iterdir()):
        (corpus / path.name).write_bytes(path.read_bytes())
    copy = next(p for p in sorted(corpus.iterdir()) if p.suffix == ".txt")
    (corpus / f"zz-{copy.name}").write_bytes(copy.read_bytes())  # a duplicate, read last
    work = tmp_path / "work"
    summary = build(
        [corpus], tmp_path / "out", render=False, engine="dask", scheduler=scheduler,
        partitions=3, work_dir=work,
    )  # fmt: skip
    assert any("same text" in p.message for p in summary.problems)
    parts = sorted(work.glob("part-*"))
    assert len(parts) == 3
    mentions = pd.concat([gpd.read_parquet(p / "mentions.parquet") for p in parts])
    events = pd.concat([gpd.read_parquet(p / "events.parquet") for p in parts])
    assert mentions["article"].nunique() == summary.articles  # the copy is not there
    layer = gpd.read_file(tmp_path / "out" / "layers" / "events.geojson")
    assert sorted(events["id"]) == sorted(layer["id"])


def _oldest_threshold() -> int:
    return gc.get_threshold()[2]


def test_full_collections_are_suspended_while_building_and_given_back(
    example_corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the client and in every worker: the workers of a shared cluster outlive a build."""
    before = gc.get_threshold()
    finish = geo.pipeline._finish
    with Client(scheduler) as client:
        workers_before = client.run(gc.get_threshold)
        during: list[int] = []

        def spy(*args: object, **kwargs: object) -> object:
            during.append(_oldest_threshold())
            during.extend(client.run(_oldest_threshold).values())
            return finish(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(geo.pipeline, "_finish", spy)
        build([example_corpus], tmp_path, render=False, engine="dask", scheduler=scheduler)
        assert client.run(gc.get_threshold) == workers_before
    assert gc.get_threshold() == before
    assert len(during) == 3
    assert min(during) > 10**9 > max(before[2], *(t[2] for t in workers_before.values()))


def test_a_failed_map_leaves_the_previous_layers_and_no_staging_folder(
    example_corpus: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layers are written while the map is drawn; a failed map still commits nothing."""
    build([example_corpus], tmp_path, render=False)
    before = {p.name: p.read_bytes() for p in (tmp_path / "layers").iterdir()}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the map failed")

    monkeypatch.setattr(geo.render, "render_map", broken)
    with pytest.raises(RuntimeError, match="the map failed"):
        build([example_corpus], tmp_path, engine="dask", scheduler=scheduler)
    assert {p.name: p.read_bytes() for p in (tmp_path / "layers").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layers"]


def test_work_dir_needs_the_dask_engine(example_corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--engine dask"):
        build([example_corpus], tmp_path, render=False, work_dir=tmp_path / "work")


def test_bad_scheduler_address_is_a_clear_error(
    example_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(distributed.SchedulerError, match=r"cannot reach the dask scheduler"):
        distributed.extract_dask([example_corpus], scheduler="tcp://127.0.0.1:9", partitions=None)


def test_cli_bad_scheduler_exits_without_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["build", "--engine", "dask", "--scheduler", "nonsense", "--out", str(tmp_path)],
    )
    assert result.exit_code != 0
    assert "cannot reach the dask scheduler at 'nonsense'" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, distributed.SchedulerError)
