"""A draft of the quarterly notice (通报) in Markdown and HTML, structured like the published ones (seeds/):
title; 一、总体情况 with counts and rates; 二、主要问题 by indicator with concrete examples (sites, column paths, units,
accounts, units with overdue letters); 三、有关要求; 附件. Crawled text (names, column paths) is escaped in the HTML.

The wording follows 红河州's notice of 2021 Q1: "2021年一季度,全州在运行政府网站14个,…11个政府网站合格,合格率78.6%".
Notices print rates with one or two decimals (78.6 %, 95.06 %): `decimals` chooses.
"""

from __future__ import annotations

import re
from html import escape

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor import db
from monitor.checks.model import NOT_MONITORED
from monitor.platforms import platform_for
from monitor.report.attachments import COLUMN_INDICATORS, platform_rank
from monitor.report.letters import INDICATOR as LETTERS_INDICATOR
from monitor.report.letters import letter_outcomes, timeliness_text
from monitor.report.rates import ALL, percent, within

QUARTER_NAMES = {"1": "一", "2": "二", "3": "三", "4": "四"}
ORDINALS = "一二三四五六七八九十"
LEVELS = {"province": "省级", "city": "市级", "county": "县级"}
KINDS = {"portal": "政府门户网站", "department": "部门网站"}
# Names of the indicators a notice may say were not monitored (the rulebook's names, without loading a rulebook).
INDICATOR_NAMES = {"site_unreachable": "站点可用性", "ipv6": "IPv6支持"}
EXAMPLES = 3  # concrete examples named per problem, as the notices do
REQUIREMENTS = ("各单位要高度重视检查发现的问题,对照指出的问题举一反三,认真自查整改;明确专人负责网站栏目的更新维护,"
                "及时删除或整合空白栏目、修复不可用链接,确保信息发布及时准确;政务新媒体开设单位要落实监管责任,"
                "杜绝“开而不管”“僵尸”“空壳”等现象;及时答复网民留言和信件,不得敷衍、搪塞、延期答复。"
                "被通报的政府网站、政务新媒体、网站栏目责任部门和信件办理超期的单位,要及时采取有效措施进行整改,"
                "并将整改情况报送本级政府办公室。")


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
    change = ""
    if not pd.isna(r.change) and round(r.change * 100, decimals) != 0:
        change = f",较上季度{'上升' if r.change > 0 else '下降'}{abs(r.change) * 100:.{decimals}f}个百分点"
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
        items.append(f"{reason}的政务新媒体{len(rows)}个,如{examples}。")
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
    return [f"{reason}的政务新媒体{len(names)}个,如{'、'.join(names[:EXAMPLES])}。" for reason, names in by_reason.items()]


def letter_problems(letters: pd.DataFrame) -> list[str]:
    if letters.empty:
        return []
    units = letters["单位"].tolist()
    return [f"存在超期办理网民信件的情况,如{'、'.join(units[:EXAMPLES + 1])}"
            f"{'等' + str(len(units)) + '个单位' if len(units) > EXAMPLES + 1 else ''}。"]


def markdown(conn: Connection, period: str, region: str, region_name: str, rates: pd.DataFrame,
             frames: dict[str, pd.DataFrame], decimals: int = 1, issuer: str = "") -> str:
    when, whole = quarter_label(period), "全" + region_short(region_name, region)
    lines = [f"# {md_escape(issuer)}关于{when}{whole}政府网站和政府系统政务新媒体检查情况的通报(草稿)", "",
             f"按照国务院办公厅《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号)有关要求,现将{when}{whole}"
             "政府网站和政府系统政务新媒体检查情况通报如下:", "", "## 一、总体情况", "",
             f"(一)政府网站检查情况。{when},{overall_websites(rates, region, whole, decimals)}", "",
             f"(二)政府系统政务新媒体检查情况。{when},{overall_accounts(rates, region, whole, decimals)}", ""]
    letters = timeliness_text(letter_outcomes(conn, period, region), decimals)
    if letters:
        lines += [f"(三)“互动交流”栏目网民留言办理情况。{when},{whole}{letters}。", ""]
    lines += ["## 二、主要问题", ""]
    sections = [("政府网站运维保障有待加强",
                 website_problems(conn, period, region, frames["不合格网站名单"], frames["存在问题栏目名单"])),
                ("政务新媒体监管仍需加强", account_problems(frames["不合格政务新媒体名单"])
                 + account_other_problems(conn, period, region)),
                ("网民互动不够主动及时", letter_problems(frames["信件办理超期名单"]))]
    sections = [(title, items) for title, items in sections if items]
    for n, (title, items) in enumerate(sections):
        lines += [f"({ORDINALS[n]}){title}。", ""] + [f"{i}. {md_escape(text)}" for i, text in enumerate(items, start=1)]
        lines += [""]
    judged = any(r.judged for r in rates[(rates["region_code"] == region) & (rates["level"] == ALL)
                                         & (rates["kind"] == ALL)].itertuples())
    if not sections and judged:
        lines += ["本季度检查未发现突出问题。", ""]
    pending = pending_note(frames.get("待复核网站名单"), list(frames).index("待复核网站名单") + 1
                           if "待复核网站名单" in frames else 0)
    pending_acc = pending_accounts_note(frames.get("待复核政务新媒体名单"),
                                       list(frames).index("待复核政务新媒体名单") + 1
                                       if "待复核政务新媒体名单" in frames else 0)
    unmonitored = not_monitored_note(conn, period)
    if pending or pending_acc or unmonitored:
        lines += ["## 待复核及未监测事项", ""] + [md_escape(t) for t in (pending, pending_acc, unmonitored) if t]
        lines += [""]
    lines += ["## 三、有关要求", "", REQUIREMENTS, "", "## 附件", ""]
    lines += [f"{n}. {when}{name}" for n, name in enumerate(frames, start=1)]
    return "\n".join(lines) + "\n"


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


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md_escape(text: str) -> str:
    """Names, column paths and units come from the registry and from crawled pages: in the Markdown draft they are
    text, never links, emphasis, HTML or headings."""
    return MD_SPECIAL.sub(r"\\\1", text)


def md_unescape(text: str) -> str:
    return re.sub(r"\\([\\`*_\[\]<>|#~])", r"\1", text)


def html(md: str) -> str:
    """A minimal rendering of the draft: headings and paragraphs, every text escaped."""
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通报(草稿)</title>'
           "<style>body{font-family:'WenQuanYi Micro Hei',sans-serif;max-width:50em;margin:2em auto;line-height:1.8}"
           "</style></head><body>"]
    for line in md.splitlines():
        if line.startswith("# "):
            out.append(f"<h1>{escape(md_unescape(line[2:]))}</h1>")
        elif line.startswith("## "):
            out.append(f"<h2>{escape(md_unescape(line[3:]))}</h2>")
        elif line.strip():
            out.append(f"<p>{escape(md_unescape(line))}</p>")
    out.append("</body></html>")
    return "\n".join(out)
