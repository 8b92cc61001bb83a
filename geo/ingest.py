"""Files, folders, JSON Lines and HTML pages -> :class:`~geo.types.Article` records.

The first stage of the pipeline. It never raises on bad input: every file that cannot be
used becomes a :class:`Problem` naming the file and the reason, and the other files are
still read. Text is decoded (byte-order mark, then UTF-8, then a declared HTML charset, then
charset-normalizer's guess), given universal newlines, stripped of a leading BOM and put in
Unicode NFC; no other character is changed, so offsets computed downstream index
``Article.text`` exactly.

Formats, chosen by file name:

``.txt``, ``.md`` (and any file named explicitly)
    Plain text. An optional first line ``date YYYY-MM-DD`` sets ``Article.date`` and is
    removed from the text.
``.html``, ``.htm``
    The article text is extracted (scripts, styles, navigation, headers, footers, asides
    and forms dropped; ``<article>`` or ``<main>`` preferred); the title comes from
    ``og:title`` or ``<title>``, the date from ``article:published_time`` or ``<time>``.
``.jsonl``, ``.ndjson``, ``.jsonl.gz``, ``.ndjson.gz``
    One JSON object per line with ``text`` (required), ``id``, ``date``, ``title`` and
    ``source`` or ``url``; the corpus format ``{"id", "text", "title", "url", "toponyms"}``
    is read as is.

Folders are walked in sorted path order; files with other extensions, hidden files and
``README``/``LICENSE``/``CHANGELOG`` files in a folder are skipped (logged at DEBUG level).
Articles with the same normalised text are read once.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gzip
import hashlib
import json
import logging
import math
import os
import re
import stat
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from geo.types import Article

logger = logging.getLogger(__name__)

__all__ = [
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
    "MAX_BYTES",
    "TEXT_SUFFIXES",
    "HtmlPage",
    "Problem",
    "Severity",
    "extract_html",
    "iter_articles",
    "read_articles",
    "safe_id",
]

Severity = Literal["error", "warning"]
"""``error``: a file or record was not read at all. ``warning``: read, but look at it."""

MAX_BYTES: int = 50 * 1024 * 1024
"""Files larger than this (50 MB) are refused unless ``max_bytes`` is raised per call.
For ``.gz`` files the limit applies to the compressed and to the decompressed size."""

TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".md")
HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm")
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

MAX_ID_LENGTH = 80
_SAMPLE_BYTES = 65_536
_CONTROL_RATIO = 0.10
_ALLOWED_CONTROL = frozenset(b"\t\n\r\f\v\x1b")
_CONTROL_BYTES = frozenset(range(32)) - _ALLOWED_CONTROL | {0x7F}

_Kind = Literal["text", "html", "jsonl"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a file, or one record in it, was not read or needs a look.

    ``message`` names the file (and the line, for JSON Lines) and says what is wrong and
    what was done about it. ``line`` is the 1-based line number when it applies.
    """

    path: str
    message: str
    severity: Severity = "error"
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


class _RejectError(Exception):
    """Internal: the current file cannot be used; carries the message for its Problem."""

    def __init__(self, message: str, severity: Severity = "error") -> None:
        super().__init__(message)
        self.message = message
        self.severity: Severity = severity


# --------------------------------------------------------------------------- ids


_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def safe_id(raw: str, *, salt: str | None = None) -> str:
    """Turn ``raw`` into a stable id that is safe as a file name.

    Only ``[A-Za-z0-9._-]`` are kept (accents are dropped, other runs become ``_``), path
    parts made only of dots are removed, the id never starts with ``.``, ``-`` or ``_`` and
    is at most 80 characters long. When any of this changed ``raw``, or when ``salt`` is
    given (to tell apart two inputs with the same name), a short hash of ``raw`` and
    ``salt`` is appended so that different inputs keep different ids.

    Examples
    --------
    >>> safe_id("2022-03-29_istanbul-talks")
    '2022-03-29_istanbul-talks'
    >>> safe_id("../../etc/x")
    'etc_x-01bc0313'
    >>> safe_id("Mykolaiv strike")
    'Mykolaiv_strike-544dcd07'
    >>> len(safe_id("x" * 300))
    80
    """
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    parts = [part for part in re.split(r"[^A-Za-z0-9._-]+", ascii_text) if part.strip(".")]
    base = re.sub(r"\.{2,}", ".", "_".join(parts)).lstrip("._-").rstrip(".")
    reserved = base.split(".", 1)[0].upper() in _WINDOWS_RESERVED
    if base and base == raw and salt is None and len(base) <= MAX_ID_LENGTH and not reserved:
        return base
    suffix = _short_hash(raw if salt is None else f"{raw}\x00{salt}")
    base = base[: MAX_ID_LENGTH - len(suffix) - 1].rstrip("._-") or "article"
    return f"{base}-{suffix}"


# --------------------------------------------------------------------------- text


def _normalise(text: str) -> str:
    """Universal newlines, no leading BOM, NFC; every other character is kept."""
    text = text.removeprefix("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _dedup_key(text: str) -> str:
    folded = " ".join(text.split()).casefold()
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()


_DATE_LINE = re.compile(
    r"\A\s*date[ \t]*:?[ \t]+(?P<value>\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\S*)[ \t]*(?:\n\s*)?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


def _iso_date(value: str) -> str | None:
    """``YYYY-MM-DD`` for a valid ISO date or timestamp, else ``None``.

    Examples
    --------
    >>> _iso_date("2022-03-29T08:15:00+03:00")
    '2022-03-29'
    >>> _iso_date("2022-13-45") is None
    True
    """
    match = _ISO_DATE.match(value.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(group) for group in match.groups())).isoformat()
    except ValueError:
        return None


def _split_date_line(text: str) -> tuple[str | None, str | None, str]:
    r"""Return ``(date, malformed_value, remaining_text)`` for a leading ``date`` line.

    The line may stand alone or be followed by text on the same line; either way the
    ``date`` token and its value are removed.

    Examples
    --------
    >>> _split_date_line("date 2022-03-29\nKYIV - text")
    ('2022-03-29', None, 'KYIV - text')
    >>> _split_date_line(" date 2022-03-30 Russia said")
    ('2022-03-30', None, 'Russia said')
    >>> _split_date_line("date 2022-13-45\ntext")
    (None, '2022-13-45', 'text')
    >>> _split_date_line("Date palms grow here")
    (None, None, 'Date palms grow here')
    """
    match = _DATE_LINE.match(text)
    if match is None:
        return None, None, text
    value = match.group("value")
    date = _iso_date(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    return date, (None if date else value), text[match.end() :]


# --------------------------------------------------------------------------- bytes


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/ODT document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"RIFF", "a RIFF (WebP/WAV/AVI) file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Guess UTF-16 without a BOM from NUL bytes falling on every other position."""
    nuls = sample.count(0)
    if nuls < len(sample) * 0.3:
        return None
    odd = sample[1::2].count(0)
    if odd >= nuls * 0.95:
        return "utf-16-le"
    if nuls - odd >= nuls * 0.95:
        return "utf-16-be"
    return None


def _binary_reason(data: bytes) -> str | None:
    """Why ``data`` looks binary rather than text, or ``None`` if it looks like text."""
    if _bom_encoding(data) is not None:
        return None
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return f"it starts with the signature of {what}"
    sample = data[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        if _utf16_without_bom(sample) is not None:
            return None
        return "it contains NUL bytes"
    control = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    if sample and control / len(sample) > _CONTROL_RATIO:
        share = round(100 * control / len(sample))
        return f"{share}% of its first {len(sample):,} bytes are control characters"
    return None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _decode(data: bytes, *, kind: _Kind) -> tuple[str, str | None]:
    """Decode ``data``; return the text and, when it was guessed, the encoding used."""
    bom = _bom_encoding(data)
    if bom is not None:
        encoding, skip = bom
        try:
            return data[skip:].decode(encoding), None
        except UnicodeDecodeError as exc:
            msg = (
                f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                f"({exc.reason} at byte {exc.start + skip}); not read"
            )
            raise _RejectError(msg) from None
    if b"\x00" in data[:_SAMPLE_BYTES]:
        encoding16 = _utf16_without_bom(data[:_SAMPLE_BYTES])
        if encoding16 is not None:
            try:
                return data.decode(encoding16), encoding16
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if kind == "html":
        declared = _META_CHARSET.search(data[:4096])
        if declared is not None:
            name = declared.group(1).decode("ascii", "replace")
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                return data.decode(name), name
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        msg = (
            "is in an encoding that could not be detected (not UTF-8, UTF-16 or a known "
            "legacy encoding); not read. Save it as UTF-8"
        )
        raise _RejectError(msg)
    return str(best), best.encoding


def _read_limited(path: Path, *, max_bytes: int) -> bytes:
    """Read a file (decompressing ``.gz``), refusing more than ``max_bytes``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        target = ""
        if path.is_symlink():
            with contextlib.suppress(OSError):
                target = f" (a broken symbolic link to {str(path.readlink())!r})"
        msg = f"does not exist{target}"
        raise _RejectError(msg) from None
    except OSError as exc:
        raise _RejectError(_os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        msg = "is a folder, not a file"
        raise _RejectError(msg)
    if not stat.S_ISREG(info.st_mode):
        msg = "is not a regular file (a device, socket or pipe); only files and folders can be read"
        raise _RejectError(msg)
    if info.st_size > max_bytes:
        msg = (
            f"is {_megabytes(info.st_size)}, over the {_megabytes(max_bytes)} size limit; "
            f"not read. Raise the limit to read it anyway (geo build --max-file-mb "
            f"{math.ceil(info.st_size / 1024 / 1024)}, or max_bytes={info.st_size} in Python)"
        )
        raise _RejectError(msg)
    if info.st_size == 0:
        msg = "is empty (0 bytes); nothing to read"
        raise _RejectError(msg, "warning")
    try:
        with path.open("rb") as handle:
            if path.name.lower().endswith(".gz"):
                with gzip.GzipFile(fileobj=handle) as unzipped:
                    data = unzipped.read(max_bytes + 1)
            else:
                data = handle.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        msg = f"is not a valid gzip file ({exc}); not read"
        raise _RejectError(msg) from None
    except OSError as exc:
        raise _RejectError(_os_reason(exc)) from None
    if len(data) > max_bytes:
        msg = (
            f"decompresses to more than {_megabytes(max_bytes)}, over the size limit; not read. "
            "Pass a larger max_bytes to read it anyway"
        )
        raise _RejectError(msg)
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied. Check the file's permissions"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot be read: {reason}"


# --------------------------------------------------------------------------- HTML


_SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "math", "nav", "header", "footer",
        "aside", "form", "button", "select", "textarea", "iframe", "object", "canvas",
        "dialog", "menu", "figcaption", "head",
    }
)  # fmt: skip
_VOID_TAGS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
_PARA_TAGS = frozenset({"p", "h1", "h2", "h3", "li", "blockquote", "pre", "dd", "dt"})
_BLOCK_TAGS = _PARA_TAGS | frozenset(
    {
        "html", "body", "main", "article", "section", "div", "ul", "ol", "dl", "table", "tr",
        "td", "th", "h4", "h5", "h6", "address", "center", "details", "summary", "hgroup",
    }
)  # fmt: skip
_SKIP_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "dialog"}
)
_BOILERPLATE_WORDS = frozenset(
    {
        "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "sidebar", "share",
        "sharing", "social", "related", "advert", "advertisement", "ads", "cookie", "cookies",
        "newsletter", "subscribe", "promo", "comments", "masthead",
    }
)  # fmt: skip
_STRUCTURAL = frozenset({"html", "body", "main", "article"})
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "dc.date",
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """What :func:`extract_html` found in one page."""

    text: str
    title: str | None
    date: str | None
    site: str | None
    url: str | None
    bad_dates: tuple[str, ...] = ()  # date values present in the page but not valid dates


@dataclass(slots=True)
class _Frame:
    tag: str
    skip: bool
    article: int | None
    main: bool
    para: bool


@dataclass(slots=True)
class _Block:
    text: str
    article: int | None
    main: bool
    para: bool


class _PageParser(HTMLParser):
    """Collect text blocks with the context they came from; the caller picks which to keep."""

    def __init__(self, *, use_classes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.use_classes = use_classes
        root = _Frame("#root", skip=False, article=None, main=False, para=False)
        self.stack: list[_Frame] = [root]
        self.articles = 0
        self.blocks: list[_Block] = []
        self.buffer: list[str | None] = []  # None marks a <br>
        self.buffer_frame: _Frame | None = None
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.h1: str | None = None
        self.h1_parts: list[str] | None = None
        self.times: list[tuple[str, int | None, bool, bool]] = []  # value, article, main, skip
        self.ld_json: list[str] = []
        self.canonical: str | None = None

    # -- structure
    def _skips(self, tag: str, attrs: dict[str, str | None]) -> bool:
        if tag in _SKIP_TAGS or "hidden" in attrs:
            return True
        if (attrs.get("aria-hidden") or "").lower() == "true":
            return True
        if "display:none" in (attrs.get("style") or "").replace(" ", "").lower():
            return True
        if (attrs.get("role") or "").lower() in _SKIP_ROLES:
            return True
        if self.use_classes and tag not in _STRUCTURAL:
            names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
            words = set(re.split(r"[^a-z0-9]+", names))
            return not words.isdisjoint(_BOILERPLATE_WORDS)
        return False

    def _close_implied(self, tag: str) -> None:
        """Close what HTML closes implicitly: an open ``<p>`` before a block, ``<li>`` ..."""
        if tag in _BLOCK_TAGS and self.stack[-1].tag == "p":
            self._pop()
        siblings = {"li": {"li"}, "dd": {"dd", "dt"}, "dt": {"dd", "dt"}}.get(tag, set())
        if self.stack[-1].tag in siblings:
            self._pop()

    def _pop(self) -> None:
        frame = self.stack.pop()
        if frame.tag in _BLOCK_TAGS:
            self._flush()
        if frame.tag == "h1" and self.h1_parts is not None:
            self.h1 = _HTML_SPACE.sub(" ", "".join(self.h1_parts)).strip() or None
            self.h1_parts = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs}
        if tag == "meta":
            self._meta(values)
            return
        if tag == "link" and "canonical" in (values.get("rel") or "").lower().split():
            self.canonical = values.get("href")
            return
        if tag == "br":
            if self.buffer:
                self.buffer.append(None)
            return
        if tag == "time" and values.get("datetime"):
            top = self.stack[-1]
            self.times.append((values["datetime"] or "", top.article, top.main, top.skip))
        if tag in _VOID_TAGS:
            return
        self._close_implied(tag)
        parent = self.stack[-1]
        if tag in _BLOCK_TAGS:
            self._flush()
        article = parent.article
        if tag == "article" and article is None:
            article = self.articles
            self.articles += 1
        frame = _Frame(
            tag,
            skip=parent.skip or self._skips(tag, values),
            article=article,
            main=parent.main or tag == "main" or (values.get("role") or "").lower() == "main",
            para=parent.para or tag in _PARA_TAGS,
        )
        self.stack.append(frame)
        if tag == "h1" and self.h1 is None and not frame.skip:
            self.h1_parts = []
        if tag == "script" and (values.get("type") or "").lower() == "application/ld+json":
            self.ld_json.append("")

    def handle_endtag(self, tag: str) -> None:
        if not any(frame.tag == tag for frame in self.stack[1:]):
            return
        while len(self.stack) > 1:
            closed = self.stack[-1].tag == tag
            self._pop()
            if closed:
                break

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if top.tag == "title":
            self.title_parts.append(data)
            return
        if top.tag == "script" and self.ld_json:
            self.ld_json[-1] += data
            return
        if top.skip:
            return
        if self.h1_parts is not None:
            self.h1_parts.append(data)
        if not self.buffer:
            if not data.strip():
                return
            self.buffer_frame = top
        self.buffer.append(data)

    def _flush(self) -> None:
        if not self.buffer or self.buffer_frame is None:
            self.buffer = []
            return
        lines: list[str] = []
        current: list[str] = []
        for piece in [*self.buffer, None]:
            if piece is None:
                line = _HTML_SPACE.sub(" ", "".join(current)).strip()
                if line:
                    lines.append(line)
                current = []
            else:
                current.append(piece)
        frame = self.buffer_frame
        if lines:
            self.blocks.append(_Block("\n".join(lines), frame.article, frame.main, frame.para))
        self.buffer = []
        self.buffer_frame = None

    def _meta(self, values: dict[str, str | None]) -> None:
        key = values.get("property") or values.get("name") or values.get("itemprop") or ""
        content = values.get("content")
        if key and content and key.lower() not in self.meta:
            self.meta[key.lower()] = content.strip()

    def close(self) -> None:
        super().close()
        while len(self.stack) > 1:
            self._pop()
        self._flush()


def _choose_blocks(blocks: list[_Block]) -> list[_Block]:
    """Prefer the largest ``<article>``, then ``<main>``, then the whole page."""
    in_articles: dict[int, list[_Block]] = {}
    for block in blocks:
        if block.article is not None:
            in_articles.setdefault(block.article, []).append(block)
    scopes: list[list[_Block]] = []
    if in_articles:
        scopes.append(max(in_articles.values(), key=lambda group: sum(len(b.text) for b in group)))
    scopes.append([block for block in blocks if block.main])
    scopes.append(blocks)
    for scope in scopes:
        paragraphs = [block for block in scope if block.para]
        if paragraphs:
            return paragraphs
    return next((scope for scope in scopes if scope), [])


def extract_html(markup: str) -> HtmlPage:
    r"""Extract the article text, title, date and site name from an HTML page.

    Text inside ``script``, ``style``, ``nav``, ``header``, ``footer``, ``aside``, ``form``
    (and hidden or navigation-role elements) is dropped. Paragraphs (``p``, ``h1``-``h3``,
    ``li``, ``blockquote``) of the largest ``<article>`` are kept, else those of ``<main>``,
    else those of the whole page; they are joined with blank lines.

    Examples
    --------
    >>> page = extract_html(
    ...     "<html><head><title>Kyiv | News</title>"
    ...     "<meta property='og:title' content='Kyiv talks'></head>"
    ...     "<body><nav><a href='/'>Home</a></nav><article><h1>Kyiv talks</h1>"
    ...     "<time datetime='2022-03-29T10:00Z'>29 March</time><p>Talks &amp; more.</p>"
    ...     "<script>var x = 1;</script></article><footer>(c) News</footer></body></html>"
    ... )
    >>> page.text
    'Kyiv talks\n\nTalks & more.'
    >>> page.title, page.date
    ('Kyiv talks', '2022-03-29')
    """
    parser = _PageParser(use_classes=True)
    parser.feed(markup)
    parser.close()
    chosen = _choose_blocks(parser.blocks)
    if not chosen:  # class-name heuristics can hide a whole page: retry without them
        retry = _PageParser(use_classes=False)
        retry.feed(markup)
        retry.close()
        chosen = _choose_blocks(retry.blocks)
    text = "\n\n".join(block.text for block in chosen)

    meta = parser.meta
    title_tag = _HTML_SPACE.sub(" ", "".join(parser.title_parts)).strip()
    title = meta.get("og:title") or meta.get("twitter:title") or title_tag or parser.h1

    candidates = [meta[key] for key in _DATE_META if meta.get(key)]
    for blob in parser.ld_json:
        candidates.extend(_LD_DATE.findall(blob))
    article = chosen[0].article if chosen else None
    times = sorted(
        parser.times,
        key=lambda item: (item[1] is None or item[1] != article, not item[2], item[3]),
    )
    candidates.extend(value for value, *_ in times)
    date = next((iso for iso in map(_iso_date, candidates) if iso), None)
    bad = () if date else tuple(candidates)
    site = meta.get("og:site_name") or meta.get("application-name")
    url = meta.get("og:url") or parser.canonical
    return HtmlPage(text=text, title=title or None, date=date, site=site, url=url, bad_dates=bad)


# --------------------------------------------------------------------------- files


def _kind_of(path: Path) -> _Kind | None:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(HTML_SUFFIXES):
        return "html"
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def _stem(path: Path) -> str:
    name = path.name
    for suffix in sorted((*JSONL_SUFFIXES, *HTML_SUFFIXES, *TEXT_SUFFIXES), key=len, reverse=True):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return path.stem or name


_DOC_STEMS = frozenset({"README", "LICENSE", "LICENCE", "CHANGELOG", "NOTICE"})
"""Files with these names (any case, any text extension) are skipped in folders."""


@dataclass(slots=True)
class _Walk:
    files: list[tuple[Path, str]] = field(default_factory=list)  # (path, key for ids)
    problems: list[Problem] = field(default_factory=list)


def _walk_folder(root: Path, *, recursive: bool, walk: _Walk) -> None:
    """Collect readable files under ``root`` in sorted order, never following a loop."""
    found: list[Path] = []
    try:
        root_id = _dir_id(root)
    except OSError as exc:
        walk.problems.append(Problem(str(root), f"{str(root)!r} {_os_reason(exc)}"))
        return
    pending: list[tuple[Path, tuple[tuple[int, int], ...]]] = [(root, (root_id,))]
    seen: set[tuple[int, int]] = {root_id}
    while pending:
        folder, ancestors = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            walk.problems.append(Problem(str(folder), f"folder {str(folder)!r} {_os_reason(exc)}"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                logger.debug("skipped hidden %s", path)
                continue
            try:
                is_dir = entry.is_dir()  # follows symbolic links
            except OSError:
                is_dir = False
            if is_dir:
                if not recursive:
                    logger.debug("skipped sub-folder %s (recursive=False)", path)
                    continue
                try:
                    key = _dir_id(path)
                except OSError as exc:
                    walk.problems.append(
                        _loop_problem(path)
                        if _is_loop(exc)
                        else Problem(str(path), f"folder {str(path)!r} {_os_reason(exc)}")
                    )
                    continue
                if key in ancestors:
                    walk.problems.append(_loop_problem(path))
                elif key in seen:
                    logger.debug("skipped %s: a link to a folder already read", path)
                else:
                    seen.add(key)
                    pending.append((path, (*ancestors, key)))
                continue
            if entry.is_symlink():
                try:
                    path.stat()
                except OSError as exc:
                    if _is_loop(exc):
                        walk.problems.append(_loop_problem(path))
                        continue
                    # a broken link with a known extension is reported when it is read
            if _kind_of(path) is None:
                logger.debug("skipped %s: not a .txt/.md/.html/.htm/.jsonl/.ndjson file", path)
                continue
            if _stem(path).upper() in _DOC_STEMS:
                logger.debug("skipped %s: a folder's documentation, not an article", path)
                continue
            found.append(path)
    found.sort(key=lambda p: p.relative_to(root).parts)
    walk.files.extend((path, path.relative_to(root).as_posix()) for path in found)
    if not found:
        message = (
            f"folder {str(root)!r} holds no .txt, .md, .html, .htm, .jsonl or .ndjson files; "
            "nothing to read"
        )
        walk.problems.append(Problem(str(root), message, "warning"))


def _dir_id(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def _is_loop(exc: OSError) -> bool:
    return exc.errno == getattr(os, "ELOOP", 40) or "loop" in str(exc).lower()


def _loop_problem(path: Path) -> Problem:
    try:
        target = str(path.readlink())
    except OSError:
        target = "?"
    message = (
        f"{str(path)!r} is a symbolic link loop (it points back to {target!r}, a folder already "
        "being read); not followed"
    )
    return Problem(str(path), message, "warning")


def _as_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths, str | os.PathLike):
        return [Path(paths)]
    result: list[Path] = []
    for item in paths:
        if not isinstance(item, str | os.PathLike):
            msg = (
                "expected a file or folder path (str or pathlib.Path), "
                f"got {item!r} of type {type(item).__name__}"
            )
            raise TypeError(msg)
        result.append(Path(item))
    return result


@dataclass(slots=True)
class _State:
    ids: dict[str, str] = field(default_factory=dict)  # id -> where it came from
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # text hash -> (id, where)
    articles: int = 0
    errors: int = 0
    warnings: int = 0
    duplicates: int = 0


def iter_articles(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    max_bytes: int | None = None,
) -> Iterator[Article | Problem]:
    """Yield articles and problems from files and folders, one file at a time.

    Parameters
    ----------
    paths
        Files and folders, read in the order given; a folder's files are read in sorted
        path order. A file named explicitly is read even with an unknown extension (as
        text); in folders such files are skipped.
    recursive
        Whether to read sub-folders of a folder.
    max_bytes
        Refuse files larger than this; ``None`` means :data:`MAX_BYTES` (50 MB).

    Yields
    ------
    Article | Problem
        Each article once (a later copy with the same normalised text is reported as a
        warning and skipped), and a :class:`Problem` for every file or record that could not
        be read or needs a look. Nothing is raised for bad input.
    """
    limit = MAX_BYTES if max_bytes is None else max_bytes
    walk = _Walk()
    for path in _as_paths(paths):
        if path.is_dir():
            _walk_folder(path, recursive=recursive, walk=walk)
        else:
            walk.files.append((path, str(path)))
    state = _State()
    for problem in walk.problems:
        yield _count(problem, state)
    stems: dict[str, int] = {}
    for path, _ in walk.files:
        stems[_stem(path)] = stems.get(_stem(path), 0) + 1
    for path, key in walk.files:
        shared = stems[_stem(path)] > 1
        try:
            for item in _read_file(path, key=key, shared_stem=shared, max_bytes=limit, state=state):
                if isinstance(item, Article):
                    state.articles += 1
                    yield item
                else:
                    yield _count(item, state)
        except _RejectError as exc:
            yield _count(Problem(str(path), f"{str(path)!r} {exc.message}", exc.severity), state)
        except Exception as exc:  # never a traceback for one bad file; keep reading the rest
            logger.debug("unexpected error reading %s", path, exc_info=True)
            message = f"{str(path)!r} could not be read: unexpected {type(exc).__name__}: {exc}"
            yield _count(Problem(str(path), message), state)
    logger.info(
        "ingest: %d articles from %d files (%d duplicates skipped, %d errors, %d warnings)",
        state.articles, len(walk.files), state.duplicates, state.errors, state.warnings,
    )  # fmt: skip


def read_articles(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool = True,
    max_bytes: int | None = None,
) -> tuple[list[Article], list[Problem]]:
    """Read every article in ``paths``; return the articles and the problems found.

    Same arguments and rules as :func:`iter_articles`, collected into two lists.

    Examples
    --------
    >>> articles, problems = read_articles([])
    >>> articles, problems
    ([], [])
    """
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in iter_articles(paths, recursive=recursive, max_bytes=max_bytes):
        (articles if isinstance(item, Article) else problems).append(item)  # type: ignore[arg-type]
    return articles, problems


def _count(problem: Problem, state: _State) -> Problem:
    if problem.severity == "error":
        state.errors += 1
    else:
        state.warnings += 1
    logger.debug("%s", problem)
    return problem


def _read_file(
    path: Path, *, key: str, shared_stem: bool, max_bytes: int, state: _State
) -> Iterator[Article | Problem]:
    name = str(path)
    kind = _kind_of(path) or "text"
    data = _read_limited(path, max_bytes=max_bytes)
    reason = _binary_reason(data[:_SAMPLE_BYTES])
    if reason is not None:
        msg = f"looks like a binary file, not text ({reason}); not read"
        raise _RejectError(msg)
    raw_text, guessed = _decode(data, kind=kind)
    del data
    text = _normalise(raw_text)
    if guessed is not None:
        message = (
            f"{name!r} is not UTF-8; decoded as {guessed!r} (a guess). "
            "Check the text, or save the file as UTF-8"
        )
        yield Problem(name, message, "warning")
    if not text.strip():
        msg = "holds only whitespace; nothing to read"
        raise _RejectError(msg, "warning")
    file_id = safe_id(_stem(path), salt=key if shared_stem else None)
    if kind == "jsonl":
        yield from _jsonl_articles(path, text, state=state)
        return
    if kind == "html":
        page = extract_html(text)
        if page.bad_dates:
            message = (
                f"{name!r}: the page's date {page.bad_dates[0]!r} is not a valid date; "
                "date left empty"
            )
            yield Problem(name, message, "warning")
        if not page.text.strip():
            msg = "is an HTML page with no article text (only scripts, navigation, markup)"
            raise _RejectError(msg, "warning")
        article = Article(
            id=file_id,
            text=unicodedata.normalize("NFC", page.text),
            date=page.date,
            title=unicodedata.normalize("NFC", page.title) if page.title else None,
            source=page.site or page.url or path.name,
            path=name,
        )
    else:
        date, malformed, body = _split_date_line(text)
        if malformed is not None:
            message = (
                f"{name!r} line 1: malformed date {malformed!r} (expected 'date YYYY-MM-DD'); "
                "date left empty, text kept"
            )
            yield Problem(name, message, "warning", line=1)
        if not body.strip():
            msg = "has a date line but no text after it; nothing to read"
            raise _RejectError(msg, "warning")
        article = Article(id=file_id, text=body, date=date, source=path.name, path=name)
    yield from _admit(article, where=name, state=state)


def _admit(article: Article, *, where: str, state: _State) -> Iterator[Article | Problem]:
    """Yield ``article`` unless its text was already read; give it an unused id."""
    path = article.path or where
    key = _dedup_key(article.text)
    first = state.texts.get(key)
    if first is not None:
        first_id, first_where = first
        state.duplicates += 1
        message = (
            f"{where!r}: article {article.id!r} has the same text as article {first_id!r} "
            f"from {first_where!r}; kept the first, skipped this copy"
        )
        yield Problem(path, message, "warning")
        return
    if article.id in state.ids:
        new_id = safe_id(article.id, salt=where)
        message = (
            f"{where!r}: id {article.id!r} is already used by {state.ids[article.id]!r}; "
            f"this article gets id {new_id!r}"
        )
        yield Problem(path, message, "warning")
        article = Article(
            id=new_id, text=article.text, date=article.date, title=article.title,
            source=article.source, path=article.path,
        )  # fmt: skip
    state.ids[article.id] = where
    state.texts[key] = (article.id, where)
    yield article


def _jsonl_articles(path: Path, text: str, *, state: _State) -> Iterator[Article | Problem]:
    name = str(path)
    stem = _stem(path)
    parsed = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"

        def problem(what: str, severity: Severity = "warning", line: int = number) -> Problem:
            return Problem(name, f"{name!r} line {line}: {what}", severity, line=line)

        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield problem(
                f"not valid JSON ({exc.msg} at column {exc.colno}); line skipped", "error"
            )
            continue
        if not isinstance(record, dict):
            yield problem(
                f"expected a JSON object, got {type(record).__name__}; line skipped", "error"
            )
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            got = "no 'text' field" if body is None else f"'text' is {_describe(body)}"
            keys = ", ".join(sorted(map(str, record))) or "none"
            yield problem(
                f"{got} (keys: {keys}); a record needs a non-empty 'text' string; line skipped",
                "error",
            )
            continue
        raw_id = record.get("id")
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip():
            article_id = safe_id(str(raw_id).strip())
        else:
            if raw_id is not None:
                yield problem(
                    f"'id' is {_describe(raw_id)}, not a string or number; id made from the "
                    "line number"
                )
            article_id = safe_id(f"{stem}-{number}")
        date: str | None = None
        raw_date = record.get("date")
        if raw_date not in (None, ""):
            date = _iso_date(raw_date) if isinstance(raw_date, str) else None
            if date is None:
                yield problem(
                    f"malformed date {raw_date!r} (expected 'YYYY-MM-DD'); date left empty, "
                    "text kept"
                )
        title = _optional_text(record.get("title"))
        source = _optional_text(record.get("source")) or _optional_text(record.get("url"))
        article = Article(
            id=article_id,
            text=_normalise(body),
            date=date,
            title=title,
            source=source or path.name,
            path=name,
        )
        parsed += 1
        for item in _admit(article, where=where, state=state):
            if isinstance(item, Article):
                yield item
            else:
                yield Problem(item.path, item.message, item.severity, line=number)
    if parsed == 0:
        yield Problem(name, f"{name!r} holds no usable JSON Lines records", "warning")


def _optional_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return unicodedata.normalize("NFC", " ".join(value.split()))
    return None


def _describe(value: object) -> str:
    if isinstance(value, str):
        return "an empty string"
    if isinstance(value, bool) or value is None:
        return repr(value).lower() if value is None else str(value).lower()
    return f"a {type(value).__name__} ({value!r:.40})"
