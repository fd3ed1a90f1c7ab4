"""账号名称或认证主体不规范 (政务新媒体) — What: the name the platform shows differs from the registry's 账号名称, or
the verified subject (认证主体) is not the unit that opened the account (开设主体).

Why: notices criticise accounts without 第三方平台官方认证 and arbitrary name changes (甘肃 2021), and subjects left
unchanged after the 2018–2019 机构改革: "凤翔县农业农村局'凤翔农业'微信公众号账号主体显示为原'凤翔县农业局'" (陕西
2020 Q1). The exact national naming rule was not found (indicators.md §5, confidence C): reported, points null.
Names are compared after folding what does not make a different name: spaces, full/half width, quotes and
punctuation, decorations such as 官方微博 / 官方账号 / 认证: (rulebook `decorations`), and the ethnic part of
autonomous areas (红河哈尼族彝族自治州 = 红河州). An owner written with a parenthesis of other names it also carries
(个旧市财政局(个旧市国有资产监督管理局、个旧市人民政府金融办公室)) matches any of them. A subject that is the owner's
name before the reform (rulebook `reform_renames`, "新名称=旧名称|旧名称": 农业农村局=农业局 …) fails with its own
reason (账号主体仍为机构改革前名称"凤翔县农业局"); any other difference fails with the indicator's reason.
Precision first: nothing shown → inconclusive, never a fail; one part shown and matching while the other was not
shown → inconclusive (only what was compared can pass); an unreadable account → inconclusive with the reason why.
Example: registry 凤翔县农业农村局 / 凤翔农业, platform shows 凤翔农业 with 账号主体 凤翔县农业局 → fail.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from monitor.checks.account_facts import AccountFacts, unread
from monitor.checks.model import FAIL, INCONCLUSIVE, PASS, Finding
from monitor.checks.rule import CRAWL, Rule
from monitor.checks.rulebook import Indicator

CODE = "account_identity"
THRESHOLD = "账号名称与备案名称一致,认证主体与开设单位一致"
# The 56 ethnic groups as autonomous areas name them.
ETHNIC = ("汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
          "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔",
          "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯",
          "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺")
_GROUP = "|".join(sorted(ETHNIC, key=len, reverse=True))
# 红河哈尼族彝族自治州 → 红河州, 双江拉祜族佤族布朗族傣族自治县 → 双江县, 宁夏回族自治区 → 宁夏; 族 is required (长白朝鲜族
# 自治县 → 长白县, not 长县) except in 新疆维吾尔自治区.
AUTONOMOUS = re.compile(rf"(?:(?:{_GROUP})族|维吾尔)+自治(州|县|旗|区)|(?:(?<=内蒙古)|(?<=西藏))自治(区)")
# Quotes, brackets of titles and punctuation that never make a different name (parentheses are kept: they hold
# the other names of a unit).
PUNCTUATION = re.compile(r"[\s\"'“”‘’《》〈〉「」『』【】\[\]·•・\-—_~～.。,，:：;；!！?？]")
SEPARATORS = re.compile(r"[、,，;；/]")


def fold(text: str, decorations: list[str]) -> str:
    """A name reduced for comparison: width, spaces, punctuation, decorations and autonomous-area words folded."""
    folded = unicodedata.normalize("NFKC", text).strip()
    changed = True
    while changed:  # 认证:河口县文化和旅游局官方微博 → 河口县文化和旅游局
        changed = False
        for deco in decorations:
            d = unicodedata.normalize("NFKC", deco)
            if folded.startswith(d) and len(folded) > len(d):
                folded, changed = folded[len(d):].strip(), True
            if folded.endswith(d) and len(folded) > len(d):
                folded, changed = folded[:-len(d)].strip(), True
    folded = PUNCTUATION.sub("", folded).lower()
    return AUTONOMOUS.sub(lambda m: m.group(1) if m.group(1) in ("州", "县", "旗") else "", folded)


def names_of(unit: str, decorations: list[str]) -> list[str]:
    """Every name a unit is written with: the main one and those in its parenthesis, folded."""
    text = unicodedata.normalize("NFKC", unit)
    inner = re.findall(r"\(([^()]*)\)", text)
    main = re.sub(r"\([^()]*\)", "", text)
    parts = [main, *(p for group in inner for p in SEPARATORS.split(group))]
    return [n for n in dict.fromkeys(fold(p, decorations) for p in parts) if n]


def renames(entries: list[str]) -> list[tuple[str, str]]:
    """(old ending, new ending) pairs from the rulebook's "新名称=旧名称|旧名称" entries, longest old ending first."""
    pairs = []
    for entry in entries:
        new, _, olds = entry.partition("=")
        pairs += [(old.strip(), new.strip()) for old in olds.split("|") if old.strip() and new.strip()]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


def pre_reform(subjects: list[str], owners: list[str], pairs: list[tuple[str, str]]) -> bool:
    """True when a subject is an owner's name with its pre-reform ending (凤翔县农业局 for 凤翔县农业农村局)."""
    for subject in subjects:
        for old, new in pairs:
            if not subject.endswith(old):
                continue
            stem = subject[:-len(old)]
            if any(owner == stem + new for owner in owners):
                return True
    return False


def check(facts: AccountFacts, ind: Indicator, as_of: date) -> list[Finding]:
    if (nothing := unread(facts, CODE, THRESHOLD)) is not None:
        return nothing
    reading = facts.check
    assert reading is not None
    account = facts.account
    decorations = list(ind.param("decorations"))
    evidence: dict[str, object] = {"url": reading.url, "registry_name": account.name, "owner_unit": account.owner_unit,
                                   "display_name": reading.display_name, "verified_subject": reading.verified_subject,
                                   "fetched_at": str(reading.fetched_at), "source": reading.source, "as_of": str(as_of)}
    shown_name, shown_subject = (reading.display_name or "").strip(), (reading.verified_subject or "").strip()
    if not shown_name and not shown_subject:
        return [Finding(CODE, "", INCONCLUSIVE, "未能读取账号名称和认证主体", "平台未显示账号名称和认证主体", THRESHOLD,
                        evidence)]
    problems: list[str] = []
    reasons: list[str] = []
    if shown_name and fold(shown_name, decorations) != fold(account.name, decorations):
        problems.append(f"账号名称“{shown_name}”与备案名称“{account.name}”不一致")
        reasons.append(ind.reason)
    if shown_subject:
        owners, subjects = names_of(account.owner_unit, decorations), names_of(shown_subject, decorations)
        if not set(owners) & set(subjects):
            if pre_reform(subjects, owners, renames(ind.param("reform_renames"))):
                problems.append(f"认证主体“{shown_subject}”为开设单位“{account.owner_unit}”机构改革前的名称")
                reasons.insert(0, f"账号主体仍为机构改革前名称\"{shown_subject}\"")
            else:
                problems.append(f"认证主体“{shown_subject}”与开设单位“{account.owner_unit}”不一致")
                reasons.append(ind.reason)
    if problems:
        evidence["problems"] = problems
        return [Finding(CODE, "", FAIL, ";".join(dict.fromkeys(reasons)), ";".join(problems), THRESHOLD, evidence)]
    if not shown_name or not shown_subject:
        missing = "认证主体" if not shown_subject else "账号名称"
        return [Finding(CODE, "", INCONCLUSIVE, f"未能读取{missing}", f"平台未显示{missing},其余一致", THRESHOLD,
                        evidence)]
    return [Finding(CODE, "", PASS, "", "账号名称与认证主体一致", THRESHOLD, evidence)]


RULE = Rule(CODE, check, target_kind="account", scope=CRAWL, needs=("account", "check"),
            params=("reform_renames", "decorations"))
