"""Numbers and qualified amounts as they are written in English news text.

Three layers, each usable on its own:

- :func:`tokenize` splits text into word, number and punctuation tokens that keep their
  character offsets (the text itself is never lower-cased as a whole, so offsets stay valid
  for any Unicode input); :func:`tokenize_columns` gives the same tokens as four parallel
  lists, which rule matchers read faster than token objects;
- :func:`parse_number` reads one number written in digits, words or a mix
  ("5,000", "3.9-million", "1.5m", "twenty-three", "a dozen", "dozens");
- :func:`parse_quantity` and :func:`match_quantity` read a qualified amount
  ("at least 12", "nearly 5,000", "between 20 and 25", "tens of thousands of") into a
  :class:`Quantity` with the range it implies.

How qualifiers map to ``(low, best, high)``:

============  ===============================================  =====  =====  =====
qualifier     written as                                       low    best   high
============  ===============================================  =====  =====  =====
exact         "12", "a total of 12", "exactly 12"              12     12     12
at_least      "at least", "more than", "over", "upwards of"    12     12     None
at_most       "nearly", "almost", "up to", "as many as",       None   12     12
              "fewer than", "less than"
approximate   "about", "around", "some", "roughly",            12     12     12
              "close to", "approximately", "an estimated"
range         "between 20 and 25", "20 to 25", "20-25",        20     None   25
              "two or three"
vague         "tens", "dozens", "hundreds", "thousands" ...    12     12     None
============  ===============================================  =====  =====  =====

A range has no ``best``: the text gives none and we do not invent a midpoint. Vague
amounts follow ACLED's convention and are lower bounds: tens = 10, dozens = 12,
scores = 20, hundreds = 100, thousands = 1,000, millions = 1,000,000, "tens of thousands"
= 10,000, "several hundred" = 100. A vague amount stays ``vague`` whatever qualifier precedes
it. ``low <= best <= high`` holds whenever the values are not ``None``.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, compress, count
from operator import sub
from typing import NamedTuple, TypeVar, cast

import cython

from geo.types import Qualifier, slot_init

__all__ = [
    "AMOUNT_STARTERS",
    "MAX_DIGITS",
    "NUMBER_WORDS",
    "Amount",
    "Quantity",
    "QuantityMatch",
    "Token",
    "TokenColumns",
    "adjacent",
    "match_amount",
    "match_number",
    "match_quantity",
    "number_positions",
    "parse_number",
    "parse_quantity",
    "phrase_at",
    "tokenize",
    "tokenize_columns",
]

MAX_DIGITS = 15
"""Digit strings longer than this are not read as numbers (no overflow, no slow ``int``)."""

_TOKEN_RE = re.compile(
    r"[0-9]+(?:[.,][0-9]+)*"  # 5,000  3.9  2014  (separators only between digits)
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words, with inner apostrophes: Ukraine's, don't
    r"|\S",  # any other single character: punctuation, symbols, hyphens, dashes
)
_SPACED_TOKEN_RE = re.compile(r"\s*(?:" + _TOKEN_RE.pattern + ")")
"""A token with the whitespace before it: the lengths of these add up to each token's end."""

HYPHENS = frozenset({"-", "‐", "‑", "–", "—"})
"""Characters read as a hyphen or a dash between two tokens."""

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_SHORT_SCALES = {  # written right after the digits or with a space: 1.5m, 2bn, 3.9 mln
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "bn": 1_000_000_000,
    "b": 1_000_000_000, "mil": 1_000_000,
}  # fmt: skip
_SPACED_SHORT_SCALES = frozenset({"mln", "mn", "bn"})  # "20 m" is metres, "2 bn" is billions
_VAGUE = {
    "tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000,
    "millions": 1_000_000,
}  # fmt: skip
_VAGUE_MULTIPLIERS = {"thousands": 1_000, "millions": 1_000_000}  # "tens of thousands"
_VAGUE_HEADS = frozenset({"several", "many", "few"})  # "several hundred", "a few thousand"
_VAGUE_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_QUALIFIERS: dict[tuple[str, ...], Qualifier] = {
    ("at", "least"): "at_least",
    ("more", "than"): "at_least",
    ("over",): "at_least",
    ("upwards", "of"): "at_least",
    ("upward", "of"): "at_least",
    ("in", "excess", "of"): "at_least",
    ("no", "fewer", "than"): "at_least",
    ("no", "less", "than"): "at_least",
    ("not", "less", "than"): "at_least",
    ("a", "minimum", "of"): "at_least",
    ("just", "over"): "at_least",
    ("well", "over"): "at_least",
    ("above",): "at_least",
    ("nearly",): "at_most",
    ("almost",): "at_most",
    ("up", "to"): "at_most",
    ("as", "many", "as"): "at_most",
    ("fewer", "than"): "at_most",
    ("less", "than"): "at_most",
    ("under",): "at_most",
    ("just", "under"): "at_most",
    ("at", "most"): "at_most",
    ("no", "more", "than"): "at_most",
    ("not", "more", "than"): "at_most",
    ("about",): "approximate",
    ("around",): "approximate",
    ("some",): "approximate",
    ("roughly",): "approximate",
    ("close", "to"): "approximate",
    ("approximately",): "approximate",
    ("approx",): "approximate",
    ("an", "estimated"): "approximate",
    ("estimated",): "approximate",
    ("circa",): "approximate",
    ("a", "total", "of"): "exact",
    ("exactly",): "exact",
    ("precisely",): "exact",
}
_QUALIFIER_LENGTHS = sorted({len(key) for key in _QUALIFIERS}, reverse=True)
_QUALIFIER_FIRST = frozenset(key[0] for key in _QUALIFIERS)
AMOUNT_STARTERS = (
    _QUALIFIER_FIRST
    | _UNITS.keys()
    | _TENS.keys()
    | _VAGUE.keys()
    | _VAGUE_HEADS
    | {"a", "an", "between", "from"}
)
"""Lower-cased words that can start an amount (any other amount starts with a digit)."""

NUMBER_WORDS = frozenset(
    _UNITS.keys() | _TENS.keys() | _VAGUE.keys() | {"dozen", "hundred", "thousand", "million"}
)
"""Lower-cased words of which every number written in words has at least one.

A text without a token that starts with a digit and without one of these words holds no
number: :func:`match_number` and :func:`match_quantity` find nothing in it.
"""


class Token(NamedTuple):
    """One token of a text with its character offsets (``text[start:end] == text``)."""

    text: str
    lower: str
    start: int
    end: int


class TokenColumns(NamedTuple):
    """The tokens of a text as parallel lists: token ``i`` is ``text[i]``, ``lower[i]`` ...

    Rule matchers index these lists directly, which is faster than reading the fields of
    one :class:`Token` object per token.
    """

    text: list[str]
    lower: list[str]
    start: list[int]
    end: list[int]


_new_token = cast("Callable[[tuple[str, str, int, int]], Token]", partial(tuple.__new__, Token))
"""``Token`` from a ``(text, lower, start, end)`` tuple, without the Python-level ``__new__``."""


class QuantityMatch(NamedTuple):
    """Where a qualified amount sits in a token list: see :func:`match_quantity`."""

    start: int
    value_start: int
    end: int
    quantity: Quantity


@cython.final
@cython.cclass
class _Number:
    """A number read from the tokens (compiled, an extension type with C fields)."""

    end: cython.Py_ssize_t  # index of the first token after the number
    value: int
    scale: cython.longlong  # trailing multiplier (1_000_000 for "3 million"), 1 when none
    vague: cython.bint

    def __init__(
        self, end: cython.Py_ssize_t, value: int, scale: cython.longlong, vague: cython.bint
    ) -> None:
        self.end = end
        self.value = value
        self.scale = scale
        self.vague = vague


@slot_init
@dataclass(frozen=True, slots=True)
class Quantity:
    """A qualified amount and the range it implies.

    ``value_text`` is the number part as written, without the qualifier ("5,000" for
    "nearly 5,000", "20 and 25" for "between 20 and 25").
    """

    low: int | None
    best: int | None
    high: int | None
    qualifier: Qualifier
    value_text: str


Amount = tuple[int, int, int, int | None, int | None, int | None, Qualifier, str]
"""What :func:`match_amount` reads: ``(start, value_start, end, low, best, high, qualifier,
value_text)``, a :class:`QuantityMatch` and its :class:`Quantity` in one tuple."""


def tokenize_columns(text: str, start: int = 0, end: int | None = None) -> TokenColumns:
    """Split text into the tokens of :func:`tokenize`, as parallel lists.

    Parameters
    ----------
    text
        Any string.
    start, end
        Tokenize only ``text[start:end]``, keeping offsets into ``text``.

    Returns
    -------
    TokenColumns
        Each token's text, lower-cased text, start and end offset.

    Examples
    --------
    >>> tokenize_columns("Kyiv: 12 killed", 4)
    TokenColumns(text=[':', '12', 'killed'], lower=[':', '12', 'killed'], start=[4, 6, 9], \
end=[5, 8, 15])
    """
    end = len(text) if end is None else end
    if cython.compiled and 0 <= start <= end <= len(text):
        return _scan_columns(text, start, end)
    span = text[start:end]
    chunks = span.split()
    if " ".join(chunks) != span:
        return _tokenize_spaced(text, start, end)
    # One space before each chunk but the first: each token's end is the running sum of
    # token widths (a chunk's first token's width counts that space).
    spaced = " ".join(map(_SPACED_CHUNKS.__getitem__, chunks))
    words = spaced.split()
    # Lower-casing ASCII maps each character to one character, never to whitespace.
    lowers = spaced.lower().split() if spaced.isascii() else list(map(str.lower, words))
    widths = memoryview(b"".join(map(_CHUNK_WIDTHS.__getitem__, chunks))).cast("I")
    ends = list(accumulate(widths.tolist(), initial=start - 1))
    del ends[0]
    return TokenColumns(words, lowers, list(map(sub, ends, map(len, words))), ends)


# Compiled, the tokens are read character by character as ``_TOKEN_RE`` reads them: a run
# of ASCII digits with inner separators, a run of letters (``[^\W\d_]``: alphanumeric, not a
# decimal digit) with inner apostrophes, or any other character that is not whitespace.


@cython.cfunc
@cython.inline
def _is_letter(ch: cython.Py_UCS4) -> cython.bint:
    """Whether ``ch`` is a word character of ``_TOKEN_RE``: a letter, not a digit."""
    if ch < 0x80:
        return "a" <= ch <= "z" or "A" <= ch <= "Z"
    return ch.isalnum() and not ch.isdecimal()


@cython.cfunc
@cython.inline
def _is_digit(ch: cython.Py_UCS4) -> cython.bint:
    return "0" <= ch <= "9"


@cython.cfunc
@cython.inline
def _in_run(ch: cython.Py_UCS4, letters: cython.bint) -> cython.bint:
    return _is_letter(ch) if letters else _is_digit(ch)


@cython.cfunc
@cython.boundscheck(False)  # every index is checked against ``end`` <= len(text) first
@cython.wraparound(False)
def _run_end(
    text: str, i: cython.Py_ssize_t, end: cython.Py_ssize_t, letters: cython.bint
) -> cython.Py_ssize_t:
    """Where the token starting at ``i`` ends.

    A run of ``letters`` with inner apostrophes (Ukraine's, don't), or else of digits with
    inner separators (5,000  3.9  2014).
    """
    ch: cython.Py_UCS4
    i += 1
    while True:
        while i < end and _in_run(text[i], letters):
            i += 1
        if i + 1 < end and _in_run(text[i + 1], letters):
            ch = text[i]
            if (ch in {"'", "’"}) if letters else (ch in {".", ","}):
                i += 2
                continue
        return i


@cython.cfunc
@cython.boundscheck(False)  # 0 <= start <= end <= len(text), checked by the caller
@cython.wraparound(False)
def _scan_columns(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> TokenColumns:
    """:func:`tokenize_columns` compiled: one pass over the characters of ``text[start:end]``."""
    texts: list[str] = []
    lowers: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i: cython.Py_ssize_t = start
    j: cython.Py_ssize_t
    k: cython.Py_ssize_t
    ch: cython.Py_UCS4
    lower: cython.bint  # the token is its own lower-case form
    token: str
    while i < end:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if _is_digit(ch):
            j = _run_end(text, i, end, letters=False)
        elif _is_letter(ch):
            j = _run_end(text, i, end, letters=True)
        else:
            j = i + 1
        token = text[i:j]
        lower = True
        for k in range(i, j):
            ch = text[k]
            if ch >= 0x80 or "A" <= ch <= "Z":
                lower = False
                break
        texts.append(token)
        lowers.append(token if lower else token.lower())
        starts.append(i)
        ends.append(j)
        i = j
    return TokenColumns(texts, lowers, starts, ends)


def _tokenize_spaced(text: str, start: int, end: int) -> TokenColumns:
    """:func:`tokenize_columns` for any whitespace between the chunks."""
    # No token spans whitespace and every other character belongs to one, so the tokens'
    # ends are the running sums of their lengths with the whitespace before each.
    words = _TOKEN_RE.findall(text, start, end)
    ends = list(accumulate(map(len, _SPACED_TOKEN_RE.findall(text, start, end)), initial=start))
    del ends[0]
    return TokenColumns(
        words, list(map(str.lower, words)), list(map(sub, ends, map(len, words))), ends
    )


_TEXT_CACHE_SIZE = 100_000
"""Distinct pieces of text a :class:`_TextCache` keeps (it starts over when full)."""

_Read = TypeVar("_Read", str, bytes, bool)


class _TextCache(dict[str, _Read]):
    """What ``read`` makes of a piece of text, read once per distinct piece.

    Used for whitespace-free chunks (tokens never span whitespace, so a chunk's tokens are
    the same wherever it stands) and for single tokens.
    """

    def __init__(self, read: Callable[[str], _Read]) -> None:
        super().__init__()
        self.read: Callable[[str], _Read] = read

    def __missing__(self, piece: str) -> _Read:
        value = self.read(piece)
        if len(self) >= _TEXT_CACHE_SIZE:
            self.clear()
        self[piece] = value
        return value


def _spaced_tokens(chunk: str) -> str:
    """A chunk's tokens joined by single spaces."""
    return " ".join(_TOKEN_RE.findall(chunk))


def _token_widths(chunk: str) -> bytes:
    """A chunk's token lengths as unsigned ints, the first plus one (the space before it)."""
    lengths = list(map(len, _SPACED_CHUNKS[chunk].split()))  # tokens hold no whitespace
    lengths[0] += 1
    return array("I", lengths).tobytes()


_SPACED_CHUNKS = _TextCache(_spaced_tokens)
_CHUNK_WIDTHS = _TextCache(_token_widths)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Split text into word, number and punctuation tokens with offsets.

    Parameters
    ----------
    text
        Any string.
    start, end
        Tokenize only ``text[start:end]`` (the same tokens as tokenizing that slice), keeping
        offsets into ``text``.

    Returns
    -------
    list[Token]
        Tokens in order; whitespace is dropped, every other character belongs to a token.

    Examples
    --------
    >>> [t.text for t in tokenize("3.9-million people, Ukraine's 5,000")]
    ['3.9', '-', 'million', 'people', ',', "Ukraine's", '5,000']
    >>> tokenize("Kyiv 12")[1]
    Token(text='12', lower='12', start=5, end=7)
    >>> tokenize("Kyiv 12 people", 5, 7)
    [Token(text='12', lower='12', start=5, end=7)]
    """
    return list(map(_new_token, zip(*tokenize_columns(text, start, end), strict=True)))


def _columns(tokens: Sequence[Token] | TokenColumns) -> TokenColumns:
    """The same tokens as columns."""
    if isinstance(tokens, TokenColumns):
        return tokens
    if not tokens:
        return TokenColumns([], [], [], [])
    texts, lowers, starts, ends = map(list, zip(*tokens, strict=True))
    return TokenColumns(texts, lowers, starts, ends)


def number_positions(lowers: Sequence[str]) -> list[int]:
    """Indices of the tokens that are digits or number words: every number has one.

    Parameters
    ----------
    lowers
        Lower-cased tokens, e.g. ``tokenize_columns(text).lower``.

    Returns
    -------
    list[int]
        In order: tokens that start with a digit or are in :data:`NUMBER_WORDS`.

    Examples
    --------
    >>> number_positions(tokenize_columns("Some 5,000 people, three of them children").lower)
    [1, 4]
    """
    if cython.compiled and type(lowers) is list:
        return _number_positions(lowers)
    return list(compress(count(), map(_NUMBER_TOKENS.__getitem__, lowers)))


@cython.cfunc
def _number_positions(lowers: list[str]) -> list[int]:
    """:func:`number_positions` compiled: one test per token, nothing remembered."""
    found: list[int] = []
    i: cython.Py_ssize_t
    lower: str
    first: cython.Py_UCS4
    for i in range(len(lowers)):
        lower = lowers[i]
        if len(lower) == 0:
            continue
        first = lower[0]
        if _is_digit(first) or (first in _NUMBER_WORD_FIRST and lower in NUMBER_WORDS):
            found.append(i)
    return found


_NUMBER_WORD_FIRST = cython.declare(str, "".join(sorted({word[0] for word in NUMBER_WORDS})))
"""The letters the words of :data:`NUMBER_WORDS` start with."""


def _is_number_token(lower: str) -> bool:
    return lower in NUMBER_WORDS or "0" <= lower[:1] <= "9"


_NUMBER_TOKENS = _TextCache(_is_number_token)


_GROUPED_DIGITS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _digits_value(token: str) -> int | float | None:  # compiled, a bare float hint would convert
    """Read "5,000", "3.9" or "2014"; ``None`` for "1,2,3", "1.2.3" or absurdly long digits."""
    if token.isdigit() and token.isascii():
        return None if len(token.lstrip("0")) > MAX_DIGITS else int(token)
    if "," in token:
        if not _GROUPED_DIGITS_RE.fullmatch(token):
            return None
        token = token.replace(",", "")
    if token.count(".") > 1:
        return None
    whole, _, fraction = token.partition(".")
    if len(whole.lstrip("0")) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        return None
    return float(token) if fraction else int(whole)


@cython.ccall
def phrase_at(
    lowers: list[str],
    i: cython.Py_ssize_t,
    phrases: Container[tuple[str, ...]],
    lengths: list[int],
) -> tuple[str, ...] | None:
    """The longest of ``phrases`` that the tokens from ``i`` spell.

    Parameters
    ----------
    lowers
        Lower-cased tokens.
    i
        Index of the phrase's first token, ``0 <= i``.
    phrases
        Phrases as tuples of lower-cased tokens.
    lengths
        The lengths of ``phrases``, longest first.

    Returns
    -------
    tuple[str, ...] or None
        The phrase, or ``None`` when none starts at ``i``.

    Examples
    --------
    >>> phrase_at(["at", "least", "12"], 0, {("at", "least"), ("at",)}, [2, 1])
    ('at', 'least')
    """
    n: cython.Py_ssize_t = len(lowers)
    length: cython.Py_ssize_t
    for length in lengths:
        if i + length <= n:
            key = tuple(lowers[i : i + length])
            if key in phrases:
                return key
    return None


@cython.ccall
def adjacent(starts: list[int], ends: list[int], i: cython.Py_ssize_t) -> cython.bint:
    """Whether token ``i`` starts where token ``i - 1`` ends (no whitespace between)."""
    return 0 < i < len(starts) and ends[i - 1] == starts[i]


@cython.cfunc
def _match_digits(
    texts: list[str], lowers: list[str], starts: list[int], ends: list[int], i: cython.Py_ssize_t
) -> _Number | None:
    value = _digits_value(texts[i])
    if value is None:
        return None
    n: cython.Py_ssize_t = len(texts)
    j: cython.Py_ssize_t = i + 1
    k: cython.Py_ssize_t = j
    scale: cython.longlong = 1
    word: str
    # a scale word, maybe hyphenated: "3.9 million", "3.9-million", "1.5m", "2bn"
    if j < n and texts[j] in HYPHENS and ends[i] == starts[j]:
        k = j + 1
    if k < n:
        word = lowers[k]
        if word in _SCALES or word == "hundred":
            scale = _SCALES.get(word, 100)
        elif (
            word in _SHORT_SCALES
            and k == j
            and (ends[k - 1] == starts[k] or word in _SPACED_SHORT_SCALES)
        ):
            scale = _SHORT_SCALES[word]
        if scale > 1:
            j = k + 1
    total = value * scale
    if total != int(total):  # "3.9" alone is not a count
        return None
    return _Number(j, int(total), scale, False)


_A_SCALES = frozenset({"dozen", "hundred", "thousand", "million"})
"""Words a number may start with after "a" or "an" ("a dozen", "an estimated" is not one)."""


# What the last word of a number in words was, for :func:`_match_words`.
_NOTHING = cython.declare(cython.int, 0)
_UNIT = cython.declare(cython.int, 1)
_TEN = cython.declare(cython.int, 2)
_HUNDRED = cython.declare(cython.int, 3)
_SCALE = cython.declare(cython.int, 4)
_DOZEN = cython.declare(cython.int, 5)
_A = cython.declare(cython.int, 6)  # "a" or "an" before "dozen", "hundred" ...
_AND = cython.declare(cython.int, 7)  # "and" after "hundred" or a scale


@cython.cfunc
def _match_words(
    lowers: list[str], starts: list[int], ends: list[int], i: cython.Py_ssize_t
) -> _Number | None:
    """Longest well-formed number in words from token ``i`` ("two hundred and fifty")."""
    n: cython.Py_ssize_t = len(lowers)
    # A Python int: each repeated scale ("ninety billion ninety billion ...") adds to it.
    total: int = 0
    current: cython.longlong = 0
    last: cython.int = _NOTHING
    end: cython.Py_ssize_t = i
    scale: cython.longlong = 1
    j: cython.Py_ssize_t = i
    unit: cython.longlong
    word: str
    if lowers[i] == "a" or lowers[i] == "an":
        if i + 1 < n and lowers[i + 1] in _A_SCALES:
            current = 1
            last = _A
            j = i + 1
        else:
            return None
    while j < n:
        word = lowers[j]
        if word in _UNITS and last in (_NOTHING, _TEN, _HUNDRED, _AND, _SCALE):
            unit = _UNITS[word]
            if last == _TEN and not 0 < unit < 10:
                break
            current += unit
            last = _UNIT
        elif word in _TENS and last in (_NOTHING, _HUNDRED, _AND, _SCALE):
            current += _TENS[word]
            last = _TEN
        elif word == "hundred" and last in (_UNIT, _A, _TEN) and current < 100:
            current *= 100
            last = _HUNDRED
            scale = 100
        elif word in _SCALES and last in (_UNIT, _TEN, _HUNDRED, _A):
            scale = _SCALES[word]
            total += current * scale
            current = 0
            last = _SCALE
        elif word == "dozen" and last in (_UNIT, _A) and current < 100:
            current *= 12
            last = _DOZEN
            scale = 12
        elif (
            word == "and"
            and last in (_HUNDRED, _SCALE)
            and j + 1 < n
            and (lowers[j + 1] in _UNITS or lowers[j + 1] in _TENS)
        ):
            last = _AND
            j += 1
            continue
        elif (
            word in HYPHENS
            and last == _TEN
            and adjacent(starts, ends, j)
            and j + 1 < n
            and lowers[j + 1] in _UNITS
            and adjacent(starts, ends, j + 1)
        ):
            j += 1
            continue
        else:
            break
        j += 1
        end = j
        if last in (_UNIT, _TEN):
            scale = 1
    if end == i or last in (_A, _AND):
        return None
    return _Number(end, total + current, scale, False)


@cython.cfunc
def _match_vague(lowers: list[str], i: cython.Py_ssize_t) -> _Number | None:
    """Read a vague amount: dozens, tens of thousands, several hundred (ACLED values)."""
    n: cython.Py_ssize_t = len(lowers)
    word: str = lowers[i]
    j: cython.Py_ssize_t = i
    value: cython.longlong
    if word in _VAGUE:
        value = _VAGUE[word]
        j = i + 1
        if (
            j + 1 < n
            and lowers[j] == "of"
            and lowers[j + 1] in _VAGUE_MULTIPLIERS
            and _VAGUE_MULTIPLIERS[lowers[j + 1]] > value
        ):
            value *= _VAGUE_MULTIPLIERS[lowers[j + 1]]
            j += 2
    else:
        if word == "a" and i + 1 < n and lowers[i + 1] == "few":
            j = i + 1
        elif word not in _VAGUE_HEADS:
            return None
        j += 1
        if j >= n or lowers[j] not in _VAGUE_SCALES:
            return None
        value = _VAGUE_SCALES[lowers[j]]
        j += 1
    if j < n and lowers[j] == "of" and (j + 1 == n or _starts_alpha(lowers[j + 1])):
        j += 1  # "dozens of people": the "of" belongs to the amount
    return _Number(j, value, 1, True)


@cython.cfunc
@cython.inline
def _starts_alpha(word: str) -> cython.bint:
    """Whether ``word[:1].isalpha()``."""
    return len(word) > 0 and word[0].isalpha()


def match_number(tokens: Sequence[Token] | TokenColumns, i: int) -> tuple[int, int, bool] | None:
    """Read the number that starts at token ``i``.

    Parameters
    ----------
    tokens
        Output of :func:`tokenize` or :func:`tokenize_columns`.
    i
        Index of the first token.

    Returns
    -------
    tuple[int, int, bool] or None
        ``(end, value, vague)``: the index of the first token after the number, its value
        and whether it is a vague amount; ``None`` when no number starts at ``i``.

    Examples
    --------
    >>> match_number(tokenize("twenty-three people"), 0)
    (3, 23, False)
    >>> match_number(tokenize_columns("dozens of people"), 0)
    (2, 12, True)
    """
    texts, lowers, starts, ends = _columns(tokens)
    number = _match_any(texts, lowers, starts, ends, i)
    return None if number is None else (number.end, number.value, number.vague)


@cython.cfunc
def _match_any(
    texts: list[str], lowers: list[str], starts: list[int], ends: list[int], i: cython.Py_ssize_t
) -> _Number | None:
    if not 0 <= i < len(texts):
        return None
    first: str = texts[i]
    if len(first) > 0 and "0" <= first[0] <= "9":
        # "3 dozen", "5 hundred thousand" are rare; digits + word scale is handled there
        return _match_digits(texts, lowers, starts, ends, i)
    number = _match_vague(lowers, i)
    return _match_words(lowers, starts, ends, i) if number is None else number


@cython.cfunc
def _with_scale(first: _Number, second: _Number) -> int:
    """Spread the second number's scale over the first: "3 to 4 million" is 3,000,000+."""
    if first.scale == 1 and second.scale >= 1_000 and first.value < 1_000:
        return first.value * second.scale
    return first.value


@cython.cfunc
def _range(
    start: cython.Py_ssize_t,
    value_start: cython.Py_ssize_t,
    end: cython.Py_ssize_t,
    low: int,
    high: int,
    text: str,
) -> Amount:
    if high < low:
        low, high = high, low
    if low == high:
        return start, value_start, end, low, low, low, "exact", text
    return start, value_start, end, low, None, high, "range", text


def _spaced(tokens: TokenColumns) -> tuple[str, TokenColumns]:
    """The tokens joined by single spaces, and the same tokens with offsets into that text."""
    texts, lowers, _, _ = tokens
    ends = list(accumulate((len(t) + 1 for t in texts), initial=-1))
    del ends[0]
    starts = list(map(sub, ends, map(len, texts)))
    return " ".join(texts), TokenColumns(texts, lowers, starts, ends)


def match_quantity(
    tokens: Sequence[Token] | TokenColumns, i: int, *, text: str | None = None
) -> QuantityMatch | None:
    """Read a qualified amount that starts at token ``i``.

    Parameters
    ----------
    tokens
        Output of :func:`tokenize` or :func:`tokenize_columns`.
    i
        Index of the first token (the qualifier's, if there is one).
    text
        The tokenized text, used for ``value_text``; tokens are joined with spaces without it.

    Returns
    -------
    QuantityMatch or None
        Token indices of the amount (``start``), of its number (``value_start``, after any
        qualifier) and of the first token after it (``end``), with the amount; ``None`` when
        no amount starts at ``i``.

    Examples
    --------
    >>> tokens = tokenize("killing at least seven")
    >>> found = match_quantity(tokens, 1)
    >>> found.start, found.value_start, found.end
    (1, 3, 4)
    >>> found.quantity
    Quantity(low=7, best=7, high=None, qualifier='at_least', value_text='seven')
    >>> match_quantity(tokens, 0) is None
    True
    """
    columns = tokens if type(tokens) is TokenColumns else _columns(tokens)
    texts, lowers, starts, ends = columns
    if not 0 <= i < len(lowers):
        return None
    if text is None:
        text, columns = _spaced(columns)
        starts, ends = columns.start, columns.end
    amount = _amount_at(texts, lowers, starts, ends, i, text)
    if amount is None:
        return None
    start, value_start, end, low, best, high, qualifier, value_text = amount
    return QuantityMatch(start, value_start, end, Quantity(low, best, high, qualifier, value_text))


def match_amount(tokens: TokenColumns, i: int, text: str) -> Amount | None:
    """:func:`match_quantity` as one flat tuple, for rule matchers that drop most amounts.

    Parameters
    ----------
    tokens
        Output of :func:`tokenize_columns` on ``text``.
    i
        Index of the first token (the qualifier's, if there is one).
    text
        The tokenized text.

    Returns
    -------
    Amount or None
        ``(start, value_start, end, low, best, high, qualifier, value_text)``: the fields of
        ``match_quantity(tokens, i, text=text)`` and of its quantity; ``None`` when no amount
        starts at ``i``.

    Examples
    --------
    >>> text = "killing at least seven"
    >>> match_amount(tokenize_columns(text), 1, text)
    (1, 3, 4, 7, 7, None, 'at_least', 'seven')
    """
    texts, lowers, starts, ends = tokens
    if not 0 <= i < len(lowers):
        return None
    return _amount_at(texts, lowers, starts, ends, i, text)


@cython.cfunc
def _amount_at(
    texts: list[str],
    lowers: list[str],
    starts: list[int],
    ends: list[int],
    i: cython.Py_ssize_t,
    text: str,
) -> Amount | None:
    """:func:`match_amount` on token columns, ``0 <= i < len(lowers)``."""
    n: cython.Py_ssize_t = len(lowers)
    word: str = lowers[i]
    if word not in AMOUNT_STARTERS and not (len(word) > 0 and "0" <= word[0] <= "9"):
        return None
    first: _Number | None
    second: _Number | None
    number: _Number | None

    # "between 20 and 25", "from 20 to 25"
    if word in {"between", "from"}:
        first = _match_any(texts, lowers, starts, ends, i + 1)
        joiner = "and" if word == "between" else "to"
        if first is not None and not first.vague and first.end < n and lowers[first.end] == joiner:
            second = _match_any(texts, lowers, starts, ends, first.end + 1)
            if second is not None and not second.vague:
                value_text = text[starts[i + 1] : ends[second.end - 1]]
                return _range(
                    i, i + 1, second.end, _with_scale(first, second), second.value, value_text
                )
        return None

    qualifier: Qualifier = "exact"
    k: cython.Py_ssize_t = i
    if word in _QUALIFIER_FIRST:
        key = phrase_at(lowers, i, _QUALIFIERS, _QUALIFIER_LENGTHS)
        if key is not None:
            qualifier = _QUALIFIERS[key]
            k = i + len(key)
    number = _match_any(texts, lowers, starts, ends, k)
    if number is None:
        return None
    value_text = text[starts[k] : ends[number.end - 1]]
    if number.vague:
        return i, k, number.end, number.value, number.value, None, "vague", value_text

    # "20 to 25", "20-25", "two or three"
    j: cython.Py_ssize_t = number.end
    if j + 1 < n and qualifier in {"exact", "approximate"}:
        link: str = texts[j]
        spaced_ok: cython.bint = lowers[j] == "to" or lowers[j] == "or"
        dash_ok: cython.bint = link in HYPHENS and (
            (adjacent(starts, ends, j) and adjacent(starts, ends, j + 1)) or link != "-"
        )
        if spaced_ok or dash_ok:
            second = _match_any(texts, lowers, starts, ends, j + 1)
            if second is not None and not second.vague and second.value >= number.value:
                value_text = text[starts[k] : ends[second.end - 1]]
                return _range(
                    i, k, second.end, _with_scale(number, second), second.value, value_text
                )

    value = number.value
    low = None if qualifier == "at_most" else value
    high = None if qualifier == "at_least" else value
    return i, k, number.end, low, value, high, qualifier, value_text


def parse_number(text: str) -> int | None:
    """Read one number written in digits, words or both.

    Parameters
    ----------
    text
        The number alone, e.g. "5,000", "3.9 million", "twenty-three", "a dozen".

    Returns
    -------
    int or None
        The value; vague amounts take ACLED's lower bounds (dozens = 12, hundreds = 100).
        ``None`` when ``text`` is not exactly one whole number (decimals without a scale,
        dates, digit strings longer than :data:`MAX_DIGITS`).

    Examples
    --------
    >>> parse_number("5,000")
    5000
    >>> parse_number("3.9 million")
    3900000
    >>> parse_number("3.9-million")
    3900000
    >>> parse_number("1.5m")
    1500000
    >>> parse_number("twenty-three")
    23
    >>> parse_number("nearly four million") is None  # a qualifier: use parse_quantity
    True
    >>> parse_number("two hundred and fifty")
    250
    >>> parse_number("a dozen"), parse_number("a hundred"), parse_number("dozens")
    (12, 100, 12)
    >>> parse_number("tens of thousands")
    10000
    >>> parse_number("3.9") is None, parse_number("seven people") is None
    (True, True)
    """
    tokens = tokenize_columns(text)
    if not tokens.text:
        return None
    number = _match_any(tokens.text, tokens.lower, tokens.start, tokens.end, 0)
    if number is None or number.end != len(tokens.text):
        return None
    return number.value


def parse_quantity(phrase: str) -> Quantity | None:
    """Read a qualified amount and the range it implies.

    Parameters
    ----------
    phrase
        The amount alone with its qualifier: "at least 12", "nearly 5,000", "up to 400",
        "between 20 and 25", "dozens of".

    Returns
    -------
    Quantity or None
        ``None`` when ``phrase`` is not exactly one amount.

    Examples
    --------
    >>> parse_quantity("at least 12")
    Quantity(low=12, best=12, high=None, qualifier='at_least', value_text='12')
    >>> parse_quantity("nearly 5,000")
    Quantity(low=None, best=5000, high=5000, qualifier='at_most', value_text='5,000')
    >>> parse_quantity("about 210")
    Quantity(low=210, best=210, high=210, qualifier='approximate', value_text='210')
    >>> parse_quantity("between 20 and 25")
    Quantity(low=20, best=None, high=25, qualifier='range', value_text='20 and 25')
    >>> parse_quantity("3 to 4 million")
    Quantity(low=3000000, best=None, high=4000000, qualifier='range', value_text='3 to 4 million')
    >>> parse_quantity("dozens of")
    Quantity(low=12, best=12, high=None, qualifier='vague', value_text='dozens of')
    >>> parse_quantity("some 400,000").qualifier
    'approximate'
    >>> parse_quantity("many people") is None
    True
    """
    tokens = tokenize_columns(phrase)
    if not tokens.text:
        return None
    found = match_quantity(tokens, 0, text=phrase)
    if found is None or found.end != len(tokens.text):
        return None
    return found.quantity
