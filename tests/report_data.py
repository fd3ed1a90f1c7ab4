"""Quarterly verdicts of the 红河州 region written as the evaluation writes them, for report tests that need no crawl."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import import_files
from monitor.simweb.scenario import load_scenario

FAILED_Q1 = {"5325010002", "5325020004", "5325240001"}  # 空白栏目超过5 in the notice
FAILED_Q4 = {"5325010002", "5325300001"}
ZHOU_COLUMN = "http://www.hh.gov.cn/jyxxgk-gzdt/"


def seed_region(url: str, tmp_path: Path, extra_name: str | None = None):
    """Registry of the demo scenario, verdicts for 2020Q4 and 2021Q1, the 州 portal's stale column finding."""
    scenario = load_scenario("honghe_2021q1")
    engine = db.engine_for(url)
    upgrade(engine)
    registry = tmp_path / "targets.yaml"
    scenario.write_registry(registry)
    import_files(engine, [registry])
    rows, findings = [], []
    for period, failed, as_of in (("2020Q4", FAILED_Q4, datetime(2020, 12, 3)),
                                  ("2021Q1", FAILED_Q1, datetime(2021, 3, 3))):
        for site in scenario.sites:
            bad = site.site_code in failed
            rows.append({"period": period, "as_of": as_of, "target_kind": "website", "target_id": site.site_code,
                         "region_code": site.region_code, "result": "不合格" if bad else "合格", "veto": bad,
                         "score": None if bad else 100.0, "bonus": None, "reasons": "空白栏目超过5" if bad else "",
                         "evaluated_at": as_of})
    findings.append({"period": "2021Q1", "as_of": datetime(2021, 3, 3), "target_kind": "website",
                     "target_id": "5325000001", "indicator": "column_stale", "subject": ZHOU_COLUMN,
                     "outcome": "fail", "observed": "最新信息日期 2021-02-11", "threshold": "监测点前2周内有更新",
                     "reason": "监测点前2周内,栏目无信息更新", "evidence": {"url": ZHOU_COLUMN}})
    if extra_name:  # a crawled title that would be a spreadsheet formula
        findings.append(findings[0] | {"subject": "http://www.hh.gov.cn/znyw/", "reason": extra_name})
    with engine.begin() as conn:
        conn.execute(db.verdicts.insert(), rows)
        conn.execute(db.findings.insert(), findings)
    return engine, scenario
