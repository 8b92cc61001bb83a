"""Find place names in article text: spans with character offsets, before resolution.

Recognition looks up capitalised word runs in the gazetteer's name index, longest match
first, and keeps the evidence the resolver needs: the trailing admin word ("the Kyiv
region"), the preposition before the name ("near", "around", "the outskirts of"), a
following "X, Y" container, the dateline, and whether the name is a demonym. Spans that
are people ("Governor Vitaliy Kim", "Irina, an engineer"), months, titles or ordinary
sentence-initial words are dropped here, so the resolver never sees them.
"""

from __future__ import annotations

import array
import functools
import logging
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

import cython
from cython.cimports.libc.math import log10

if cython.compiled:  # for calling tuple's constructor slot directly (see _as_toponym)
    from cython.cimports.cpython.object import PyObject, PyTypeObject
    from cython.cimports.cpython.type import type as c_type

from geo import settings
from geo.gazetteer import normalize_name

logger = logging.getLogger(__name__)

ToponymKind = Literal["name", "admin", "direction", "demonym"]

MAX_TOKENS = 6
"""Longest name, in words, that recognition tries ("Bosnia and Herzegovina" is 3)."""
_MAX_TOKENS = cython.declare(cython.Py_ssize_t, MAX_TOKENS)  # the same, as a C number

_CONNECTOR_WORDS = (
    "of de del della di da do dos das du des la le les los las el al am an upon on sur en y "
    "and the i"
).split()
_CONNECTORS = frozenset(_CONNECTOR_WORDS)
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


class Toponym(NamedTuple):
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


@cython.final
@cython.cclass
class NameIndex:
    """A read-only view of the gazetteer's name keys, loaded once per process.

    Parameters
    ----------
    kinds, populations
        Kind and population of each gazetteer row.
    table
        The name index as flat tables (see :meth:`geo.gazetteer.Gazetteer.key_table`):
        distinct sorted keys, where each key's rows start, and the rows.
    """

    _kinds: tuple[str, ...]
    _populations: tuple[int, ...]
    _keys: tuple[str, ...]
    _starts: cython.int[:]  # typed views of the tables, read without making numbers
    _rows: cython.int[:]
    _found: dict[str, tuple[int, ...]]
    _continuing: set[str]
    _ending: set[str]

    def __init__(
        self,
        kinds: Sequence[str],
        populations: Sequence[int],
        table: tuple[Sequence[str], array.array[int], array.array[int]],
    ) -> None:
        # Tuples, and dictionaries of strings and numbers, leave the garbage collector's
        # rounds once it has seen them: a million-entry list would be walked through at
        # every full collection. Keys are found by bisection, not through a dictionary of
        # every key: hashing a million strings would cost every process a third of a second
        # before its first article, for lookups that are remembered after the first anyway.
        self._kinds = tuple(kinds)
        self._populations = tuple(populations)
        keys, starts, rows = table
        self._starts = starts
        self._rows = rows
        self._keys = tuple(keys)
        self._found = {}  # rows of the keys looked up so far; () for keys naming nothing
        self._continuing = set()  # prefixes ``continues`` answered yes for, and no for
        self._ending = set()

    @cython.ccall
    def has(self, key: str) -> bool:
        """Whether a normalised key names anything."""
        return len(self.rows(key)) > 0

    @cython.ccall
    def kind(self, row: cython.Py_ssize_t) -> str:
        """Kind of the gazetteer entry at ``row``."""
        return self._kinds[row]

    @cython.ccall
    def largest(self, rows: tuple[int, ...]) -> int:
        """Largest population among ``rows`` (0 when none is known)."""
        best: cython.Py_ssize_t = 0
        row: cython.Py_ssize_t
        for row in rows:
            best = max(best, self._populations[row])
        return best

    @cython.ccall
    def rows(self, key: str) -> tuple[int, ...]:
        """Gazetteer rows for a normalised key (empty when unknown)."""
        rows = self._found.get(key)
        if rows is not None:
            return rows
        at: cython.Py_ssize_t = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            first: cython.Py_ssize_t = self._starts[at]
            stop: cython.Py_ssize_t = self._starts[at + 1]
            rows = tuple([self._rows[k] for k in range(first, stop)])
        else:
            rows = ()
        if len(self._found) >= _KEY_MEMORY:
            self._found.clear()  # text can hold any words: forget rather than grow
        self._found[key] = rows
        return rows

    @cython.ccall
    def continues(self, prefix: str) -> bool:
        """Whether some normalised key starts with ``prefix`` (or is ``prefix``)."""
        if prefix in self._continuing:
            return True
        if prefix in self._ending:
            return False
        pos = bisect_left(self._keys, prefix)
        answer = pos < len(self._keys) and self._keys[pos].startswith(prefix)
        if len(self._continuing) + len(self._ending) >= _PREFIX_MEMORY:
            self._continuing.clear()  # text can hold any words: forget rather than grow
            self._ending.clear()
        (self._continuing if answer else self._ending).add(prefix)
        return answer


_PREFIX_MEMORY = 1 << 16
"""How many answers of :meth:`NameIndex.continues` are kept before starting afresh."""

_KEY_MEMORY = 1 << 18
"""How many answers of :meth:`NameIndex.rows`, found or not, are kept before starting afresh."""


@functools.cache
def _default_index() -> NameIndex:
    from geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    kinds = gaz.column("kind").to_pylist()
    populations = [p or 0 for p in gaz.column("population").to_pylist()]
    return NameIndex(kinds, populations, gaz.key_table())


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


@cython.final
@cython.cclass
class _Lexicon:
    """The word lists recognition consults, loaded once per process.

    Demonyms (bundled table), given names (gender-guesser's dictionary of about 45,000)
    and English word frequencies (wordfreq), all as dictionaries of strings, which the
    garbage collector stops walking once it has seen them.
    """

    demonyms: dict[str, str]
    first_names: Mapping[str, None]
    frequencies: dict[str, float]
    zipf: dict[str, object]

    def __init__(self) -> None:
        self.demonyms = demonyms()
        self.first_names = given_names()
        self.frequencies = english_frequencies()
        self.zipf = {}


def english_frequencies() -> dict[str, float]:
    """Every word of wordfreq's English list and its frequency, as dictionary keys.

    What ``wordfreq.get_frequency_dict("en")`` gives, read straight from the package's data
    file: importing wordfreq (language tags, tokenizers) takes longer than reading the
    list, in every process that recognises names. The file is gzipped msgpack: a header,
    then one list of words per centibel of frequency, most frequent first.
    """
    import gzip
    import importlib.util

    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        msg = "wordfreq is not installed; install the package's dependencies"
        raise ModuleNotFoundError(msg)
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    # wordfreq's "best" list: the large one where there is one.
    lists = [data / "large_en.msgpack.gz", data / "small_en.msgpack.gz"]
    path = next((p for p in lists if p.is_file()), lists[-1])
    with gzip.open(path, "rb") as stream:
        header, *buckets = msgpack.load(stream, raw=False)
    if not isinstance(header, dict) or header.get("format") != "cB" or header.get("version") != 1:
        msg = f"{path} is not a wordfreq word list (header {header!r})"
        raise ValueError(msg)
    frequencies: dict[str, float] = {}
    for centibels, bucket in enumerate(buckets):  # a word listed twice keeps its last
        frequencies.update(dict.fromkeys(bucket, 10 ** (-centibels / 100)))
    return frequencies


def given_names() -> dict[str, None]:
    """Every given name (lower case) of gender-guesser's dictionary, as dictionary keys.

    The names ``gender_guesser.detector.Detector(case_sensitive=False).names`` holds, read
    straight from its data file: the detector also parses each name's frequency in 55
    countries, which takes several times longer and is not needed here. A name written
    with ``+`` (a compound) is kept joined, spaced and hyphenated, as the detector does.
    """
    import gender_guesser.detector as gg

    path = Path(gg.__file__).parent / "data" / "nam_dict.txt"
    names: dict[str, None] = {}
    with path.open(encoding="utf-8") as lines:
        for raw in lines:
            line = raw.strip()
            if not line or line[0] in "#=":  # comments and the file's rulers
                continue
            name = line.split(None, 2)[1].lower()
            if "+" in name:
                for joint in ("", " ", "-"):
                    names[name.replace("+", joint)] = None
            else:
                names[name] = None
    return names


@functools.cache
def _lexicon() -> _Lexicon:
    return _Lexicon()


@cython.cfunc
def _given_name(lex: _Lexicon, word: str) -> cython.bint:
    """Whether a casefolded word is a given name and not an everyday English word."""
    return word in lex.first_names and word not in _NOT_PLACES and _common_word(lex, word) < 5.5


@cython.cfunc
def _ascii_lowercase(word: str) -> cython.bint:
    """Whether ``word`` is ASCII letters, all lower case (and not empty)."""
    ch: cython.Py_UCS4
    for ch in word:
        if not ("a" <= ch <= "z"):
            return False
    return len(word) > 0


@cython.cfunc
def _common_word(lex: _Lexicon, word: str) -> cython.double:
    """Zipf frequency of ``word`` in English text (wordfreq); 0 for unknown words."""
    known = lex.zipf.get(word)
    if known is not None:
        return known
    if _ascii_lowercase(word):
        frequency: cython.double = lex.frequencies.get(word, 0.0)
        value = round(log10(frequency) + 9, 2) if frequency > 0 else 0.0  # zipf_frequency's
    else:
        import wordfreq

        value = float(wordfreq.zipf_frequency(word, "en"))
    lex.zipf[word] = value
    return value


_CAP = cython.declare(cython.uchar, 1)
_UPPER = cython.declare(cython.uchar, 2)
_INITIAL = cython.declare(cython.uchar, 4)
_WIDE = cython.declare(cython.uchar, 8)  # a character beyond ASCII
_APOSTROPHE = cython.declare(cython.uchar, 16)  # an apostrophe inside ("O'Brien")


@cython.cfunc
@cython.inline
def _apostrophe(ch: cython.Py_UCS4) -> cython.bint:
    return ch == "'" or ch == "’" or ch == "ʼ" or ch == "`"  # noqa: PLR1714 - a C comparison


@cython.cfunc
@cython.inline
def _letter(ch: cython.Py_UCS4) -> cython.bint:
    """str.isalpha for one character, without a function call for ASCII."""
    if ch < "\x80":
        return ("a" <= ch <= "z") or ("A" <= ch <= "Z")
    return ch.isalpha()


@cython.cfunc
@cython.inline
def _capital(ch: cython.Py_UCS4) -> cython.bint:
    """str.isupper for one character, without a function call for ASCII."""
    if ch < "\x80":
        return "A" <= ch <= "Z"
    return ch.isupper()


@cython.cfunc
@cython.inline
def _alnum(ch: cython.Py_UCS4) -> cython.bint:
    """str.isalnum for one character, without a function call for ASCII."""
    if ch < "\x80":
        return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9")
    return ch.isalnum()


@cython.cfunc
@cython.inline
def _word_char(ch: cython.Py_UCS4) -> cython.bint:
    return _alnum(ch) or ch == "_"


@cython.cfunc
@cython.inline
@cython.boundscheck(False)  # j is checked against 0 before every read
@cython.wraparound(False)
def _opens_sentence(text: str, start: cython.Py_ssize_t) -> cython.bint:
    """Whether the word at ``start`` follows a sentence end (quotes and brackets skipped)."""
    j: cython.Py_ssize_t = start - 1
    ch: cython.Py_UCS4
    while j >= 0:
        ch = text[j]
        if ch not in " \t\"'“”‘’«»([":
            break
        j -= 1
    if j < 0:
        return True
    ch = text[j]
    if ch in ".!?\n:;—–•|":
        return True
    return ch == "-" and j > 0 and text[j - 1] == " "


@cython.cfunc
@cython.boundscheck(False)  # every index below is checked against the length first
@cython.wraparound(False)
def _tokenize(
    text: str,
    starts: cython.int[:],
    ends: cython.int[:],
    flags: cython.uchar[:],
) -> cython.Py_ssize_t:
    """Find the words of ``text`` and store their offsets and flags; return how many.

    One pass over the characters; the tables must have room for every word (a word and
    what follows it take two characters at least, so ``len(text) // 2 + 1`` is enough).
    """
    n: cython.Py_ssize_t = len(text)
    pos: cython.Py_ssize_t = -1
    start: cython.Py_ssize_t = -1  # where the current word started; -1 between words
    resume: cython.Py_ssize_t = 0  # characters before this one are already in a word
    k: cython.Py_ssize_t
    count: cython.Py_ssize_t = 0
    extra: cython.uchar = 0  # _WIDE and _APOSTROPHE of the current word
    ch: cython.Py_UCS4
    for ch in text:
        pos += 1
        if pos < resume:
            continue
        if start >= 0:
            if _letter(ch):
                if ch >= "\x80":
                    extra |= _WIDE
                continue
            if _apostrophe(ch) and _inner_apostrophe(text, pos):
                extra |= _APOSTROPHE | _WIDE if ch >= "\x80" else _APOSTROPHE
                continue
            if "a" <= text[start] <= "z":  # most words: no case flags to find
                flags[count] = extra
            else:
                flags[count] = _word_flags(text, start, pos, extra)
            starts[count] = start
            ends[count] = pos
            count += 1
            start = -1
            continue
        if not _letter(ch):
            continue
        if "A" <= ch <= "Z":  # a dotted acronym, (?:[A-Z]\.){2,}
            k = pos
            while k + 1 < n and "A" <= text[k] <= "Z" and text[k + 1] == ".":
                k += 2
            if k - pos >= 4:
                flags[count] = _word_flags(text, pos, k, 0)
                starts[count] = pos
                ends[count] = k
                count += 1
                resume = k
                continue
        start = pos
        extra = _WIDE if ch >= "\x80" else 0
    if start >= 0:
        flags[count] = _word_flags(text, start, n, extra)
        starts[count] = start
        ends[count] = n
        count += 1
    return count


@cython.cfunc
@cython.inline
@cython.boundscheck(False)  # the caller checked that ``pos`` is inside ``text``
@cython.wraparound(False)
def _inner_apostrophe(text: str, pos: cython.Py_ssize_t) -> cython.bint:
    """Whether the apostrophe at ``pos`` is inside a word ("O'Brien", not "Kyiv's")."""
    n: cython.Py_ssize_t = len(text)
    if pos + 1 >= n or not _letter(text[pos + 1]):
        return False
    after: cython.Py_UCS4 = text[pos + 1]
    if after == "s" or after == "S":  # noqa: PLR1714
        return pos + 2 < n and _word_char(text[pos + 2])  # else a possessive
    return True


@cython.cfunc
@cython.boundscheck(False)  # start < end <= len(text)
@cython.wraparound(False)
def _word_flags(
    text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t, extra: cython.uchar
) -> cython.uchar:
    """Flags of the word ``text[start:end]``: case flags added to ``extra``."""
    ch: cython.Py_UCS4 = text[start]
    if not _capital(ch):
        return extra
    wide: cython.bint = (extra & _WIDE) != 0
    flag: cython.uchar = extra | _CAP
    pos: cython.Py_ssize_t
    if end - start > 1:
        if wide:
            if text[start:end].isupper():
                flag |= _UPPER
        else:
            flag |= _UPPER
            for pos in range(start + 1, end):
                ch = text[pos]
                if "a" <= ch <= "z":
                    flag &= ~_UPPER
                    break
    if _opens_sentence(text, start):
        flag |= _INITIAL
    return flag


_NO_OFFSETS = array.array("i", [0])
_NO_FLAGS = array.array("B", [0])


@cython.final
@cython.cclass
@cython.boundscheck(False)  # word numbers are checked against ``count`` by every caller
@cython.wraparound(False)
class _Words:
    """The words of one text with offsets and case flags, from one pass over its characters.

    A word is a run of letters with inner apostrophes ("O'Brien", but not the possessive
    "'s") or a dotted acronym ("U.S."). Casefolded forms are made when a rule asks.
    """

    text: str
    ascii: cython.bint
    folded: str  # the text in lower case when it is ASCII, else ""
    count: cython.Py_ssize_t
    starts: cython.int[:]
    ends: cython.int[:]
    flags: cython.uchar[:]
    lowers: list[str | None]
    keys: list[str | None]

    def __init__(self, text: str) -> None:
        room = len(text) // 2 + 1  # at least as many as there are words
        self.text = text
        self.starts = _NO_OFFSETS * room
        self.ends = _NO_OFFSETS * room
        self.flags = _NO_FLAGS * room
        count = _tokenize(text, self.starts, self.ends, self.flags)
        self.count = count
        self.lowers = [None] * count
        self.keys = [None] * count
        self.ascii = text.isascii()
        self.folded = text.lower() if self.ascii else ""  # for ASCII, the same offsets

    @cython.cfunc
    def lower(self, k: cython.Py_ssize_t) -> str:
        """Casefolded word ``k``."""
        value = self.lowers[k]
        if value is None:
            if self.ascii:
                value = self.folded[self.starts[k] : self.ends[k]]
            else:
                word = self.text[self.starts[k] : self.ends[k]]
                value = word.lower() if word.isascii() else word.casefold()  # same for ASCII
            self.lowers[k] = value
        return value

    @cython.cfunc
    def key(self, k: cython.Py_ssize_t) -> str:
        """Word ``k`` as a gazetteer key (``_fast_key`` of the word)."""
        value = self.keys[k]
        if value is None:
            if self.wide(k):
                value = normalize_name(self.word(k))
            else:  # letters and inner apostrophes: _fast_key is the casefolded word without them
                value = self.lower(k)
                if self.flags[k] & _APOSTROPHE:
                    value = value.replace("'", "").replace("`", "")
            self.keys[k] = value
        return value

    @cython.cfunc
    def word(self, k: cython.Py_ssize_t) -> str:
        """Word ``k`` as written."""
        return self.text[self.starts[k] : self.ends[k]]

    @cython.cfunc
    @cython.inline
    def cap(self, k: cython.Py_ssize_t) -> cython.bint:
        return (self.flags[k] & _CAP) != 0

    @cython.cfunc
    @cython.inline
    def upper(self, k: cython.Py_ssize_t) -> cython.bint:
        return (self.flags[k] & _UPPER) != 0

    @cython.cfunc
    @cython.inline
    def initial(self, k: cython.Py_ssize_t) -> cython.bint:
        return (self.flags[k] & _INITIAL) != 0

    @cython.cfunc
    @cython.inline
    def wide(self, k: cython.Py_ssize_t) -> cython.bint:
        """Whether word ``k`` has a character beyond ASCII."""
        return (self.flags[k] & _WIDE) != 0

    @cython.cfunc
    def joinable(self, left: cython.Py_ssize_t, right: cython.Py_ssize_t) -> cython.bint:
        """Whether words ``left`` and ``right`` are separated only by what a name may hold."""
        a: cython.Py_ssize_t = self.ends[left]
        b: cython.Py_ssize_t = self.starts[right]
        ch: cython.Py_UCS4
        if b - a == 1:
            ch = self.text[a]
            if ch in " -‐–.":
                return True
            return ch == "'" and self.lower(right) == "s"
        return b - a == 2 and self.text[a] == "." and self.text[a + 1] == " "

    @cython.cfunc
    def gap_is(self, left: cython.Py_ssize_t, right: cython.Py_ssize_t, sep: str) -> cython.bint:
        """Whether the text between words ``left`` and ``right`` is exactly ``sep``."""
        a: cython.Py_ssize_t = self.ends[left]
        b: cython.Py_ssize_t = self.starts[right]
        return b - a == len(sep) and self.text[a:b] == sep


@cython.cfunc
def _run_sep(words: _Words, left: cython.Py_ssize_t, right: cython.Py_ssize_t) -> cython.bint:
    """Whether a single space or hyphen separates words ``left`` and ``right``."""
    a: cython.Py_ssize_t = words.ends[left]
    if words.starts[right] - a != 1:
        return False
    ch: cython.Py_UCS4 = words.text[a]
    return ch == " " or ch == "-"  # noqa: PLR1714


@cython.cfunc
@cython.inline
def _connector(words: _Words, k: cython.Py_ssize_t) -> cython.bint:
    """Whether word ``k`` is one of the lowercase words names contain ("and", "on", "de")."""
    if words.cap(k) or words.ends[k] - words.starts[k] > _LONGEST_CONNECTOR:
        return False
    return words.word(k) in _CONNECTORS


@cython.cfunc
@cython.inline
def _connector_word(words: _Words, k: cython.Py_ssize_t) -> cython.bint:
    """Whether word ``k``, casefolded, is a connector (casefolding never shortens a word)."""
    if words.ends[k] - words.starts[k] > _LONGEST_CONNECTOR:
        return False
    return words.lower(k) in _CONNECTORS


_LONGEST_CONNECTOR = cython.declare(cython.Py_ssize_t, max(len(word) for word in _CONNECTOR_WORDS))


@cython.cfunc
def _abbreviation(words: _Words, k: cython.Py_ssize_t) -> cython.bint:
    """Whether word ``k`` is a capital and up to two small letters before ". " ("St.")."""
    start: cython.Py_ssize_t = words.starts[k]
    end: cython.Py_ssize_t = words.ends[k]
    if end - start > 3 or k + 1 >= words.count or not words.gap_is(k, k + 1, ". "):
        return False
    text = words.text
    pos: cython.Py_ssize_t
    for pos in range(start + 1, end):  # noqa: SIM110 - a C loop when compiled
        if not text[pos].islower():
            return False
    return True


@cython.cfunc
def _runs(words: _Words) -> list[int]:
    """Runs of capitalised words, with the connectors names contain: first, last, first, ...

    "Bosnia and Herzegovina", "Rostov-on-Don" and "St. Petersburg" are one run each; a run
    does not start right after a letter, a digit or an apostrophe. Recognition looks only
    at these.
    """
    runs: list[int] = []  # first and last word of each run, one after the other
    text = words.text
    count: cython.Py_ssize_t = words.count
    k: cython.Py_ssize_t = 0
    last: cython.Py_ssize_t
    nxt: cython.Py_ssize_t
    start: cython.Py_ssize_t
    ch: cython.Py_UCS4
    while k < count:
        if not words.cap(k):
            k += 1
            continue
        start = words.starts[k]
        if start > 0:
            ch = text[start - 1]
            if _alnum(ch) or _apostrophe(ch):
                k += 1
                continue
        last = k
        while last + 1 < count:
            nxt = last + 1
            if (
                words.cap(nxt)
                and _abbreviation(words, last)
                and words.text[words.starts[nxt] - 1] == " "
            ):
                last = nxt
                continue
            if not _run_sep(words, last, nxt):
                break
            while nxt < count and _connector(words, nxt):
                if nxt + 1 >= count or not _run_sep(words, nxt, nxt + 1):
                    nxt = count
                    break
                nxt += 1
            if nxt >= count or not words.cap(nxt):
                break
            last = nxt
        runs.append(k)
        runs.append(last)
        k = last + 1
    return runs


def find_toponyms(text: str, *, index: NameIndex | None = None) -> list[Toponym]:
    """Recognise place names in ``text``.

    Only runs of capitalised words are looked at (one pass over the characters); a run
    whose words name nothing in the gazetteer is dropped with a set lookup, and the rules
    for people, admin words and qualifiers run on the few words around the rest.

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
    words: _Words = _Words(text)
    runs = _runs(words)
    lex: _Lexicon = _lexicon()
    state: _Scan = _Scan(words, index, dateline_end, lex, _people_in_runs(words, runs, lex))
    r: cython.Py_ssize_t
    first: cython.Py_ssize_t
    last: cython.Py_ssize_t
    start: cython.Py_ssize_t
    for r in range(0, len(runs), 2):
        first, last = runs[r], runs[r + 1]
        start = words.starts[first]
        if start < state.covered:
            continue
        if start >= dateline_end and not _may_name(words, first, last, index, state):
            continue
        state.scan(first, last + 1)
    found = _coordinated_admin(text, state.found, index)
    found = _with_containers(text, found)
    logger.debug("recognised %d toponyms in %d characters", len(found), len(text))
    return found


def _dateline_end(text: str) -> int:
    """End offset of a wire dateline ("KYIV, Ukraine, March 29 (Reuters) -"), or 0."""
    if not _may_open_dateline(text):
        return 0
    match = _DATELINE.match(text[:200])
    return match.end() if match else 0


@cython.cfunc
def _may_open_dateline(text: str) -> cython.bint:
    """Whether ``_DATELINE`` can match: after spaces, a capital and one of its place characters."""
    n: cython.Py_ssize_t = min(len(text), 200)
    pos: cython.Py_ssize_t = 0
    while pos < n and text[pos].isspace():
        pos += 1
    if pos + 1 >= n or not ("A" <= text[pos] <= "Z"):
        return False
    ch: cython.Py_UCS4 = text[pos + 1]
    return ("A" <= ch <= "Z") or ch in " .'’-/"


@cython.cfunc
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


@cython.cfunc
def _may_name(
    words: _Words, first: cython.Py_ssize_t, last: cython.Py_ssize_t, index: NameIndex, state: _Scan
) -> cython.bint:
    """Whether a capitalised run can hold a name, decided without looking at its context.

    Multi-word runs always go on. A one-word run goes on when it is a demonym, or when it
    names something and is not a known person's surname or an ordinary English word that
    would be dropped anyway (see ``_keep``: common words need a country, a region or a
    city of 50,000 to count).
    """
    if last > first:
        return True
    if words.text[words.ends[first] - 1] == ".":
        return True  # a dotted acronym, the only words with a "."
    key = words.key(first)
    if key in state.lex.demonyms:
        return True
    if key in _NOT_PLACES or key in state.people or not index.has(key):
        return False
    # The word is capitalised, so one letter alone is upper case.
    single_letter: cython.bint = words.ends[first] - words.starts[first] == 1
    if words.upper(first) or single_letter or _common_word(state.lex, key) < 4.0:
        return True
    rows = index.rows(key)
    return _has_area(rows, index) or index.largest(rows) >= 50_000


@cython.final
@cython.cclass
class _Scan:
    """Recognition state over one text: what was found and how far it reached."""

    words: _Words
    index: NameIndex
    dateline_end: cython.Py_ssize_t
    lex: _Lexicon
    people: set[str]
    found: list[Toponym]
    covered: cython.Py_ssize_t
    key: str  # key and rows of the last match ``longest_match`` found
    rows: tuple[int, ...]

    def __init__(
        self,
        words: _Words,
        index: NameIndex,
        dateline_end: int,
        lex: _Lexicon,
        people: set[str],
    ) -> None:
        self.words = words
        self.index = index
        self.dateline_end = dateline_end
        self.lex = lex
        self.people = people
        self.found = []
        self.covered = 0
        self.key = ""
        self.rows = ()

    @cython.cfunc
    def longest_match(self, i: cython.Py_ssize_t, dateline: cython.bint) -> cython.Py_ssize_t:
        """Last word of the longest run of words from ``i`` whose key names something.

        -1 when there is none; otherwise the run's key and rows are left in ``key`` and
        ``rows``.
        """
        words, index = self.words, self.index
        last: cython.Py_ssize_t = _name_end(words, i, dateline)
        j: cython.Py_ssize_t
        if last == i:  # most names are one word: no list of keys to make
            if words.cap(i):
                rows = index.rows(words.key(i))
                if rows:
                    self.key, self.rows = words.key(i), rows
                    return i
            return -1
        # Spans of plain ASCII words have keys made word by word (see ``_joined_keys``): a
        # span that no key starts with ends the search before a string is made for a longer one.
        keys = _joined_keys(words, i, last, index)
        if len(keys) == last - i + 1 or not words.wide(i + len(keys)):
            last = i + len(keys) - 1
        for j in range(last, i - 1, -1):
            if not words.cap(j):
                continue
            if j - i < len(keys):
                key = keys[j - i]
            else:
                key = _fast_key(words.text[words.starts[i] : words.ends[j]])
            rows = index.rows(key)
            if rows:
                self.key, self.rows = key, rows
                return j
        return -1

    @cython.cfunc
    def scan(self, i: cython.Py_ssize_t, stop: cython.Py_ssize_t) -> None:
        """Recognise names starting at words ``i`` to ``stop`` (one capitalised run)."""
        words, text, index = self.words, self.words.text, self.index
        n_words: cython.Py_ssize_t = words.count
        j: cython.Py_ssize_t
        span_start: cython.Py_ssize_t
        span_end: cython.Py_ssize_t
        while i < stop:
            if not words.cap(i) or words.starts[i] < self.covered or words.lower(i) in self.people:
                i += 1
                continue
            in_dateline = words.ends[i] <= self.dateline_end
            j = self.longest_match(i, in_dateline)
            country = self.lex.demonyms.get(words.lower(i))
            if country is not None and not words.upper(i) and j <= i:
                self.found.append(_demonym(words, i, country))
                self.covered = words.ends[i]
                i += 1
                continue
            if j < 0:
                i += 1
                continue
            key, rows = self.key, self.rows
            span_start, span_end = words.starts[i], words.ends[j]
            kind: ToponymKind = "name"
            qualifier: str | None = None
            # Trailing admin words: "the Kyiv region", "Donetsk oblast", "Chernihiv directions".
            if j + 1 < n_words and words.joinable(j, j + 1):
                word = words.lower(j + 1)
                if word in _ADMIN_WORDS:
                    kind = "direction" if _ADMIN_WORDS[word] == "direction" else "admin"
                    qualifier = "direction" if kind == "direction" else "region"
                    if kind == "admin":  # joinable words: _fast_key is normalize_name here
                        full_key = _fast_key(text[span_start : words.ends[j + 1]])
                        full_rows = index.rows(full_key)
                        if full_rows:
                            rows, key = full_rows, full_key
                            span_end = words.ends[j + 1]
                            j += 1
            if (
                j + 1 < n_words
                and words.lower(j + 1) in _FEATURE_NOUNS
                and words.joinable(j, j + 1)
            ):
                self.covered = words.ends[j + 1]  # "the Desna river": a feature we lack
                i = j + 2
                continue
            if not _keep(words, i, j, key, rows, in_dateline, index, self.lex):
                i = j + 1
                continue
            self.found.append(
                _toponym(
                    span_start,
                    span_end,
                    text[span_start:span_end],
                    key,
                    kind,
                    rows,
                    qualifier or _near_word(words, i),
                    words.initial(i),
                    in_dateline,
                    _role_hint(words, i, j),
                )
            )
            self.covered = span_end
            i = j + 1


@cython.cfunc
def _people_in_runs(words: _Words, runs: list[int], lex: _Lexicon) -> set[str]:
    """Surnames of the people an article names ("Vitaliy Kim", "President Zelenskiy").

    In a run of capitalised words, a given name or a title followed by more words makes the
    run's last word a person's name; later mentions of it alone ("Kim said") are people too,
    not places.
    """
    people: set[str] = set()
    table = lex.demonyms
    first: cython.Py_ssize_t
    last: cython.Py_ssize_t
    k: cython.Py_ssize_t
    r: cython.Py_ssize_t
    segment: cython.Py_ssize_t  # first word of the words since the last connector
    m: cython.Py_ssize_t
    for r in range(0, len(runs), 2):
        first, last = runs[r], runs[r + 1]
        if last == first or not _has_space(words.text, words.starts[first], words.ends[last]):
            continue
        segment = first
        for k in range(first, last + 2):
            if k <= last and not _connector(words, k):
                continue
            if k - segment >= 2:
                surname = words.lower(k - 1)
                if surname not in table and surname not in _NOT_PLACES and surname not in _TITLES:
                    for m in range(segment, k - 1):
                        lower = words.lower(m)
                        if _title(lower) or (
                            _given_name(lex, lower) and not words.word(m).isupper()
                        ):
                            people.add(surname)
                            break
            segment = k + 1
    return people


@cython.cfunc
def _has_space(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether ``text[start:end]`` holds a space."""
    pos: cython.Py_ssize_t
    for pos in range(start, end):  # noqa: SIM110 - a C loop when compiled
        if text[pos] == " ":
            return True
    return False


@cython.cfunc
def _name_end(words: _Words, i: cython.Py_ssize_t, dateline: cython.bint) -> cython.Py_ssize_t:
    """Last word a name starting at word ``i`` can reach: capitalised words and connectors."""
    last: cython.Py_ssize_t = i
    limit: cython.Py_ssize_t = min(words.count, i + _MAX_TOKENS)
    while last + 1 < limit and words.joinable(last, last + 1):
        if not (
            words.cap(last + 1)
            or _connector_word(words, last + 1)
            or (dateline and words.upper(last + 1))
        ):
            break
        last += 1
    return last


@cython.cfunc
def _joined_keys(
    words: _Words, i: cython.Py_ssize_t, last: cython.Py_ssize_t, index: NameIndex
) -> list[str]:
    """Keys of the spans from word ``i`` to ``i``, ``i + 1``, ... that some key starts with.

    Stops at the first span no key of ``index`` starts with, at word ``last``, or before a
    word with a character beyond ASCII. For ASCII words joined as ``joinable`` allows,
    ``_fast_key`` and ``normalize_name`` of the span are the words' keys joined by their
    separators' keys ("-" and " " as one space, "." and ". " as they are, and the "'"
    before an "s" dropped), so the keys are made without slicing the text.
    """
    keys: list[str] = []
    if words.wide(i):
        return keys
    key = words.key(i)
    keys.append(key)
    j: cython.Py_ssize_t
    for j in range(i + 1, last + 1):
        if words.wide(j):
            break
        key = key + _separator_key(words, j - 1, j) + words.key(j)
        if not index.continues(key):
            break
        keys.append(key)
    return keys


@cython.cfunc
def _separator_key(words: _Words, left: cython.Py_ssize_t, right: cython.Py_ssize_t) -> str:
    """What the joinable gap between words ``left`` and ``right`` becomes in a key."""
    a: cython.Py_ssize_t = words.ends[left]
    if words.starts[right] - a == 2:
        return ". "
    ch: cython.Py_UCS4 = words.text[a]
    if ch == ".":
        return "."
    if ch == "'":
        return ""
    return " "


@cython.cfunc
def _keep(
    words: _Words,
    i: cython.Py_ssize_t,
    j: cython.Py_ssize_t,
    key: str,
    rows: tuple[int, ...],
    in_dateline: cython.bint,
    index: NameIndex,
    lex: _Lexicon,
) -> cython.bint:
    """Reject spans that are people, calendar words or ordinary capitalised words."""
    single: cython.bint = i == j
    first = words.lower(i)
    if single and first in _NOT_PLACES:
        return False
    if key in _NOT_PLACES:
        return False
    if in_dateline:
        return True
    if single and _title(first):
        return False
    upper: cython.bint = words.upper(i)
    if single and upper and words.ends[i] - words.starts[i] <= 5 and not _has_area(rows, index):
        return False  # an acronym (NATO, EU, TASS) unless it names a country (UK, USA)
    has_prev: cython.bint = i > 0
    has_next: cython.bint = j + 1 < words.count
    prev_joined: cython.bint = has_prev and words.joinable(i - 1, i)
    next_joined: cython.bint = has_next and words.joinable(j, j + 1)
    # A title before the name: "Governor Vitaliy Kim", "President Zelenskiy".
    k: cython.Py_ssize_t = i - 1
    while k >= 0 and words.cap(k) and words.joinable(k, k + 1):
        if _title(words.lower(k)):
            return False
        k -= 1
    if prev_joined and _title(words.lower(i - 1)):
        return False
    # Surname after a given name: "Mark Hertling", "Vitaliy Kim", "Denis Pushilin".
    if prev_joined and single and words.cap(i - 1) and _given_name(lex, words.lower(i - 1)):
        return False
    # Given name before a surname: "Vladimir Medinsky", "Irina Vereshchuk".
    if (
        single
        and next_joined
        and words.cap(j + 1)
        and not words.upper(j + 1)
        and _given_name(lex, first)
        and words.key(j + 1) not in lex.demonyms
    ):
        return False
    # A lone given name in apposition: "Irina, an engineer, said".
    if (
        single
        and _given_name(lex, first)
        and _APPOSITIVE.match(words.text, words.ends[j]) is not None
    ):
        return False
    # Ordinary English words: capitalised only because they open a sentence, or a common
    # word capitalised mid-sentence ("War", "Republic") that names only small places.
    if single and not upper and _common_word(lex, first) >= 4.0:
        if words.initial(i) and not _has_area(rows, index):
            after = words.lower(i + 1) if has_next else ""
            return after in _METONYM_VERBS and index.largest(rows) >= 100_000
        if first in _GENERIC_AREA_WORDS:
            return False  # "Centre", "City", "Capital": admin units named with plain words
        return _has_area(rows, index) or index.largest(rows) >= 50_000
    return True


@cython.cfunc
def _title(word: str) -> cython.bint:
    """Whether a casefolded word, without trailing dots, is a title ("gen.", "president")."""
    if len(word) > 0 and word[len(word) - 1] == ".":  # a C test, unlike str.endswith
        word = word.rstrip(".")
    return word in _TITLES


_AREA_KINDS = frozenset({"country", "region", "continent", "sea", "admin1"})


@cython.cfunc
def _has_area(rows: tuple[int, ...], index: NameIndex) -> cython.bint:
    """Whether any of ``rows`` is a country, region, continent, sea or admin1 unit."""
    row: cython.Py_ssize_t
    for row in rows:  # noqa: SIM110 - a C loop when compiled
        if index.kind(row) in _AREA_KINDS:
            return True
    return False


_APPOSITIVE = re.compile(r",\s+(?:an?|the|who|\d{1,3}\b)", re.IGNORECASE)


@cython.cfunc
def _near_word(words: _Words, i: cython.Py_ssize_t) -> str | None:
    """Spatial qualifier from the few words before word ``i``.

    ``near``/``around``/``outskirts`` ("near X", "the outskirts of X"); ``relative`` for a
    reference point that is not itself the location ("a village east of X", "20 km from X",
    "a suburb of X"); ``destination`` for where people went ("reaching X", "fled to X").
    """
    if i == 0:
        return None
    prev = words.lower(i - 1)
    if i >= 2 and (prev == "of" or prev == "from"):  # noqa: PLR1714
        before = words.lower(i - 2)
        if (
            before in _COMPASS
            or before in _DISTANCE_UNITS
            or (prev == "of" and (before == "suburb" or before == "outside"))  # noqa: PLR1714
        ):
            return "relative"
    if prev in _ARRIVAL:
        return "destination"
    if i >= 2 and prev in _DESTINATION_PREPOSITIONS and words.lower(i - 2) in _MOTION:
        return "destination"
    k: cython.Py_ssize_t
    for k in range(i - 1, max(-1, i - 5), -1):
        word = words.lower(k)
        if word in _NEAR_WORDS:
            if word in _SURROUNDINGS and words.lower(k + 1) != "of":
                return None
            return _NEAR_WORDS[word]
        if word not in _NEAR_FILLERS:
            return None
    return None


_DESTINATION_PREPOSITIONS = frozenset({"to", "for", "in", "at"})
_SURROUNDINGS = frozenset({"outskirts", "suburbs", "suburb"})


@cython.cfunc
def _role_hint(words: _Words, i: cython.Py_ssize_t, j: cython.Py_ssize_t) -> str | None:
    """A role suggested by the words around the span: metonym or origin."""
    text = words.text
    end: cython.Py_ssize_t = words.ends[j]
    after = text[end : end + 2]
    possessive: cython.bint = after == "'s" or after == "’s"  # noqa: PLR1714
    nxt: cython.Py_ssize_t = j + 1 if j + 1 < words.count else -1
    if nxt >= 0 and not possessive and not words.cap(nxt) and words.lower(nxt) in _EVENT_NOUNS:
        return "other"  # "the Istanbul talks": a name for an event, not where something happened
    if nxt >= 0 and possessive and words.lower(nxt) == "s":
        nxt = j + 2 if j + 2 < words.count else -1
    if nxt >= 0:
        if possessive and words.lower(nxt) in _METONYM_NOUNS:
            return "metonym"
        if not possessive and words.lower(nxt) in _METONYM_VERBS:
            gap = text[end : words.starts[nxt]].strip()
            if gap in {"", "'s", "’s"}:
                return "metonym"
    if i > 0:
        prev = words.lower(i - 1)
        if prev in _ORIGIN_WORDS or (
            prev == "from" and i > 1 and words.lower(i - 2) in _ORIGIN_WORDS
        ):
            return "origin"
    return None


_START = cython.declare(cython.Py_ssize_t, 0)  # positions of Toponym's fields
_END = cython.declare(cython.Py_ssize_t, 1)
_TEXT = cython.declare(cython.Py_ssize_t, 2)
_KIND = cython.declare(cython.Py_ssize_t, 4)
_ROWS = cython.declare(cython.Py_ssize_t, 5)
_QUALIFIER = cython.declare(cython.Py_ssize_t, 6)

_new_tuple = tuple.__new__
"""Makes a Toponym from its fields in order, without the keyword handling of its class."""


@cython.cfunc
def _as_toponym(fields: tuple) -> Toponym:
    """A Toponym of ``fields`` in order, made without the keyword handling of its class.

    Compiled, tuple's constructor slot is called directly: what ``tuple.__new__(Toponym,
    fields)`` ends in, without the method call's argument tuples and checks around it (one
    Toponym is made per name found).
    """
    if cython.compiled:
        args = (fields,)  # held here while the slot reads it
        new = cython.cast(cython.pointer(PyTypeObject), tuple).tp_new
        packed = cython.cast(cython.pointer(PyObject), args)
        return new(cython.cast(c_type, Toponym), packed, cython.NULL)
    return _new_tuple(Toponym, fields)


@cython.cfunc
def _toponym(
    start: int,
    end: int,
    text: str,
    key: str,
    kind: str,
    rows: tuple[int, ...],
    qualifier: str | None,
    sentence_initial: bool,
    dateline: bool,
    role_hint: str | None,
    country: str | None = None,
) -> Toponym:
    """A Toponym made without the keyword handling of its constructor (no container yet)."""
    return _as_toponym(
        (start, end, text, key, kind, rows, qualifier, (), sentence_initial, dateline,
         role_hint, country),
    )  # fmt: skip


@cython.cfunc
def _demonym(words: _Words, i: cython.Py_ssize_t, country: str) -> Toponym:
    start: cython.Py_ssize_t = words.starts[i]
    end: cython.Py_ssize_t = words.ends[i]
    text = words.text[start:end]
    key = words.lower(i)
    return _toponym(start, end, text, key, "demonym", (), None, words.initial(i), False,
                    "demonym", country)  # fmt: skip


def _coordinated_admin(text: str, found: list[Toponym], index: NameIndex) -> list[Toponym]:
    """Spread a plural admin word back over a coordination.

    In "the Kyiv and Chernihiv directions" or "Donetsk and Luhansk regions" the first name
    carries the same qualifier as the last.
    """
    out = list(found)
    pos: cython.Py_ssize_t
    for pos in range(len(out) - 1):
        # Fields by position: a NamedTuple's attributes are slow to reach from C.
        left: tuple = cython.cast(tuple, out[pos])
        right: tuple = cython.cast(tuple, out[pos + 1])
        right_kind: str = right[_KIND]
        if (right_kind != "admin" and right_kind != "direction") or left[_KIND] != "name":  # noqa: PLR1714
            continue
        left_text: str = left[_TEXT]
        right_end: cython.Py_ssize_t = right[_END]
        between = text[left[_END] : right[_START]].strip().casefold()
        if between not in {"and", ",", "or", "and the", ", and"}:
            continue
        tail = text[right_end : right_end + 16].casefold()
        plural = (
            right_kind == "direction"
            or right[_TEXT].casefold().endswith(("regions", "oblasts"))
            or tail.lstrip().startswith(("regions", "oblasts", "directions", "provinces"))
        )
        if not plural:
            continue
        rows = left[_ROWS]
        if right_kind == "admin":  # joinable words: _fast_key is normalize_name here
            admin_rows = index.rows(_fast_key(f"{left_text} region"))
            rows = admin_rows or rows
        out[pos] = out[pos]._replace(kind=right_kind, rows=rows, qualifier=right[_QUALIFIER])
    return out


def _with_containers(text: str, found: list[Toponym]) -> list[Toponym]:
    """Attach "X, Y" and "X in (the) Y (region)" containers as evidence to X."""
    out: list[Toponym] = []
    pos: cython.Py_ssize_t
    count: cython.Py_ssize_t = len(found)
    for pos in range(count):
        top = found[pos]
        if pos + 1 < count:
            here: tuple = cython.cast(tuple, top)
            nxt: tuple = cython.cast(tuple, found[pos + 1])
            end: cython.Py_ssize_t = here[_END]
            start: cython.Py_ssize_t = nxt[_START]
            if (
                nxt[_KIND] != "demonym"
                and _may_contain(text, end, start)
                and _contained(text, end, start)
            ):
                fields = (*here[:7], nxt[_ROWS], *here[8:])
                top = _as_toponym(fields)
        out.append(top)
    return out


@cython.cfunc
def _may_contain(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether ``text[start:end]`` can be what ``_CONTAINED`` matches: a quick filter.

    After an optional "'s" and spaces, it must start with one of ", i o (" and hold at
    most eight characters between its first and last non-space ones (", of the").
    """
    if start + 2 <= end and text[start + 1] in "sS" and _apostrophe(text[start]):
        start += 2
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end or end - start > 8:
        return False
    return text[start] in ",iIoO("


@cython.cfunc
def _contained(text: str, start: cython.Py_ssize_t, end: cython.Py_ssize_t) -> cython.bint:
    """Whether ``_CONTAINED`` matches all of ``text[start:end]``, remembered by gap.

    What the pattern finds there depends only on those characters and the one before
    (for its word boundaries), so the answer is kept under that string.
    """
    gap = text[start - 1 : end]
    known = _CONTAINED_GAPS.get(gap)
    if known is None:
        known = _CONTAINED.fullmatch(text, start, end) is not None
        if len(_CONTAINED_GAPS) >= _PREFIX_MEMORY:
            _CONTAINED_GAPS.clear()
        _CONTAINED_GAPS[gap] = known
    return known


_CONTAINED_GAPS: dict[str, bool] = {}
"""What ``_contained`` found, by the gap and the character before it."""

_CONTAINED = re.compile(
    r"(?:'s|’s)?\s*(?:,|\bin(?: the)?|\bof(?: the)?|\(|,? (?:in|of) the)\s*", re.IGNORECASE
)
"""What stands between a place and its container: ", ", " in the ", " of ", " (", ...."""
