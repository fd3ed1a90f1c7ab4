"""A draft of the quarterly notice (通报) in Markdown and HTML, structured like the published ones:
一、总体情况 with counts and rates; 二、主要问题 by indicator with concrete examples; 三、有关要求; 附件.
Crawled text (names, column paths) is escaped in the HTML."""

from __future__ import annotations

from html import escape

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from monitor import db

QUARTER_NAMES = {"1": "一", "2": "二", "3": "三", "4": "四"}
REQUIREMENTS = ("各单位要高度重视检查发现的问题,对照指出的问题举一反三,认真自查整改;明确专人负责网站栏目的更新维护,"
                "及时删除或整合空白栏目、修复不可用链接,确保信息发布及时准确。被通报的单位要及时采取有效措施进行整改,"
                "并将整改情况报送本级政府办公室。")


def _overall(rates: pd.DataFrame, region: str, kind: str, label: str) -> str | None:
    row = rates[(rates["region_code"] == region) & (rates["target_kind"] == kind) & (rates["kind"] == "all")]
    if row.empty:
        return None
    r = row.iloc[0]
    sampled = f",检查{r.checked}个(抽查比例{r.sampling:.1%})" if r.running and r.checked < r.running else ""
    change = "" if pd.isna(r.change) else f",较上季度{'上升' if r.change >= 0 else '下降'}{abs(r.change) * 100:.1f}个百分点"
    return (f"在运行{label}{r.running}个{sampled},其中{r.qualified}个合格、{r.failed}个不合格,"
            f"合格率{r.rate * 100:.1f}%{change}。")


def problems(conn: Connection, period: str, failed: pd.DataFrame, columns: pd.DataFrame) -> list[str]:
    items = []
    by_reason: dict[str, list[str]] = {}
    for _, row in failed.iterrows():
        for reason in str(row["存在问题"]).split("；"):
            by_reason.setdefault(reason, []).append(row["网站名称"])
    for reason, names in by_reason.items():
        items.append(f"{'、'.join(names)}等{len(names)}个网站{reason}。")
    for _, row in columns.iterrows():
        problem = "为空白栏目" if row["问题描述"] == "空白栏目" else row["问题描述"].replace(",栏目", "")
        items.append(f"由{row['责任部门']}负责维护的“{row['栏目名称'].removeprefix('首页>').replace('>', '—')}”栏目"
                     f"{problem}。")
    f = db.findings
    broken = conn.execute(select(f.c.target_id).where(f.c.period == period, f.c.indicator == "broken_links",
                                                      f.c.subject == "", f.c.outcome == "fail")).all()
    if broken:
        items.append(f"另有{len(broken)}个网站存在不可用链接,需及时修复。")
    return items


def markdown(conn: Connection, period: str, region: str, region_name: str, rates: pd.DataFrame,
             frames: dict[str, pd.DataFrame]) -> str:
    year, q = period[:4], QUARTER_NAMES[period[5]]
    lines = [f"# 关于{year}年{q}季度{region_name}政府网站和政务新媒体检查情况的通报(草稿)", "",
             f"按照国务院办公厅《政府网站与政务新媒体检查指标》(国办秘函〔2019〕19号)要求,现将{year}年{q}季度"
             f"{region_name}政府网站和政府系统政务新媒体检查情况通报如下:", "", "## 一、总体情况", ""]
    web = _overall(rates, region, "website", "政府网站")
    lines.append(f"(一)政府网站检查情况。{year}年{q}季度,{region_name}{web or '本季度未检查政府网站。'}")
    media = _overall(rates, region, "account", "政务新媒体")
    lines += ["", f"(二)政务新媒体检查情况。{region_name + media if media else '本季度未检查政务新媒体。'}", "",
              "## 二、主要问题", ""]
    issues = problems(conn, period, frames["不合格网站名单"], frames["存在问题栏目名单"])
    lines += [f"{i}. {text}" for i, text in enumerate(issues, start=1)] or ["本季度检查未发现突出问题。"]
    lines += ["", "## 三、有关要求", "", REQUIREMENTS, "", "## 附件", ""]
    lines += [f"{n}. {year}年{q}季度{name}" for n, name in enumerate(frames, start=1)]
    return "\n".join(lines) + "\n"


def html(md: str) -> str:
    """A minimal rendering of the draft: headings, numbered items and paragraphs, every text escaped."""
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通报(草稿)</title>'
           "<style>body{font-family:'WenQuanYi Micro Hei',sans-serif;max-width:50em;margin:2em auto;line-height:1.8}"
           "</style></head><body>"]
    for line in md.splitlines():
        if line.startswith("# "):
            out.append(f"<h1>{escape(line[2:])}</h1>")
        elif line.startswith("## "):
            out.append(f"<h2>{escape(line[3:])}</h2>")
        elif line.strip():
            out.append(f"<p>{escape(line)}</p>")
    out.append("</body></html>")
    return "\n".join(out)
