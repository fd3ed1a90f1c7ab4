"""Builders of letters and guide facts for the rule tests: the 红河州 portal of tests/rule_facts.py with channels.

They return what `load_channel_facts` gives rules — ChannelFacts holding monitor/items.py observations (Channel,
ChannelCheckItem, LetterItem, GuideItem) — never rows.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from itertools import count
from typing import Any

from monitor.checks.facts import ChannelFacts, SiteFacts
from monitor.checks.model import Finding
from monitor.checks.rulebook import Indicator
from monitor.items import Channel, ChannelCheckItem, GuideItem, LetterItem
from tests import rule_facts
from tests.rule_facts import BOOK, HOME, RUN, SITE_CODE

AS_OF = rule_facts.AS_OF  # 2021-03-03
READ_AT = datetime(2021, 3, 3, 9, 0)  # the channels run read everything on the monitoring day
ELEMENTS = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话", "办理流程", "收费标准")
ZWFW = "https://zwfw.yn.gov.cn/portal/#/guide/5325001"
ADDRESS = "红河州蒙自市天马路6号州政务服务中心一楼"  # inside 532500 红河州
_ids = count(1)


def letter(received: datetime | None, answered: datetime | None = None, *, done: bool | None | str = "auto",
           url: str | None = None, read_at: datetime = READ_AT, **extra: Any) -> LetterItem:
    """A published letter; `done` (LetterItem.answered: None unknown) defaults to whether an answer time is shown."""
    fields: dict[str, Any] = {
        "title": "关于道路维修的咨询", "received_text": f"{received:%Y-%m-%d %H:%M}" if received else None,
        "answered_text": f"{answered:%Y-%m-%d %H:%M}" if answered else None,
        "answered": answered is not None if done == "auto" else done}
    return LetterItem(run_id=RUN, site_code=SITE_CODE, channel_url="", url=url or f"{HOME}xx/letter{next(_ids)}.html",
                      fetched_at=read_at, received_at=received, answered_at=answered, **(fields | extra))


def link(url: str | None = ZWFW, outcome: str | None = "ok", status: int | None = 200,
         anchor: str = "在线办理") -> dict[str, Any]:
    return {"url": url, "anchor": anchor, "outcome": outcome, "status": status}


def guide(url: str | None = None, *, without: tuple[str, ...] = (), empty: tuple[str, ...] = (),
          address: str | None = ADDRESS, links: list[dict[str, Any]] | None = None, outcome: str = "ok",
          elements: dict[str, str] | None = None) -> GuideItem:
    """A guide showing every element (but those `without`; `empty` ones shown empty) and a working 政务服务网 link."""
    shown = elements if elements is not None else {
        e: "empty" if e in empty else "present" for e in ELEMENTS if e not in without}
    return GuideItem(run_id=RUN, site_code=SITE_CODE, channel_url="", url=url or f"{HOME}bszn/guide{next(_ids)}.html",
                     fetched_at=READ_AT, outcome=outcome, title="建设工程消防验收办事指南", elements=shown,
                     address=address if "办理地点" not in without else None,
                     service_links=[link()] if links is None else links)


def channel(kind: str = "consult", *, state: str | None = "ok", outcome: str = "ok", status: int | None = 200,
            letters: tuple[LetterItem, ...] | list[LetterItem] = (), guides: tuple[GuideItem, ...] | list[GuideItem] = (),
            read: bool = True, unit: str | None = None, url: str | None = None, name: str | None = None,
            entries_seen: int | None = None, error: str | None = None) -> ChannelFacts:
    """A registry channel with its reading (`read=False`: not read in the window)."""
    url = url or f"{HOME}{kind}{next(_ids)}/"
    default = {"consult": "州长信箱", "petition": "网上信访", "guides": "办事指南"}[kind]
    check = None
    if read:
        check = ChannelCheckItem(run_id=RUN, site_code=SITE_CODE, channel_url=url, fetched_at=READ_AT,
                                 outcome=outcome, state=state, status=status, error=error, pages_read=1,
                                 entries_seen=len(letters) + len(guides) if entries_seen is None else entries_seen)
    return ChannelFacts(Channel(site_code=SITE_CODE, url=url, name=name or default, kind=kind, unit=unit),
                        check, [dataclasses.replace(x, channel_url=url) for x in letters],
                        [dataclasses.replace(g, channel_url=url) for g in guides])


def facts(*channels: ChannelFacts, region_code: str = "532500", **site: Any) -> SiteFacts:
    """The 红河州 portal with these channels (none: the registry lists none)."""
    built = rule_facts.facts()
    built.site = rule_facts.site(region_code=region_code, **site)
    built.channels = list(channels)
    built.channel_run = RUN
    return built


def indicator(code: str, points: float | None = None, **params: Any) -> Indicator:
    """The national indicator with some parameters (and its points) changed, as a local rulebook would."""
    ind = BOOK[code]
    return dataclasses.replace(ind, params={**ind.params, **params}, points=ind.points if points is None else points)


def site_level(findings: list[Finding]) -> Finding:
    [whole] = [f for f in findings if f.site_level]
    return whole


def items(findings: list[Finding], outcome: str | None = None) -> list[Finding]:
    return [f for f in findings if not f.site_level and outcome in (None, f.outcome)]


def day(text: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time()).replace(hour=hour)
