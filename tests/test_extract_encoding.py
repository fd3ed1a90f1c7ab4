"""Decoding page bodies: BOMs, declared charsets, GBK without any declaration, broken and binary bodies."""

from __future__ import annotations

import codecs

import pytest

from monitor.extract.encoding import decode, looks_binary

PAGE = "<html><head><meta charset='gb2312'><title>红河州人民政府</title></head><body>工作动态 通知公告 镕</body></html>"


def test_gbk_body_without_header_or_meta_is_read_as_gb18030() -> None:
    body = "<html><body>个旧市人民政府 通知公告 政策文件 工作动态</body></html>".encode("gbk")
    text, encoding = decode(body, None)
    assert encoding == "gb18030" and "个旧市人民政府" in text


def test_gb2312_declaration_is_read_as_its_superset() -> None:
    # 镕 is outside GB2312: CMSs declare gb2312 and serve GBK characters.
    text, encoding = decode(PAGE.encode("gb18030"), "text/html")
    assert encoding == "gb18030" and "镕" in text


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_bom_wins_over_meta_and_header_declaring_gb2312(bom: bytes, codec: str) -> None:
    text, encoding = decode(bom + PAGE.encode(codec), "text/html; charset=gb2312")
    assert encoding == "utf-16" and "工作动态" in text and not text.startswith("\ufeff")


def test_utf8_bom_wins_over_header() -> None:
    text, encoding = decode(codecs.BOM_UTF8 + "<p>政务公开</p>".encode(), "text/html; charset=gbk")
    assert (text, encoding) == ("<p>政务公开</p>", "utf-8")


def test_header_charset_wins_over_meta() -> None:
    body = "<meta charset='utf-8'><p>政务公开</p>".encode("gbk")
    assert decode(body, 'text/html; charset="GBK"') == ("<meta charset='utf-8'><p>政务公开</p>", "gb18030")


def test_http_equiv_meta_is_read() -> None:
    body = '<meta http-equiv="Content-Type" content="text/html; charset=GB2312"><p>政务公开</p>'.encode("gbk")
    assert decode(body, "text/html")[1] == "gb18030"


def test_wrong_header_is_overridden_by_bytes_that_cannot_be_it() -> None:
    body = "<p>政务公开 工作动态</p>".encode("gbk")
    text, encoding = decode(body, "text/html; charset=utf-8")
    assert encoding == "gb18030" and "政务公开" in text


def test_broken_bodies_keep_the_readable_encoding() -> None:
    page = "<html><body>个旧市人民政府 通知公告 政策文件</body></html>"
    text, encoding = decode(page.encode("gbk") + b"\xff", None)  # a stray byte does not turn it into Cyrillic
    assert encoding == "gb18030" and "个旧市人民政府" in text
    text, encoding = decode(page.encode()[:-16] + b"\xe4\xb8", "text/html; charset=utf-8")  # truncated
    assert encoding == "utf-8" and "政策" in text


def test_empty_body() -> None:
    assert decode(b"", None) == ("", "utf-8")


def test_binary_signatures_and_nul_bytes() -> None:
    for body in (b"%PDF-1.7\n", b"PK\x03\x04docx", b"\x89PNG\r\n", b"\xff\xd8\xff\xe0jpeg", b"\xd0\xcf\x11\xe0doc",
                 b"<html>\x00\x00\x00</html>", b"\x00\x01\x02abc"):
        assert looks_binary(body), body
    assert not looks_binary(codecs.BOM_UTF16_LE + "<html>政务</html>".encode("utf-16-le"))  # NULs of UTF-16
    assert not looks_binary("<html>政务</html>".encode("gbk")) and not looks_binary(b"")
    assert not looks_binary("<html>政务</html>".encode())


# Servers' default charset headers (Tomcat, Apache, proxies): they decode any bytes, so they are weak evidence.
WEAK_HEADERS = ["text/html; charset=ISO-8859-1", "text/html;charset=latin-1", "text/html; charset=windows-1252",
                "text/html; charset=iso-8859-15"]
GBK_PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>通知公告_个旧市人民政府'
            '</title></head><body><a href="/a.html">关于开展安全生产大检查的通知</a> 2021-03-01 镕 '
            '<div class="footer">网站标识码：5325010001 滇ICP备05000003号</div></body></html>')


@pytest.mark.parametrize("header", WEAK_HEADERS)
def test_default_latin1_header_gives_way_to_a_gbk_meta(header: str) -> None:
    text, encoding = decode(GBK_PAGE.encode("gb18030"), header)
    assert (text, encoding) == (GBK_PAGE, "gb18030")


@pytest.mark.parametrize("header", WEAK_HEADERS[:2])
def test_default_latin1_header_gives_way_to_gbk_bytes_without_any_declaration(header: str) -> None:
    page = GBK_PAGE.replace('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "")
    assert decode(page.encode("gbk"), header) == (page, "gb18030")


def test_default_latin1_header_gives_way_to_utf8_bytes() -> None:
    page = GBK_PAGE.replace("gb2312", "utf-8")
    assert decode(page.encode(), "text/html; charset=ISO-8859-1") == (page, "utf-8")
    assert decode(page.replace("charset=utf-8", "").encode(), "text/html; charset=ISO-8859-1")[1] == "utf-8"
    # A template's gb2312 meta on a page saved as UTF-8: the bytes are UTF-8, whatever the two declarations say.
    assert decode(GBK_PAGE.encode(), "text/html; charset=ISO-8859-1") == (GBK_PAGE, "utf-8")


def test_truncated_gbk_page_under_a_latin1_header_is_still_gbk() -> None:
    text, encoding = decode(GBK_PAGE.encode("gb18030")[:-20] + b"\xb5", "text/html; charset=ISO-8859-1")
    assert encoding == "gb18030" and "网站标识码：5325010001" in text


# Genuine Latin-1 error pages: "Größe für Straße" and "très élève" are valid GB18030 too, read as nonsense hanzi.
LATIN1_PAGES = ["<html><head><title>Fehler 404</title></head><body>Die Seite wurde nicht gefunden. Größe für Straße "
                "Übersicht © Apache Tomcat</body></html>",
                "<html><body><h1>Erreur 500</h1>Ça marche très bien, élève. Réessayez plus tard.</body></html>"]


@pytest.mark.parametrize("page", LATIN1_PAGES)
def test_a_page_genuinely_in_latin1_stays_latin1(page: str) -> None:
    body = page.encode("latin-1")
    assert decode(body, "text/html; charset=ISO-8859-1") == (page, "iso8859-1")
    # with a CJK meta copied from the site's template, too: the bytes are no CJK text
    templated = page.replace("<html>", '<html><meta charset="gb2312">')
    assert decode(templated.encode("latin-1"), "text/html; charset=ISO-8859-1") == (templated, "iso8859-1")


def test_latin1_reading_of_gbk_bytes_would_lose_the_footer() -> None:
    """The failure the rule prevents: the header believed, the marks and the title are mojibake."""
    body = GBK_PAGE.encode("gb18030")
    assert "网站标识码" not in body.decode("latin-1")
    assert "网站标识码" in decode(body, "text/html; charset=ISO-8859-1")[0]
