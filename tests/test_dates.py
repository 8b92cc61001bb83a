"""Event dates: the cue-word shortcuts of geo.dates give what the plain patterns give.

``event_date`` reads a sentence folded once (``geo.cues.folded``) to skip the patterns that
cannot match and to try the others only where a match may start. Where folding is not exact
(``folded`` gives ``None``) it runs the plain patterns over the whole sentence: so running it
with ``folded`` made to give ``None`` is the reference its shortcuts must agree with.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import dates
from geo.dates import event_date

Dater = Callable[[str, "str | None"], "tuple[str | None, str | None]"]


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> Dater:
    """``event_date`` without its shortcuts: the patterns alone, over the whole sentence."""

    def run(sentence: str, article_date: str | None) -> tuple[str | None, str | None]:
        with monkeypatch.context() as patch:
            patch.setattr(dates, "folded", lambda text: None)
            return event_date(sentence, article_date)

    return run


CASES = [
    # datelines, cut before the sentence is read: month first, day first, with a source
    ("KYIV, Ukraine, March 30 - The toll rose to 12 on Monday.", "2022-03-30", "2022-03-28"),
    ("KYIV, 29 March - Shelling went on on Saturday.", "2022-03-30", "2022-03-26"),
    ("KHARKIV, Ukraine, Sept. 5 (AP) — A strike on Sept 3 killed 4.", "2022-09-05", "2022-09-03"),
    ("LVIV, March 29 (Reuters, AP) - 3 died.", "2022-03-30", "2022-03-30"),
    ("LVIV, March 29 - LVIV, March 28 - 3 died.", "2022-03-30", "2022-03-30"),
    ("Mayor Ivan Fedorov, 29, said 12 people died.", "2022-03-30", "2022-03-30"),
    # a day before its month: ordinals, any case, odd blanks, "on"
    ("The strike on 28th MARCH killed four.", "2022-03-30", "2022-03-28"),
    ("The strike on\u00a028\tmarch killed four.", "2022-03-30", "2022-03-28"),
    ("It hit on 1 April and on 31 march.", "2022-04-05", "2022-03-31"),
    ("Some 123 March marchers and 2022 May Day crowds gathered.", "2022-05-03", "2022-05-03"),
    ("In Mariupol, 5 may have died on May 2.", "2022-05-03", "2021-05-05"),  # "5 may"
    # weekdays: when it was said is skipped for the next weekday named
    ("Officials said on Wednesday that a strike on Monday killed 3.", "2022-03-30", "2022-03-28"),
    ("Officials said late on Wednesday the toll was 3.", "2022-03-30", "2022-03-30"),
    ("Mondays are quiet, but on Sunday 5 died.", "2022-03-30", "2022-03-27"),
    # relative cues
    ("3 people died yesterday.", "2022-03-30", "2022-03-29"),
    ("The toll rose earlier this month to 40.", "2022-03-30", "2022-03-01"),
    ("Last month 40 died.", "2022-03-30", "2022-02-01"),
    ("Months of shelling killed 40 on Tuesday.", "2022-03-30", "2022-03-29"),
    # text folding does not keep exact: Turkish dotted I, long s, final sigma
    ("İSTANBUL, March 29 - Talks ended; 3 died on Monday.", "2022-03-30", "2022-03-28"),
    ("ΚΥΙΝ, March 29 - ΟΔΟΣ: 3 died on Monday.", "2022-03-30", "2022-03-29"),  # no dateline
    ("The ſtrike on March 27 killed 3.", "2022-03-30", "2022-03-27"),
    ("Officials ſaid on Wednesday 3 died.", "2022-03-30", "2022-03-30"),
    ("KYIV, March 29 – “Σ” 3 died on Sunday.", "2022-03-30", "2022-03-27"),
    ("No date is named here, 12 people died.", "2022-03-30", "2022-03-30"),
]


@pytest.mark.parametrize(("sentence", "article_date", "expected"), CASES)
def test_event_dates_with_and_without_shortcuts(
    plain: Dater, sentence: str, article_date: str, expected: str
) -> None:
    found = event_date(sentence, article_date)
    assert found[0] == expected
    assert found == plain(sentence, article_date)


PARTS = [
    *"KYIV|Kyiv|Ukraine|ISTANBUL/KYIV|,|, | - | — |–|(Reuters)|(|)|March|MARCH|march|Mar.|mar"
    "|Mariupol|May|may|Sept.|sept|September|june|Jun|28|5|31|123|2022|1st|2ND|28th|on|late on"
    "|early|since|last|said|told|Monday|TUESDAY|sunday|Mondays|week|month|night|killed|the|İ|ı"
    "|ſ|Σ|K|’|'|.|;|\u00a0|\t|٣|\n".split("|"),
    *dates._RELATIVE_PHRASES,
]


@given(
    parts=st.lists(st.sampled_from(PARTS), max_size=14),
    blanks=st.lists(st.sampled_from(["", " ", "  "]), min_size=14, max_size=14),
    article_date=st.sampled_from(["2022-03-30", "2022-01-02", "2021-12-31", None, "bad"]),
)
def test_shortcuts_change_no_date(
    parts: list[str], blanks: list[str], article_date: str | None
) -> None:
    sentence = "".join(part + blank for part, blank in zip(parts, blanks, strict=False))
    found = event_date(sentence, article_date)
    real = dates.folded
    try:
        dates.folded = lambda text: None  # type: ignore[assignment]
        assert found == event_date(sentence, article_date)
    finally:
        dates.folded = real


def test_article_dates_are_parsed_once_and_forgotten_past_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dates, "_DAYS", {})
    monkeypatch.setattr(dates, "_DAYS_KEPT", 3)
    assert event_date("It happened on Tuesday.", "2022-03-30") == ("2022-03-29", "day")
    assert event_date("Twelve died.", "20220330") == ("2022-03-30", "week")  # ISO basic form
    assert event_date("Twelve died.", "2022-13-45") == (None, None)
    assert event_date("Twelve died.", None) == (None, None)
    assert len(dates._DAYS) <= 3
    assert event_date("It happened on Tuesday.", "2022-03-30") == ("2022-03-29", "day")
