"""Romanisation of Ukrainian names with the national system (KMU Resolution No. 55, 2010).

The Cabinet of Ministers of Ukraine resolution of 27 January 2010 No. 55 fixes one
transliteration for passports, maps and road signs. It is what Ukrainian authorities and,
since 2022, most English-language outlets use ("Kyiv", "Mykolaiv", "Sievierodonetsk").

Positional rules: Є Ї Й Ю Я give ``Ye Yi Y Yu Ya`` at the start of a word and
``ie i i iu ia`` elsewhere; the pair "зг" gives ``zgh`` (not ``zh``); the soft sign and
the apostrophe are dropped. Characters outside the Ukrainian alphabet pass through unchanged.
"""

from __future__ import annotations

__all__ = ["is_cyrillic", "romanize_uk"]

_PLAIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "'": "", "’": "", "ʼ": "", "`": "",
}  # fmt: skip
"""Letters whose romanisation does not depend on their position in the word."""

_POSITIONAL: dict[str, tuple[str, str]] = {
    "є": ("ye", "ie"), "ї": ("yi", "i"), "й": ("y", "i"), "ю": ("yu", "iu"), "я": ("ya", "ia"),
}  # fmt: skip
"""Letters romanised one way at the start of a word and another way elsewhere."""

_APOSTROPHES = frozenset("'’ʼ`")


def _word_start(text: str, index: int) -> bool:
    """Return whether the letter at ``index`` begins a word (apostrophes do not split words)."""
    return index == 0 or not (text[index - 1].isalpha() or text[index - 1] in _APOSTROPHES)


def romanize_uk(text: str) -> str:
    """Romanise Ukrainian Cyrillic text with the KMU 2010 national system.

    Parameters
    ----------
    text
        Ukrainian text, typically a place name. Latin letters, digits and punctuation
        other than the apostrophe are kept as they are.

    Returns
    -------
    str
        The romanised text. A capital Cyrillic letter gives a capitalised Latin group
        ("Щ" -> "Shch"), or an all-capital group inside an all-capital word.

    Examples
    --------
    >>> romanize_uk("Русанів")
    'Rusaniv'
    >>> romanize_uk("Сєвєродонецьк")
    'Sievierodonetsk'
    >>> romanize_uk("Костянтинівка")
    'Kostiantynivka'
    >>> romanize_uk("Згурівка")
    'Zghurivka'
    >>> romanize_uk("Знам'янка")
    'Znamianka'
    >>> romanize_uk("Київ"), romanize_uk("Миколаїв"), romanize_uk("Велика Димерка")
    ('Kyiv', 'Mykolaiv', 'Velyka Dymerka')
    >>> romanize_uk("Єнакієве"), romanize_uk("Ямпіль"), romanize_uk("Їжакевич")
    ('Yenakiieve', 'Yampil', 'Yizhakevych')
    >>> romanize_uk("Щастя"), romanize_uk("ЩАСТЯ")
    ('Shchastia', 'SHCHASTIA')
    """
    out: list[str] = []
    for index, char in enumerate(text):
        lower = char.lower()
        if lower in _POSITIONAL:
            initial, medial = _POSITIONAL[lower]
            latin = initial if _word_start(text, index) else medial
        elif lower == "г" and index > 0 and text[index - 1].lower() == "з":
            latin = "gh"
        elif lower in _PLAIN:
            latin = _PLAIN[lower]
        else:
            out.append(char)
            continue
        if char != lower and latin:
            neighbour = text[index + 1] if index + 1 < len(text) else ""
            if not neighbour and index > 0:
                neighbour = text[index - 1]
            whole_word_upper = neighbour.isalpha() and neighbour.isupper()
            latin = latin.upper() if whole_word_upper else latin.capitalize()
        out.append(latin)
    return "".join(out)


def is_cyrillic(text: str) -> bool:
    """Return whether ``text`` has at least one Cyrillic letter.

    Examples
    --------
    >>> is_cyrillic("Миколаїв"), is_cyrillic("Mykolaiv")
    (True, False)
    """
    return any("\u0400" <= char <= "\u04ff" for char in text)
