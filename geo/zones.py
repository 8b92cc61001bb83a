"""Statements about areas -> zones: pledged de-escalation, active fighting, sieges, recaptures.

A statement is a sentence that pledges to reduce or withdraw (PLOVER CONCEDE when declared,
RETREAT when carried out), reports fighting, a siege or recaptured ground, and names places.
Each named place becomes a polygon by a stated method:

- an oblast, region or "direction" -> the admin-1 polygons of the gazetteer
  (the Kyiv direction -> Kyiv Oblast and Kyiv City);
- a city -> a buffer of ``settings.fighting_buffer_km`` around it ("around X"), computed in
  an azimuthal equidistant projection centred on the city, so the radius is in metres.

Finding statements is written in Cython's pure-Python mode (typed locals, C helpers), for
when the module is compiled; as plain Python it gives the same statements.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cython
import numpy as np
import pyproj
from shapely import wkb
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo import settings
from geo.cues import Cue, CueGate, folded, occurrences
from geo.gazetteer import Gazetteer, get_gazetteer
from geo.types import Article, Mention, Place, Record, Zone, ZoneKind, slot_init

logger = logging.getLogger(__name__)

STRATEGY = "zones.rules.v1"

_PLEDGE = re.compile(
    r"\b(?:reduce|reducing|scale down|scaling down|scaled down|de-?escalat\w*|cut back|wind down|"
    r"pull back|pulling back|withdraw|withdrawing|withdrawal|drastically reduce|curtail)\b",
    re.I,
)
_PROMISE = re.compile(
    r"\b(?:promis\w*|pledg\w*|vow\w*|decision was made|decided|will|would|to reduce|"
    r"announced|said it was|saying it was|agreed|intends?|plans?)\b",
    re.I,
)
_DONE = re.compile(
    r"\b(?:withdrew|pulled out|have left|had left|retreated|completed (?:the|their) withdrawal)\b",
    re.I,
)
_FIGHTING = re.compile(
    r"\b(?:heavy fighting|fighting|fierce battles?|battles? for|clashes|shelling|bombardment|"
    r"under (?:heavy )?fire|offensive|assault|street battles|intense attacks?)\b",
    re.I,
)
_SIEGE = re.compile(r"\b(?:besieged|under siege|encircled|surrounded|blockaded|cut off)\b", re.I)
_RECAPTURE = re.compile(
    r"\b(?:recaptur\w*|retook|retaken|retaking|liberated|regained control)\b", re.I
)
_PLEDGE_CUE = Cue.of(
    _PLEDGE,
    {"reduc": 0, "scal": 0, "escalat": len("de-"), "cut back": 0, "wind down": 0, "pull": 0}
    | {"withdraw": 0, "drastically": 0, "curtail": 0},
)
_PROMISE_CUE = Cue.of(
    _PROMISE,
    dict.fromkeys(("promis", "pledg", "vow", "decision was made", "decided", "will", "would"), 0)
    | dict.fromkeys(("to reduce", "announced", "said it was", "saying it was", "agreed"), 0)
    | dict.fromkeys(("intend", "plan"), 0),
)
_DONE_CUE = Cue.of(
    _DONE,
    {"withdrew": 0, "pulled out": 0, "left": len("have "), "retreated": 0, "completed": 0},
)
_FIGHTING_CUE = Cue.of(
    _FIGHTING,
    {"fighting": len("heavy "), "battle": len("street "), "clashes": 0, "shelling": 0}
    | {"bombardment": 0, "under fire": 0, "under heavy fire": 0, "offensive": 0}
    | {"assault": 0, "intense": 0},
)
_SIEGE_CUE = Cue.of(
    _SIEGE,
    {"siege": len("under "), "encircled": 0, "surrounded": 0, "blockaded": 0, "cut off": 0},
)
_RECAPTURE_CUE = Cue.of(
    _RECAPTURE,
    dict.fromkeys(("recaptur", "retook", "retak", "liberated", "regained control"), 0),
)
_CUES: dict[ZoneKind, Cue] = {
    "pledged_deescalation": _PLEDGE_CUE, "withdrawal": _DONE_CUE, "active_fighting": _FIGHTING_CUE,
    "besieged": _SIEGE_CUE, "recaptured": _RECAPTURE_CUE,
}  # fmt: skip
_GATE = CueGate(_CUES.values())
"""Which words of the cues of statements a sentence may hold (``_CUES`` alone)."""
_PROMISE_GATE = CueGate([_PROMISE_CUE])
"""Which words of ``_PROMISE_CUE`` a sentence may hold: read only for a pledge."""
_CLAUSE_END = re.compile(
    r";|\bwhile\b|\bbut\b|\bwhereas\b|\bas well as\b|, and (?:the|a)\b|\.\s|[”\"]"
)
_CLAUSE_WORDS = (";", "while", "but", "whereas", "as well as", ", and ", ".", "”", '"')
"""Every ``_CLAUSE_END`` match starts with one of these."""
_OBJECT_REACH = cython.declare(cython.Py_ssize_t, 45)
"""How far after "encircled"/"recaptured" its object may start (characters)."""
_DESCRIBED_REACH = cython.declare(cython.Py_ssize_t, 40)
"""How far before "besieged"/"retaken" the place it describes may start ("Mariupol, besieged")."""
_NEGATED = re.compile(r"\b(?:no|not|never|denied)\b[^.]{0,30}\b(?:fighting|shelling)\b", re.I)
_NEGATED_CUE = Cue.of(_NEGATED, dict.fromkeys(("no", "never", "denied"), 0))
"""Every ``_NEGATED`` match starts with its negation ("not" starts with "no"): tried only
there, not back from each "fighting" (a long way to search)."""
_SPEAKS = re.compile(
    r"(?:'s|’s)?(?:\s+(?:[A-Z][\w.'’-]*|of|for|deputy|defen[cs]e|foreign|prime|minister|"
    r"ministry|spokes(?:man|woman|person)|officials?|negotiators?|delegation|government|"
    r"president|leader))*?\s+(?:has\s+|had\s+|have\s+)?"
    r"(?:told|said|says|saying|announced|promised|pledged|vowed|decided|declared|proposed|"
    r"would|will)\b"
)
_SPEECH_WORDS = (
    "told",
    "said",
    "says",
    "saying",
    "announced",
    "promised",
    "pledged",
    "vowed",
    "decided",
    "declared",
    "proposed",
    "would",
    "will",
)
"""Every ``_SPEAKS`` match ends with one of these."""
_ACTOR_REACH = cython.declare(cython.Py_ssize_t, 80)


@cython.cfunc
def _actor(sentence: str, offset: cython.Py_ssize_t, mentions: tuple[Mention, ...]) -> str | None:
    """The party making a statement, from who speaks in the sentence.

    That is the country of the first government, state or demonym mention whose words lead
    to a speech or promise verb ("Russia promised", "Russian Deputy Defence Minister
    Alexander Fomin told").
    """
    rel: cython.Py_ssize_t
    reach: str
    if not _holds_any(sentence, _SPEECH_WORDS):
        return None
    for m in mentions:
        rel = m.end - offset
        if not 0 <= rel <= len(sentence) or m.place is None:
            continue
        if not (m.place.kind == "country" or m.place.capital or m.role == "metonym"):
            continue
        reach = sentence[rel : rel + _ACTOR_REACH]
        if _holds_any(reach, _SPEECH_WORDS) and _SPEAKS.match(reach):
            return _country_name(m.place)
    return None


@cython.cfunc
def _holds_any(text: str, words: tuple[str, ...]) -> cython.bint:
    """Whether one of ``words`` occurs in ``text``."""
    word: str
    for word in words:  # noqa: SIM110 - a C loop when compiled
        if word in text:
            return True
    return False


def _country_name(place: Place) -> str:
    """The country a place speaks for: Moscow and the Kremlin speak for Russia."""
    if place.kind == "country" or place.country is None:
        return place.name
    try:
        return get_gazetteer().get(f"adm0:{place.country}").name
    except LookupError:
        return place.name


@slot_init
@dataclass(frozen=True, slots=True)
class Statement(Record):
    """A sentence that says something about areas, with its places and coding."""

    zone: ZoneKind
    places: tuple[Mention, ...]
    quote: str
    start: int
    end: int
    actor: str | None
    plover: str | None
    article: str
    date: str | None


@cython.cfunc
def _areal(m: Mention) -> cython.bint:
    """A mention that can be an area a statement is about (not a reference point)."""
    return (
        m.place is not None
        and m.role in {"location", "origin"}
        and m.place.kind in {"settlement", "admin1", "region"}
        and m.qualifier not in {"relative", "destination"}
    )


def find_statements(
    article: Article, mentions: Sequence[Mention], sentences: Sequence[tuple[int, int]]
) -> list[Statement]:
    """Statements of pledged de-escalation, fighting, sieges and recaptures in an article."""
    found: list[Statement] = []
    areal = [m for m in mentions if _areal(m)]
    if not areal:
        return found
    in_areal = _Within(areal)
    in_mentions: _Within | None = None  # built for the first sentence that makes a statement
    text: str = article.text
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t
    places: tuple[Mention, ...]
    sentence: str
    for start, end in sentences:
        places = in_areal.between(start, end)
        if not places:
            continue
        sentence = text[start:end]
        low = folded(sentence)
        may = _GATE.words(low)
        if may is not None and not may:
            continue
        kinds = _kinds(sentence, low, may)
        if not kinds:
            continue
        if in_mentions is None:
            in_mentions = _Within(mentions)
        actor = _actor(sentence, start, in_mentions.between(start, end))
        quote = _quote(sentence)
        ends = occurrences(sentence, _CLAUSE_WORDS)
        for zone, plover, matches in kinds:
            chosen = _places_for(zone, sentence, matches, start, places, ends)
            if chosen:
                found.append(
                    Statement(
                        zone=zone,
                        places=chosen,
                        quote=quote,
                        start=start,
                        end=end,
                        actor=actor,
                        plover=plover,
                        article=article.id,
                        date=article.date,
                    )
                )
    return found


@cython.cfunc
@cython.locals(i=cython.Py_ssize_t, ch=cython.Py_UCS4, blank=cython.bint)
def _quote(sentence: str) -> str:
    """``" ".join(sentence.split())``: the sentence with each run of blanks made one space.

    Compiled, a sentence with nothing to change (most) is read once and kept as it is.
    """
    if not cython.compiled:
        return " ".join(sentence.split())
    blank = True  # a blank first is dropped, as one after another blank is
    for i in range(len(sentence)):
        ch = sentence[i]
        if ch.isspace():
            if blank or ch != " ":
                return " ".join(sentence.split())
            blank = True
        else:
            blank = False
    return " ".join(sentence.split()) if blank else sentence  # a blank last is dropped too


@cython.final
@cython.cclass
class _Within:
    """Mentions by where they start: those in a span of the text, in their order."""

    _mentions: tuple[Mention, ...]
    _starts: list[int]
    _ordered: cython.bint

    def __init__(self, mentions: Sequence[Mention]) -> None:
        i: cython.Py_ssize_t
        self._mentions = tuple(mentions)
        self._starts = [m.start for m in mentions]
        self._ordered = True
        for i in range(1, len(self._starts)):
            if self._starts[i - 1] > self._starts[i]:
                self._ordered = False
                break

    @cython.ccall
    def between(self, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> tuple[Mention, ...]:
        """The mentions starting in ``[start, end)``, in their order."""
        if not self._ordered:
            return tuple([m for m in self._mentions if start <= m.start < end])
        first: cython.Py_ssize_t = _bisect(self._starts, start, 0)
        return self._mentions[first : _bisect(self._starts, end, first)]


@cython.cfunc
def _bisect(
    starts: list[int], value: cython.Py_ssize_t, low: cython.Py_ssize_t
) -> cython.Py_ssize_t:
    """``bisect.bisect_left(starts, value, low)`` over ordered numbers."""
    high: cython.Py_ssize_t = len(starts)
    middle: cython.Py_ssize_t
    at: cython.Py_ssize_t
    while low < high:
        middle = (low + high) // 2
        at = starts[middle]
        if at < value:
            low = middle + 1
        else:
            high = middle
    return low


_Kind = tuple[ZoneKind, str | None, list[re.Match[str]]]
"""A kind of statement a sentence makes, its PLOVER code and the matches of its cue."""


@cython.cfunc
def _kinds(sentence: str, low: str | None, may: frozenset[str] | None) -> list[_Kind]:
    """The kinds of statement a sentence makes, with their PLOVER codes and cue matches.

    ``low`` is ``folded(sentence)``; ``may`` is ``_GATE.words(low)``. Each cue's matches
    are found once, for telling the kind and then its places (``_places_for``).
    """
    kinds: list[_Kind] = []
    matches = _matches(_PLEDGE_CUE, sentence, low, may)
    if matches and (_promises(sentence, low) or "direction" in sentence):
        kinds.append(("pledged_deescalation", "CONCEDE", matches))
    else:
        matches = _matches(_DONE_CUE, sentence, low, may)
        if matches:
            kinds.append(("withdrawal", "RETREAT", matches))
    matches = _matches(_FIGHTING_CUE, sentence, low, may)
    if matches and not _NEGATED_CUE.search(sentence, low):
        kinds.append(("active_fighting", None, matches))
    matches = _matches(_SIEGE_CUE, sentence, low, may)
    if matches:
        kinds.append(("besieged", None, matches))
    matches = _matches(_RECAPTURE_CUE, sentence, low, may)
    if matches:
        kinds.append(("recaptured", None, matches))
    return kinds


@cython.cfunc
def _matches(
    cue: Cue, sentence: str, low: str | None, may: frozenset[str] | None
) -> list[re.Match[str]]:
    """``cue.matches(sentence, low, may)``, told at once where ``may`` holds none of its words."""
    if may is not None and may.isdisjoint(cue.word_set):
        return []
    return cue.matches(sentence, low, may)


@cython.cfunc
def _promises(sentence: str, low: str | None) -> cython.bint:
    """Whether a sentence holds a promise (``_PROMISE``), given ``low = folded(sentence)``."""
    return _PROMISE_CUE.search(sentence, low, _PROMISE_GATE.words(low)) is not None


@cython.cfunc
def _clause(
    sentence: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t, ends: list[int]
) -> tuple[int, int]:
    """Bounds of the clause around ``sentence[start:end]``.

    Clauses end at ";", "while", "but", closing quotes and sentence stops. ``ends`` is
    every index a ``_CLAUSE_END`` match may start at, in order.
    """
    at: cython.Py_ssize_t
    left: cython.Py_ssize_t = 0
    for at in ends:  # the last of the matches before ``start``, as ``finditer`` finds them
        if at >= start:
            break
        if at >= left:
            match = _CLAUSE_END.match(sentence, at, start)
            if match is not None:
                left = match.end()
    for at in ends:
        if at >= end:
            match = _CLAUSE_END.match(sentence, at)
            if match is not None:
                return left, match.start()
    return left, len(sentence)


@cython.cfunc
def _places_for(
    zone: ZoneKind,
    sentence: str,
    matches: list[re.Match[str]],
    offset: cython.Py_ssize_t,
    places: tuple[Mention, ...],
    ends: list[int],
) -> tuple[Mention, ...]:
    """The places a statement of a kind is about, from the clause its keyword governs.

    A pledge or withdrawal names its areas after the verb ("reduce activity in the Kyiv and
    Chernihiv directions"); fighting is about the places of its clause; a siege or recapture
    about the place it takes as object ("encircled Chernihiv", "recaptured Irpin") or that it
    describes ("Mariupol, besieged for weeks"). ``matches`` are those of the kind's cue in
    the sentence (see ``_kinds``); ``ends`` is where the clauses may end (see ``_clause``).
    """
    keep: list[Mention] = []
    kept: set[tuple[int, int]] = set()
    left: cython.Py_ssize_t
    right: cython.Py_ssize_t
    lo: cython.Py_ssize_t
    hi: cython.Py_ssize_t
    at: cython.Py_ssize_t
    for match in matches:
        left, right = _clause(sentence, match.start(), match.end(), ends)
        if zone in {"pledged_deescalation", "withdrawal"}:
            lo, hi = match.start(), right
        elif zone == "active_fighting":
            lo, hi = left, right
        else:
            lo, hi = (
                max(left, match.start() - _DESCRIBED_REACH),
                min(right, match.end() + _OBJECT_REACH),
            )
        for m in places:  # a set, not `m not in keep`: a list of 10,000 places was quadratic
            at = m.start - offset
            if lo <= at < hi and (m.start, m.end) not in kept:
                kept.add((m.start, m.end))
                keep.append(m)
    return tuple(keep)


def _metric_buffer(place: Place, km: float) -> BaseGeometry:
    """A circle of ``km`` on the ground around a place (see ``buffer_at``)."""
    return buffer_at(place.lat, place.lon, km)


@functools.lru_cache(maxsize=65_536)
def buffer_at(lat: float, lon: float, km: float) -> BaseGeometry:
    """A circle of ``km`` on the ground around a point, as a WGS84 polygon.

    Its vertices are the points at true geodesic distance ``km`` in 64 directions, which
    is the circle a buffer draws in an azimuthal equidistant projection centred on the
    point (the projection keeps distances from its centre true) — without building a
    projection per city. Cached: a corpus names the same cities again and again.
    """
    azimuths = np.linspace(0.0, 360.0, CIRCLE_VERTICES, endpoint=False)
    lons, lats, _ = _GEOD.fwd(
        np.full(CIRCLE_VERTICES, lon),
        np.full(CIRCLE_VERTICES, lat),
        azimuths,
        np.full(CIRCLE_VERTICES, km * 1000.0),
    )
    ring = np.column_stack([np.round(lons, 6), np.round(lats, 6)])[::-1]  # counter-clockwise
    return Polygon(ring)


_GEOD = pyproj.Geod(ellps="WGS84")
CIRCLE_VERTICES = 64
"""The vertices of a metric buffer's polygon, one every 360/64 degrees from due north."""

BUFFER_METHOD = re.compile(r"buffer:(\d+(?:\.\d+)?)km:")
"""The ``method`` of a zone drawn as a metric buffer (``buffer:25km:gn:703448``, written by
:func:`place_polygon`); group 1 is the radius in km."""


def place_polygon(
    mention: Mention,
    gazetteer: Gazetteer,
    *,
    zone: ZoneKind = "active_fighting",
    buffer_km: float | None = None,
) -> tuple[BaseGeometry, str] | None:
    """A polygon for a place a statement names, and the method that drew it.

    Named oblasts and regions are their admin polygons. A city in a pledge ("the Kyiv
    direction", "around Kyiv") is the oblast named after it plus the admin-1 unit holding
    it; a city where fighting, a siege or a recapture is reported is a metric buffer.
    """
    place = mention.place
    if place is None:
        return None
    km = settings.fighting_buffer_km if buffer_km is None else buffer_km
    if zone == "recaptured" and buffer_km is None:
        km = 10.0
    if place.kind in {"admin1", "region"}:
        geom = gazetteer.geometry(place.id)
        if geom is not None:
            return geom, f"{place.kind}:{place.id}"
    if place.kind != "settlement":
        return None
    directional = mention.qualifier == "direction" or (
        zone == "pledged_deescalation"
        and (mention.qualifier is not None or (place.population or 0) >= 100_000)
    )
    if directional:
        ids = tuple(_direction_areas(place, gazetteer))
        geom = _union_of(ids, gazetteer)
        if geom is not None:
            return geom, "direction:" + "+".join(ids)
    return _metric_buffer(place, km), f"buffer:{km:g}km:{place.id}"


@functools.lru_cache(maxsize=4096)
def _union_of(ids: tuple[str, ...], gazetteer: Gazetteer) -> BaseGeometry | None:
    """The union of admin areas' polygons; cached, as the cities of an oblast share them."""
    geoms = [g for g in (gazetteer.geometry(i) for i in ids) if g is not None]
    return unary_union(geoms) if geoms else None


def _direction_areas(place: Place, gazetteer: Gazetteer) -> list[str]:
    """Admin-1 areas a "X direction" covers: the one holding X and the oblast named after X."""
    ids: list[str] = []
    if place.admin1_id:
        ids.append(place.admin1_id)
    for cand in gazetteer.candidates(
        f"{place.name} Oblast", country=place.country, limit=3, kinds=("admin1",)
    ):
        if cand.place.id not in ids and cand.primary:
            ids.append(cand.place.id)
            break
    return sorted(ids)


def build_zones(
    statements: Iterable[Statement],
    *,
    gazetteer: Gazetteer | None = None,
    buffer_km: float | None = None,
) -> list[Zone]:
    """One zone per kind and place; every statement about it is kept as a source.

    The zone's quote and date are its earliest statement's; ``sources`` lists every article.
    """
    gaz = gazetteer or get_gazetteer()
    grouped: dict[tuple[ZoneKind, str], list[tuple[Statement, Mention]]] = {}
    for statement in statements:
        for mention in statement.places:
            if mention.place is not None:
                grouped.setdefault((statement.zone, mention.place.id), []).append(
                    (statement, mention)
                )
    zones: list[Zone] = []
    for (zone_kind, place_id), reports in sorted(grouped.items()):
        reports.sort(key=lambda r: (r[0].date or "9999", r[0].article, r[0].start))
        drawn = None
        for _, mention in sorted(reports, key=lambda r: r[1].qualifier != "direction"):
            drawn = place_polygon(mention, gaz, zone=zone_kind, buffer_km=buffer_km)
            if drawn is not None:
                break
        if drawn is None:
            continue
        statement, mention = reports[0]
        assert mention.place is not None
        actors = sorted({s.actor for s, _ in reports if s.actor})
        zid = (
            "zn-"
            + hashlib.sha1(f"{zone_kind}|{place_id}".encode(), usedforsecurity=False).hexdigest()[
                :12
            ]
        )
        zones.append(
            Zone(
                id=zid,
                zone=zone_kind,
                places=(place_id,),
                place_names=(mention.place.name,),
                date=statement.date,
                actor=actors[0] if actors else None,
                quote=statement.quote,
                method=drawn[1],
                article=statement.article,
                geometry_wkb=wkb.dumps(drawn[0]),
                plover=statement.plover,
                sources=tuple(sorted({s.article for s, _ in reports})),
            )
        )
    logger.info("built %d zones", len(zones))
    return zones
