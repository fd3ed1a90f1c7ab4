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
