"""What a rule returns: findings with an outcome and the evidence a person needs to re-check them by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, INCONCLUSIVE, REVIEW, SKIPPED = "pass", "fail", "inconclusive", "review", "skipped"
ERROR = "error"  # the rule itself failed (a defect of ours): like inconclusive, never a pass or a fail
# The reason of an inconclusive finding whose indicator had no observation in its window (no crawl, no probe).
NO_DATA = "无监测数据"
# The reason of a skipped finding whose indicator the office declared it does not monitor (MONITOR_NOT_MONITORED).
NOT_MONITORED = "未开展监测"


@dataclass(frozen=True)
class Finding:
    indicator: str
    subject: str  # "" for the site as a whole, else a column URL, link URL, footer mark …
    outcome: str  # pass / fail / inconclusive (re-check later) / review (a person decides) / skipped / error
    reason: str  # worded as the notices word it
    observed: str = ""
    threshold: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def site_level(self) -> bool:
        return self.subject == ""
