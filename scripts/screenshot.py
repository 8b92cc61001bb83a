r"""Render a PNG of a map page with headless Chromium, offline.

Regenerates the README screenshots::

    geo build ../shared/seeds --out /tmp/seedout
    python scripts/screenshot.py /tmp/seedout/maps/index.html docs/seed-map.png
    python scripts/screenshot.py /tmp/seedout/maps/index.html docs/seed-popup.png \\
        --popup Mykolaiv

Every request that is not ``file:``, ``data:`` or ``blob:`` is aborted (and reported), so the
picture shows what the page draws without a network. ``--popup TEXT`` clicks the first
casualty symbol whose popup mentions ``TEXT`` (with the mouse, as a reader would) before
the screenshot is taken.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

# The browser set-up the tests use: Debian's Chromium, headless, every background request off.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS

# Finds the casualty symbol whose popup mentions the text and returns its centre in page
# pixels (after panning it into view), or null. Popup HTML lives in the symbol's packed
# row (see geo.render), so the text is searched there without opening anything.
_FIND_MARKER = """
(text) => {
  const map = Object.keys(window).filter(k => k.startsWith('map_'))
    .map(k => window[k]).find(v => v instanceof L.Map);
  if (!map) { return null; }
  let found = null;
  map.eachLayer(layer => {
    if (found || !(layer instanceof L.CircleMarker)) { return; }
    const path = layer.getElement && layer.getElement();
    if (!path || !path.classList.contains('geo-casualties')) { return; }
    const popup = layer.getPopup && layer.getPopup();
    const content = popup ? popup.getContent() : '';
    const html = typeof content === 'function' ? content(layer) : String(content || '');
    if (html.indexOf(text) >= 0) { found = layer; }
  });
  if (!found) { return null; }
  const box = found.getElement().getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
}
"""


def screenshot(
    html: str | Path,
    png: str | Path,
    *,
    width: int = 1280,
    height: int = 860,
    popup: str | None = None,
    settle_ms: int = 700,
) -> list[str]:
    """Load ``html`` offline, optionally open a casualty popup, and save a screenshot.

    Parameters
    ----------
    html
        The map page (e.g. ``maps/index.html``).
    png
        Where to write the screenshot.
    width, height
        Viewport size in CSS pixels.
    popup
        Click the casualty symbol whose popup contains this text first.
    settle_ms
        Time given to the page to draw after ``load`` and after the click.

    Returns
    -------
    list of str
        Problems seen: console errors, page errors and blocked requests (empty when clean).

    Raises
    ------
    LookupError
        If ``popup`` is given and no casualty symbol's popup contains it.
    """
    from playwright.sync_api import sync_playwright

    page_path = Path(html).resolve()
    problems: list[str] = []
    with sync_playwright() as playwright:
        executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, service_workers="block"
            )

            def route(request_route: Any) -> None:
                url = request_route.request.url
                if url.startswith(("file:", "data:", "blob:")):
                    request_route.continue_()
                else:
                    problems.append(f"blocked request {url}")
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda message: (
                    problems.append(f"console: {message.text}") if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.goto(page_path.as_uri(), wait_until="load")
            # Large layers are inflated and clustered after the load event; geo.render
            # sets window.geoReadyAt when every layer is drawn.
            page.wait_for_function("window.geoReadyAt !== undefined", timeout=300_000)
            page.wait_for_timeout(settle_ms)
            if popup is not None:
                where = page.evaluate(_FIND_MARKER, popup)
                if where is None:
                    msg = f"no casualty symbol's popup mentions {popup!r} in {str(page_path)!r}"
                    raise LookupError(msg)
                page.mouse.click(where[0], where[1])
                page.wait_for_selector(".leaflet-popup-content", state="visible")
                page.mouse.move(2, height - 2)  # away, so the hover tooltip closes
                page.wait_for_timeout(settle_ms)
            target = Path(png)
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=False)
            context.close()
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="map page to render")
    parser.add_argument("png", type=Path, help="screenshot to write")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--popup", help="open the casualty popup that mentions this text")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        parser.error(f"map page {str(args.html)!r} does not exist; run `geo build` first")
    try:
        problems = screenshot(
            args.html, args.png, width=args.width, height=args.height, popup=args.popup
        )
    except LookupError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    for problem in problems:
        sys.stderr.write(f"warning: {problem}\n")
    sys.stdout.write(f"wrote {args.png}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
