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

from geo.cues import Cue, folded, matches_at, occurrences
from geo.types import DatePrecision

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_DAY = re.compile(
    rf"\b(?:on\s+)?(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b", re.I
)
_DAY_MONTH = re.compile(
    rf"\b(?:on\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_RE})\b", re.I
)
_WEEKDAY = re.compile(
    r"\b(?:on|late on|early on|late|early|since|last)?\s*(?P<w>" + "|".join(_WEEKDAYS) + r")\b",
    re.I,
)
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Z .'’/-]+(?:,\s*[A-Z][\w .'’-]*)*,\s*(?:(?:{_MONTH_RE})\.?\s+\d{{1,2}}|"
    rf"\d{{1,2}}\s+(?:{_MONTH_RE}))\s*(?:\([^)]{{0,40}}\))?\s*[-—–]+\s*",
    re.I,
)
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told|announced|reported|added|stated)\s+(?:late\s+|early\s+)?(?:on\s+)?$", re.I
)
_RELATIVE = re.compile(
    r"\b(?P<r>yesterday|last night|overnight|last week|this week|earlier this month|"
    r"this month|last month|earlier this week)\b",
    re.I,
)
_RELATIVE_CUE = Cue.of(_RELATIVE, {"yesterday": 0, "night": 5, "week": 13, "month": 13})
_MONTH_WORDS = tuple(sorted({name[:3] for name in _MONTHS}))
"""Every month name starts with one of these."""
_WEEKDAY_REACH = len("early on")
"""How far before the blanks ahead of a weekday a ``_WEEKDAY`` match may start."""
_DASHES = ("-", "—", "–")
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")


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
    base = parse_iso(article_date)
    if base is None:
        return None, None
    low = folded(sentence)
    may = _may_name_day(sentence, low)
    if may and "," in sentence and any(map(sentence.__contains__, _DASHES)):
        sentence, cut = _DATELINE.subn("", sentence, count=1)  # it names a month and a day
        if cut:
            low = folded(sentence)
            may = _may_name_day(sentence, low)
    explicit = sorted(_explicit_dates(sentence, base, low)) if may else []
    if explicit:
        return explicit[0].isoformat(), "day"
    match = _RELATIVE_CUE.search(sentence, low)
    if match:
        cue = match.group("r").casefold()
        if cue in {"yesterday", "last night"}:
            return (base - dt.timedelta(days=1)).isoformat(), "day"
        if cue == "overnight":
            return base.isoformat(), "day"
        if cue in {"last week"}:
            return (base - dt.timedelta(days=7)).isoformat(), "week"
        if cue in {"this week", "earlier this week"}:
            return base.isoformat(), "week"
        if cue == "last month":
            first = base.replace(day=1) - dt.timedelta(days=1)
            return first.replace(day=1).isoformat(), "month"
        return base.replace(day=1).isoformat(), "month"
    from_at = _weekday_start(sentence, low)
    for match in () if from_at < 0 else _WEEKDAY.finditer(sentence, from_at):
        if _SPEECH_BEFORE.search(sentence[max(0, match.start() - 20) : match.start()]):
            continue  # "officials said on Wednesday": when it was said, not when it happened
        target = _WEEKDAYS.index(match.group("w").casefold())
        back = (base.weekday() - target) % 7
        return (base - dt.timedelta(days=back)).isoformat(), "day"
    return base.isoformat(), "week"


def _may_name_day(sentence: str, low: str | None) -> bool:
    """Whether a sentence may hold a "March 28" or "28 March": a month name and a digit."""
    if low is not None and not any(map(low.__contains__, _MONTH_WORDS)):
        return False
    return _DIGIT.search(sentence) is not None


def _weekday_start(sentence: str, low: str | None) -> int:
    """First index a ``_WEEKDAY`` match may start at in a sentence; -1: it names no weekday.

    A match is a weekday, the blanks before it and at most "early on" before those.
    """
    if low is None:
        return 0
    if "day" not in low:
        return -1
    at = min((i for i in map(low.find, _WEEKDAYS) if i >= 0), default=-1)
    if at < 0:
        return -1
    return max(len(sentence[:at].rstrip()) - _WEEKDAY_REACH, 0)


def _explicit_dates(sentence: str, base: dt.date, low: str | None) -> list[dt.date]:
    """Every "March 28" or "28 March" in a sentence, as dates near the article's.

    The article's year is assumed, or the year before for a date after the article.
    ``low`` is ``folded(sentence)``.
    """
    found: list[dt.date] = []
    for pattern, anchors in ((_MONTH_DAY, _month_starts), (_DAY_MONTH, _day_starts)):
        matches = (
            pattern.finditer(sentence)
            if low is None
            else matches_at(pattern, sentence, _on_starts(sentence, anchors(sentence, low)))
        )
        for match in matches:
            month = _MONTHS[match.group("m").casefold()]
            try:
                when = dt.date(base.year, month, int(match.group("d")))
                if when > base + dt.timedelta(days=1):
                    when = when.replace(year=base.year - 1)
            except ValueError:
                continue
            found.append(when)
    return found


def _month_starts(sentence: str, low: str) -> list[int]:
    """Where the month names of a sentence may start (``low`` is ``folded(sentence)``)."""
    return occurrences(low, _MONTH_WORDS)


def _day_starts(sentence: str, low: str) -> list[int]:
    """Where a day of one or two digits may start in a sentence: where its digits start."""
    return [
        match.start() for match in _DIGITS.finditer(sentence) if match.end() - match.start() <= 2
    ]


def _on_starts(sentence: str, anchors: list[int]) -> list[int]:
    r"""Where an ``(?:on\s+)?`` match may start, given where what follows it may start.

    That is each anchor, and two characters before the blanks ahead of it ("on").
    """
    starts = set(anchors)
    for at in anchors:
        blanks = len(sentence[:at].rstrip())
        if 2 <= blanks < at:
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
