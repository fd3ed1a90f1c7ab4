"""The analyst views on the real PostgreSQL server (and on SQLite, where the same SQL runs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from monitor import db
from tests.report_data import seed_region


def test_views_answer_the_guide_queries(db_url: str, tmp_path: Path) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(db.violations.insert(), [
            {"target_kind": "website", "target_id": "5325010002", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3), "resolved_at": None,
             "review": "pending", "reason": "空白栏目超过5", "evidence": {"blank": 5}},
            {"target_kind": "website", "target_id": "5325020004", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2021, 3, 3), "last_seen": datetime(2021, 3, 3), "resolved_at": None,
             "review": "false_positive", "reason": "空白栏目超过5", "evidence": {}},
            {"target_kind": "website", "target_id": "5325240001", "indicator": "column_blank", "subject": "",
             "first_seen": datetime(2020, 12, 3), "last_seen": datetime(2021, 1, 3), "resolved_at": datetime(2021, 2, 3),
             "review": "confirmed", "reason": "空白栏目超过5", "evidence": {}}])
    with engine.connect() as conn:
        open_rows = conn.execute(text("SELECT site_name, region_name, indicator FROM v_open_violations")).all()
        assert [tuple(r) for r in open_rows] == [("个旧市人民政府", "个旧市", "column_blank")]
        q = conn.execute(text("SELECT result, reasons FROM v_verdicts_quarter WHERE period = '2021Q1' "
                              "AND target_id = '5325240001'")).one()
        assert tuple(q) == ("不合格", "空白栏目超过5")
        direct = conn.execute(text("SELECT checked, failed, pending FROM v_rates_region_quarter WHERE period = '2021Q1' "
                                   "AND target_kind = 'website' AND region_code = '532501'")).one()
        assert tuple(direct) == (1, 1, 0)
        examples = Path(__file__).resolve().parent.parent / "sql" / "examples"
        city = conn.execute(text((examples / "rates_by_city.sql").read_text(encoding="utf-8"))).all()
        by_period = {r.period: (r.city_code, r.checked, r.failed, round(float(r.rate), 4)) for r in city}
        assert by_period["2021Q1"] == ("532500", 14, 3, round(11 / 14, 4))
        columns = conn.execute(text((examples / "column_findings.sql").read_text(encoding="utf-8"))).all()
        assert [r.unit for r in columns] == ["州教育体育局"]
        if engine.dialect.name == "postgresql":
            ages = conn.execute(text((examples / "violation_age.sql").read_text(encoding="utf-8"))).all()
            assert [(r.indicator, r.resolved, float(r.median_days)) for r in ages] == [("column_blank", 1, 62.0)]
