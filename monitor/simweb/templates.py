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


# ------------------------------------------------------------------ pages that are not a plain list
# Modelled on what real government sites answer (see monitor/extract/unreadable.py): lists built by script in the
# ways real CMSs build them, and the interstitials of WAFs, anti-bot vendors, login walls and domain moves.

CHALLENGE_COOKIE = "sim_ts"


def _records(scenario: Scenario, site: Site, column: Column) -> list[dict]:
    return [{"title": article_title(site, column, i), "url": article_path(scenario, column, i),
             "date": article_date(scenario, column, i)} for i in range(min(len(column.days_ago), PAGE_SIZE))]


def _page(site: Site, column: Column, body: str, extra_head: str = "") -> str:
    crumb = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {escape(column.name)}</div>'
    return _head(site, f"{column.name}_{site.name}", extra_head) + _nav(site) + crumb + body + footer(site)


def scripted_column(scenario: Scenario, site: Site, column: Column) -> str:
    """A column page whose list is built by script (column.page in xhr / json_script / commented / spa /
    trs_search / broken_script); the static markup holds no list."""
    rows = _records(scenario, site, column)
    slug = column.slug
    if column.page == "xhr":  # a plain XMLHttpRequest of list.json, as many older CMS templates do
        body = ('<div class="list"><ul id="list"></ul></div><script>var xhr = new XMLHttpRequest();'
                'xhr.open("GET", "list.json"); xhr.onload = function () { var d = JSON.parse(xhr.responseText);'
                'd.data.list.forEach(function (x) { var li = document.createElement("li");'
                'li.innerHTML = "<a href=\\"" + x.url + "\\">" + x.title + "</a><span>" + x.pubDate + "</span>";'
                'document.getElementById("list").appendChild(li); }); }; xhr.send();</script>')
        return _page(site, column, body)
    if column.page == "json_script":  # 集约化/UCAP: the records as a JS literal, rendered through a template
        records = ",".join(json.dumps({"title": r["title"], "pubDate": f"{r['date']:%Y-%m-%d} 10:00", "type": 0,
                                       "urls": json.dumps({"pc": r["url"]}), "contentSource": site.sponsor},
                                      ensure_ascii=False) for r in rows)
        body = ('<div id="div380055"></div><script id="tpl380055" type="text/x-handlebars-template">'
                "<ul class='List_list'>{{#each data}}<li><a href='{{pcUrl}}'>{{title}}</a>"
                "<span>{{formatDate pubDate}}</span></li>{{/each}}</ul></script>"
                f"<script>var channelId = '{_pick(site.site_code, slug)}', codeName = 'col{slug}';\n"
                f"var listData = {{\n  articleList: [{records}],\n}};\n"
                "var box = document.getElementById('div380055'); var ul = document.createElement('ul');"
                "listData.articleList.forEach(function (x) { var li = document.createElement('li');"
                "li.innerHTML = '<a href=\"' + JSON.parse(x.urls).pc + '\">' + x.title + '</a><span>' + "
                "x.pubDate.slice(0, 10) + '</span>'; ul.appendChild(li); }); box.appendChild(ul);</script>")
        return _page(site, column, body)
    if column.page == "commented":  # the list inside a comment, written out by a script (集约 CMS pages)
        items = "".join(f'\n<li><a target="_blank" href="{r["url"]}" title="{escape(r["title"])}">{escape(r["title"])}'
                        f'</a>\n<b>{r["date"]:%Y-%m-%d}</b></li>' for r in rows)
        body = (f'<div class="zfxxgk_zdgkc"><ul class="jytxxgklist" id="list"><!--{items}\n--></ul></div>'
                '<script>var ul = document.getElementById("list"); for (var n of ul.childNodes) {'
                'if (n.nodeType === 8) { ul.innerHTML = n.data; break; } }</script>')
        return _page(site, column, body)
    if column.page == "spa":  # a Vue-like shell: everything comes from /static/app.js
        body = (f'<div id="app" v-cloak><ul class="list"><li v-for="item in list"><a :href="item.url">{{{{item.title}}}}'
                f'</a><span>{{{{item.date}}}}</span></li></ul></div>'
                f'<script src="/static/app.js?c={slug}"></script>')
        return _page(site, column, body)
    if column.page == "trs_search":  # TRS 海云: a POST of JSON parameters to the search API
        body = ('<div id="jyul" class="clearfix"></div><div id="JgcxPage" class="paging"></div><script>'
                f'var params = {{code: "{_pick(site.site_code) % 10**11:x}", searchWord: null, orderBy: "time",'
                f' pageNo: 1, pageSize: 20, customFilter: {{operator: "and", properties: [{{property: "channel_id",'
                f' operator: "eq", value: "{slug}"}}]}}}};\n'
                'function getList() { var xhr = new XMLHttpRequest(); xhr.open("POST", "/irs/front/search");'
                'xhr.setRequestHeader("Content-Type", "application/json"); xhr.onload = function () {'
                'var data = JSON.parse(xhr.responseText); var box = document.getElementById("jyul");'
                'if (!data.data.middle.listAndBox.length) { box.innerHTML = "暂无数据"; return; }'
                'data.data.middle.listAndBox.forEach(function (r) { var d = r.data; box.insertAdjacentHTML("beforeend",'
                '"<div class=\\"TradeInfo\\"><a href=\\"" + d.url + "\\">" + d.title + "</a><span class=\\"fbrq\\">" +'
                'd.time.substring(0, 10) + "</span></div>"); }); }; xhr.send(JSON.stringify(params)); }\n'
                'getList();</script>')
        return _page(site, column, body)
    # broken_script: the shell fetches its data from an endpoint that fails, so even Chromium shows no list.
    body = ('<div id="app" v-cloak><ul class="list"><li v-for="item in list">{{item.title}}</li></ul></div>'
            f'<script>fetch("/{slug}/data.do").then(function (r) {{ return r.json(); }}).then(function (d) {{'
            'document.getElementById("app").innerHTML = d.html; });</script>')
    return _page(site, column, body)


def app_js(scenario: Scenario, site: Site, column: Column) -> str:
    """The single-page shell's script: it replaces the shell with the list, from data it carries."""
    data = [{"title": r["title"], "url": r["url"], "date": r["date"].isoformat()}
            for r in _records(scenario, site, column)]
    return (f"var list = {json.dumps(data, ensure_ascii=False)};\n"
            "document.addEventListener('DOMContentLoaded', function () { var app = document.getElementById('app');"
            "var ul = document.createElement('ul'); ul.className = 'list'; list.forEach(function (x) {"
            "var li = document.createElement('li'); li.innerHTML = '<a href=\"' + x.url + '\">' + x.title + "
            "'</a><span>' + x.date + '</span>'; ul.appendChild(li); }); app.innerHTML = ''; app.appendChild(ul);"
            "app.removeAttribute('v-cloak'); });")


def trs_search(scenario: Scenario, site: Site, column: Column | None) -> dict:
    """The TRS 海云 search API's answer for one channel."""
    rows = _records(scenario, site, column) if column is not None else []
    return {"code": 200, "data": {"pager": {"pageNo": 1, "pageCount": 1, "total": len(rows)}, "middle": {
        "listAndBox": [{"data": {"title": r["title"], "url": r["url"], "time": f"{r['date']:%Y-%m-%d} 09:00:00",
                                 "table-1": ""}, "type": "data"} for r in rows]}}}


def challenge_page() -> str:
    """瑞数-like: an almost empty page whose obfuscated script sets a cookie and reloads."""
    return ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta content="q7Vv3Ru9WcqGPdlQkrunra1BJqWlWa3DJa" r="m"><script type="text/javascript" r="m">'
            "$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=17787;$_ts.cd='qoq7VvRUWcq2GPdlQkruqnra1BJqWlWa3DJa';"
            f"document.cookie='{CHALLENGE_COOKIE}=ok; path=/';setTimeout(function(){{location.reload();}},50);"
            '</script><script type="text/javascript" charset="utf-8" src="/tQrlMwxgEtCS/Jk6aVTYjhBeW.294cc83.js"'
            ' r="m"></script></head><body></body></html>')


def waf_page() -> str:
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问被拦截</title></head><body>'
            '<div class="box"><h1>您的请求已被网站防火墙拦截</h1><p>您的访问请求可能对网站造成安全威胁,请求已被阻断。</p>'
            '<p>事件ID: 8a3f2c91-ee12-4b71</p></div></body></html>')


def stub_page(column: Column) -> bytes:
    """A GBK redirect stub that sends the visitor to itself with a key, as an anti-crawler gateway does."""
    target = f"/{column.slug}/?adfwkey=mqo82"
    return (f'<html><body><br><br><br><script></script><script>window.location="{target}";</script><br><br><br>'
            f'<center><h3><a href="{target}"><p>如果您的页面没有自动跳转，请点击这里</p></a></h3></center></body></html>'
            ).encode("gb18030")


def login_page(site: Site) -> str:
    return (_head(site, f"统一身份认证_{site.name}") + '<div class="login"><h2>用户登录</h2><form method="post" '
            'action="/login"><input type="text" name="username" placeholder="用户名"><input type="password" '
            'name="password" placeholder="密码"><input type="text" name="captcha" placeholder="验证码">'
            '<button type="submit">登录</button></form></div></body></html>')


def moved_page(site: Site) -> str:
    new = f"http://new.{site.host.removeprefix('www.')}/"
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>域名变更公告</title></head><body>'
            f'<div class="center"><div class="cen_tit"><span>关于{escape(site.name)}网站域名变更的公告</span></div>'
            f'<div class="cen_con"><p>按照《政府网站发展指引》要求，本网站域名变更为：{new}。感谢您的关心与支持！</p>'
            f'<p>特此公告。</p></div><p>正在跳转，请稍等<span id="s">还剩10秒</span></p><script>var time = 10;'
            f'function Redirect() {{ window.location = "{new}"; }} timer = setTimeout("Redirect()", time * 1000);'
            f'</script><p>如果您的浏览器不支持跳转,<a href="{new}">请点这里</a>.</p></div></body></html>')
