"""Service guides (办事指南): the elements a guide page shows, and its links to a 政务服务网.

The elements are those the inspection indicators name for 办事指南 (事项名称, 设定依据, 申请条件, 办理材料, 办理地点,
办理时间, 联系电话, 办理流程; the 2015 explanation's eight) plus 收费标准, each under the labels sites use for it
(ELEMENTS). They are read wherever a guide puts them — table rows (label cell, value cell), <dl>, headed sections
(<h3>申请条件</h3><div>…</div>, 一、申请条件), or "label：value" text — with the label–value reader of letters.py.

Empty and placeholder values. An element whose label is shown but whose value says nothing is reported as present
with `placeholder` set, never as a proper value:
- "空": no text at all;
- "无": the whole value is only 无 / 暂无 / 略 / 空 / 待定 / 待补充 / 暂缺 / - (a word inside a longer text, such as
  "无犯罪记录证明", is content). For 收费标准, 无 / 不收费 / 免费 are answers (no fee), not placeholders;
- "详见": the whole value only sends the reader elsewhere (详见… / 参见… / 见附件…, at most 30 characters) without a
  link in it. The same words with a link (详见附件 → the attachment) are a reference the visitor can follow: a value.
事项名称, when no label names it, is taken from the page heading (source "title"): a guide is titled with its item.

Links to a 政务服务网 (`zwfw_links`), by host: a host under .gov.cn one of whose labels contains "zwfw" (the
provincial networks zwfw.yn.gov.cn, www.sczwfw.gov.cn, www.jxzwfww.gov.cn, zwfw-new.hunan.gov.cn, the national
www.gjzwfw.gov.cn and gjzwfw.www.gov.cn, city ones such as zwfw.hangzhou.gov.cn), the networks named otherwise
(ZWFW_HOSTS: 北京 banshi.beijing.gov.cn, 上海 zwdt.sh.gov.cn, 海南 wssp.hainan.gov.cn), and the 投资项目在线审批监管平台
(tzxm.gov.cn and its subdomains). `service_links` also holds links whose anchor offers online handling (在线办理,
网上办理, 我要办理 …) whatever their host, and such anchors that lead nowhere (href "#", "javascript:…"): a guide whose
办理 button goes nowhere has a broken link to the 政务服务网, which `url is None` shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from parsel import Selector

from monitor.extract.letters import Vocabulary, block_lines, label_values
from monitor.extract.links import absolute, document_base

MAX_VALUE = 2000

# Canonical element → the labels that name it, in the rulebook's order.
ELEMENTS: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "服务事项名称", "事项", "办事事项", "办理事项", "事项名", "审批事项名称", "实施事项名称",
             "服务项目名称", "项目名称"),
    "设定依据": ("设定依据", "法律依据", "办理依据", "实施依据", "政策依据", "法定依据", "受理依据", "审批依据",
             "依据", "法律法规依据", "设立依据"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申办条件", "许可条件", "准予许可的条件", "申请人条件",
             "受理标准", "申请受理条件"),
    "办理材料": ("办理材料", "申请材料", "申报材料", "提交材料", "所需材料", "申请材料目录", "材料清单",
             "办理所需材料", "需提交材料", "应提交材料", "提交材料目录", "申请人需提交的材料", "材料目录"),
    "办理地点": ("办理地点", "受理地点", "办理地址", "受理地址", "办事地点", "办公地址", "办理窗口", "受理窗口",
             "窗口地址", "服务窗口", "办理地点及时间"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "工作时间", "办事时间", "窗口办公时间", "窗口受理时间",
             "服务时间"),
    "联系电话": ("联系电话", "咨询电话", "咨询方式", "咨询途径", "联系方式", "咨询联系电话", "办理咨询电话",
             "联系人及电话"),
    "办理流程": ("办理流程", "办事流程", "办理程序", "审批流程", "受理流程", "申办流程", "办理步骤", "工作流程",
             "流程图", "办理流程图", "审批程序", "办件流程"),
    "收费标准": ("收费标准", "收费依据及标准", "收费依据和标准", "是否收费", "收费情况", "收费项目及标准", "收费",
             "收费依据", "收费项目"),
}
# Labels of other guide fields: they end the value of the element before them and are no element themselves
# (办理时限 is a deadline, not office hours; 监督电话 is for complaints, not for enquiries).
OTHER_LABELS = ("承诺时限", "法定时限", "办理时限", "承诺办结时限", "法定办结时限", "办结时限", "时限", "办理对象",
                "服务对象", "适用对象", "实施主体", "实施机关", "实施机构", "办理机构", "受理机构", "决定机构",
                "权力来源", "事项类型", "事项类别", "行使层级", "办件类型", "审批结果", "结果名称", "审批结果名称",
                "监督电话", "投诉电话", "监督投诉电话", "监督投诉方式", "常见问题", "基本信息", "数量限制",
                "到办事现场次数", "到现场次数", "网上办理深度", "是否网办", "是否支持网上办理", "中介服务",
                "特别程序", "法律救济", "权利和义务", "办理形式", "办理方式", "基本编码", "实施编码", "备注",
                "结果送达", "送达方式", "审查标准", "咨询地址", "监督地址")
GUIDE_VOCAB = Vocabulary(ELEMENTS, stops=OTHER_LABELS)

PLACEHOLDER = re.compile(r"^[\s\-—/.。、…]*(?:无|暂无|略|空|待定|待补充|暂缺|暂未提供|-+|—+)?[\s\-—/.。、…]*$")
NO_FEE = re.compile(r"^[\s。.]*(?:无|不收费|免费|否|无收费|不收取费用|免收)[\s。.]*$")
SEE_ELSEWHERE = re.compile(r"^\s*(?:详见|参见|见附件|具体详见|请见|详情见|详细见)")

ZWFW_HOSTS = ("banshi.beijing.gov.cn", "zwdt.sh.gov.cn", "wssp.hainan.gov.cn")
ONLINE_ANCHOR = re.compile(r"在线办理|网上办理|我要办理|立即办理|去办理|马上办|在线申请|网上申请|在线申报|网上申报|"
                           r"在线预约|政务服务网|一网通办|网上办事大厅")


def is_zwfw_host(host: str | None) -> bool:
    """A 政务服务网 host by the rule of the module docstring."""
    host = (host or "").lower().rstrip(".")
    if not host.endswith(".gov.cn"):
        return False
    if host in ZWFW_HOSTS or host == "tzxm.gov.cn" or host.endswith(".tzxm.gov.cn"):
        return True
    return any("zwfw" in label for label in host.split("."))


@dataclass(frozen=True)
class GuideElement:
    key: str  # canonical element name (事项名称 …)
    label: str  # the label as the page writes it (受理地点 …)
    value: str  # bounded to MAX_VALUE characters
    placeholder: str | None = None  # 空 / 无 / 详见 (see the module docstring), None for a proper value
    source: str = "label"  # label, or title (事项名称 from the page heading)


@dataclass(frozen=True)
class ServiceLink:
    url: str | None  # absolute; None when the href leads nowhere (#, javascript:)
    anchor: str
    href: str  # as written
    zwfw: bool  # the host is a 政务服务网's


@dataclass
class Guide:
    url: str
    title: str | None = None
    elements: dict[str, GuideElement] = field(default_factory=dict)  # by canonical key, the first one shown
    service_links: list[ServiceLink] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Elements not shown at all, in the rulebook's order."""
        return [key for key in ELEMENTS if key not in self.elements]

    @property
    def placeholders(self) -> list[str]:
        """Elements shown with an empty or placeholder value."""
        return [key for key, element in self.elements.items() if element.placeholder]

    @property
    def zwfw_links(self) -> list[ServiceLink]:
        return [link for link in self.service_links if link.zwfw]


def placeholder(key: str, value: str, link: bool) -> str | None:
    text = value.strip()
    if not text or PLACEHOLDER.match(text) and not re.search(r"[\w\u4e00-\u9fff]", text):
        return "空"
    if key == "收费标准" and NO_FEE.match(text):
        return None
    if PLACEHOLDER.match(text):
        return "无"
    if SEE_ELSEWHERE.match(text) and len(text) <= 30 and not link:
        return "详见"
    return None


def _heading(sel: Selector) -> str | None:
    for xpath in ("//h1", "//*[re:test(@class, 'title|biaoti|bt\\b|tit\\b|name', 'i')][not(self::body)]", "//h2"):
        for node in sel.xpath(xpath)[:3]:
            text = " ".join(" ".join(node.xpath(".//text()[not(ancestor::script)]").getall()).split())
            if 2 <= len(text) <= 80:
                return text
    return None


def _service_links(sel: Selector, url: str) -> list[ServiceLink]:
    base_url = document_base(sel, url)
    links: list[ServiceLink] = []
    seen: set[tuple[str | None, str]] = set()
    for a in sel.xpath("//a"):
        href = (a.attrib.get("href") or "").strip()
        anchor = " ".join(" ".join(a.xpath(".//text()").getall()).split()) or a.attrib.get("title", "")
        target = absolute(href, base_url)
        zwfw = target is not None and is_zwfw_host(urlsplit(target).hostname)
        if not zwfw and not ONLINE_ANCHOR.search(anchor):
            continue
        if (target, anchor) in seen:
            continue
        seen.add((target, anchor))
        links.append(ServiceLink(target, anchor[:200], href[:500], zwfw))
    return links


def read_guide(html: str, url: str) -> Guide:
    """The elements a guide page shows with their values (the first of each), and its 政务服务网 links."""
    sel = Selector(text=html or "<html></html>")
    heading = _heading(sel)
    guide = Guide(url=url, title=heading or " ".join((sel.xpath("//title/text()").get() or "").split()) or None)
    for pair in label_values(block_lines(sel), GUIDE_VOCAB, limit=MAX_VALUE):
        if pair.key in guide.elements:
            continue
        value = pair.value.strip()
        guide.elements[pair.key] = GuideElement(pair.key, pair.label, value, placeholder(pair.key, value, pair.link))
    if "事项名称" not in guide.elements and heading:  # the page heading, never <title> (it names the site too)
        guide.elements["事项名称"] = GuideElement("事项名称", "", heading, None, "title")
    guide.service_links = _service_links(sel, url)
    return guide
