"""Letters channels (领导信箱, 网上信访) and 办事指南 lists of the simulated government sites, served on the sites' own
hosts, and the 政务服务网 item pages their guides link to, served on the provinces' 政务服务网 hosts.

Page families, modelled on the fixtures monitor/extract/letters.py and guides.py are tested with:
- letters lists in a table (TRS: `/hdjl/<slug>/`, index_N.html, createPageHTML on trs sites, a 下一页 link) with the
  columns 序号 / 信件标题 / 来信时间 / 答复单位 / 答复时间 / 办理状态, or a 大汉 jact <ul> under a header row of spans
  (`/jact/front/mailpublist.do?sysid=<slug>&pageNo=N`, letters at mailview.do?sysid=…&objectid=…);
- letter pages with label–value pairs: a table (信件标题, 来信人, 来信时间, 信件类型, 办理状态, 受理时间, 答复单位,
  来信内容, 答复时间, 答复内容) or <p><span>label：</span>value</p> lines with headed texts (留言时间, 回复单位 …);
- channel states: working (the list), form (a writable letter form, no list), login (请先登录), closed (暂停受理),
  HTTP 500 and 404 error pages, empty (a list header over 暂无信息), challenge (瑞数-like 412) and waf (a WAF block
  page) — the last two unreadable, 待定;
- guide lists in the site's own list markup (templates._entries), guide pages as a table (受理地点, 咨询电话,
  收费依据及标准 …) or headed sections (一、事项名称 … 九、是否收费), with an 在线办理 link to the province's 政务服务网
  (`https://zwfw.yn.gov.cn/portal/itemDetail?itemCode=…`: 200 for a live item, 404 for a withdrawn one).

Letters show the state at the platform clock (the monitoring point at 10:00): an answer due later is not shown yet.
Times are written `2021-03-02 10:21` (times: minute) or `2021年3月2日` (times: date). Everything is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import cache
from html import escape
from urllib.parse import quote

from monitor.simweb.scenario import (
    GUIDE_ELEMENTS,
    ChannelSpec,
    LetterSpec,
    Scenario,
    Site,
    place_names,
)
from monitor.simweb.templates import _entries, _head, _nav, _pick, challenge_page, footer, waf_page
from monitor.workdays import WorkCalendar

PAGE_SIZE = 15  # letters or guides per list page
# The 政务服务网 of a province (first two digits of the region code); the national one for the others.
ZWFW = {"53": "zwfw.yn.gov.cn", "61": "zwfw.shaanxi.gov.cn"}
NATIONAL_ZWFW = "www.gjzwfw.gov.cn"
ZWFW_HOSTS = (*ZWFW.values(), NATIONAL_ZWFW)
ZWFW_NAMES = {"zwfw.yn.gov.cn": "云南政务服务网", "zwfw.shaanxi.gov.cn": "陕西政务服务网",
              NATIONAL_ZWFW: "国家政务服务平台"}
# Telephone area codes of the simulated places (region code prefixes, longest first).
AREA_CODES = {"5325": "0873", "6103": "0917", "6106": "0911", "6107": "0916", "6109": "0915", "53": "0871",
              "61": "029"}

LETTER_TOPICS = {
    "咨询": ("咨询城乡居民医保缴费时间", "关于新生儿落户办理流程的咨询", "咨询农村危房改造补助政策", "咨询创业担保贷款申请条件",
           "关于高龄津贴发放时间的咨询", "咨询不动产登记办理时限", "关于驾驶证换证地点的咨询", "咨询义务教育阶段入学政策"),
    "投诉": ("反映小区物业乱收费问题", "反映道路施工夜间噪音扰民", "投诉农贸市场占道经营", "反映工地渣土车沿路抛洒",
           "投诉商户缺斤短两", "反映小区违规搭建"),
    "建议": ("建议增设城区公交站点", "建议延长政务服务中心午间服务时间", "建议在学校周边设置减速带", "建议增加城区公共停车位"),
    "求助": ("请求协调解决拖欠农民工工资问题", "请求帮助解决村组饮水困难", "求助办理临时救助"),
    "举报": ("举报河道非法采砂", "举报无证经营加油点", "举报违法占用耕地建房"),
}
# Topics of a unit's letters, by a word of its name.
UNIT_TOPICS = {
    "交通": ("反映城乡客运班车班次减少问题", "咨询道路运输从业资格证办理", "反映国道路面破损坑洼", "建议增开城乡公交线路",
           "投诉客运车辆超员", "咨询网约车驾驶员证办理条件"),
    "住房": ("咨询公租房申请条件", "反映小区物业乱收费问题", "咨询住房公积金提取流程", "反映老旧小区改造施工进度",
           "咨询商品房预售资金监管"),
    "住建": ("咨询公租房申请条件", "反映小区物业乱收费问题", "反映老旧小区改造施工进度"),
    "教育": ("咨询义务教育阶段入学政策", "反映校车接送问题", "咨询教师资格认定时间"),
    "公安": ("关于新生儿落户办理流程的咨询", "咨询身份证异地办理", "反映路口交通信号灯故障"),
}
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何罗高林"

# (事项名称, 窗口, values of the other elements) of the guides the channels list, in order.
GUIDE_ITEMS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("个体工商户设立登记", "市场监管", {
        "设定依据": "《促进个体工商户发展条例》第八条；《中华人民共和国市场主体登记管理条例》第三条。",
        "申请条件": "有经营能力的公民；经营场所符合规划及安全要求；经营范围不属于法律、行政法规禁止的项目。",
        "办理材料": "1.个体工商户登记（备案）申请书（原件1份）；2.经营者身份证明（复印件1份）；3.经营场所使用证明（复印件1份）。",
        "办理流程": "申请—受理—审查—决定—发照", "收费标准": "不收费"}),
    ("城乡居民养老保险参保登记", "社会保障", {
        "设定依据": "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）。",
        "申请条件": "年满16周岁（不含在校学生），不属于职工基本养老保险制度覆盖范围的城乡居民。",
        "办理材料": "1.居民身份证或户口簿（原件）；2.城乡居民基本养老保险参保登记表（原件1份）。",
        "办理流程": "1.申请人持材料到窗口提出申请；2.窗口工作人员审核并录入系统；3.办结。", "收费标准": "否"}),
    ("食品经营许可", "市场监管", {
        "设定依据": "《中华人民共和国食品安全法》第三十五条；《食品经营许可管理办法》第二条。",
        "申请条件": "具有与经营的食品品种、数量相适应的经营场所、设备设施和食品安全管理人员。",
        "办理材料": "1.食品经营许可申请书；2.营业执照复印件；3.与食品经营相适应的主要设备设施布局、操作流程等文件。",
        "办理流程": "申请—受理—现场核查—审查决定—发证", "收费标准": "不收费"}),
    ("道路旅客运输经营许可", "交通运输", {
        "设定依据": "《中华人民共和国道路运输条例》第八条、第十条。",
        "申请条件": "有与其经营业务相适应并经检测合格的车辆；有符合规定条件的驾驶人员；有健全的安全生产管理制度。",
        "办理材料": "1.道路旅客运输经营申请表；2.企业章程文本；3.拟投入车辆承诺书；4.安全生产管理制度文本。",
        "办理流程": "申请—受理—审查—决定—送达", "收费标准": "不收费"}),
    ("最低生活保障审核确认", "民政", {
        "设定依据": "《社会救助暂行办法》第十一条。",
        "申请条件": "共同生活的家庭成员人均收入低于当地最低生活保障标准，且符合当地家庭财产状况规定。",
        "办理材料": "1.最低生活保障申请书；2.户口簿、身份证复印件；3.家庭经济状况核查授权书。",
        "办理流程": "申请—受理—家庭经济状况调查—审核确认—公示—发放", "收费标准": "免费"}),
    ("建设工程规划许可证核发", "自然资源", {
        "设定依据": "《中华人民共和国城乡规划法》第四十条。",
        "申请条件": "已取得建设用地规划许可或土地使用权，建设工程设计方案符合控制性详细规划和规划条件。",
        "办理材料": "1.建设工程规划许可申请表；2.使用土地的有关证明文件；3.建设工程设计方案。",
        "办理流程": "申请—受理—审查—批准—发证", "收费标准": "不收费"}),
    ("残疾人证新办", "残联", {
        "设定依据": "《中华人民共和国残疾人保障法》；《中国残疾人残疾分类和分级》（GB/T 26341-2010）。",
        "申请条件": "符合残疾标准的本地户籍居民。",
        "办理材料": "1.居民身份证或户口簿；2.近期二寸免冠白底彩色照片3张；3.残疾评定表。",
        "办理流程": "申请—评定—审核—发证", "收费标准": "免费"}),
    ("社会团体成立登记", "民政", {
        "设定依据": "《社会团体登记管理条例》第三条。",
        "申请条件": "有50个以上的个人会员或者30个以上的单位会员；有规范的名称和相应的组织机构；有固定的住所。",
        "办理材料": "1.登记申请书；2.业务主管单位的批准文件；3.验资报告、场所使用权证明；4.章程草案。",
        "办理流程": "申请—受理—审查—准予登记—发证", "收费标准": "不收费"}),
    ("户口迁移", "公安", {
        "设定依据": "《中华人民共和国户口登记条例》第十条。",
        "申请条件": "符合本地户口迁移政策规定的人员。",
        "办理材料": "1.居民户口簿；2.居民身份证；3.迁入地合法稳定住所证明。",
        "办理流程": "申请—受理—审核—办结", "收费标准": "免费"}),
    ("机动车驾驶证补领", "公安交管", {
        "设定依据": "《机动车驾驶证申领和使用规定》第六十条。",
        "申请条件": "机动车驾驶证遗失的驾驶人。",
        "办理材料": "1.机动车驾驶人身份证明；2.近期一寸免冠彩色照片。",
        "办理流程": "申请—审核—制证—发证", "收费标准": "工本费10元（依据《关于驾驶许可考试收费标准的通知》）。"}),
)
# The labels each guide layout writes its elements under (both read by monitor/extract/guides.py).
GUIDE_LABELS = {
    "table": {"事项名称": "事项名称", "设定依据": "设定依据", "申请条件": "申请条件", "办理材料": "办理材料",
              "办理地点": "受理地点", "办理时间": "办理时间", "联系电话": "咨询电话", "办理流程": "办理流程",
              "收费标准": "收费依据及标准"},
    "sections": {"事项名称": "事项名称", "设定依据": "设定依据", "申请条件": "申请条件", "办理材料": "申请材料",
                 "办理地点": "办理地址", "办理时间": "办理时间", "联系电话": "咨询方式", "办理流程": "办理流程",
                 "收费标准": "是否收费"},
}
NUMERALS = "一二三四五六七八九十"
GUIDE_LAYOUT_CYCLE = ("table", "sections")  # guides without a layout alternate
OFFICE_HOURS = "工作日上午9:00-12:00，下午14:30-17:30（法定节假日除外）"


@cache
def calendar() -> WorkCalendar:
    """chinesecalendar's working days (statutory holidays and 调休), as the letters rules count them."""
    return WorkCalendar()


# ------------------------------------------------------------------ letters


@dataclass(frozen=True)
class Letter:
    """A letter as its channel shows it at the platform clock."""

    number: int  # 1 = the oldest letter of the channel
    title: str
    category: str
    unit: str  # 答复单位 shown
    received: datetime
    accepted: datetime
    answer_due: datetime | None  # when the scenario has it answered (None: never)
    answered: datetime | None  # shown at the platform clock (None: not answered yet)
    writer: str
    path: str  # the letter page

    @property
    def status(self) -> str:
        return "已办结" if self.answered else "办理中"

    @property
    def question(self) -> str:
        return f"{self.title}。希望有关部门予以答复，谢谢！"

    @property
    def answer(self) -> str | None:
        if self.answered is None:
            return None
        return (f"{self.writer}您好！您反映的“{self.title}”已收悉。经{self.unit}核实办理，现答复如下：相关事项已按规定"
                f"办理，具体情况可拨打咨询电话了解。感谢您的关心与支持！")


def time_text(value: datetime | None, times: str) -> str:
    """A time as the channel writes it: 2021-03-02 10:21 (minute) or 2021年3月2日 (date)."""
    if value is None:
        return ""
    if times == "date":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value:%Y-%m-%d %H:%M}"


def shown_time(value: datetime | None, times: str) -> datetime | None:
    """What a reader of the page gets: the minute, or the day at 00:00 when only the date is written."""
    if value is None:
        return None
    return datetime.combine(value.date(), time()) if times == "date" else value


def _title(site: Site, channel: ChannelSpec, spec: LetterSpec, unit: str, n: int) -> str:
    if spec.title:
        return spec.title
    topics = next((t for word, t in UNIT_TOPICS.items() if word in unit and spec.category in ("咨询", "投诉", "建议")),
                  LETTER_TOPICS[spec.category])
    return topics[_pick(site.site_code, channel.slug, n) % len(topics)]


def answer_time(received: datetime, spec: LetterSpec, key: int) -> datetime | None:
    """When a letter is answered: an explicit time, else at the end of the afternoon of the N-th working day after
    the receipt day (monitor.workdays), or the receipt day itself for 0."""
    if spec.answered is not None:
        return spec.answered
    if spec.answered_workdays is None:
        return None
    at = time(15, 0) if spec.answered_workdays == 0 else time(14, 30)
    when = received
    if spec.answered_workdays > 0:
        due = calendar().deadline(received, spec.answered_workdays)
        if due is None:
            raise ValueError(f"working days of {received:%Y} are unknown: give `answered` explicitly")
        when = datetime.combine(due.date(), at)
    answered = when.replace(hour=at.hour, minute=at.minute + key % 29, second=0, microsecond=0)
    return answered if answered > received else received + timedelta(hours=2)


def letter_path(site: Site, channel: ChannelSpec, number: int, received: datetime) -> str:
    if channel.layout == "ul":
        # query keys in the order monitor.extract.links.canonicalize leaves them
        return f"/jact/front/mailview.do?objectid={received:%Y%m%d}{number:04d}&sysid={channel.slug}"
    return f"/hdjl/{channel.slug}/{received:%Y%m}/t{received:%Y%m%d}_{number}.html"


def letters(scenario: Scenario, site: Site, channel: ChannelSpec) -> list[Letter]:
    """The channel's letters as shown at the platform clock, newest first (the order the list shows)."""
    clock = scenario.clock
    made: list[tuple[datetime, int, LetterSpec]] = []
    for i, spec in enumerate(channel.letters):
        key = _pick(site.site_code, channel.slug, i)
        if spec.received is not None:
            received = spec.received
        else:
            day = scenario.day(spec.days_ago)
            at = spec.at or time(8 + key % 9, key // 9 % 60)  # 08:00–16:59
            if spec.days_ago == 0 and spec.at is None:
                at = time(8 + key % 2, key // 9 % 60)  # before the clock on the monitoring day
            received = datetime.combine(day, at)
        made.append((received, i, spec))
    made.sort(key=lambda m: (m[0], m[1]))
    out = []
    for number, (received, i, spec) in enumerate(made, start=1):
        if received > clock:
            continue  # not written yet at the monitoring point
        key = _pick(site.site_code, channel.slug, i, "answer")
        unit = spec.unit or channel.unit or site.sponsor
        due = answer_time(received, spec, key)
        accepted = received + timedelta(minutes=30 + key % 90)
        if due is not None and accepted > due:
            accepted = due
        out.append(Letter(
            number=number, title=_title(site, channel, spec, unit, i), category=spec.category, unit=unit,
            received=received, accepted=accepted, answer_due=due,
            answered=due if due is not None and due <= clock else None,
            writer=f"{SURNAMES[key % len(SURNAMES)]}**", path=letter_path(site, channel, number, received)))
    return sorted(out, key=lambda x: (x.received, x.number), reverse=True)


# ------------------------------------------------------------------ guides


@dataclass(frozen=True)
class Guide:
    index: int
    item: str
    layout: str  # table / sections
    values: dict[str, str]  # element → value shown ("" for an empty one); missing elements absent
    published: date
    path: str
    link: str  # alive / dead / nowhere / none
    service_url: str | None  # the 在线办理 href (javascript:void(0) for nowhere; None: no link)

    @property
    def address(self) -> str | None:
        return self.values.get("办理地点") or None

    @property
    def elements(self) -> dict[str, str]:
        """element → present / empty, as monitor.items.GuideItem records them (missing ones absent)."""
        return {k: ("present" if v else "empty") for k, v in self.values.items()}


def zwfw_host(site: Site) -> str:
    return ZWFW.get(site.region_code[:2], NATIONAL_ZWFW)


def item_code(site: Site, channel: ChannelSpec, index: int) -> str:
    """An 18-digit 事项编码-like code, deterministic per guide."""
    return f"{site.region_code}{_pick(site.site_code, channel.slug, index, 'item') % 10**12:012d}"


def service_url(site: Site, channel: ChannelSpec, index: int) -> str:
    return f"https://{zwfw_host(site)}/portal/itemDetail?itemCode={item_code(site, channel, index)}"


def _phone(site: Site, index: int) -> str:
    area = next((code for prefix, code in sorted(AREA_CODES.items(), key=lambda p: -len(p[0]))
                 if site.region_code.startswith(prefix)), "0" + site.region_code[:3])
    return f"{area}-{3100000 + _pick(site.site_code, 'phone', index) % 6899999}"


def guides(scenario: Scenario, site: Site, channel: ChannelSpec) -> list[Guide]:
    """The channel's guides, in list order."""
    place = place_names(site.region_name)[0]
    out = []
    used: set[str] = set()
    for i, spec in enumerate(channel.guides):
        item, window, values = GUIDE_ITEMS[i % len(GUIDE_ITEMS)]
        if spec.item:
            item = spec.item
        elif item in used:  # more guides than items: number the repeats
            item = f"{item}（{i // len(GUIDE_ITEMS) + 1}）"
        used.add(item)
        shown = {"事项名称": item, **values,
                 "办理地点": spec.address or f"{place}政务服务中心一楼{window}窗口",
                 "办理时间": OFFICE_HOURS, "联系电话": _phone(site, i)}
        shown = {k: ("" if k in spec.empty else shown[k]) for k in GUIDE_ELEMENTS if k not in spec.missing}
        published = scenario.day(30 + 17 * i)
        link = spec.link
        url = {"alive": service_url(site, channel, i), "dead": service_url(site, channel, i),
               "nowhere": "javascript:void(0)", "none": None}[link]
        out.append(Guide(i, item, spec.layout or GUIDE_LAYOUT_CYCLE[i % 2], shown, published,
                         f"/bsfw/{channel.slug}/{published:%Y%m}/t{published:%Y%m%d}_{i}.html", link, url))
    return out


# ------------------------------------------------------------------ pages


def _page(site: Site, title: str, crumb: str, body: str) -> str:
    position = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {escape(crumb)}</div>'
    return _head(site, f"{title}_{site.name}") + _nav(site) + position + body + footer(site)


def _list_url(site: Site, channel: ChannelSpec, n: int) -> str:
    """List page n (0-based) of a channel, as a path with query."""
    if channel.kind != "guides" and channel.layout == "ul":
        return f"/jact/front/mailpublist.do?sysid={channel.slug}&pageNo={n + 1}"
    prefix = "bsfw" if channel.kind == "guides" else "hdjl"
    return f"/{prefix}/{channel.slug}/" + (f"index_{n}.html" if n else "")


def _pager(site: Site, channel: ChannelSpec, n: int, total: int, count: int) -> str:
    text = f"共 {count} 条 当前第 {n + 1}/{total} 页"
    script = (f'<script>createPageHTML({total}, {n}, "index", "html");</script>'
              if site.template == "trs" and channel.layout == "table" else "")
    link = (f' <a href="{escape(_list_url(site, channel, n + 1))}">下一页</a>' if n + 1 < total else "")
    return f'<div class="page">{text}{link}</div>{script}'


def letter_list(scenario: Scenario, site: Site, channel: ChannelSpec, n: int) -> str | None:
    """List page n (0-based) of a working letters channel, None past the last page."""
    shown = letters(scenario, site, channel)
    total = max(1, -(-len(shown) // PAGE_SIZE))
    if n >= total:
        return None
    if not shown:
        return state_page(site, replace(channel, state="empty"))[1]
    rows = shown[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
    t = channel.times
    if channel.layout == "ul":
        items = "".join(
            f'<li><a href="{escape(x.path)}" target="_blank">{escape(x.title)}</a>'
            f'<span class="t2">{time_text(x.received, t)}</span><span class="t3">{escape(x.unit)}</span>'
            f'<span class="t4">{time_text(x.answered, t)}</span><span class="t5">{x.status}</span></li>'
            for x in rows)
        body = ('<div class="mail-box"><div class="mail-tab"><a href="mailwrite.do?sysid='
                f'{channel.slug}" class="btn">我要写信</a></div><div class="mail-list"><div class="mail-list-head">'
                '<span class="t1">信件标题</span><span class="t2">留言时间</span><span class="t3">回复单位</span>'
                '<span class="t4">回复时间</span><span class="t5">处理状态</span></div>'
                f'<ul>{items}</ul></div>{_pager(site, channel, n, total, len(shown))}</div>')
    else:
        cells = "".join(
            f'<tr><td>{n * PAGE_SIZE + k + 1}</td><td class="bt"><a href="{escape(x.path)}" target="_blank" '
            f'title="{escape(x.title)}">{escape(x.title)}</a></td><td>{time_text(x.received, t)}</td>'
            f'<td>{escape(x.unit)}</td><td>{time_text(x.answered, t)}</td><td>{x.status}</td></tr>'
            for k, x in enumerate(rows))
        body = ('<div class="xjlb"><table class="xj_table" width="100%"><tr class="xj_th"><td>序号</td>'
                '<td>信件标题</td><td>来信时间</td><td>答复单位</td><td>答复时间</td><td>办理状态</td></tr>'
                f'{cells}</table>{_pager(site, channel, n, total, len(shown))}</div>')
    return _page(site, channel.name, channel.name, body)


def letter_page(site: Site, channel: ChannelSpec, letter: Letter) -> str:
    t = channel.times
    answer = escape(letter.answer) if letter.answer else "暂无答复"
    if channel.layout == "ul":
        body = (f'<div class="ly-detail"><h2 class="ly-tit">{escape(letter.title)}</h2><div class="ly-base">'
                f'<p><span class="lab">留言类型：</span>{letter.category}</p>'
                f'<p><span class="lab">留言人：</span>{letter.writer}</p>'
                f'<p><span class="lab">留言时间：</span>{time_text(letter.received, t)}</p>'
                f'<p><span class="lab">受理时间：</span>{time_text(letter.accepted, t)}</p>'
                f'<p><span class="lab">办理状态：</span>{letter.status}</p></div>'
                f'<h4 class="ly-sub">留言内容</h4><div class="ly-text"><p>{escape(letter.question)}</p></div>'
                f'<div class="ly-reply"><p><span class="lab">回复单位：</span>{escape(letter.unit)}</p>'
                f'<p><span class="lab">回复时间：</span>{time_text(letter.answered, t)}</p>'
                f'<h4 class="ly-sub">回复内容</h4><div class="ly-text"><p>{answer}</p></div></div></div>')
    else:
        body = ('<div class="xj_detail"><table class="xj_xq" width="100%" border="1">'
                f'<tr><td class="lab">信件标题</td><td colspan="3">{escape(letter.title)}</td></tr>'
                f'<tr><td class="lab">来信人</td><td>{letter.writer}</td><td class="lab">来信时间</td>'
                f'<td>{time_text(letter.received, t)}</td></tr>'
                f'<tr><td class="lab">信件类型</td><td>{letter.category}</td><td class="lab">办理状态</td>'
                f'<td>{letter.status}</td></tr>'
                f'<tr><td class="lab">受理时间</td><td>{time_text(letter.accepted, t)}</td><td class="lab">答复单位</td>'
                f'<td>{escape(letter.unit)}</td></tr>'
                f'<tr><td class="lab">来信内容</td><td colspan="3"><p>{escape(letter.question)}</p></td></tr>'
                f'<tr><td class="lab">答复时间</td><td colspan="3">{time_text(letter.answered, t)}</td></tr>'
                f'<tr><td class="lab">答复内容</td><td colspan="3"><p>{answer}</p></td></tr></table></div>'
                '<div class="close"><a href="javascript:window.close()">【关闭窗口】</a></div>')
    return _page(site, f"{letter.title}_{channel.name}", channel.name, body)


def guide_list(scenario: Scenario, site: Site, channel: ChannelSpec, n: int) -> str | None:
    shown = guides(scenario, site, channel)
    total = max(1, -(-len(shown) // PAGE_SIZE))
    if n >= total:
        return None
    if not shown:
        return state_page(site, replace(channel, state="empty"))[1]
    rows = [(f"{g.item}办事指南", g.path, g.published) for g in shown[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]]
    return _page(site, channel.name, channel.name,
                 f'<div class="list">{_entries(site, rows)}</div>{_pager(site, channel, n, total, len(shown))}')


def guide_page(site: Site, channel: ChannelSpec, guide: Guide) -> str:
    labels = GUIDE_LABELS[guide.layout]
    heading = (f'<h1 class="bszn-title">{escape(guide.item)}办事指南</h1>' if "事项名称" in guide.values else "")
    if guide.layout == "table":
        rows = []
        for key, value in guide.values.items():
            rows.append(f"<tr><th>{labels[key]}</th><td>{escape(value)}</td></tr>")
            if key == "办理时间":
                rows.append("<tr><th>承诺时限</th><td>5个工作日</td></tr>")  # another field: an element of none
        rows.append(f"<tr><th>监督电话</th><td>{_phone(site, 99)}</td></tr>")
        body = f'<table class="bszn-table" width="100%" border="1">{"".join(rows)}</table>'
    else:
        parts = [f'<h3>{NUMERALS[k]}、{labels[key]}</h3><div class="sec">{escape(value)}</div>'
                 for k, (key, value) in enumerate(guide.values.items())]
        body = f'<div class="guide-body">{"".join(parts)}</div>'
    link = ""
    if guide.service_url is not None:
        link = (f'<div class="bszn-online"><a class="btn-online" href="{escape(guide.service_url)}" '
                f'target="_blank">在线办理</a></div>')
    return _page(site, f"{guide.item}办事指南", channel.name,
                 f'<div class="bszn-detail">{heading}{body}{link}</div>')


def state_page(site: Site, channel: ChannelSpec) -> tuple[int, str]:
    """(HTTP status, page) of a channel that does not show its list (CHANNEL_STATES other than working)."""
    name = channel.name
    if channel.state == "form":
        body = (f'<div class="write"><h2>{escape(name)} 我要写信</h2><form method="post" action="submit.do">'
                '<p>标题：<input type="text" name="title"></p><p>类型：<select name="type"><option>咨询</option>'
                '<option>投诉</option><option>建议</option></select></p><p>内容：<textarea name="content" rows="8">'
                '</textarea></p><p><input type="submit" value="提交"></p></form></div>')
        return 200, _page(site, name, name, body)
    if channel.state == "login":
        back = quote(site.homepage.rstrip("/") + _list_url(site, channel, 0), safe="")
        body = ('<div class="tip-box"><p class="tip">您还未登录，请先登录后再写信。</p>'
                f'<p><a class="btn" href="/login?redirect={back}">统一身份认证登录</a></p></div>')
        return 200, _page(site, name, name, body)
    if channel.state == "closed":
        what = "本栏目" if channel.kind == "guides" else "本信箱"
        body = ('<div class="notice"><h3>公告</h3><p>根据政府网站集约化工作安排，'
                f'{what}自2020年12月31日起暂停受理网民来信。</p><p>如需咨询、投诉，请拨打12345政务服务便民热线。</p></div>')
        return 200, _page(site, name, name, body)
    if channel.state == "empty":
        if channel.kind == "guides":
            return 200, _page(site, name, name, '<div class="list">暂无信息</div>')
        body = ('<table class="list"><thead><tr><th>信件标题</th><th>来信时间</th><th>答复时间</th><th>状态</th></tr>'
                '</thead><tbody><tr><td colspan="4" align="center">暂无信息</td></tr></tbody></table>')
        return 200, _page(site, name, name, body)
    if channel.state == "challenge":  # an anti-bot gateway in front of the channel (瑞数 answers 412)
        return 412, challenge_page()
    if channel.state == "waf":
        return 200, waf_page()
    if channel.state == "500":
        return 500, ("<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error"
                     "</h1><p>系统错误，请稍后再试。</p></body></html>")
    return 404, "<html><head><title>404</title></head><body>页面不存在</body></html>"


def item_page(host: str, title: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_{ZWFW_NAMES[host]}</title>'
            f'</head><body><div class="item-detail"><h1>{escape(title)}</h1><p>办理渠道：网上办理、窗口办理</p>'
            '<a class="btn" href="#apply">我要办理</a></div></body></html>')


# ------------------------------------------------------------------ routing

Result = tuple[int, bytes, str, dict[str, str]]
Encoder = Callable[..., "Result | None"]  # a page text (and status) → the response in the site's encoding


class ChannelWeb:
    """Routes the channel pages of the scenario's sites and the 政务服务网 item pages their guides link to."""

    hosts = ZWFW_HOSTS

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        # Live 政务服务网 items: host → item code → title (the same for any monitoring point).
        self.items: dict[str, dict[str, str]] = {}
        for site in scenario.sites:
            for channel in site.channels:
                for i, spec in enumerate(channel.guides):
                    if spec.link == "alive":
                        title = guides(scenario, site, channel)[i].item
                        self.items.setdefault(zwfw_host(site), {})[item_code(site, channel, i)] = title

    def route_zwfw(self, host: str, path: str, query: dict[str, list[str]]) -> Result | None:
        code = query.get("itemCode", [""])[0]
        title = self.items.get(host, {}).get(code) if path == "/portal/itemDetail" else None
        if title is None:
            return (404, f"<html><head><title>404</title></head><body>事项不存在或已下线（{escape(code)}）</body></html>"
                    .encode(), "text/html; charset=utf-8", {})
        return 200, item_page(host, title).encode(), "text/html; charset=utf-8", {}

    def route(self, site: Site, path: str, query: dict[str, list[str]]) -> Result | None:
        """A channel page of the site, None when the path is none of them."""
        encoding = "gb18030" if site.encoding == "gbk" else "utf-8"
        ctype = "text/html" if site.encoding == "gbk" else "text/html; charset=utf-8"

        def page(text: str | None, status: int = 200) -> Result | None:
            return None if text is None else (status, text.encode(encoding), ctype, {})

        parts = path.strip("/").split("/")
        if path in ("/jact/front/mailpublist.do", "/jact/front/mailview.do"):
            channel = next((c for c in site.channels if c.kind != "guides" and c.layout == "ul"
                            and c.slug == query.get("sysid", [""])[0]), None)
            if channel is None:
                return None
            if path.endswith("mailpublist.do"):
                number = query.get("pageNo", ["1"])[0]
                if not number.isdigit() or int(number) < 1:
                    return None
                return self._list(site, channel, int(number) - 1, page)
            if channel.state != "working":
                return None
            wanted = f"{path}?objectid={query.get('objectid', [''])[0]}&sysid={channel.slug}"
            return self._letter(site, channel, wanted, page)
        if len(parts) < 2 or parts[0] not in ("hdjl", "bsfw"):
            return None
        guides_kind = parts[0] == "bsfw"
        channel = next((c for c in site.channels if c.slug == parts[1] and (c.kind == "guides") == guides_kind
                        and (guides_kind or c.layout == "table")), None)
        if channel is None:
            return None
        rest = parts[2:]
        if not rest or (len(rest) == 1 and (rest[0] == "index.html" or rest[0].startswith("index_"))):
            n = 0
            if rest and rest[0].startswith("index_"):
                number = rest[0].removeprefix("index_").removesuffix(".html")
                if not number.isdigit() or not rest[0].endswith(".html") or int(number) < 1:
                    return None
                n = int(number)
            return self._list(site, channel, n, page)
        if channel.state != "working":
            return None
        if guides_kind:
            shown = next((g for g in guides(self.scenario, site, channel) if g.path == path), None)
            return page(guide_page(site, channel, shown)) if shown else None
        return self._letter(site, channel, path, page)

    def _list(self, site: Site, channel: ChannelSpec, n: int, page: Encoder) -> Result | None:
        if channel.state != "working":
            if n:
                return None
            status, text = state_page(site, channel)
            if status >= 400 or channel.state == "waf":  # the server's or the gateway's own pages, in UTF-8
                return status, text.encode(), "text/html; charset=utf-8", {}
            return page(text, status)
        if channel.kind == "guides":
            return page(guide_list(self.scenario, site, channel, n))
        return page(letter_list(self.scenario, site, channel, n))

    def _letter(self, site: Site, channel: ChannelSpec, path: str, page: Encoder) -> Result | None:
        shown = next((x for x in letters(self.scenario, site, channel) if x.path == path), None)
        return page(letter_page(site, channel, shown)) if shown else None
