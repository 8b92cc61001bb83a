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
_TERMINAL = re.compile(r"[.!?…]+[\"'”’»)\]]*")
_ENDS_WITH_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_WHITESPACE = re.compile(r"\s*")
_WORD_BEFORE = re.compile(r"\S*$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]|[A-Z]")

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


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of text between hard breaks (blank lines, or line breaks that end a line)."""
    lines: list[tuple[int, int]] = []
    position = 0
    for match in _LINE_BREAK.finditer(text):
        lines.append((position, match.start()))
        position = match.end()
    lines.append((position, len(text)))

    blocks: list[tuple[int, int]] = []
    current: list[int] | None = None
    last_line = ""
    for start, end in lines:
        content = text[start:end]
        stripped = content.strip()
        if not stripped:
            if current is not None:
                blocks.append((current[0], current[1]))
                current = None
            continue
        if (
            current is not None
            and not _ENDS_WITH_TERMINAL.search(last_line)
            and (stripped[0].islower())
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


def _ends_sentence(text: str, block_start: int, stop: int, next_start: int) -> bool:
    """Whether the terminal punctuation at ``stop`` ends a sentence before ``next_start``."""
    following = text[next_start]
    if not (following.isupper() or following.isdigit() or following in _OPENING):
        return False
    if text[stop] != "." or text[stop + 1 : stop + 2] == ".":
        return True  # "!", "?", "…" or an ellipsis written as dots
    before = _WORD_BEFORE.search(text, max(block_start, stop - 40), stop)
    word = before.group().lstrip("\"'“‘«([") if before else ""
    if not word:
        return True
    if word.lower() in _ABBREVIATIONS:
        return False
    if _INITIALISM.fullmatch(word):
        match = re.match(r"[^\W\d_]+", text[next_start : next_start + 20])
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
    for block_start, block_end in _blocks(text):
        start = block_start
        for match in _TERMINAL.finditer(text, block_start, block_end):
            gap = _WHITESPACE.match(text, match.end(), block_end)
            next_start = gap.end() if gap else match.end()
            if next_start == match.end() or next_start >= block_end:
                continue  # no whitespace after it, or the block ends here anyway
            if _ends_sentence(text, block_start, match.start(), next_start):
                spans.append((start, match.end()))
                start = next_start
        spans.append((start, block_end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span)) is not None]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
