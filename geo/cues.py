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
from dataclasses import dataclass

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
    ``back`` of at most ``_WIDE``, the pattern is tried only at the places a match may start.
    """

    pattern: re.Pattern[str]
    words: tuple[str, ...]
    back: tuple[int, ...]

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
        if words is not None and words.isdisjoint(self.words):
            return None
        if cython.compiled:
            starts = _match_starts(self.words, self.back, low, words)
            if starts is not None:
                return _first_match(self.pattern, text, starts)
        start = self.start(low, 0, words)
        return None if start < 0 else self.pattern.search(text, start)

    def finditer(
        self, text: str, low: str | None, words: AbstractSet[str] | None = None
    ) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)`` (for patterns that match no empty string).

        After each match the pattern runs again only from the next place a match may start.
        """
        if words is not None and words.isdisjoint(self.words):
            return
        if cython.compiled:
            starts = _match_starts(self.words, self.back, low, words)
            if starts is not None:
                yield from matches_at(self.pattern, text, starts)
                return
        start = self.start(low, 0, words)
        while start >= 0:
            match = self.pattern.search(text, start)
            if match is None:
                return
            yield match
            start = self.start(low, match.end(), words)


@cython.cfunc
@cython.locals(i=cython.Py_ssize_t, at=cython.Py_ssize_t, reach=cython.Py_ssize_t)
@cython.locals(first=cython.Py_ssize_t, word=str, found=set)
def _match_starts(
    cue_words: tuple[str, ...],
    back: tuple[int, ...],
    low: str | None,
    words: AbstractSet[str] | None,
) -> list[int] | None:
    """Every index a cue's match may start at in the text folded as ``low``, in order.

    A match starts at most ``back[i]`` characters before an occurrence of ``cue_words[i]``.
    ``None`` where the indices are not worth listing: no shortcut (``low`` is ``None``),
    or a word found that a match may start more than ``_WIDE`` characters before. (Plain
    Python does not list them: there, trying the pattern at each index costs more than
    one search.)
    """
    if low is None:
        return None
    found = set()
    for i in range(len(cue_words)):
        word = cue_words[i]
        if words is not None and word not in words:
            continue
        reach = back[i]
        at = low.find(word)
        if at >= 0 and reach > _WIDE:
            return None
        while at >= 0:
            first = at - reach if at > reach else 0
            while first <= at:
                found.add(first)
                first += 1
            at = low.find(word, at + 1)
    return sorted(found)


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
    found: set[int] = set()
    at: cython.Py_ssize_t
    for word in words:  # every occurrence, overlapping ones included
        at = low.find(word)
        while at >= 0:
            found.add(at)
            at = low.find(word, at + 1)
    return sorted(found)


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
    end = 0
    for at in starts:
        if at < end:
            continue
        match = pattern.match(text, at)
        if match is not None:
            yield match
            end = match.end()


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
    _heads: list[tuple[str, ...] | None]
    _wide: tuple[str, ...]
    _words_of: dict[str, frozenset[str]]

    def __init__(self, cues: Iterable[Cue], *, limit: int = 250_000) -> None:
        words = sorted({word for cue in cues for word in cue.words})
        self._parts = tuple((word, max(word.split(), key=len)) for word in words)
        self._limit = limit
        self._inert = set()
        self._known = {}
        parts = sorted({part for _, part in self._parts})
        heads: dict[int, list[str]] = {}
        for part in parts:
            heads.setdefault(_head(part), []).append(part)
        self._wide = tuple(heads.pop(-1, ()))
        self._heads = [tuple(heads[pair]) if pair in heads else None for pair in range(128 * 128)]
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
    @cython.boundscheck(False)  # ``_heads`` has an entry for every pair of ASCII codes
    @cython.wraparound(False)
    @cython.locals(n=cython.Py_ssize_t, i=cython.Py_ssize_t, ch=cython.Py_UCS4)
    @cython.locals(code=cython.Py_ssize_t, before=cython.Py_ssize_t)
    @cython.locals(heads=list, part=str, found=list)
    def _scan(self, low: str) -> frozenset[str]:
        """``words(low)`` from one pass over ``low``: the parts starting at each character.

        The parts are looked up by their first two characters (``_head``); a part that
        does not start with two ASCII characters is looked for on its own.
        """
        heads = self._heads
        found = [part for part in self._wide if part in low]
        n = len(low)
        before = 128  # the code of the character before, 128 for any beyond ASCII
        for i, ch in enumerate(low):
            code = ord(ch)
            if code < 128 and before < 128:
                bucket = heads[before * 128 + code]
                if bucket is not None:
                    for part in bucket:
                        if _starts_at(low, i - 1, n, part):
                            found.append(part)
            before = code if code < 128 else 128
        if not found:
            return _NO_WORDS
        return _NO_WORDS.union(*[self._words_of[part] for part in found])

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
@cython.boundscheck(False)  # every index is checked against ``n`` (``len(low)``) first
@cython.wraparound(False)
@cython.locals(m=cython.Py_ssize_t, k=cython.Py_ssize_t)
def _starts_at(low: str, at: cython.Py_ssize_t, n: cython.Py_ssize_t, part: str) -> cython.bint:
    """Whether ``part`` occurs in ``low`` at ``at``, given that its first two characters do."""
    m = len(part)
    if at + m > n:
        return False
    for k in range(2, m):  # noqa: SIM110 - a C loop when compiled
        if low[at + k] != part[k]:
            return False
    return True


def _head(part: str) -> int:
    """Where ``CueGate`` files a part: its first two characters' codes as one number.

    -1 for a part that does not start with two ASCII characters.
    """
    if len(part) < 2 or not part[:2].isascii():
        return -1
    return ord(part[0]) * 128 + ord(part[1])


_NO_WORDS: frozenset[str] = frozenset()
