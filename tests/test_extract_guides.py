"""Service guides (办事指南): the nine elements as table rows, headed sections (一、申请条件), <dl> and label：value
text, under the labels sites use (受理地点, 咨询电话, 收费依据及标准 …); each element missing in turn; empty and
placeholder values; links to a 政务服务网 and 在线办理 buttons that lead nowhere. Pages: tests/fixtures/guides/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.extract.guides import ELEMENTS, ServiceLink, is_zwfw_host, read_guide

GUIDES = Path(__file__).resolve().parent / "fixtures" / "guides"
TABLE_URL = "http://www.jianshui.gov.cn/bsfw/bszn/202103/t20210302_550012.html"


def page(name: str) -> str:
    return (GUIDES / name).read_text(encoding="utf-8")


def values(html: str, url: str = TABLE_URL) -> dict[str, tuple[str, str, str | None]]:
    return {k: (e.label, e.value, e.placeholder) for k, e in read_guide(html, url).elements.items()}


def test_guide_as_a_table() -> None:
    guide = read_guide(page("guide_table.html"), TABLE_URL)
    assert guide.title == "个体工商户设立登记办事指南"
    assert guide.missing == [] and guide.placeholders == []
    assert values(page("guide_table.html")) == {
        "事项名称": ("事项名称", "个体工商户设立登记", None),
        "设定依据": ("设定依据", "1.《促进个体工商户发展条例》第八条；\n2.《中华人民共和国市场主体登记管理条例》第三条。", None),
        "申请条件": ("申请条件", "有经营能力的公民；经营场所符合规划及安全要求；经营范围不属于法律、行政法规禁止的项目。", None),
        "办理材料": ("办理材料", "1.个体工商户登记（备案）申请书（原件1份）；\n2.经营者身份证明（复印件1份）；\n"
                           "3.经营场所使用证明（复印件1份）。", None),
        "办理地点": ("受理地点", "建水县政务服务中心一楼市场监管窗口（临安镇建新路88号）", None),
        "办理时间": ("办理时间", "工作日上午9:00-12:00，下午14:30-17:30（法定节假日除外）", None),
        "联系电话": ("咨询电话", "0873-7652312", None),
        "办理流程": ("办理流程", "申请—受理—审查—决定—发照", None),
        # 不收费 answers the element: no fee.
        "收费标准": ("收费依据及标准", "不收费", None),
    }
    # 承诺时限 and 监督电话 are other fields: no element takes their values.
    assert "1个工作日" not in [e.value for e in guide.elements.values()]
    assert guide.zwfw_links == [ServiceLink(
        "https://zwfw.yn.gov.cn/portal/", "在线办理",
        "https://zwfw.yn.gov.cn/portal/#/item-detail?itemCode=11532524MB1F123456300011210300001", True)]
    assert guide.service_links == guide.zwfw_links  # 下载申请表 offers no online handling


def test_guide_with_headed_sections() -> None:
    url = "http://www.gejiu.gov.cn/bsfw/bszn/content_20210.html"
    guide = read_guide(page("guide_sections.html"), url)
    assert guide.missing == [] and guide.placeholders == []
    found = values(page("guide_sections.html"), url)
    assert found["事项名称"] == ("事项名称", "城乡居民养老保险参保登记", None)
    assert guide.elements["事项名称"].source == "label"
    assert found["设定依据"] == ("设定依据", "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）。", None)
    # The materials table under 四、申请材料 is the element's value, row by row.
    assert found["办理材料"] == ("申请材料", "序号 材料名称 材料形式 份数\n1 居民身份证或户口簿 原件 1\n"
                                       "2 城乡居民基本养老保险参保登记表 原件 1", None)
    assert found["办理地点"] == ("办理地址", "户籍所在地乡镇（街道）便民服务中心社保窗口", None)
    assert found["办理时间"] == ("办理时间", "周一至周五 上午8:30-11:30，下午14:30-17:30", None)
    assert found["联系电话"] == ("咨询方式", "电话咨询：0873-3122101\n窗口咨询：市人力资源和社会保障局社保窗口", None)
    assert found["办理流程"] == ("办理流程", "1.申请人持材料到窗口提出申请；\n2.窗口工作人员审核并录入系统；\n3.办结。", None)
    # 否 answers 是否收费; the 网上办理 line after the guide body is not part of it.
    assert found["收费标准"] == ("是否收费", "否", None)
    assert [(link.url, link.anchor, link.zwfw) for link in guide.service_links] == [
        ("https://zwfw.yn.gov.cn/portal/", "云南政务服务网", True)]


# The label each element has in guide_table.html.
TABLE_LABELS = {"事项名称": "事项名称", "设定依据": "设定依据", "申请条件": "申请条件", "办理材料": "办理材料",
                "办理地点": "受理地点", "办理时间": "办理时间", "联系电话": "咨询电话", "办理流程": "办理流程",
                "收费标准": "收费依据及标准"}


def without_row(html: str, label: str) -> str:
    changed = re.sub(rf"<tr><th[^>]*>{label}</th><td>.*?</td></tr>", "", html, count=1, flags=re.S)
    assert changed != html, label
    return changed


@pytest.mark.parametrize("key", list(ELEMENTS))
def test_each_element_missing_in_turn(key: str) -> None:
    guide = read_guide(without_row(page("guide_table.html"), TABLE_LABELS[key]), TABLE_URL)
    if key == "事项名称":
        # A guide is titled with its item: the heading stands for an unlabelled 事项名称 …
        assert guide.missing == []
        assert (guide.elements["事项名称"].value, guide.elements["事项名称"].source) == ("个体工商户设立登记办事指南",
                                                                                       "title")
        # … and without a heading it is missing (<title> names the site too and is not taken).
        headless = re.sub(r"<h1[^>]*>.*?</h1>", "", without_row(page("guide_table.html"), "事项名称"))
        assert read_guide(headless, TABLE_URL).missing == ["事项名称"]
    else:
        assert guide.missing == [key]
        assert len(guide.elements) == 8


def with_value(key: str, value: str) -> str:
    label = TABLE_LABELS[key]
    html, n = re.subn(rf"(<tr><th[^>]*>{label}</th><td>).*?(</td></tr>)", lambda m: m.group(1) + value + m.group(2),
                      page("guide_table.html"), count=1, flags=re.S)
    assert n == 1
    return html


@pytest.mark.parametrize(("key", "value", "placeholder"), [
    ("设定依据", "", "空"),
    ("设定依据", " ", "空"),
    ("申请条件", "——", "空"),
    ("设定依据", "无", "无"),
    ("申请条件", "暂无", "无"),
    ("办理流程", "略。", "无"),
    ("办理材料", "详见附件", "详见"),
    ("办理流程", "详见办事大厅公示", "详见"),
    # With its link the reference is one click away: a value.
    ("办理材料", '<a href="/bsfw/bszn/202103/P020210302551234567891.docx">详见附件</a>', None),
    # A placeholder word inside a longer text is content.
    ("办理材料", "无犯罪记录证明（原件1份）", None),
    ("申请条件", "无特殊条件，年满18周岁即可申请。", None),
    # For the fee, 无 / 免费 answer the question.
    ("收费标准", "无", None),
    ("收费标准", "免费", None),
    ("收费标准", "", "空"),
])
def test_empty_and_placeholder_values(key: str, value: str, placeholder: str | None) -> None:
    guide = read_guide(with_value(key, value), TABLE_URL)
    assert key not in guide.missing
    assert guide.elements[key].placeholder == placeholder
    assert guide.placeholders == ([key] if placeholder else [])


def test_definition_list_and_label_value_text() -> None:
    html = """<div class="zn"><h2>不动产登记资料查询</h2>
    <dl><dt>设定依据</dt><dd>《不动产登记资料查询暂行办法》</dd><dt>受理条件：</dt><dd>权利人、利害关系人可以申请查询。</dd></dl>
    <p>所需材料：查询申请书；身份证明。</p>
    <p>办公地址：县政务服务中心二楼不动产窗口</p>
    <p>办公时间：工作日 9:00-17:00</p>
    <p>联系方式：0873-4567890</p>
    <p>办理程序：申请—查询—出具结果</p>
    <p>收费：免费</p></div>"""
    found = values(html, "http://www.x.gov.cn/bszn/1.html")
    assert found == {
        "设定依据": ("设定依据", "《不动产登记资料查询暂行办法》", None),
        "申请条件": ("受理条件", "权利人、利害关系人可以申请查询。", None),
        "办理材料": ("所需材料", "查询申请书；身份证明。", None),
        "办理地点": ("办公地址", "县政务服务中心二楼不动产窗口", None),
        "办理时间": ("办公时间", "工作日 9:00-17:00", None),
        "联系电话": ("联系方式", "0873-4567890", None),
        "办理流程": ("办理程序", "申请—查询—出具结果", None),
        "收费标准": ("收费", "免费", None),
        "事项名称": ("", "不动产登记资料查询", None),
    }


def test_heading_in_a_wrapper_and_its_section_beside_it() -> None:
    # 开普云-style blocks: <div class="hd"><span>申请条件</span></div><div class="bd">…</div>.
    html = """<div class="item"><div class="hd"><span>申请条件</span></div><div class="bd"><p>持有有效身份证件。</p></div></div>
    <div class="item"><div class="hd"><span>办理时间</span></div><div class="bd"><p>工作日</p></div></div>"""
    found = values(html, "http://www.x.gov.cn/bszn/2.html")
    assert found["申请条件"] == ("申请条件", "持有有效身份证件。", None)
    assert found["办理时间"] == ("办理时间", "工作日", None)


def test_online_button_that_leads_nowhere() -> None:
    html = """<h1>食品经营许可证核发</h1><table><tr><td>办理地点</td><td>市民中心</td></tr></table>
    <a class="btn" href="javascript:void(0)">在线办理</a><a href="#">网上申报</a>
    <a href="http://www.ynspj.gov.cn/bs/">省药监局网上办事</a>"""
    guide = read_guide(html, "http://www.x.gov.cn/bszn/3.html")
    assert guide.service_links == [ServiceLink(None, "在线办理", "javascript:void(0)", False),
                                   ServiceLink(None, "网上申报", "#", False)]
    assert guide.zwfw_links == []


@pytest.mark.parametrize(("host", "zwfw"), [
    ("zwfw.yn.gov.cn", True),
    ("www.sczwfw.gov.cn", True),
    ("www.jxzwfww.gov.cn", True),
    ("zwfw-new.hunan.gov.cn", True),
    ("www.gjzwfw.gov.cn", True),
    ("gjzwfw.www.gov.cn", True),
    ("banshi.beijing.gov.cn", True),
    ("zwdt.sh.gov.cn", True),
    ("tzxm.gov.cn", True),
    ("www.tzxm.gov.cn", True),
    ("ZWFW.YN.GOV.CN", True),
    ("www.yn.gov.cn", False),
    ("zwfw.example.com", False),
    ("zwfw.yn.gov.cn.example.com", False),
    ("", False),
    (None, False),
])
def test_zwfw_hosts(host: str | None, zwfw: bool) -> None:
    assert is_zwfw_host(host) is zwfw
