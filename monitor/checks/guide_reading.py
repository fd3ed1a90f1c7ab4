"""How a service guide (办事指南) read by the channels run is read by the rules judging guides: whether it can be
judged, which elements it lacks, and whether it offers a service.

Shared by 办事指南要素缺失 (guide_elements) and 服务不实用 (service_practical), so that neither imports the other.
"""

from __future__ import annotations

from monitor.checks.outcomes import link_state
from monitor.items import GuideItem


def unreadable(guide: GuideItem) -> str | None:
    """Why a guide cannot be judged (None: it can)."""
    if guide.outcome != "ok":
        return f"办事指南页面无法读取({guide.outcome}),待复核"
    if not guide.elements or "present" not in guide.elements.values():
        return "未识别到办事指南要素,待复核"
    return None


def lacking(guide: GuideItem, elements: list[str]) -> tuple[list[str], list[str]]:
    """(absent, empty) among `elements`, in their order."""
    shown = guide.elements or {}
    return [e for e in elements if e not in shown], [e for e in elements if e in shown and shown[e] != "present"]


def offers_service(guide: GuideItem) -> bool:
    """A readable guide, or any working link to handle the matter online."""
    if guide.outcome == "ok" and unreadable(guide) is None:
        return True
    return any(link.get("url") and link_state(link.get("outcome"), link.get("status")) == "ok"
               for link in guide.service_links or [])
