"""The quarterly notice (通报), structured like the published ones (seeds/): title; addressee line; 一、总体情况 with
counts and rates; 二、主要问题 by indicator with concrete examples (sites, column paths, units, accounts, units with
overdue letters); 三、有关要求 with the 整改 deadline; 附件 listed; issuing office and date; then each attachment as a
table with 序号 and its 注 line (数据采样时间 / 检测时间), as 红河州's 附件1 and 附件2 carry them.

`blocks` words the notice once, as a list of blocks (heading / paragraph / table / attachment); `markdown`, `html`
and monitor/report/notice_docx.py only print them. Crawled text (names, column paths) is escaped in Markdown and
HTML. Header fields (发文单位, 主送, 联系人, 电话, 邮箱, 整改期限) come from the MONITOR_NOTICE_FILE settings file
(`load_header`), with defaults by the region's level.

The wording follows 红河州's notice of 2021 Q1: "2021年一季度,全州在运行政府网站14个,…11个政府网站合格,合格率78.6%".
Notices print rates with one or two decimals (78.6 %, 95.06 %): `decimals` chooses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from html import escape
from pathlib import Path

import pandas as pd
import yaml
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from monitor import db
from monitor.checks.model import NOT_MONITORED
from monitor.platforms import platform_for
from monitor.report.attachments import COLUMN_INDICATORS, platform_rank
from monitor.report.letters import INDICATOR as LETTERS_INDICATOR
from monitor.report.letters import letter_outcomes, timeliness_text
from monitor.report.rates import ALL, percent, region_level, within
from monitor.workdays import WorkCalendar

QUARTER_NAMES = {"1": "一", "2": "二", "3": "三", "4": "四"}
ORDINALS = "一二三四五六七八九十"
LEVELS = {"province": "省级", "city": "市级", "county": "县级"}
KINDS = {"portal": "政府门户网站", "department": "部门网站"}
# Names of the indicators a notice may say were not monitored (the rulebook's names, without loading a rulebook).
INDICATOR_NAMES = {"site_unreachable": "站点可用性", "ipv6": "IPv6支持"}
EXAMPLES = 3  # concrete examples named per problem, as the notices do
REQUIREMENTS = ("各单位要高度重视检查发现的问题,对照指出的问题举一反三,认真自查整改;明确专人负责网站栏目的更新维护,"
                "及时删除或整合空白栏目、修复不可用链接,确保信息发布及时准确;政务新媒体开设单位要落实监管责任,"
                "杜绝“开而不管”“僵尸”“空壳”等现象;及时答复网民留言和信件,不得敷衍、搪塞、延期答复。")
# Working days the units get to report their 整改 when the settings file does not say (红河州 gave 2, 陕西 6).
DEFAULT_RECTIFY_WORKDAYS = 5


def region_short(name: str, code: str = "") -> str:
    """What follows 全 in the notices: 全州, 全市, 全省, 全区, 全县, 全旗, 全盟; 全国 without a region."""
    if not name and not code:
        return "国"
    for suffix, short in (("自治区", "区"), ("地区", "区"), ("特别行政区", "区")):
        if name.endswith(suffix):
            return short
    return name[-1] if name and name[-1] in "省市州县区旗盟" else "区"


def quarter_label(period: str) -> str:
    return f"{period[:4]}年{QUARTER_NAMES[period[5]]}季度"


def _row(rates: pd.DataFrame, region: str, target_kind: str, level: str = ALL, kind: str = ALL) -> pd.Series | None:
    rows = rates[(rates["region_code"] == region) & (rates["target_kind"] == target_kind)
                 & (rates["level"] == level) & (rates["kind"] == kind)]
    return None if rows.empty else rows.iloc[0]


def _checked(r: pd.Series, noun: str, decimals: int) -> str:
    """检查 counts and the rate: 合格率 over the judged targets; 待定 ones are stated apart, never counted as 合格."""
    sampled = (f",抽查{r.checked}个,抽查比例{percent(r.sampling, decimals)}"
               if r.running and r.checked < r.running else "")
    pending = f",待定{r.pending}个(未能完成判定,列入待复核名单,不计入合格率)" if r.pending else ""
    if not r.judged:
        return f"{sampled},均未能完成判定(待定{r.pending}个,列入待复核名单),本季度暂不计算合格率。"
    change = ""  # only where the previous quarter has a rate; a change that prints as 0 is 持平, never 上升0.0
    if not pd.isna(r.change):
        points = f"{abs(r.change) * 100:.{decimals}f}"
        change = (",与上季度持平" if float(points) == 0
                  else f",较上季度{'上升' if r.change > 0 else '下降'}{points}个百分点")
    return (f"{sampled},{r.qualified}个{noun}合格,不合格{r.failed}个{pending},"
            f"合格率{percent(r.rate, decimals)}{change}。")


def overall_websites(rates: pd.DataFrame, region: str, whole: str, decimals: int = 1) -> str:
    r = _row(rates, region, "website")
    if r is None:
        return "本季度未检查政府网站。"
    groups = rates[(rates["region_code"] == region) & (rates["target_kind"] == "website")
                   & (rates["level"] != ALL) & (rates["kind"] != ALL) & (rates["running"] > 0)]
    parts = [f"{LEVELS.get(g.level, g.level)}{KINDS.get(g.kind, g.kind)}{g.running}个"
             for g in groups.sort_values(["level", "kind"], key=_level_order).itertuples()]
    detail = f"(其中{'、'.join(parts)})" if len(parts) > 1 else ""
    return f"{whole}在运行政府网站{r.running}个{detail}" + _checked(r, "政府网站", decimals)


def overall_accounts(rates: pd.DataFrame, region: str, whole: str, decimals: int = 1) -> str:
    r = _row(rates, region, "account")
    if r is None:
        return "本季度未检查政务新媒体。"
    platforms = rates[(rates["region_code"] == region) & (rates["target_kind"] == "account")
                      & (rates["level"] == ALL) & (rates["kind"] != ALL) & (rates["running"] > 0)]
    parts = [f"{_short(p.kind)}{p.running}个" for p in sorted(platforms.itertuples(), key=lambda p: platform_rank(p.kind))]
    detail = f"({','.join(parts)})" if parts else ""
    return f"{whole}纳入常态化监管的政府系统政务新媒体{r.running}个{detail}" + _checked(r, "政务新媒体", decimals)


def _short(platform: str) -> str:
    """微信公众号 → 微信, as the notices count accounts per platform."""
    found = platform_for(platform)
    return found.short if found else platform


def _level_order(col: pd.Series) -> pd.Series:
    order = {"province": 0, "city": 1, "county": 2, "portal": 0, "department": 1}
    return col.map(lambda v: order.get(v, 9))


def _names(names: list[str]) -> str:
    shown = "、".join(names[:EXAMPLES])
    return f"{shown}等{len(names)}个" if len(names) > 1 else shown


def website_problems(conn: Connection, period: str, region: str, failed: pd.DataFrame,
                     columns: pd.DataFrame) -> list[str]:
    """Failing sites grouped by the reason the notice gives, failing columns with their unit, and the other
    failing indicators (deductions) of the period with examples."""
    items = []
    by_reason: dict[str, list[str]] = {}
    for _, row in failed.iterrows():
        for reason in filter(None, str(row["存在问题"]).split("；")):
            by_reason.setdefault(reason, []).append(row["网站名称"])
    for reason, names in by_reason.items():
        items.append(f"{_names(names)}网站{reason}。")
    for _, row in columns.iterrows():
        path = row["栏目名称"].removeprefix("首页>").replace(">", "—")
        items.append(f"由{row['责任部门']}负责维护的“{path}”栏目{row['问题描述'].replace(',栏目', '')}。")
    items += _other_findings(conn, period, region, set(failed["网站标识码"]))
    return items


def _other_findings(conn: Connection, period: str, region: str, failed_sites: set[str]) -> list[str]:
    """Site-level failures of the indicators not already told above (column ones and 不合格 sites' reasons)."""
    f, w, vi = db.findings, db.websites, db.violations
    not_false = (vi.c.review.is_(None)) | (vi.c.review != "false_positive")
    query = (select(f.c.target_id, f.c.indicator, f.c.subject, f.c.reason, w.c.name, w.c.region_code)
             .join(w, w.c.site_code == f.c.target_id)
             .join(vi, and_(vi.c.target_kind == f.c.target_kind, vi.c.target_id == f.c.target_id,
                            vi.c.indicator == f.c.indicator, vi.c.subject == f.c.subject), isouter=True)
             .where(f.c.period == period, f.c.target_kind == "website", f.c.outcome == "fail",
                    f.c.indicator.not_in((*COLUMN_INDICATORS, LETTERS_INDICATOR)), not_false))
    sites: dict[tuple[str, str], list[str]] = {}  # (indicator, reason) → site names
    details: dict[str, list[str]] = {}  # indicator → reasons of its item-level findings
    for r in sorted(conn.execute(query), key=lambda r: (r.region_code, r.target_id, r.subject)):
        if not within(r.region_code, region):
            continue
        if r.subject == "":
            if r.target_id not in failed_sites and r.reason:
                sites.setdefault((r.indicator, r.reason), []).append(r.name)
        elif r.reason and r.reason not in details.setdefault(r.indicator, []):
            details[r.indicator].append(r.reason)
    items = []
    for (indicator, reason), names in sites.items():
        examples = details.get(indicator, [])[:EXAMPLES]
        such = f",如{'、'.join(examples)}" if examples else ""
        items.append(f"{_names(names)}网站{reason}{such}。")
    return items


def account_problems(accounts: pd.DataFrame) -> list[str]:
    items = []
    by_reason: dict[str, list[pd.Series]] = {}
    for _, row in accounts.iterrows():
        for reason in [r for r in str(row["存在问题"]).split("；") if r] or ["不合格"]:
            by_reason.setdefault(reason, []).append(row)
    for reason, rows in by_reason.items():
        seen: dict[str, str] = {}  # one example per platform, as the notice gives them
        for row in rows:
            seen.setdefault(row["新媒体平台"], row["政务新媒体账号"])
        examples = ",".join(f"{platform}“{name}”" for platform, name in list(seen.items())[:EXAMPLES])
        items.append(_accounts_item(reason, len(rows), examples))
    return items


def account_other_problems(conn: Connection, period: str, region: str) -> list[str]:
    """Failing account findings that did not fail the account (problems the notices list apart from 附件3: several
    accounts of one unit on one platform, a verified subject still named after a pre-reform unit …), with examples."""
    f, v, a = db.findings, db.verdicts, db.accounts
    key = a.c.platform + ":" + a.c.account
    query = (select(f.c.reason, f.c.observed, a.c.platform, a.c.name, a.c.owner_unit, a.c.region_code, v.c.reasons)
             .join(a, key == f.c.target_id)
             .join(v, and_(v.c.period == f.c.period, v.c.target_kind == f.c.target_kind,
                           v.c.target_id == f.c.target_id))
             .where(f.c.period == period, f.c.target_kind == "account", f.c.outcome == "fail")
             .order_by(a.c.region_code, f.c.target_id))
    by_reason: dict[str, list[str]] = {}
    for r in conn.execute(query):
        if not within(r.region_code, region) or (r.reason and r.reason in (r.reasons or "").split("；")):
            continue  # listed in 附件3 already
        by_reason.setdefault(r.reason or "存在问题", []).append(
            f"{r.owner_unit}{_short(r.platform)}“{r.name}”" + (f"({r.observed})" if r.observed else ""))
    return [_accounts_item(reason, len(names), "、".join(names[:EXAMPLES])) for reason, names in by_reason.items()]


def _accounts_item(reason: str, count: int, examples: str) -> str:
    """"内容更新不及时的政务新媒体12个,如…"; one account is named alone: "微博“x”内容更新不及时"."""
    return f"{reason}的政务新媒体{count}个,如{examples}。" if count > 1 else f"{examples}{reason}。"


def letter_problems(letters: pd.DataFrame) -> list[str]:
    if letters.empty:
        return []
    units = letters["单位"].tolist()
    return [f"存在超期办理网民信件的情况,如{'、'.join(units[:EXAMPLES + 1])}"
            f"{'等' + str(len(units)) + '个单位' if len(units) > EXAMPLES + 1 else ''}。"]


def pending_note(pending: pd.DataFrame | None, number: int) -> str:
    """The 待定 sites, why, and where they are listed: they are neither 合格 nor 不合格 until re-checked."""
    if pending is None or pending.empty:
        return ""
    why = _reason_counts(pending["待定原因"])
    return (f"{_names(pending['网站名称'].tolist())}网站本季度未能完成判定(待定{len(pending)}个:{why}),"
            f"不计入合格或不合格,已列入待复核名单(附件{number}),复核后另行通报。")


def _reason_counts(texts: pd.Series) -> str:
    """'无监测数据3个、首页不更新待复核1个' from '；'-joined reasons, most frequent first."""
    reasons: dict[str, int] = {}
    for text in texts:
        for reason in filter(None, str(text).split("；")):
            reasons[reason] = reasons.get(reason, 0) + 1
    return "、".join(f"{reason}{n}个" for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]))


def pending_accounts_note(pending: pd.DataFrame | None, number: int) -> str:
    """The 待定 accounts, why, and where they are listed."""
    if pending is None or pending.empty:
        return ""
    why = _reason_counts(pending["待定原因"])
    names = [f"{_short(p)}“{n}”" for p, n in zip(pending["新媒体平台"], pending["政务新媒体账号"], strict=True)]
    return (f"{_names(names)}政务新媒体本季度未能完成判定(待定{len(pending)}个:{why}),不计入合格或不合格,"
            f"已列入待复核名单(附件{number}),复核后另行通报。")


def not_monitored_note(conn: Connection, period: str) -> str:
    """Indicators the office declared it does not monitor (skipped as 未开展监测), named so nobody reads the verdicts
    as covering them."""
    f = db.findings
    query = (select(f.c.indicator).where(f.c.period == period, f.c.outcome == "skipped", f.c.subject == "",
                                         f.c.reason == NOT_MONITORED).distinct())
    codes = sorted(conn.execute(query).scalars())
    if not codes:
        return ""
    names = "、".join(INDICATOR_NAMES.get(c, c) for c in codes)
    return f"本季度未开展{names}监测,以上检查结果不含该项指标。"


# -- the notice as one structure ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 0: the title; 1: 一、总体情况 …


@dataclass(frozen=True)
class Paragraph:
    text: str
    role: str = "body"  # body / addressee / item / signature (issuing office and date, right-aligned)


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Attachment:
    number: int
    title: str  # 2021年一季度不合格网站名单
    table: Table
    note: str  # 注:数据采样时间为2月18日—3月31日 / 注:检测时间为2021年3月3日


Block = Heading | Paragraph | Table | Attachment


@dataclass(frozen=True)
class Header:
    """The fields an office sets once (MONITOR_NOTICE_FILE): who issues, to whom, whom to call, and how many working
    days the units get to report their 整改."""
    issuer: str = ""
    addressees: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    workdays: int = DEFAULT_RECTIFY_WORKDAYS


# The addressee line of each level, as the seeds and the offices of that level word it (全州: 红河州).
def default_addressees(level: str, short: str) -> str:
    if level == "province":
        return "各州、市人民政府,省直各委、办、厅、局" if short == "省" else f"各市(州)人民政府,{short}直各委、办、厅、局"
    if level == "city":
        return f"各县市人民政府,{short}直各委、办、局" if short == "州" else f"各县(市、区)人民政府,{short}直各委、办、局"
    if level == "county":
        return f"各乡镇人民政府,{short}直各部门"
    return "各省、自治区、直辖市人民政府办公厅,国务院各部委、各直属机构办公厅(室)"


HEADER_KEYS = {"发文单位": "issuer", "主送": "addressees", "联系人": "contact", "电话": "phone", "邮箱": "email",
               "整改期限": "workdays"}


class NoticeFileError(ValueError):
    """A notice settings file that cannot be used; the message names the file and the key."""


def load_header(path: str | Path | None, region: str, region_name: str, level: str, issuer: str = "") -> Header:
    """The notice's header fields: the file's (its top-level keys, or the entry of the region's code), then the
    defaults of the region's level; `issuer` (the --issuer option) wins over both."""
    fields: dict[str, object] = {}
    if path:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise NoticeFileError(f"{path}: 无法读取通报设置文件: {exc}") from None
        if not isinstance(data, dict):
            raise NoticeFileError(f"{path}: 应为 发文单位/主送/联系人/电话/邮箱/整改期限 的映射")
        if data and all(re.fullmatch(r"\d{6}", str(k)) for k in data):  # one entry per region code
            data = next((v for k, v in data.items() if str(k) == region), {}) or {}
        for key, value in data.items():
            if key not in HEADER_KEYS:
                raise NoticeFileError(f"{path}: {key}: 未知的键 (应为 {'、'.join(HEADER_KEYS)})")
            fields[HEADER_KEYS[key]] = value
    days = fields.get("workdays", DEFAULT_RECTIFY_WORKDAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise NoticeFileError(f"{path}: 整改期限: {days!r} 应为正整数(工作日)")
    short = region_short(region_name, region)
    text = {k: str(v).strip() for k, v in fields.items() if k != "workdays"}
    return Header(issuer=issuer or text.get("issuer") or (f"{region_name}人民政府办公室" if region_name else ""),
                  addressees=text.get("addressees") or default_addressees(level, short),
                  contact=text.get("contact", ""), phone=text.get("phone", ""), email=text.get("email", ""),
                  workdays=days)


def registry_level(conn: Connection, region: str) -> str:
    """The region's level as the registry holds it (regions table), else from its code; '' for the whole country."""
    if not region:
        return ""
    found = conn.execute(select(db.regions.c.level).where(db.regions.c.code == region)).scalar()
    return found or region_level(region)


def chinese_date(day: date, year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def monitoring_point(conn: Connection, period: str) -> date | None:
    """检测时间: the monitoring point the period's verdicts were judged at."""
    found = conn.execute(select(func.max(db.verdicts.c.as_of)).where(db.verdicts.c.period == period)).scalar()
    return found.date() if isinstance(found, datetime) else found


def evidence_window(conn: Connection, period: str, indicator: str) -> tuple[date, date] | None:
    """数据采样时间: the span of days an indicator's site-level findings read (their evidence's window: the probe
    week of site availability, the months of letters); None when no finding names one."""
    f = db.findings
    query = select(f.c.evidence).where(f.c.period == period, f.c.indicator == indicator, f.c.subject == "")
    spans = []
    for (evidence,) in conn.execute(query):
        window = evidence.get("window") if isinstance(evidence, dict) else None
        try:
            spans.append((date.fromisoformat(str(window[0])[:10]), date.fromisoformat(str(window[1])[:10])))
        except (TypeError, ValueError, IndexError, KeyError):
            continue
    return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None


# Which attachment carries a sampling window (and of which indicator); the others carry the monitoring point.
SAMPLED = {"不合格网站名单": "site_unreachable", "信件办理超期名单": LETTERS_INDICATOR}


def attachment_note(conn: Connection, period: str, name: str, point: date | None) -> str:
    window = evidence_window(conn, period, SAMPLED[name]) if name in SAMPLED else None
    if window:
        start, end = window
        same = start.year == end.year
        return f"注:数据采样时间为{chinese_date(start, not same)}—{chinese_date(end, not same)}"
    return f"注:检测时间为{chinese_date(point)}" if point else ""


def rectify_deadline(notice_date: date, workdays: int, calendar: WorkCalendar | None = None) -> date | None:
    """The day the units report their 整改 by: `workdays` working days after the notice's date (the date itself not
    counted); None when the count reaches a year without a holiday table (then the notice gives the count)."""
    end = (calendar or WorkCalendar()).deadline(datetime.combine(notice_date, time()), workdays)
    return end.date() if end else None


def _rectify_sentence(header: Header, deadline: date | None) -> str:
    when = f"于{chinese_date(deadline)}前" if deadline else f"自本通报印发之日起{header.workdays}个工作日内"
    to = header.issuer or "本级政府办公室"
    contact = ",".join(filter(None, (header.contact, header.phone)))
    reach = ";".join(filter(None, (f"联系人及电话:{contact}" if contact else "",
                                   f"邮箱:{header.email}" if header.email else "")))
    return (f"被通报的政府网站、政务新媒体、网站栏目责任部门和信件办理超期的单位,要及时采取有效措施进行整改,"
            f"{when}将整改情况(电子版)报{to}" + (f"({reach})" if reach else "") + "。")


def blocks(conn: Connection, period: str, region: str, region_name: str, rates: pd.DataFrame,
           frames: dict[str, pd.DataFrame], decimals: int = 1, header: Header | None = None,
           notice_date: date | None = None, calendar: WorkCalendar | None = None) -> list[Block]:
    """The whole notice, once: every renderer (Markdown, HTML, Word) prints these blocks and words nothing itself."""
    header = header or Header()
    notice_date = notice_date or date.today()
    when, whole = quarter_label(period), "全" + region_short(region_name, region)
    out: list[Block] = [
        Heading(f"{header.issuer}关于{when}{whole}政府网站和政府系统政务新媒体检查情况的通报", 0),
        Paragraph(f"{header.addressees}:", "addressee"),
        Paragraph(f"按照国务院办公厅《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号)有关要求,现将{when}{whole}"
                  "政府网站和政府系统政务新媒体检查情况通报如下:"),
        Heading("一、总体情况"),
        Paragraph(f"(一)政府网站检查情况。{when},{overall_websites(rates, region, whole, decimals)}"),
        Paragraph(f"(二)政府系统政务新媒体检查情况。{when},{overall_accounts(rates, region, whole, decimals)}")]
    letters = timeliness_text(letter_outcomes(conn, period, region), decimals)
    if letters:
        out.append(Paragraph(f"(三)“互动交流”栏目网民留言办理情况。{when},{whole}{letters}。"))
    out.append(Heading("二、主要问题"))
    sections = [("政府网站运维保障有待加强",
                 website_problems(conn, period, region, frames["不合格网站名单"], frames["存在问题栏目名单"])),
                ("政务新媒体监管仍需加强", account_problems(frames["不合格政务新媒体名单"])
                 + account_other_problems(conn, period, region)),
                ("网民互动不够主动及时", letter_problems(frames["信件办理超期名单"]))]
    sections = [(title, items) for title, items in sections if items]
    for n, (title, items) in enumerate(sections):
        out.append(Paragraph(f"({ORDINALS[n]}){title}。"))
        out += [Paragraph(f"{i}. {text}", "item") for i, text in enumerate(items, start=1)]
    judged = any(r.judged for r in rates[(rates["region_code"] == region) & (rates["level"] == ALL)
                                         & (rates["kind"] == ALL)].itertuples())
    if not sections and judged:
        out.append(Paragraph("本季度检查未发现突出问题。"))
    number = {name: n for n, name in enumerate(frames, start=1)}
    notes = [t for t in (pending_note(frames.get("待复核网站名单"), number.get("待复核网站名单", 0)),
                         pending_accounts_note(frames.get("待复核政务新媒体名单"), number.get("待复核政务新媒体名单", 0)),
                         not_monitored_note(conn, period)) if t]
    if notes:
        out += [Heading("待复核及未监测事项"), *map(Paragraph, notes)]
    deadline = rectify_deadline(notice_date, header.workdays, calendar)
    out += [Heading("三、有关要求"), Paragraph(REQUIREMENTS + _rectify_sentence(header, deadline))]
    out += [Paragraph(("附件:" if n == 1 else "") + f"{n}. {when}{name}", "item") for name, n in number.items()]
    out += [Paragraph(header.issuer, "signature")] if header.issuer else []
    out.append(Paragraph(chinese_date(notice_date), "signature"))
    point = monitoring_point(conn, period)
    for name, n in number.items():
        frame = frames[name]
        table = Table(list(map(str, frame.columns)), [[_cell(v) for v in row] for row in frame.itertuples(index=False)])
        out.append(Attachment(n, f"{when}{name}", table, attachment_note(conn, period, name, point)))
    return out


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


# -- Markdown and HTML -------------------------------------------------------------------------------------------
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Names, column paths and units come from the registry and from crawled pages: in the Markdown draft they are
    text, never links, emphasis, HTML or headings."""
    return MD_SPECIAL.sub(r"\\\1", text)


def markdown(notice: list[Block]) -> str:
    lines: list[str] = []
    for block in notice:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {md_escape(block.text)}", ""]
        elif isinstance(block, Paragraph):
            text = md_escape(block.text)
            lines += [text, ""]
        elif isinstance(block, Attachment):
            lines += [f"## 附件{block.number}", "", f"**{md_escape(block.title)}**", "", *_md_table(block.table)]
            lines += ["", md_escape(block.note), ""] if block.note else [""]
        else:
            lines += [*_md_table(block), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(md_escape(c).replace("\n", " ") for c in cells) + " |"


def _md_table(table: Table) -> list[str]:
    row = _md_row
    body = [row(r) for r in table.rows] or [row(["本季度无"] + [""] * (len(table.header) - 1))]
    return [row(table.header), "|" + "---|" * len(table.header), *body]


HTML_STYLE = ("body{font-family:'FangSong','STFangsong','WenQuanYi Micro Hei',serif;max-width:50em;margin:2em auto;"
              "line-height:1.8}h1{text-align:center;font-size:1.6em}.signature{text-align:right}"
              "table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:.2em .4em}"
              ".attachment{break-before:page}.note{font-size:.9em}")


def html(notice: list[Block]) -> str:
    """The notice as one HTML page, every text escaped; each attachment starts a printed page."""
    title = next((b.text for b in notice if isinstance(b, Heading) and b.level == 0), "通报")
    out = [f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
           f"<style>{HTML_STYLE}</style></head><body>"]
    for block in notice:
        if isinstance(block, Heading):
            out.append(f"<h{block.level + 1}>{escape(block.text)}</h{block.level + 1}>")
        elif isinstance(block, Paragraph):
            out.append(f'<p class="{block.role}">{escape(block.text)}</p>')
        elif isinstance(block, Attachment):
            out.append(f'<section class="attachment"><h3>附件{block.number}</h3><h2>{escape(block.title)}</h2>'
                       f"{_html_table(block.table)}" + (f'<p class="note">{escape(block.note)}</p>' if block.note else "")
                       + "</section>")
        else:
            out.append(_html_table(block))
    out.append("</body></html>")
    return "\n".join(out)


def _html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.header)
    rows = ["<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in table.rows]
    if not rows:
        rows = [f'<tr><td colspan="{len(table.header)}">本季度无</td></tr>']
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
