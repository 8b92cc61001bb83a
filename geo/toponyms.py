"""Find place names in article text: spans with character offsets, before resolution.

Recognition looks up capitalised word runs in the gazetteer's name index, longest match
first, and keeps the evidence the resolver needs: the trailing admin word ("the Kyiv
region"), the preposition before the name ("near", "around", "the outskirts of"), a
following "X, Y" container, the dateline, and whether the name is a demonym. Spans that
are people ("Governor Vitaliy Kim", "Irina, an engineer"), months, titles or ordinary
sentence-initial words are dropped here, so the resolver never sees them.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, NamedTuple

import regex

from geo import settings
from geo.gazetteer import normalize_name

logger = logging.getLogger(__name__)

ToponymKind = Literal["name", "admin", "direction", "demonym"]

MAX_TOKENS = 6
"""Longest name, in words, that recognition tries ("Bosnia and Herzegovina" is 3)."""

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’ʼ`](?![sS]\b)[^\W\d_]+)*", re.UNICODE)
_CONNECTOR_WORDS = (
    "of de del della di da do dos das du des la le les los las el al am an upon on sur en y "
    "and the i"
).split()
_CONNECTORS = frozenset(_CONNECTOR_WORDS)
_CONNECTOR_ALT = "|".join(sorted(_CONNECTOR_WORDS, key=len, reverse=True))
_RUN_WORD = (
    r"(?:(?:\p{Lu}\.){2,}|\p{Lu}\p{Ll}{0,2}\.(?= \p{Lu})|"
    r"\p{Lu}[\p{L}\p{M}]*(?:['’ʼ`](?![sS]\b)[\p{L}\p{M}]+)*)"
)
_RUN = regex.compile(
    rf"(?<![\p{{L}}\p{{M}}\p{{N}}'’ʼ`]){_RUN_WORD}"
    rf"(?:(?: |-)(?:(?:{_CONNECTOR_ALT})(?: |-))*{_RUN_WORD})*"
)
"""A run of capitalised words, with the connectors names contain ("Bosnia and Herzegovina",
"Rostov-on-Don"); recognition looks only at these."""
_ADMIN_WORDS = {
    "region": "admin",
    "regions": "admin",
    "oblast": "admin",
    "oblasts": "admin",
    "province": "admin",
    "provinces": "admin",
    "governorate": "admin",
    "direction": "direction",
    "directions": "direction",
}
_NEAR_WORDS = {
    "near": "near",
    "nearby": "near",
    "outside": "near",
    "around": "around",
    "outskirts": "outskirts",
    "suburbs": "outskirts",
    "suburb": "outskirts",
    "surrounding": "around",
    "towards": "near",
    "toward": "near",
}
_COMPASS = frozenset(
    """
    north south east west northeast northwest southeast southwest northeastern northwestern
    southeastern southwestern
    """.split()
)
_DISTANCE_UNITS = frozenset("km kilometres kilometers kms miles mi metres meters".split())
_ARRIVAL = frozenset("reaching reached reach arriving arrived".split())
_MOTION = frozenset(
    """
    fled flee fleeing evacuated evacuating taken moved travelled traveled headed heading
    bound returned returning arrived arriving deported transferred relocated
    """.split()
)
_NEAR_FILLERS = frozenset(
    "the of city town village areas area region southern northern eastern western central".split()
)
_GENERIC_AREA_WORDS = frozenset(
    """
    centre center city capital coast island islands border national federal district
    metropolitan region plains highlands lakes valley mountain north south east west central
    northern southern eastern western interior
    """.split()
)
_EVENT_NOUNS = frozenset(
    """
    talks summit meeting meetings negotiations process agreement accord accords format
    declaration communique memorandum protocol conference forum peace deal round
    """.split()
)
_FEATURE_NOUNS = frozenset("river lake mountains mountain strait canal reservoir".split())
_ORIGIN_WORDS = frozenset(
    """
    from fled fleeing flee left leaving escaped
    """.split()
)
_LOCATIVE_WORDS = frozenset(
    """
    in at near around outside into on across to toward towards from of through inside over
    within throughout between outskirts
    """.split()
)
_TITLES = frozenset(
    """
    president presidents governor gov mayor minister ministers secretary general gen lt
    lieutenant col colonel major maj captain capt sergeant sgt mr mrs ms miss dr prof
    professor sen senator rep representative judge justice chancellor premier pope king
    queen prince princess sheikh ambassador commander chief spokesman spokeswoman
    spokesperson officer deputy admiral adm bishop rev reverend father sister brother
    saint st cardinal patriarch emperor tsar czar sir lord lady dame chairman chairwoman
    director head leader coach councillor councilman councilwoman commissioner adviser
    advisor aide envoy negotiator analyst correspondent reporter editor author writer
    journalist photographer doctor nurse engineer teacher student resident residents
    witness mr. mrs. ms. dr. gov. sen. rep. gen. lt. col. capt. sgt. prof. rev. st.
    """.split()
)
_NOT_PLACES = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday i we you he she they it this
    that these those there here the a an and or but if then when while as at by for from
    in into of on to with without about after before during since until over under up down
    out off said says say told tell asked ask added add noted wrote according also however
    meanwhile still yet more most many much some any all each every both either neither
    other another such no not nor so than too very can could may might must shall should
    will would is are was were be been being have has had do does did god allah christmas
    easter ramadan eid news online today tomorrow yesterday tonight morning evening night
    week weekend month year mr mrs ms dr north south east west northern southern eastern
    western central union seven mark
    """.split()
)
_METONYM_VERBS = frozenset(
    """
    said says say told denied denies deny proposed proposes propose accused accuses accuse
    demanded demands demand warned warns warn insisted insists rejected rejects reject
    announced announces claimed claims agreed agrees wants want offered offers called
    calls urged urges hopes hoped refused refuses responded responds insists threatened
    threatens condemned condemns blamed blames recognised recognized recognises recognizes
    believes believed signed signs sent sends imposed imposes sanctioned vowed vows
    promised promises pledged pledges insisted argued asked asks expects expected
    """.split()
)
_METONYM_NOUNS = frozenset(
    """
    proposal proposals demand demands position positions government governments delegation
    delegations negotiator negotiators leadership officials official diplomats diplomat
    statement statements decision decisions offer offers response embassy envoy president
    prime ministry foreign sanctions policy policies leaders leader
    """.split()
)
_DATELINE = re.compile(
    r"\A\s*(?P<places>[A-Z][A-Z .'’\-/]+?(?:,\s*[A-Z][A-Za-z .'’\-]+?)*)"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}))?"
    r"\s*(?:\([^)]{1,40}\))?\s*[-—–]"
)


@dataclass(frozen=True, slots=True)
class Toponym:
    """A recognised place-name span and the local evidence around it."""

    start: int
    end: int
    text: str
    key: str
    kind: ToponymKind
    rows: tuple[int, ...]  # gazetteer rows whose names match ``key``
    qualifier: str | None = None  # "near", "around", "outskirts", "direction", "region"
    container: tuple[int, ...] = ()  # rows of a following ", Y" or "in the Y region"
    sentence_initial: bool = False
    dateline: bool = False
    role_hint: str | None = None  # "metonym", "origin", "demonym"
    country: str | None = None  # demonym's country code


class _Token(NamedTuple):
    start: int
    end: int
    text: str
    lower: str
    cap: bool
    upper: bool
    sentence_initial: bool


class NameIndex:
    """A read-only view of the gazetteer's name keys, loaded once per process.

    Parameters
    ----------
    lookup
        Function from a normalised key to the gazetteer rows that carry it.
    """

    def __init__(
        self,
        lookup: Callable[[str], Sequence[int]],
        kinds: Sequence[str] = (),
        populations: Sequence[int] = (),
        keys: Iterable[str] | None = None,
    ) -> None:
        self._lookup = lookup
        self._kinds = kinds
        self._populations = populations
        self._keys = frozenset(keys) if keys is not None else None

    def has(self, key: str) -> bool:
        """Whether a normalised key names anything (a set lookup when the keys are loaded)."""
        if self._keys is not None:
            return key in self._keys
        return bool(self.rows(key))

    def kind(self, row: int) -> str:
        """Kind of the gazetteer entry at ``row`` ("settlement" when unknown)."""
        return self._kinds[row] if row < len(self._kinds) else "settlement"

    def largest(self, rows: Sequence[int]) -> int:
        """Largest population among ``rows`` (0 when none is known)."""
        return max((self._populations[r] for r in rows if r < len(self._populations)), default=0)

    @functools.lru_cache(maxsize=200_000)  # noqa: B019 - one index per process
    def rows(self, key: str) -> tuple[int, ...]:
        """Gazetteer rows for a normalised key (empty when unknown)."""
        if self._keys is not None and key not in self._keys:
            return ()
        return tuple(self._lookup(key))


@functools.cache
def _default_index() -> NameIndex:
    from geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    kinds = gaz.column("kind").to_pylist()
    populations = [p or 0 for p in gaz.column("population").to_pylist()]
    return NameIndex(gaz.lookup_key, kinds, populations, keys=gaz.keys())


@functools.cache
def demonyms() -> dict[str, str]:
    """Demonym or adjective (casefolded) -> ISO country code, from the bundled table."""
    path = Path(settings.data_dir) / "demonyms.tsv"
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, words = line.partition("\t")
        for word in words.split(","):
            table.setdefault(word.strip().casefold(), code.strip())
    return table


@functools.cache
def _first_names() -> frozenset[str]:
    """Casefolded given names (gender-guesser's dictionary of about 45,000 names)."""
    import gender_guesser.detector as gg

    detector = gg.Detector(case_sensitive=False)
    return frozenset(detector.names)


@functools.cache
def _given_name(word: str) -> bool:
    """Whether a casefolded word is a given name and not an everyday English word."""
    return word in _first_names() and word not in _NOT_PLACES and _common_word(word) < 5.5


@functools.cache
def _common_word(word: str) -> float:
    """Zipf frequency of ``word`` in English text (wordfreq); 0 for unknown words."""
    import wordfreq

    return float(wordfreq.zipf_frequency(word, "en"))


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[_Token]:
    """Words of ``text[start:end]`` with absolute offsets and case flags."""
    tokens: list[_Token] = []
    append = tokens.append
    for match in _WORD.finditer(text, start, len(text) if end is None else end):
        first, last = match.span()
        word = match.group()
        cap = word[0].isupper()
        initial = False
        if cap:  # only capitalised words are ever asked whether they open a sentence
            j = first - 1
            while j >= 0 and text[j] in " \t\"'“”‘’«»([":
                j -= 1
            initial = (
                j < 0
                or text[j] in ".!?\n:;—–•|"
                or (text[j] == "-" and j > 0 and text[j - 1] == " ")
            )
        append(
            _Token(
                first, last, word, word.casefold(), cap, len(word) > 1 and word.isupper(), initial
            )
        )
    return tokens


def _joinable(text: str, left: _Token, right: _Token) -> bool:
    """Whether two tokens are separated only by what a multi-word name may contain."""
    gap = text[left.end : right.start]
    return gap in {" ", "-", "‐", "–", ". ", "."} or (gap == "'" and right.lower in {"s"})


def _dateline_end(text: str) -> int:
    """End offset of a wire dateline ("KYIV, Ukraine, March 29 (Reuters) -"), or 0."""
    match = _DATELINE.match(text[:200])
    return match.end() if match else 0


def find_toponyms(text: str, *, index: NameIndex | None = None) -> list[Toponym]:
    """Recognise place names in ``text``.

    Only runs of capitalised words are looked at (one regular-expression pass); a run whose
    words name nothing in the gazetteer is dropped with a set lookup, and the rules for
    people, admin words and qualifiers run on a small window of words around the rest.

    Parameters
    ----------
    text
        The article text; offsets in the result index into it.
    index
        Name index to look spans up in; defaults to the bundled gazetteer's.

    Returns
    -------
    list of Toponym
        Non-overlapping spans sorted by start offset, including demonyms.
    """
    index = index or _default_index()
    dateline_end = _dateline_end(text)
    runs = [(m.start(), m.end(), m.group()) for m in _RUN.finditer(text)]
    state = _Scan(text, index, dateline_end, demonyms(), _people_in_runs(text, runs))
    for start, end, run in runs:
        if start < state.covered:
            continue
        if start >= dateline_end and not _may_name(text, start, run, index, state):
            continue
        tokens = _tokens(text, max(0, start - _WINDOW_BEFORE), min(len(text), end + _WINDOW_AFTER))
        first = next((k for k, tok in enumerate(tokens) if tok.start >= start), len(tokens))
        stop = next((k for k, tok in enumerate(tokens) if tok.start >= end), len(tokens))
        state.scan(tokens, first, stop)
    found = _coordinated_admin(text, state.found, index)
    found = _with_containers(text, found)
    logger.debug("recognised %d toponyms in %d characters", len(found), len(text))
    return found


_WINDOW_BEFORE = 45
"""Characters before a run in which titles, given names and qualifiers are looked for."""
_WINDOW_AFTER = 30
"""Characters after a run in which admin words, features and verbs are looked for."""


def _fast_key(surface: str) -> str:
    """normalize_name for the common case of plain ASCII words, without Unicode work."""
    if surface.isascii():
        key = surface.lower()
        if "'" in key or "`" in key:
            key = key.replace("'", "").replace("`", "")
        if "-" in key or "_" in key:
            key = " ".join(key.replace("_", " ").replace("-", " ").split())
        return key
    return normalize_name(surface)


def _may_name(text: str, start: int, run: str, index: NameIndex, state: _Scan) -> bool:
    """Whether a capitalised run can hold a name, decided without looking at its context.

    Multi-word runs always go on. A one-word run goes on when it is a demonym, or when it
    names something and is not a known person's surname or an ordinary English word that
    would be dropped anyway (see ``_keep``: common words need a country, a region or a
    city of 50,000 to count).
    """
    if " " in run or "-" in run or "." in run:
        return True
    key = _fast_key(run)
    if key in state.demonyms:
        return True
    if key in _NOT_PLACES or key in state.people or not index.has(key):
        return False
    if run.isupper() or _common_word(key) < 4.0:
        return True
    rows = index.rows(key)
    return _has_area(rows, index) or index.largest(rows) >= 50_000


class _Scan:
    """Recognition state over one text: what was found and how far it reached."""

    def __init__(
        self,
        text: str,
        index: NameIndex,
        dateline_end: int,
        demonym_table: dict[str, str],
        people: set[str],
    ) -> None:
        self.text = text
        self.index = index
        self.dateline_end = dateline_end
        self.demonyms = demonym_table
        self.people = people
        self.found: list[Toponym] = []
        self.covered = 0

    def scan(self, tokens: list[_Token], i: int, stop: int) -> None:
        """Recognise names starting at tokens ``i`` to ``stop`` (one capitalised run)."""
        text, index, n_tokens = self.text, self.index, len(tokens)
        while i < stop:
            tok = tokens[i]
            if not tok.cap or tok.lower in self.people or tok.start < self.covered:
                i += 1
                continue
            in_dateline = tok.end <= self.dateline_end
            match = _longest_match(text, tokens, i, index, dateline=in_dateline)
            country = self.demonyms.get(tok.lower)
            if country is not None and not tok.upper and (match is None or match[0] == i):
                self.found.append(_demonym(tokens, i, country))
                self.covered = tok.end
                i += 1
                continue
            if match is None:
                i += 1
                continue
            j, key, rows = match
            span_start, span_end = tok.start, tokens[j].end
            kind: ToponymKind = "name"
            qualifier: str | None = None
            # Trailing admin words: "the Kyiv region", "Donetsk oblast", "Chernihiv directions".
            if j + 1 < n_tokens and _joinable(text, tokens[j], tokens[j + 1]):
                word = tokens[j + 1].lower
                if word in _ADMIN_WORDS:
                    kind = "direction" if _ADMIN_WORDS[word] == "direction" else "admin"
                    qualifier = "direction" if kind == "direction" else "region"
                    full_key = normalize_name(text[span_start : tokens[j + 1].end])
                    full_rows = index.rows(full_key) if kind == "admin" else ()
                    if full_rows:
                        rows, key = full_rows, full_key
                        span_end = tokens[j + 1].end
                        j += 1
            after = tokens[j + 1] if j + 1 < n_tokens else None
            if (
                after is not None
                and after.lower in _FEATURE_NOUNS
                and _joinable(text, tokens[j], after)
            ):
                self.covered = after.end  # "the Desna river": a feature the gazetteer lacks
                i = j + 2
                continue
            if not _keep(text, tokens, i, j, key, rows, in_dateline, index):
                i = j + 1
                continue
            self.found.append(
                Toponym(
                    start=span_start,
                    end=span_end,
                    text=text[span_start:span_end],
                    key=key,
                    kind=kind,
                    rows=rows,
                    qualifier=qualifier or _near_word(text, tokens, i),
                    sentence_initial=tok.sentence_initial,
                    dateline=in_dateline,
                    role_hint=_role_hint(text, tokens, i, j),
                )
            )
            self.covered = span_end
            i = j + 1


def _people_in_runs(text: str, runs: list[tuple[int, int, str]]) -> set[str]:
    """Surnames of the people an article names ("Vitaliy Kim", "President Zelenskiy").

    In a run of capitalised words, a given name or a title followed by more words makes the
    run's last word a person's name; later mentions of it alone ("Kim said") are people too,
    not places.
    """
    people: set[str] = set()
    table = demonyms()
    for _start, _end, run in runs:
        if " " not in run:
            continue
        for segment in _split_at_connectors(_WORD.findall(run)):
            if len(segment) < 2:
                continue
            last = segment[-1].casefold()
            if last in table or last in _NOT_PLACES or last in _TITLES:
                continue
            for word in segment[:-1]:
                lower = word.casefold()
                if lower.rstrip(".") in _TITLES or (_given_name(lower) and not word.isupper()):
                    people.add(last)
                    break
    return people


def _split_at_connectors(words: list[str]) -> list[list[str]]:
    """Split a run's words where a lowercase connector stands ("Dulles Airport and Moscow")."""
    segments: list[list[str]] = [[]]
    for word in words:
        if word in _CONNECTORS:
            segments.append([])
        else:
            segments[-1].append(word)
    return segments


def _longest_match(
    text: str, tokens: list[_Token], i: int, index: NameIndex, *, dateline: bool
) -> tuple[int, str, tuple[int, ...]] | None:
    """The longest run of tokens from ``i`` whose normalised text is a gazetteer key."""
    last = i
    limit = min(len(tokens), i + MAX_TOKENS)
    while last + 1 < limit and _joinable(text, tokens[last], tokens[last + 1]):
        nxt = tokens[last + 1]
        if not (nxt.cap or nxt.lower in _CONNECTORS or (dateline and nxt.upper)):
            break
        last += 1
    for j in range(last, i - 1, -1):
        if not tokens[j].cap:
            continue
        surface = text[tokens[i].start : tokens[j].end]
        key = _fast_key(surface)
        rows = index.rows(key)
        if rows:
            return j, key, rows
    return None


def _keep(
    text: str,
    tokens: list[_Token],
    i: int,
    j: int,
    key: str,
    rows: tuple[int, ...],
    in_dateline: bool,
    index: NameIndex,
) -> bool:
    """Reject spans that are people, calendar words or ordinary capitalised words."""
    first = tokens[i]
    single = i == j
    if single and first.lower in _NOT_PLACES:
        return False
    if key in _NOT_PLACES:
        return False
    if in_dateline:
        return True
    if single and first.lower.rstrip(".") in _TITLES:
        return False
    if single and first.upper and len(first.text) <= 5 and not _has_area(rows, index):
        return False  # an acronym (NATO, EU, TASS) unless it names a country (UK, USA)
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    prev_joined = prev is not None and _joinable(text, prev, first)
    next_joined = nxt is not None and _joinable(text, tokens[j], nxt)
    # A title before the name: "Governor Vitaliy Kim", "President Zelenskiy".
    k = i - 1
    while k >= 0 and tokens[k].cap and _joinable(text, tokens[k], tokens[k + 1]):
        if tokens[k].lower.rstrip(".") in _TITLES:
            return False
        k -= 1
    if prev is not None and prev_joined and prev.lower.rstrip(".") in _TITLES:
        return False
    # Surname after a given name: "Mark Hertling", "Vitaliy Kim", "Denis Pushilin".
    if prev is not None and prev_joined and prev.cap and single and _given_name(prev.lower):
        return False
    # Given name before a surname: "Vladimir Medinsky", "Irina Vereshchuk".
    if (
        single
        and _given_name(first.lower)
        and next_joined
        and nxt is not None
        and nxt.cap
        and not nxt.upper
        and normalize_name(nxt.text) not in demonyms()
    ):
        return False
    # A lone given name in apposition: "Irina, an engineer, said".
    if single and _given_name(first.lower) and _appositive(text, tokens[j].end):
        return False
    # Ordinary English words: capitalised only because they open a sentence, or a common
    # word capitalised mid-sentence ("War", "Republic") that names only small places.
    if single and not first.upper and _common_word(first.lower) >= 4.0:
        if first.sentence_initial and not _has_area(rows, index):
            after = tokens[i + 1].lower if i + 1 < len(tokens) else ""
            return after in _METONYM_VERBS and index.largest(rows) >= 100_000
        if first.lower in _GENERIC_AREA_WORDS:
            return False  # "Centre", "City", "Capital": admin units named with plain words
        return _has_area(rows, index) or index.largest(rows) >= 50_000
    return True


def _has_area(rows: tuple[int, ...], index: NameIndex, *, admin1: bool = True) -> bool:
    kinds = {"country", "region", "continent", "sea"} | ({"admin1"} if admin1 else set())
    return any(index.kind(r) in kinds for r in rows)


_APPOSITIVE = re.compile(r",\s+(?:an?|the|who|\d{1,3}\b)", re.IGNORECASE)


def _appositive(text: str, end: int) -> bool:
    return _APPOSITIVE.match(text, end) is not None


def _near_word(text: str, tokens: list[_Token], i: int) -> str | None:
    """Spatial qualifier from the few words before token ``i``.

    ``near``/``around``/``outskirts`` ("near X", "the outskirts of X"); ``relative`` for a
    reference point that is not itself the location ("a village east of X", "20 km from X",
    "a suburb of X"); ``destination`` for where people went ("reaching X", "fled to X").
    """
    if i >= 2 and tokens[i - 1].lower in {"of", "from"}:
        before = tokens[i - 2].lower
        if (
            before in _COMPASS
            or before in _DISTANCE_UNITS
            or (before in {"suburb", "outside"} and tokens[i - 1].lower == "of")
        ):
            return "relative"
    if i >= 1 and tokens[i - 1].lower in _ARRIVAL:
        return "destination"
    if (
        i >= 2
        and tokens[i - 1].lower in {"to", "for", "in", "at"}
        and tokens[i - 2].lower in _MOTION
    ):
        return "destination"
    for k in range(i - 1, max(-1, i - 5), -1):
        word = tokens[k].lower
        if word in _NEAR_WORDS:
            if word in {"outskirts", "suburbs", "suburb"} and tokens[k + 1].lower != "of":
                return None
            return _NEAR_WORDS[word]
        if word not in _NEAR_FILLERS:
            return None
    return None


def _role_hint(text: str, tokens: list[_Token], i: int, j: int) -> str | None:
    """A role suggested by the words around the span: metonym or origin."""
    after = text[tokens[j].end : tokens[j].end + 3]
    possessive = after[:2] in {"'s", "’s"}
    nxt = tokens[j + 1] if j + 1 < len(tokens) else None
    if nxt is not None and not possessive and nxt.lower in _EVENT_NOUNS and not nxt.cap:
        return "other"  # "the Istanbul talks": a name for an event, not where something happened
    if nxt is not None and possessive and nxt.lower == "s":
        nxt = tokens[j + 2] if j + 2 < len(tokens) else None
    if nxt is not None:
        gap = text[tokens[j].end : nxt.start]
        if possessive and nxt.lower in _METONYM_NOUNS:
            return "metonym"
        if gap.strip() in {"", "'s", "’s"} and nxt.lower in _METONYM_VERBS and not possessive:
            return "metonym"
    if i > 0:
        prev = tokens[i - 1].lower
        prev2 = tokens[i - 2].lower if i > 1 else ""
        if prev in _ORIGIN_WORDS or (prev == "from" and prev2 in _ORIGIN_WORDS):
            return "origin"
    return None


def _demonym(tokens: list[_Token], i: int, country: str) -> Toponym:
    tok = tokens[i]
    return Toponym(
        start=tok.start,
        end=tok.end,
        text=tok.text,
        key=tok.lower,
        kind="demonym",
        rows=(),
        sentence_initial=tok.sentence_initial,
        role_hint="demonym",
        country=country,
    )


def _coordinated_admin(text: str, found: list[Toponym], index: NameIndex) -> list[Toponym]:
    """Spread a plural admin word back over a coordination.

    In "the Kyiv and Chernihiv directions" or "Donetsk and Luhansk regions" the first name
    carries the same qualifier as the last.
    """
    out = list(found)
    for pos in range(len(out) - 1):
        left, right = out[pos], out[pos + 1]
        if right.kind not in {"admin", "direction"} or left.kind != "name":
            continue
        between = text[left.end : right.start].strip().casefold()
        if between not in {"and", ",", "or", "and the", ", and"}:
            continue
        tail = text[right.end : right.end + 16].casefold()
        plural = (
            right.kind == "direction"
            or right.text.casefold().endswith(("regions", "oblasts"))
            or tail.lstrip().startswith(("regions", "oblasts", "directions", "provinces"))
        )
        if not plural:
            continue
        rows = left.rows
        if right.kind == "admin":
            admin_rows = index.rows(normalize_name(f"{left.text} region"))
            rows = admin_rows or rows
        out[pos] = replace(left, kind=right.kind, rows=rows, qualifier=right.qualifier)
    return out


def _with_containers(text: str, found: list[Toponym]) -> list[Toponym]:
    """Attach "X, Y" and "X in (the) Y (region)" containers as evidence to X."""
    out: list[Toponym] = []
    for pos, top in enumerate(found):
        container: tuple[int, ...] = ()
        if pos + 1 < len(found):
            nxt = found[pos + 1]
            between = text[top.end : nxt.start].casefold()
            if nxt.kind != "demonym" and re.fullmatch(
                r"(?:'s|’s)?\s*(?:,|\bin(?: the)?|\bof(?: the)?|\(|,? (?:in|of) the)\s*", between
            ):
                container = nxt.rows
        out.append(replace(top, container=container))
    return out
