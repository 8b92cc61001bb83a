r"""Cue words that gate case-insensitive patterns, so sentences without them skip the regex.

A case-insensitive ``\b(?:...)`` pattern is tried at every character of a sentence; most
sentences hold none of the words any match needs. :class:`Cue` pairs a pattern with those
words, tested as substrings of the sentence lowercased once (:func:`folded`), and runs the
pattern only from where a match could start, so the matches are the same. Where the
places a match may start at are known exactly, :func:`matches_at` tries the pattern at those
places alone. :class:`CueGate` tells which cue words a text may hold at all, from its
blank-separated chunks, each looked up once. Used by :mod:`geo.dates`,
:mod:`geo.events` and :mod:`geo.zones`.

The module is written in Cython's pure-Python mode: compiled, the gate reads a text in one
pass instead and a cue tries its pattern only where a match may start; as plain Python it
gives the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import cython

_WIDE = cython.declare(cython.Py_ssize_t, 8)
"""The widest ``back`` of a cue word whose match starts are tried one by one (see ``Cue``);
past it, one search from the first of them costs less."""


def folded(text: str) -> str | None:
    """``text`` lowercased for cue-word tests, or ``None`` where that would not be exact.

    A case-insensitive pattern matches an ASCII letter in ``text`` exactly where
    ``text.lower()`` has that letter at the same index, except for three characters the
    pattern engine folds differently ("İ" lowercases to two characters, "ı" and "ſ" match
    "i" and "s"); for a text holding one of them there is no shortcut.

    Examples
    --------
    >>> folded("Shelling in KYIV")
    'shelling in kyiv'
    >>> folded("İstanbul") is None
    True
    """
    if "İ" in text or "ı" in text or "ſ" in text:
        return None
    return text.lower()


@dataclass(frozen=True, slots=True)
class Cue:
    """A case-insensitive pattern, with words one of which every match of it contains.

    Every match holds an occurrence of some ``words[i]`` that starts at most ``back[i]``
    characters after the match does. Text without any of the words is skipped without
    running the pattern, and the pattern runs from the first place a match may start: the
    same matches, found for a fraction of the cost. Compiled, where every word found has a
    ``back`` of at most ``_WIDE``, the pattern is tried only at the places a match may start
    (for a ``bounded`` pattern, one that opens with a word boundary, only those at one).
    """

    pattern: re.Pattern[str]
    words: tuple[str, ...]
    back: tuple[int, ...]
    bounded: bool = field(init=False, repr=False, compare=False)
    word_set: frozenset[str] = field(init=False, repr=False, compare=False)
    """``words`` as a set, to tell at once whether a text may hold any of them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounded", _opens_at_boundary(self.pattern))
        object.__setattr__(self, "word_set", frozenset(self.words))

    @classmethod
    def of(cls, pattern: re.Pattern[str], words: Mapping[str, int]) -> Cue:
        """A cue from its pattern and, for each word, how far before it a match may start."""
        return cls(pattern, tuple(words), tuple(words.values()))

    def start(self, low: str | None, pos: int = 0, words: AbstractSet[str] | None = None) -> int:
        """First index from ``pos`` a match may start at; -1: none can.

        ``low`` is the folded text (see ``folded``); ``None`` (no shortcut) gives ``pos``.
        ``words``, if given, holds every one of the cue's words that may occur in ``low``
        (see ``CueGate.words``); the others are not looked for.
        """
        if low is None:
            return pos
        if words is None and not any(map(low.__contains__, self.words)):
            return -1
        none = first = len(low) + 1
        for word, back in zip(self.words, self.back, strict=True):
            if words is not None and word not in words:
                continue
            at = low.find(word, pos)
            if at >= 0 and at - back < first:
                first = at - back
        return -1 if first == none else max(first, pos)

    def search(
        self, text: str, low: str | None, words: AbstractSet[str] | None = None
    ) -> re.Match[str] | None:
        """``pattern.search(text)``, given ``low = folded(text)`` (``words``: see ``start``)."""
        if words is not None and words.isdisjoint(self.word_set):
            return None
        if cython.compiled:
            starts = _match_starts(self, text, low, words)
            if starts is not None:
                return _first_match(self.pattern, text, starts)
        start = self.start(low, 0, words)
        return None if start < 0 else self.pattern.search(text, start)

    def matches(
        self, text: str, low: str | None, words: AbstractSet[str] | None = None
    ) -> list[re.Match[str]]:
        """``list(pattern.finditer(text))`` (for patterns that match no empty string).

        ``low`` and ``words``: see ``search``. After each match the pattern runs again only
        from the next place a match may start.
        """
        if words is not None and words.isdisjoint(self.word_set):
            return []
        if cython.compiled:
            starts = _match_starts(self, text, low, words)
            if starts is not None:
                return _all_matches(self.pattern, text, starts)
        found = []
        start = self.start(low, 0, words)
        while start >= 0:
            match = self.pattern.search(text, start)
            if match is None:
                break
            found.append(match)
            start = self.start(low, match.end(), words)
        return found

    def finditer(
        self, text: str, low: str | None, words: AbstractSet[str] | None = None
    ) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)`` (see ``matches``)."""
        return iter(self.matches(text, low, words))


def _opens_at_boundary(pattern: re.Pattern[str]) -> bool:
    r"""Whether every match of ``pattern`` starts at a word boundary, as ``_boundary`` tells.

    True for a pattern that opens with ``\b`` (which cannot be repeated) and has no ``|``
    outside its groups, unless its word characters are ASCII or the locale's only (or it is
    verbose: its comments are not read).

    Examples
    --------
    >>> _opens_at_boundary(re.compile(r"\b(?:fighting|shelling)\b", re.I))
    True
    >>> _opens_at_boundary(re.compile(r"\bfighting|shelling", re.I))
    False
    >>> _opens_at_boundary(re.compile(r"(?:'s)?\s+said"))
    False
    >>> _opens_at_boundary(re.compile(r"\bx", re.A))
    False
    """
    source = pattern.pattern
    if not isinstance(source, str) or pattern.flags & (re.ASCII | re.LOCALE | re.VERBOSE):
        return False
    return source.startswith("\\b") and "|" not in _outside_groups(source)


def _outside_groups(source: str) -> str:
    r"""The characters of a pattern outside its groups, sets and escapes.

    Examples
    --------
    >>> _outside_groups(r"\b(?:a|b)[|(]\|c|d")
    'c|d'
    """
    kept = []
    depth = 0
    chars = iter(source)
    for char in chars:
        if char == "\\":
            next(chars, "")
        elif char == "[":  # a set: "]" first (after any "^") is a member, not its end
            member = next(chars, "")
            member = next(chars, "") if member == "^" else member
            while member:
                member = next(chars, "")
                if member == "\\":
                    next(chars, "")
                elif member == "]":
                    break
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


@cython.cfunc
@cython.inline
@cython.locals(at=cython.Py_ssize_t, before=cython.Py_UCS4, after=cython.Py_UCS4)
def _boundary(text: str, at: cython.Py_ssize_t) -> cython.bint:
    r"""Whether ``\b`` matches in ``text`` at ``at`` (``at`` an index of ``text``).

    A word character is one ``str.isalnum`` or ``_``, as for the pattern engine.
    """
    after = text[at]
    if at == 0:
        return after.isalnum() or after == "_"
    before = text[at - 1]
    return (before.isalnum() or before == "_") != (after.isalnum() or after == "_")


@cython.cfunc
@cython.locals(i=cython.Py_ssize_t, at=cython.Py_ssize_t, reach=cython.Py_ssize_t)
@cython.locals(first=cython.Py_ssize_t, word=str, found=list, bounded=cython.bint)
@cython.locals(several=cython.bint)
@cython.locals(cue_words=tuple, back=tuple)
def _match_starts(
    cue: Cue, text: str, low: str | None, words: AbstractSet[str] | None
) -> list[int] | None:
    """Every index a match of ``cue`` may start at in ``text``, folded as ``low``, in order.

    A match starts at most ``cue.back[i]`` characters before an occurrence of
    ``cue.words[i]`` (and, for a ``bounded`` cue, at a word boundary). ``None`` where the
    indices are not worth listing: no shortcut (``low`` is ``None``), or a word found that
    a match may start more than ``_WIDE`` characters before. (Plain Python does not list
    them: there, trying the pattern at each index costs more than one search.)
    """
    if low is None:
        return None
    cue_words = cue.words
    back = cue.back
    bounded = cue.bounded
    found: list[int] = []
    several = False  # more than one occurrence: the starts may repeat and be out of order
    for i in range(len(cue_words)):
        word = cue_words[i]
        if words is not None and word not in words:
            continue
        reach = back[i]
        at = low.find(word)
        if at >= 0 and reach > _WIDE:
            return None
        while at >= 0:
            several = several or bool(found)
            first = at - reach if at > reach else 0
            while first <= at:
                if not bounded or _boundary(text, first):
                    found.append(first)
                first += 1
            at = low.find(word, at + 1)
    return sorted(set(found)) if several else found


@cython.cfunc
@cython.locals(end=cython.Py_ssize_t, at=cython.Py_ssize_t)
def _all_matches(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """``list(matches_at(pattern, text, starts))``."""
    found: list[re.Match[str]] = []
    end = 0
    for at in starts:
        if at < end:
            continue
        match = pattern.match(text, at)
        if match is not None:
            found.append(match)
            end = match.end()
    return found


@cython.cfunc
def _first_match(pattern: re.Pattern[str], text: str, starts: list[int]) -> re.Match[str] | None:
    """The first match of ``pattern`` at one of ``starts`` (see ``matches_at``)."""
    for at in starts:
        match = pattern.match(text, at)
        if match is not None:
            return match
    return None


def occurrences(low: str, words: Iterable[str]) -> list[int]:
    """Every index at which one of ``words`` starts in ``low``, in order, each index once.

    Examples
    --------
    >>> occurrences("on march 28 and mar 29, in marinka", ("mar", "may"))
    [3, 16, 27]
    """
    found: list[int] = []
    at: cython.Py_ssize_t
    i: cython.Py_ssize_t
    word: str
    for word in words:  # every occurrence, overlapping ones included
        at = low.find(word)
        while at >= 0:
            found.append(at)
            at = low.find(word, at + 1)
    found.sort()
    for i in range(len(found) - 1, 0, -1):  # where one word starts another, the index twice
        if found[i] == found[i - 1]:
            del found[i]
    return found


def matches_at(
    pattern: re.Pattern[str], text: str, starts: Iterable[int]
) -> Iterator[re.Match[str]]:
    r"""``pattern.finditer(text)``, given every index a match may start at, in order.

    The pattern is tried only at those indices (for patterns that match no empty string): a
    match found is the leftmost from where the last one ended, as ``finditer`` finds it.

    Examples
    --------
    >>> number = re.compile(r"\b\d+\b")
    >>> [m.group() for m in matches_at(number, "12 and 345, not x67", [0, 7, 17])]
    ['12', '345']
    """
    return iter(_all_matches(pattern, text, starts))


@cython.final
@cython.cclass
class CueGate:
    """Which cue words a text may hold, from the chunks of the text between blanks.

    A cue word occurs only where its longest part without blanks does, and that part
    occurs only inside one chunk of ``low.split()``. Each chunk is read once, for the words
    whose parts it holds, and remembered (up to ``limit`` chunks; then forgotten at once):
    a text is read by splitting it and looking its chunks up. Compiled, the text is read
    once instead, character by character, for the parts starting at each: the same words,
    as a part, having no blanks, occurs in the text exactly where it occurs in a chunk.
    """

    _parts: tuple[tuple[str, str], ...]
    _limit: cython.Py_ssize_t
    _inert: set[str]
    _known: dict[str, frozenset[str]]
    _pairs: bytes
    _keyed: list[tuple[str | int, ...] | None]
    _wide: tuple[str, ...]
    _words_of: dict[str, frozenset[str]]

    def __init__(self, cues: Iterable[Cue], *, limit: int = 250_000) -> None:
        words = sorted({word for cue in cues for word in cue.words})
        self._parts = tuple((word, max(word.split(), key=len)) for word in words)
        self._limit = limit
        self._inert = set()
        self._known = {}
        parts = sorted({part for _, part in self._parts})
        keyed: dict[int, list[tuple[str, int]]] = {}
        wide: list[str] = []
        for part in parts:
            at = _key_at(part)
            if at < 0:
                wide.append(part)
            else:
                keyed.setdefault(_pair(part, at), []).append((part, at))
        self._wide = tuple(wide)
        self._pairs = bytes(pair in keyed for pair in range(128 * 128))
        self._keyed = [  # flat: each part, then where its pair starts in it
            tuple(item for entry in keyed[pair] for item in entry) if pair in keyed else None
            for pair in range(128 * 128)
        ]
        self._words_of = {
            part: frozenset(word for word, of in self._parts if of == part) for part in parts
        }

    def words(self, low: str | None) -> frozenset[str] | None:
        r"""The words of the cues that may occur in the text folded as ``low``.

        ``low`` is ``folded(text)``; for ``None`` (no shortcut) any word may: ``None``.
        Pass the result as ``words`` to the cues' ``search`` and ``finditer``.

        Examples
        --------
        >>> fighting = Cue.of(re.compile(r"\bfighting\b", re.I), {"fighting": 0})
        >>> siege = Cue.of(re.compile(r"\bunder siege\b", re.I), {"under siege": 0})
        >>> gate = CueGate([fighting, siege])
        >>> sorted(gate.words("heavy fighting in a city under siege"))
        ['fighting', 'under siege']
        >>> gate.words("a quiet day"), gate.words(None)
        (frozenset(), None)
        """
        if low is None:
            return None
        if cython.compiled:
            return self._scan(low)
        chunks = low.split()
        if self._inert.issuperset(chunks):
            return _NO_WORDS
        found = [self._known.get(c) or self._learn(c) for c in set(chunks) - self._inert]
        return _NO_WORDS.union(*found)

    @cython.cfunc
    @cython.boundscheck(False)  # ``_pairs`` and ``_keyed`` have an entry per pair of ASCII codes
    @cython.wraparound(False)
    @cython.locals(n=cython.Py_ssize_t, i=cython.Py_ssize_t, ch=cython.Py_UCS4)
    @cython.locals(code=cython.Py_ssize_t, pair=cython.Py_ssize_t, at=cython.Py_ssize_t)
    @cython.locals(pairs=cython.p_uchar, codes=cython.p_uchar, ascii=bytes, found=list)
    def _scan(self, low: str) -> frozenset[str]:
        """``words(low)`` from one pass over ``low``: the parts around each pair of characters.

        Each part is filed under one pair of ASCII characters in it, a rarely written one
        (``_key_at``), and looked for in full only where that pair occurs; a part without
        such a pair is looked for on its own.
        """
        pairs = self._pairs
        found = [part for part in self._wide if part in low]
        n = len(low)
        pair = 0  # the code of the character before, times 128; 0 after one beyond ASCII
        if low.isascii():  # read as bytes: no character kinds to tell apart
            ascii = low.encode("ascii")
            codes = ascii
            for i in range(n):
                pair += codes[i]
                if pairs[pair]:
                    self._look_at(low, i, n, pair, found)
                pair = codes[i] * 128
        else:
            for i, ch in enumerate(low):
                code = ord(ch)
                if code >= 128:
                    pair = 0
                    continue
                pair += code
                if pairs[pair]:
                    self._look_at(low, i, n, pair, found)
                pair = code * 128
        if not found:
            return _NO_WORDS
        if len(found) == 1:
            return self._words_of[found[0]]
        return _NO_WORDS.union(*[self._words_of[part] for part in found])

    @cython.cfunc
    @cython.boundscheck(False)  # ``_keyed`` has an entry per pair; its tuples come in twos
    @cython.wraparound(False)
    @cython.locals(at=cython.Py_ssize_t, part=str, bucket=tuple, k=cython.Py_ssize_t)
    def _look_at(
        self,
        low: str,
        i: cython.Py_ssize_t,
        n: cython.Py_ssize_t,
        pair: cython.Py_ssize_t,
        found: list[str],
    ) -> None:
        """Add to ``found`` the parts filed under ``pair`` that occur where it ends at ``i``."""
        bucket = self._keyed[pair]
        for k in range(0, len(bucket), 2):
            part = bucket[k]
            at = bucket[k + 1]
            if _occurs_at(low, i - 1 - at, n, part):
                found.append(part)

    def _learn(self, chunk: str) -> frozenset[str]:
        """The words whose parts a chunk holds, remembered."""
        if len(self._inert) + len(self._known) >= self._limit:
            self._inert.clear()
            self._known.clear()
        found = frozenset(word for word, part in self._parts if part in chunk)
        if found:
            self._known[chunk] = found
        else:
            self._inert.add(chunk)
        return found


@cython.cfunc
@cython.inline
@cython.boundscheck(False)  # every index is checked against 0 and ``n`` (``len(low)``) first
@cython.wraparound(False)
@cython.locals(m=cython.Py_ssize_t, k=cython.Py_ssize_t)
def _occurs_at(low: str, at: cython.Py_ssize_t, n: cython.Py_ssize_t, part: str) -> cython.bint:
    """Whether ``part`` occurs in ``low`` at ``at``."""
    m = len(part)
    if at < 0 or at + m > n:
        return False
    for k in range(m):  # noqa: SIM110 - a C loop when compiled
        if low[at + k] != part[k]:
            return False
    return True


_COMMON_PAIRS = frozenset(
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le"
    " ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur".split()
)
"""Pairs of letters English writes most often: ``CueGate`` files no part under them if it can."""
_LETTERS = "etaoinsrhldcumfpgwybvkxjqz"
"""The letters from the most to the least often written in English."""


def _key_at(part: str) -> int:
    """Where in ``part`` the pair of characters ``CueGate`` files it under starts.

    The rarest-looking pair of ASCII characters: one not in ``_COMMON_PAIRS``, then the one
    of the least often written letters. -1 for a part without two ASCII characters in a row
    (NUL aside: the scan reads it before the first character).

    Examples
    --------
    >>> _key_at("shelling"), _key_at("under"), _key_at("é")
    (0, 0, -1)
    >>> "offensive"[_key_at("offensive") :][:2]
    'ff'
    """
    keys = [k for k in range(len(part) - 1) if all(0 < ord(c) < 128 for c in part[k : k + 2])]
    if not keys:
        return -1
    return max(keys, key=lambda k: (part[k : k + 2] not in _COMMON_PAIRS, _rarity(part[k : k + 2])))


def _rarity(pair: str) -> int:
    """How rarely English writes the characters of ``pair``: their ranks in ``_LETTERS``."""
    return sum(_LETTERS.index(c) if c in _LETTERS else len(_LETTERS) for c in pair)


def _pair(part: str, at: int) -> int:
    """The codes of the two characters of ``part`` from ``at`` as one number (``CueGate``)."""
    return ord(part[at]) * 128 + ord(part[at + 1])


_NO_WORDS: frozenset[str] = frozenset()
