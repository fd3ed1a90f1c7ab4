"""The facts extracted from one page: plain dataclasses shared by the spider, the inspector and the tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class DateFact:
    """A date found on a page, with the exact text it came from and where ("visible", "meta", "attr", "body")."""

    value: date
    text: str
    source: str = "visible"


@dataclass
class FooterFacts:
    """Marks of the page-bottom area (页面底部功能区)."""

    site_code: str | None = None  # 网站标识码 as printed
    icp: str | None = None  # 滇ICP备05000002号
    police: str | None = None  # 川公网安备 51010402000507号
    conac: bool = False  # 党政机关标识 (image/link/script pointing at the conac registry)
    zhaocuo: bool = False  # 我为政府网站找错 entrance
    sponsor: str | None = None  # 主办单位
    written_by_script: bool = False  # the footer is produced by <script>: read it from a rendered DOM

    @property
    def empty(self) -> bool:
        return not (self.site_code or self.icp or self.police or self.conac or self.zhaocuo or self.sponsor)


@dataclass(frozen=True)
class LinkFact:
    url: str  # absolute, canonicalised
    tag: str  # a / img / script / iframe / link
    anchor: str = ""  # anchor text, alt or title
    attachment: bool = False  # .pdf .doc(x) .xls(x) .zip .rar .wps .ofd ...
    external: bool = False  # another registrable domain than the page's
    hidden: bool = False  # display:none, visibility:hidden, off-screen, font-size 0


@dataclass(frozen=True)
class ListEntry:
    title: str
    url: str | None
    date: DateFact | None


@dataclass(frozen=True)
class ColumnLink:
    """A column (栏目) found in a page's navigation."""

    name: str
    url: str
    category: str  # dynamic / notice / policy / personnel / plan / interaction / service / other


@dataclass
class PageFacts:
    url: str
    encoding: str | None = None
    title: str | None = None
    published: DateFact | None = None  # article publication date (visible date wins over meta PubDate)
    entries: list[ListEntry] = field(default_factory=list)  # list items with their dates
    next_pages: list[str] = field(default_factory=list)  # pagination links (index_1.html …)
    columns: list[ColumnLink] = field(default_factory=list)  # navigation columns
    links: list[LinkFact] = field(default_factory=list)
    footer: FooterFacts = field(default_factory=FooterFacts)
    xhr_lists: list[str] = field(default_factory=list)  # JSON endpoints a list page loads by XHR
    text: str = ""  # visible body text
    # Where the entries came from: html (the markup), script_json (a JSON literal in a script), script_xml (the
    # records of a <script type="text/xml"> datastore, 大汉 jpage lists), comment (an HTML comment a script writes
    # out), rendered (the DOM after Chromium ran the page's scripts).
    list_source: str = "html"
    # What the page is instead of the page asked for (monitor/extract/unreadable.py): challenge / blocked / login /
    # moved, with its Chinese reason and where a stub or notice sends the visitor; None for a page to read.
    interstitial: str | None = None
    interstitial_reason: str | None = None
    redirect_to: str | None = None
    script_signs: str | None = None  # why a page without entries may build its list by script (None: plain page)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
