"""Letters in the quarterly report: 附件4 (信件办理超期名单: each unit with its overdue letters), the on-time rate
(时限内办结率) per region (按时办结率_<period>.csv) and the notice's sentence, all from the findings of the indicator letter_timeliness —
one item per judged letter (pass: answered in time; fail: answered after its working-day deadline or not at all),
its evidence naming the unit the letter is listed under. A letter a reviewer marked false_positive is left out;
a letter that could not be judged (a deadline in a year without a holiday table) is not counted on either side.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from monitor import db
from monitor.report.rates import ancestors, within

INDICATOR = "letter_timeliness"
RATE_HEADERS = {"region_code": "行政区划代码", "region_name": "地区", "letters": "信件数", "on_time": "按时办结数",
                "overdue": "超期数", "rate_pct": "按时办结率(%)"}


def letter_outcomes(conn: Connection, period: str, region: str | None = None) -> pd.DataFrame:
    """One row per judged letter of the period: site_code, region_code, unit, outcome (pass / fail)."""
    f, w, v = db.findings, db.websites, db.violations
    query = (select(f.c.target_id, f.c.subject, f.c.outcome, f.c.evidence, w.c.region_code, w.c.sponsor, w.c.name)
             .join(w, w.c.site_code == f.c.target_id)
             .join(v, and_(v.c.target_kind == f.c.target_kind, v.c.target_id == f.c.target_id,
                           v.c.indicator == f.c.indicator, v.c.subject == f.c.subject), isouter=True)
             .where(f.c.period == period, f.c.target_kind == "website", f.c.indicator == INDICATOR,
                    f.c.subject != "", f.c.outcome.in_(("pass", "fail")),
                    (v.c.review.is_(None)) | (v.c.review != "false_positive")))
    rows = [(r.target_id, r.region_code, (r.evidence or {}).get("unit") or r.sponsor or r.name, r.outcome)
            for r in conn.execute(query) if within(r.region_code, region)]
    return pd.DataFrame(rows, columns=["site_code", "region_code", "unit", "outcome"])


def overdue_units(outcomes: pd.DataFrame) -> list[tuple[str, int]]:
    """(unit, overdue letters), the region's own units first, then by code and name — as 附件4 lists them."""
    late = outcomes[outcomes["outcome"] == "fail"]
    if late.empty:
        return []
    grouped = late.groupby("unit").agg(region_code=("region_code", "min"), n=("outcome", "size")).reset_index()
    return [(r.unit, int(r.n)) for r in grouped.sort_values(["region_code", "unit"]).itertuples()]


def timeliness(outcomes: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Letters, on time and overdue per region, rolled up county → city → province; 按时办结率 over judged letters."""
    counts: dict[str, list[int]] = {}
    for r in outcomes.itertuples():
        for code in ancestors(r.region_code):
            total = counts.setdefault(code, [0, 0])
            total[0] += 1
            total[1] += r.outcome == "pass"
    rows = [{"region_code": code, "region_name": names.get(code, code), "letters": n, "on_time": ok,
             "overdue": n - ok, "rate_pct": f"{ok / n:.2%}" if n else "—"} for code, (n, ok) in sorted(counts.items())]
    return pd.DataFrame(rows, columns=list(RATE_HEADERS))


def timeliness_text(outcomes: pd.DataFrame, decimals: int = 1) -> str:
    """As 呼伦贝尔 words it (…共…条,在规定时限内办结…条,逾期…条,时限内办结率…%); empty when no letter was judged."""
    n = len(outcomes)
    if not n:
        return ""
    ok = int((outcomes["outcome"] == "pass").sum())
    return (f"政府网站公开的网民留言中已到答复时限的共{n}条,在规定时限内办结{ok}条,逾期{n - ok}条,"
            f"时限内办结率{ok / n * 100:.{decimals}f}%")
