"""必要栏目: offered when a column name or a crawled link's anchor holds one of the column's words; a column not
seen is a review item, never a failure; nothing is judged without the homepage's links."""

from __future__ import annotations

from datetime import date

from monitor.checks.facts import ColumnFacts, LinkFacts, SiteFacts
from monitor.checks.model import INCONCLUSIVE, PASS, REVIEW
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import required_columns

AS_OF = date(2021, 3, 3)
IND = load_rulebook("")[required_columns.CODE]
HOME = "http://www.hh.gov.cn/"
ALL = ["走进红河", "机构职能", "领导之窗", "红河要闻", "政策文件", "政策解读"]


def link(anchor: str, on_homepage: bool = True) -> LinkFacts:
    return LinkFacts(f"{HOME}{len(anchor)}/", HOME, anchor, "a", on_homepage, False, False, "ok", 200, None)


def facts(anchors: list[str], columns: tuple[str, ...] = (), deeper: tuple[str, ...] = ()) -> SiteFacts:
    cols = [ColumnFacts(f"{HOME}c{i}/", name, "other", 1, None, None, None) for i, name in enumerate(columns)]
    links = [link(a) for a in anchors] + [link(a, on_homepage=False) for a in deeper]
    return SiteFacts(site={"site_code": "5325000001", "homepage": HOME}, run_id="r1", homepage=None, home_entries=[],
                     columns=cols, pages=[], links=links)


def site(findings):
    return next(f for f in findings if f.site_level)


def test_every_required_column_seen_passes() -> None:
    findings = required_columns.check(facts(ALL), IND, AS_OF)
    assert [(f.outcome, f.observed) for f in findings] == [(PASS, "均已开设")]


def test_a_column_not_seen_is_a_review_item_never_a_failure() -> None:
    findings = required_columns.check(facts(ALL[:-1]), IND, AS_OF)
    item = next(f for f in findings if not f.site_level)
    assert (item.subject, item.outcome, item.reason) == ("政策解读", REVIEW, "疑似未开设政策解读栏目")
    assert (site(findings).outcome, site(findings).reason) == (REVIEW, "疑似未开设必要栏目")
    assert site(findings).observed == "未见政策解读"


def test_column_names_and_deeper_pages_count() -> None:
    assert site(required_columns.check(facts(ALL[:-1], columns=("政策解读",)), IND, AS_OF)).outcome == PASS
    assert site(required_columns.check(facts(ALL[:-1], deeper=("图解：政策解读",)), IND, AS_OF)).outcome == PASS


def test_without_the_homepage_links_nothing_is_judged() -> None:
    found = required_columns.check(facts([], deeper=tuple(ALL)), IND, AS_OF)
    assert [(f.outcome, f.reason) for f in found] == [(INCONCLUSIVE, "首页链接未能读取,待复核")]


def test_a_local_rulebook_sets_its_own_list(tmp_path) -> None:
    local = tmp_path / "city.yaml"
    local.write_text("indicators:\n  required_columns:\n    params:\n      required: [政务服务=办事|政务服务, 政策解读]\n",
                     encoding="utf-8")
    ind = load_rulebook(local)[required_columns.CODE]
    found = required_columns.check(facts(["政策解读", "网上办事"]), ind, AS_OF)
    assert site(found).outcome == PASS
    found = required_columns.check(facts(["政策解读"]), ind, AS_OF)
    assert [f.subject for f in found if not f.site_level] == ["政务服务"]
