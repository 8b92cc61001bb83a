"""Group figures and their sentences into events, each pinned to the place it happened.

The place of a figure is the location mention that governs its sentence: the most
specific location named in the sentence, else one named in the two sentences before it in
the same paragraph, else the dateline. A tally of people who fled a country goes to the
country (precision 6), never to a city. Event types follow ACLED's taxonomy, chosen from
the words of the sentence.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence

from geo.dates import event_date
from geo.types import Article, Event, Figure, Mention

logger = logging.getLogger(__name__)

STRATEGY = "events.rules.v1"

_AIR = re.compile(
    r"\b(?:air ?strikes?|air raids?|airstrikes?|bomb(?:s|ed|ing|ings)?|drones?|warplanes?|"
    r"aircraft|air attacks?|jets?)\b",
    re.I,
)
_SHELLING = re.compile(
    r"\b(?:missiles?|rockets?|shell(?:s|ed|ing)?|artillery|mortars?|strikes?|struck|"
    r"hit|explosions?|blasts?|bombardments?|cluster munitions?|grad)\b",
    re.I,
)
_BATTLE = re.compile(
    r"\b(?:fighting|battles?|clash(?:es|ed)?|offensive|assault|counter-?offensive|"
    r"combat|fought|firefights?)\b",
    re.I,
)
_RETAKE = re.compile(
    r"\b(?:recaptur(?:ed|e|ing)|retook|retaken|retaking|liberated|regained)\b", re.I
)
_CIVILIAN_ATTACK = re.compile(
    r"\b(?:executed|execution|shot dead|massacre|tortured|raped|abducted)\b", re.I
)
_SPACE = re.compile(r"\s+")

_KIND_ORDER = {
    "killed": 0,
    "injured": 1,
    "missing": 2,
    "trapped": 3,
    "held": 4,
    "displaced": 5,
    "affected": 6,
}


def classify(sentence: str, figures: Sequence[Figure]) -> tuple[str, str | None]:
    """ACLED event type and sub-type for a sentence that reports figures.

    Examples
    --------
    >>> classify("A missile hit the regional administration.", [])
    ('Explosions/Remote violence', 'Shelling/artillery/missile attack')
    >>> classify("An air strike destroyed the theatre.", [])
    ('Explosions/Remote violence', 'Air/drone strike')
    >>> classify("Heavy fighting continued in the east.", [])
    ('Battles', 'Armed clash')
    """
    kinds = {f.kind for f in figures}
    if kinds and kinds <= {"displaced"}:
        return "Strategic developments", "Other"
    if _AIR.search(sentence):
        return "Explosions/Remote violence", "Air/drone strike"
    if _SHELLING.search(sentence):
        return "Explosions/Remote violence", "Shelling/artillery/missile attack"
    if _RETAKE.search(sentence):
        return "Battles", "Government regains territory"
    if _CIVILIAN_ATTACK.search(sentence):
        return "Violence against civilians", "Attack"
    if _BATTLE.search(sentence):
        return "Battles", "Armed clash"
    victims = {f.victims for f in figures}
    if victims & {"civilians", "children"}:
        return "Violence against civilians", "Attack"
    return "Battles", "Armed clash"


def _quote(text: str, start: int, end: int, limit: int = 400) -> str:
    quote = _SPACE.sub(" ", text[start:end]).strip()
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def _locations(mentions: Sequence[Mention]) -> list[Mention]:
    return [m for m in mentions if m.place is not None and m.role in {"location", "origin"}]


def governing_place(
    figure: Figure,
    mentions: Sequence[Mention],
    sentences: Sequence[tuple[int, int]],
    text: str,
) -> Mention | None:
    """The location mention a figure belongs to.

    Settlements and admin areas in the figure's own sentence win over countries; a tally of
    people who fled goes to the country the sentence names. Failing the sentence, the two
    sentences before it in the same paragraph are searched, nearest first, then the dateline.
    """
    located = _locations(mentions)
    in_sentence = [m for m in located if figure.sentence_start <= m.start < figure.sentence_end]
    if figure.kind == "displaced":
        countries = [m for m in in_sentence if m.place is not None and m.place.kind == "country"]
        if countries:
            return countries[0]
    pick = _most_specific(in_sentence, figure)
    if pick is not None:
        return pick
    index = next((i for i, s in enumerate(sentences) if s[0] <= figure.start < s[1]), None)
    if index is not None:
        for back in (1, 2):
            if index - back < 0:
                break
            start, end = sentences[index - back]
            if "\n\n" in text[end : sentences[index - back + 1][0] + 1] or "\n" in text[
                end : figure.start
            ].strip(" "):
                break
            earlier = [m for m in located if start <= m.start < end]
            pick = _most_specific(earlier, figure)
            if pick is not None:
                return pick
    dateline = [
        m for m in located if m.start < 80 and m.place is not None and m.place.kind == "settlement"
    ]
    return (
        dateline[0]
        if dateline and dateline[0].start < (sentences[0][1] if sentences else 0)
        else None
    )


def _most_specific(candidates: Sequence[Mention], figure: Figure) -> Mention | None:
    """Settlement over admin area over region over country; nearest to the figure on ties."""
    if not candidates:
        return None
    rank = {"settlement": 0, "admin1": 1, "region": 2, "sea": 3, "country": 4, "continent": 5}

    def key(m: Mention) -> tuple[int, int]:
        kind = m.place.kind if m.place else "continent"
        return rank.get(kind, 6), abs(m.start - figure.start)

    return min(candidates, key=key)


def event_id(article: str, place_id: str | None, sentence_start: int) -> str:
    """A stable id for the event an article reports in a sentence at a place.

    Examples
    --------
    >>> event_id("a1", "gn:703448", 120)
    'ev-79881c78ca83'
    """
    digest = hashlib.sha1(f"{article}|{place_id}|{sentence_start}".encode(), usedforsecurity=False)
    return "ev-" + digest.hexdigest()[:12]


def build_events(
    article: Article,
    mentions: Sequence[Mention],
    figures: Sequence[Figure],
    sentences: Sequence[tuple[int, int]],
) -> tuple[list[Event], dict[int, str]]:
    """Group an article's figures into events.

    Returns
    -------
    events, figure_events
        The events, and for each figure (by index into ``figures``) its event id.
    """
    groups: dict[tuple[str | None, int], list[int]] = {}
    places: dict[tuple[str | None, int], Mention | None] = {}
    for pos, figure in enumerate(figures):
        mention = governing_place(figure, mentions, sentences, article.text)
        place_id = mention.place.id if mention and mention.place else None
        key = (place_id, figure.sentence_start)
        groups.setdefault(key, []).append(pos)
        places[key] = mention
    events: list[Event] = []
    figure_events: dict[int, str] = {}
    for key, members in sorted(groups.items(), key=lambda item: item[0][1]):
        mention = places[key]
        group = [figures[i] for i in members]
        start, end = group[0].sentence_start, group[0].sentence_end
        sentence = article.text[start:end]
        event_type, sub_type = classify(sentence, group)
        date, precision = event_date(sentence, article.date)
        eid = event_id(article.id, key[0], start)
        for i in members:
            figure_events[i] = eid
        events.append(
            Event(
                id=eid,
                article=article.id,
                event_type=event_type,
                sub_event_type=sub_type,
                date=date,
                date_precision=precision,
                place=mention.place if mention else None,
                precision=mention.precision if mention else None,
                quote=_quote(article.text, start, end),
                figures=tuple(sorted(group, key=lambda f: (_KIND_ORDER[f.kind], f.start))),
                source=article.source,
                strategy=STRATEGY,
            )
        )
    logger.debug("article %s: %d events from %d figures", article.id, len(events), len(figures))
    return events, figure_events
