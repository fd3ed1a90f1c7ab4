"""The host-map handler hands a response back under the original request without sniffing its charset
(monitor/hostmap.py _rebound): the spiders decode the bytes themselves, and response.text still works when asked."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, Response

from monitor.hostmap import _rebound

BODY = "<html><body><p>政府信息公开</p></body></html>".encode("gb18030")  # no charset in header or <meta>


def test_the_rebound_response_is_not_sniffed_and_still_reads_as_text() -> None:
    mapped = HtmlResponse("http://127.0.0.1:8080/a.html", body=BODY, headers={"Content-Type": "text/html"},
                          request=Request("http://127.0.0.1:8080/a.html"))
    original = Request("http://www.hh.gov.cn/a.html")
    response = _rebound(mapped, original)
    assert type(response) is HtmlResponse and response.url == original.url and response.request is original
    assert response.body == BODY and response.headers == mapped.headers and response.status == 200
    # nothing was inferred: neither response decoded the body (response.replace() sniffs it with charset_normalizer)
    assert mapped._cached_ubody is None and response._cached_ubody is None and response._encoding is None
    assert response.text == mapped.text  # inferred when asked, as Scrapy infers it


def test_a_declared_encoding_and_a_bodiless_response_are_kept() -> None:
    declared = HtmlResponse("http://127.0.0.1/a", body=BODY, encoding="gb18030")
    assert _rebound(declared, Request("http://www.hh.gov.cn/a"))._encoding == "gb18030"
    head = Response("http://127.0.0.1/b", status=404, flags=["cached"])
    out = _rebound(head, Request("http://www.hh.gov.cn/b"))
    assert type(out) is Response and out.status == 404 and out.flags == ["cached"]
