"""The per-article stages on dask.distributed: partitions of files in, GeoParquet out.

:func:`extract_dask` is the ``engine="dask"`` branch of :func:`geo.pipeline.build`. It
returns exactly what the local engine computes from :func:`geo.ingest.read_articles` and
:func:`geo.pipeline.extract`, in the same order, so the reduced layers are byte-identical.

How a run goes:

1. **Plan** (client). The inputs are walked the way :func:`geo.ingest.iter_articles` walks
   them (same files, same order, same ids). Each file is a *unit*; a large plain UTF-8
   JSON Lines file is cut into byte ranges at line boundaries, each unit remembering the
   line number it starts at. Consecutive units are packed into ``partitions`` partitions of
   about equal size (four per worker by default). Only paths and byte offsets are shipped.
2. **Map** (workers). Each worker reads its own partition from disk, runs
   :func:`geo.pipeline.extract` on every article, and writes under
   ``<work_dir>/part-NNNNN/``:

   ``mentions.parquet``
       GeoParquet, one point per resolved place mention (article, start, end, text,
       place id, role, precision, score); EPSG:4326.
   ``events.parquet``
       GeoParquet, one point per event with a place (id, article, type, date, precision).
   ``results.pickle``
       The :class:`~geo.pipeline.ArticleResult` objects and the reading log, which the
       client needs to rebuild the exact local result (GeoParquet holds the layers' data,
       not the nested records the cross-article stages take).

   The gazetteer is never sent from the client: each worker process loads it once from
   disk through the module-level cache of :func:`geo.gazetteer.get_gazetteer` and keeps
   it for every partition it runs.
3. **Reduce** (client). Each partition's results are read back as soon as it is done,
   while the others still run. Duplicate texts and id collisions *across* partitions are
   then settled in partition order the way the local reader settles them (the first copy
   wins; a later article whose id is taken gets a salted id and is extracted again here,
   which only happens for such collisions), and :func:`geo.pipeline.reduce` reconciles
   events and builds zones as usual.
4. **Encode** (workers). In ``geo build`` the four layers go back to the workers, which
   encode them as GeoJSON (:func:`geo.export.to_geojson`) while the client draws the map
   (:class:`DaskEngine`).

Inputs and ``work_dir`` must be visible under the same paths on the client and every
worker (one machine, or a shared file system on a cluster).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import math
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
from geo.types import Article, Place

if TYPE_CHECKING:
    import geopandas as gpd
    from distributed import Client

    from geo.pipeline import ArticleResult

logger = logging.getLogger(__name__)

__all__ = [
    "CHUNK_BYTES",
    "CONNECT_TIMEOUT",
    "PARTITIONS_PER_WORKER",
    "DaskEngine",
    "Partition",
    "SchedulerError",
    "Unit",
    "dask_engine",
    "extract_dask",
    "plan_partitions",
    "run_partition",
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
class Unit:
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
class Partition:
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


def _file_units(path: Path, key: str, shared: bool, *, target: int, max_bytes: int) -> list[Unit]:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reported by the worker exactly as the local reader reports it
    data = _splittable(path, size, max_bytes) if size > target else None
    if data is None:
        return [Unit(str(path), key, shared, size)]
    pieces = max(1, min(math.ceil(size / target), size // CHUNK_BYTES))
    bounds = [0]
    for k in range(1, pieces):
        cut = data.find(b"\n", max(k * size // pieces, bounds[-1])) + 1
        if 0 < cut < size and cut > bounds[-1]:
            bounds.append(cut)
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
            sizes.append(0)
    target = max(1, math.ceil(sum(sizes) / partitions))
    units: list[Unit] = []
    for path, key in walk.files:
        shared = stems[_stem(path)] > 1
        units.extend(_file_units(path, key, shared, target=target, max_bytes=limit))
    planned: list[Partition] = []
    current: list[Unit] = []
    filled = 0
    for unit in units:
        size = (unit.end if unit.end is not None else unit.size) - unit.start
        # Close the partition when this unit would take it further past the target than
        # it stays short of it.
        if current and filled + size / 2 > target and len(planned) < partitions - 1:
            planned.append(Partition(len(planned), tuple(current)))
            current, filled = [], 0
        current.append(unit)
        filled += size
    if current:
        planned.append(Partition(len(planned), tuple(current)))
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
class _Read:
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


def run_partition(
    partition: Partition, work_dir: str, *, max_bytes: int | None = None
) -> dict[str, Any]:
    """Read and extract one partition on a worker; write its outputs under ``work_dir``.

    Returns
    -------
    dict
        ``folder`` (the partition's output folder), ``articles``, ``mentions``, ``events``,
        ``seconds`` spent and ``cpu`` seconds used by the worker process.
    """
    from geo.pipeline import extract

    started = time.perf_counter()
    cpu = time.process_time()
    limit = MAX_BYTES if max_bytes is None else max_bytes
    log: list[tuple[str, Any]] = []
    results: list[ArticleResult] = []
    seen: set[str] = set()
    for unit in partition.units:
        for kind, value in _read_unit(unit, max_bytes=limit):
            if not isinstance(value, _Read):
                log.append((kind, value))
                continue
            # A text already read in this partition is a duplicate whatever came before.
            result = None if value.dedup_key in seen else extract(value.article)
            seen.add(value.dedup_key)
            if result is not None:
                results.append(result)
            log.append(("article", (value, result)))
    folder = Path(work_dir) / f"part-{partition.index:05d}"
    folder.mkdir(parents=True, exist_ok=True)
    counts = _write_geoparquet(results, folder)
    with (folder / "results.pickle").open("wb") as handle:
        pickle.dump(log, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return {
        "folder": str(folder),
        "articles": len(results),
        **counts,
        "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
    }


def _points(places: Sequence[Place]) -> gpd.GeoSeries:
    import geopandas as gpd
    from shapely import points

    coords = points([p.lon for p in places], [p.lat for p in places]) if places else []
    return gpd.GeoSeries(coords, crs="EPSG:4326")


def _write_geoparquet(results: Sequence[ArticleResult], folder: Path) -> dict[str, int]:
    """Write the partition's resolved mentions and events as GeoParquet (EPSG:4326)."""
    import geopandas as gpd

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
    return {"mentions": len(mention_frame), "events": len(event_frame)}


# --------------------------------------------------------------------------- reducing


def _settle(
    logs: Sequence[list[tuple[str, Any]]], walk_problems: Sequence[Problem]
) -> tuple[list[ArticleResult], list[Problem]]:
    """Replay the reading logs in order, settling duplicates as :mod:`geo.ingest` does."""
    from geo.pipeline import extract

    ids: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    results: list[ArticleResult] = []
    problems = list(walk_problems)
    with_records: set[str] = set()
    for log in logs:
        for kind, value in log:
            if kind == "problem":
                problems.append(value)
                continue
            if kind == "empty":  # see _read_unit
                if value.path not in with_records:
                    problems.append(value)
                continue
            read, result = value
            article = read.article
            path = article.path or read.where
            with_records.add(path)
            # JSON Lines records are located as "path:LINE"; files by their path.
            line = int(read.where.rpartition(":")[2]) if read.where != path else None
            first = texts.get(read.dedup_key)
            if first is not None:
                first_id, first_where = first
                message = (
                    f"{read.where!r}: article {article.id!r} has the same text as article "
                    f"{first_id!r} from {first_where!r}; kept the first, skipped this copy"
                )
                problems.append(Problem(path, message, "warning", line=line))
                continue
            if article.id in ids:
                new_id = safe_id(article.id, salt=read.where)
                message = (
                    f"{read.where!r}: id {article.id!r} is already used by {ids[article.id]!r}; "
                    f"this article gets id {new_id!r}"
                )
                problems.append(Problem(path, message, "warning", line=line))
                article = dataclasses.replace(article, id=new_id)
                result = extract(article)
            ids[article.id] = read.where
            texts[read.dedup_key] = (article.id, read.where)
            assert result is not None  # only a duplicate within a partition has no result
            results.append(result)
    return results, problems


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
                silence_logs=logging.CRITICAL,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
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
    return len(result.mentions)


class DaskEngine:
    """One build's use of a dask cluster: extraction first, then encoding the layers.

    Made by :func:`dask_engine`, which owns the client (and the LocalCluster, if it made
    one) for the whole build, so the workers that extracted the articles also encode the
    GeoJSON layers while the client draws the map.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    @property
    def workers(self) -> int:
        """How many workers the scheduler has now (at least 1)."""
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def extract(
        self,
        paths: Sequence[Path],
        *,
        partitions: int | None = None,
        work_dir: str | Path | None = None,
        max_bytes: int | None = None,
    ) -> tuple[list[ArticleResult], list[Problem]]:
        """Run :func:`geo.pipeline.extract` over the inputs; see :func:`extract_dask`."""
        from distributed import as_completed

        started = time.perf_counter()
        own_dir = work_dir is None
        folder = Path(tempfile.mkdtemp(prefix="geo-dask-")) if work_dir is None else Path(work_dir)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            workers = self.workers
            wanted = partitions if partitions is not None else PARTITIONS_PER_WORKER * workers
            plan, walk_problems = plan_partitions(paths, wanted, max_bytes=max_bytes)
            logger.info(
                "dask: %d partitions over %d workers (%d files/ranges)",
                len(plan), workers, sum(len(p.units) for p in plan),
            )  # fmt: skip
            self.client.run(_warm_up)
            futures = {
                self.client.submit(
                    run_partition, part, str(folder), max_bytes=max_bytes, pure=False
                ): part.index
                for part in plan
            }
            # Read each partition back as soon as it is done, while the others still run.
            summaries: list[dict[str, Any]] = [{} for _ in plan]
            logs: list[list[tuple[str, Any]]] = [[] for _ in plan]
            for future in as_completed(futures):
                index = futures[future]
                summaries[index] = future.result()
                logs[index] = _read_log(Path(summaries[index]["folder"]))
                future.release()
            results, problems = _settle(logs, walk_problems)
        finally:
            if own_dir:
                shutil.rmtree(folder, ignore_errors=True)
        logger.info(
            "dask: %d articles in %.1f s (%s)",
            len(results), time.perf_counter() - started,
            ", ".join(
                f"{s['articles']} in {s['seconds']:.1f}s ({s['cpu']:.1f}s CPU)" for s in summaries
            ),
        )  # fmt: skip
        return results, problems

    def geojson(self, layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, Callable[[], str]]:
        """Start encoding each layer with :func:`geo.export.to_geojson` on the workers.

        Returns
        -------
        dict
            For each layer, a function that waits for its GeoJSON text and returns it.
        """
        from geo.export import to_geojson

        texts: dict[str, Callable[[], str]] = {}
        for name, frame in layers.items():
            # Scattered, not embedded in the task: a layer can be tens of megabytes.
            data = self.client.scatter(frame, hash=False)
            texts[name] = self.client.submit(to_geojson, data, pure=False).result
        return texts


@contextlib.contextmanager
def dask_engine(scheduler: str | None) -> Iterator[DaskEngine]:
    """A :class:`DaskEngine` on the scheduler at ``scheduler``, or on a new LocalCluster.

    Raises
    ------
    SchedulerError
        If dask is not installed or the scheduler cannot be reached.
    """
    with _client(scheduler) as client:
        yield DaskEngine(client)


def _read_log(folder: Path) -> list[tuple[str, Any]]:
    """The reading log and results a worker pickled for one partition."""
    with (folder / "results.pickle").open("rb") as handle:
        log: list[tuple[str, Any]] = pickle.load(handle)  # noqa: S301 - our own file
    return log


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
        Folder for the per-partition outputs, visible to client and workers; ``None`` uses a
        temporary folder that is removed afterwards. A given folder is kept.
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
        return engine.extract(
            paths, partitions=partitions, work_dir=work_dir, max_bytes=max_bytes
        )
