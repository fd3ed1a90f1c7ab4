"""Decoding page bytes: BOM, then HTTP header, then <meta>, then detection.

GBK-family declarations are read as gb18030 (a superset), since government CMSs declare gb2312 while serving
characters outside it. A UTF-16 byte-order mark wins over a <meta charset=gb2312> inside the page: the mark
describes the bytes, the meta was copied from a template.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_GBK_FAMILY = {"gb2312", "gbk", "gb_2312-80", "gb18030", "x-gbk", "cp936", "euc-cn", "hz-gb-2312"}
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", b"Rar!",
          b"7z\xbc\xaf", b"\x1f\x8b", b"MZ", b"\x00\x00\x01\x00", b"OggS", b"ID3", b"RIFF")


def normalise(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when the name is unknown."""
    if not name:
        return None
    name = name.strip().lower()
    if name in _GBK_FAMILY:
        return "gb18030"
    if name in ("big5", "big5-hkscs"):
        return "big5hkscs"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _bom(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def looks_binary(body: bytes) -> bool:
    """True for bytes that are no text page: known file signatures, or NUL bytes without a UTF-16/32 BOM."""
    head = body[:1024]
    if head.startswith(_MAGIC):
        return True
    return b"\x00" in head and _bom(body) not in ("utf-16", "utf-32")


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding name) of a page body."""
    bom = _bom(body)
    if bom:
        return body.decode(bom, errors="replace"), bom.replace("-sig", "")
    header = _HEADER.search(content_type or "")
    meta = _META.search(body[:4096])
    for declared in (header.group(1) if header else None, meta.group(1).decode("ascii") if meta else None):
        encoding = normalise(declared)
        text = _try(body, encoding)
        if text is not None:
            return text, encoding
    text = _try(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    if _try(body, "gb18030") is not None:
        # Valid GB18030 that is not UTF-8: a Chinese page is far likelier than the Latin or Korean reading a
        # detector may prefer for short GBK texts.
        return body.decode("gb18030"), "gb18030"
    best = from_bytes(body[:65536]).best()
    detected = normalise(best.encoding) if best is not None else None
    # Nothing decodes cleanly (a truncated page, a stray byte): the declared encodings, UTF-8 and GB18030 are
    # kept when they need few replacements; a detector's single-byte guess decodes anything without one, so it
    # only wins when they all fail badly.
    candidates = list(dict.fromkeys(c for c in (normalise(header.group(1)) if header else None,
                                                normalise(meta.group(1).decode("ascii")) if meta else None,
                                                "utf-8", "gb18030", detected) if c))
    decoded = {c: body.decode(c, errors="replace") for c in candidates}
    for c in candidates[:-1] if detected else candidates:
        if decoded[c].count("\ufffd") <= max(2, len(decoded[c]) // 200):
            return decoded[c], c
    encoding = min(candidates, key=lambda c: decoded[c].count("\ufffd"))
    return decoded[encoding], encoding
