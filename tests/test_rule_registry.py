"""The rule contract: every indicator module declares itself, the rulebook backs every declaration, and one failing
rule neither stops the others nor decides a verdict."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from monitor import db
from monitor.checks.account_facts import AccountFacts
from monitor.checks.facts import SiteFacts
from monitor.checks.model import ERROR, FAIL, INCONCLUSIVE, NO_DATA, PASS, Finding
from monitor.checks.rule import CRAWL, FACT_NAMES, WINDOW, Rule
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import RULES, rules_for
from monitor.checks.runner import ERROR_REASON, run_rules
from monitor.checks.scoring import ACCOUNT, PENDING, QUALIFIED, UNQUALIFIED, deduction, verdict
from tests import account_facts
from tests.rule_facts import AS_OF, facts

BOOK = load_rulebook("")
ACCOUNT_CODES = {"account_stale", "account_interaction", "account_identity", "account_duplicates",
                 "account_followable"}
# Website rules over more than one crawl: a week of probes, the channels run (letters and service guides).
WINDOW_CODES = {"site_unreachable", "ipv6", "interaction_response", "letter_timeliness", "letters_published",
                "service_practical", "guide_elements"}
CHANNEL_CODES = WINDOW_CODES - {"site_unreachable", "ipv6"}
# The facts each kind of target is judged from: a rule may only need facts of its own kind.
FACT_CLASSES = {"website": SiteFacts, "account": AccountFacts}


def test_every_rulebook_indicator_has_one_rule_and_every_declaration_is_backed() -> None:
    assert set(RULES) == set(BOOK.indicators)
    built = {"website": facts(), "account": account_facts.facts()}
    for code, rule in RULES.items():
        assert rule.code == code and rule.target_kind in FACT_CLASSES
        assert (rule.target_kind == "account") == (BOOK[code].family == "政务新媒体"), code
        missing = [p for p in rule.params if p not in BOOK[code].params]
        assert not missing, f"{code} declares parameters the rulebook lacks: {missing}"
        undeclared = [p for p in BOOK[code].params if p not in rule.params]
        assert not undeclared, f"{code}: rulebook parameters its rule does not declare: {undeclared}"
        fields = {f.name for f in dataclasses.fields(FACT_CLASSES[rule.target_kind])}
        assert set(rule.needs) <= fields, f"{code} needs facts its kind does not have: {set(rule.needs) - fields}"
        assert all(hasattr(built[rule.target_kind], n) for n in rule.needs)
    assert {r.code for r in rules_for("website", WINDOW)} == WINDOW_CODES
    websites = len(RULES) - len(ACCOUNT_CODES)
    assert len(rules_for("website", CRAWL)) == websites - len(WINDOW_CODES)
    assert len(rules_for("website")) == websites
    assert {r.code for r in rules_for("account")} == ACCOUNT_CODES == {r.code for r in rules_for("account", CRAWL)}
    known = set().union(*({f.name for f in dataclasses.fields(c)} for c in FACT_CLASSES.values()))
    assert set(FACT_NAMES) <= known
    assert {n for r in RULES.values() for n in r.needs} <= set(FACT_NAMES)


def test_every_account_rule_judges_a_readable_account_with_one_whole_account_finding() -> None:
    for rule in rules_for("account"):
        found = rule.check(account_facts.facts(), BOOK[rule.code], account_facts.AS_OF)
        assert [(f.indicator, f.subject, f.outcome) for f in found] == [(rule.code, "", PASS)], rule.code


def test_new_media_are_judged_on_their_vetoes_only() -> None:
    def one(code: str, outcome: str) -> Finding:
        return Finding(code, "", outcome, BOOK[code].reason if outcome == FAIL else "")

    passing = [one(code, PASS) for code in sorted(ACCOUNT_CODES)]
    v = verdict(ACCOUNT, passing, BOOK)
    assert (v.result, v.score, v.veto) == (QUALIFIED, None, False)
    v = verdict(ACCOUNT, [*passing[1:], one("account_stale", FAIL)], BOOK)
    assert (v.result, v.veto, v.score, v.reasons) == (UNQUALIFIED, True, None, ["内容更新不及时"])
    v = verdict(ACCOUNT, [*passing, one("account_interaction", INCONCLUSIVE)], BOOK)
    assert (v.result, v.score, v.reasons) == (PENDING, None, ["互动回应差待复核"])
    # a failing veto wins over a pending one
    assert verdict(ACCOUNT, [one("account_stale", FAIL), one("account_interaction", INCONCLUSIVE)], BOOK).result \
        == UNQUALIFIED
    # a non-veto problem alone is reported, never scored
    for code in ("account_identity", "account_duplicates", "account_followable"):
        v = verdict(ACCOUNT, [*passing, one(code, FAIL)], BOOK)
        assert (v.result, v.score, v.veto, v.reasons) == (QUALIFIED, None, False, []), code
    # … unless a local rulebook makes it a veto
    local = dataclasses.replace(BOOK, indicators={**BOOK.indicators, "account_followable": dataclasses.replace(
        BOOK["account_followable"], kind="veto")})
    assert verdict(ACCOUNT, [*passing, one("account_followable", FAIL)], local).result == UNQUALIFIED


def test_a_declaration_is_checked() -> None:
    with pytest.raises(ValueError, match="scope"):
        Rule("x", lambda *a: [], scope="weekly")
    with pytest.raises(ValueError, match="unknown facts"):
        Rule("x", lambda *a: [], needs=("cookies",))


def broken(facts, ind, as_of):
    raise KeyError("footer_site_code")


def test_a_failing_rule_is_an_error_finding_and_the_others_still_run(caplog) -> None:
    rules = [dataclasses.replace(RULES["column_blank"], check=broken), RULES["zhaocuo_entrance"]]
    found = run_rules(rules, facts(), BOOK, AS_OF, "5325000001")
    assert [(f.indicator, f.outcome) for f in found] == [("column_blank", ERROR), ("zhaocuo_entrance", "pass")]
    assert found[0].reason == ERROR_REASON and "KeyError" in found[0].evidence["error"]
    assert "rule column_blank failed on 5325000001" in caplog.text and "Traceback" in caplog.text
    # A veto rule that failed cannot pass the site: 待定, never 合格 or 不合格.
    result = verdict("portal", found, BOOK)
    assert (result.result, result.reasons) == ("待定", ["空白栏目待复核"])


def test_scoring_reads_each_rules_declared_deduction(tmp_path) -> None:
    local = tmp_path / "city.yaml"
    local.write_text("indicators:\n  broken_links: {points: 4, params: {home_points_each: 1, other_points_each: 0.5}}\n"
                     "  footer_marks: {points: 2, params: {points_each: 1}}\n", encoding="utf-8")
    book = load_rulebook(local)
    links = [Finding("broken_links", f"http://x/{i}", FAIL, "", evidence={"on_homepage": i < 2}) for i in range(5)]
    assert deduction("broken_links", links, book) == 2 + 1.5  # the rule's own: per link, by where it is
    assert deduction("broken_links", links * 2, book) == 4  # capped at the indicator's points
    marks = [Finding("footer_marks", m, FAIL, "") for m in ("ICP备案号", "网站标识码", "公安备案号")]
    assert deduction("footer_marks", marks, book) == 2  # the default: points_each per item, capped
    assert deduction("broken_links", links, BOOK) == 0  # national points unknown: nothing deducted


def test_an_erroring_rule_never_resolves_a_violation(sqlite_url: str, monkeypatch) -> None:
    """Evaluation with a rule that raises: the run goes on, the site is 待定, its open violation stays open."""
    from monitor.checks import rules as registry
    from monitor.evaluate import evaluate
    from monitor.migrate import upgrade
    from tests.test_evaluate import NO_PROBES, PORTAL, crawl_run, rows
    from tests.test_evaluate import registry as site_registry

    engine = db.engine_for(sqlite_url)
    upgrade(engine)
    columns = site_registry(engine)
    crawl_run(engine, "r1", datetime(2021, 3, 3), blank=5, columns=columns)
    evaluate(engine, "2021Q1", datetime(2021, 3, 3), book=BOOK, not_monitored=NO_PROBES)
    crawl_run(engine, "r2", datetime(2021, 3, 10), blank=0, columns=columns)
    monkeypatch.setitem(registry.RULES, "column_blank", dataclasses.replace(RULES["column_blank"], check=broken))
    summary = evaluate(engine, "2021Q1", datetime(2021, 3, 10), book=BOOK, not_monitored=NO_PROBES)
    assert summary.checked == 2 and summary.results["待定"] == 2
    assert all(v["resolved_at"] is None for v in rows(engine, db.violations, indicator="column_blank"))
    errors = rows(engine, db.findings, period="2021Q1", outcome="error")
    assert {e["target_id"] for e in errors} == {PORTAL, "5325000002"}
    assert date(2021, 3, 10) == summary.as_of.date()


def test_channel_rules_read_the_channels_run_and_skip_a_site_that_registered_no_channel() -> None:
    """Each letters and guides rule needs the channels; a site without any is reported as not monitored (skipped),
    which neither passes nor fails it nor makes it 待定."""
    for code in CHANNEL_CODES:
        rule = RULES[code]
        assert rule.scope == WINDOW and "channels" in rule.needs, code
        found = rule.check(facts(), BOOK[code], AS_OF)  # rule_facts' site has no channel
        assert [(f.subject, f.outcome) for f in found] == [("", "skipped")], code
        assert found[0].reason.startswith("未登记") or found[0].reason == "国家指标未规定答复时限,未设定本地时限", code
    findings = [f for code in CHANNEL_CODES for f in RULES[code].check(facts(), BOOK[code], AS_OF)]
    assert verdict("portal", findings, BOOK).result == QUALIFIED


@pytest.mark.parametrize(("code", "reason"), [("interaction_response", "互动回应差"),
                                              ("service_practical", "服务不实用")])
def test_the_two_new_vetoes_are_scored_as_vetoes(code: str, reason: str) -> None:
    """A failing letters or guides veto makes the site 不合格 whatever its score; an inconclusive one 待定 (never
    合格), naming the indicator; no data names 无监测数据; a failing deduction next to them deducts nothing."""
    def one(c: str, outcome: str, why: str = "") -> Finding:
        return Finding(c, "", outcome, why or (BOOK[c].reason if outcome == FAIL else ""))

    assert BOOK[code].kind == "veto" and BOOK[code].reason == reason and BOOK[code].points is None
    v = verdict("portal", [one(code, FAIL), one("column_blank", PASS)], BOOK)
    assert (v.result, v.veto, v.score, v.reasons) == (UNQUALIFIED, True, None, [reason])
    v = verdict("department", [one(code, INCONCLUSIVE)], BOOK)
    assert (v.result, v.reasons) == (PENDING, [f"{BOOK[code].name}待复核"])
    v = verdict("portal", [one(code, INCONCLUSIVE, NO_DATA)], BOOK)
    assert (v.result, v.reasons) == (PENDING, [NO_DATA])
    assert verdict("portal", [one(code, "skipped", "未开展监测")], BOOK).result == QUALIFIED
    # an item that fails (one closed channel, one guide) is reported; only the whole-site finding vetoes
    item = Finding(code, "http://x/1", FAIL, "x")
    assert verdict("portal", [item, one(code, PASS)], BOOK).result == QUALIFIED
    for deduction_code in ("letter_timeliness", "letters_published", "guide_elements"):
        assert BOOK[deduction_code].kind == "deduction" and BOOK[deduction_code].points is None
        v = verdict("portal", [one(deduction_code, FAIL)], BOOK)
        assert (v.result, v.score) == (QUALIFIED, 100)


def test_no_rule_module_imports_another() -> None:
    """One indicator per rule module: what several rules share lives under monitor/checks/, not in a sibling rule."""
    import ast
    from pathlib import Path

    import monitor.checks.rules as rules_package

    folder = Path(rules_package.__file__).parent
    borrowed = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and path.name != "__init__.py" and (
                    (node.module or "").startswith("monitor.checks.rules") or node.level):
                borrowed.append(f"{path.name}: from {'.' * node.level}{node.module or ''}")
    assert len(list(folder.glob("*.py"))) > 20 and borrowed == []
