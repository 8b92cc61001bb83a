"""The pipeline's stages on dask.distributed: partitions of files in, layer rows out.

:meth:`DaskEngine.reduce` is the ``engine="dask"`` branch of :func:`geo.pipeline.build`.
It gives exactly the layers the local engine reduces from :func:`geo.ingest.read_articles`
and :func:`geo.pipeline.extract`, byte for byte, with the per-article and most of the
cross-article work on the workers; :func:`extract_dask` gives the per-article results
themselves, in the local engine's order.

How a run goes:

1. **Plan** (client). The inputs are walked the way :func:`geo.ingest.iter_articles` walks
   them (same files, same order, same ids). The input, end to end, is cut into
   ``partitions`` equal spans of bytes (four per worker by default); each file is a *unit*,
   except that a plain UTF-8 JSON Lines file a span ends in is cut there into byte ranges
   at line boundaries, each unit remembering the line number it starts at. A partition is
   the units of one span. Only paths and byte offsets are shipped.
2. **Map** (workers). Each worker reads its own partition from disk and runs
   :func:`geo.pipeline.extract` on every article (:func:`extract_partition`). The
   results stay on the worker; the client receives only the reading log (problems, and
   per article its dedup key, id, location, date and two counts), as soon as each
   partition is done. The gazetteer is never sent from the client: each worker process
   loads it once from disk through the module-level cache of
   :func:`geo.gazetteer.get_gazetteer` and keeps it for every partition it runs.
3. **Settle** (client). Duplicate texts and id collisions *across* partitions are settled
   from the logs in partition order the way the local reader settles them (the first copy
   wins; a later article whose id is taken gets a salted id and is extracted again on its
   worker, which only happens for such collisions).
4. **Reduce** (workers). Each partition is reduced where it was extracted
   (:func:`reduce_partition`, see :func:`geo.pipeline.reduce_partial`): articles are
   dated from their datelines with the dates of the whole build, events become rows, and
   places, events to reconcile and statements are cut into shards by place id. Each shard
   is then reconciled, zoned and counted on a worker (:func:`reduce_shard_of`): these
   stages only ever compare things at the same place. The client fetches the rows and
   concatenates them into the four layers (:func:`geo.pipeline.assemble_layers`), and a
   worker makes the same four layers of the same rows (:func:`assemble_on_worker`).
5. **Encode** (workers). In ``geo build`` the workers use the layers they made, so none
   is sent back. They pack the map's data layers (:meth:`DaskEngine.start`,
   :func:`geo.render.packed`) and then encode the layers as GeoJSON
   (:func:`geo.export.to_geojson`, at a lower priority), while the client places the
   labels and assembles the page, and a client thread writes each GeoJSON text as it comes.

Workers suspend the garbage collector's full collections while the engine is open
(:mod:`geo._collector`), and records cross processes pickled as their class and field
values (:class:`geo.types.Record`).

With a ``work_dir``, each partition's resolved mentions and located events are also written
there as GeoParquet (:func:`write_partition`): in ``geo build`` the articles kept once
duplicates are settled, from :meth:`DaskEngine.extract` (and :func:`extract_dask`), which
gathers the per-article results themselves, every article extracted.

Inputs and ``work_dir`` must be visible under the same paths on the client and every
worker (one machine, or a shared file system on a cluster).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import itertools
import logging
import operator
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import pandas as pd

from geo._collector import hold_full_collections, release_full_collections
from geo._errors import GeoError, InputError
from geo.ingest import (
    MAX_BYTES,
    Problem,
    _binary_reason,
    _jsonl_articles,
    _kind_of,
    _normalise,
    _read_file,
    _RejectError,
    _State,
    _stem,
    _Walk,
    _walk_folder,
    safe_id,
)
from geo.types import Article, Place, Record

T = TypeVar("T")

if TYPE_CHECKING:
    import geopandas as gpd
    from distributed import Client, Future

    from geo.layers import LayerRows
    from geo.pipeline import ArticleResult, Partial, Reduction, ShardInput

logger = logging.getLogger(__name__)

__all__ = [
    "CHUNK_BYTES",
    "CONNECT_TIMEOUT",
    "PARTITIONS_PER_WORKER",
    "DaskEngine",
    "Extracted",
    "Partition",
    "SchedulerError",
    "Unit",
    "dask_engine",
    "extract_dask",
    "extract_partition",
    "plan_partitions",
    "reduce_partition",
    "reduce_shard_of",
    "write_partition",
]

CHUNK_BYTES = 1024 * 1024
"""A JSON Lines file is cut into byte ranges no smaller than this (1 MiB)."""

PARTITIONS_PER_WORKER = 4
"""Default partitions per worker: small enough that the last one to finish leaves little
idle time, and that the client reads results back while the other partitions still run."""

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler given by address before giving up."""

_UTF8_BOM = b"\xef\xbb\xbf"


class SchedulerError(GeoError, ConnectionError):
    """The dask scheduler cannot be reached, or dask is not installed."""


@dataclass(frozen=True, slots=True)
class Unit(Record):
    """One file, or one byte range of a JSON Lines file, read by a single task.

    ``key`` and ``shared_stem`` are what :func:`geo.ingest.iter_articles` derives from the
    whole walk (they make ids unique across files with the same stem). ``start``/``end``
    are byte offsets (``end`` ``None``: the whole file); ``first_line`` is the 1-based line
    number at ``start``; ``part``/``parts`` number the ranges of one file.
    """

    path: str
    key: str
    shared_stem: bool
    size: int
    start: int = 0
    end: int | None = None
    first_line: int = 1
    part: int = 0
    parts: int = 1


@dataclass(frozen=True, slots=True)
class Partition(Record):
    """Consecutive units, processed in order by one task."""

    index: int
    units: tuple[Unit, ...]

    @property
    def size(self) -> int:
        """Bytes of input in the partition."""
        return sum((u.end if u.end is not None else u.size) - u.start for u in self.units)


# --------------------------------------------------------------------------- planning


def _walk(paths: Sequence[Path]) -> _Walk:
    """The files :func:`geo.ingest.iter_articles` would read, in its order."""
    walk = _Walk()
    for path in paths:
        if path.is_dir():
            _walk_folder(path, recursive=True, walk=walk)
        else:
            walk.files.append((path, str(path)))
    return walk


def _splittable(path: Path, size: int, max_bytes: int) -> bytes | None:
    """The file's bytes if it is a JSON Lines file that may be cut at newlines, else None.

    Only plain UTF-8 files without carriage returns or a byte-order mark qualify: for them
    reading a byte range decodes and numbers lines exactly as reading the whole file.
    Anything else (``.gz``, legacy encodings, files over the size limit) is one unit, so
    that the worker reports it exactly as the local reader would.
    """
    if _kind_of(path) != "jsonl" or path.name.lower().endswith(".gz"):
        return None
    if size > max_bytes or size < 2 * CHUNK_BYTES:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if (
        data.startswith((_UTF8_BOM, b"\xff\xfe", b"\xfe\xff"))
        or b"\r" in data
        or b"\x00" in data
        or _binary_reason(data[:65_536]) is not None
        or not data.strip()
    ):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return data


def _file_units(
    path: Path, key: str, shared: bool, size: int, cuts: Sequence[int], *, max_bytes: int
) -> list[Unit]:
    """The units of one file: byte ranges ending at the first newline from each of ``cuts``.

    A file is one unit when it cannot be cut (see :func:`_splittable`) or when every cut
    would leave a range under :data:`CHUNK_BYTES`.
    """
    data = _splittable(path, size, max_bytes) if cuts else None
    if data is None:
        return [Unit(str(path), key, shared, size)]
    bounds = [0]
    for cut in cuts:
        end = data.find(b"\n", max(cut, bounds[-1])) + 1
        if end - bounds[-1] >= CHUNK_BYTES and size - end >= CHUNK_BYTES:
            bounds.append(end)
    bounds.append(size)
    units = []
    line = 1
    for k, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        units.append(Unit(str(path), key, shared, size, lo, hi, line, k, len(bounds) - 1))
        line += data.count(b"\n", lo, hi)
    return units


def plan_partitions(
    paths: Sequence[str | Path], partitions: int, *, max_bytes: int | None = None
) -> tuple[list[Partition], list[Problem]]:
    """Cut the inputs into ``partitions`` partitions of consecutive units of similar size.

    The inputs, end to end, are cut into ``partitions`` equal spans of bytes. A JSON Lines
    file that a cut falls in is cut there (at the next newline); every other file is a
    unit of its own. Each unit goes to the span its middle byte is in, so a partition is
    a span give or take a file that cannot be cut, and spans without units are dropped.

    Parameters
    ----------
    paths
        Files and folders, as for :func:`geo.ingest.read_articles`.
    partitions
        How many partitions to aim for; fewer when there is not enough input to cut.
    max_bytes
        The per-file size limit of :func:`geo.ingest.read_articles` (``None``: 50 MB).

    Returns
    -------
    tuple
        The partitions, in input order, and the problems met while walking folders.

    Examples
    --------
    >>> plan_partitions([], 4)
    ([], [])
    """
    if partitions < 1:
        msg = f"partitions must be at least 1, got {partitions!r}"
        raise InputError(msg)
    limit = MAX_BYTES if max_bytes is None else max_bytes
    walk = _walk([Path(p) for p in paths])
    stems: dict[str, int] = {}
    for path, _ in walk.files:
        stems[_stem(path)] = stems.get(_stem(path), 0) + 1
    sizes = []
    for path, _ in walk.files:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)  # reported by the worker exactly as the local reader reports it
    total = sum(sizes)
    spans = [total * k // partitions for k in range(1, partitions)]
    units: list[Unit] = []
    at = 0
    for (path, key), size in zip(walk.files, sizes, strict=True):
        cuts = [span - at for span in spans if at < span < at + size]
        shared = stems[_stem(path)] > 1
        units.extend(_file_units(path, key, shared, size, cuts, max_bytes=limit))
        at += size
    groups: dict[int, list[Unit]] = {}
    at = 0
    for unit in units:
        length = (unit.end if unit.end is not None else unit.size) - unit.start
        span = min(partitions - 1, (2 * at + length) * partitions // (2 * total)) if total else 0
        groups.setdefault(span, []).append(unit)
        at += length
    planned = [Partition(i, tuple(group)) for i, group in enumerate(groups.values())]
    return planned, list(walk.problems)


# --------------------------------------------------------------------------- reading


class _Recording(dict[str, Any]):
    """A dict that never reports a key as present, and records what is stored in it.

    Given as ``_State.texts`` and ``_State.ids`` it makes the reader of
    :mod:`geo.ingest` admit every article under its own id; the stored values are the
    dedup keys, ids and locations the client needs to settle duplicates across partitions.
    """

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, Any]] = []

    def get(self, key: str, default: Any = None) -> Any:
        return default

    def __contains__(self, key: object) -> bool:
        return False

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append((key, value))


@dataclass(frozen=True, slots=True)
class _Read(Record):
    """An article as read, before duplicates and id collisions are settled."""

    article: Article
    dedup_key: str
    where: str


_Item = tuple[Literal["problem", "empty"], Problem] | tuple[Literal["article"], _Read]


def _read_unit(unit: Unit, *, max_bytes: int) -> Iterator[_Item]:
    """Yield what reading ``unit`` gives, in reading order, without settling duplicates."""
    path = Path(unit.path)
    texts = _Recording()
    state = _State(ids=_Recording(), texts=texts)
    if unit.end is None:
        items: Iterator[Article | Problem] = _read_file(
            path, key=unit.key, shared_stem=unit.shared_stem, max_bytes=max_bytes, state=state
        )
    else:
        with path.open("rb") as handle:
            handle.seek(unit.start)
            data = handle.read(unit.end - unit.start)
        # Blank lines are skipped by the reader, so this numbers lines as in the whole file.
        text = "\n" * (unit.first_line - 1) + _normalise(data.decode("utf-8"))
        items = _jsonl_articles(path, text, state=state)
    held: Problem | None = None  # a ranged unit's last problem may speak for the whole file
    articles = 0
    try:
        for item in items:
            if isinstance(item, Article):
                key, (_, where) = texts.log[-1]
                articles += 1
                if held is not None:
                    yield "problem", held
                    held = None
                yield "article", _Read(item, key, where)
            elif unit.parts > 1:
                if held is not None:
                    yield "problem", held
                held = item
            else:
                yield "problem", item
    except _RejectError as exc:
        message = f"{str(path)!r} {exc.message}"
        yield "problem", Problem(str(path), message, exc.severity)
    except Exception as exc:  # the local reader's rule: one bad file never stops the rest
        logger.debug("unexpected error reading %s", path, exc_info=True)
        message = f"{str(path)!r} could not be read: unexpected {type(exc).__name__}: {exc}"
        yield "problem", Problem(str(path), message)
    if held is None:
        return
    if articles == 0 and held.line is None:
        # "holds no usable JSON Lines records" ends a range without records; it is only
        # true if no range of the file had one, which the client decides from the last range.
        if unit.part == unit.parts - 1:
            yield "empty", held
        return
    yield "problem", held


@dataclass(frozen=True, slots=True)
class _Key(Record):
    """What the client needs of an article to settle duplicates and to sum up a build."""

    dedup_key: str
    id: str
    path: str | None
    where: str
    date: str | None
    placed: bool
    """Whether a mention resolved to a place."""
    figures: int
    extracted: bool
    """False for a text read before in the same partition: a duplicate, not extracted."""


_Entry = tuple[str, Problem | _Key]
"""A reading log entry: ("problem" | "empty", Problem) or ("article", _Key)."""


@dataclass(slots=True)
class Extracted:
    """One partition read and extracted; it stays on its worker until it is reduced.

    ``log`` is the reading log (problems and articles in reading order), small enough for
    the client; ``articles`` and ``results`` hold each article of the log in the same order
    (``None``: a duplicate within the partition).
    """

    index: int
    log: list[_Entry]
    articles: list[Article]
    results: list[ArticleResult | None]
    seconds: float
    cpu: float


def extract_partition(partition: Partition, *, max_bytes: int | None = None) -> Extracted:
    """Read one partition and run :func:`geo.pipeline.extract` on every article (a worker task)."""
    from geo.pipeline import extract

    started = time.perf_counter()
    cpu = time.process_time()
    limit = MAX_BYTES if max_bytes is None else max_bytes
    done = Extracted(partition.index, [], [], [], 0.0, 0.0)
    seen: set[str] = set()
    for unit in partition.units:
        for kind, value in _read_unit(unit, max_bytes=limit):
            if not isinstance(value, _Read):
                done.log.append((kind, value))
                continue
            # A text already read in this partition is a duplicate whatever came before.
            article = value.article
            result = None if value.dedup_key in seen else extract(article)
            seen.add(value.dedup_key)
            done.articles.append(article)
            done.results.append(result)
            key = _Key(
                value.dedup_key, article.id, article.path, value.where, article.date,
                placed=result is not None and any(m.place is not None for m in result.mentions),
                figures=len(result.figures) if result is not None else 0,
                extracted=result is not None,
            )  # fmt: skip
            done.log.append(("article", key))
    done.seconds = time.perf_counter() - started
    done.cpu = time.process_time() - cpu
    return done


def _log_of(extracted: Extracted) -> list[_Entry]:
    return extracted.log


def _points(places: Sequence[Place]) -> gpd.GeoSeries:
    import geopandas as gpd
    from shapely import points

    coords = points([p.lon for p in places], [p.lat for p in places]) if places else []
    return gpd.GeoSeries(coords, crs="EPSG:4326")


def write_partition(
    extracted: Extracted, work_dir: str, kept: Sequence[_Kept] | None = None
) -> str:
    """Write a partition's resolved mentions and events as GeoParquet (a worker task).

    Under ``<work_dir>/part-NNNNN/``: ``mentions.parquet``, one point per resolved place
    mention (article, start, end, text, place id, role, precision, score), and
    ``events.parquet``, one point per event with a place (id, article, type, date,
    precision, number of figures); both EPSG:4326. With ``kept``, only the articles kept
    once duplicates across partitions are settled, under their final ids; otherwise every
    article the partition extracted.

    Returns
    -------
    str
        The partition's folder.
    """
    results = (
        [r for r in extracted.results if r is not None]
        if kept is None
        else _kept_results(extracted, kept)
    )
    return _write_results(extracted.index, results, work_dir)


def _write_results(index: int, results: Sequence[ArticleResult], work_dir: str) -> str:
    """Write ``results`` as partition ``index``'s GeoParquet files (see :func:`write_partition`)."""
    import geopandas as gpd

    folder = Path(work_dir) / f"part-{index:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    mentions = [(r.article.id, m, m.place) for r in results for m in r.mentions if m.place]
    mention_frame = gpd.GeoDataFrame(
        {
            "article": [a for a, _, _ in mentions],
            "start": [m.start for _, m, _ in mentions],
            "end": [m.end for _, m, _ in mentions],
            "text": [m.text for _, m, _ in mentions],
            "place_id": [p.id for _, _, p in mentions],
            "role": [m.role for _, m, _ in mentions],
            "precision": [m.precision for _, m, _ in mentions],
            "score": [m.score for _, m, _ in mentions],
        },
        geometry=_points([p for _, _, p in mentions]),
    )
    events = [(e, e.place) for r in results for e in r.events if e.place]
    event_frame = gpd.GeoDataFrame(
        {
            "id": [e.id for e, _ in events],
            "article": [e.article for e, _ in events],
            "event_type": [e.event_type for e, _ in events],
            "sub_event_type": [e.sub_event_type for e, _ in events],
            "date": [e.date for e, _ in events],
            "place_id": [p.id for _, p in events],
            "precision": [e.precision for e, _ in events],
            "figures": [len(e.figures) for e, _ in events],
        },
        geometry=_points([p for _, p in events]),
    )
    mention_frame.to_parquet(folder / "mentions.parquet", index=False)
    event_frame.to_parquet(folder / "events.parquet", index=False)
    return str(folder)


# --------------------------------------------------------------------------- reducing


@dataclass(frozen=True, slots=True)
class _Kept(Record):
    """An article kept after settling: where its result is, and its id from now on."""

    partition: int
    position: int
    """Its place among the partition's articles (:attr:`Extracted.articles`)."""
    key: _Key
    new_id: str | None
    """The salted id of an article whose id was taken; ``None``: it keeps its id."""


def _settle(
    logs: Sequence[list[_Entry]], walk_problems: Sequence[Problem]
) -> tuple[list[_Kept], list[Problem]]:
    """Replay the reading logs in order, settling duplicates as :mod:`geo.ingest` does."""
    ids: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    kept: list[_Kept] = []
    problems = list(walk_problems)
    with_records: set[str] = set()
    for index, log in enumerate(logs):
        position = -1
        for kind, value in log:
            if isinstance(value, Problem):
                # An "empty" file: see _read_unit.
                if kind == "problem" or value.path not in with_records:
                    problems.append(value)
                continue
            position += 1
            read = value
            path = read.path or read.where
            with_records.add(path)
            # JSON Lines records are located as "path:LINE"; files by their path.
            line = int(read.where.rpartition(":")[2]) if read.where != path else None
            first = texts.get(read.dedup_key)
            if first is not None:
                first_id, first_where = first
                message = (
                    f"{read.where!r}: article {read.id!r} has the same text as article "
                    f"{first_id!r} from {first_where!r}; kept the first, skipped this copy"
                )
                problems.append(Problem(path, message, "warning", line=line))
                continue
            new_id = None
            if read.id in ids:
                new_id = safe_id(read.id, salt=read.where)
                message = (
                    f"{read.where!r}: id {read.id!r} is already used by {ids[read.id]!r}; "
                    f"this article gets id {new_id!r}"
                )
                problems.append(Problem(path, message, "warning", line=line))
            ids[new_id or read.id] = read.where
            texts[read.dedup_key] = (new_id or read.id, read.where)
            assert read.extracted  # only a duplicate within a partition was not extracted
            kept.append(_Kept(index, position, read, new_id))
    return kept, problems


def _by_partition(kept: Sequence[_Kept], partitions: int) -> list[list[_Kept]]:
    """The kept articles of each partition, in order."""
    out: list[list[_Kept]] = [[] for _ in range(partitions)]
    for item in kept:
        out[item.partition].append(item)
    return out


def _kept_results(extracted: Extracted, kept: Sequence[_Kept]) -> list[ArticleResult]:
    """The results of a partition's kept articles; those given a new id are extracted again."""
    from geo.pipeline import extract

    results = []
    for item in kept:
        result = extracted.results[item.position]
        if item.new_id is not None:
            article = extracted.articles[item.position]
            result = extract(dataclasses.replace(article, id=item.new_id))
        assert result is not None
        results.append(result)
    return results


def reduce_partition(
    extracted: Extracted,
    kept: Sequence[_Kept],
    *,
    dated: Sequence[str],
    shards: int,
    work_dir: str | None = None,
) -> Partial:
    """Reduce a partition's kept articles as far as it can be alone (a worker task).

    See :func:`geo.pipeline.reduce_partial`. With ``work_dir``, the kept articles are also
    written there first, as :func:`write_partition` writes them.
    """
    from geo.pipeline import reduce_partial

    results = _kept_results(extracted, kept)
    if work_dir is not None:
        _write_results(extracted.index, results, work_dir)
    return reduce_partial(results, dated=dated, shards=shards)


def _events(partial: Partial) -> LayerRows:
    return partial.events


def _notes(partial: Partial) -> list[tuple[str, str]]:
    return partial.notes


def _shard_input(partial: Partial, shard: int) -> ShardInput:
    return partial.shards[shard]


def reduce_shard_of(*inputs: ShardInput) -> dict[str, LayerRows]:
    """Reduce one shard of places from every partition, in order (a worker task).

    See :func:`geo.pipeline.reduce_shard`.
    """
    from geo.pipeline import reduce_shard

    return reduce_shard(inputs)


def assemble_on_worker(
    events: Sequence[LayerRows], *shards: Mapping[str, LayerRows]
) -> dict[str, gpd.GeoDataFrame]:
    """The four layers from every partition's event rows and every shard's rows (a worker task).

    See :func:`geo.pipeline.assemble_layers`. The client makes the same layers of the same
    rows; this copy stays on the workers for the encoding and the map, as sending the
    client's frames back (or fetching these) costs more than making them twice: at 100k
    articles, 3.8 s to scatter them against 3 s to make them.
    """
    from geo.pipeline import assemble_layers

    return assemble_layers(events, shards)


# --------------------------------------------------------------------------- running


@contextlib.contextmanager
def _client(scheduler: str | None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a new LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        msg = (
            "the dask engine needs dask.distributed, which is not installed; "
            "install it with `pip install 'geo-conflict-mapper[dask]'` or use --engine local"
        )
        raise SchedulerError(msg) from None
    if scheduler is None:
        workers = max(
            1,
            len(os.sched_getaffinity(0))
            if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1,
        )
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # Even without a dashboard the scheduler serves /health; on a free local port, so
                # that two clusters at once (tests in parallel) don't warn about port 8787.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
            # A worker's last garbage collection walks everything a build left in it, for
            # seconds; the processes are about to end, so nothing needs collecting.
            client.run(gc.freeze)
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        msg = (
            f"cannot reach the dask scheduler at {scheduler!r} ({type(exc).__name__}: {exc}); "
            "check the address (e.g. tcp://10.0.0.5:8786) and that the scheduler is running, "
            "or leave --scheduler out to start a local cluster"
        )
        raise SchedulerError(msg) from None
    with client:
        yield client


def _warm_up() -> int:
    """Load the gazetteer and every lazy table into a worker's module-level caches.

    Runs once per worker process before any partition, so each worker reads the index
    from its own disk once instead of receiving it from the client.
    """
    from geo.pipeline import extract

    result = extract(Article(id="warm-up", text="Shelling in Kyiv killed 2 people on Monday."))
    gc.freeze()  # the tables are kept for good: the collector need not walk them again
    return len(result.mentions)


class DaskEngine:
    """One build's use of a dask cluster: extraction and reduction, then encoding the layers.

    Made by :func:`dask_engine`, which owns the client (and the LocalCluster, if it made
    one) for the whole build, so the workers that extracted the articles also encode the
    GeoJSON layers and pack the map's layers while the client assembles the page.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self._shipped: dict[int, tuple[pd.DataFrame, Future]] = {}

    def _scattered(self, frames: Sequence[pd.DataFrame]) -> list[Future]:
        """``frames`` on the workers, each sent once per build however many tasks read it.

        Frames not sent yet go in one scatter: while a worker runs a task, every message
        it must take in waits for the task to let go of the interpreter.
        """
        new = {id(f): f for f in frames if self._shipped.get(id(f), (None,))[0] is not f}
        if new:
            # Scattered, not embedded in each task: a layer can be tens of megabytes.
            futures = self.client.scatter(list(new.values()), hash=False)
            for frame, future in zip(new.values(), futures, strict=True):
                self._shipped[id(frame)] = (frame, future)
        return [self._shipped[id(f)][1] for f in frames]

    def _submit(self, fn: Callable[..., T], *args: Any, priority: int = 0) -> Future:
        frames = [a for a in args if isinstance(a, pd.DataFrame)]
        shipped = iter(self._scattered(frames))
        args = tuple(next(shipped) if isinstance(a, pd.DataFrame) else a for a in args)
        return self.client.submit(fn, *args, pure=False, priority=priority)

    def start(self, fn: Callable[..., T], *args: Any) -> Callable[[], T]:
        """Submit ``fn(*args)`` to the workers; a function that waits for its result.

        Data frames among ``args`` are scattered first (once each). This is the ``start``
        of :func:`geo.render.render_map`: the map's layers are packed on the workers.
        """
        return cast("Callable[[], T]", self._submit(fn, *args).result)

    def _gathered(self, futures: list[Future]) -> Iterator[Any]:
        """The results of ``futures``, waited for when the first one is asked for."""
        yield from self.client.gather(futures)

    @property
    def workers(self) -> int:
        """How many workers the scheduler has now (at least 1)."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def _extract(
        self, paths: Sequence[Path], *, partitions: int | None, max_bytes: int | None
    ) -> tuple[list[Future], list[list[_Entry]], list[Problem]]:
        """Plan and submit every partition; the partitions' futures and reading logs.

        The logs are read back as each partition finishes, while the others still run;
        the extracted articles stay on the workers.
        """
        from distributed import as_completed

        workers = self.workers
        wanted = partitions if partitions is not None else PARTITIONS_PER_WORKER * workers
        plan, walk_problems = plan_partitions(paths, wanted, max_bytes=max_bytes)
        logger.info(
            "dask: %d partitions over %d workers (%d files/ranges)",
            len(plan), workers, sum(len(p.units) for p in plan),
        )  # fmt: skip
        self.client.run(_warm_up)
        parts = [
            self.client.submit(extract_partition, part, max_bytes=max_bytes, pure=False)
            for part in plan
        ]
        logs_of = {self.client.submit(_log_of, part): i for i, part in enumerate(parts)}
        logs: list[list[_Entry]] = [[] for _ in plan]
        for future in as_completed(logs_of):
            logs[logs_of[future]] = future.result()
            future.release()
        return parts, logs, walk_problems

    def extract(
        self,
        paths: Sequence[Path],
        *,
        partitions: int | None = None,
        work_dir: str | Path | None = None,
        max_bytes: int | None = None,
    ) -> tuple[list[ArticleResult], list[Problem]]:
        """Run :func:`geo.pipeline.extract` over the inputs; see :func:`extract_dask`."""
        started = time.perf_counter()
        parts, logs, walk_problems = self._extract(
            paths, partitions=partitions, max_bytes=max_bytes
        )
        kept, problems = _settle(logs, walk_problems)
        if work_dir is not None:
            writes = [self.client.submit(write_partition, p, str(work_dir)) for p in parts]
            self.client.gather(writes)
        extracted: list[Extracted] = self.client.gather(parts)
        results: list[ArticleResult] = []
        for done, mine in zip(extracted, _by_partition(kept, len(parts)), strict=True):
            results += _kept_results(done, mine)
        timings = ", ".join(
            f"{len(e.articles)} in {e.seconds:.1f}s ({e.cpu:.1f}s CPU)" for e in extracted
        )
        logger.info(
            "dask: %d articles in %.1f s (%s)",
            len(results), time.perf_counter() - started, timings,
        )  # fmt: skip
        return results, problems

    def reduce(
        self,
        paths: Sequence[Path],
        *,
        partitions: int | None = None,
        max_bytes: int | None = None,
        work_dir: str | Path | None = None,
    ) -> Reduction:
        """Extract and reduce the inputs on the workers; the layers and counts of the build.

        The client settles duplicates from the partitions' reading logs and gathers only
        layer rows: each partition is reduced where it was extracted
        (:func:`reduce_partition`), and its places, events and statements are cut into
        shards of places, each reconciled, zoned and counted on a worker
        (:func:`reduce_shard_of`). A worker makes the same four layers as the client
        (:func:`assemble_on_worker`) and keeps them for :meth:`geojson` and :meth:`start`.
        With ``work_dir``, each partition's kept articles are also written there as
        GeoParquet by its worker, as part of its reduce (:func:`reduce_partition`).
        """
        from geo.layers import LAYER_NAMES
        from geo.pipeline import (
            Reduction,
            assemble_layers,
            log_datelines,
            log_layers,
            unplaced_warning,
        )

        started = time.perf_counter()
        parts, logs, walk_problems = self._extract(
            paths, partitions=partitions, max_bytes=max_bytes
        )
        extracted = time.perf_counter()
        kept, problems = _settle(logs, walk_problems)
        dated = sorted({k.key.date for k in kept if k.key.date})
        shards = max(1, len(parts))
        by_partition = _by_partition(kept, len(parts))
        folder = None if work_dir is None else str(work_dir)
        partials = [
            self.client.submit(
                reduce_partition, part, mine, dated=dated, shards=shards, work_dir=folder,
                pure=False,
            )
            for part, mine in zip(parts, by_partition, strict=True)
        ]  # fmt: skip
        del parts  # the extracted articles are released once reduced
        # Each shard takes only its own part of each partition to its worker.
        rows = [
            self.client.submit(
                reduce_shard_of, *(self.client.submit(_shard_input, p, k) for p in partials)
            )
            for k in range(shards)
        ]
        # A worker makes the layers for the encoding and the map while the client makes its
        # own copy of the same rows: fetching the worker's frames, or sending the client's
        # back, would cost more than making them twice.
        events = [self.client.submit(_events, p) for p in partials]
        assembled = self.client.submit(assemble_on_worker, events, *rows, pure=False)
        on_workers = {
            name: self.client.submit(operator.getitem, assembled, name, pure=False)
            for name in LAYER_NAMES
        }
        for notes in self.client.gather([self.client.submit(_notes, p) for p in partials]):
            log_datelines(notes)
        # The events layer is made while the shards are still being reduced.
        layers = assemble_layers(self.client.gather(events), self._gathered(rows))
        for name, frame in layers.items():  # the same frame is on the workers: not sent
            self._shipped[id(frame)] = (frame, on_workers[name])
        log_layers(layers)
        dates = sorted(k.key.date for k in kept if k.key.date)
        unplaced = [unplaced_warning(k.new_id or k.key.id, k.key.path)
                    for k in kept if not k.key.placed]  # fmt: skip
        logger.info(
            "dask: %d articles extracted in %.1f s, reduced in %.1f s",
            len(kept), extracted - started, time.perf_counter() - extracted,
        )  # fmt: skip
        return Reduction(
            layers=layers,
            articles=len(kept),
            figures=sum(k.key.figures for k in kept),
            dates=(dates[0], dates[-1]) if dates else (None, None),
            problems=[*problems, *unplaced],
        )

    def geojson(self, layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, Callable[[], str]]:
        """Start encoding each layer with :func:`geo.export.to_geojson` on the workers.

        Returns
        -------
        dict
            For each layer, a function that waits for its GeoJSON text and returns it.
        """
        from geo.export import to_geojson

        self._scattered(list(layers.values()))
        # After the map's packing, which the client waits for to assemble the page; the
        # layers' text is only written out, which the client can do while the map is drawn.
        encoding = {name: self._submit(to_geojson, f, priority=-1) for name, f in layers.items()}
        return {name: cast("Callable[[], str]", f.result) for name, f in encoding.items()}


@contextlib.contextmanager
def dask_engine(scheduler: str | None) -> Iterator[DaskEngine]:
    """A :class:`DaskEngine` on the scheduler at ``scheduler``, or on a new LocalCluster.

    Raises
    ------
    SchedulerError
        If dask is not installed or the scheduler cannot be reached.
    """
    with _client(scheduler) as client:
        # The workers' full garbage collections are suspended while the engine is used (see
        # :mod:`geo._collector`), and given back after it.
        client.run(hold_full_collections)
        try:
            yield DaskEngine(client)
        finally:
            # A worker of a shared cluster outlives the build; one that is gone needs nothing.
            with contextlib.suppress(OSError, TimeoutError):
                client.run(release_full_collections)


def extract_dask(
    paths: list[Path],
    *,
    scheduler: str | None,
    partitions: int | None,
    work_dir: str | Path | None = None,
    max_bytes: int | None = None,
) -> tuple[list[ArticleResult], list[Problem]]:
    """Run :func:`geo.pipeline.extract` over the inputs on dask.distributed.

    Parameters
    ----------
    paths
        Files and folders of articles.
    scheduler
        Address of a running scheduler (``tcp://host:8786``); ``None`` starts a LocalCluster
        with one single-threaded worker process per usable core.
    partitions
        Number of partitions; ``None`` means :data:`PARTITIONS_PER_WORKER` per worker.
    work_dir
        Folder for the per-partition GeoParquet files (:func:`write_partition`), visible to
        the workers; ``None`` writes none.
    max_bytes
        Per-file size limit, as for :func:`geo.ingest.read_articles`.

    Returns
    -------
    tuple
        The per-article results and the reading problems, exactly as the local engine.

    Raises
    ------
    SchedulerError
        If dask is not installed or the scheduler cannot be reached.
    """
    with dask_engine(scheduler) as engine:
        return engine.extract(paths, partitions=partitions, work_dir=work_dir, max_bytes=max_bytes)
