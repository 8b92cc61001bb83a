"""Compile the pipeline's hot modules with Cython when a C compiler is there.

``geo/toponyms.py`` (finding place names), ``geo/ranking.py`` (ranking their gazetteer
candidates), ``geo/figures.py`` (casualty figures), ``geo/numbers.py`` (tokens and
numbers), ``geo/cues.py`` (cue words), ``geo/zones.py`` (statements and zones),
``geo/sentences.py`` (sentence splitting), ``geo/events.py`` (events), ``geo/columns.py``
(reading gazetteer rows) and ``geo/priors.py`` (scoring a name's gazetteer entries) are plain
Python in Cython's pure-Python mode: compiled, they run several times faster; without a
compiler (or with ``GEO_PURE_PYTHON=1``) the same files run as ordinary Python and give the
same results.
Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import os

from setuptools import setup

COMPILED = [
    "geo/toponyms.py",
    "geo/ranking.py",
    "geo/figures.py",
    "geo/numbers.py",
    "geo/cues.py",
    "geo/zones.py",
    "geo/sentences.py",
    "geo/events.py",
    "geo/columns.py",
    "geo/priors.py",
]


def extensions() -> list[object]:
    """The Cython extensions, each optional: a failed compile falls back to Python."""
    if os.environ.get("GEO_PURE_PYTHON"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        return []
    modules = cythonize(
        COMPILED,
        compiler_directives={
            "language_level": "3",
            "embedsignature": True,
            "warn.unreachable": False,  # the plain-Python branch after `if cython.compiled`
        },
        quiet=True,
    )
    for module in modules:
        module.optional = True
    return modules


setup(ext_modules=extensions())
