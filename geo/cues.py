r"""Cue words that gate case-insensitive patterns, so sentences without them skip the regex.

A case-insensitive ``\b(?:...)`` pattern is tried at every character of a sentence; most
sentences hold none of the words any match needs. :class:`Cue` pairs a pattern with those
words, tested as substrings of the sentence lowercased once (:func:`folded`), and runs the
pattern only from where a match could start, so the matches are the same. Where the
places a match may start at are known exactly, :func:`matches_at` tries the pattern at those
places alone. Used by :mod:`geo.dates`, :mod:`geo.events` and :mod:`geo.zones`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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

    ``back[i]`` is how far before ``words[i]`` a match may start at most. Text without any
    of the words is skipped without running the pattern, and the pattern runs from the
    first place a match may start: the same matches, found for a fraction of the cost.
    """

    pattern: re.Pattern[str]
    words: tuple[str, ...]
    back: tuple[int, ...]

    @classmethod
    def of(cls, pattern: re.Pattern[str], words: Mapping[str, int]) -> Cue:
        """A cue from its pattern and, for each word, how far before it a match may start."""
        return cls(pattern, tuple(words), tuple(words.values()))

    def start(self, low: str | None, pos: int = 0) -> int:
        """First index from ``pos`` a match may start at; -1: none can.

        ``low`` is the folded text (see ``folded``); ``None`` (no shortcut) gives ``pos``.
        """
        if low is None:
            return pos
        if not any(map(low.__contains__, self.words)):
            return -1
        none = first = len(low) + 1
        for word, back in zip(self.words, self.back, strict=True):
            at = low.find(word, pos)
            if at >= 0 and at - back < first:
                first = at - back
        return -1 if first == none else max(first, pos)

    def search(self, text: str, low: str | None) -> re.Match[str] | None:
        """``pattern.search(text)``, given ``low = folded(text)``."""
        start = self.start(low)
        return None if start < 0 else self.pattern.search(text, start)

    def finditer(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)`` (for patterns that match no empty string).

        After each match the pattern runs again only from the next place a match may start.
        """
        start = self.start(low)
        while start >= 0:
            match = self.pattern.search(text, start)
            if match is None:
                return
            yield match
            start = self.start(low, match.end())


def occurrences(low: str, words: Iterable[str]) -> list[int]:
    """Every index at which one of ``words`` starts in ``low``, in order, each index once.

    Examples
    --------
    >>> occurrences("on march 28 and mar 29, in marinka", ("mar", "may"))
    [3, 16, 27]
    """
    found: set[int] = set()
    for word in words:
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
