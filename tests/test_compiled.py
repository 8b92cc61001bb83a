"""The compiled recognition core gives exactly what the same module gives as plain Python.

``geo/toponyms.py`` is compiled by Cython when the package is installed with a C compiler
(see setup.py); the source also runs uncompiled. These tests load the source a second time
as plain Python and compare the two on the example corpus, the test articles and generated
text, so a change that only one of them understands is caught.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given

from geo import toponyms
from tests.test_properties_geoparse import any_text

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(toponyms.__file__).with_name("toponyms.py")
COMPILED = not toponyms.__file__.endswith(".py")


@pytest.fixture(scope="module")
def pure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("geo._toponyms_pure", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass-like NamedTuples look their module up
    spec.loader.exec_module(module)
    return module


def _texts() -> list[str]:
    paths = [*sorted((ROOT / "examples" / "corpus").glob("*.txt")),
             *sorted((ROOT / "tests" / "data").rglob("*.txt"))]  # fmt: skip
    return [p.read_text(encoding="utf-8", errors="replace") for p in paths]


def test_the_ci_install_compiles_the_core() -> None:
    """scripts/test installs the package with its compiled core; it must be the one in use."""
    if os.environ.get("CI") != "true":
        pytest.skip("only the CI install is known to have a C compiler")
    assert COMPILED, f"geo.toponyms was imported from {toponyms.__file__}, not compiled"


def test_compiled_core_is_not_stale() -> None:
    if not COMPILED:
        pytest.skip("geo.toponyms runs as plain Python here")
    built = Path(toponyms.__file__).stat().st_mtime
    assert built >= SOURCE.stat().st_mtime, (
        f"{toponyms.__file__} is older than {SOURCE}; rebuild it with `pip install -e .`"
    )


def test_pure_module_is_plain_python(pure: ModuleType) -> None:
    assert pure.__file__ == str(SOURCE)
    assert pure.find_toponyms("Shelling hit Kyiv.")[0].text == "Kyiv"


def test_pure_and_compiled_agree_on_articles(pure: ModuleType) -> None:
    index = toponyms._default_index()
    texts = _texts()
    assert len(texts) >= 10
    for text in texts:
        expected = pure.find_toponyms(text, index=index)
        assert [tuple(t) for t in toponyms.find_toponyms(text)] == [tuple(t) for t in expected]


@given(any_text)
def test_pure_and_compiled_agree_on_any_text(pure: ModuleType, text: str) -> None:
    index = toponyms._default_index()
    expected = [tuple(t) for t in pure.find_toponyms(text, index=index)]
    assert [tuple(t) for t in toponyms.find_toponyms(text, index=index)] == expected
