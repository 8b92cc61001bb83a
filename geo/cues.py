r"""Cue words that gate case-insensitive patterns, so sentences without them skip the regex.

A case-insensitive ``\b(?:...)`` pattern is tried at every character of a sentence; most
sentences hold none of the words any match needs. :class:`Cue` pairs a pattern with those
words, tested as substrings of the sentence lowercased once (:func:`folded`), and runs the
pattern only from where a match could start, so the matches are the same. Where the
places a match may start at are known exactly, :func:`matches_at` tries the pattern at those
places alone. :class:`CueGate` tells which cue words a text may hold at all, from its
blank-separated chunks, each looked up once. Used by :mod:`geo.dates`,
:mod:`geo.events` and :mod:`geo.zones`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass


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
    same matches, found for a fraction of the cost.
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
        start = self.start(low, 0, words)
        while start >= 0:
            match = self.pattern.search(text, start)
            if match is None:
                return
            yield match
            start = self.start(low, match.end(), words)


def occurrences(low: str, words: Iterable[str]) -> list[int]:
    """Every index at which one of ``words`` starts in ``low``, in order, each index once.

    Examples
    --------
    >>> occurrences("on march 28 and mar 29, in marinka", ("mar", "may"))
    [3, 16, 27]
    """
    return sorted({at for word in words for at in _indices(low, word)})


def _indices(low: str, word: str) -> Iterator[int]:
    """Every index at which ``word`` starts in ``low``, overlapping occurrences included."""
    at = low.find(word)
    while at >= 0:
        yield at
        at = low.find(word, at + 1)


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


class CueGate:
    """Which cue words a text may hold, from the chunks of the text between blanks.

    A cue word occurs only where its longest part without blanks does, and that part
    occurs only inside one chunk of ``low.split()``. Each chunk is read once, for the words
    whose parts it holds, and remembered (up to ``limit`` chunks; then forgotten at once):
    a text is read by splitting it and looking its chunks up.
    """

    def __init__(self, cues: Iterable[Cue], *, limit: int = 250_000) -> None:
        words = sorted({word for cue in cues for word in cue.words})
        self._parts = tuple((word, max(word.split(), key=len)) for word in words)
        self._limit = limit
        self._inert: set[str] = set()
        self._known: dict[str, frozenset[str]] = {}

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
        chunks = low.split()
        if self._inert.issuperset(chunks):
            return _NO_WORDS
        found = [self._known.get(c) or self._learn(c) for c in set(chunks) - self._inert]
        return _NO_WORDS.union(*found)

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


_NO_WORDS: frozenset[str] = frozenset()
