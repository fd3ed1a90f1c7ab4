"""Classify how a fetch ended: the outcome classes stored in pages.outcome and link_checks.outcome.

ok · http (any status ≥ 300 that was not followed; the status is stored beside) · timeout · dns · refused · tls ·
too_large (a body over DOWNLOAD_MAXSIZE, before or after decompression, or headers over MONITOR_MAX_HEADER_BYTES:
the fetch is stopped at the limit; 响应头超过上限 / 解压后超过下载上限 in the error column) · not_html · empty ·
unparsable · redirect_loop · connection (reset or closed mid-way) ·
no_aaaa / no_route (IPv6 probe) · forbidden (refused by the address policy before any connection: the host is or
resolves to an internal or reserved address, monitor/guard.py; the reason 目标地址为内网或保留地址,已拒绝访问 is stored
in the error column) · error (anything else).

forbidden is what the crawler refused, not what the site did: it is never evidence that a site or link fails. A
probe visit with it is left out of the availability count (like a 403 answer), a link or page with it is 待定.

A page that arrived but is not the page asked for (monitor/extract/unreadable.py), judged 待定, never blank or stale:
challenge (an anti-bot check: 瑞数 202/412 pages that set a cookie by script and reload, 磐云/加速乐 browser checks,
redirect stubs that keep sending the crawler back to themselves) · blocked (a WAF block page) · login (a login
wall) · moved (a 域名变更 notice or a stub sending visitors to another site) · unrendered (a list built by script that
could not be read, not even from the page rendered in Chromium). The reason is stored in pages.error.
"""

from __future__ import annotations

from scrapy import exceptions
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from twisted.internet import error as txerror
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from monitor.guard import FORBIDDEN, ForbiddenAddressError
from monitor.hostmap import HeadersTooLargeError, headers_too_large

HTML_TYPES = (b"text/html", b"application/xhtml", b"text/plain", b"")
INTERSTITIAL_OUTCOMES = ("challenge", "blocked", "login", "moved", "unrendered")
DECOMPRESSED_TOO_LARGE = "解压后超过下载上限,已中止解压"


def _decompression_bomb(exc: BaseException) -> bool:
    """HttpCompressionMiddleware's IgnoreRequest for a body that inflates past DOWNLOAD_MAXSIZE (Scrapy decompresses
    in 64 KiB steps and stops at the limit); told by its cause, not its text, which holds the URL."""
    return isinstance(exc, IgnoreRequest) and isinstance(exc.__cause__, _DecompressionMaxSizeExceeded)


def _tls_failure(exc: BaseException) -> bool:
    text = f"{type(exc).__module__}.{type(exc).__name__} {exc}"
    return "SSL" in text or "ssl" in text or "TLS" in text or "OpenSSL" in text


def classify_exception(exc: BaseException) -> str:
    if isinstance(exc, ForbiddenAddressError):  # an IgnoreRequest: before the IgnoreRequest readings below
        return FORBIDDEN
    if isinstance(exc, HeadersTooLargeError) or _decompression_bomb(exc) or headers_too_large(exc) is not None:
        return "too_large"
    # Scrapy ≥ 2.14 wraps Twisted's errors in its own; the original stays in __cause__.
    scrapy_classes = {
        exceptions.CannotResolveHostError: "dns",
        exceptions.DownloadTimeoutError: "timeout",
        exceptions.DownloadConnectionRefusedError: "refused",
    }
    for cls, outcome in scrapy_classes.items():
        if isinstance(exc, cls):
            return outcome
    if isinstance(exc, exceptions.DownloadCancelledError) or "download max size" in str(exc):
        return "too_large"
    if exc.__cause__ is not None and isinstance(exc, exceptions.DownloadFailedError | exceptions.ResponseDataLossError):
        inner = classify_exception(exc.__cause__)
        return inner if inner != "error" else "connection"
    if isinstance(exc, txerror.DNSLookupError):
        return "dns"
    if isinstance(exc, txerror.TimeoutError | txerror.TCPTimedOutError | TimeoutError):
        return "timeout"
    if isinstance(exc, txerror.ConnectionRefusedError):
        return "refused"
    if isinstance(exc, IgnoreRequest) and str(exc).startswith("no_aaaa"):
        return "no_aaaa"
    if isinstance(exc, IgnoreRequest) and "redirect" in str(exc).lower():
        return "redirect_loop"
    if isinstance(exc, ResponseNeverReceived | ResponseFailed):
        for reason in getattr(exc, "reasons", None) or []:
            value = reason.value if isinstance(reason, Failure) else reason
            if _tls_failure(value):
                return "tls"
        return "connection"
    if _tls_failure(exc):
        return "tls"
    if isinstance(exc, txerror.ConnectError | txerror.ConnectionLost | exceptions.ResponseDataLossError):
        return "connection"
    return "error"


def classify_failure(failure: Failure) -> str:
    return classify_exception(failure.value)


def describe(failure: Failure) -> str:
    exc = failure.value
    if _decompression_bomb(exc):
        return f"{DECOMPRESSED_TOO_LARGE}: {exc}"[:500]
    if (inner := headers_too_large(exc)) is not None:  # unwrapped by the download handler; kept for other paths
        exc = inner
    return f"{type(exc).__name__}: {exc}"[:500]


def is_html(content_type: bytes | None) -> bool:
    ctype = (content_type or b"").split(b";")[0].strip().lower()
    return any(ctype.startswith(t) for t in HTML_TYPES if t) or not ctype
