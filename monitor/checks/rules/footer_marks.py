"""页面底部标识 — What: the footer marks of the homepage: 党政机关标识, 网站标识码, ICP备案号, 公安备案号.

Why: footers must clearly list "党政机关网站标识、网站标识码、ICP备案编号、公安机关备案标识" (47号 as monitoring
tools encode it). The 网站标识码 must also equal the registry's code, and a local code's first 6 digits must be the
site's region code. Judged on the homepage as rendered when its footer is written by a script.
Example: footer shows 网站标识码 5325999999 while the registry says 5325010011 → fail "网站标识码与登记不一致".
"""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import SiteFacts
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rulebook import Rulebook

CODE = "footer_marks"
MARKS = (("footer_conac", "党政机关标识"), ("footer_site_code", "网站标识码"), ("footer_icp", "ICP备案号"),
         ("footer_police", "公安机关备案号"))


def check(facts: SiteFacts, book: Rulebook, as_of: date) -> list[Finding]:
    ind = book[CODE]
    home = facts.homepage
    if home is None or home["outcome"] != "ok":
        return [Finding(CODE, "", INCONCLUSIVE, "首页无法读取,待复核", "", "页面底部标识齐全",
                        {"url": facts.site["homepage"]})]
    findings: list[Finding] = []
    base = {"url": home["url"], "rendered": bool(home["rendered"]), "as_of": str(as_of)}
    for column, label in MARKS:
        value = home[column]
        if not value:
            findings.append(Finding(CODE, label, FAIL, f"页面底部未标注{label}", "缺失", "标注", base))
        else:
            findings.append(Finding(CODE, label, PASS, "", str(value), "标注", base))
    code = home["footer_site_code"]
    registered = facts.site["site_code"]
    if code and code != registered:
        findings.append(Finding(CODE, "网站标识码一致性", FAIL, "网站标识码与登记不一致", code, registered, base))
    if code and code.isdigit() and code[:6] != facts.site["region_code"]:
        findings.append(Finding(CODE, "网站标识码区划", FAIL, "网站标识码与所属地区不符", code[:6],
                                facts.site["region_code"], base))
    failed = [f.subject for f in findings if f.outcome == FAIL]
    findings.append(Finding(CODE, "", FAIL if failed else PASS, ind.reason if failed else "",
                            "、".join(failed) or "齐全", "页面底部标识齐全且正确", base))
    return findings
