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

import cython

from geo.cues import Cue, CueGate, folded
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
_AIR_CUE = Cue.of(
    _AIR,
    {"air strike": 0, "airstrike": 0, "air raid": 0, "air attack": 0, "aircraft": 0}
    | {"bomb": 0, "drone": 0, "warplane": 0, "jet": 0},
)
_SHELLING_CUE = Cue.of(
    _SHELLING,
    dict.fromkeys(
        (
            "missile",
            "rocket",
            "shell",
            "artillery",
            "mortar",
            "strike",
            "struck",
            "hit",
            "explosion",
            "blast",
            "bombardment",
            "cluster munition",
            "grad",
        ),
        0,
    ),
)
_BATTLE_CUE = Cue.of(
    _BATTLE,
    dict.fromkeys(
        (
            "fighting",
            "battle",
            "clash",
            "offensive",
            "assault",
            "counter",
            "combat",
            "fought",
            "firefight",
        ),
        0,
    ),
)
_RETAKE_CUE = Cue.of(
    _RETAKE, dict.fromkeys(("recaptur", "retook", "retak", "liberated", "regained"), 0)
)
_CIVILIAN_ATTACK_CUE = Cue.of(
    _CIVILIAN_ATTACK,
    dict.fromkeys(("execut", "shot dead", "massacre", "tortured", "raped", "abducted"), 0),
)
_GATE = CueGate((_AIR_CUE, _SHELLING_CUE, _BATTLE_CUE, _RETAKE_CUE, _CIVILIAN_ATTACK_CUE))
"""Which words of the cues of event types a sentence may hold."""

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
    low = folded(sentence)
    may = _GATE.words(low)
    evident = _evident_type(sentence, low, may)
    if evident is not None:
        return evident
    if _CIVILIAN_ATTACK_CUE.search(sentence, low, may):
        return "Violence against civilians", "Attack"
    if _BATTLE_CUE.search(sentence, low, may):
        return "Battles", "Armed clash"
    victims = {f.victims for f in figures}
    if victims & {"civilians", "children"}:
        return "Violence against civilians", "Attack"
    return "Battles", "Armed clash"


def _evident_type(
    sentence: str, low: str | None, may: frozenset[str] | None
) -> tuple[str, str] | None:
    """The type a sentence's words give with evidence (a weapon, a retaking), if any.

    ``low`` is ``folded(sentence)``; ``may`` is ``_GATE.words(low)``.
    """
    if _AIR_CUE.search(sentence, low, may):
        return "Explosions/Remote violence", "Air/drone strike"
    if _SHELLING_CUE.search(sentence, low, may):
        return "Explosions/Remote violence", "Shelling/artillery/missile attack"
    if _RETAKE_CUE.search(sentence, low, may):
        return "Battles", "Government regains territory"
    return None


def _quote(text: str, start: int, end: int, limit: int = 400) -> str:
    if cython.compiled and _single_spaced(text, start, end):
        quote = text[start:end]
    else:
        quote = " ".join(text[start:end].split())  # blanks as \s+ matches them, one space each
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


@cython.cfunc
def _single_spaced(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether ``text[start:end]`` is its own blank-normalized form: single spaces between words."""
    ch: cython.Py_UCS4
    blank: cython.bint = True  # the character before was a space (or there was none)
    if not 0 <= start < end <= len(text):
        return False
    for ch in text[start:end]:  # compiled, a loop over the characters: no slice is made
        if ch.isspace():
            if blank or ch != " ":
                return False
            blank = True
        else:
            blank = False
    return not blank


_REFERENCE_ONLY = frozenset({"relative", "destination"})


def _locations(mentions: Sequence[Mention]) -> list[Mention]:
    """Mentions that can be where something happened (not reference points or destinations)."""
    return [
        m
        for m in mentions
        if m.place is not None
        and m.role in {"location", "origin"}
        and m.qualifier not in _REFERENCE_ONLY
    ]


def focus_place(mentions: Sequence[Mention], dateline_end: int = 0) -> Mention | None:
    """The settlement an article is mostly about: the most often named as a location.

    The dateline (where the reporter filed from) and names used only as reference points
    ("toward Kyiv", "around Kyiv") do not count.
    """
    return _focus(_locations(mentions), dateline_end)


def _focus(located: Sequence[Mention], dateline_end: int) -> Mention | None:
    """``focus_place``, given the article's ``_locations``."""
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for m in located:
        if m.place is None or m.place.kind != "settlement" or m.start < dateline_end:
            continue
        if m.qualifier in {"near", "around", "direction"}:
            continue
        counts[m.place.id] = counts.get(m.place.id, 0) + 1
        first.setdefault(m.place.id, m)
    if not counts:
        return None
    best = max(counts, key=lambda pid: (counts[pid], -first[pid].start))
    return first[best]


def governing_place(
    figure: Figure,
    mentions: Sequence[Mention],
    sentences: Sequence[tuple[int, int]],
    text: str,
) -> Mention | None:
    """The location mention a figure belongs to.

    In order: the most specific location in the figure's own sentence (settlements and
    admin areas over countries); the nearest of the two sentences before it; the place the
    article is mostly about; the dateline. People who fled are counted where they fled
    from ("fled Ukraine", "fled from Mariupol"), else in the article's country.
    """
    located = _locations(mentions)
    return _governing(figure, located, [m.start for m in located], sentences, {})


@cython.locals(at=cython.Py_ssize_t, start=cython.Py_ssize_t, end=cython.Py_ssize_t)
@cython.locals(index=cython.Py_ssize_t, back=cython.Py_ssize_t)
def _governing(
    figure: Figure,
    located: Sequence[Mention],
    starts: list[int],
    sentences: Sequence[tuple[int, int]],
    memo: dict[str, Mention | None],
) -> Mention | None:
    """``governing_place``, given the article's ``_locations`` and where each starts.

    ``memo`` keeps the article's own place (its focus, else its dateline) once found, for
    the article's other figures.
    """
    start, end = figure.sentence_start, figure.sentence_end
    in_sentence = _within(located, starts, start, end)
    if figure.kind == "displaced":
        origin = [m for m in in_sentence if m.role == "origin" and m.place is not None]
        if origin:
            return origin[0]
        return _country_of_article(located)
    pick = _most_specific(in_sentence, figure.start)
    if pick is not None:
        return pick
    at = figure.start
    for index in range(len(sentences)):
        start, end = sentences[index]
        if start <= at < end:
            break
    else:
        index = -1
    if index >= 0:
        for back in (1, 2):
            if index - back < 0:
                break
            start, end = sentences[index - back]
            earlier = [
                m
                for m in _within(located, starts, start, end)
                if m.place is not None
                and m.place.kind != "country"
                and m.qualifier not in {"near", "around", "direction"}
            ]
            pick = _most_specific(earlier, at)
            if pick is not None:
                return pick
    if "article" not in memo:
        memo["article"] = _article_place(located, sentences)
    return memo["article"]


@cython.cfunc
@cython.locals(i=cython.Py_ssize_t, at=cython.Py_ssize_t)
def _within(
    located: Sequence[Mention], starts: list[int], start: cython.Py_ssize_t, end: cython.Py_ssize_t
) -> list[Mention]:
    """The mentions of ``located`` (starting at ``starts``) that start in ``start:end``."""
    found: list[Mention] = []
    for i in range(len(starts)):
        at = starts[i]
        if start <= at < end:
            found.append(located[i])
    return found


def _article_place(
    located: Sequence[Mention], sentences: Sequence[tuple[int, int]]
) -> Mention | None:
    """The place the article is mostly about, else the settlement in its dateline."""
    dateline_end = sentences[0][0] + 80 if sentences else 0
    focus = _focus(located, dateline_end)
    if focus is not None:
        return focus
    dateline = [
        m
        for m in located
        if m.start < dateline_end and m.place is not None and m.place.kind == "settlement"
    ]
    return dateline[0] if dateline else None


def _country_of_article(located: Sequence[Mention]) -> Mention | None:
    """The country an article names most often as a location (for nationwide tallies).

    ``located``: the article's ``_locations``.
    """
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for m in located:
        if m.place is not None and m.place.kind == "country":
            counts[m.place.id] = counts.get(m.place.id, 0) + 1
            first.setdefault(m.place.id, m)
    if not counts:
        return None
    return first[max(counts, key=lambda pid: (counts[pid], -first[pid].start))]


_RANK = {"settlement": 0, "admin1": 1, "region": 2, "sea": 3, "country": 4, "continent": 5}
"""Place kinds from the most specific; any other kind ranks after them."""


@cython.cfunc
@cython.locals(rank=cython.Py_ssize_t, distance=cython.Py_ssize_t)
@cython.locals(best_rank=cython.Py_ssize_t, best_distance=cython.Py_ssize_t)
def _most_specific(candidates: Sequence[Mention], at: cython.Py_ssize_t) -> Mention | None:
    """Settlement over admin area over region over country; nearest to ``at`` on ties.

    The first of the candidates ranked best, as ``min`` picks it.
    """
    ranks: dict[str, int] = _RANK
    best: Mention | None = None
    best_rank = best_distance = 0
    for m in candidates:
        rank = ranks.get(m.place.kind if m.place else "continent", 6)
        distance = abs(m.start - at)
        if best is None or rank < best_rank or (rank == best_rank and distance < best_distance):
            best, best_rank, best_distance = m, rank, distance
    return best


_DEFAULT_TYPES = {("Battles", "Armed clash"), ("Violence against civilians", "Attack")}


class _EvidentTypes:
    """The first type the article gives with evidence (a weapon, a retaking) for a place.

    "A missile hit the administration building in Mykolaiv. Seven people were killed." The
    second sentence alone says nothing of how; the article does. Looked up only for the
    places of events whose own sentence gives no evidence, each sentence read at most once.
    """

    def __init__(
        self, text: str, located: Sequence[Mention], sentences: Sequence[tuple[int, int]]
    ) -> None:
        self._text = text
        self._located = located
        self._sentences = sentences
        self._starts: dict[str, list[int]] | None = None  # made at the first look-up
        self._types: dict[int, tuple[str, str] | None] = {}

    def get(self, place_id: str) -> tuple[str, str] | None:
        """The type of the first sentence naming the place that gives one with evidence."""
        if self._starts is None:
            self._starts = {}
            for m in self._located:
                assert m.place is not None
                self._starts.setdefault(m.place.id, []).append(m.start)
        starts = self._starts.get(place_id)
        if starts is None:
            return None
        for index, (start, end) in enumerate(self._sentences):
            if not _any_within(starts, start, end):
                continue
            if index not in self._types:
                sentence = self._text[start:end]
                low = folded(sentence)
                self._types[index] = _evident_type(sentence, low, _GATE.words(low))
            found = self._types[index]
            if found is not None:
                return found
        return None


@cython.cfunc
@cython.locals(at=cython.Py_ssize_t)
def _any_within(starts: list[int], start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> bool:
    """Whether any of ``starts`` lies in ``start <= at < end``."""
    return any(start <= at < end for at in starts)


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
    located = _locations(mentions) if figures else []
    starts = [m.start for m in located]
    memo: dict[str, Mention | None] = {}
    for pos, figure in enumerate(figures):
        mention = _governing(figure, located, starts, sentences, memo)
        place_id = mention.place.id if mention and mention.place else None
        key = (place_id, figure.sentence_start)
        groups.setdefault(key, []).append(pos)
        places[key] = mention
    events: list[Event] = []
    figure_events: dict[int, str] = {}
    evident = _EvidentTypes(article.text, located, sentences) if groups else None
    for key, members in sorted(groups.items(), key=lambda item: item[0][1]):
        mention = places[key]
        group = [figures[i] for i in members]
        start, end = group[0].sentence_start, group[0].sentence_end
        sentence = article.text[start:end]
        event_type, sub_type = classify(sentence, group)
        if (event_type, sub_type) in _DEFAULT_TYPES and key[0] is not None and evident:
            found = evident.get(key[0])
            if found is not None:
                event_type, sub_type = found  # the article says how elsewhere
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
