"""Meta-refresh redirects (monitor.middlewares.MetaRefresh): followed exactly as Scrapy's middleware follows them,
without decoding pages that have none."""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from monitor.middlewares import MetaRefresh

STUB = '<html><head><meta http-equiv="Refresh" content="0; url=/index.html"></head><body>跳转中</body></html>'


def middleware() -> MetaRefresh:
    return MetaRefresh.from_crawler(get_crawler(settings_dict={"METAREFRESH_ENABLED": True}))


def answer(body: bytes, content_type: str = "text/html") -> tuple[Request, HtmlResponse]:
    request = Request("http://www.hh.gov.cn/")
    return request, HtmlResponse(request.url, body=body, headers={"Content-Type": content_type}, request=request)


def test_a_refresh_is_followed_in_every_encoding() -> None:
    for body, ctype in ((STUB.encode("utf-8"), "text/html; charset=utf-8"), (STUB.encode("gbk"), "text/html"),
                        (STUB.encode("utf-16"), "text/html; charset=utf-16"),
                        # within the stock window of 4,096 characters, past 4,096 bytes
                        (("<p>" + "政务公开" * 900 + "</p>" + STUB).encode("utf-8"), "text/html")):
        request, response = answer(body, ctype)
        out = middleware().process_response(request, response)
        assert isinstance(out, Request) and out.url == "http://www.hh.gov.cn/index.html", ctype
        stock = MetaRefreshMiddleware.from_crawler(get_crawler(settings_dict={"METAREFRESH_ENABLED": True}))
        assert stock.process_response(*answer(body, ctype)).url == out.url  # as Scrapy's own


def test_a_page_without_refresh_is_passed_on_undecoded() -> None:
    page = ("<html><head><title>红河州人民政府</title></head><body>" + "通知公告" * 3000 + "</body></html>").encode("gbk")
    request, response = answer(page)  # no charset anywhere: the stock middleware would run charset detection
    assert middleware().process_response(request, response) is response
    assert response._cached_ubody is None  # never decoded
    late = ("<p>" + "x" * 20000 + "</p>" + STUB).encode("utf-8")  # past the stock window of 4,096 characters
    request, response = answer(late)
    assert middleware().process_response(request, response) is response
