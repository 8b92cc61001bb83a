"""Compile the recognition core (``geo/toponyms.py``) with Cython when a C compiler is there.

``geo/toponyms.py`` is plain Python in Cython's pure-Python mode: compiled, it recognises
place names several times faster; without a compiler (or with ``GEO_PURE_PYTHON=1``) the
same file runs as ordinary Python and gives the same results. Everything else about the
package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import os

from setuptools import setup

COMPILED = ["geo/toponyms.py"]


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
        compiler_directives={"language_level": "3", "embedsignature": True},
        quiet=True,
    )
    for module in modules:
        module.optional = True
    return modules


setup(ext_modules=extensions())
