"""Pages of the simulated government web, in three CMS-like templates modelled on real government sites.

- trs: TRS-style `<ul><li><a>…</a><span>2021-03-02</span></li>` lists, `createPageHTML(n, cur, "index", "html")`
  pagination with index_1.html…, static footer.
- table: table lists with `2021年3月2日` dates, GBK pages (served without a charset header; <meta charset> only
  when the site says so), the footer written by a script (footer.js, or an inline document.write), so only a
  rendered page shows the marks.
- portal: homepage news with `[03-02]` dates, column lists loaded by XHR as JSON (`2021/3/2` dates), articles with
  `发布时间:2018年12月19日 19时26分` and a meta PubDate that disagrees with the visible date.

Everything is generated from the scenario, deterministically.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from html import escape

from monitor.simweb.scenario import Column, Scenario, Site

PAGE_SIZE = 20
TOPICS = ("召开常务会议研究部署重点工作", "开展安全生产大检查", "推进优化营商环境工作", "召开疫情防控工作会议",
          "开展政务公开专题培训", "推进乡村振兴重点项目建设", "部署春耕备耕工作", "开展森林防火宣传",
          "召开经济运行分析会", "推进民生实事项目", "开展环境保护督查整改", "召开教育工作会议",
          "开展法治政府建设督察", "推进数字政府建设", "召开政府网站工作推进会", "开展消费品安全检查")
AD_SCRIPT = "http://cpro.baidustatic.com/cpro/ui/c.js"
AD_LINK = "http://shop.taobao.com/item/10086.htm"
HIDDEN_LINK = "http://www.bet365-vip.com/"
EXTERNAL_HOSTS = ("beian.miit.gov.cn", "www.beian.gov.cn", "bszs.conac.cn", "zfwzgl.www.gov.cn", "www.gov.cn",
                  "cpro.baidustatic.com", "shop.taobao.com", "www.bet365-vip.com")
TYPO_SENTENCES = {"案列": "本次检查通报了三起典型案列。", "海拨": "该镇平均海拨1800米。", "拔给": "财政拔给专项资金200万元。"}


def _pick(*parts: object) -> int:
    return int(hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def article_date(scenario: Scenario, column: Column, i: int) -> date:
    return scenario.day(column.days_ago[i])


def article_path(scenario: Scenario, column: Column, i: int) -> str:
    d = article_date(scenario, column, i)
    return f"/{column.slug}/{d:%Y%m}/t{d:%Y%m%d}_{i}.html"


def article_title(site: Site, column: Column, i: int) -> str:
    short = site.name.replace("人民政府", "")
    return f"{short}{TOPICS[_pick(site.site_code, column.slug, i) % len(TOPICS)]}"


def list_date(site: Site, d: date, home: bool = False) -> str:
    if site.template == "table":
        return f"{d.year}年{d.month}月{d.day}日"
    if site.template == "portal":
        return f"[{d:%m-%d}]" if home else f"{d.year}/{d.month}/{d.day}"
    return f"{d:%Y-%m-%d}"


def _head(site: Site, title: str, extra: str = "") -> str:
    charset = f'<meta charset="{site.encoding}">' if site.meta_charset else ""
    return (f"<!DOCTYPE html><html lang=\"zh-CN\"><head>{charset}<title>{escape(title)}</title>{extra}</head><body>"
            f'<div class="header"><div class="logo">{escape(site.name)}</div></div>')


def footer_inner(site: Site) -> str:
    missing = set(site.defects.missing_footer)
    code = site.defects.wrong_site_code or site.site_code
    parts = [f"<p>主办单位：{escape(site.sponsor)}"]
    if "site_code" not in missing:
        parts.append(f" 网站标识码：{code}")
    parts.append("</p><p>")
    if "icp" not in missing:
        parts.append(f'<a href="http://beian.miit.gov.cn/" target="_blank">{site.icp}</a> ')
    if "police" not in missing:
        digits = "".join(ch for ch in site.police if ch.isdigit())
        parts.append(f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={digits}">'
                     f"<span>{site.police[:5]}</span> <span>{site.police[5:]}</span></a>")
    parts.append("</p><p>")
    if "conac" not in missing:
        parts.append(f'<a href="http://bszs.conac.cn/sitename?method=show&amp;id={site.site_code}">'
                     '<img src="/images/red.png" alt="党政机关"></a> ')
    if "zhaocuo" not in missing:
        parts.append(f'<a href="http://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}">我为政府网站找错</a>')
    parts.append("</p>")
    return "".join(parts)


def footer(site: Site) -> str:
    if site.footer_mode == "footer_js":  # written by a script file: the static page shows an empty container
        return '<div id="footer" class="footer"></div><script src="/footer.js"></script></body></html>'
    if site.footer_mode == "document_write":  # written inline, as many old CMS pages and the conac embed do
        return (f'<div class="footer"><script>document.write({json.dumps(footer_inner(site), ensure_ascii=False)});'
                "</script></div></body></html>")
    return f'<div class="footer">{footer_inner(site)}</div></body></html>'


def footer_js(site: Site) -> str:
    return f"document.getElementById('footer').innerHTML = {json.dumps(footer_inner(site), ensure_ascii=False)};"


def _nav(site: Site) -> str:
    items = "".join(f'<li><a href="/{c.slug}/">{escape(c.name)}</a></li>' for c in site.columns)
    return f'<div class="nav"><ul><li><a href="/">首页</a></li>{items}</ul></div>'


def _entries(site: Site, rows: list[tuple[str, str, date]], home: bool = False) -> str:
    if site.template == "table":
        body = "".join(f'<tr><td><a href="{href}">{escape(title)}</a></td><td>{list_date(site, d, home)}</td></tr>'
                       for title, href, d in rows)
        return f'<table class="list-table">{body}</table>'
    body = "".join(f'<li><a href="{href}" target="_blank">{escape(title)}</a><span>{list_date(site, d, home)}</span></li>'
                   for title, href, d in rows)
    return f"<ul>{body}</ul>"


def home_news(scenario: Scenario, site: Site) -> list[tuple[str, str, date]]:
    """The homepage's news block: the 8 newest articles of the site's dynamic columns (else of any column)."""
    pool = [c for c in site.columns if c.category == "dynamic" and not c.blank] or \
        [c for c in site.columns if not c.blank]
    rows = [(article_title(site, c, i), article_path(scenario, c, i), article_date(scenario, c, i))
            for c in pool for i in range(len(c.days_ago))]
    return sorted(rows, key=lambda r: r[2], reverse=True)[:8]


def defect_links(site: Site, where: str) -> str:
    out = []
    for i, link in enumerate(site.defects.broken_links):
        if link.get("where", "article") == where:
            out.append(f'<a href="{broken_url(site, i, link["kind"])}">相关链接{i + 1}</a>')
    return " ".join(out)


def broken_url(site: Site, i: int, kind: str) -> str:
    base = site.host.removeprefix("www.")
    if kind == "dns":
        return f"http://old{i}.{base.replace('.gov.cn', '')}.invalid/"
    if kind == "refused":
        return f"http://closed{i}.{base}/"
    if kind == "tls":
        return f"https://secure{i}.{base}/"
    return f"{site.scheme}://{site.host}/broken/{kind}-{i}.html"


def home(scenario: Scenario, site: Site) -> str:
    rows = home_news(scenario, site)
    extra = []
    if site.defects.ads:
        extra.append(f'<script src="{AD_SCRIPT}"></script><a href="{AD_LINK}">特价商品推荐</a>')
    if site.defects.hidden_links:
        extra.append(f'<div style="display:none"><a href="{HIDDEN_LINK}">澳门博彩娱乐</a></div>')
    return (_head(site, site.name) + _nav(site) +
            f'<div class="main"><div class="news"><h2>要闻动态</h2>{_entries(site, rows, home=True)}</div>'
            f'<div class="links">{defect_links(site, "home")}{"".join(extra)}</div></div>' + footer(site))


def column_page(scenario: Scenario, site: Site, column: Column, n: int) -> str | None:
    """List page n of a column (0 = index.html), or None past the last page."""
    total = max(1, -(-len(column.days_ago) // PAGE_SIZE))
    if n >= total:
        return None
    title = f"{column.name}_{site.name}"
    crumb = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {escape(column.name)}</div>'
    if site.template == "portal":
        body = ('<div class="list" id="list" data-url="list.json"></div>'
                '<script>fetch("list.json").then(r => r.json()).then(d => {const ul = document.createElement("ul");'
                'd.data.list.forEach(x => {const li = document.createElement("li"); li.innerHTML = '
                '`<a href="${x.url}">${x.title}</a><span>${x.pubDate}</span>`; ul.appendChild(li);});'
                'document.getElementById("list").appendChild(ul);});</script>')
        return _head(site, title) + _nav(site) + crumb + body + footer(site)
    if column.blank:
        return _head(site, title) + _nav(site) + crumb + '<div class="list">暂无信息</div>' + footer(site)
    start = n * PAGE_SIZE
    rows = [(article_title(site, column, i), article_path(scenario, column, i), article_date(scenario, column, i))
            for i in range(start, min(start + PAGE_SIZE, len(column.days_ago)))]
    pager = f'<script>createPageHTML({total}, {n}, "index", "html");</script>' if site.template == "trs" else ""
    if n + 1 < total:
        pager += f'<a href="index_{n + 1}.html">下一页</a>'
    return (_head(site, title) + _nav(site) + crumb + f'<div class="list">{_entries(site, rows)}</div>'
            f'<div class="page">{pager}</div>' + footer(site))


def list_json(scenario: Scenario, site: Site, column: Column) -> dict:
    return {"code": 0, "data": {"total": len(column.days_ago), "list": [
        {"title": article_title(site, column, i), "url": article_path(scenario, column, i),
         "pubDate": list_date(site, article_date(scenario, column, i))} for i in range(len(column.days_ago))]}}


def id_number(region: str, birthday: str, seq: str) -> str:
    """A fake 18-digit ID card number with a valid check digit (GB 11643)."""
    body = f"{region}{birthday}{seq}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def personal_data(site: Site) -> tuple[str, str]:
    """The fake ID card number and mobile number planted for the personal-data review."""
    return id_number(site.region_code, "19850612", "321"), "13988776655"


def first_article(site: Site) -> tuple[Column, int] | None:
    for column in site.columns:
        if not column.blank:
            return column, 0
    return None


def article(scenario: Scenario, site: Site, column: Column, i: int) -> str:
    d = article_date(scenario, column, i)
    title = article_title(site, column, i)
    if site.template == "portal":
        stamp = f"发布时间:{d.year}年{d.month}月{d.day}日 09时30分"
        meta = f'<meta name="PubDate" content="{scenario.as_of:%Y-%m-%d} 08:00:00">'  # page generation, not publication
    elif site.template == "table":
        stamp, meta = f"发布日期：{d.year}年{d.month}月{d.day}日", ""
    else:
        stamp, meta = f"发布时间：{d:%Y-%m-%d} 10:00", f'<meta name="PubDate" content="{d:%Y-%m-%d} 10:00">'
    paragraphs = [f"{title}。会议要求，各部门要提高认识、压实责任，确保各项工作落到实处。",
                  f"下一次会议时间：{scenario.as_of.year}年12月1日。"]
    if first_article(site) == (column, i):
        d_ = site.defects
        paragraphs += [TYPO_SENTENCES.get(word, f"文中出现{word}。") for word in d_.typos]
        if d_.typos:
            paragraphs.append("该问题本案列入重点督办事项。")  # 本案列入 is no typo
        if d_.personal_data:
            id_no, mobile = personal_data(site)
            paragraphs.append(f"联系人身份证号：{id_no}，手机：{mobile}。")
        links = defect_links(site, "article")
        links += ' <a href="/files/fujian1.pdf">附件1：实施方案.pdf</a>'
        if d_.missing_attachment:
            links += ' <a href="/files/missing.doc">附件2：报名表.doc</a>'
        paragraphs.append(links)
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (_head(site, f"{title}_{site.name}", meta) + _nav(site) +
            f'<div class="article"><h1>{escape(title)}</h1><div class="info">来源：{escape(site.sponsor)} {stamp}</div>'
            f'<div class="content">{body}</div></div>' + footer(site))
