"""Generate a large English benchmark corpus (JSON Lines) from the bundled example articles.

Every bundled article in ``examples/corpus`` becomes a template: the place names that
recognition finds in it are replaced by names drawn from the gazetteer (Ukrainian
settlements and world cities of every size), and every number that is not a year by a
random number with as many digits. Articles get unique ids and dates in 2022-2024, so no
two articles share a text and no lookup cache can hide the cost of new names.

Output: ``benchmarks/data/corpus/corpus-NN.jsonl`` shards of at most ``--shard`` articles
(each well under the 50 MB per-file limit of ``geo.ingest``), plus ``benchmarks/data/corpus.json``
describing them. ``benchmarks/data`` is generated and git-ignored.

    python benchmarks/make_corpus.py [--mb 60] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
CORPUS = DATA / "corpus"

_NUMBER = re.compile(r"(?<![\w.,])\d+(?![\w])")
_CLEAN_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}")


def _templates() -> list[tuple[str, str | None, list[tuple[int, int, str]]]]:
    """(text, title, place slots) for every bundled article; slots are (start, end, kind)."""
    from geo.ingest import read_articles
    from geo.toponyms import find_toponyms

    articles, _ = read_articles([ROOT / "examples" / "corpus"])
    out = []
    for art in articles:
        slots = [(t.start, t.end, t.kind) for t in find_toponyms(art.text) if t.kind == "name"]
        out.append((art.text, art.title, slots))
    return out


def _name_pools(rng: random.Random) -> tuple[list[str], list[str]]:
    """Ukrainian settlement names and world city names with plain English spellings."""
    from geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    names = gaz.column("name").to_pylist()
    kinds = gaz.column("kind").to_pylist()
    countries = gaz.column("country").to_pylist()
    pops = gaz.column("population").to_pylist()
    ukraine: list[str] = []
    world: list[str] = []
    for name, kind, country, pop in zip(names, kinds, countries, pops, strict=True):
        if kind != "settlement" or not name or not _CLEAN_NAME.fullmatch(name):
            continue
        if country == "UA":
            ukraine.append(name)
        elif (pop or 0) >= 20_000:
            world.append(name)
    rng.shuffle(ukraine)
    rng.shuffle(world)
    return ukraine, world


def _numbers(text: str, rng: random.Random) -> str:
    def swap(match: re.Match[str]) -> str:
        digits = match.group()
        if len(digits) == 4 and digits.startswith(("19", "20")):
            return digits  # a year
        low = 10 ** (len(digits) - 1) if len(digits) > 1 else 1
        return str(rng.randint(low, 10 ** len(digits) - 1))

    return _NUMBER.sub(swap, text)


def articles(n: int, *, seed: int = 0) -> Iterator[dict[str, str]]:
    """Yield ``n`` generated articles as JSON Lines records."""
    rng = random.Random(seed)
    templates = _templates()
    ukraine, world = _name_pools(rng)
    for i in range(n):
        text, title, slots = templates[i % len(templates)]
        parts: list[str] = []
        pos = 0
        for start, end, _kind in slots:
            parts.append(text[pos:start])
            pool = ukraine if rng.random() < 0.7 else world
            parts.append(rng.choice(pool) if rng.random() < 0.8 else text[start:end])
            pos = end
        parts.append(text[pos:])
        body = _numbers("".join(parts), rng)
        year = rng.choice((2022, 2023, 2024))
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        yield {
            "id": f"bench-{i:07d}",
            "date": date,
            "title": _numbers(title, rng) if title else f"Report {i}",
            "source": "benchmark",
            "text": body,
        }


def write_corpus(
    out_dir: Path, n: int, *, shard: int = 20_000, seed: int = 0
) -> tuple[list[Path], int]:
    """Write ``n`` articles as JSONL shards under ``out_dir``; return the files and bytes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("corpus-*.jsonl"):
        old.unlink()
    files: list[Path] = []
    total = 0
    handle = None
    for i, record in enumerate(articles(n, seed=seed)):
        if i % shard == 0:
            if handle is not None:
                handle.close()
            files.append(out_dir / f"corpus-{len(files):02d}.jsonl")
            handle = files[-1].open("w", encoding="utf-8")
        line = json.dumps(record, ensure_ascii=False) + "\n"
        total += len(line.encode("utf-8"))
        assert handle is not None
        handle.write(line)
    if handle is not None:
        handle.close()
    return files, total


def corpus_files(min_mb: float = 50.0) -> list[Path]:
    """The benchmark corpus shards, generated first if missing or smaller than ``min_mb``."""
    meta = DATA / "corpus.json"
    if meta.is_file():
        info = json.loads(meta.read_text())
        files = [ROOT / f for f in info["files"]]
        if info["bytes"] >= min_mb * 1e6 and all(f.is_file() for f in files):
            return files
    main(["--mb", str(max(min_mb, 50.0) * 1.1)])
    info = json.loads(meta.read_text())
    return [ROOT / f for f in info["files"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=60.0, help="corpus size in MB (>= 50)")
    parser.add_argument("--shard", type=int, default=20_000, help="articles per JSONL file")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sample = list(articles(200, seed=args.seed))
    per_article = sum(len(json.dumps(r, ensure_ascii=False)) + 1 for r in sample) / len(sample)
    n = int(args.mb * 1e6 / per_article) + 1
    files, total = write_corpus(CORPUS, n, shard=args.shard, seed=args.seed)
    info = {
        "articles": n,
        "bytes": total,
        "seed": args.seed,
        "files": [f.relative_to(ROOT).as_posix() for f in files],
    }
    (DATA / "corpus.json").write_text(json.dumps(info, indent=1))
    print(f"wrote {n} articles, {total / 1e6:.1f} MB in {len(files)} files under {CORPUS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
