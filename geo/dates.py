"""Date an event from its article's date and the words of its sentence.

Examples of what is understood: "on Tuesday", "late on Saturday", "on March 28",
"on 28 March", "yesterday", "last week", "earlier this month". With no cue the event is
dated to the article with week precision (it was reported then and happened up to a week
before).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from geo.cues import Cue, CueGate, folded, matches_at, occurrences
from geo.types import DatePrecision

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NAMES = [
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
]
"""The names of each month, longest first: the last is its first three letters."""
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names}


def _one_of(words: Sequence[str]) -> str:
    r"""A case-insensitive pattern for any of ``words``, tried in order.

    It opens with a lookahead for their first letters, which fails at once where none
    starts: the same matches for less.

    Examples
    --------
    >>> _one_of(["said", "told"])
    '(?=[st])(?:said|told)'
    """
    return f"(?=[{''.join(sorted({word[0] for word in words}))}])(?:{'|'.join(words)})"


_MONTH_RE = "|".join(
    names[0][:3] + (f"(?:{'|'.join(name[3:] for name in names[:-1])})?" if len(names) > 1 else "")
    for names in _MONTH_NAMES
)
"""Any month name, the longest that fits first: one alternative per month's three letters."""
_MONTH_DAY = re.compile(
    rf"\b(?:on\s+)?(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", re.I
)
_DAY_MONTH = re.compile(
    rf"\b(?:on\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_RE})\b", re.I
)
_WEEKDAY_INDEX = {name: i for i, name in enumerate(_WEEKDAYS)}
"""Each weekday's ``date.weekday()``."""
_WEEKDAY_LEADS = ("on", "late on", "early on", "late", "early", "since", "last")
"""Words a weekday's match may take in before it ("late on Saturday")."""
_WEEKDAY_REACH = max(map(len, _WEEKDAY_LEADS))
"""How far before the blanks ahead of a weekday a ``_WEEKDAY`` match may start."""
_WEEKDAY = re.compile(
    rf"\b(?=[{''.join(sorted({w[0] for w in [*_WEEKDAY_LEADS, *_WEEKDAYS]}))}\s])"
    rf"(?:{'|'.join(_WEEKDAY_LEADS)})?\s*(?P<w>{'|'.join(_WEEKDAYS)})\b",
    re.I,
)
"""A weekday with what leads it; the lookahead skips at once where no match can start."""
_DATELINE_DAY = (
    rf"(?:(?:{_MONTH_RE})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{_MONTH_RE}))"
    rf"\s*(?:\([^)]{{0,40}}\))?\s*[-—–]+\s*"
)
"""A dateline's day and what follows it up to the story: "March 29 (Reuters) - "."""
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Z .'’/-]+(?:,\s*[A-Z][\w .'’-]*)*,\s*{_DATELINE_DAY}",
    re.I,
)
_DATELINE_TAIL = re.compile(rf",\s*{_DATELINE_DAY}", re.I)
"""The end of a ``_DATELINE`` match, from the comma before its day."""
_SPEECH_BEFORE = re.compile(
    rf"\b{_one_of(['said', 'says', 'told', 'announced', 'reported', 'added', 'stated'])}"
    r"\s+(?:late\s+|early\s+)?(?:on\s+)?$",
    re.I,
)
_RELATIVE_PHRASES = (
    "yesterday|last night|overnight|last week|this week|earlier this month|this month|"
    "last month|earlier this week"
).split("|")
"""Words that date an event from its article's date, in the order they are tried."""
_RELATIVE = re.compile(rf"\b(?P<r>{_one_of(_RELATIVE_PHRASES)})\b", re.I)
_RELATIVE_CUE = Cue.of(_RELATIVE, {"yesterday": 0, "night": 5, "week": 13, "month": 13})
_MONTH_WORDS = tuple(sorted({name[:3] for name in _MONTHS}))
"""Every month name starts with one of these."""
_MONTH_SET = frozenset(_MONTH_WORDS)
_ORDINALS = ("st", "nd", "rd", "th")
_NAMES = CueGate(
    [
        Cue.of(re.compile(rf"\b(?:{_MONTH_RE})\b", re.I), dict.fromkeys(_MONTH_WORDS, 0)),
        Cue.of(re.compile(rf"\b(?:{'|'.join(_WEEKDAYS)})\b", re.I), dict.fromkeys(_WEEKDAYS, 0)),
        _RELATIVE_CUE,
    ]
)
"""Which month names, weekdays and relative cues a folded sentence may hold."""
_DAYS: dict[str | None, tuple[dt.date, str] | None] = {}
"""Article dates met, parsed (``_article_day``)."""
_DAYS_KEPT = 10_000
"""How many article dates ``_DAYS`` holds before it starts again."""


def parse_iso(value: str | None) -> dt.date | None:
    """Parse ``YYYY-MM-DD``; ``None`` for anything else.

    Examples
    --------
    >>> parse_iso("2022-03-29")
    datetime.date(2022, 3, 29)
    >>> parse_iso("2022-13-45") is None
    True
    """
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def event_date(sentence: str, article_date: str | None) -> tuple[str | None, DatePrecision | None]:
    """The date a sentence's event happened, and how precisely it is known.

    Examples
    --------
    >>> event_date("A missile hit the building on Tuesday.", "2022-03-30")
    ('2022-03-29', 'day')
    >>> event_date("Shelling continued late on Saturday.", "2022-03-27")
    ('2022-03-26', 'day')
    >>> event_date("The strike on March 28 killed four.", "2022-03-30")
    ('2022-03-28', 'day')
    >>> event_date("Fighting went on last week.", "2022-04-05")
    ('2022-03-29', 'week')
    >>> event_date("Twelve people were killed.", "2022-03-29")
    ('2022-03-29', 'week')
    >>> event_date("Twelve people were killed.", None)
    (None, None)
    >>> event_date("APRIL 5 - The toll from the strike of 29 March rose to 37.", "2022-04-05")
    ('2022-03-29', 'day')
    >>> event_date("KYIV, Ukraine, March 30 - The toll rose to 12, officials said on Wednesday.",
    ...            "2022-03-30")
    ('2022-03-30', 'week')
    """
    day = _article_day(article_date)
    if day is None:
        return None, None
    base, iso = day
    low = folded(sentence)
    words = _NAMES.words(low)
    if words is not None and not words:
        return iso, "week"  # no month, weekday or relative cue: nothing below can match
    months = _month_starts(low, words)
    if months is None or months:
        cut = _dateline_end(sentence, low, months)
        if cut and low is not None and months is not None and sentence.isascii():
            # ASCII folds letter by letter: the rest's folding is the end of the whole's,
            # and the whole's cue words hold the rest's (more is allowed)
            sentence, low = sentence[cut:], low[cut:]
            months = [at - cut for at in months if at >= cut]
        elif cut:
            sentence = sentence[cut:]
            low = folded(sentence)
            words = _NAMES.words(low)
            months = _month_starts(low, words)
    explicit = _explicit_dates(sentence, base, low, months) if months is None or months else []
    if explicit:
        return min(explicit).isoformat(), "day"
    match = _RELATIVE_CUE.search(sentence, low, words)
    if match:
        return _relative_date(match.group("r").casefold(), base, iso)
    weekday = _weekday_date(sentence, base, low, words)
    if weekday is not None:
        return weekday, "day"
    return iso, "week"


def _article_day(value: str | None) -> tuple[dt.date, str] | None:
    """``parse_iso(value)`` and its ISO form, remembered: an article's sentences share it."""
    try:
        return _DAYS[value]
    except KeyError:
        pass
    day = parse_iso(value)
    found = None if day is None else (day, day.isoformat())
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    _DAYS[value] = found
    return found


def _relative_date(cue: str, base: dt.date, iso: str) -> tuple[str, DatePrecision]:
    """The date a relative cue ("yesterday", "last week", ...) names, from the article's.

    ``iso`` is ``base.isoformat()``.
    """
    if cue in {"yesterday", "last night"}:
        return (base - dt.timedelta(days=1)).isoformat(), "day"
    if cue == "overnight":
        return iso, "day"
    if cue in {"last week"}:
        return (base - dt.timedelta(days=7)).isoformat(), "week"
    if cue in {"this week", "earlier this week"}:
        return iso, "week"
    if cue == "last month":
        first = base.replace(day=1) - dt.timedelta(days=1)
        return first.replace(day=1).isoformat(), "month"
    return base.replace(day=1).isoformat(), "month"


def _month_starts(low: str | None, words: AbstractSet[str] | None) -> list[int] | None:
    """Where the month names of a sentence may start; ``None`` if that is not known.

    ``low`` is ``folded(sentence)``; ``words`` holds the cue words of ``_NAMES`` it may hold.
    """
    if low is None or words is None:
        return None
    if words.isdisjoint(_MONTH_SET):
        return []
    return occurrences(low, [word for word in words if word in _MONTH_SET])


def _dateline_end(sentence: str, low: str | None, months: list[int] | None) -> int:
    """Where a wire dateline opening a sentence ends; 0 if it opens with none.

    ``low`` is ``folded(sentence)`` and ``months`` where its month names may start
    (``_month_starts``). The dateline pattern runs only if a comma has a day after it
    (``_dateline_commas``), and only up to the furthest its match may end (the end of that
    day and the dash after it), so its greedy runs stop there: a match ending by then is
    found the same in the sentence cut there as in the whole.
    """
    if low is None or months is None:
        commas = [at for at, char in enumerate(sentence) if char == ","]
    else:
        commas = _dateline_commas(low, months)
    ends = (_DATELINE_TAIL.match(sentence, at) for at in commas)
    reach = max((tail.end() for tail in ends if tail is not None), default=0)
    if not reach:
        return 0
    match = _DATELINE.match(sentence, 0, reach)
    return 0 if match is None else match.end()


def _dateline_commas(low: str, months: list[int]) -> list[int]:
    """Every comma a ``_DATELINE_TAIL`` match may start at in a folded sentence.

    That comma is followed by blanks and a month name, or by blanks, a day of one or two
    digits, blanks and a month name: it is found from where the month names may start.
    """
    found = []
    for at in months:
        head = low[:at].rstrip()
        if head.endswith(","):  # "KYIV, March 29 - "
            found.append(len(head) - 1)
            continue
        digits = len(head)
        for _ in range(2):  # "KYIV, 29 March - "
            if digits and head[digits - 1].isdecimal():
                digits -= 1
        before = head[:digits].rstrip()
        if digits < len(head) < at and before.endswith(","):
            found.append(len(before) - 1)
    return found


def _weekday_date(
    sentence: str, base: dt.date, low: str | None, words: AbstractSet[str] | None
) -> str | None:
    """The day of the first weekday a sentence names for its event, if any, in ISO form.

    ``low`` is ``folded(sentence)``; ``words`` holds the cue words of ``_NAMES`` it may hold.
    After a weekday that tells when something was said, the pattern runs again only from
    where the next weekday's match may start.
    """
    at = _weekday_start(sentence, low, words, 0)
    while at >= 0:
        match = _WEEKDAY.search(sentence, at)
        if match is None:
            return None
        if not _SPEECH_BEFORE.search(sentence[max(0, match.start() - 20) : match.start()]):
            target = _WEEKDAY_INDEX[match.group("w").casefold()]
            return (base - dt.timedelta(days=(base.weekday() - target) % 7)).isoformat()
        # "officials said on Wednesday": when it was said, not when it happened
        at = _weekday_start(sentence, low, words, match.end())
    return None


def _weekday_start(sentence: str, low: str | None, words: AbstractSet[str] | None, pos: int) -> int:
    """First index from ``pos`` a ``_WEEKDAY`` match may start at; -1: none can.

    A match is a weekday, maybe with blanks before it and one of ``_WEEKDAY_LEADS`` before
    those. ``words`` holds the cue words of ``_NAMES`` that ``low`` may hold.
    """
    if low is None or words is None:
        return pos
    at = len(low)
    for word in words:
        if word in _WEEKDAY_INDEX:
            found = low.find(word, pos)
            if 0 <= found < at:
                at = found
    if at == len(low):
        return -1
    return max(len(sentence[:at].rstrip()) - _WEEKDAY_REACH, pos)


def _explicit_dates(
    sentence: str, base: dt.date, low: str | None, months: list[int] | None
) -> list[dt.date]:
    """Every "March 28" or "28 March" in a sentence, as dates near the article's.

    The article's year is assumed, or the year before for a date after the article.
    ``low`` is ``folded(sentence)`` and ``months`` where its month names may start
    (``_month_starts``).
    """
    found: list[dt.date] = []
    for match in _day_matches(sentence, low, months):
        month = _MONTHS[match.group("m").casefold()]
        try:
            when = dt.date(base.year, month, int(match.group("d")))
            if when > base + dt.timedelta(days=1):
                when = when.replace(year=base.year - 1)
        except ValueError:
            continue
        found.append(when)
    return found


def _day_matches(sentence: str, low: str | None, months: list[int] | None) -> list[re.Match[str]]:
    """Every ``_MONTH_DAY`` match of a sentence, then every ``_DAY_MONTH`` one (see above)."""
    if low is None or months is None:
        return [*_MONTH_DAY.finditer(sentence), *_DAY_MONTH.finditer(sentence)]
    return [
        *matches_at(_MONTH_DAY, sentence, _on_starts(low, months)),
        *matches_at(_DAY_MONTH, sentence, _on_starts(low, _day_starts(low, months))),
    ]


def _day_starts(low: str, months: list[int]) -> list[int]:
    """Where the day of a ``_DAY_MONTH`` match may start in a folded sentence.

    The day is one or two digits, maybe an ordinal's two letters, then blanks and a month
    name: it is found from where the month names may start.
    """
    found: set[int] = set()
    for at in months:
        head = low[:at].rstrip()
        if len(head) == at:
            continue  # no blank before the month name
        ends = [len(head) - 2, len(head)] if head.endswith(_ORDINALS) else [len(head)]
        for end in ends:
            found.update(end - n for n in (1, 2) if end >= n and low[end - n : end].isdecimal())
    return sorted(found)


def _on_starts(low: str, anchors: list[int]) -> list[int]:
    r"""Where an ``(?:on\s+)?`` match may start, given where what follows it may start.

    That is each anchor, and where an "on" ends at the blanks ahead of it, its start
    (``low`` is the folded sentence).
    """
    starts = set(anchors)
    for at in anchors:
        blanks = len(low[:at].rstrip())
        if 2 <= blanks < at and low.startswith("on", blanks - 2):
            starts.add(blanks - 2)
    return sorted(starts)


def dateline_day(text: str) -> tuple[int, int] | None:
    """Month and day of a wire dateline at the start of an article, if it has one.

    Examples
    --------
    >>> dateline_day("ISTANBUL/KYIV, Ukraine, March 29 (Reuters) - Russia promised ...")
    (3, 29)
    >>> dateline_day("Russia and Ukraine met.") is None
    True
    """
    match = _DATELINE.match(text[:200])
    if match is None:
        return None
    found = _MONTH_DAY.search(match.group()) or _DAY_MONTH.search(match.group())
    if found is None:
        return None
    return _MONTHS[found.group("m").casefold()], int(found.group("d"))


def infer_year(month_day: tuple[int, int], dated: Sequence[str]) -> str | None:
    """Date a dateline's day with the year of the dated articles it sits among.

    The year is the one that puts the day closest to the other articles' dates; ``None``
    when there are none, or when the nearest is more than 60 days away.

    Examples
    --------
    >>> infer_year((3, 29), ["2022-03-29", "2022-03-30"])
    '2022-03-29'
    >>> infer_year((3, 29), []) is None
    True
    """
    anchors = [d for d in (parse_iso(x) for x in dated) if d is not None]
    best: tuple[int, dt.date] | None = None
    for year in sorted({a.year for a in anchors} | {a.year - 1 for a in anchors}):
        try:
            when = dt.date(year, *month_day)
        except ValueError:
            continue
        gap = min(abs((when - a).days) for a in anchors)
        if best is None or gap < best[0]:
            best = (gap, when)
    if best is None or best[0] > 60:
        return None
    return best[1].isoformat()


def window(date: str | None, precision: DatePrecision | None) -> tuple[dt.date, dt.date] | None:
    """The span of days a dated event may have happened in.

    Examples
    --------
    >>> window("2022-03-29", "week")
    (datetime.date(2022, 3, 22), datetime.date(2022, 3, 29))
    """
    when = parse_iso(date)
    if when is None:
        return None
    if precision == "day":
        return when, when
    if precision == "week":
        return when - dt.timedelta(days=7), when
    if precision == "month":
        nxt = (when.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return when.replace(day=1), nxt - dt.timedelta(days=1)
    return when.replace(month=1, day=1), when.replace(month=12, day=31)
