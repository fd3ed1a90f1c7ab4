"""Pages whose static HTML does not show what a visitor sees: interstitials, and lists built by script.

Government sites often answer a column URL with something other than the column: an anti-bot challenge (瑞数 202/412
pages that set a cookie by script and reload, 磐云/加速乐/创宇 browser checks), a WAF block page, a short redirect
stub (GBK `window.location="/?adfwkey=…"` pages), a login wall, or a 域名变更 notice that sends visitors elsewhere.
Others hold the list where a parser does not look: JSON in a `<script>` (集约化/UCAP platforms: `var listData =
{articleList: […]}`), records of an XML datastore in a `<script type="text/xml">` (大汉 JCMS jpage lists), an HTML
comment that a script writes out, or a single-page shell (Vue/Angular) or an XHR search
API (TRS 海云 `/irs/front/search`) that fills an empty container. Judging such a page as an empty list would report
a blank or stale column that is not; these functions say what the page is so the crawler can read it another way or
record it as unreadable (待定), never as blank.

Detection looks at the patterns of those CMSs and WAFs in general, and only at pages without a static list: a page
whose list is readable is never an interstitial, whatever words it contains.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from monitor.extract import fold
from monitor.extract.links import document_base, registrable_domain
from monitor.extract.lists import EMPTY_MARKERS, json_list_entries, list_entries
from monitor.extract.model import ListEntry
from monitor.extract.tree import PageTree, iter_text_nodes, tree_of

# Outcome classes of pages that are not the page asked for (stored in pages.outcome, see monitor/outcome.py).
CHALLENGE, BLOCKED, LOGIN, MOVED, UNRENDERED = "challenge", "blocked", "login", "moved", "unrendered"

# Anti-bot challenges: vendor marks that only their challenge pages carry.
CHALLENGE_MARKS = re.compile(
    r"\$_ts\s*=\s*window\[|\$_ss\s*=\s*window\[|<(?:meta|script)\b[^>]*\br\s*=\s*['\"]m['\"]"  # 瑞数 (Riversecurity)
    r"|__panyun|360panyun\.|id=['\"]ChallengeForm['\"]|name=['\"]?waf_answer"  # 磐云
    r"|__jsl_clearance|__jsluid|jsl_tracking|jiasule"  # 加速乐 / 知道创宇
    r"|cf-browser-verification|challenge-platform|cf_chl_"  # Cloudflare
    r"|yunsuo_session_verify|security_verify_data|safedog-flow-item",  # 云锁, 安全狗 redirect checks
    re.I)
CHALLENGE_WORDS = re.compile(r"检查浏览器|浏览器安全检查|正在验证您的浏览器|正在进行安全检测|请开启\s*JavaScript\s*并刷新|"
                             r"请启用\s*JavaScript|Checking your browser|Just a moment|please enable (?:javascript|cookies)",
                             re.I)
SETS_COOKIE = re.compile(r"document\.cookie\s*=")
RELOADS = re.compile(r"location\.reload\s*\(|location(?:\.href)?\s*=|location\.replace\s*\(|location\.assign\s*\(")
# WAF block pages: said in their title or heading, or in a page with hardly any other text.
BLOCK_WORDS = re.compile(r"已被(?:网站)?(?:管理员设置)?拦截|访问被拦截|请求(?:已)?被(?:拦截|阻断|拒绝)|访问(?:已)?被阻断|"
                         r"网站防火墙|Web应用防火墙|应用防火墙|安全狗|云锁|疑似(?:黑客)?攻击|危险请求|非法请求|"
                         r"您的访问(?:请求)?(?:可能)?(?:对网站造成安全威胁|被拒绝|已被)|禁止访问|访问受限|Access Denied|"
                         r"Request Rejected|has been blocked|Forbidden", re.I)
MOVED_WORDS = re.compile(r"域名(?:已)?(?:变更|更换|更改|切换)|网址(?:已)?(?:变更|更换|更改)|网站(?:已)?(?:迁移|搬迁|更换域名)|"
                         r"已迁移至|新域名|新网址|网站已改版并?(?:迁移|启用新)|访问新(?:版)?网站")
LOGIN_WORDS = re.compile(r"登录|登陆|统一身份认证|用户认证|身份验证|Sign\s*in|Log\s*in|login", re.I)
LOGIN_URL = re.compile(r"(?:^|/)(?:login|signin|sso|cas|passport|auth|oauth)(?:[/._?]|$)", re.I)
META_REFRESH = re.compile(r"<meta[^>]+http-equiv\s*=\s*['\"]?refresh['\"]?[^>]*content\s*=\s*['\"]?\s*\d*\s*;?\s*"
                          r"url\s*=\s*['\"]?([^'\">\s]+)", re.I)
SCRIPT_REDIRECT = re.compile(r"(?:window|document|top|self|parent)?\.?location(?:\.href)?\s*=\s*['\"]([^'\"]+)['\"]|"
                             r"location\.(?:replace|assign)\s*\(\s*['\"]([^'\"]+)['\"]", re.I)

MOJIBAKE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00bf]")  # UTF-8 read as Latin-1
MUSTACHE = re.compile(r"\{\{[^{}]{1,80}\}\}")  # a client-side template's {{ field }} left in the visible text
LITERAL_START = re.compile(r"(?:=|\(|:)\s*([\[{])")  # where a script may hold a JSON literal
# Single-page shells and client-side templates: the visible page is built by script.
# Plain substrings (a regex alternation over a large page costs more than the whole extraction of it).
SPA_MARKS = ("v-cloak", "v-for=", "v-if=", "ng-app", "ng-repeat", "ng-controller", "data-reactroot", "<router-view",
             "<app-root", "x-data=")
EMPTY_APP = re.compile(r"id=['\"](?:app|root)['\"][^>]{0,200}>\s*</div>", re.I)
# Script elements as the page's source spells them: SCRIPT_BLOCK every one, INLINE_SCRIPT those without a src. What
# _script_texts finds with their opening tags alone.
SCRIPT_BLOCK = re.compile(r"<script[^>]*>(.*?)</script>", re.S | re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
SCRIPT_OPEN = re.compile(r"<script[^>]*>", re.I)
INLINE_SCRIPT_OPEN = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
SPA_SCRIPTS = re.compile(r"<script[^>]+src=['\"][^'\"]*(?:vue|angular|react|chunk-vendors|app\.[0-9a-f]{6,}|main\.[0-9a-f]{6,}|"
                         r"umi\.|runtime\.)[^'\"]*\.js", re.I)
TEMPLATE_SCRIPT = re.compile(r"<script[^>]+type=['\"]text/(?:x-handlebars-template|template|html|x-template|x-jsrender|"
                             r"x-tmpl|x-dot-template|x-art-template)['\"]", re.I)
XHR_USE = re.compile(r"\$\.ajax\s*\(|\.ajax\s*\(\s*\{|\$\.(?:post|get|getJSON)\s*\(|\bfetch\s*\(|XMLHttpRequest|\baxios[.(]|"
                     r"\.load\s*\(\s*['\"]|\bloadPageData\s*\(|\bgetList\s*\(|renderChannelTemplate\s*\(|"
                     r"/irs/front/search|/api/|\.do\b", re.I)
# What every match of XHR_USE and of WRITES_LIST starts with, lower-cased (fold.py).
XHR_STARTS = ("$.ajax", ".ajax", "$.post", "$.get", "fetch", "xmlhttprequest", "axios", ".load", "loadpagedata",
              "getlist", "renderchanneltemplate", "/irs/front/search", "/api/", ".do")
WRITES_STARTS = ("document.write", ".innerhtml", ".append", ".html", ".insertadjacenthtml")
# Every mark holds a -: the page's dashes are found by a pattern that starts with one (re jumps from one to the
# next as str.find does), then the part after the dash is matched and the whole mark looked behind; ten substring
# searches of the page cost ten times more. The part after the dash first: re drops an alternative whose first
# character differs from the page's without trying its look-behind (background-repeat is no ng-repeat).
SPA_DASH = re.compile(rb"-(?:" + rb"|".join(re.escape(after.encode()) + rb"(?<=" + re.escape(mark.encode()) + rb")"
                                             for mark in SPA_MARKS for after in [mark.partition("-")[2]]) + rb")")
APP_IDS = ("id=\"app\"", "id='app'", "id=\"root\"")
APP_IDS_BYTES = re.compile(rb"id=(?:\"app\"|'app'|\"root\")")  # one search, from one id= to the next
# Script that writes list rows (li, tr, links) into the page.
WRITES_LIST = re.compile(r"(?:document\.write(?:ln)?|\.innerHTML\s*\+?=|\.append|\.html|\.insertAdjacentHTML)\s*\(?"
                         r"[^;]{0,200}?<(?:li|tr|a)\b", re.I)
PASSWORD_LOWER = str.maketrans("PASSWORD", "password")  # XPath's translate(@type, 'PASSWORD', 'password')
XML_LOWER = str.maketrans("XML", "xml")
TITLE_KEYS = ("title", "showTitle", "docTitle", "bt", "subject", "name")
DATE_HINT = re.compile(r"date|time|fbsj|rq", re.I)
DATE_HINT_STARTS = ("date", "time", "fbsj", "rq")  # what its matches start with, lower-cased (fold.py)


@dataclass(frozen=True)
class Interstitial:
    """What a page is instead of the page asked for: an outcome class and the Chinese reason a person reads."""

    outcome: str  # challenge / blocked / login / moved
    reason: str
    target: str | None = None  # where a redirect stub or a notice sends the visitor


def _short(text: str, limit: int) -> bool:
    """Fewer than `limit` characters once blanks are removed (len(re.sub(r"\\s+", "", text)) < limit)."""
    return len(text) < limit or _nonblank(text) < limit


def _nonblank(text: str) -> int:
    # str.split() splits on the very characters \s matches (Py_UNICODE_ISSPACE), without a regex over the text.
    return len("".join(text.split()))


def repair_mojibake(text: str) -> str:
    """UTF-8 text that was decoded as Latin-1 somewhere on its way (磐云 pages saved twice: "è¯·ç¨å")."""
    if not MOJIBAKE.search(text):
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _script_texts(html: str, opener: re.Pattern[str], low: bytes | None) -> Iterator[str]:
    """What SCRIPT_BLOCK (opener SCRIPT_OPEN) or INLINE_SCRIPT (INLINE_SCRIPT_OPEN) finds in the page: the text
    between an opening tag and the first </script> after it. `low`: fold.page_lowered(html), where the opening tags
    and closing tags are found by substring search (a case-insensitive .*? tries </script> at every character)."""
    if low is None:
        yield from ((SCRIPT_BLOCK if opener is SCRIPT_OPEN else INLINE_SCRIPT).findall(html))
        return
    for start, end in _script_spans(html, opener, low, fold.starts(low, ("<script",))):
        yield html[start:end]


def _script_spans(html: str, opener: re.Pattern[str], low: bytes, opens: list[int]) -> Iterator[tuple[int, int]]:
    """Where the texts _script_texts gives stand in the page (start, end), for a page that folds (`low`) and
    `opens`, the places of its "<script"s."""
    end = 0
    for at in opens:
        if at < end or (m := opener.match(html, at)) is None:
            continue
        close = low.find(b"</script>", m.end())
        if close < 0:
            return  # no script after this one is closed either
        yield m.end(), close
        end = close + len("</script>")


def redirect_target(html: str, base_url: str) -> str | None:
    """The address a meta refresh or a script redirect sends the visitor to; `base_url` is the document's base URL
    (links.document_base), against which browsers resolve both."""
    low = fold.page_lowered(html)
    m = None if fold.lacks(html, "refresh") else next(fold.finditer(META_REFRESH, html, ("<meta",), low), None)
    if m:
        return urljoin(base_url, m.group(1).strip())
    if fold.lacks(html, "location"):  # what SCRIPT_REDIRECT needs, looked for once rather than in every script
        return None
    if low is None:
        matches = (fold.search_near(SCRIPT_REDIRECT, script, "location", 9)
                   for script in _script_texts(html, SCRIPT_OPEN, low))
    else:  # the same search, with "location" found in the page's lowered bytes rather than each script's
        matches = (_redirect_in(html, low, start, end)
                   for start, end in _script_spans(html, SCRIPT_OPEN, low, fold.starts(low, ("<script",))))
    for m in matches:
        if m:
            target = (m.group(1) or m.group(2)).strip()
            if target and not target.startswith(("javascript:", "#")):
                return urljoin(base_url, target)
    return None


def _redirect_in(html: str, low: bytes, start: int, end: int) -> re.Match[str] | None:
    """SCRIPT_REDIRECT.search(html, start, end), for a page that folds (`low`). Every match holds "location" at most
    9 characters after its start ((document.)location…): the pattern is tried there only, in order, rather than at
    every character after the first "location" (which is mostly read, not assigned: var u = location.href)."""
    tried = start  # the places before this one were tried
    at = low.find(b"location", start, end)
    while at >= 0:
        for place in range(max(tried, at - 9), at + 1):
            if (m := SCRIPT_REDIRECT.match(html, place, end)) is not None:
                return m
        tried = at + 1
        at = low.find(b"location", tried, end)
    return None


def same_site(url: str, other: str) -> bool:
    a, b = urlsplit(url).hostname or "", urlsplit(other).hostname or ""
    return a == b or registrable_domain(a) == registrable_domain(b)


def classify(html: str, text: str, title: str | None, url: str, *, status: int = 200, entries: int = 0,
             final_url: str | None = None, sel: Selector | None = None,
             tree: PageTree | None = None) -> Interstitial | None:
    """The interstitial a page is, or None for a page to read as it is. `text` is its visible text."""
    if entries:
        return None  # a readable list is the page, whatever words surround it
    sel = sel if sel is not None else tree.sel if tree is not None else Selector(text=html or "<html></html>")
    tree = tree_of(sel, tree)
    # //h1//text() | //h2//text() | //h3//text(), the first six
    heading_texts = (t for el in tree.outer_headings() for t in iter_text_nodes(el))
    headings = " ".join(t for _, t in zip(range(6), heading_texts, strict=False))
    head = repair_mojibake(f"{title or ''} {headings}")
    counted: list[int] = []  # the text's non-blank length, counted once for every threshold below

    def short(limit: int) -> bool:
        if len(text) < limit:
            return True
        if not counted:
            counted.append(_nonblank(text))
        return counted[0] < limit

    short_text = short(200)
    scripts = " ".join(_script_texts(html, SCRIPT_OPEN, fold.page_lowered(html))) if short_text else ""
    # Vendor scripts also ride on real pages once the visitor passed (瑞数 adds r='m' scripts to every page): only a
    # page with hardly any visible text is the challenge itself.
    if short_text and (CHALLENGE_MARKS.search(html) or (status in (202, 412, 521) and "<script" in html.lower())):
        return Interstitial(CHALLENGE, "反爬虫验证页")
    if short_text and (CHALLENGE_WORDS.search(repair_mojibake(text) + " " + head)
                       or (SETS_COOKIE.search(scripts) and RELOADS.search(scripts))):
        return Interstitial(CHALLENGE, "反爬虫验证页")
    if BLOCK_WORDS.search(head) or (short(300) and BLOCK_WORDS.search(repair_mojibake(text))):
        return Interstitial(BLOCKED, "网站防火墙拦截页")
    if not short(1500):
        return None  # a page with that much to read is no interstitial
    base = document_base(sel, url, tree)
    target = redirect_target(html, base)
    if MOVED_WORDS.search(head) or (short(600) and MOVED_WORDS.search(text)):
        host = urlsplit(url).hostname
        outside = target if target and urlsplit(target).hostname != host else None  # www.x.gov.cn → new.x.gov.cn too
        if outside is None:  # the notice names the new address as a link
            for href in (h for a in tree.tags["a"] if (h := a.get("href")) is not None):
                link = urljoin(base, href)
                if link.startswith("http") and urlsplit(link).hostname != host:
                    outside = link
                    break
        if outside is not None:  # a notice that sends nowhere is an article about a domain change, not a move
            return Interstitial(MOVED, "域名变更公告页", outside)
    # The inputs first: lowering the whole page costs more than reading its few inputs.
    has_password = any((el.get("type") or "").translate(PASSWORD_LOWER) == "password" for el in tree.tags["input"]) \
        and "password" in html.lower()
    if has_password and (LOGIN_WORDS.search(head) or short(400)
                         or LOGIN_URL.search(urlsplit(final_url or url).path)):
        return Interstitial(LOGIN, "登录页")
    if target and short(150):
        if same_site(target, url):  # to itself, or on: the crawler follows it once before believing it
            return Interstitial(CHALLENGE, "跳转页", target)
        return Interstitial(MOVED, "跳转至其他网站", target)
    return None


def _spa_mark(lowered: bytes) -> bool:
    """Does the page (fold.page_lowered) hold one of SPA_MARKS?"""
    return SPA_DASH.search(lowered) is not None


def script_list_signs(html: str, text: str) -> str | None:
    """Why a page without static entries may build its list by script (None: a plain page, judged as it is)."""
    # The marks are ASCII: looked for in the page's bytes lower-cased (fold.page_lowered), which cost a third of
    # lower-casing the text.
    folded = fold.page_lowered(html)
    lower = html.lower() if folded is None else ""
    spa_mark = _spa_mark(folded) if folded is not None else any(mark in lower for mark in SPA_MARKS)
    if spa_mark or ("{{" in text and MUSTACHE.search(text)):
        return "单页应用外壳"
    app_id = APP_IDS_BYTES.search(folded) is not None if folded is not None else any(p in lower for p in APP_IDS)
    if app_id and EMPTY_APP.search(html):
        return "单页应用外壳"
    if _short(text, 300) and SPA_SCRIPTS.search(html):
        return "单页应用外壳"
    if folded is None:
        # The substring first: the regex scans the page slowly.
        if "text/" in lower and TEMPLATE_SCRIPT.search(html):
            return "列表模板由脚本填充"
        scripts, low_scripts = " ".join(_script_texts(html, INLINE_SCRIPT_OPEN, None)), None
    else:
        # The "<script"s found once for both readings; the scripts' text lowered is the page's, cut at the same places.
        opens = fold.starts(folded, ("<script",))
        if b"text/" in folded and any(TEMPLATE_SCRIPT.match(html, at) for at in opens):
            return "列表模板由脚本填充"
        spans = list(_script_spans(html, INLINE_SCRIPT_OPEN, folded, opens))
        scripts = " ".join(html[start:end] for start, end in spans)
        low_scripts = b" ".join(folded[start:end] for start, end in spans)
    if fold.search(XHR_USE, scripts, XHR_STARTS, low_scripts):
        return "列表由脚本加载"
    if fold.search(WRITES_LIST, scripts, WRITES_STARTS, low_scripts):
        return "列表由脚本写出"
    return None


def has_empty_marker(text: str) -> bool:
    return any(marker in text for marker in EMPTY_MARKERS)


# ------------------------------------------------------------------ lists held in the page itself

_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")
_TRAILING = re.compile(r",\s*([}\]])")


_STRUCTURE = re.compile(r"[\"'{}\[\]]")
_STRING_END = {'"': re.compile(r'[\\"]'), "'": re.compile(r"[\\']")}


def _literal_at(script: str, start: int) -> str | None:
    """The balanced {...} or [...] literal starting at `start`, strings respected. Jumps from one quote or bracket
    to the next with a regex: a character-by-character loop over a 2 MB script costs seconds."""
    opener = script[start]
    closer = "}" if opener == "{" else "]"
    depth, i = 0, start
    while (m := _STRUCTURE.search(script, i)) is not None:
        ch, i = m.group(), m.start()
        if ch in "\"'":  # skip the string: to its closing quote, past escaped characters
            end = _STRING_END[ch]
            i += 1
            while (q := end.search(script, i)) is not None and q.group() == "\\":
                i = q.start() + 2
            if q is None:
                return None
            i = q.start() + 1
            continue
        if ch in "{[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return script[start:i + 1] if ch == closer else None
        i += 1
    return None


def _loads(literal: str) -> object | None:
    """JSON, or a JavaScript literal close to it (unquoted keys, trailing commas)."""
    for candidate in (literal, _TRAILING.sub(r"\1", _KEY.sub(r'\1"\2":', literal))):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


def _record_lists(data: object, depth: int = 0) -> list[list[dict]]:
    """Every list of records (dicts) inside a parsed literal."""
    found: list[list[dict]] = []
    if depth > 6:
        return found
    if isinstance(data, list):
        records = [d for d in data if isinstance(d, dict)]
        if records:
            found.append(records)
        for d in data[:50]:
            found += _record_lists(d, depth + 1)
    elif isinstance(data, dict):
        for value in data.values():
            found += _record_lists(value, depth + 1)
    return found


def _address(value: object) -> str | None:
    """An address as UCAP and similar platforms keep it: a string, a {"pc": …} object, or that object as JSON text."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, dict):
        value = value.get("pc") or value.get("url") or next((v for v in value.values() if isinstance(v, str)), None)
    return value if isinstance(value, str) and value.strip() else None


def _normalise(record: dict) -> dict:
    out = dict(record)
    out["url"] = next((a for k in ("url", "urls", "pcUrl", "linkUrl", "link", "href") if (a := _address(record.get(k)))),
                      None)
    return out


def script_json_entries(sel: Selector, page_url: str, *, ref: date | None = None,
                        tree: PageTree | None = None) -> list[ListEntry]:
    """List entries held as JSON (or a JS literal) in inline scripts: the records list with the most dated titles.
    Relative addresses resolve against the document's base URL, as the links a script writes do."""
    best: list[ListEntry] = []
    tree = tree_of(sel, tree)
    base_url = document_base(sel, page_url, tree)
    for script in tree.inline_scripts:
        if "{" not in script or len(script) > 2_000_000:
            continue
        if not fold.search(DATE_HINT, script, DATE_HINT_STARTS):  # no literal in it can hold a date hint
            continue
        last, tries = 0, 0
        for m in LITERAL_START.finditer(script):
            if tries >= 40:  # a bounded effort per script
                break
            if m.start(1) < last:  # inside a literal already read
                continue
            tries += 1
            literal = _literal_at(script, m.start(1))
            if literal is None or len(literal) < 40 or not DATE_HINT.search(literal):
                continue
            last = m.start(1) + len(literal)
            data = _loads(literal)
            if data is None:
                continue
            for records in _record_lists(data):
                titled = [r for r in records if any(isinstance(r.get(k), str) and r.get(k) for k in TITLE_KEYS)]
                if len(titled) < max(1, len(records) // 2) or not any(DATE_HINT.search(k) for k in records[0]):
                    continue
                entries = [e for e in json_list_entries([_normalise(r) for r in titled], base_url, ref=ref)
                           if e.title]
                if sum(e.date is not None for e in entries) > sum(e.date is not None for e in best):
                    best = entries
    return best


COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# What every date needs in the text (dates.py reads \d), or a character reference that could write one.
DIGIT_OR_REF = re.compile(r"[\d&]")


def _comment_spans(page: str | bytes) -> Iterator[tuple[int, int]]:
    """Where the bodies of a page's comments stand (what COMMENT captures), in the page's text or its lowered bytes
    (fold.page_lowered: the same places), found with find (a regex scan of the page costs five times more)."""
    opener, closer = ("<!--", "-->") if isinstance(page, str) else (b"<!--", b"-->")
    pos = 0
    while (start := page.find(opener, pos)) >= 0 and (end := page.find(closer, start + 4)) >= 0:  # type: ignore[arg-type]
        yield start + 4, end
        pos = end + 3


def _linking_comments(html: str) -> Iterator[str]:
    """The comments' bodies that hold "<a " or "<A " twice at least. Found in fold.page_lowered(html) (which the
    page's other readers ask for too) where the page folds: a byte per character is half the text a Chinese page
    holds to search, and "<a " stands there for both spellings."""
    low = fold.page_lowered(html)
    if low is None:
        bodies = (html[start:end] for start, end in _comment_spans(html))
        yield from (body for body in bodies if body.count("<a ") + body.count("<A ") >= 2)
        return
    for start, end in _comment_spans(low):
        if low.count(b"<a ", start, end) >= 2:
            yield html[start:end]


def commented_entries(html: str, page_url: str, *, ref: date | None = None,
                      sel: Selector | None = None, tree: PageTree | None = None) -> list[ListEntry]:
    """List entries inside HTML comments (lists a script writes out of a comment, as some 集约 CMS pages do).
    `sel` is the page's Selector when the caller has one: it gives the <base href> the written links resolve
    against."""
    entries: list[ListEntry] = []
    base_url: str | None = None
    for body in _linking_comments(html):
        if not DIGIT_OR_REF.search(body):  # a menu left in a comment: no date anywhere in it, so no dated entry
            continue
        if base_url is None:  # found once, and only for a page with a commented list
            page = sel if sel is not None else Selector(text=html or "<html></html>")
            base_url = document_base(page, page_url, tree)
        found = list_entries(Selector(text=f"<html><body><ul>{body}</ul></body></html>"), base_url, ref=ref)
        if sum(e.date is not None for e in found) >= 2:
            known = {x.url for x in entries}  # once per comment, not once per entry
            entries += [e for e in found if e.url not in known]
    return entries


# 大汉 (Hanweb) JCMS jpage lists: <script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]></record>
# …, the rows jpage.js writes into the page; a record may also hold its row escaped instead of in CDATA.
XML_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)


def script_xml_entries(sel: Selector, page_url: str, *, ref: date | None = None,
                       tree: PageTree | None = None) -> list[ListEntry]:
    """List entries held as the records of an XML datastore in a `<script type="text/xml">` (大汉 jpage lists).
    Rows are read as markup rows are: only dated lists count, addresses resolve against the document's base URL."""
    entries: list[ListEntry] = []
    base_url: str | None = None
    tree = tree_of(sel, tree)
    # //script[contains(translate(@type, 'XML', 'xml'), 'xml')]/text()
    xml_scripts = [t for el in tree.tags["script"] if "xml" in (el.get("type") or "").translate(XML_LOWER)
                   for t in [el.text, *(child.tail for child in el)] if t]
    for script in xml_scripts:
        rows = [m.group(1) if m.group(1) is not None else htmllib.unescape(m.group(2))
                for m in XML_RECORD.finditer(script)]
        if not rows:
            continue
        base_url = base_url or document_base(sel, page_url, tree)
        body = "".join(rows)
        # Table rows stay rows only inside a table; anything else is read as list items.
        markup = f"<table>{body}</table>" if body.lstrip()[:3].lower() == "<tr" else f"<ul>{body}</ul>"
        found = list_entries(Selector(text=f"<html><body>{markup}</body></html>"), base_url, ref=ref)
        known = {x.url for x in entries}  # once per script, not once per entry
        entries += [e for e in found if e.url not in known]
    return entries
