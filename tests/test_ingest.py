"""Tests for geo.ingest: files, folders, JSON Lines and HTML -> Articles."""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import ingest
from geo.ingest import Problem, extract_html, iter_articles, read_articles, safe_id
from geo.types import Article

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples" / "corpus"
SAFE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 4


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def messages(problems: list[Problem]) -> list[str]:
    return [problem.message for problem in problems]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good.txt", "date 2022-03-29\nKYIV, Ukraine - Talks opened.\n")


# --------------------------------------------------------------------------- plain text


def test_plain_text_with_date_line(good: Path) -> None:
    articles, problems = read_articles(good)
    assert problems == []
    assert articles == [
        Article(
            id="good",
            text="KYIV, Ukraine - Talks opened.\n",
            date="2022-03-29",
            title=None,
            source="good.txt",
            path=str(good),
        )
    ]


def test_missing_date_line_keeps_text(tmp_path: Path) -> None:
    path = write(tmp_path / "nodate.txt", "Date palms do not grow in Kharkiv.\n")
    [article], problems = read_articles(path)
    assert problems == []
    assert article.date is None
    assert article.text == "Date palms do not grow in Kharkiv.\n"


def test_malformed_date_line_warns_and_keeps_text(tmp_path: Path) -> None:
    path = write(tmp_path / "bad date.txt", "date 2022-13-45\nSumy was shelled overnight.\n")
    [article], [problem] = read_articles(path)
    assert article.date is None
    assert article.text == "Sumy was shelled overnight.\n"
    assert problem.severity == "warning"
    assert problem.line == 1
    assert problem.message == (
        f"{str(path)!r} line 1: malformed date '2022-13-45' (expected 'date YYYY-MM-DD'); "
        "date left empty, text kept"
    )


def test_offsets_are_into_the_text_after_the_date_line(tmp_path: Path) -> None:
    body = "MYKOLAIV, Ukraine, March 29 - A missile hit the building.\n"
    path = write(tmp_path / "a.txt", "date 2022-03-29\n" + body)
    [article], _ = read_articles(path)
    start = article.text.index("MYKOLAIV")
    assert start == 0
    assert article.text[start : start + len("MYKOLAIV")] == "MYKOLAIV"


def test_date_on_the_same_line_as_the_text(tmp_path: Path) -> None:
    # Some scraped files carry the date and the first sentence on one line.
    path = write(tmp_path / "inline.txt", " date 2022-03-30 Russia said it would scale down.")
    [article], problems = read_articles(path)
    assert problems == []
    assert article.date == "2022-03-30"
    assert article.text == "Russia said it would scale down."


def test_text_is_normalised_but_characters_kept(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Café in Kyiv — “quoted”\u00a0text")
    path = tmp_path / "crlf.txt"
    path.write_bytes(("\ufeff" + decomposed + "\r\nline two\rline three\r\n").encode("utf-8"))
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == "Café in Kyiv — “quoted”\u00a0text\nline two\nline three\n"
    assert unicodedata.is_normalized("NFC", article.text)


def test_empty_file_is_reported_and_others_still_read(tmp_path: Path, good: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.touch()
    articles, [problem] = read_articles([empty, good])
    assert [article.id for article in articles] == ["good"]
    assert problem == Problem(
        str(empty), f"{str(empty)!r} is empty (0 bytes); nothing to read", "warning"
    )


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.txt", " \n\n\t\n")
    articles, [problem] = read_articles(path)
    assert articles == []
    assert problem.message == f"{str(path)!r} holds only whitespace; nothing to read"


def test_date_line_without_text(tmp_path: Path) -> None:
    path = write(tmp_path / "only-date.txt", "date 2022-03-29\n\n")
    articles, [problem] = read_articles(path)
    assert articles == []
    assert problem.message == f"{str(path)!r} has a date line but no text after it; nothing to read"


def test_binary_image_renamed_txt(tmp_path: Path, good: Path) -> None:
    image = tmp_path / "photo.txt"
    image.write_bytes(PNG)
    articles, [problem] = read_articles([image, good])
    assert len(articles) == 1
    assert problem.severity == "error"
    assert problem.message == (
        f"{str(image)!r} looks like a binary file, not text "
        "(it starts with the signature of a PNG image); not read"
    )


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(b"some text\x00\x01\x02 more text" * 10)
    _, [problem] = read_articles(path)
    assert problem.message == (
        f"{str(path)!r} looks like a binary file, not text (it contains NUL bytes); not read"
    )


def test_binary_with_many_control_bytes(tmp_path: Path) -> None:
    path = tmp_path / "controls.md"
    path.write_bytes(b"ab\x01\x02\x03\x04\x05\x06" * 100)
    _, [problem] = read_articles(path)
    assert problem.message == (
        f"{str(path)!r} looks like a binary file, not text "
        "(75% of its first 800 bytes are control characters); not read"
    )


# --------------------------------------------------------------------------- encodings


def test_cp1251_is_decoded_with_a_warning() -> None:
    path = DATA / "ingest_cp1251.txt"
    [article], [problem] = read_articles(path)
    assert article.date == "2022-03-30"
    assert article.text.startswith("Ракета влучила в будівлю обласної адміністрації в Миколаєві.")
    assert problem.severity == "warning"
    assert problem.message == (
        f"{str(path)!r} is not UTF-8; decoded as 'cp1251' (a guess). "
        "Check the text, or save the file as UTF-8"
    )


def test_utf16_with_bom() -> None:
    [article], problems = read_articles(DATA / "ingest_utf16.txt")
    assert problems == []
    assert article.date == "2022-03-29"
    assert article.text == (
        "KHARKIV, Ukraine – Shelling hit the centre of Kharkiv again on Tuesday, "
        "“officials” said.\n"
    )


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-32", "utf-8-sig"])
def test_other_byte_order_marks(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "bom.txt"
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + "Kyiv – Київ\n".encode(encoding))
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == "Kyiv – Київ\n"


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "nobom.txt"
    path.write_bytes("Shelling in Mariupol continued.\n".encode("utf-16-le"))
    [article], [problem] = read_articles(path)
    assert article.text == "Shelling in Mariupol continued.\n"
    assert "decoded as 'utf-16-le' (a guess)" in problem.message


def test_broken_bom(tmp_path: Path) -> None:
    path = tmp_path / "badbom.txt"
    path.write_bytes(b"\xef\xbb\xbfKyiv \xff\xfe\xfd")
    _, [problem] = read_articles(path)
    assert problem.severity == "error"
    assert problem.message.startswith(
        f"{str(path)!r} starts with a utf-8 byte-order mark but is not valid utf-8 "
        "(invalid start byte"
    )


# --------------------------------------------------------------------------- size limit


def test_file_over_the_size_limit_is_refused(tmp_path: Path, good: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(100 * 1024 * 1024)
    articles, [problem] = read_articles([big, good])
    assert len(articles) == 1
    assert problem.severity == "error"
    assert problem.message == (
        f"{str(big)!r} is 100.0 MB, over the 50.0 MB size limit; not read. "
        "Raise the limit to read it anyway (geo build --max-file-mb 100, "
        f"or max_bytes={100 * 1024 * 1024} in Python)"
    )


def test_size_limit_can_be_raised(tmp_path: Path) -> None:
    path = write(tmp_path / "medium.txt", "Kharkiv. " * 300)
    assert read_articles(path, max_bytes=1000)[0] == []
    [article], problems = read_articles(path, max_bytes=10_000)
    assert problems == []
    assert article.text.startswith("Kharkiv.")


def test_size_limit_default_comes_from_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "medium.txt", "Kharkiv. " * 300)
    monkeypatch.setattr(ingest, "MAX_BYTES", 1000)
    _, [problem] = read_articles(path)
    assert "over the 0.0 MB size limit" in problem.message


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    record = json.dumps({"id": "x", "text": "a" * 20_000})
    path.write_bytes(gzip.compress(record.encode()))
    _, [problem] = read_articles(path, max_bytes=5_000)
    assert problem.message == (
        f"{str(path)!r} decompresses to more than 0.0 MB, over the size limit; not read. "
        "Pass a larger max_bytes to read it anyway"
    )


def test_corrupt_gzip(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    _, [problem] = read_articles(path)
    assert problem.severity == "error"
    assert problem.message.startswith(f"{str(path)!r} is not a valid gzip file (")


# --------------------------------------------------------------------------- HTML


def test_html_page_with_boilerplate() -> None:
    path = DATA / "ingest_page.html"
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == (
        "Missile hits Mykolaiv regional administration\n\n"
        "MYKOLAIV, Ukraine — A missile tore through the regional administration building on "
        "Tuesday morning.\n\n"
        "Rescuers searched the rubble\nfor survivors.\n\n"
        "Governor Vitaliy Kim was not in the building."
    )
    boilerplate = ["Odesa", "Lviv", "Poltava", "Uzhhorod", "Chernivtsi", "Dnipro", "Zaporizhzhia"]
    boilerplate += ["cookies", "Newsletter", "dataLayer", "font-family", "Share on"]
    for word in boilerplate:
        assert word not in article.text
    assert article.title == "Missile hits Mykolaiv regional administration"
    assert article.date == "2022-03-29"  # article:published_time wins over <time>
    assert article.source == "Example News"
    assert article.id == "ingest_page"


def test_html_without_article_uses_title_time_and_body() -> None:
    page = extract_html(
        "<html><head><title>  Sumy\n under fire </title></head><body>"
        "<div id='menu'><a>Kherson</a></div>"
        "<p>Shelling hit Sumy.<p>Residents sheltered. "
        "<span><time datetime='2022-04-01T09:00'>1 April</time></span>"
        "<footer>Kherson bureau</footer></body></html>"
    )
    assert page.text == "Shelling hit Sumy.\n\nResidents sheltered. 1 April"
    assert page.title == "Sumy under fire"
    assert page.date == "2022-04-01"


def test_html_prefers_main_and_falls_back_to_divs() -> None:
    page = extract_html(
        "<body><div>Top menu Lviv</div><main><div>Kyiv text in a div.</div>"
        "<div>Second <b>bold</b> block.</div></main></body>"
    )
    assert page.text == "Kyiv text in a div.\n\nSecond bold block."


def test_html_class_heuristics_never_empty_a_page() -> None:
    page = extract_html("<div class='page-with-sidebar'><p>Irpin was retaken.</p></div>")
    assert page.text == "Irpin was retaken."


def test_html_date_from_json_ld() -> None:
    page = extract_html(
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2022-03-28T20:00:00Z"}</script><p>Irpin was retaken.</p>'
    )
    assert page.date == "2022-03-28"
    assert page.text == "Irpin was retaken."


def test_html_malformed_date_warns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.htm",
        "<meta property='article:published_time' content='yesterday'><p>Chernihiv.</p>",
    )
    [article], [problem] = read_articles(path)
    assert article.date is None
    assert article.text == "Chernihiv."
    assert problem.message == (
        f"{str(path)!r}: the page's date 'yesterday' is not a valid date; date left empty"
    )


def test_html_with_no_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "empty.html", "<html><script>var a = 'Kyiv';</script><nav>Menu</nav></html>"
    )
    articles, [problem] = read_articles(path)
    assert articles == []
    assert problem.message == (
        f"{str(path)!r} is an HTML page with no article text (only scripts, navigation, markup)"
    )


def test_html_in_a_legacy_encoding_uses_the_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "legacy.html"
    path.write_bytes("<meta charset='windows-1251'><p>Київ</p>".encode("cp1251"))
    [article], [problem] = read_articles(path)
    assert article.text == "Київ"
    assert "decoded as 'windows-1251'" in problem.message


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_with_broken_lines() -> None:
    path = DATA / "ingest_broken.jsonl"
    name = repr(str(path))
    articles, problems = read_articles(path)
    assert [article.id for article in articles] == ["wire-1", "lgl-1", "wire-4"]
    assert articles[0] == Article(
        id="wire-1",
        text="KYIV, March 29 - Talks opened in Istanbul.",
        date="2022-03-29",
        title="Talks open",
        source="Wire",
        path=str(path),
    )
    assert articles[1].source == "http://example.org/sumy"  # corpus format: url as source
    assert articles[1].title == "Sumy"
    assert articles[2].date is None
    assert [(problem.line, problem.severity) for problem in problems] == [
        (2, "error"), (3, "error"), (5, "error"), (6, "error"), (8, "warning"),
    ]  # fmt: skip
    assert messages(problems) == [
        f"{name} line 2: not valid JSON (Expecting ',' delimiter at column 82); line skipped",
        f"{name} line 3: not valid JSON (Expecting value at column 1); line skipped",
        f"{name} line 5: expected a JSON object, got list; line skipped",
        f"{name} line 6: no 'text' field (keys: id, title); a record needs a non-empty 'text' "
        "string; line skipped",
        f"{name} line 8: malformed date '2022-13-45' (expected 'YYYY-MM-DD'); date left empty, "
        "text kept",
    ]


def test_jsonl_gz_and_ndjson(tmp_path: Path) -> None:
    lines = [{"id": 7, "text": "Kherson was quiet."}, {"text": "Mykolaiv was shelled."}]
    body = "\n".join(json.dumps(line) for line in lines) + "\n"
    gz = tmp_path / "wire.jsonl.gz"
    gz.write_bytes(gzip.compress(body.encode()))
    nd = write(tmp_path / "other.ndjson", json.dumps({"id": "n1", "text": "Sumy held."}))
    articles, problems = read_articles([gz, nd])
    assert problems == []
    assert [(a.id, a.text, a.source) for a in articles] == [
        ("7", "Kherson was quiet.", "wire.jsonl.gz"),
        ("wire-2", "Mykolaiv was shelled.", "wire.jsonl.gz"),
        ("n1", "Sumy held.", "other.ndjson"),
    ]


def test_jsonl_text_with_unicode_line_separator(tmp_path: Path) -> None:
    # U+2028 is legal inside a JSON string; it must not split the record.
    record = '{"id": "a", "text": "Kyiv\u2028Irpin"}\n'
    path = write(tmp_path / "sep.jsonl", record)
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == "Kyiv\u2028Irpin"


def test_jsonl_with_no_usable_record(tmp_path: Path) -> None:
    path = write(tmp_path / "none.jsonl", '{"id": 1, "text": ""}\n')
    articles, problems = read_articles(path)
    assert articles == []
    assert messages(problems) == [
        f"{str(path)!r} line 1: 'text' is an empty string (keys: id, text); a record needs a "
        "non-empty 'text' string; line skipped",
        f"{str(path)!r} holds no usable JSON Lines records",
    ]


def test_jsonl_bad_id_type(tmp_path: Path) -> None:
    path = write(tmp_path / "ids.jsonl", '{"id": [1], "text": "Kharkiv."}\n')
    [article], [problem] = read_articles(path)
    assert article.id == "ids-1"
    assert problem.message == (
        f"{str(path)!r} line 1: 'id' is a list ([1]), not a string or number; id made from "
        "the line number"
    )


# --------------------------------------------------------------------------- duplicates, ids


def test_duplicate_article_is_skipped_with_a_warning_naming_both(tmp_path: Path) -> None:
    first = write(tmp_path / "a.txt", "date 2022-03-29\nIrpin was retaken by Ukrainian forces.\n")
    second = write(tmp_path / "b.txt", "IRPIN   was retaken\nby Ukrainian forces.")
    articles, [problem] = read_articles(tmp_path)
    assert [article.id for article in articles] == ["a"]
    assert problem.severity == "warning"
    assert problem.message == (
        f"{str(second)!r}: article 'b' has the same text as article 'a' from {str(first)!r}; "
        "kept the first, skipped this copy"
    )


def test_duplicate_between_jsonl_and_text(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Sumy held out.")
    jsonl = write(tmp_path / "b.jsonl", json.dumps({"id": "s", "text": "Sumy held out."}))
    articles, [problem] = read_articles(tmp_path)
    assert [article.id for article in articles] == ["a"]
    assert problem.line == 1
    assert problem.message.startswith(f"'{jsonl}:1': article 's' has the same text as article 'a'")


def test_id_collision_gets_a_new_id(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kyiv.")
    jsonl = write(tmp_path / "b.jsonl", json.dumps({"id": "a", "text": "Kharkiv."}))
    articles, [problem] = read_articles(tmp_path)
    ids = [article.id for article in articles]
    assert ids[0] == "a"
    assert ids[1].startswith("a-")
    assert problem.message == (
        f"'{jsonl}:1': id 'a' is already used by {str(tmp_path / 'a.txt')!r}; "
        f"this article gets id {ids[1]!r}"
    )


def test_unsafe_record_id_is_sanitised(tmp_path: Path) -> None:
    path = write(tmp_path / "x.jsonl", json.dumps({"id": "../../etc/x", "text": "Kyiv."}))
    [article], _ = read_articles(path)
    assert article.id.startswith("etc_x-")
    assert SAFE.fullmatch(article.id)


def test_same_stem_in_two_folders_gets_two_stable_ids(tmp_path: Path) -> None:
    write(tmp_path / "reuters" / "mykolaiv.txt", "Seven killed in Mykolaiv.")
    write(tmp_path / "bbc" / "mykolaiv.txt", "Twelve killed in Mykolaiv.")
    articles, problems = read_articles(tmp_path)
    assert problems == []
    ids = [article.id for article in articles]
    assert [article.path for article in articles] == [
        str(tmp_path / "bbc" / "mykolaiv.txt"),
        str(tmp_path / "reuters" / "mykolaiv.txt"),
    ]
    assert len(set(ids)) == 2
    assert all(re.fullmatch(r"mykolaiv-[0-9a-f]{8}", article_id) for article_id in ids)
    # ids depend on the path inside the folder, not on where the folder is
    moved = tmp_path.parent / (tmp_path.name + "-moved")
    tmp_path.rename(moved)
    assert [article.id for article in read_articles(moved)[0]] == ids


def test_path_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    path = write(tmp_path / "новини з Києва" / "Mykolaїv strike report.txt", "Kyiv.")
    [article], problems = read_articles(tmp_path)
    assert problems == []
    assert article.path == str(path)
    assert re.fullmatch(r"Mykolav_strike_report-[0-9a-f]{8}", article.id)


@given(st.text(max_size=200))
def test_safe_id_property(raw: str) -> None:
    result = safe_id(raw)
    assert SAFE.fullmatch(result)
    assert len(result) <= 80
    assert ".." not in result
    assert safe_id(raw) == result
    if result == raw:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", raw)


# --------------------------------------------------------------------------- files and folders


def test_missing_path(tmp_path: Path, good: Path) -> None:
    missing = tmp_path / "nope.txt"
    articles, [problem] = read_articles([missing, good])
    assert len(articles) == 1
    assert problem == Problem(str(missing), f"{str(missing)!r} does not exist", "error")


def test_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")
    _, [problem] = read_articles(link)
    assert problem.message == (
        f"{str(link)!r} does not exist (a broken symbolic link to {str(tmp_path / 'gone.txt')!r})"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads chmod 000 files")
def test_unreadable_file_real_permissions(tmp_path: Path, good: Path) -> None:
    locked = write(tmp_path / "locked.txt", "secret")
    locked.chmod(0)
    try:
        articles, [problem] = read_articles([locked, good])
    finally:
        locked.chmod(0o644)
    assert len(articles) == 1
    assert problem.message == (
        f"{str(locked)!r} cannot be read: permission denied. Check the file's permissions"
    )


def test_unreadable_file_simulated(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write(tmp_path / "locked.txt", "secret")
    real_open = Path.open

    def fake_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", fake_open)
    articles, [problem] = read_articles([locked, good])
    assert [article.id for article in articles] == ["good"]
    assert problem == Problem(
        str(locked),
        f"{str(locked)!r} cannot be read: permission denied. Check the file's permissions",
        "error",
    )


def test_other_os_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "io.txt", "text")

    def fake_open(self: Path, *args: object, **kwargs: object) -> object:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Path, "open", fake_open)
    _, [problem] = read_articles(path)
    assert problem.message == f"{str(path)!r} cannot be read: Input/output error"


def test_symlink_loop_in_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    write(root / "sub" / "a.txt", "Kharkiv was shelled.")
    loop = root / "sub" / "back"
    loop.symlink_to(root, target_is_directory=True)
    articles, [problem] = read_articles(root)
    assert [article.id for article in articles] == ["a"]
    assert problem.severity == "warning"
    assert problem.message == (
        f"{str(loop)!r} is a symbolic link loop (it points back to {str(root)!r}, a folder "
        "already being read); not followed"
    )


def test_self_referencing_symlink(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kyiv.")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    articles, [problem] = read_articles(tmp_path)
    assert len(articles) == 1
    assert "is a symbolic link loop" in problem.message


def test_folder_order_filters_and_recursion(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "b.md", "B from Kherson.")
    write(tmp_path / "a.txt", "A from Kyiv.")
    write(tmp_path / "sub" / "c.htm", "<p>C from Sumy.</p>")
    write(tmp_path / "notes.docx", "not read")
    write(tmp_path / ".hidden.txt", "not read either")
    write(tmp_path / "README.md", "# About this folder")
    with caplog.at_level(logging.DEBUG, logger="geo.ingest"):
        articles, problems = read_articles(tmp_path)
    assert problems == []
    assert [article.id for article in articles] == ["a", "b", "c"]
    assert f"skipped {tmp_path / 'notes.docx'}: not a .txt" in caplog.text
    assert f"skipped {tmp_path / 'README.md'}: a folder's documentation" in caplog.text
    assert [article.id for article in read_articles(tmp_path, recursive=False)[0]] == ["a", "b"]


def test_folder_with_nothing_to_read(tmp_path: Path) -> None:
    write(tmp_path / "notes.docx", "not read")
    articles, [problem] = read_articles(tmp_path)
    assert articles == []
    assert problem.message == (
        f"folder {str(tmp_path)!r} holds no .txt, .md, .html, .htm, .jsonl or .ndjson files; "
        "nothing to read"
    )


def test_unknown_extension_named_explicitly_is_read_as_text(tmp_path: Path) -> None:
    path = write(tmp_path / "wire.story", "date 2022-04-02\nTroops left the Kyiv region.")
    [article], problems = read_articles(path)
    assert problems == []
    assert (article.id, article.date) == ("wire", "2022-04-02")


def test_article_without_places(tmp_path: Path) -> None:
    path = write(tmp_path / "none.txt", "Officials said talks would continue next week.")
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == "Officials said talks would continue next week."


def test_article_with_ten_thousand_place_names(tmp_path: Path) -> None:
    names = ["Kyiv", "Kharkiv", "Mykolaiv", "Sumy", "Chernihiv"]
    text = ", ".join(names[i % 5] for i in range(10_000)) + "."
    path = write(tmp_path / "many.txt", "date 2022-04-01\n" + text)
    [article], problems = read_articles(path)
    assert problems == []
    assert article.text == text
    assert article.text.count("Mykolaiv") == 2_000


def test_iter_articles_streams_in_order(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Kyiv.")
    (tmp_path / "b.txt").touch()
    write(tmp_path / "c.txt", "Sumy.")
    stream = iter_articles(tmp_path)
    assert iter(stream) is stream
    kinds = [type(item).__name__ for item in stream]
    assert kinds == ["Article", "Problem", "Article"]


def test_unexpected_error_in_one_file_is_a_problem(
    tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = write(tmp_path / "page.html", "<p>Kyiv</p>")

    def boom(markup: str) -> object:
        raise RuntimeError("parser exploded")

    monkeypatch.setattr(ingest, "extract_html", boom)
    articles, [problem] = read_articles([page, good])
    assert len(articles) == 1
    assert problem.message == (
        f"{str(page)!r} could not be read: unexpected RuntimeError: parser exploded"
    )


def test_wrong_argument_type() -> None:
    with pytest.raises(TypeError, match=r"expected a file or folder path .* got 3 of type int"):
        read_articles([3])  # type: ignore[list-item]


def test_one_info_line_with_counts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "a.txt", "Kyiv.")
    write(tmp_path / "b.txt", "Kyiv.")
    (tmp_path / "c.txt").touch()
    with caplog.at_level(logging.INFO, logger="geo.ingest"):
        read_articles(tmp_path)
    info = [record.getMessage() for record in caplog.records if record.levelno == logging.INFO]
    assert info == ["ingest: 1 articles from 3 files (1 duplicates skipped, 0 errors, 2 warnings)"]


def test_problem_str() -> None:
    assert str(Problem("a.txt", "'a.txt' is empty", "warning")) == "warning: 'a.txt' is empty"


# --------------------------------------------------------------------------- bundled example


def test_bundled_example_corpus_reads_cleanly() -> None:
    articles, problems = read_articles(EXAMPLES)
    assert problems == []
    assert len(articles) >= 12
    assert all(article.date and article.date.startswith("2022-0") for article in articles)
    assert {article.path.rsplit(".", 1)[-1] for article in articles if article.path} == {
        "txt", "jsonl", "html",
    }  # fmt: skip
    assert all(SAFE.fullmatch(article.id) for article in articles)
