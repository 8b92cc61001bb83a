"""The ``geo`` command: a thin typer layer over the library.

This is the only module that configures logging and progress bars.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from geo.types import Candidate

app = typer.Typer(
    help="Map conflict events from news text: places, casualty figures and zones.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(help="Query the bundled offline gazetteer.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")

HELP_LOOKUP = "Look a place name up in the bundled gazetteer, best candidate first."
HELP_EXTRACT = "Geoparse articles and extract casualty figures; print one JSON object per article."
HELP_GEOPARSE = (
    "Geoparse a corpus in the evaluation JSONL format and write predictions in that format."
)
HELP_BUILD = "Build layers/ and maps/ from articles (the bundled example corpus by default)."
HELP_EXPORT = "Export the layers of a build to one GeoJSON, GeoPackage, GeoParquet or CSV."

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_SKIPPED = 3
"""Exit status when every article was processed but some input was skipped."""


def _configure_logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=_stderr(), show_path=False, show_time=False)],
    )


def _stderr():  # type: ignore[no-untyped-def]
    from rich.console import Console

    # soft_wrap: a message stays on one line in a log file, whatever its length.
    return Console(stderr=True, soft_wrap=True)


def _plain(text: object) -> str:
    """Escape ``text`` for rich markup.

    File names and values such as ``[/]`` or ``[draft]`` are printed as they are, never
    read as styles (nor raise MarkupError).
    """
    from rich.markup import escape

    return escape(str(text))


def _fail(message: str, code: int = 2) -> typer.Exit:
    _stderr().print(f"[bold red]error:[/] {_plain(message)}", highlight=False, markup=True)
    return typer.Exit(code)


@gazetteer_app.command("lookup", help=HELP_LOOKUP)
def gazetteer_lookup(
    name: Annotated[str, typer.Argument(help="Place name in any spelling or script.")],
    country: Annotated[
        str | None, typer.Option("--country", "-c", help="ISO 3166-1 alpha-2 filter.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="When the bundled gazetteer has no match, ask OpenStreetMap's Nominatim "
            "(one request per second; off by default).",
        ),
    ] = False,
) -> None:
    """Look a name up."""
    from geo._errors import GeoError
    from geo.gazetteer import get_gazetteer

    try:
        found = get_gazetteer().candidates(name, country=country, limit=limit)
        if not found and online:
            found = _online_candidates(name, country)
    except GeoError as exc:
        raise _fail(str(exc)) from None
    if not found:
        raise _fail(
            f"no place named {name!r} in the gazetteer" + (f" in {country!r}" if country else ""),
            EXIT_NOT_FOUND,
        )
    rows = [
        {
            "id": c.place.id,
            "name": c.place.name,
            "kind": c.place.kind,
            "lat": c.place.lat,
            "lon": c.place.lon,
            "country": c.place.country,
            "admin1": c.place.admin1,
            "population": c.place.population,
            "precision": c.place.precision,
            "score": round(c.score, 4),
            "matched": c.matched,
            "occupied": c.place.occupied,
            "hromada": c.place.hromada,
            "raion": c.place.raion,
        }
        for c in found
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "id", "name", "kind", "lat", "lon", "country", "admin1", "population", "precision", "score"
    )
    for r in rows:
        table.add_row(
            *(
                ("" if r[k] is None else str(r[k]))
                for k in (
                    "id",
                    "name",
                    "kind",
                    "lat",
                    "lon",
                    "country",
                    "admin1",
                    "population",
                    "precision",
                    "score",
                )
            )
        )
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _online_candidates(name: str, country: str | None) -> list[Candidate]:
    """Nominatim's best match for a name the bundled gazetteer lacks (opt-in, throttled)."""
    from geo.online import geocode
    from geo.types import Candidate

    place = geocode(name, country=country, online=True)
    return [] if place is None else [Candidate(place, 1.0, name, primary=False)]


@app.command("extract", help=HELP_EXTRACT)
def extract_cmd(
    files: Annotated[list[Path], typer.Argument(help="Article files or folders.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON Lines output (the default).")
    ] = True,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Print mentions, figures and events per article."""
    _configure_logging(verbose)
    from geo._collector import young_collections_only
    from geo.ingest import read_articles
    from geo.pipeline import article_json, extract

    articles, problems = read_articles(files)
    for problem in problems:
        _stderr().print(
            f"[yellow]{problem.severity}:[/] {_plain(problem.message)}", highlight=False
        )
    with young_collections_only():
        for article in articles:
            sys.stdout.write(json.dumps(article_json(extract(article)), ensure_ascii=False) + "\n")
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(EXIT_SKIPPED)


@app.command("geoparse", help=HELP_GEOPARSE)
def geoparse_cmd(
    corpus: Annotated[Path, typer.Argument(help="JSONL with id and text per line.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Predictions JSONL to write.")],
    exclude_role: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-role",
            help="Leave out mentions of this role (demonym, metonym, origin, other); repeatable. "
            "Use --exclude-role demonym for corpora that do not annotate demonyms (LGL, GeoVirus).",
        ),
    ] = None,
) -> None:
    """Write predictions for the shared evaluation tool."""
    excluded = set(exclude_role or ())
    unknown = excluded - {"location", "metonym", "demonym", "origin", "other"}
    if unknown:
        raise _fail(
            f"unknown role(s) {sorted(unknown)!r}; expected demonym, metonym, origin or other"
        )
    from geo._atomic import atomic_open
    from geo._collector import young_collections_only
    from geo.resolve import geoparse

    if not corpus.is_file():
        raise _fail(f"corpus file {str(corpus)!r} does not exist")
    n_docs = 0
    with (
        corpus.open(encoding="utf-8") as src,
        atomic_open(output) as dst,
        young_collections_only(),
    ):
        for line_no, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                text = doc["text"]
                doc_id = doc["id"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                _stderr().print(
                    f"[yellow]warning:[/] {_plain(corpus)}:{line_no}: skipped ({_plain(exc)})"
                )
                continue
            toponyms = []
            for m in geoparse(text):
                if m.role in excluded:
                    continue
                p = m.place
                gid = p.geonameid if p is not None else None
                toponyms.append(
                    {
                        "start": m.start,
                        "end": m.end,
                        "name": m.text,
                        "lat": p.lat if p else None,
                        "lon": p.lon if p else None,
                        "geonameid": gid,
                        "role": m.role,
                        "score": m.score,
                    }
                )
            dst.write(json.dumps({"id": doc_id, "toponyms": toponyms}, ensure_ascii=False) + "\n")
            n_docs += 1
    _stderr().print(f"wrote predictions for {n_docs} documents to {_plain(output)}")


@app.command("build", help=HELP_BUILD)
def build_cmd(
    inputs: Annotated[list[Path] | None, typer.Argument(help="Article files or folders.")] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output folder for layers/ and maps/.")
    ] = Path(),
    engine: Annotated[str, typer.Option("--engine", help="local or dask.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="dask scheduler address (dask engine).")
    ] = None,
    partitions: Annotated[
        int | None, typer.Option("--partitions", min=1, help="Partitions (dask engine).")
    ] = None,
    max_file_mb: Annotated[
        float,
        typer.Option(
            "--max-file-mb", min=0.001, help="Skip input files larger than this many MiB."
        ),
    ] = 50.0,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Write each partition's mentions and events here as GeoParquet (dask engine; "
            "a folder every worker can write to).",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Regenerate every layer and the map."""
    if engine not in {"local", "dask"}:
        raise _fail(f"unknown engine {engine!r}; expected 'local' or 'dask'")
    _configure_logging(verbose)
    from rich.progress import Progress

    from geo._errors import GeoError
    from geo.pipeline import build

    try:
        with Progress(console=_stderr(), transient=True) as bar:
            task = bar.add_task("articles", total=None)
            summary = build(
                inputs or None,
                out,
                engine=engine,  # type: ignore[arg-type]
                scheduler=scheduler,
                partitions=partitions,
                max_bytes=int(max_file_mb * 1024 * 1024),
                work_dir=work_dir,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except GeoError as exc:
        raise _fail(str(exc)) from None
    err = _stderr()
    for problem in summary.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err.print(f"[{colour}]{problem.severity}:[/] {_plain(problem.message)}", highlight=False)
    err.print(
        f"articles {summary.articles}, places {summary.places}, events {summary.events}, "
        f"figures {summary.figures}, casualty records {summary.casualty_records}, "
        f"zones {summary.zones}, "
        f"errors {sum(p.severity == 'error' for p in summary.problems)}, "
        f"warnings {sum(p.severity == 'warning' for p in summary.problems)}"
    )
    for path in summary.outputs:
        err.print(f"wrote {_plain(path)}", highlight=False)
    if any(p.severity == "error" for p in summary.problems):
        raise typer.Exit(EXIT_SKIPPED)


@app.command("export", help=HELP_EXPORT)
def export_cmd(
    layers_dir: Annotated[Path, typer.Argument(help="The layers/ folder of a build.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="geojson, gpkg, parquet or csv.")
    ] = "geojson",
    output: Annotated[Path | None, typer.Option("--output", "-o")] = None,
) -> None:
    """Export layers."""
    from geo._errors import GeoError
    from geo.export import export

    if fmt not in {"geojson", "gpkg", "parquet", "csv"}:
        raise _fail(f"unknown format {fmt!r}; expected geojson, gpkg, parquet or csv")
    default = {
        "geojson": "export.geojson",
        "gpkg": "export.gpkg",
        "parquet": "export.parquet",
        "csv": "export.csv",
    }[fmt]
    try:
        path = export(layers_dir, fmt, output or Path(default))  # type: ignore[arg-type]
    except (GeoError, FileNotFoundError) as exc:
        raise _fail(str(exc)) from None
    _stderr().print(f"wrote {_plain(path)}", highlight=False)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
