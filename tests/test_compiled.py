"""The compiled recognition core gives exactly what the same module gives as plain Python.

``geo/toponyms.py`` is compiled by Cython when the package is installed with a C compiler
(see setup.py); the source also runs uncompiled. These tests load the source a second time
as plain Python and compare the two on the example corpus, the test articles and generated
text, so a change that only one of them understands is caught. The install checks cover
every compiled module (``geo/ranking.py`` is compared in tests/test_ranking.py).
"""

from __future__ import annotations

import doctest
import os
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given

from geo import toponyms
from tests.compiled import (
    MODULES,
    is_compiled,
    load_plain,
    sample_texts,
    skip_unless_compiled,
    source_of,
)
from tests.test_properties_geoparse import any_text


@pytest.fixture(scope="module")
def pure() -> ModuleType:
    return load_plain(toponyms)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_the_ci_install_compiles_the_core(module: ModuleType) -> None:
    """scripts/test installs the package with its compiled cores; they must be the ones in use."""
    if os.environ.get("CI") != "true":
        pytest.skip("only the CI install is known to have a C compiler")
    where = module.__file__
    assert is_compiled(module), f"{module.__name__} was imported from {where}, not compiled"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_compiled_core_is_not_stale(module: ModuleType) -> None:
    skip_unless_compiled(module)
    built = Path(str(module.__file__)).stat().st_mtime
    source = source_of(module)
    assert built >= source.stat().st_mtime, (
        f"{module.__file__} is older than {source}; rebuild it with `pip install -e .`"
    )


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests_of_compiled_sources(module: ModuleType) -> None:
    """pytest does not collect a compiled module's source (see pyproject.toml); run it here."""
    plain = load_plain(module)
    result = doctest.testmod(plain, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests failed"
    if module.__name__ in {"geo.figures", "geo.numbers"}:
        assert result.attempted >= 5  # they have examples; none may go unnoticed


def test_pure_module_is_plain_python(pure: ModuleType) -> None:
    assert pure.__file__ == str(source_of(toponyms))
    assert pure.find_toponyms("Shelling hit Kyiv.")[0].text == "Kyiv"


def test_pure_and_compiled_agree_on_articles(pure: ModuleType) -> None:
    index = toponyms._default_index()
    texts = sample_texts()
    assert len(texts) >= 10
    for text in texts:
        expected = pure.find_toponyms(text, index=index)
        assert [tuple(t) for t in toponyms.find_toponyms(text)] == [tuple(t) for t in expected]


@given(any_text)
def test_pure_and_compiled_agree_on_any_text(pure: ModuleType, text: str) -> None:
    index = toponyms._default_index()
    expected = [tuple(t) for t in pure.find_toponyms(text, index=index)]
    assert [tuple(t) for t in toponyms.find_toponyms(text, index=index)] == expected
