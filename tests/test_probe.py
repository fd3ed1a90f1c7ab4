"""The availability probe spider over real HTTP: outcome classes, latency limit, IPv6, rounds on a given clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.flaky import FlakyHost, FlakyWeb
from monitor.spiders.probe import ProbeSpider
from tests.crawling import crawl

SITES = {  # site_code → host
    "5325010002": "www.gejiu.gov.cn",  # dual stack, always answers
    "5325020004": "www.kaiyuan.gov.cn",  # hangs on visits 0 and 2
    "5325030001": "www.mengzi.gov.cn",  # answers 500 on visit 1
    "5325040001": "www.mile.gov.cn",  # mapped to a closed port: refused
    "5325240001": "www.jianshui.invalid",  # not in the host map, no DNS: dns
}


def registry(tmp_path: Path, url: str, sites: dict[str, str] = SITES) -> None:
    """Imports one county portal per 网站标识码 → host."""
    websites = [{"site_code": code, "name": host, "homepage": f"http://{host}/", "region_code": code[:6],
                 "region_name": "红河州", "level": "county", "kind": "portal"} for code, host in sites.items()]
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"websites": websites}, allow_unicode=True), encoding="utf-8")
    engine = db.engine_for(url)
    upgrade(engine)
    import_files(engine, [path])


@deferred_f_from_coro_f
async def test_probe_rounds_classify_every_outcome(sqlite_url: str, tmp_path: Path) -> None:
    registry(tmp_path, sqlite_url)
    hosts = [FlakyHost("www.gejiu.gov.cn", dual_stack=True), FlakyHost("www.kaiyuan.gov.cn", {0, 2}, "hang"),
             FlakyHost("www.mengzi.gov.cn", {1}, "error")]
    with FlakyWeb(hosts, hang_seconds=1.6) as web:
        host_map = web.host_map + ";www.mile.gov.cn=127.0.0.1:1"
        await crawl(ProbeSpider, {"SPIDER_MODULES": [], "MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": host_map,
                              "MONITOR_PROBE_TIMEOUT": 1.0},
                    rounds="3", interval="4320", at="2021-02-24T00:00:00", ipv6="1")
        assert web.visits["www.gejiu.gov.cn"] == 6  # three rounds, IPv4 and IPv6
    with db.engine_for(sqlite_url).connect() as conn:
        rows = conn.execute(select(db.probes).order_by(db.probes.c.probed_at)).all()
    got = {(r.site_code, r.family, r.probed_at): r for r in rows}
    assert len(rows) == 3 * 5 * 2
    t0, t1, t2 = (datetime(2021, 2, 24, h, m) for h, m in ((0, 0), (1, 12), (2, 24)))
    assert {got["5325010002", "any", t].outcome for t in (t0, t1, t2)} == {"ok"}
    assert got["5325010002", "ipv6", t0].outcome == "ok" and got["5325010002", "ipv6", t0].address.startswith("[::1]")
    assert [got["5325020004", "any", t].outcome for t in (t0, t1, t2)] == ["timeout", "ok", "timeout"]
    assert got["5325020004", "any", t0].latency_ms >= 1000
    assert got["5325020004", "ipv6", t0].outcome == "no_aaaa"  # answers over IPv4 only
    assert [got["5325030001", "any", t].status for t in (t0, t1, t2)] == [200, 500, 200]
    assert got["5325030001", "any", t1].outcome == "http"
    assert got["5325040001", "any", t0].outcome == "refused"
    assert got["5325240001", "any", t0].outcome == "dns"


@deferred_f_from_coro_f
async def test_replayed_round_updates_instead_of_duplicating(sqlite_url: str, tmp_path: Path) -> None:
    registry(tmp_path, sqlite_url)
    with FlakyWeb([FlakyHost("www.gejiu.gov.cn")]) as web:
        for _ in range(2):
            await crawl(ProbeSpider, {"SPIDER_MODULES": [], "MONITOR_DATABASE_URL": sqlite_url, "MONITOR_HOST_MAP": web.host_map},
                        sites="5325010002", at="2021-02-24T00:00:00")
    with db.engine_for(sqlite_url).connect() as conn:
        assert len(conn.execute(select(db.probes)).all()) == 1
