"""Casualty and displacement figures from English news text, by hand-written rules.

Stage: sentence -> :class:`~geo.types.Figure` (killed, injured, missing, displaced, trapped,
held, affected), each with the range its qualifier implies (see :mod:`geo.numbers`), the
people it counts, and the attribution and hedge of its sentence kept verbatim.

How a figure is found, for every amount :func:`geo.numbers.match_quantity` reads:

1. The amount is dropped when its context says it is not a count of people: money
   ("$500 million", "€2bn", "500 million dollars"), dates ("March 29", "29 March", "in 2014",
   "the 15th"), times ("10:30"), percentages, units ("20 km", "1,200 square kilometres", "for
   30 days"), compound modifiers ("a 15-year consultation period", "the nine-story building",
   "a 10-year-old"), labels ("Article 5", "World War Two", "MiG-29"), populations and crowds
   ("a city of 400,000", "home to 1.5 million people", "numbered some 400,000 people",
   "a crowd of 5,000"), and counts of things ("three humanitarian corridors", "12 tanks"):
   after the amount, only a word for people, a word for an outcome or a function word may
   follow. Amounts above ``max_count`` (100 million) are dropped as absurd.
2. The kind comes from, in order: a noun that is itself the outcome ("5,000 deaths", "the
   bodies", "refugees"); an outcome right after the count ("12 killed", "with 22 wounded");
   a verb whose object is the count ("killing at least seven", "the bodies of 50", "the death
   toll rose to 12"); an outcome after auxiliaries, a place and an "including ..." aside
   ("almost 5,000 residents, among them some 200 children, have died", "civilians in the
   coastal city continue to be trapped"); finally a count joined by "and" to the
   figure before it inherits that figure's kind ("killed 12 civilians and three soldiers").
3. A count shared by two outcomes ("thousands have been killed or injured") is a combined
   casualty count; :data:`~geo.types.FigureKind` has no kind for it, so it is not returned.
4. A bare count joined by "and" to a qualified one inherits the qualifier: "at least 12
   people were killed and 33 injured" gives at least 33 injured.
5. Attribution: the nearest "according to ...", or "<speaker> said/told X/reported ..." in the
   sentence, preferring one before the figure. Hedge: the nearest of "which cannot be
   verified", "could not be independently verified", "Reuters could not verify",
   "unconfirmed", "reportedly", "allegedly", "claimed", "may have" ... in the sentence.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from array import array
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import cython

from geo._errors import InputError
from geo.cues import matches_at
from geo.numbers import (
    AMOUNT_STARTERS,
    HYPHENS,
    NUMBER_WORDS,
    TokenColumns,
    match_amount,
    number_positions,
    phrase_at,
    tokenize_columns,
)
from geo.sentences import split_sentences
from geo.types import Figure, FigureKind, Qualifier

__all__ = [
    "FIGURE_PARSERS",
    "MAX_COUNT",
    "STRATEGY",
    "FigureParser",
    "extract_figures",
]

logger = logging.getLogger(__name__)

STRATEGY = "figures.rules.v1"
"""Name under which this rule set is registered and recorded on every figure."""

MAX_COUNT = 100_000_000
"""Counts above this are not casualty figures (cap against absurd or mis-read values)."""

# --- vocabulary ------------------------------------------------------------------------------

_KIND_WORDS: dict[str, FigureKind] = {
    **dict.fromkeys(
        ["killed", "dead", "died", "perished", "slain", "murdered", "executed"], "killed"
    ),
    **dict.fromkeys(
        ["injured", "wounded", "hurt", "hospitalised", "hospitalized", "maimed"], "injured"
    ),
    **dict.fromkeys(["missing", "disappeared"], "missing"),
    **dict.fromkeys(
        ["displaced", "fled", "fleeing", "evacuated", "deported", "relocated", "uprooted"],
        "displaced",
    ),
    **dict.fromkeys(["trapped", "stranded"], "trapped"),
    **dict.fromkeys(
        ["held", "detained", "captured", "imprisoned", "abducted", "kidnapped", "arrested",
         "jailed"],
        "held",
    ),
    "affected": "affected",
}  # fmt: skip
"""Single words naming what happened to the people counted before them."""

_KIND_PHRASES: dict[tuple[str, ...], FigureKind] = {
    ("lost", "their", "lives"): "killed",
    ("lost", "his", "life"): "killed",
    ("lost", "her", "life"): "killed",
    ("lost", "lives"): "killed",
    ("unaccounted", "for"): "missing",
    ("gone", "missing"): "missing",
    ("went", "missing"): "missing",
    ("sought", "medical", "help"): "injured",
    ("sought", "medical", "attention"): "injured",
    ("sought", "medical", "treatment"): "injured",
    ("needed", "medical", "treatment"): "injured",
    ("needed", "hospital", "treatment"): "injured",
    ("forced", "to", "flee"): "displaced",
    ("left", "their", "homes"): "displaced",
    ("fled", "their", "homes"): "displaced",
    ("taken", "prisoner"): "held",
    ("taken", "captive"): "held",
    ("taken", "hostage"): "held",
    ("taken", "into", "custody"): "held",
    ("without", "power"): "affected",
    ("without", "electricity"): "affected",
    ("without", "water"): "affected",
    ("without", "heating"): "affected",
    ("without", "heat"): "affected",
    ("without", "gas"): "affected",
    ("without", "shelter"): "affected",
}
_KIND_PHRASE_LENGTHS = sorted({len(key) for key in _KIND_PHRASES}, reverse=True)
_KIND_PHRASE_FIRST = frozenset(key[0] for key in _KIND_PHRASES)

_NOUN_KINDS: dict[str, tuple[FigureKind, str | None]] = {
    "deaths": ("killed", None),
    "death": ("killed", None),
    "fatalities": ("killed", None),
    "bodies": ("killed", None),
    "corpses": ("killed", None),
    "graves": ("killed", None),
    "dead": ("killed", None),
    "injuries": ("injured", None),
    "refugees": ("displaced", "refugees"),
    "evacuees": ("displaced", "evacuees"),
    "idps": ("displaced", "people"),
    "hostages": ("held", "hostages"),
    "captives": ("held", "prisoners"),
}
"""Nouns that are the count and the outcome at once ("5,000 deaths", "3 million refugees")."""

_LEFT_VERBS: dict[str, FigureKind] = {
    **dict.fromkeys(
        ["killed", "killing", "kills", "kill", "executed", "executing", "murdered", "murdering",
         "slaughtered"],
        "killed",
    ),
    **dict.fromkeys(
        ["injured", "injuring", "injures", "injure", "wounded", "wounding", "wounds", "wound",
         "hurt", "hurting", "hospitalising", "hospitalizing"],
        "injured",
    ),
    **dict.fromkeys(
        ["displaced", "displacing", "displaces", "evacuated", "evacuating", "evacuate",
         "deported", "deporting"],
        "displaced",
    ),
    **dict.fromkeys(["trapped", "trapping", "traps"], "trapped"),
    **dict.fromkeys(
        ["detained", "detaining", "detain", "captured", "capturing", "capture", "holding",
         "abducted", "abducting", "kidnapped", "kidnapping", "arrested", "arresting"],
        "held",
    ),
    **dict.fromkeys(["affected", "affecting", "affects"], "affected"),
}  # fmt: skip
"""Verbs whose object is the count ("killed 12 people", "killing at least seven")."""

_OF_NOUNS: dict[str, FigureKind] = {
    "bodies": "killed",
    "remains": "killed",
    "deaths": "killed",
    "death": "killed",
    "killing": "killed",
    "killings": "killed",
    "murder": "killed",
    "lives": "killed",
    "evacuation": "displaced",
    "displacement": "displaced",
    "detention": "held",
    "capture": "held",
}
"""Nouns taking the count after "of" ("the bodies of 50", "claimed the lives of 12")."""

_TOLL_LINKS = frozenset(
    {
        "rose", "risen", "rising", "has", "had", "have", "climbed", "climbing", "reached",
        "reaching", "stood", "stands", "stand", "is", "was", "now", "to", "at", "of", "hit",
        "jumped", "increased", "grew", "grown", "so", "far", "mounted", "officially", "passed",
        "surpassed", "exceeded", "topped", "already", "up", ",",
    }
)  # fmt: skip
_TOLL_VERBS = frozenset(
    {
        "rose", "risen", "climbed", "reached", "stood", "stands", "hit", "jumped", "increased",
        "grew", "grown", "mounted", "passed", "surpassed", "exceeded", "topped",
    }
)  # fmt: skip
_CLAUSE_STOPS = frozenset({".", ";", ":", "?", "!", "(", ")"})
_TOLL_KINDS: dict[str, FigureKind] = {
    "death": "killed",
    "civilian": "killed",
    "fatality": "killed",
    "injury": "injured",
}

_VICTIMS: dict[str, str] = {
    **dict.fromkeys(["people", "persons", "person", "individuals", "others", "victims"],
                    "people"),
    **dict.fromkeys(["civilians", "civilian", "noncombatants", "non-combatants"], "civilians"),
    **dict.fromkeys(["children", "child", "kids", "minors", "babies", "baby", "infants",
                     "boys", "boy", "girls", "girl", "teenagers", "teens"], "children"),
    **dict.fromkeys(["women", "woman"], "women"),
    **dict.fromkeys(["men", "man"], "men"),
    **dict.fromkeys(["soldiers", "soldier", "troops", "servicemen", "serviceman",
                     "servicewomen", "personnel", "marines", "paratroopers", "conscripts",
                     "guardsmen", "defenders", "sailors", "pilots", "crew", "crewmen"],
                    "soldiers"),
    **dict.fromkeys(["fighters", "militants", "rebels", "separatists", "combatants",
                     "mercenaries", "militiamen", "insurgents"], "fighters"),
    **dict.fromkeys(["police", "policemen", "policeman", "officers", "guards"], "police"),
    **dict.fromkeys(["prisoners", "prisoner", "detainees", "pows", "inmates"], "prisoners"),
    **dict.fromkeys(["residents", "resident", "inhabitants", "villagers", "locals",
                     "citizens", "townspeople", "families"], "residents"),
    **dict.fromkeys(["journalists", "journalist", "reporters", "reporter"], "journalists"),
    **dict.fromkeys(["medics", "doctors", "nurses", "paramedics", "rescuers", "firefighters",
                     "volunteers", "aid", "workers", "employees", "staff", "passengers",
                     "patients", "students", "pupils", "pensioners", "elderly", "migrants",
                     "ukrainians", "russians", "foreigners", "nationals", "diplomats",
                     "peacekeepers", "miners", "farmers", "teachers"], "people"),
}  # fmt: skip
"""People nouns and the victim group each is filed under."""

_KEEP_VICTIM_NOUN = frozenset(
    {"medics", "doctors", "nurses", "paramedics", "rescuers", "firefighters", "volunteers",
     "workers", "employees", "passengers", "patients", "students", "pupils", "pensioners",
     "migrants", "ukrainians", "russians", "foreigners", "diplomats", "peacekeepers"}
)  # fmt: skip

_VICTIM_ADJECTIVES: dict[str, str] = {
    "civilian": "civilians",
    "military": "soldiers",
    "child": "children",
    "police": "police",
}
_ADJECTIVES = frozenset(
    {
        "more", "other", "additional", "further", "innocent", "unarmed", "local", "elderly",
        "young", "old", "foreign", "ukrainian", "russian", "armed", "enemy",
        "civilian", "military", "service", "aid", "medical",
        "rescue", "emergency", "mostly", "mainly", "separate", "total", "new", "unidentified",
        "unnamed", "pro-russian", "ethnic", "small", "female", "male",
    }
)  # fmt: skip

_AUX = frozenset(
    {
        "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
        "will", "would", "may", "might", "could", "can", "should", "must", "also", "all",
        "already", "now", "so", "far", "still", "reported", "believed", "thought", "feared",
        "presumed", "confirmed", "known", "estimated", "said", "to", "continue", "continued",
        "continues", "remain", "remained", "remains", "who", "that", "which", "both", "more",
        "since", "then", "just", "later", "yet", "get", "got", "gotten", "left", "each",
        "either", "ever", "reportedly", "allegedly", "apparently", "possibly",
        "probably", "likely", "officially", "there", "seem", "seemed", "appear", "appeared",
        "considered", "listed", "registered", "recorded", "counted", "they", "of", "them",
        "these", "those", "whom", "in", "total",
    }
)  # fmt: skip
"""Words that may stand between a count and its outcome ("have reportedly been killed")."""

_PREPOSITIONS = frozenset(
    {"in", "at", "near", "from", "across", "inside", "around", "on", "throughout", "within",
     "outside", "of", "among", "during", "under", "along", "by", "after"}
)  # fmt: skip
_ASIDE_OPENERS = frozenset({"including", "among", "most", "many", "mostly", "mainly", "some"})
_FUNCTION_WORDS = _AUX | _PREPOSITIONS | frozenset(
    {"and", "or", "but", "while", "as", "when", "with", "for", "so", "because", "if", "than",
     "this", "last", "overnight", "yesterday", "today", "on", "over", "amid", "despite",
     "people", "where", "had", "not", "no"}
)  # fmt: skip
"""Words that may follow a count without naming what is counted."""

_MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
     "sept", "oct", "nov", "dec"}
)  # fmt: skip
_CURRENCY_SYMBOLS = frozenset("$€£¥₴₽")
_CURRENCY_WORDS = frozenset({"usd", "eur", "gbp", "uah", "rub", "us", "hrv"})
_PERCENT = frozenset({"%", "percent", "per", "pct", "percentage"})
_TIME_WORDS = frozenset({"am", "pm", "gmt", "utc", "hrs", "cet", "cest", "eet", "eest", "msk"})
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_UNIT_AFTER = _PERCENT | _MONTHS | _TIME_WORDS | _ORDINAL_SUFFIXES
"""Words after a number that make it a percentage, a date, a time or an ordinal."""
_LABEL_BEFORE = frozenset(
    {
        "article", "no", "number", "resolution", "flight", "route", "highway", "chapter",
        "section", "paragraph", "war", "platform", "gate", "level", "phase", "category",
        "grade", "page", "item", "step", "stage", "round", "unit", "zone", "block", "room",
        "street", "minus", "plus", "score", "vote", "votes", "channel", "code", "model", "type",
        "version", "aged", "age", "ages", "numbered", "numbering", "population", "populations",
        "ward", "district", "brigade", "battalion", "regiment", "division", "corps", "group",
        "g", "covid", "windows", "apollo", "boeing", "airbus", "tu", "su", "mig", "s", "tor",
    }
)  # fmt: skip
"""Words before a number that make it a label, an age or a population, not a count."""

_PLACE_OF = frozenset(
    {
        "city", "town", "village", "country", "nation", "region", "population", "crowd",
        "crowds", "capacity", "army", "force", "forces", "contingent", "community",
        "settlement", "municipality", "port", "metropolis", "audience", "age", "ages",
        "oblast", "district", "province", "state", "island", "capital", "suburb", "hub",
        "gathering", "rally", "protest", "march", "demonstration", "group", "convoy", "fleet",
        "budget", "package", "sum", "total",
    }
)  # fmt: skip
"""Nouns X in "X of 400,000" (a city of, a crowd of): the number is not a casualty count."""

_POPULATION_WORDS = frozenset({"population", "populated", "pre-war", "prewar", "inhabited"})

_SPEECH_VERBS = frozenset(
    {
        "said", "says", "say", "told", "tells", "reported", "reports", "report", "claimed",
        "claims", "claim", "stated", "states", "announced", "announces", "estimated",
        "estimates", "added", "adds", "wrote", "writes", "tweeted", "confirmed", "confirms",
        "declared", "insisted", "noted", "warned", "posted", "informed", "show", "shows",
        "showed",
    }
)  # fmt: skip
_SUBJECT_STOPS = frozenset(
    {
        "that", "which", "who", "and", "but", "while", "as", "when", "where", "after",
        "before", "because", "if", "so", "since", "though", "although", "whereas", "than",
        "it", "its", "with", "said", "says", "told", "according",
    }
)  # fmt: skip
_ADDRESSEE_NOUNS = frozenset(
    {"reporters", "journalists", "the", "a", "news", "agency", "media", "parliament",
     "television", "tv", "radio", "lawmakers", "broadcaster", "state", "national", "local"}
)  # fmt: skip
_ATTRIBUTION_TRIGGERS = _SPEECH_VERBS | {"according"}
"""Words at which an attribution is read: "according to ...", "<speaker> said ..."."""
_ATTRIBUTION_STOPS = frozenset(
    {"which", "that", "who", "but", "while", "as", "when", "after", "because", "so", "whereas",
     "although", "though", "and", "or"}
)  # fmt: skip

_HEDGE_ALTERNATIVES = (
    r"(?:\b(?:[A-Z][\w.’'&-]*\s+){1,3}(?:could|can|did|has|have)\s*(?:not|n['’]t)\s+"
    r"(?:yet\s+)?(?:independently\s+|immediately\s+)?(?:verify|confirm)\b)",
    r"(?:\b(?:(?:which|that)\s+)?(?:cannot|can\s+not|could\s+not|couldn['’]t|can['’]t)\s+"
    r"(?:yet\s+)?(?:be\s+)?(?:independently\s+|immediately\s+)?(?:verified|confirmed)\b)",
    r"(?:\b(?:has|have|had)\s+not\s+been\s+(?:independently\s+)?(?:verified|confirmed)\b)",
    r"(?:\bnot\s+(?:been\s+)?independently\s+(?:verified|confirmed)\b)",
    r"(?:\b(?:reportedly|allegedly|purportedly|unconfirmed|unverified|claimed|claims|"
    r"may\s+have|might\s+have|could\s+have|could\s+be|may\s+be)\b)",
)
_HEDGE_RE = re.compile("|".join(_HEDGE_ALTERNATIVES), re.IGNORECASE)
_HEDGE_WORDS = (b"verif", b"confirm", b"reportedly", b"allegedly", b"purportedly", b"claim",
                b"may ", b"might ", b"could ")  # fmt: skip
"""Every match of ``_HEDGE_RE`` contains one of these in :func:`_word_bytes` form ("may have"
and "could be" have a space after the verb there; "could not" is followed by "verified")."""
_NOT = (b"not", b"n t")  # "not", "cannot", "n't"
_HEDGE_NEEDS: tuple[tuple[tuple[bytes, ...], ...], ...] = (
    ((b"verify ", b"confirm "), _NOT),
    ((b"verified", b"confirmed"), _NOT),
    ((b"verified", b"confirmed"), _NOT),
    ((b"verified", b"confirmed"), _NOT),
    ((b"reportedly", b"allegedly", b"purportedly", b"unconfirmed", b"unverified", b"claimed",
      b"claims", b"may ", b"might ", b"could "),),
)  # fmt: skip
"""For each of ``_HEDGE_ALTERNATIVES``: groups of words, one of each group being in every
match in :func:`_word_bytes` form with a space appended ("verify" and "confirm" end the
first alternative at a word boundary, so a space follows them there)."""


_HEDGE_STARTS = re.compile(
    b"which|that|can|could|has|have|had|not|reportedly|allegedly|purportedly|unconfirmed"
    b"|unverified|claim|may|might"
)
"""Where a match of every alternative of ``_HEDGE_RE`` but the first starts, in
:func:`_word_bytes` form: at its first word ("which", "can", "has", "not", "claimed" ...).
Each alternative starts at a word boundary, so none starts inside a word found here."""


@functools.cache
def _hedge_pattern(possible: tuple[bool, ...]) -> re.Pattern[str]:
    """``_HEDGE_RE`` without the alternatives that cannot match (the same matches, faster)."""
    if all(possible):
        return _HEDGE_RE
    chosen = [pattern for pattern, keep in zip(_HEDGE_ALTERNATIVES, possible, strict=True) if keep]
    return re.compile("|".join(chosen), re.IGNORECASE)


# --- sentences that cannot hold a figure ----------------------------------------------------

_SINGLE_CUES = frozenset(
    word.encode() for word in (*_KIND_WORDS, *_NOUN_KINDS, *_LEFT_VERBS, *_OF_NOUNS, "toll")
)
_PHRASE_CUES = tuple(frozenset(word.encode() for word in phrase) for phrase in _KIND_PHRASES)
_CUE_WORDS = _SINGLE_CUES | {max(phrase, key=len).encode() for phrase in _KIND_PHRASES}
"""Words of which every figure's sentence has at least one (as a token, lower-cased).

A figure's kind comes from an outcome word or phrase, a noun that is the outcome, a verb or
noun before the count, a "toll", or the figure before it in the same sentence (which had
one of these itself). A phrase is present only if all its words are: one word of each
phrase stands for it here, and a sentence with only such words needs all of a phrase's.
"""
_NUMBER_WORD_BYTES = frozenset(word.encode() for word in NUMBER_WORDS)
_WORD_BYTES = bytes(
    byte | 0x20 if chr(byte).isascii() and chr(byte).isalpha()
    else ord("\t") if chr(byte).isdigit() and byte < 0x80
    else ord(" ")
    for byte in range(256)
)  # fmt: skip
"""Translation of ASCII bytes: letters lower-cased, digits to tabs, everything else to spaces."""


def _word_bytes(text: str) -> bytes:
    """Return one byte per character of ``text`` that keeps only what the sentence filter reads.

    ASCII letters are lower-cased, digits become tabs and every other character a space, so
    ``_word_bytes(text)[start:end].split()`` holds every token of ``text[start:end]`` that
    lower-cases to an ASCII word, and a tab in it means a number written in digits. (The
    Kelvin sign is the one non-ASCII character that lower-cases to an ASCII letter.) The four
    non-ASCII letters that a case-insensitive pattern matches to an ASCII letter ("İ", "ı",
    "ſ" and the Kelvin sign) become that letter, so every word the hedge pattern matches is
    there too.
    """
    return _ascii_bytes(text).translate(_WORD_BYTES)


def _ascii_bytes(text: str) -> bytes:
    """``text`` as ASCII, one byte a character (see :func:`_word_bytes`).

    The letters of ``_ASCII_CASE_FOLDS`` are folded, every other non-ASCII character is a
    question mark.
    """
    if not text.isascii():
        for letter, ascii_letter in _ASCII_CASE_FOLDS:
            text = text.replace(letter, ascii_letter)
    return text.encode("ascii", "replace")


_ASCII_CASE_FOLDS = (("\u212a", "k"), ("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))
"""Non-ASCII letters that ``re.IGNORECASE`` matches to an ASCII letter, and that letter."""


def _may_hold_figure(words: bytes) -> bool:
    """Whether a sentence (its slice of :func:`_word_bytes`) has an outcome word and a number.

    Every figure needs both, so a sentence without them is skipped before it is tokenized.
    """
    found = words.split()
    if _CUE_WORDS.isdisjoint(found):
        return False
    if words.find(b"\t") < 0 and _NUMBER_WORD_BYTES.isdisjoint(found):
        return False
    if _SINGLE_CUES.isdisjoint(found):  # only phrase words: all words of one phrase
        present = set(found)
        return any(phrase <= present for phrase in _PHRASE_CUES)
    return True


def _sentence_flags(text: str, words: bytes, start: int, end: int) -> int:
    """What the filter reads in ``text[start:end]``: 0 when the sentence cannot hold a figure.

    ``words`` is ``_word_bytes(text)``, compiled ``_ascii_bytes(text)``. Plain Python, a
    sentence that passes :func:`_may_hold_figure` has every flag that matters set (its
    hedges are looked for). Compiled, the flags say which of the filter's words the sentence
    has (see :func:`_scan_words`): :data:`_HEDGE` only if it has a word some hedge needs.
    """
    if cython.compiled:
        flags: cython.longlong = _scan_words(words, start, end, None)
        if not flags & _CUE or not flags & (_DIGIT | _NUMBER_WORD):
            return 0
        if flags & _SINGLE_CUE or _has_phrase(flags):
            return flags
        return 0
    return _CUE | _HEDGE if _may_hold_figure(words[start:end]) else 0


# The same test compiled, reading the bytes: each word of :func:`_word_bytes` form (a run of
# ASCII letters, lower-cased) is read as a number, its letters being base-27 digits 1..26,
# and looked up in an open-addressed table of the filter's words and their flags.

_CUE = cython.declare(cython.longlong, 1)  # one of _CUE_WORDS
_SINGLE_CUE = cython.declare(cython.longlong, 2)  # one of _SINGLE_CUES
_NUMBER_WORD = cython.declare(cython.longlong, 4)  # one of _NUMBER_WORD_BYTES
_DIGIT = cython.declare(cython.longlong, 8)  # an ASCII digit (a tab in _word_bytes form)
_HEDGE_VERIFY = cython.declare(cython.longlong, 16)  # "verify" or "confirm"
_HEDGE_VERIFIED = cython.declare(cython.longlong, 32)  # "verified" or "confirmed"
_HEDGE_WORD = cython.declare(cython.longlong, 64)  # "reportedly", "claimed", "may" ...
_HEDGE_START = cython.declare(cython.longlong, 128)  # a word a hedge may start at
_HEDGE = cython.declare(cython.longlong, 16 | 32 | 64)  # a word some hedge needs
_PHRASE_SHIFT = cython.declare(cython.int, 8)
"""A phrase word's number (:data:`_PHRASE_WORDS`) is in its flags from this bit on."""
_PHRASE_ID_MASK = cython.declare(cython.longlong, 63)  # the number, once shifted down
_BIGRAM_SHIFT = 14
"""Bit of the first pair of phrase words (:data:`_BIGRAMS`) in a sentence's flags."""
_KEY_LETTERS = cython.declare(cython.Py_ssize_t, 13)
"""Longest word a key holds (27 ** 13 < 2 ** 63); no word of the filter is longer."""

_HEDGE_KEY_WORDS: tuple[tuple[frozenset[bytes], int], ...] = (
    (frozenset({b"verify", b"confirm"}), _HEDGE_VERIFY),
    (frozenset({b"verified", b"confirmed"}), _HEDGE_VERIFIED),
    (frozenset({b"reportedly", b"allegedly", b"purportedly", b"unconfirmed", b"unverified",
                b"claimed", b"claims", b"may", b"might", b"could"}), _HEDGE_WORD),
    (frozenset({b"which", b"that", b"cannot", b"can", b"could", b"couldn", b"has", b"have",
                b"had", b"not", b"reportedly", b"allegedly", b"purportedly", b"unconfirmed",
                b"unverified", b"claimed", b"claims", b"may", b"might"}), _HEDGE_START),
)  # fmt: skip
"""Words of :func:`_word_bytes` form that matches of ``_HEDGE_RE`` hold, and their flags.

A match of the first of ``_HEDGE_ALTERNATIVES`` has "verify" or "confirm" as a word, of the
next three "verified" or "confirmed", of the last one of the words flagged ``_HEDGE_WORD``:
each ends the alternative after white space and before a word boundary, or stands between
word boundaries ("may" before white space), so the characters around it are not letters.
A match of any alternative but the first starts at a word flagged ``_HEDGE_START``
("which", "can" in "can't", "couldn" in "couldn't", "has", "not", "claimed" ...).
"""
_PHRASE_WORDS = tuple(sorted({word.encode() for phrase in _KIND_PHRASES for word in phrase}))
"""The words of the outcome phrases, numbered from 1 in their flags (0: not a phrase word)."""
_PHRASE_IDS = cython.declare(cython.Py_ssize_t, len(_PHRASE_WORDS) + 1)
_BIGRAMS = tuple(
    sorted({(phrase[k].encode(), phrase[k + 1].encode()) for phrase in _KIND_PHRASES
            for k in range(len(phrase) - 1)})
)  # fmt: skip
"""The pairs of words that follow each other in an outcome phrase, each with its own bit.

A phrase is found only in tokens that follow each other, with nothing but white space
between them: there its words are words that follow each other in :func:`_word_bytes`
form, whatever stands between them there (a token that is a word lower-casing to a phrase
word is a whole word in that form, and every character but white space is in a token).
"""


def _phrase_id(word: bytes) -> int:
    """The number of a phrase word, shifted to its place in the flags."""
    return (_PHRASE_WORDS.index(word) + 1) << _PHRASE_SHIFT


def _bigram_table() -> array[int]:
    """The bit of each pair of phrase word numbers, 0 for a pair in no phrase."""
    table = array("q", bytes(8 * _PHRASE_IDS * _PHRASE_IDS))
    for k, (first, second) in enumerate(_BIGRAMS):
        index = (_PHRASE_WORDS.index(first) + 1) * _PHRASE_IDS + _PHRASE_WORDS.index(second) + 1
        table[index] = 1 << (_BIGRAM_SHIFT + k)
    return table


def _phrase_mask(phrase: tuple[str, ...]) -> int:
    """The bits of the pairs of words of ``phrase``."""
    mask = 0
    for k in range(len(phrase) - 1):
        mask |= 1 << (_BIGRAM_SHIFT + _BIGRAMS.index((phrase[k].encode(), phrase[k + 1].encode())))
    return mask


_BIGRAM_BITS = cython.declare(cython.longlong[:], _bigram_table())
_PHRASE_MASK_TABLE = array("q", [_phrase_mask(phrase) for phrase in _KIND_PHRASES])
_PHRASE_MASKS = cython.declare(cython.longlong[:], _PHRASE_MASK_TABLE)
"""For each outcome phrase, the bits of all its pairs of words (:data:`_BIGRAMS`)."""


@cython.cfunc
@cython.boundscheck(False)  # k stays within the table
@cython.wraparound(False)
def _has_phrase(flags: cython.longlong) -> cython.bint:
    """Whether ``flags`` has the bits of every pair of words of one outcome phrase."""
    k: cython.Py_ssize_t
    mask: cython.longlong
    for k in range(len(_PHRASE_MASKS)):
        mask = _PHRASE_MASKS[k]
        if flags & mask == mask:
            return True
    return False


def _word_key(word: bytes) -> int:
    """A lower-case ASCII word as a number, its letters read as base-27 digits 1..26."""
    key = 0
    for byte in word:
        key = key * 27 + byte - 96
    return key


def _filter_table() -> tuple[array[int], array[int]]:
    """The keys of the filter's words, sorted, and the flags of each."""
    flags: dict[int, int] = {}
    groups: list[tuple[frozenset[bytes] | tuple[bytes, ...], int]] = [
        (_CUE_WORDS, _CUE),
        (_SINGLE_CUES, _SINGLE_CUE),
        (_NUMBER_WORD_BYTES, _NUMBER_WORD),
        *_HEDGE_KEY_WORDS,
    ]
    groups += [((word,), _phrase_id(word)) for word in _PHRASE_WORDS]
    for words, flag in groups:
        for word in words:
            key = _word_key(word)
            flags[key] = flags.get(key, 0) | flag
    keys = sorted(flags)
    return array("q", keys), array("q", [flags[key] for key in keys])


_FILTER_KEYS, _FILTER_FLAGS = _filter_table()
_SLOT_BITS = cython.declare(cython.int, 10)
"""The table has ``2 ** _SLOT_BITS`` slots, about four to each of the filter's words."""
_GOLDEN = cython.declare(cython.ulonglong, 0x9E3779B97F4A7C15)  # 2**64 / the golden ratio


@cython.cfunc
@cython.inline
def _key_slot(key: cython.longlong) -> cython.Py_ssize_t:
    """The slot of the table where looking for ``key`` begins."""
    if cython.compiled:  # unsigned C arithmetic wraps around at 2**64
        return (cython.cast(cython.ulonglong, key) * _GOLDEN) >> (64 - _SLOT_BITS)
    return (key * _GOLDEN) % 2**64 >> (64 - _SLOT_BITS)


def _slot_table(keys: array[int], flags: array[int]) -> tuple[array[int], array[int]]:
    """``keys`` and their ``flags`` in an open-addressed table (a key of 0 marks a free slot).

    A key is in the first free slot from its own on (after the last slot comes the first).
    """
    size = 1 << _SLOT_BITS
    slot_keys = array("q", bytes(8 * size))
    slot_flags = array("q", bytes(8 * size))
    for key, flag in zip(keys, flags, strict=True):
        slot = _key_slot(key)
        while slot_keys[slot]:
            slot = (slot + 1) % size
        slot_keys[slot] = key
        slot_flags[slot] = flag
    return slot_keys, slot_flags


_SLOT_TABLE = _slot_table(_FILTER_KEYS, _FILTER_FLAGS)
_SLOT_KEYS = cython.declare(cython.longlong[:], _SLOT_TABLE[0])
_SLOT_FLAGS = cython.declare(cython.longlong[:], _SLOT_TABLE[1])


@cython.cfunc
@cython.boundscheck(False)  # the slot stays within the table
@cython.wraparound(False)
def _key_flags(key: cython.longlong) -> cython.longlong:
    """The flags of the word with this key (positive), 0 when it is not one of the filter's."""
    slot: cython.Py_ssize_t = _key_slot(key)
    mask: cython.Py_ssize_t = len(_SLOT_KEYS) - 1
    while _SLOT_KEYS[slot] != key:
        if _SLOT_KEYS[slot] == 0:
            return 0  # most words: the first slot looked at is free
        slot = (slot + 1) & mask
    return _SLOT_FLAGS[slot]


@cython.cfunc
@cython.boundscheck(False)  # start <= pos < end <= len(ascii_text)
@cython.wraparound(False)
def _scan_words(
    ascii_text: bytes,
    start: cython.Py_ssize_t,
    end: cython.Py_ssize_t,
    hedge_starts: list[int] | None,
) -> cython.longlong:
    """The flags of the filter's words in ``ascii_text[start:end]``, _DIGIT if it has a digit.

    ``ascii_text`` is :func:`_ascii_bytes` of the text: its words are read in
    :func:`_word_bytes` form, translating each byte as it is read. With ``hedge_starts``,
    where each word flagged ``_HEDGE_START`` begins is added to it, as an offset from
    ``start``.
    """
    translation: bytes = _WORD_BYTES  # held here while it is read through a pointer
    data: cython.p_uchar
    table: cython.p_uchar
    if cython.compiled:
        data = cython.cast(cython.p_uchar, ascii_text)
        table = cython.cast(cython.p_uchar, translation)
    else:
        data, table = ascii_text, translation
    flags: cython.longlong = 0
    found: cython.longlong
    previous: cython.Py_ssize_t = 0  # the phrase word number of the word before
    key: cython.ulonglong = 0  # wraps around in a word too long for a key: then unused
    length: cython.Py_ssize_t = 0
    pos: cython.Py_ssize_t
    byte: cython.uchar
    for pos in range(start, end):
        byte = table[data[pos]]
        if byte > 32:  # a letter
            key = key * 27 + (byte - 96)
            length += 1
            continue
        if length:
            found = _word_found(key, length, pos - length - start, previous, hedge_starts)
            flags |= found
            previous = (found >> _PHRASE_SHIFT) & _PHRASE_ID_MASK
            key = 0
            length = 0
        if byte == 9:  # a digit
            flags |= _DIGIT
    if length:
        flags |= _word_found(key, length, end - length - start, previous, hedge_starts)
    return flags


@cython.cfunc
@cython.inline
def _word_found(
    key: cython.ulonglong,
    length: cython.Py_ssize_t,
    offset: cython.Py_ssize_t,
    previous: cython.Py_ssize_t,
    hedge_starts: list[int] | None,
) -> cython.longlong:
    """The flags of one word read by :func:`_scan_words`, noting it if it may start a hedge.

    With the bit of the pair of phrase words it ends, after the word numbered ``previous``.
    """
    if length > _KEY_LETTERS:
        return 0
    found: cython.longlong = _key_flags(cython.cast(cython.longlong, key))
    if found & _HEDGE_START and hedge_starts is not None:
        hedge_starts.append(offset)
    current: cython.Py_ssize_t = (found >> _PHRASE_SHIFT) & _PHRASE_ID_MASK
    if current and previous:
        found |= _BIGRAM_BITS[previous * _PHRASE_IDS + current]
    return found


class FigureParser(Protocol):
    """A figure extraction strategy: article text (and optional sentence spans) in, figures out."""

    def __call__(
        self, text: str, *, sentences: Sequence[tuple[int, int]] | None = None
    ) -> list[Figure]:
        """Extract figures from ``text``; offsets of the figures are into ``text``."""
        ...


@cython.final
@cython.cclass
class _Kind:
    """What happened to the people counted, and the tokens that say it."""

    kind: FigureKind
    start: cython.Py_ssize_t  # token index where the figure's phrase starts
    end: cython.Py_ssize_t  # token index after the figure's phrase
    distance: cython.Py_ssize_t  # tokens skipped between the count and its outcome (0 = adjacent)

    def __init__(
        self,
        kind: FigureKind,
        start: cython.Py_ssize_t,
        end: cython.Py_ssize_t,
        distance: cython.Py_ssize_t,
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.distance = distance


@cython.final
@cython.cclass
class _Found:
    """One figure of a sentence, its positions as token indices."""

    kind: FigureKind
    low: int | None  # the amount's range, as in its Quantity
    best: int | None
    high: int | None
    qualifier: Qualifier
    victims: str
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t

    def __init__(
        self,
        kind: FigureKind,
        amount: tuple[int | None, int | None, int | None, Qualifier],
        victims: str,
        start: cython.Py_ssize_t,
        end: cython.Py_ssize_t,
    ) -> None:
        self.kind = kind
        self.low, self.best, self.high, self.qualifier = amount
        self.victims = victims
        self.start = start
        self.end = end


# --- context tests ---------------------------------------------------------------------------
#
# The rules read one sentence's tokens as the parallel lists of :class:`TokenColumns`:
# ``texts`` (as written), ``lowers`` (lower-cased), ``starts`` and ``ends`` (offsets).


@cython.cfunc
@cython.inline
def _lower(lowers: list[str], i: cython.Py_ssize_t) -> str:
    """Token ``i`` lower-cased, or ``""`` outside the sentence."""
    return lowers[i] if 0 <= i < len(lowers) else ""


@cython.cfunc
@cython.inline
def _glued(starts: list[int], ends: list[int], i: cython.Py_ssize_t) -> cython.bint:
    """Whether token ``i`` starts where token ``i - 1`` ends (:func:`geo.numbers.adjacent`)."""
    return 0 < i < len(starts) and ends[i - 1] == starts[i]


@cython.cfunc
@cython.inline
def _first_is(word: str, test: cython.int) -> cython.bint:
    """``word[:1].isalpha()`` (test 0), ``.isalnum()`` (1), ``.isdigit()`` (2), ``.isupper()``."""
    if len(word) == 0:
        return False
    ch: cython.Py_UCS4 = word[0]
    if test == _ALPHA:
        return ch.isalpha()
    if test == _ALNUM:
        return ch.isalnum()
    if test == _DIGITS:
        return ch.isdigit()
    return ch.isupper()


_ALPHA = cython.declare(cython.int, 0)
_ALNUM = cython.declare(cython.int, 1)
_DIGITS = cython.declare(cython.int, 2)
_UPPER = cython.declare(cython.int, 3)


@cython.cfunc
def _not_a_count(
    texts: list[str],
    lowers: list[str],
    starts: list[int],
    ends: list[int],
    start: cython.Py_ssize_t,
    value_start: cython.Py_ssize_t,
    end: cython.Py_ssize_t,
) -> cython.bint:
    """Whether the amount at ``[start, end)`` is money, a date, a label, a unit or a population."""
    n: cython.Py_ssize_t = len(lowers)
    before: str = lowers[start - 1] if start > 0 else ""
    after: str = lowers[end] if end < n else ""
    glued_after: cython.bint = end < n and ends[end - 1] == starts[end]
    k: cython.Py_ssize_t

    # glued to letters: MiG-29, F16, Covid-19, 20km, 15th, 16s ("3.9-million" is read by the
    # number parser: a token glued to the value inside the amount is part of it)
    if value_start - 1 < start and _glued(starts, ends, value_start):
        previous: str = texts[value_start - 1]
        if _first_is(previous, _ALPHA) or (
            previous in HYPHENS
            and _glued(starts, ends, value_start - 1)
            and _first_is(texts[value_start - 2], _ALNUM)
        ):
            return True
    if glued_after and _first_is(texts[end], _ALNUM):
        return True
    # compound modifiers: 15-year, nine-story, 10-year-old
    if (
        glued_after
        and end + 1 < n
        and texts[end] in HYPHENS
        and ends[end] == starts[end + 1]
        and _first_is(texts[end + 1], _ALNUM)
    ):
        return True
    # money, percentages, dates, times, ordinals
    if before in _CURRENCY_WORDS or (start > 0 and texts[start - 1] in _CURRENCY_SYMBOLS):
        return True
    if after in _UNIT_AFTER:
        return True
    if before in _MONTHS and (before != "may" or texts[start - 1] == "May"):
        return True
    if (
        after in {":", "."}
        and glued_after
        and end + 1 < n
        and _first_is(texts[end + 1], _DIGITS)
        and ends[end] == starts[end + 1]
    ):
        return True  # 10:30, 10.30
    if (
        before == ":"
        and start >= 2
        and ends[start - 1] == starts[start]
        and _first_is(texts[start - 2], _DIGITS)
    ):
        return True
    if after in {"a", "p"} and _lower(lowers, end + 1) == "." and _lower(lowers, end + 2) == "m":
        return True  # 10 a.m.
    # labels, ages, populations, crowds
    if before in _LABEL_BEFORE:
        return True
    if before in {"of", "to"} and (
        _lower(lowers, start - 2) in _PLACE_OF
        or (before == "to" and _lower(lowers, start - 2) == "home")
    ):
        return True
    for k in range(max(0, start - 4), start):
        if lowers[k] in _POPULATION_WORDS:
            return True
    # years: a bare 4-digit 1900-2100 not followed by a people word or an outcome
    text: str = texts[value_start]
    return (
        end == value_start + 1
        and len(text) == 4
        and text.isdigit()
        and 1900 <= int(text) <= 2100
        and after not in _VICTIMS
        and after not in _KIND_WORDS
        and after not in _NOUN_KINDS
    )


# --- kinds -----------------------------------------------------------------------------------

_KIND_WORD_AT: dict[str, tuple[FigureKind, int]] = {
    word: (kind, 1) for word, kind in _KIND_WORDS.items()
}
_KIND_PHRASE_AT: dict[tuple[str, ...], tuple[FigureKind, int]] = {
    phrase: (kind, len(phrase)) for phrase, kind in _KIND_PHRASES.items()
}
"""An outcome and how many tokens name it, by its words."""


@cython.cfunc
def _kind_phrase_at(lowers: list[str], i: cython.Py_ssize_t) -> tuple[FigureKind, int] | None:
    """Return the outcome named at token ``i`` and how many tokens name it."""
    word: str = lowers[i] if i < len(lowers) else ""
    if word in _KIND_PHRASE_FIRST:
        key = phrase_at(lowers, i, _KIND_PHRASE_AT, _KIND_PHRASE_LENGTHS)
        if key is not None:
            return _KIND_PHRASE_AT[key]
    return _KIND_WORD_AT.get(word)


@cython.cfunc
def _is_aux(word: str) -> cython.bint:
    return word in _AUX or (len(word) > 4 and word.endswith("ly") and word.isalpha())


@cython.cfunc
def _combined(lowers: list[str], kind: str, end: cython.Py_ssize_t) -> cython.bint:
    """Whether the outcome ending at ``end`` is joined to another ("killed or injured")."""
    word: str = _lower(lowers, end)
    if word not in _COMBINING:  # "and/or" is three tokens
        return False
    n: cython.Py_ssize_t = len(lowers)
    k: cython.Py_ssize_t = end + 1
    while k < n and k < end + 4 and _is_aux(lowers[k]):
        k += 1
    other = _kind_phrase_at(lowers, k)
    if other is not None:
        return other[0] != kind
    word = _lower(lowers, k)
    return word in _NOUN_KINDS and _NOUN_KINDS[word][0] != kind


@cython.cfunc
def _right_kind(texts: list[str], lowers: list[str], head_end: cython.Py_ssize_t) -> _Kind | None:
    """Find an outcome after the count: "12 killed", "people, including ..., had been killed"."""
    n: cython.Py_ssize_t = len(lowers)
    j: cython.Py_ssize_t = head_end
    skipped: cython.Py_ssize_t = 0
    k: cython.Py_ssize_t
    word: str
    if _lower(lowers, j) == "," and _lower(lowers, j + 1) in _ASIDE_OPENERS:
        for k in range(j + 2, min(n, j + 18)):
            word = lowers[k]
            if word == ",":
                skipped += k + 1 - j
                j = k + 1
                break
            if word in _CLAUSE_STOPS:
                break
    if _lower(lowers, j) == "," and (j + 1 < n) and _is_aux(lowers[j + 1]):
        j += 1
        skipped += 1
    if _lower(lowers, j) in _PREPOSITIONS:  # a place or a time: "in the city of Mariupol"
        for k in range(j + 1, min(n, j + 10)):
            word = lowers[k]
            if (_is_aux(word) and word not in _PREPOSITIONS) or _kind_phrase_at(
                lowers, k
            ) is not None:
                skipped += k - j
                j = k
                break
            if not _first_is(texts[k], _ALPHA) or word in _KIND_WORDS:
                break
    start_j: cython.Py_ssize_t = j
    found = _kind_phrase_at(lowers, j)
    while found is None and j < n and j < start_j + 7 and _is_aux(lowers[j]):
        j += 1
        found = _kind_phrase_at(lowers, j)
    if found is None:
        return None
    kind: FigureKind = found[0]
    end: cython.Py_ssize_t = j + found[1]
    if _combined(lowers, kind, end):
        return None
    return _Kind(kind, head_end, end, skipped + (j - start_j))


_COMBINING = frozenset({"or", "and", "/"})
_TAKING = frozenset({"claimed", "took", "cost", "claiming", "taking", "costing"})
_TOLL_ARTICLES = frozenset({"the", "a", "its", "their", ""})


@cython.cfunc
def _left_kind(texts: list[str], lowers: list[str], start: cython.Py_ssize_t) -> _Kind | None:
    """Find an outcome before the count: "killing at least 7", "bodies of 50", "toll rose to 12"."""
    before: str = _lower(lowers, start - 1)
    word: str
    if before in _LEFT_VERBS:
        kind: FigureKind = _LEFT_VERBS[before]
        # "killing or injuring 30" counts both: a combined figure
        if _lower(lowers, start - 2) in _COMBINING:
            other: str = _lower(lowers, start - 3)
            if other in _LEFT_VERBS and _LEFT_VERBS[other] != kind:
                return None
        return _Kind(kind, start - 1, start, 0)
    if before == "of" and _lower(lowers, start - 2) in _OF_NOUNS:
        phrase: cython.Py_ssize_t = start - 2
        kind = _OF_NOUNS[lowers[phrase]]
        if _lower(lowers, phrase - 1) == "the" and _lower(lowers, phrase - 2) in _TAKING:
            phrase -= 2
        return _Kind(kind, phrase, start, 0)
    # "the death toll rose to 12", "the toll from the strike has risen to at least 20",
    # "the number of dead rose to 12"
    if before not in _TOLL_LINKS:
        return None
    # A toll verb right before the count ("has risen to 37", "stands at 12") lets the
    # subject be far back: "the death toll from the strike of 29 March on the building
    # has risen to 37".
    verb_near: cython.bint = False
    k: cython.Py_ssize_t
    m: cython.Py_ssize_t
    for k in range(max(0, start - 4), start):
        if lowers[k] in _TOLL_VERBS:
            verb_near = True
            break
    reach: cython.Py_ssize_t = 30 if verb_near else 10
    k = start - 1
    while k >= 0 and k >= start - reach:
        word = lowers[k]
        if word == "toll":
            qualifier = _lower(lowers, k - 1)
            kind_word = _TOLL_KINDS.get(qualifier)
            if kind_word is None and qualifier not in _TOLL_ARTICLES:
                return None
            return _Kind(kind_word or "killed", k - 1 if kind_word is not None else k, start, 0)
        if word == "of" and _lower(lowers, k - 1) == "number":
            for m in range(k + 1, start):
                outcome = _kind_phrase_at(lowers, m)
                if outcome is not None:
                    return _Kind(outcome[0], k - 1, start, 0)
                if lowers[m] in _NOUN_KINDS:
                    return _Kind(_NOUN_KINDS[lowers[m]][0], k - 1, start, 0)
            return None
        if (
            not _first_is(texts[k], _ALPHA)
            and word != ","
            and not (verb_near and word not in _CLAUSE_STOPS)
        ):
            return None
        k -= 1
    return None


@cython.cfunc
def _head(
    texts: list[str], lowers: list[str], end: cython.Py_ssize_t
) -> tuple[int, str | None, tuple[FigureKind, str | None] | None] | None:
    """Read what is counted after the amount.

    Returns ``(head_end, victims, noun_kind)``, or ``None`` when the amount counts things.
    """
    n: cython.Py_ssize_t = len(lowers)
    j: cython.Py_ssize_t = end
    victims: str | None = None
    word: str
    following: str
    while j < n and j < end + 4:
        word = lowers[j]
        following = lowers[j + 1] if j + 1 < n else ""
        if word in _NOUN_KINDS and not (word == "dead" and following in _VICTIMS):
            noun_kind = _NOUN_KINDS[word]
            if word == "death" and following != "toll":
                return None
            noun_victims = noun_kind[1]
            return j + 1, noun_victims or victims, noun_kind
        if word in _VICTIMS:
            if word == "prisoners" and following == "of" and _lower(lowers, j + 2) == "war":
                return j + 3, "prisoners", None
            noun = word if word in _KEEP_VICTIM_NOUN else _VICTIMS[word]
            if word in {"aid", "service"} and following in _VICTIMS:
                j += 1
                continue
            return j + 1, noun, None
        if word in _KIND_WORDS and following in _VICTIMS:
            j += 1  # "22 wounded soldiers": the outcome is an adjective here
            continue
        if word in _VICTIM_ADJECTIVES:
            victims = _VICTIM_ADJECTIVES[word]
            j += 1
            continue
        if word in _ADJECTIVES or (
            _first_is(texts[j], _UPPER)
            and word not in _FUNCTION_WORDS
            and j > 0
            and word not in _KIND_WORDS
        ):
            j += 1
            continue
        break
    if j == n:
        return j, victims, None
    word = lowers[j]
    if _is_aux(word) or word in _FUNCTION_WORDS:
        return j, victims, None
    text: str = texts[j]
    if not _first_is(text, _ALNUM) and text not in HYPHENS:
        return j, victims, None  # punctuation
    if word in _KIND_WORDS or _kind_phrase_at(lowers, j) is not None:
        return j, victims, None
    return None  # a noun that is not a person: "three humanitarian corridors", "12 tanks"


@cython.cfunc
def _find(tokens: TokenColumns, text: str, max_count: Any) -> list[_Found]:
    """All figures of one sentence's tokens (``max_count`` any number, ``math.inf`` too)."""
    texts: list[str] = tokens.text
    lowers: list[str] = tokens.lower
    starts: list[int] = tokens.start
    ends: list[int] = tokens.end
    found: list[_Found] = []
    numbers: list[int] = number_positions(lowers)  # every amount has one of these
    n: cython.Py_ssize_t = len(lowers)
    count: cython.Py_ssize_t = len(numbers)
    i: cython.Py_ssize_t = 0
    next_number: cython.Py_ssize_t = 0
    number: cython.Py_ssize_t
    head_end: cython.Py_ssize_t
    amount_start: cython.Py_ssize_t
    amount_end: cython.Py_ssize_t
    kind: _Kind | None
    right: _Kind | None
    left: _Kind | None
    previous: _Found | None
    joined: cython.bint
    while i < n:
        # An amount has its first number word or digits at most _NUMBER_REACH tokens in
        # ("between 20", "at least a few hundred"): no amount starts further back than that.
        while next_number < count and numbers[next_number] < i:
            next_number += 1  # i never decreases: the first number at or after it
        if next_number == count:
            break
        number = numbers[next_number]
        i = max(i, number - _NUMBER_REACH)
        while i < number and lowers[i] not in AMOUNT_STARTERS:
            i += 1  # no amount starts here (nor with digits: the next number is further on)
        amount = match_amount(tokens, i, text)
        if amount is None:
            i += 1
            continue
        amount_start = amount[0]
        amount_end = amount[2]
        i = amount_end
        low, best, high, qualifier = amount[3], amount[4], amount[5], amount[6]
        # the largest value (low <= best <= high where they are not None)
        top = high if high is not None else best
        top = low if top is None else top
        if top is None or top > max_count:
            continue
        if _not_a_count(texts, lowers, starts, ends, amount_start, amount[1], amount_end):
            continue
        head = _head(texts, lowers, amount_end)
        if head is None:
            continue
        head_end = head[0]
        victims: str | None = head[1]
        noun_kind = head[2]
        if noun_kind is not None:
            i = max(i, head_end)

        kind = None
        if noun_kind is not None:
            if not _combined(lowers, noun_kind[0], head_end):
                kind = _Kind(noun_kind[0], amount_start, head_end, 0)
        else:
            right = _right_kind(texts, lowers, head_end)
            left = _left_kind(texts, lowers, amount_start)
            if right is not None and (right.distance == 0 or left is None):
                kind = right
            elif left is not None:
                kind = left
        previous = found[len(found) - 1] if found else None
        joined = previous is not None and _joined(lowers, previous.end, amount_start)
        if kind is None and joined and previous is not None and victims is not None:
            kind = _Kind(previous.kind, amount_start, head_end, 0)
        if kind is None:
            continue
        if (
            joined
            and previous is not None
            and qualifier == "exact"
            and previous.qualifier in _LOOSE
            and best is not None
        ):  # "at least 12 people were killed and 33 injured": at least 33
            qualifier = previous.qualifier
            low = None if qualifier == "at_most" else best
            high = None if qualifier == "at_least" else best
        found.append(
            _Found(
                kind.kind,
                (low, best, high, qualifier),
                victims or "people",
                min(amount_start, kind.start),
                max(head_end, kind.end),
            )
        )
    return found


_NUMBER_REACH = cython.declare(cython.Py_ssize_t, 5)
"""Tokens from an amount's start to its first number token: a qualifier of up to three
words, then "a few hundred" or "several hundred" (a number word at most two tokens on)."""
_LOOSE = frozenset({"at_least", "at_most", "approximate"})
"""Qualifiers a bare count joined to the figure before it takes over."""


@cython.cfunc
def _joined(
    lowers: list[str], previous_end: cython.Py_ssize_t, start: cython.Py_ssize_t
) -> cython.bint:
    """Whether only "and" or a comma stands between the previous figure and this amount."""
    if start - previous_end == 1:
        return lowers[previous_end] == "and" or lowers[previous_end] == ","
    if start - previous_end == 2:
        return lowers[previous_end] == "," and lowers[previous_end + 1] == "and"
    return False


# --- attribution and hedges ------------------------------------------------------------------


@cython.cfunc
def _attributions(tokens: TokenColumns) -> list[tuple[int, int]]:
    """Character spans of "according to ..." and "<speaker> said ..." in one sentence."""
    texts: list[str] = tokens.text
    lowers: list[str] = tokens.lower
    starts: list[int] = tokens.start
    ends: list[int] = tokens.end
    spans: list[tuple[int, int]] = []
    if _ATTRIBUTION_TRIGGERS.isdisjoint(lowers):
        return spans
    n: cython.Py_ssize_t = len(lowers)
    v: cython.Py_ssize_t
    start: cython.Py_ssize_t
    end: cython.Py_ssize_t
    k: cython.Py_ssize_t
    word: str
    w: str
    previous: str
    for v in range(n):
        word = lowers[v]
        if word not in _ATTRIBUTION_TRIGGERS:
            continue
        if word == "according":
            if _lower(lowers, v + 1) != "to":
                continue
            end = v + 2
            while end < n and end < v + 14:
                w = lowers[end]
                if (
                    w in _ATTRIBUTION_STOPS
                    or (
                        not _first_is(texts[end], _ALNUM)
                        and w not in _NAME_MARKS
                        and not (
                            w == "." and _glued(starts, ends, end) and len(texts[end - 1]) == 1
                        )
                    )
                    or _first_is(texts[end], _DIGITS)
                ):
                    break
                end += 1
            if end > v + 2:
                spans.append((starts[v], ends[end - 1]))
            continue
        start = v
        while start > 0 and start > v - 12:
            w = lowers[start - 1]
            previous = texts[start - 1]
            if (
                w in _SUBJECT_STOPS
                or w in _KIND_WORDS
                or _first_is(previous, _DIGITS)
                or (not _first_is(previous, _ALNUM) and w not in _SPEAKER_MARKS)
            ):
                break
            start -= 1
        end = v + 1
        if start == v:  # inverted: ", said Blinken"
            while end < n and end < v + 5 and _first_is(texts[end], _UPPER):
                end += 1
            if end == v + 1:
                continue
        elif word in {"told", "tells", "informed"}:
            k = end
            while (
                k < n
                and k < end + 5
                and (
                    _first_is(texts[k], _UPPER)
                    or lowers[k] in _ADDRESSEE_NOUNS
                    or (texts[k] == "/" and _glued(starts, ends, k))
                )
            ):
                k += 1
            end = k
        if _lower(lowers, end) == "," and _lower(lowers, end + 1) == "citing":
            k = end + 2
            while k < n and k < end + 10 and _first_is(texts[k], _ALNUM):
                k += 1
            end = k
        spans.append((starts[start], ends[end - 1]))
    return spans


_NAME_MARKS = frozenset({"'", "’", "/", "-", "&"})
"""Punctuation inside a source's name after "according to" ("Human Rights Watch/Europe")."""
_SPEAKER_MARKS = _NAME_MARKS | {"."}
"""Punctuation inside a speaker's name before "said" ("U.S. officials", "O'Brien")."""


def _hedges(text: str, start: int, end: int, flags: int) -> list[tuple[int, int]]:
    """Character spans of hedges ("reportedly", "could not be verified") in one sentence.

    Compiled, ``flags`` (:func:`_sentence_flags`) say which alternatives of the pattern may
    match, and the words of the sentence where all but the first may start are read again.
    """
    sentence = text[start:end]
    if cython.compiled:
        verified: cython.bint = (flags & _HEDGE_VERIFIED) != 0
        possible = ((flags & _HEDGE_VERIFY) != 0, verified, verified, verified,
                    (flags & _HEDGE_WORD) != 0)  # fmt: skip
        if True not in possible:
            return []
        pattern = _hedge_pattern(possible)
        if possible[0]:
            return _spans(pattern.finditer(sentence), start)
        starts: list[int] = []
        _scan_words(_ascii_bytes(sentence), 0, end - start, starts)
        return _spans(matches_at(pattern, sentence, starts), start)
    # The pattern's case-insensitive words are lower-cased ASCII words in ``words``.
    words = _word_bytes(sentence)
    if not _has_any(words, _HEDGE_WORDS):
        return []
    spaced = words + b" "
    possible = tuple([_has_all(spaced, needs) for needs in _HEDGE_NEEDS])
    if True not in possible:
        return []
    pattern = _hedge_pattern(possible)
    if possible[0]:  # the first alternative starts at any word
        matches = pattern.finditer(sentence)
    else:  # the others start at one of a few words: try the pattern there only
        matches = matches_at(pattern, sentence, [m.start() for m in _HEDGE_STARTS.finditer(words)])
    return _spans(matches, start)


def _spans(matches: Iterator[re.Match[str]], start: int) -> list[tuple[int, int]]:
    """The spans of ``matches`` (in a sentence starting at ``start``) in the article's text."""
    return [(m.start() + start, m.end() + start) for m in matches]


@cython.cfunc
def _has_any(words: bytes, wanted: tuple[bytes, ...]) -> cython.bint:
    """Whether ``words`` contains one of ``wanted``."""
    found = False
    for word in wanted:
        if words.find(word) >= 0:
            found = True
            break
    return found


@cython.cfunc
def _has_all(words: bytes, needs: tuple[tuple[bytes, ...], ...]) -> cython.bint:
    """Whether ``words`` contains one of each group of ``needs``."""
    found = True
    for group in needs:
        if not _has_any(words, group):
            found = False
            break
    return found


@cython.cfunc
def _nearest(
    spans: list[tuple[int, int]], starts: list[int], start: int, end: int, before: cython.bint
) -> tuple[int, int] | None:
    """Return the span nearest to ``[start, end)``, never one overlapping it.

    With ``before``, the last span ending at or before ``start``; otherwise the first one
    starting at or after ``end``.
    """
    index: cython.Py_ssize_t
    if before:
        index = bisect.bisect_right(starts, start) - 1
        while index >= 0 and spans[index][1] > start:
            index -= 1
        return spans[index] if index >= 0 else None
    index = bisect.bisect_left(starts, end)
    return spans[index] if index < len(spans) else None


@cython.cfunc
def _nearest_hedge(
    hedges: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> tuple[int, int] | None:
    """Return the hedge closest to the figure (one inside it is at distance 0)."""
    if not hedges:
        return None
    index: cython.Py_ssize_t = bisect.bisect_left(starts, end)
    best: tuple[int, int] | None = None
    best_distance = 0
    for span in hedges[max(0, index - 2) : index + 1]:
        distance = max(span[0] - end, start - span[1], 0)
        if best is None or distance < best_distance:
            best = span
            best_distance = distance
    return best


# --- public ----------------------------------------------------------------------------------


@cython.cfunc
def _check_sentences(text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    problems: list[str] = []
    spans: list[tuple[int, int]] = []
    length: int = len(text)
    index: cython.Py_ssize_t = -1
    for span in sentences:
        index += 1
        try:
            start, end = span
        except (TypeError, ValueError):
            problems.append(f"sentence {index}: {span!r} is not a (start, end) pair")
            continue
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= length):
            problems.append(f"sentence {index}: {span!r} is not within 0..{length}")
            continue
        spans.append(span if type(span) is tuple else (start, end))
    if problems:
        message = (
            f"{len(problems)} bad sentence span(s): "
            + "; ".join(problems[:10])
            + ". Pass spans from geo.sentences.split_sentences(text), or sentences=None."
        )
        raise InputError(message)
    return spans


def extract_figures(
    text: str,
    *,
    sentences: Sequence[tuple[int, int]] | None = None,
    max_count: int | float = MAX_COUNT,
) -> list[Figure]:
    """Find counts of people killed, injured, missing, displaced, trapped, held or affected.

    Parameters
    ----------
    text
        An article's full text. Any string is accepted.
    sentences
        Sentence spans into ``text``; :func:`geo.sentences.split_sentences` when ``None``.
    max_count
        Counts above this are ignored as implausible for one report (``math.inf``: none).

    Returns
    -------
    list[Figure]
        Sorted by start. ``text[f.start:f.end] == f.text``; ``f.text`` covers the amount and
        the word that says what happened; ``attribution`` and ``hedge`` are substrings of the
        figure's sentence. Strategy ``"figures.rules.v1"``.

    Raises
    ------
    InputError
        When a span in ``sentences`` is not a pair of offsets within ``text``.

    Examples
    --------
    >>> text = ("Officials said at least 12 residents were killed and 33 injured. "
    ...         "A city of 400,000 received $500 million.")
    >>> [(f.kind, f.low, f.best, f.high, f.qualifier, f.text) for f in extract_figures(text)]
    [('killed', 12, 12, None, 'at_least', 'at least 12 residents were killed'), \
('injured', 33, 33, None, 'at_least', '33 injured')]
    >>> extract_figures(text)[0].attribution
    'Officials said'
    >>> [f.text for f in extract_figures("The missile strike killed seven, wounding 22.")]
    ['killed seven', 'wounding 22']
    >>> f = extract_figures("Nearly 5,000 have died, which cannot be verified.")[0]
    >>> f.kind, f.low, f.best, f.high, f.hedge
    ('killed', None, 5000, 5000, 'which cannot be verified')
    """
    spans = split_sentences(text) if sentences is None else _check_sentences(text, sentences)
    figures: list[Figure] = []
    words = _ascii_bytes(text) if cython.compiled else _word_bytes(text)
    for sentence_start, sentence_end in spans:
        flags = _sentence_flags(text, words, sentence_start, sentence_end)
        if not flags:
            continue
        tokens = tokenize_columns(text, sentence_start, sentence_end)
        found = _find(tokens, text, max_count)
        if found:
            _add_figures(figures, found, tokens, text, sentence_start, sentence_end, flags)
    if len(figures) > 1:
        figures.sort(key=_figure_order)
    logger.debug("figures: %d in %d sentences", len(figures), len(spans))
    return figures


def _figure_order(figure: Figure) -> tuple[int, int, str]:
    return figure.start, figure.end, figure.kind


@cython.cfunc
def _add_figures(
    figures: list[Figure],
    found: list[_Found],
    tokens: TokenColumns,
    text: str,
    sentence_start: int,
    sentence_end: int,
    flags: cython.longlong,
) -> None:
    """Append one sentence's figures, with the attribution and hedge nearest to each.

    ``flags`` are the sentence's (:func:`_sentence_flags`): without :data:`_HEDGE` it has no
    word that a hedge needs, and none is looked for.
    """
    attributions = _attributions(tokens)
    attribution_starts = [s for s, _ in attributions]
    hedges = _hedges(text, sentence_start, sentence_end, flags) if flags & _HEDGE else []
    hedge_starts = [s for s, _ in hedges]
    token_starts: list[int] = tokens.start
    token_ends: list[int] = tokens.end
    item: _Found
    for item in found:
        start = token_starts[item.start]
        end = token_ends[item.end - 1]
        said = _nearest(attributions, attribution_starts, start, end, True)
        if said is None:
            said = _nearest(attributions, attribution_starts, start, end, False)
        hedge = _nearest_hedge(hedges, hedge_starts, start, end)
        figures.append(
            Figure(
                item.kind,  # the fields in order: positional arguments are faster
                item.low,
                item.best,
                item.high,
                item.qualifier,
                item.victims,
                text[start:end],
                start,
                end,
                sentence_start,
                sentence_end,
                None if said is None else text[said[0] : said[1]],
                None if hedge is None else text[hedge[0] : hedge[1]],
                STRATEGY,
            )
        )


FIGURE_PARSERS: dict[str, FigureParser] = {STRATEGY: extract_figures}
"""Figure extraction strategies by versioned name (the name is recorded on each figure)."""
