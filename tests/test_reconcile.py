from __future__ import annotations

from geo.reconcile import POLICY, figure_range, reconcile
from geo.types import Event, Figure, Place

MYKOLAIV = Place(
    "gn:700569",
    "Mykolaiv",
    "settlement",
    46.975,
    31.995,
    "UA",
    "Mykolaiv Oblast",
    470011,
    "exact",
    admin1_id="adm1:UA-48",
)
CHERNIHIV = Place(
    "gn:710735",
    "Chernihiv",
    "settlement",
    51.505,
    31.285,
    "UA",
    "Chernihiv Oblast",
    285234,
    "exact",
    admin1_id="adm1:UA-74",
)


def fig(
    kind: str,
    low: int | None,
    best: int | None,
    high: int | None,
    text: str,
    attribution: str | None = None,
    hedge: str | None = None,
    start: int = 0,
) -> Figure:
    qualifier = "exact" if low == best == high else ("at_least" if high is None else "at_most")
    return Figure(
        kind=kind,
        low=low,
        best=best,
        high=high,
        qualifier=qualifier,  # type: ignore[arg-type]
        victims="people",
        text=text,
        start=start,
        end=start + len(text),
        sentence_start=0,
        sentence_end=100,
        attribution=attribution,
        hedge=hedge,
    )


def event(
    eid: str,
    article: str,
    place: Place,
    date: str,
    precision: str,
    *figures: Figure,
    sub: str = "Shelling/artillery/missile attack",
) -> Event:
    return Event(
        id=eid,
        article=article,
        event_type="Explosions/Remote violence",
        sub_event_type=sub,
        date=date,
        date_precision=precision,
        place=place,
        precision=1,
        quote="q",  # type: ignore[arg-type]
        figures=figures,
    )


def test_two_outlets_disagree_on_the_mykolaiv_strike() -> None:
    a = event(
        "ev-a",
        "outlet-a",
        MYKOLAIV,
        "2022-03-29",
        "day",
        fig("killed", 12, 12, 12, "killing 12"),
        fig("injured", 33, 33, 33, "33 injured"),
    )
    b = event(
        "ev-b",
        "outlet-b",
        MYKOLAIV,
        "2022-03-29",
        "week",
        fig("killed", 7, 7, 7, "seven killed", attribution="Zelenskiy said"),
        fig("injured", 22, 22, 22, "22 wounded", attribution="Zelenskiy said"),
    )
    [record] = reconcile([a, b])
    assert record.counts["killed"] == (7, 7, 12)
    assert record.counts["injured"] == (22, 22, 33)
    assert record.disputed
    assert {s.article for s in record.sources} == {"outlet-a", "outlet-b"}
    assert any(s.attribution == "Zelenskiy said" for s in record.sources)
    assert record.date == "2022-03-29" and record.date_precision == "day"


def test_open_ranges_combine_into_low_best_high() -> None:
    mayor = event(
        "ev-m",
        "a1",
        CHERNIHIV,
        "2022-03-29",
        "week",
        fig("killed", 350, 350, None, "at least 350", attribution="the mayor said"),
    )
    officials = event(
        "ev-o",
        "a2",
        CHERNIHIV,
        "2022-03-30",
        "week",
        fig("killed", None, 400, 400, "up to 400", attribution="officials said"),
    )
    [record] = reconcile([mayor, officials])
    assert record.counts["killed"] == (350, 350, 400)
    assert record.disputed


def test_events_far_apart_in_time_stay_apart() -> None:
    early = event("ev-1", "a1", MYKOLAIV, "2022-03-01", "day", fig("killed", 3, 3, 3, "three"))
    late = event("ev-2", "a2", MYKOLAIV, "2022-03-29", "day", fig("killed", 12, 12, 12, "12"))
    assert len(reconcile([early, late])) == 2


def test_places_are_keyed_on_ids_not_names() -> None:
    other = Place("gn:1", "Mykolaiv", "settlement", 49.5, 23.9, "UA", "Lviv Oblast", 14000, "exact")
    a = event("ev-1", "a1", MYKOLAIV, "2022-03-29", "day", fig("killed", 12, 12, 12, "12"))
    b = event("ev-2", "a2", other, "2022-03-29", "day", fig("killed", 12, 12, 12, "12"))
    assert len(reconcile([a, b])) == 2


def test_agreeing_sources_are_not_disputed_and_the_id_is_stable() -> None:
    a = event("ev-1", "a1", MYKOLAIV, "2022-03-29", "day", fig("killed", 12, 12, 12, "12"))
    b = event("ev-2", "a2", MYKOLAIV, "2022-03-29", "day", fig("killed", 12, 12, 12, "twelve"))
    first = reconcile([a, b])
    again = reconcile([b, a])
    assert first == again
    assert not first[0].disputed


def test_a_source_counts_once_with_its_final_word() -> None:
    a = event(
        "ev-1",
        "a1",
        MYKOLAIV,
        "2022-03-29",
        "day",
        fig("killed", 7, 7, 7, "seven", start=10),
        fig("killed", 12, 12, 12, "rose to 12", start=50),
    )
    [record] = reconcile([a])
    assert record.counts["killed"] == (12, 12, 12)
    assert len(record.sources) == 1


def test_figure_range_and_policy() -> None:
    assert figure_range([fig("killed", None, 400, 400, "up to 400")]) == (None, 400, 400)
    assert "min" in POLICY
