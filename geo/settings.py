"""Package-wide settings: typed, documented module globals.

A function reads a setting only when its own argument is ``None``, so callers can
override any of them per call; tests override them with ``monkeypatch.setattr``.
"""

from __future__ import annotations

from pathlib import Path

data_dir: Path = Path(__file__).resolve().parent.parent / "gazetteer"
"""Folder that holds the bundled gazetteer files (``places.parquet``, ``names.parquet``,
``areas.parquet``). Point it elsewhere to use a rebuilt gazetteer."""

cache_dir: Path = Path.home() / ".cache" / "geo-conflict-mapper"
"""Folder for derived, rebuildable caches (recognition index). Safe to delete."""

online: bool = False
"""Whether any stage may use the network. Off by default; only the opt-in online
geocoder honours it, throttled to one request per second."""

nominatim_user_agent: str = "geo-conflict-mapper"
"""User agent sent to Nominatim when ``online`` is enabled."""

fighting_buffer_km: float = 25.0
"""Radius of the buffer drawn around a city named as an area of fighting ("around X")."""

cluster_threshold: int = 2000
"""Point layers with more features than this are clustered on the map."""

map_compress_bytes: int = 1_000_000
"""A map layer whose data (JSON) is larger than this many bytes is stored deflated and
base64-encoded in the page and inflated by the browser (``DecompressionStream``); smaller
layers stay plain JSON, readable in the page's source. 0 compresses every layer."""
