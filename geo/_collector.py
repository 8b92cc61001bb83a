"""The garbage collector during a build: young collections only.

A build keeps every article's results until its layers are written: millions of objects
that live to the end. CPython's full collection walks all of them whenever the oldest
generation has grown by a quarter, taking seconds at 100k articles, and finds nothing to
free, as the pipeline's records (frozen dataclasses of strings, numbers and tuples) form no
reference cycles. In a dask worker it also stalls the transfers the worker serves while its
task runs. A build therefore suspends full collections and keeps the young ones, which still
free the short-lived cycles that libraries make; the thresholds are put back when it ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_NEVER = 2**31 - 1
"""A threshold the count of young collections never reaches (the largest C int)."""


def suspend_full_collections() -> tuple[int, int, int]:
    """Stop the collector's automatic full collections; the thresholds it had before.

    Examples
    --------
    >>> before = suspend_full_collections()
    >>> gc.get_threshold()[2] > 10**9
    True
    >>> resume_full_collections(before)
    """
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _NEVER)
    return before


def resume_full_collections(before: tuple[int, int, int]) -> None:
    """Put back the thresholds that :func:`suspend_full_collections` returned."""
    gc.set_threshold(*before)


_HELD: list[tuple[int, int, int]] = []
"""The thresholds :func:`hold_full_collections` replaced, until :func:`release_full_collections`."""


def hold_full_collections() -> None:
    """Suspend full collections in this process until :func:`release_full_collections`.

    For a process that runs a build in several calls, such as a dask worker; a second call
    before the release does nothing.
    """
    if not _HELD:
        _HELD.append(suspend_full_collections())


def release_full_collections() -> None:
    """Undo :func:`hold_full_collections`, if it was called.

    Examples
    --------
    >>> hold_full_collections(); hold_full_collections()
    >>> gc.get_threshold()[2] == _NEVER
    True
    >>> release_full_collections(); gc.get_threshold()[2] == _NEVER
    False
    """
    if _HELD:
        resume_full_collections(_HELD.pop())


@contextlib.contextmanager
def young_collections_only() -> Iterator[None]:
    """Run the block with full collections suspended; restore the thresholds after it."""
    before = suspend_full_collections()
    try:
        yield
    finally:
        resume_full_collections(before)
