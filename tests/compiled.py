"""The modules setup.py compiles with Cython, and their sources loaded again as plain Python.

Shared by ``tests/test_compiled.py`` (recognition, and every module's doctests),
``tests/test_ranking.py``, ``tests/test_figures.py``, ``tests/test_numbers.py``,
``tests/test_zones_compiled.py``, ``tests/test_sentences.py``, ``tests/test_events.py``,
``tests/test_columns.py`` and ``tests/test_gazetteer.py`` (``geo/priors.py``),
which compare each compiled module with its own source
run uncompiled.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from geo import columns, cues, events, figures, numbers, priors, ranking, sentences, toponyms, zones

ROOT = Path(__file__).resolve().parent.parent
MODULES = (toponyms, ranking, figures, numbers, cues, zones, sentences, events, columns, priors)
"""Every module listed in setup.py's ``COMPILED``."""


def source_of(module: ModuleType) -> Path:
    """The ``.py`` file a module is compiled from."""
    return Path(str(module.__file__)).with_name(module.__name__.rsplit(".", 1)[-1] + ".py")


def is_compiled(module: ModuleType) -> bool:
    """Whether ``module`` was imported from its compiled extension."""
    return not str(module.__file__).endswith(".py")


def skip_unless_compiled(*modules: ModuleType) -> None:
    """Skip the calling test when none of ``modules`` is compiled: nothing to compare."""
    if not any(map(is_compiled, modules)):
        names = " and ".join(module.__name__ for module in modules)
        pytest.skip(f"{names} run(s) as plain Python here")


def load_plain(module: ModuleType) -> ModuleType:
    """Load the source of ``module`` a second time, as plain Python, under a private name."""
    name = f"geo._{module.__name__.rsplit('.', 1)[-1]}_pure"
    spec = importlib.util.spec_from_file_location(name, source_of(module))
    assert spec is not None and spec.loader is not None
    plain = importlib.util.module_from_spec(spec)
    sys.modules[name] = plain  # dataclass-like NamedTuples look their module up
    spec.loader.exec_module(plain)
    return plain


def sample_texts() -> list[str]:
    """The example corpus and the test articles."""
    paths = [*sorted((ROOT / "examples" / "corpus").glob("*.txt")),
             *sorted((ROOT / "tests" / "data").rglob("*.txt"))]  # fmt: skip
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]
