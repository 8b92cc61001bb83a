"""Reading single values of Arrow arrays (geo.columns), compiled and as plain Python."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from types import ModuleType

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import columns
from tests.compiled import load_plain

ARRAYS = [
    pa.array(["Kyiv", None, "", "Київ", "Zürich"]),
    pa.array(["a", "bb", None, "ccc", "dddd"]).slice(1, 3),
    pa.array(["", "", ""]),
    pa.array(["x", "yy", "zzz"], type=pa.large_string()),
    pa.array([1, None, -3, 2**40]).slice(1),
    pa.array([1.5, None, -0.0, math.inf]),
    pa.array([7, 8, 9], type=pa.int32()).slice(1),
    pa.array([250, 3], type=pa.uint8()),
    pa.array([2**63 + 5, 1], type=pa.uint64()),
    pa.array([-2, None, 7], type=pa.int8()),
    pa.array([0.25, None], type=pa.float32()),
    pa.array([True, None, False, True, False, True, True, False, True]).slice(1),
    pa.array([None, None], type=pa.string()),
    pa.array([], type=pa.string()),
]


@pytest.fixture(scope="module", params=["compiled", "plain"])
def module(request: pytest.FixtureRequest) -> ModuleType:
    """The module as installed (compiled where built) and its source run as plain Python."""
    return columns if request.param == "compiled" else load_plain(columns)


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: str(a.type))
def test_a_column_reads_what_as_py_reads(module: ModuleType, array: pa.Array) -> None:
    read = module.column(array)
    n = len(array)
    for index in range(-n, n):
        assert repr(read(index)) == repr(array[index].as_py())
    for index in (n, -n - 1):
        with pytest.raises(IndexError):
            read(index)
    if n:
        with pytest.raises(TypeError):
            read(0.5)


def test_nulls_read_as_missing(module: ModuleType) -> None:
    flags = module.column(pa.array([True, None, False]), missing=False)
    assert [flags(i) for i in range(3)] == [True, False, False]
    assert module.column(pa.array([None, None], type=pa.bool_()), missing=False)(0) is False


def test_values_reads_one_row_of_each_column(module: ModuleType) -> None:
    readers = [module.column(a) for a in ARRAYS[:3]]
    assert module.values(readers, 1) == [None, None, ""]
    assert module.values([*readers, lambda row: row * 10], -1) == ["Zürich", "ccc", "", -10]


@given(values=st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=40))
def test_any_strings_read_back(module: ModuleType, values: list[str | None]) -> None:
    array = pa.array(values, type=pa.string())
    read = module.column(array)
    assert [read(i) for i in range(len(values))] == values


@dataclass(frozen=True, slots=True)
class _Pair:
    left: int
    right: str | None = None


def test_records_are_made_without_their_init(module: ModuleType) -> None:
    fields = module.slots(_Pair, ("left", "right"))
    readers = (module.column(pa.array([1, 2])), module.column(pa.array(["a", None])))
    assert module.record(_Pair, fields, readers, -1) == _Pair(2)
    assert module.build(_Pair, fields, (1, "a")) == _Pair(1, "a")
    with pytest.raises(ValueError, match="2 fields for 1 values"):
        module.build(_Pair, fields, (1,))
    with pytest.raises(TypeError, match="has no slots"):
        module.slots(_Pair, ("left", "middle"))


@given(values=st.lists(st.text(), min_size=1, max_size=30), probe=st.text())
def test_equal_range_is_the_bisection(module: ModuleType, values: list[str], probe: str) -> None:
    values.sort()
    search = module.column(pa.array(values, type=pa.string())).equal_range
    for key in [probe, *values]:
        assert search(key) == (bisect.bisect_left(values, key), bisect.bisect_right(values, key))
