"""页面底部标识 — What: the footer marks 党政机关标识, 网站标识码, ICP备案号 and 公安备案号, on the homepage and on the
sampled pages of the crawl.

Why: footers must clearly list "党政机关网站标识、网站标识码、ICP备案编号、公安机关备案标识" on every page (47号 as
monitoring tools encode it). The 网站标识码 must also equal the registry's code, and a local code's first 6 digits
must be the site's region code (central "bm" codes carry no region). The homepage is judged as rendered when its
footer is written by a script: a mark missing there fails. On the other sampled pages (columns, lists, articles) a
网站标识码 that differs from the registry's fails — a printed wrong value is evidence; a mark merely not found there
is a review candidate only, since those pages are read without a browser and their footer may be script-written.
The 我为政府网站找错 entrance is its own indicator (zhaocuo_entrance).
Example: footer shows 网站标识码 5325999999 while the registry says 5325010011 → fail "网站标识码与登记不一致".
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, REVIEW, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator
from monitor.items import PageItem

CODE = "footer_marks"
MARKS = (("footer_conac", "党政机关标识"), ("footer_site_code", "网站标识码"), ("footer_icp", "ICP备案号"),
         ("footer_police", "公安机关备案号"))
SAMPLED_ROLES = ("column", "list", "article")
EXAMPLES = 10  # pages named in the evidence of a finding about sampled pages


def check(facts: SiteFacts, ind: Indicator, as_of: date) -> list[Finding]:
    home = facts.homepage
    if home is None or home.outcome != "ok":
        return [Finding(CODE, "", INCONCLUSIVE, "首页无法读取,待复核", "", "页面底部标识齐全",
                        {"url": facts.site.homepage, "as_of": str(as_of)})]
    registered, region = facts.site.site_code, facts.site.region_code
    findings: list[Finding] = []
    base = {"url": home.url, "rendered": bool(home.rendered), "as_of": str(as_of)}
    for column, label in MARKS:
        value = getattr(home, column)
        if not value:
            findings.append(Finding(CODE, label, FAIL, f"页面底部未标注{label}", "缺失", "标注", base))
        else:
            findings.append(Finding(CODE, label, PASS, "", str(value), "标注", base))
    code = home.footer_site_code
    if code and code != registered:
        findings.append(Finding(CODE, "网站标识码一致性", FAIL, "网站标识码与登记不一致", code, registered, base))
    if code and code.isdigit() and code[:6] != region:
        findings.append(Finding(CODE, "网站标识码区划", FAIL, "网站标识码与所属地区不符", code[:6], region, base))
    findings += _sampled(facts, home, as_of)
    failed = [f.subject for f in findings if f.outcome == FAIL and facts.counts(CODE, f.subject)]
    findings.append(Finding(CODE, "", FAIL if failed else PASS, ind.reason if failed else "",
                            "、".join(failed) or "齐全", "页面底部标识齐全且正确", base))
    return findings


def _sampled(facts: SiteFacts, home: PageItem, as_of: date) -> list[Finding]:
    """Findings about the other pages of the crawl: wrong codes (fail), marks not found (review)."""
    pages = [p for p in facts.pages if p.role in SAMPLED_ROLES and p.outcome == "ok"]
    registered = facts.site.site_code
    out: list[Finding] = []
    wrong = [p for p in pages if p.footer_site_code and p.footer_site_code != registered]
    if wrong:
        codes = sorted({p.footer_site_code for p in wrong if p.footer_site_code})
        out.append(Finding(CODE, "网站标识码一致性@其他页面", FAIL, "网站标识码与登记不一致", "、".join(codes), registered,
                           {"url": wrong[0].url, "parent_url": home.url, "pages": len(wrong),
                            "examples": [p.url for p in wrong[:EXAMPLES]], "as_of": str(as_of)}))
    for column, label in MARKS:
        if not getattr(home, column):
            continue  # already a failure of the site
        missing = [p for p in pages if not getattr(p, column)]
        if missing:
            out.append(Finding(CODE, f"{label}@其他页面", REVIEW, f"部分页面底部未识别到{label},待人工确认",
                               f"{len(missing)}/{len(pages)}个页面", "标注",
                               {"url": missing[0].url, "parent_url": home.url, "pages": len(missing),
                                "sampled": len(pages), "examples": [p.url for p in missing[:EXAMPLES]],
                                "as_of": str(as_of)}))
    return out


RULE = Rule(CODE, check, scope=CRAWL, needs=("site", "homepage", "pages"), params=("points_each",))
