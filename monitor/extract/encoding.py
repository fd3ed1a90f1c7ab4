"""Decoding page bytes: BOM, then HTTP header, then <meta>, then detection.

GBK-family declarations are read as gb18030 (a superset), since government CMSs declare gb2312 while serving
characters outside it. A UTF-16 byte-order mark wins over a <meta charset=gb2312> inside the page: the mark
describes the bytes, the meta was copied from a template.

A header naming a Western single-byte charset (ISO-8859-1/latin-1, windows-1252, ISO-8859-15) is weak evidence: it
is what Tomcat, Apache and many proxies send by default, whatever the page is, and those charsets decode any bytes,
so trying it first would always "succeed". For such a header the body is read as CJK instead when the bytes say so:

1. the body is valid UTF-8 with non-ASCII bytes (Latin-1 text is practically never valid UTF-8); else
2. the <meta> declares a multi-byte charset (GBK family, UTF-8, Big5, Shift_JIS, EUC…), the body decodes in it
   (at most a few replacement characters, as for a truncated page) and that reading is plausible; else
3. without any meta charset, the body is valid GB18030 with a plausible reading.

Plausible: at least two CJK characters (ideographs, kana or hangul), and at least 80 % of the body's non-ASCII bytes
stand next to another non-ASCII byte. CJK text is runs of multi-byte characters; Latin-1 text has lone accented
letters between ASCII ones ("für", "très"), which GB18030 would also decode, into nonsense. A page genuinely in
Latin-1 (an English or German error page) stays Latin-1, with or without a CJK meta copied from a template.
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
# Codec names (after normalise) of header charsets that servers send by default and that decode any bytes.
_WEAK_HEADER = {"iso8859-1", "cp1252", "iso8859-15"}
_MULTIBYTE = {"gb18030", "utf-8", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "iso2022_jp"}
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_HIGH = re.compile(rb"[\x80-\xff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
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


def _few_replacements(text: str) -> bool:
    return text.count("\ufffd") <= max(2, len(text) // 200)


def _plausible_cjk(body: bytes, text: str) -> bool:
    """Does a multi-byte reading look like CJK text rather than Latin-1 letters paired into nonsense?"""
    if len(_CJK_CHAR.findall(text, 0, 200_000)) < 2:
        return False
    sample = body[:200_000]
    high = len(_HIGH.findall(sample))
    return high > 0 and sum(len(run) for run in _HIGH_RUN.findall(sample)) >= 0.8 * high


def _over_weak_header(body: bytes, meta: str | None) -> tuple[str, str] | None:
    """The CJK reading of a body served with a default Western charset header, when the bytes say so (see the
    module docstring), else None (the header is believed)."""
    if not _HIGH.search(body):
        return None  # pure ASCII reads the same either way
    text = _try(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    if meta in _MULTIBYTE:
        text = body.decode(meta, errors="replace")
        return (text, meta) if _few_replacements(text) and _plausible_cjk(body, text) else None
    if meta is not None:
        return None  # the meta names a single-byte charset too: the two declarations are believed
    text = _try(body, "gb18030")
    if text is not None and _plausible_cjk(body, text):
        return text, "gb18030"
    return None


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding name) of a page body."""
    bom = _bom(body)
    if bom:
        return body.decode(bom, errors="replace"), bom.replace("-sig", "")
    header = _HEADER.search(content_type or "")
    meta = _META.search(body[:4096])
    if header and normalise(header.group(1)) in _WEAK_HEADER:
        cjk = _over_weak_header(body, normalise(meta.group(1).decode("ascii")) if meta else None)
        if cjk is not None:
            return cjk
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
