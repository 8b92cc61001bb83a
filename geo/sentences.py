"""Sentence splitting with character offsets, tuned for English news copy.

Rules, in order:

1. A blank line always ends a sentence. A single line break ends one too (news copy puts
   headlines, datelines and cross-heads on lines of their own), unless the line before has no
   closing punctuation and the next line starts in lower case: that is a hard-wrapped sentence.
2. Inside a block, ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets after
   them) end a sentence when whitespace follows and the next visible character is an upper
   case letter, a digit or an opening quote or bracket.
3. A full stop after a title or other abbreviation ("Mr.", "Gov.", "Lt. Gen.", "Jan.") never
   ends a sentence. After an initialism or a single initial ("U.S.", "U.N.", "J.") it ends one
   only when a typical sentence opener follows ("the U.S. The talks ..." splits, "U.S.
   President Joe Biden" does not).

Decimals ("3.9") and initialisms never split because no whitespace follows their inner dots.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_LINE_BREAK = re.compile(r"\r\n?|[\n\u2028\u2029\x85]")
_RARE_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_ENDS_WITH_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")
_LEADING_WORD = re.compile(r"[^\W\d_]+")
_TERMINALS = ".!?…"
_CLOSERS = frozenset("\"'”’»)]")

_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "messrs", "dr", "prof", "rev", "hon", "st", "mt", "ft", "jr", "sr",
        "gov", "gen", "lt", "col", "sgt", "capt", "maj", "adm", "cmdr", "cpl", "pvt", "brig",
        "rep", "reps", "sen", "sens", "pres", "supt", "insp", "amb", "sec", "atty",
        "no", "nos", "vs", "v", "approx", "est", "dept", "univ", "corp", "inc", "ltd", "co",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "fig", "vol", "pp", "ave", "blvd", "rd", "e.g", "i.e", "cf", "al",
    }
)  # fmt: skip
_SENTENCE_OPENERS = frozenset(
    {
        "The", "This", "That", "These", "Those", "It", "Its", "He", "She", "They", "We", "I",
        "His", "Her", "Their", "Our", "There", "But", "And", "In", "On", "At", "As", "A", "An",
        "After", "Meanwhile", "However", "Some", "Many", "Officials", "Russia", "Ukraine",
    }
)  # fmt: skip
_OPENING = frozenset("\"'“‘«([")


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines of a text, without their line breaks."""
    lines: list[tuple[int, int]] = []
    position = 0
    if any(mark in text for mark in _RARE_LINE_BREAKS):
        for match in _LINE_BREAK.finditer(text):
            lines.append((position, match.start()))
            position = match.end()
    else:  # only "\n": str.find is far cheaper than a regular expression
        while (newline := text.find("\n", position)) >= 0:
            lines.append((position, newline))
            position = newline + 1
    lines.append((position, len(text)))
    return lines


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of text between hard breaks (blank lines, or line breaks that end a line).

    Spans start and end with a non-space character.
    """
    blocks: list[tuple[int, int]] = []
    current: list[int] | None = None
    last_line = ""
    for line_start, line_end in _lines(text):
        stripped = text[line_start:line_end].strip()
        if not stripped:
            if current is not None:
                blocks.append((current[0], current[1]))
                current = None
            continue
        start = line_start
        while text[start].isspace():
            start += 1
        end = start + len(stripped)
        if (
            current is not None
            and stripped[0].islower()
            and not _ENDS_WITH_TERMINAL.search(last_line)
        ):
            current[1] = end  # a hard-wrapped sentence continues on this line
        else:
            if current is not None:
                blocks.append((current[0], current[1]))
            current = [start, end]
        last_line = stripped
    if current is not None:
        blocks.append((current[0], current[1]))
    return blocks


def _terminal_runs(text: str) -> list[tuple[int, int]]:
    """Spans of terminal punctuation with the closers after it, in order.

    A run is one or more of ``.!?…`` followed by any closing quotes or brackets ("?!", '."',
    "...)").
    """
    marks: list[int] = []
    for mark in _TERMINALS:
        position = text.find(mark)
        while position >= 0:
            marks.append(position)
            position = text.find(mark, position + 1)
    marks.sort()
    runs: list[tuple[int, int]] = []
    end = 0
    for start in marks:
        if start < end:
            continue  # inside the run before
        end = start + 1
        while end < len(text) and text[end] in _TERMINALS:
            end += 1
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        runs.append((start, end))
    return runs


def _word_before(text: str, start: int, stop: int) -> str:
    """The non-space characters right before ``stop``, looking no further back than ``start``."""
    window = text[start:stop].removesuffix("\n")  # as a pattern ending in "$" would
    if not window or window[-1].isspace():
        return ""
    return window.rsplit(None, 1)[-1]


def _ends_sentence(text: str, block_start: int, stop: int, next_start: int) -> bool:
    """Whether the terminal punctuation at ``stop`` ends a sentence before ``next_start``."""
    following = text[next_start]
    if not (following.isupper() or following.isdigit() or following in _OPENING):
        return False
    if text[stop] != "." or text[stop + 1 : stop + 2] == ".":
        return True  # "!", "?", "…" or an ellipsis written as dots
    word = _word_before(text, max(block_start, stop - 40), stop).lstrip("\"'“‘«([")
    if not word:
        return True
    if word.lower() in _ABBREVIATIONS:
        return False
    if _INITIALISM.fullmatch(word):
        match = _LEADING_WORD.match(text[next_start : next_start + 20])
        return match is not None and match.group() in _SENTENCE_OPENERS
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    r"""Split a text into sentences and return their character spans.

    Parameters
    ----------
    text
        Any string; an article's full text.

    Returns
    -------
    list[tuple[int, int]]
        ``(start, end)`` offsets into ``text``, in order and not overlapping. Spans never
        start or end with whitespace, and every non-space character of ``text`` lies in one.

    Examples
    --------
    >>> text = "U.S. Lt. Gen. Hertling spoke. Mr. Putin did not. Some 3.9 million fled."
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['U.S. Lt. Gen. Hertling spoke.', 'Mr. Putin did not.', 'Some 3.9 million fled.']
    >>> text = '"We are eight people." He said it.\n\nPROPOSALS\nTalks began.'
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['"We are eight people."', 'He said it.', 'PROPOSALS', 'Talks began.']
    >>> split_sentences("  ")
    []
    """
    spans: list[tuple[int, int]] = []
    runs = _terminal_runs(text)
    index = 0
    for block_start, block_end in _blocks(text):
        start = block_start
        while index < len(runs) and runs[index][0] < block_end:
            stop, run_end = runs[index]
            index += 1
            next_start = run_end
            while next_start < block_end and text[next_start].isspace():
                next_start += 1
            if next_start == run_end or next_start >= block_end:
                continue  # no whitespace after it, or the block ends here anyway
            if _ends_sentence(text, block_start, stop, next_start):
                spans.append((start, run_end))
                start = next_start
        spans.append((start, block_end))
    return spans
