"""Single values of Arrow arrays, read by row straight from the arrays' buffers.

``array[i].as_py()`` first makes a pyarrow scalar, which costs more than the value itself,
and converting a whole column to Python objects up front would cost every process its
start-up time and memory. A :class:`Column` keeps views of the array's buffers (only
bitmaps, unpacked to one byte per row, and integers narrower than 64 bits are copied) and
makes the Python object of one row when asked: the gazetteer reads a name's candidates
this way the first time it meets the name.

Compiled with Cython when a C compiler is there (see ``setup.py``); the same file runs as
plain Python otherwise, with the same results.

Examples
--------
>>> import pyarrow as pa
>>> names = column(pa.array(["Kyiv", None, "Київ"]))
>>> names(0), names(1), names(-1), len(names)
('Kyiv', None, 'Київ', 3)
>>> column(pa.array([True, None]), missing=False)(1)
False
>>> values((column(pa.array([1, 2])), column(pa.array([0.5, 1.5]))), 1)
[2, 1.5]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import cython
import numpy as np
import pyarrow as pa

if cython.compiled:
    from cython.cimports.cpython.object import Py_TYPE
    from cython.cimports.libc.string import memcmp

_Record = TypeVar("_Record")


def _bytes_per_row(array: pa.Array, buffer: int) -> np.ndarray:
    """A bitmap of ``array`` (validity or boolean values), one byte (0 or 1) per row."""
    packed = np.frombuffer(array.buffers()[buffer], np.uint8)
    return np.unpackbits(packed, bitorder="little")[array.offset : array.offset + len(array)]


def values_buffer(array: pa.Array, dtype: type[np.generic], extra: int = 0) -> np.ndarray:
    """The values (or, with ``extra=1``, offsets) buffer of ``array`` as a NumPy view.

    Nothing is copied; the view keeps the Arrow buffer alive.
    """
    kind = np.dtype(dtype)
    count = len(array) + extra
    return np.frombuffer(array.buffers()[1], kind, count, array.offset * kind.itemsize)


_NO_BYTES = np.zeros(1, np.uint8)  # a buffer for arrays without one (empty or all null)


@cython.cclass
class Column:
    """The values of one Arrow array; ``column(row)`` is ``array[row].as_py()``.

    Rows count from the end when negative, as in Python; a row out of range raises
    :class:`IndexError`. A null reads as ``missing`` (``None`` unless given).
    """

    n: cython.Py_ssize_t
    valid: cython.const[cython.uchar][:]  # type: ignore[valid-type]
    nullable: cython.bint
    missing: object

    def __init__(self, array: pa.Array, missing: Any = None) -> None:
        self.n = len(array)
        self.nullable = array.null_count > 0
        self.valid = (_bytes_per_row(array, 0) if self.nullable else _NO_BYTES).data
        self.missing = missing

    def __len__(self) -> int:
        return self.n

    def __call__(self, row: cython.Py_ssize_t) -> Any:
        """The value at ``row``, as :meth:`at`."""
        return self.at(row)

    @cython.ccall
    def at(self, row: cython.Py_ssize_t) -> Any:
        """The value at ``row`` (see the class)."""
        at: cython.Py_ssize_t = row + self.n if row < 0 else row
        if at < 0 or at >= self.n:
            msg = f"row {row} out of range for a column of {self.n} values"
            raise IndexError(msg)
        row = at
        if self.nullable and not self.valid[row]:
            return self.missing
        return self._value(row)

    @cython.cfunc
    def _value(self, row: cython.Py_ssize_t) -> Any:
        raise NotImplementedError


@cython.final
@cython.cclass
class Strings(Column):
    """A string column: each value is UTF-8 between two offsets."""

    offsets: cython.const[cython.int][:]  # type: ignore[valid-type]
    data: cython.const[cython.uchar][:]  # type: ignore[valid-type]

    def __init__(self, array: pa.Array, missing: Any = None) -> None:
        super().__init__(array, missing)
        self.offsets = values_buffer(array, np.int32, extra=1).data
        data = array.buffers()[2]
        empty = data is None or data.size == 0
        self.data = (_NO_BYTES if empty else np.frombuffer(data, np.uint8)).data

    @cython.cfunc
    def _value(self, row: cython.Py_ssize_t) -> Any:
        start: cython.Py_ssize_t = self.offsets[row]
        end: cython.Py_ssize_t = self.offsets[row + 1]
        if cython.compiled:
            if start == end:
                return ""
            chars: cython.p_const_char = cython.cast(
                cython.p_const_char, cython.address(self.data[start])
            )
            return chars[: end - start].decode("utf-8")
        return str(self.data[start:end], "utf-8")

    def equal_range(self, value: str) -> tuple[int, int]:
        """The rows ``lo`` to ``hi`` (exclusive) that hold ``value``, in a sorted column.

        The column must be sorted by code point, as Python sorts strings (which is the
        order of their UTF-8 bytes); a null sorts as the empty string. Where ``value``
        is missing, ``lo == hi`` is where it would go. A binary search over the bytes:
        no Python string is made.

        Examples
        --------
        >>> column(pa.array(["a", "b", "b", "c"])).equal_range("b")
        (1, 3)
        >>> column(pa.array(["a", "b", "b", "c"])).equal_range("bb")
        (3, 3)
        """
        wanted = value.encode("utf-8", "surrogatepass")  # ordered as the code points
        lo: cython.Py_ssize_t = 0
        hi: cython.Py_ssize_t = self.n
        middle: cython.Py_ssize_t
        while lo < hi:  # the first row not below the value
            middle = (lo + hi) // 2
            if self._compare(middle, wanted) < 0:
                lo = middle + 1
            else:
                hi = middle
        hi = lo
        while hi < self.n and self._compare(hi, wanted) == 0:  # runs are short
            hi += 1
        return lo, hi

    @cython.cfunc
    def _compare(self, row: cython.Py_ssize_t, wanted: bytes) -> cython.int:
        """Below, at or above zero as the value at ``row`` sorts before, as or after ``wanted``."""
        start: cython.Py_ssize_t = self.offsets[row]
        size: cython.Py_ssize_t = self.offsets[row + 1] - start
        length: cython.Py_ssize_t = len(wanted)
        if not cython.compiled:
            here = bytes(self.data[start : start + size])
            return (here > wanted) - (here < wanted)
        order: cython.int = 0
        if min(size, length) > 0:
            order = memcmp(
                cython.address(self.data[start]),
                cython.cast(cython.p_const_char, wanted),
                min(size, length),
            )
        if order != 0:
            return order
        return (size > length) - (size < length)


@cython.final
@cython.cclass
class Floats(Column):
    """A float64 column."""

    numbers: cython.const[cython.double][:]  # type: ignore[valid-type]

    def __init__(self, array: pa.Array, missing: Any = None) -> None:
        super().__init__(array, missing)
        self.numbers = values_buffer(array, np.float64).data

    @cython.cfunc
    def _value(self, row: cython.Py_ssize_t) -> Any:
        return self.numbers[row]


@cython.final
@cython.cclass
class Integers(Column):
    """An integer column, read as int64 (narrower arrays are widened once)."""

    numbers: cython.const[cython.longlong][:]  # type: ignore[valid-type]

    def __init__(self, array: pa.Array, missing: Any = None) -> None:
        super().__init__(array, missing)
        kind = array.type
        signed = pa.types.is_signed_integer(kind)
        own = np.dtype(f"{'i' if signed else 'u'}{kind.bit_width // 8}")
        numbers = values_buffer(array, own.type)
        if own != np.int64:
            numbers = numbers.astype(np.int64)  # column() keeps uint64 away: it may not fit
        self.numbers = numbers.data

    @cython.cfunc
    def _value(self, row: cython.Py_ssize_t) -> Any:
        return self.numbers[row]


@cython.final
@cython.cclass
class Booleans(Column):
    """A boolean column, read as ``True`` or ``False``."""

    flags: cython.const[cython.uchar][:]  # type: ignore[valid-type]

    def __init__(self, array: pa.Array, missing: Any = None) -> None:
        super().__init__(array, missing)
        self.flags = _bytes_per_row(array, 1).data

    @cython.cfunc
    def _value(self, row: cython.Py_ssize_t) -> Any:
        return self.flags[row] != 0


def column(array: pa.Array, *, missing: Any = None) -> Callable[[int], Any]:
    """A reader of ``array``'s values by row.

    Parameters
    ----------
    array
        Any pyarrow array (not a chunked one).
    missing
        What a null reads as.

    Returns
    -------
    Callable[[int], Any]
        ``read(row)`` gives ``array[row].as_py()`` (``missing`` for a null). Strings,
        booleans, float64 and integers that fit in int64 are read from the buffers by a
        :class:`Column`; any other type by ``as_py``.
    """
    kind = array.type
    if len(array) and array.null_count < len(array):
        if pa.types.is_string(kind):
            return Strings(array, missing)
        if pa.types.is_boolean(kind):
            return Booleans(array, missing)
        if pa.types.is_integer(kind) and kind != pa.uint64():
            return Integers(array, missing)
        if pa.types.is_float64(kind):
            return Floats(array, missing)

    def read(row: Any) -> Any:  # not ``int``: compiled, that would truncate a float
        value = array[row].as_py()
        return missing if value is None else value

    return read


def values(readers: Sequence[Callable[[int], Any]], row: cython.Py_ssize_t) -> list[Any]:
    """The value at ``row`` of each reader, in order.

    Parameters
    ----------
    readers
        Readers as :func:`column` makes them (any ``read(row)`` callable will do).
    row
        The row, counted from the end when negative.

    Returns
    -------
    list
        One value per reader.
    """
    out: list[Any] = []
    read: object
    for read in readers:
        if isinstance(read, Column):
            out.append(cython.cast(Column, read).at(row))
        else:
            out.append(read(row))
    return out


def slots(cls: type, names: Sequence[str]) -> tuple[Any, ...]:
    """The slot descriptors of ``cls`` for fields ``names``, for :func:`record` and :func:`build`.

    Raises
    ------
    TypeError
        If a name is not a slot of ``cls`` itself.
    """
    found = tuple(vars(cls).get(name) for name in names)
    if any(type(slot).__name__ != "member_descriptor" for slot in found):
        msg = f"{cls.__name__} has no slots {list(names)!r}; is it a dataclass with slots=True?"
        raise TypeError(msg)
    return found


def record(
    cls: type[_Record],
    fields: tuple[Any, ...],
    readers: tuple[Callable[[int], Any], ...],
    row: cython.Py_ssize_t,
) -> _Record:
    """An instance of ``cls`` whose field ``fields[i]`` is ``readers[i](row)``.

    :func:`build` of :func:`values`, without the list between them (examples there).
    """
    if len(fields) != len(readers):
        msg = f"{len(fields)} fields for {len(readers)} readers"
        raise ValueError(msg)
    out = cls.__new__(cls)
    index: cython.Py_ssize_t
    read: Any
    for index in range(len(fields)):
        read = readers[index]
        if isinstance(read, Column):
            _store(fields[index], out, cython.cast(Column, read).at(row))
        else:
            _store(fields[index], out, read(row))
    return out


def build(cls: type[_Record], fields: tuple[Any, ...], items: tuple[Any, ...]) -> _Record:
    """An instance of ``cls`` whose field ``fields[i]`` is ``items[i]``.

    For slotted, frozen dataclasses whose ``__init__`` only stores its arguments: the
    instance is made by ``cls.__new__`` and each slot is set through its descriptor,
    without calling ``__init__`` (a Python function that costs several times more than
    the values it stores). Every field must be given, or reading it raises.

    Parameters
    ----------
    cls
        The class to make an instance of.
    fields
        Its slot descriptors, as :func:`slots` gives them.
    items
        Their values, as many as ``fields``.

    Returns
    -------
    object
        The new instance.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True, slots=True)
    ... class Pair:
    ...     left: int
    ...     right: float
    >>> fields = slots(Pair, ("left", "right"))
    >>> build(Pair, fields, (2, 1.5))
    Pair(left=2, right=1.5)
    >>> record(Pair, fields, (column(pa.array([1, 2])), column(pa.array([0.5, 1.5]))), 1)
    Pair(left=2, right=1.5)
    """
    if len(fields) != len(items):
        msg = f"{len(fields)} fields for {len(items)} values"
        raise ValueError(msg)
    out = cls.__new__(cls)
    index: cython.Py_ssize_t
    for index in range(len(fields)):
        _store(fields[index], out, items[index])
    return out


@cython.cfunc
@cython.inline
def _store(slot: Any, out: object, value: object) -> cython.int:
    """Set ``slot`` of ``out`` to ``value`` through the slot's descriptor."""
    if cython.compiled:
        return Py_TYPE(slot).tp_descr_set(slot, out, value)
    slot.__set__(out, value)
    return 0
