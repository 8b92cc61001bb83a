"""Open a local HTML file in headless Chromium, offline, and report what happened.

Usage in a test::

    from browser import requires_browser, open_page

    @requires_browser
    def test_draws(tmp_path):
        with open_page(html_path, screenshot=tmp_path / "map.png") as page:
            assert page.evaluate("typeof L") == "object"
        assert not page.report.errors

Every request that is not ``file://`` (or ``data:``/``blob:``, which never hit the network)
is aborted and recorded in ``report.blocked``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_available() -> bool:
    """Whether Playwright is importable and the Debian Chromium binary exists."""
    return importlib.util.find_spec("playwright") is not None and (
        CHROMIUM.exists() or shutil.which("chromium") is not None
    )


requires_browser = pytest.mark.skipif(
    not browser_available(), reason="needs playwright and /usr/bin/chromium"
)


@dataclass
class PageReport:
    """What the page did while it loaded."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    screenshot: Path | None = None

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught page errors together."""
        return self.console_errors + self.page_errors


class Page:
    """A thin wrapper: ``evaluate`` JavaScript, ``screenshot``, and the ``report``."""

    def __init__(self, page: Any, report: PageReport) -> None:
        self._page = page
        self.report = report

    def evaluate(self, expression: str) -> Any:
        return self._page.evaluate(expression)

    def screenshot(self, path: Path) -> Path:
        self._page.screenshot(path=str(path), full_page=False)
        self.report.screenshot = path
        return path

    def wait_for(self, selector: str, timeout_ms: int = 30_000) -> float:
        """Wait until ``selector`` matches an element; return the seconds waited."""
        started = time.perf_counter()
        self._page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
        return time.perf_counter() - started

    @property
    def raw(self) -> Any:
        """The Playwright page, for anything the wrapper does not cover."""
        return self._page


@contextlib.contextmanager
def open_page(
    html: str | Path,
    *,
    screenshot: str | Path | None = None,
    viewport: tuple[int, int] = (1280, 860),
    timeout_ms: int = 60_000,
    settle_ms: int = 500,
) -> Iterator[Page]:
    """Load ``html`` offline in headless Chromium and yield a :class:`Page`.

    The page is loaded until the ``load`` event, then given ``settle_ms`` to run timers;
    a screenshot is taken first if ``screenshot`` is set.
    """
    from playwright.sync_api import sync_playwright

    path = Path(html).resolve()
    report = PageReport()
    with sync_playwright() as playwright:
        executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                service_workers="block",
            )

            def route(route: Any) -> None:
                url = route.request.url
                if url.startswith(("file://", "data:", "blob:")):
                    route.continue_()
                else:
                    report.blocked.append(url)
                    route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on(
                "console",
                lambda message: (
                    report.console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: report.page_errors.append(str(error)))
            started = time.perf_counter()
            page.goto(path.as_uri(), wait_until="load", timeout=timeout_ms)
            report.load_seconds = time.perf_counter() - started
            page.wait_for_timeout(settle_ms)
            wrapped = Page(page, report)
            if screenshot is not None:
                wrapped.screenshot(Path(screenshot))
            yield wrapped
            context.close()
        finally:
            browser.close()
