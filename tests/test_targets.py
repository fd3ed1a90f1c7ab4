"""Target sources: the database and registry files give the same targets; a crawl takes them from either."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import RegistryError
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb
from monitor.targets import DatabaseSource, FileSource, TargetSourceError, target_source
from tests.crawling import crawl
from tests.test_website_spider import FAST, prepare, rows


def test_database_and_file_give_the_same_targets(db_url: str, tmp_path: Path) -> None:
    scenario = load_scenario("honghe_2021q1")
    prepare(db_url, scenario, tmp_path)
    from_db = DatabaseSource(db_url).targets("website")
    from_file = FileSource([tmp_path / "targets.yaml"]).targets("website")
    assert [t.id for t in from_db] == [t.id for t in from_file] == sorted(s.site_code for s in scenario.sites)
    for a, b in zip(from_db, from_file, strict=True):
        assert (a.kind, a.facts["homepage"], a.facts["region_code"]) == (b.kind, b.facts["homepage"],
                                                                         b.facts["region_code"])
        assert [c["url"] for c in a.facts["columns"]] == [c["url"] for c in b.facts["columns"]]
    picked = DatabaseSource(db_url).targets("website", ["5325010002", "nope"])
    assert [t.id for t in picked] == ["5325010002"]
    assert target_source({"MONITOR_TARGETS": "", "MONITOR_DATABASE_URL": db_url}).__class__ is DatabaseSource


def test_sources_refuse_what_they_cannot_give(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    with pytest.raises(TargetSourceError, match="no registry"):
        DatabaseSource(empty).targets("website")
    bad = tmp_path / "bad.csv"
    bad.write_text("网站标识码,网站名称,首页地址,行政区划代码,行政区划名称,层级,类型\n"
                   "5325010002,个旧市人民政府,ftp://x,532501,个旧市,县级,门户网站\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"bad.csv:2: homepage"):
        FileSource([bad]).targets("website")
    with pytest.raises(TargetSourceError, match="mailbox"):
        FileSource([bad]).targets("mailbox")
    with pytest.raises(TargetSourceError, match="mailbox"):
        DatabaseSource(empty).targets("mailbox")


def test_accounts_are_targets_of_their_own_kind(tmp_path: Path) -> None:
    """Accounts come from a registry file or the database alike, keyed "<platform label>:<account>" whatever spelling
    of the platform the file used; retired ones are left out."""
    from monitor.registry import import_files

    reg = tmp_path / "accounts.csv"
    reg.write_text("平台,账号,账号名称,开设主体,行政区划代码,状态\n"
                   "公众号,gh_a,个旧发布,个旧市人民政府办公室,532501,正常\n"
                   "抖音,MS4wLjABAAAAx,石屏警方,石屏县公安局,532525,正常\n"
                   "新浪微博,123456,个旧市政务公开,个旧市人民政府办公室,532501,注销\n", encoding="utf-8")
    expected = ["微信公众号:gh_a", "抖音号:MS4wLjABAAAAx"]
    assert [t.id for t in FileSource([reg]).targets("account")] == sorted(expected)
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    upgrade(url)
    import_files(db.engine_for(url), [reg])
    found = DatabaseSource(url).targets("account")
    assert [t.id for t in found] == sorted(expected)
    assert found[0].kind == "account" and found[0].facts["owner_unit"] == "个旧市人民政府办公室"
    assert [t.id for t in DatabaseSource(url).targets("account", ["抖音号:MS4wLjABAAAAx"])] == ["抖音号:MS4wLjABAAAAx"]


@deferred_f_from_coro_f
async def test_a_crawl_takes_its_targets_from_a_registry_file(tmp_path: Path) -> None:
    """Nothing imported: the crawl reads the file, and its rows and findings land in the database."""
    scenario = load_scenario("honghe_2021q1")
    scenario.sites = scenario.sites[:3]
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    url = f"sqlite:///{tmp_path / 'g.sqlite'}"
    upgrade(url)
    with SimWeb(scenario) as web:
        await crawl("website", FAST | {"MONITOR_DATABASE_URL": url, "MONITOR_HOST_MAP": web.host_map,
                                       "MONITOR_TARGETS": str(registry)}, run_id="f1", as_of="2021-03-03")
    engine = db.engine_for(url)
    homes = {r["site_code"] for r in rows(engine, db.pages, run_id="f1", role="home")}
    assert homes == {s.site_code for s in scenario.sites}
    assert {r["target_id"] for r in rows(engine, db.findings, indicator="column_blank", subject="")} == homes
    assert not rows(engine, db.websites)  # the registry in the database was never touched
