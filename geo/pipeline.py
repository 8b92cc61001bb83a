"""The one place that wires the stages together.

    articles -> mentions -> figures/events -> reconciled events, zones -> layers -> maps

``extract`` runs the per-article stages (they need nothing but the article and the
gazetteer, so a distributed engine can map them over partitions); ``reduce`` runs the
cross-article stages; ``build`` does both and writes every layer and the map atomically.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import geopandas as gpd

from geo._collector import young_collections_only
from geo._errors import InputError
from geo.dates import dateline_day, event_date, infer_year
from geo.events import build_events
from geo.figures import extract_figures
from geo.ingest import Problem, read_articles
from geo.layers import (
    LAYER_NAMES,
    LayerRows,
    PlaceTally,
    casualty_rows,
    event_rows,
    layer_frame,
    merge_tallies,
    place_rows,
    tally_places,
    zone_rows,
)
from geo.reconcile import reconcile
from geo.resolve import geoparse
from geo.sentences import split_sentences
from geo.types import Article, Event, Figure, Mention, Record, Zone, slot_init
from geo.zones import Statement, build_zones, find_statements

if TYPE_CHECKING:
    from geo.render import Start

logger = logging.getLogger(__name__)
T = TypeVar("T")

EXAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"


@slot_init
@dataclass(frozen=True, slots=True)
class ArticleResult(Record):
    """What one article yielded: the unit a distributed engine ships between workers."""

    article: Article
    mentions: tuple[Mention, ...]
    figures: tuple[Figure, ...]
    figure_events: tuple[str | None, ...]
    events: tuple[Event, ...]
    statements: tuple[Statement, ...]


@dataclass(slots=True)
class BuildSummary:
    """Counts reported at the end of a build, and the problems met on the way."""

    articles: int = 0
    places: int = 0
    events: int = 0
    figures: int = 0
    casualty_records: int = 0
    zones: int = 0
    problems: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def _statement_events(article: Article, statements: Sequence[Statement]) -> list[Event]:
    """Statements of intent (pledges) and withdrawals as events, coded the PLOVER way."""
    events: list[Event] = []
    for st in statements:
        if st.plover is None:
            continue
        for mention in st.places:
            if mention.place is None:
                continue
            digest = hashlib.sha1(
                f"{article.id}|{mention.place.id}|{st.start}|{st.plover}".encode(),
                usedforsecurity=False,
            ).hexdigest()[:12]
            events.append(
                Event(
                    id="ev-" + digest,
                    article=article.id,
                    event_type="Strategic developments",
                    sub_event_type="Other",
                    date=article.date,
                    date_precision="day" if article.date else None,
                    place=mention.place,
                    precision=mention.precision,
                    quote=st.quote,
                    plover=st.plover,
                    actor=st.actor,
                    source=article.source,
                )
            )
    return events


def infer_dates(results: Sequence[ArticleResult]) -> list[ArticleResult]:
    """Date undated articles from their wire dateline ("KYIV, March 29 (Reuters) -").

    A dateline gives a month and a day but no year; the year is taken from the dated
    articles of the same run (the one that puts the day nearest to them), and the article's
    events and statements are dated again from it. Runs after extraction, so every engine
    does the same; each inference is logged as a warning.
    """
    out, notes = _redate(results, dated_days(results))
    log_datelines(notes)
    return out


def dated_days(results: Iterable[ArticleResult]) -> list[str]:
    """The distinct dates of the dated articles, sorted: all that dateline years need."""
    return sorted({r.article.date for r in results if r.article.date})


def log_datelines(notes: Iterable[tuple[str, str]]) -> None:
    """Log, as warnings, the articles dated from their dateline (where, date)."""
    for where, inferred in notes:
        logger.warning("%s: no date line; dated %s from its dateline", where, inferred)


def _redate(
    results: Sequence[ArticleResult], dated: Sequence[str]
) -> tuple[list[ArticleResult], list[tuple[str, str]]]:
    """:func:`infer_dates` with the dates of the whole run given, and what it inferred."""
    out: list[ArticleResult] = []
    notes: list[tuple[str, str]] = []
    for result in results:
        art = result.article
        day = None if art.date else dateline_day(art.text)
        inferred = infer_year(day, dated) if day else None
        if inferred is None:
            out.append(result)
            continue
        notes.append((art.path or art.id, inferred))
        article = replace(art, date=inferred)
        events = []
        for event in result.events:
            if event.figures:
                first = event.figures[0]
                sentence = art.text[first.sentence_start : first.sentence_end]
                date, precision = event_date(sentence, inferred)
            else:
                date, precision = inferred, "day"
            events.append(replace(event, date=date, date_precision=precision))
        statements = tuple(replace(s, date=inferred) for s in result.statements)
        out.append(replace(result, article=article, events=tuple(events), statements=statements))
    return out, notes


def extract(article: Article) -> ArticleResult:
    """Run every per-article stage on one article."""
    mentions = geoparse(article)
    sentences = split_sentences(article.text)
    figures = extract_figures(article.text, sentences=sentences)
    events, figure_events = build_events(article, mentions, figures, sentences)
    statements = find_statements(article, mentions, sentences)
    events = events + _statement_events(article, statements)
    return ArticleResult(
        article=article,
        mentions=tuple(mentions),
        figures=tuple(figures),
        figure_events=tuple(figure_events.get(i) for i in range(len(figures))),
        events=tuple(events),
        statements=tuple(statements),
    )


@dataclass(slots=True)
class ShardInput:
    """What a run of articles gives one shard of places: all the shard's reduce needs.

    Events are reconciled, zones built and places counted per place, so the places can be
    cut into shards (by :func:`shard_of`) that are reduced apart from each other.
    """

    places: dict[str, PlaceTally] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)


@dataclass(slots=True)
class Partial:
    """A run of consecutive articles, reduced as far as it can be without the others.

    ``events`` are the rows of the events layer (each event is a row of its own);
    ``shards`` what each shard of places needs; ``notes`` the articles dated from their
    dateline (see :func:`log_datelines`).
    """

    events: LayerRows
    shards: list[ShardInput]
    notes: list[tuple[str, str]]


def shard_of(place_id: str, shards: int) -> int:
    """The shard of a place: the same in every process (unlike the salted ``hash``).

    Examples
    --------
    >>> shard_of("gn:703448", 1), shard_of("gn:703448", 8) == shard_of("gn:703448", 8)
    (0, True)
    """
    return zlib.crc32(place_id.encode()) % shards if shards > 1 else 0


def reduce_partial(
    results: Sequence[ArticleResult], *, dated: Sequence[str], shards: int
) -> Partial:
    """Date from datelines, make the event rows and cut the rest into ``shards`` shards.

    Parameters
    ----------
    results
        Consecutive articles' results, in input order.
    dated
        The dates of every dated article of the build (:func:`dated_days`).
    shards
        How many shards of places the run's places, events and statements are cut into.
    """
    results, notes = _redate(results, dated)
    parts = [ShardInput() for _ in range(shards)]
    for pid, tally in tally_places((r.article.id, r.mentions) for r in results).items():
        parts[shard_of(pid, shards)].places[pid] = tally
    all_events = [e for r in results for e in r.events]
    for event in all_events:
        if event.place is not None and event.figures:
            parts[shard_of(event.place.id, shards)].events.append(event)
    for result in results:
        for statement in result.statements:
            _split_statement(statement, parts, shards)
    return Partial(event_rows(all_events), parts, notes)


def _split_statement(statement: Statement, parts: list[ShardInput], shards: int) -> None:
    """Give each shard the statement with the places of its own (zones are per place)."""
    mine: dict[int, list[Mention]] = {}
    for mention in statement.places:
        if mention.place is not None:
            mine.setdefault(shard_of(mention.place.id, shards), []).append(mention)
    for shard, mentions in mine.items():
        whole = len(mentions) == len(statement.places)
        parts[shard].statements.append(
            statement if whole else replace(statement, places=tuple(mentions))
        )


def reduce_shard(inputs: Iterable[ShardInput]) -> dict[str, LayerRows]:
    """Reconcile events, build zones and count places of one shard, given in input order.

    Returns
    -------
    dict
        The rows of the ``places``, ``casualties`` and ``zones`` layers for the shard.
    """
    inputs = list(inputs)
    records = reconcile(e for part in inputs for e in part.events)
    zones: list[Zone] = build_zones(s for part in inputs for s in part.statements)
    return {
        "places": place_rows(merge_tallies(part.places for part in inputs)),
        "casualties": casualty_rows(records),
        "zones": zone_rows(zones),
    }


def assemble_layers(
    events: Iterable[LayerRows], shards: Iterable[Mapping[str, LayerRows]]
) -> dict[str, gpd.GeoDataFrame]:
    """The four layers from the runs' event rows and the shards' rows, each in order.

    The events layer is made before ``shards`` is iterated, so an engine can pass shards
    that are still being reduced elsewhere.
    """
    event_rows = LayerRows()
    for piece in events:
        event_rows.extend(piece)
    made = {"events": layer_frame("events", event_rows)}
    rows = {name: LayerRows() for name in LAYER_NAMES if name not in made}
    for shard in shards:
        for name, piece in shard.items():
            rows[name].extend(piece)
    made |= {name: layer_frame(name, piece) for name, piece in rows.items()}
    return {name: made[name] for name in LAYER_NAMES}


def log_layers(layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    """Log how many rows each layer has."""
    logger.info("layers: %s", ", ".join(f"{name} {len(layers[name])}" for name in LAYER_NAMES))


def reduce(results: Sequence[ArticleResult]) -> dict[str, gpd.GeoDataFrame]:
    """Cross-article stages: date from datelines, reconcile events, build zones, assemble layers."""
    partial = reduce_partial(results, dated=dated_days(results), shards=1)
    log_datelines(partial.notes)
    layers = assemble_layers([partial.events], [reduce_shard(partial.shards)])
    log_layers(layers)
    return layers


@dataclass(slots=True)
class Reduction:
    """Everything a build writes and reports, however the articles were processed."""

    layers: dict[str, gpd.GeoDataFrame]
    articles: int
    figures: int
    dates: tuple[str | None, str | None]
    """Earliest and latest article dates (as read, before dating from datelines)."""
    problems: list[Problem]


def date_range(results: Iterable[ArticleResult]) -> tuple[str | None, str | None]:
    """Earliest and latest article dates."""
    dates = sorted(r.article.date for r in results if r.article.date)
    return (dates[0], dates[-1]) if dates else (None, None)


def unplaced_warning(article_id: str, path: str | None) -> Problem:
    """The warning for an article that mentions no place the gazetteer knows."""
    where = path or article_id
    message = (
        f"{where!r}: article {article_id!r} mentions no place the gazetteer knows; "
        "it is not on the map"
    )
    return Problem(where, message, "warning")


def _reduction(results: Sequence[ArticleResult], problems: Sequence[Problem]) -> Reduction:
    """Reduce the results of the local engine and sum them up."""
    unplaced = [
        unplaced_warning(r.article.id, r.article.path)
        for r in results
        if not any(m.place is not None for m in r.mentions)
    ]
    return Reduction(
        layers=reduce(results),
        articles=len(results),
        figures=sum(len(r.figures) for r in results),
        dates=date_range(results),
        problems=[*problems, *unplaced],
    )


@young_collections_only()
def build(
    inputs: Sequence[str | Path] | None = None,
    out_dir: str | Path = ".",
    *,
    render: bool = True,
    progress: Callable[[int, int], Any] | None = None,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    partitions: int | None = None,
    max_bytes: int | None = None,
    work_dir: str | Path | None = None,
) -> BuildSummary:
    """Read articles, run every stage and write ``layers/`` and ``maps/`` under ``out_dir``.

    Nothing under ``out_dir`` changes until every output has been written: the layers and
    the map are written into a staging folder beside them and then renamed into place one
    after the other, so a build that fails or is killed leaves the previous outputs whole.
    Full garbage collections are suspended while it runs (see :mod:`geo._collector`).

    Parameters
    ----------
    inputs
        Files or folders of articles; the bundled example corpus when empty or ``None``.
    out_dir
        Folder that receives ``layers/*.geojson`` and ``maps/index.html``.
    render
        Whether to write the HTML map.
    progress
        Called as ``progress(done, total)`` after each article.
    engine
        ``"local"`` runs in this process; ``"dask"`` maps the per-article stages over
        partitions on dask.distributed (a LocalCluster unless ``scheduler`` is given).
    scheduler
        Address of a running dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    partitions
        Number of partitions for the dask engine (default: four per worker).
    max_bytes
        Largest input file to read (default ``geo.ingest.MAX_BYTES``, 50 MB).
    work_dir
        Dask engine only: a folder, visible to every worker, where each partition's
        resolved mentions and events are written as GeoParquet
        (:func:`geo.distributed.write_partition`).

    Raises
    ------
    InputError
        If ``work_dir`` is given with the local engine.
    """
    paths = [Path(p) for p in inputs] if inputs else [EXAMPLE_CORPUS]
    out = Path(out_dir)
    if engine == "dask":
        from geo.distributed import dask_engine

        with dask_engine(scheduler) as cluster:
            basemap = _meanwhile(_basemap) if render else _basemap
            reduction = cluster.reduce(
                paths, partitions=partitions, max_bytes=max_bytes, work_dir=work_dir
            )
            return _finish(
                reduction,
                out,
                render=render,
                encode=cluster.geojson,
                start=cluster.start,
                basemap=basemap,
            )
    if work_dir is not None:
        msg = "a work folder (--work-dir) is for the dask engine; add --engine dask"
        raise InputError(msg)
    articles, problems = read_articles(paths, max_bytes=max_bytes)
    results = []
    for done, article in enumerate(articles, 1):
        results.append(extract(article))
        if progress is not None:
            progress(done, len(articles))
    reduction = _reduction(results, problems)
    return _finish(reduction, out, render=render, encode=_encode_here)


def _basemap() -> gpd.GeoDataFrame:
    """The gazetteer's country, admin1 and region areas, drawn under the map's layers."""
    from geo.gazetteer import get_gazetteer

    return get_gazetteer().areas_frame()


def _meanwhile(work: Callable[[], T]) -> Callable[[], T]:
    """Start ``work`` in a thread; a function that waits for its result (or its error).

    For the dask engine's client, which mostly waits for its workers: the map's areas are
    read while they extract, and the layers written while they pack the map.
    """
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="geo-meanwhile")
    future = pool.submit(work)
    pool.shutdown(wait=False)  # the thread ends with its one task
    return future.result


Encoder = Callable[[Mapping[str, gpd.GeoDataFrame]], Mapping[str, Callable[[], str]]]
"""Starts encoding layers as GeoJSON; each layer's function returns its text when done."""


def _encode_here(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, Callable[[], str]]:
    """Encode in this process, when the text is asked for."""
    from geo.export import to_geojson

    return {name: functools.partial(to_geojson, frame) for name, frame in layers.items()}


def _finish(
    reduction: Reduction,
    out: Path,
    *,
    render: bool,
    encode: Encoder,
    start: Start | None = None,
    basemap: Callable[[], gpd.GeoDataFrame] = _basemap,
) -> BuildSummary:
    """Write the layers and the map through a staging folder (see :func:`build`).

    ``encode`` is started before the map is drawn, so an engine with workers encodes the
    layers while the map's layers are packed (on those workers too, given ``start``; see
    :func:`geo.render.render_map`). ``basemap`` gives the areas drawn under them.
    """
    from geo.render import render_map

    summary = BuildSummary(problems=list(reduction.problems), articles=reduction.articles)
    layers = reduction.layers
    texts = encode({name: layers[name] for name in LAYER_NAMES})
    out.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
    staged = [staging / "layers" / f"{name}.geojson" for name in LAYER_NAMES]
    write = functools.partial(_write_layers, texts, list(staged))
    # With workers encoding the layers, the client writes each text as it comes while the
    # map is drawn; in this process, encoding and drawing would only take turns.
    written = _meanwhile(write) if start is not None else write
    try:
        if render:
            first, last = reduction.dates
            title = "Conflict events"
            if first and last:
                title += f", {first}" + (f" to {last}" if last != first else "")
            staged.append(
                Path(
                    render_map(
                        layers,
                        staging / "maps" / "index.html",
                        basemap=basemap(),
                        title=title,
                        start=start,
                    )
                )
            )
        written()
        for path in staged:
            final = out / path.relative_to(staging)
            final.parent.mkdir(parents=True, exist_ok=True)
            path.replace(final)
            summary.outputs.append(final)
    finally:
        if written is not write:
            with contextlib.suppress(Exception):  # raised above, if it is the failure
                written()  # not writing into the staging folder as it is removed
        shutil.rmtree(staging, ignore_errors=True)
    summary.places = len(layers["places"])
    summary.events = len(layers["events"])
    summary.casualty_records = len(layers["casualties"])
    summary.zones = len(layers["zones"])
    summary.figures = reduction.figures
    return summary


def _write_layers(texts: Mapping[str, Callable[[], str]], paths: Sequence[Path]) -> None:
    """Write each layer's GeoJSON text to its path, in :data:`LAYER_NAMES` order."""
    from geo._atomic import write_text

    for name, path in zip(LAYER_NAMES, paths, strict=False):
        write_text(path, texts[name]())


_STAGING_PREFIX = ".geo-staging-"


def _clear_leftovers(out: Path) -> None:
    """Remove what a killed build may have left: staging folders and half-written temp files."""
    for leftover in out.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for folder in (out / "layers", out / "maps"):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def article_json(result: ArticleResult) -> dict[str, object]:
    """The JSON object ``geo extract --json`` prints for one article."""
    art = result.article
    mentions = []
    for m in result.mentions:
        p = m.place
        mentions.append(
            {
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "id": p.id if p else None,
                "name": p.name if p else None,
                "kind": p.kind if p else None,
                "lat": p.lat if p else None,
                "lon": p.lon if p else None,
                "country": p.country if p else None,
                "admin1": p.admin1 if p else None,
                "precision": m.precision,
                "role": m.role,
                "score": m.score,
                "qualifier": m.qualifier,
                "runner_up": m.runner_up.id if m.runner_up else None,
                "runner_up_score": m.runner_up_score,
            }
        )
    event_places = {e.id: e for e in result.events}
    figures = []
    for f, eid in zip(result.figures, result.figure_events, strict=True):
        ev = event_places.get(eid) if eid else None
        place = ev.place if ev else None
        figures.append(
            {
                "kind": f.kind,
                "low": f.low,
                "best": f.best,
                "high": f.high,
                "qualifier": f.qualifier,
                "victims": f.victims,
                "attribution": f.attribution,
                "hedge": f.hedge,
                "text": f.text,
                "start": f.start,
                "end": f.end,
                "place": {
                    "id": place.id,
                    "name": place.name,
                    "lat": place.lat,
                    "lon": place.lon,
                    "precision": ev.precision if ev else None,
                }
                if place
                else None,
                "event": eid,
            }
        )
    events = []
    for e in result.events:
        events.append(
            {
                "id": e.id,
                "event_type": e.event_type,
                "sub_event_type": e.sub_event_type,
                "date": e.date,
                "date_precision": e.date_precision,
                "place": e.place.name if e.place else None,
                "place_id": e.place.id if e.place else None,
                "precision": e.precision,
                "plover": e.plover,
                "actor": e.actor,
                "quote": e.quote,
                "figures": [f.text for f in e.figures],
            }
        )
    return {
        "article": art.id,
        "date": art.date,
        "title": art.title,
        "source": art.source,
        "mentions": mentions,
        "figures": figures,
        "events": events,
    }
