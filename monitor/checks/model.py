"""What a rule returns: findings with an outcome and the evidence a person needs to re-check them by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, INCONCLUSIVE, REVIEW, SKIPPED = "pass", "fail", "inconclusive", "review", "skipped"


@dataclass(frozen=True)
class Finding:
    indicator: str
    subject: str  # "" for the site as a whole, else a column URL, link URL, footer mark …
    outcome: str  # pass / fail / inconclusive (re-check later) / review (a person decides) / skipped (no data)
    reason: str  # worded as the notices word it
    observed: str = ""
    threshold: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def site_level(self) -> bool:
        return self.subject == ""
