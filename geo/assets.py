"""Offline copies of the JavaScript and CSS a rendered map needs.

folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, so its pages draw
nothing without a network. This module reads Leaflet, Leaflet.markercluster and jQuery
from the installed ``xstatic`` packages so :mod:`geo.render` can inline them; Leaflet's
marker and layer-control images become ``data:`` URIs inside the CSS. Bootstrap and
Font Awesome are not needed by anything :mod:`geo.render` draws and are left out.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo._errors import GeoError

AssetName = Literal["leaflet", "markercluster", "jquery"]

_CSS_URL = re.compile(r"url\(\s*(['\"]?)(images/[^'\")]+)\1\s*\)")


class AssetError(GeoError, FileNotFoundError):
    """A bundled JavaScript or CSS file is missing from the installed xstatic packages."""


@dataclass(frozen=True, slots=True)
class Asset:
    """One library's code, ready to inline: JavaScript and CSS text (either may be empty)."""

    name: str
    js: str
    css: str


def _package_dir(name: AssetName) -> Path:
    if name == "leaflet":
        import xstatic.pkg.leaflet as pkg
    elif name == "markercluster":
        import xstatic.pkg.leaflet_markercluster as pkg
    else:
        import xstatic.pkg.jquery as pkg
    return Path(pkg.BASE_DIR)


def _read(folder: Path, file_name: str) -> str:
    path = folder / file_name
    if not path.is_file():
        msg = (
            f"bundled asset {str(path)!r} is missing; reinstall the xstatic packages "
            "(pip install --force-reinstall xstatic-leaflet xstatic-leaflet-markercluster "
            "xstatic-jquery)"
        )
        raise AssetError(msg)
    return path.read_text(encoding="utf-8")


def data_uri(path: str | Path) -> str:
    """Return the content of an image file as a ``data:`` URI.

    Parameters
    ----------
    path
        A ``.png``, ``.svg``, ``.gif`` or ``.jpg`` file.

    Returns
    -------
    str
        ``data:image/<type>;base64,...``
    """
    file_path = Path(path)
    kind = {".svg": "svg+xml", ".jpg": "jpeg"}.get(file_path.suffix, file_path.suffix[1:])
    payload = base64.b64encode(file_path.read_bytes()).decode("ascii")
    return f"data:image/{kind};base64,{payload}"


def _inline_css_images(css: str, folder: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        image = folder / match.group(2)
        if not image.is_file():
            msg = f"image {str(image)!r} referenced by Leaflet's CSS is missing"
            raise AssetError(msg)
        return f'url("{data_uri(image)}")'

    return _CSS_URL.sub(replace, css)


def _safe_js(js: str) -> str:
    # An inline <script> ends at the first "</script"; none of the bundled files contain
    # one today, but escaping it keeps a future upgrade from breaking the page silently.
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


@functools.cache
def load(name: AssetName) -> Asset:
    """Read one bundled library (minified JavaScript and its CSS).

    Parameters
    ----------
    name
        ``"leaflet"`` (with its images inlined as ``data:`` URIs and the default marker
        icon pointed at them), ``"markercluster"`` (Leaflet.markercluster with its default
        cluster styles) or ``"jquery"``.

    Returns
    -------
    Asset
        The library's JavaScript and CSS text.

    Raises
    ------
    AssetError
        If a file is missing from the installed package.
    """
    folder = _package_dir(name)
    if name == "leaflet":
        css = _inline_css_images(_read(folder, "leaflet.css"), folder)
        icons = {
            "iconUrl": data_uri(folder / "images" / "marker-icon.png"),
            "iconRetinaUrl": data_uri(folder / "images" / "marker-icon-2x.png"),
            "shadowUrl": data_uri(folder / "images" / "marker-shadow.png"),
        }
        options = ", ".join(f'{key}: "{value}"' for key, value in icons.items())
        js = _read(folder, "leaflet.js") + f"\nL.Icon.Default.mergeOptions({{{options}}});\n"
        return Asset("leaflet", _safe_js(js), css)
    if name == "markercluster":
        css = _read(folder, "MarkerCluster.css") + "\n" + _read(folder, "MarkerCluster.Default.css")
        return Asset("markercluster", _safe_js(_read(folder, "leaflet.markercluster.js")), css)
    if name == "jquery":
        return Asset("jquery", _safe_js(_read(folder, "jquery.min.js")), "")
    msg = f"unknown asset {name!r}; expected 'leaflet', 'markercluster' or 'jquery'"
    raise AssetError(msg)


def inline_tags(names: tuple[AssetName, ...]) -> tuple[str, str]:
    """Return ``(<style> tags, <script> tags)`` that inline the given libraries in order.

    Parameters
    ----------
    names
        Libraries to inline, dependencies first (``"leaflet"`` before ``"markercluster"``).

    Returns
    -------
    tuple of str
        The CSS as ``<style>`` elements and the JavaScript as ``<script>`` elements.
    """
    styles = []
    scripts = []
    for name in names:
        asset = load(name)
        if asset.css:
            styles.append(f'<style data-asset="{asset.name}">\n{asset.css}\n</style>')
        if asset.js:
            scripts.append(f'<script data-asset="{asset.name}">\n{asset.js}\n</script>')
    return "\n".join(styles), "\n".join(scripts)
