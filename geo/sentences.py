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

import cython

__all__ = ["split_sentences"]

_LINE_BREAK = re.compile(r"\r\n?|[\n\u2028\u2029\x85]")
_RARE_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_LINE_BREAK_MARKS = cython.declare(str, "\n" + "".join(_RARE_LINE_BREAKS))
_ENDS_WITH_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")
_LEADING_WORD = re.compile(r"[^\W\d_]+")
_TERMINALS = cython.declare(str, ".!?…")
_END_MARKS = cython.declare(str, _TERMINALS + ":;")  # what _ENDS_WITH_TERMINAL ends on
_CLOSER_MARKS = cython.declare(str, "\"'”’»)]")
_CLOSERS = frozenset(_CLOSER_MARKS)

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
_OPENING_MARKS = cython.declare(str, "\"'“‘«([")
_OPENING = frozenset(_OPENING_MARKS)


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
    word = _word_before(text, max(block_start, stop - 40), stop).lstrip(_OPENING_MARKS)
    return _word_ends_sentence(text, word, next_start)


def _word_ends_sentence(text: str, word: str, next_start: int) -> bool:
    """Whether a full stop after ``word`` ends a sentence going on at ``next_start``."""
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
    if cython.compiled:
        return _split_compiled(text)
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


# Compiled, the same rules run without lists of lines, runs or words: lines and terminal
# punctuation are found with ``str.find``, and only the characters around them are read.


@cython.cfunc
@cython.inline
def _is_closer(ch: cython.Py_UCS4) -> cython.bint:
    return ch in _CLOSER_MARKS


@cython.cfunc
@cython.inline
def _is_terminal(ch: cython.Py_UCS4) -> cython.bint:
    return ch in _TERMINALS


@cython.cfunc
@cython.boundscheck(False)  # every index lies in 0 <= index < len(text)
@cython.wraparound(False)
def _split_compiled(text: str) -> list[tuple[int, int]]:
    """:func:`split_sentences` compiled: the lines read once, each block split as it ends."""
    spans: list[tuple[int, int]] = []
    length: cython.Py_ssize_t = len(text)
    rare: cython.bint = False
    for mark in _RARE_LINE_BREAKS:  # a loop, not any(...): no generator per text
        rare = rare or mark in text
    line_start: cython.Py_ssize_t = 0
    line_end: cython.Py_ssize_t
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t
    block_start: cython.Py_ssize_t = -1  # -1: no block open
    block_end: cython.Py_ssize_t = -1
    wraps: cython.bint = False  # the block's last line has no closing punctuation
    ch: cython.Py_UCS4
    while True:
        line_end = _line_end(text, line_start, rare)
        start = line_start
        while start < line_end and text[start].isspace():
            start += 1
        if start == line_end:  # a blank line
            if block_start >= 0:
                _split_block(text, block_start, block_end, spans)
                block_start = -1
        else:
            end = line_end
            while text[end - 1].isspace():
                end -= 1
            ch = text[start]
            if block_start >= 0 and wraps and ch.islower():
                block_end = end  # a hard-wrapped sentence continues on this line
            else:
                if block_start >= 0:
                    _split_block(text, block_start, block_end, spans)
                block_start, block_end = start, end
            wraps = not _ends_with_terminal(text, start, end)
        if line_end >= length:
            break
        line_start = line_end + 1
        if text[line_end] == "\r" and line_start < length and text[line_start] == "\n":
            line_start += 1
    if block_start >= 0:
        _split_block(text, block_start, block_end, spans)
    return spans


@cython.cfunc
@cython.boundscheck(False)  # start <= len(text)
@cython.wraparound(False)
def _line_end(text: str, start: cython.Py_ssize_t, rare: cython.bint) -> cython.Py_ssize_t:
    r"""Where the line starting at ``start`` ends: its line break, or the end of the text.

    ``rare``: the text holds a line break other than ``"\n"`` (see ``_LINE_BREAK``).
    """
    end: cython.Py_ssize_t
    ch: cython.Py_UCS4
    if not rare:
        end = text.find("\n", start)
        return len(text) if end < 0 else end
    for end in range(start, len(text)):
        ch = text[end]
        if ch in _LINE_BREAK_MARKS:
            return end
    return len(text)


@cython.cfunc
@cython.boundscheck(False)  # start < end <= len(text)
@cython.wraparound(False)
def _ends_with_terminal(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether ``text[start:end]`` ends as ``_ENDS_WITH_TERMINAL`` matches."""
    while end > start and _is_closer(text[end - 1]):
        end -= 1
    return end > start and text[end - 1] in _END_MARKS


@cython.cfunc
@cython.inline
def _next_mark(
    text: str, mark: str, at: cython.Py_ssize_t, start: cython.Py_ssize_t, end: cython.Py_ssize_t
) -> cython.Py_ssize_t:
    """``at``, or if it lies before ``start``, where ``mark`` next occurs in ``text[:end]``.

    ``end`` where it does not occur.
    """
    if at >= start:
        return at
    at = text.find(mark, start, end)
    return end if at < 0 else at


@cython.cfunc
@cython.boundscheck(False)  # block_start <= every index < block_end <= len(text)
@cython.wraparound(False)
def _split_block(
    text: str,
    block_start: cython.Py_ssize_t,
    block_end: cython.Py_ssize_t,
    spans: list[tuple[int, int]],
) -> cython.void:
    """Append the sentences of the block ``text[block_start:block_end]`` to ``spans``."""
    start: cython.Py_ssize_t = block_start
    stop: cython.Py_ssize_t = block_start
    run_end: cython.Py_ssize_t
    next_start: cython.Py_ssize_t
    dot: cython.Py_ssize_t = -1  # where the next mark of each kind is
    bang: cython.Py_ssize_t = -1
    query: cython.Py_ssize_t = -1
    ellipsis: cython.Py_ssize_t = -1
    while True:
        dot = _next_mark(text, ".", dot, stop, block_end)
        bang = _next_mark(text, "!", bang, stop, block_end)
        query = _next_mark(text, "?", query, stop, block_end)
        ellipsis = _next_mark(text, "…", ellipsis, stop, block_end)
        stop = min(dot, bang, query, ellipsis)
        if stop >= block_end:
            break
        run_end = stop + 1  # a run never crosses whitespace, so it ends in the block
        while run_end < block_end and _is_terminal(text[run_end]):
            run_end += 1
        while run_end < block_end and _is_closer(text[run_end]):
            run_end += 1
        next_start = run_end
        while next_start < block_end and text[next_start].isspace():
            next_start += 1
        if (
            next_start != run_end
            and next_start < block_end
            and _stop_ends_sentence(text, block_start, stop, next_start)
        ):
            spans.append((start, run_end))
            start = next_start
        stop = run_end
    spans.append((start, block_end))


@cython.cfunc
@cython.boundscheck(False)  # block_start <= stop < next_start < len(text)
@cython.wraparound(False)
def _stop_ends_sentence(
    text: str,
    block_start: cython.Py_ssize_t,
    stop: cython.Py_ssize_t,
    next_start: cython.Py_ssize_t,
) -> cython.bint:
    """:func:`_ends_sentence` compiled: the word before the stop is sliced only if needed."""
    ch: cython.Py_UCS4 = text[next_start]
    if not (ch.isupper() or ch.isdigit() or ch in _OPENING_MARKS):
        return False
    if text[stop] != "." or text[stop + 1] == ".":
        return True  # "!", "?", "…" or an ellipsis written as dots
    first: cython.Py_ssize_t = max(block_start, stop - 40)
    end: cython.Py_ssize_t = stop
    if end > first and text[end - 1] == "\n":
        end -= 1  # as _word_before drops a final line break
    if end == first or text[end - 1].isspace():
        return True
    start: cython.Py_ssize_t = end - 1
    while start > first and not text[start - 1].isspace():
        start -= 1
    while start < end and text[start] in _OPENING_MARKS:
        start += 1
    return _word_ends_sentence(text, text[start:end], next_start)
