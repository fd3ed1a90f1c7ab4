"""The new-media platforms the product knows: one name per platform for the registry, verdicts and lists.

Offices write a platform in many ways (微信, 公众号, 微信公众号, 新浪微博, 抖音号, 头条号 …); the registry import
stores the canonical `label`, so that an account has one key ("<label>:<account>") whatever file it came from.
A platform not listed here is kept as written: its accounts can still be judged from imported activity, and a crawl
records them as 待定 (平台暂不支持自动检查).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    code: str  # identifier in code and settings: wechat / weibo / douyin / toutiao
    label: str  # stored in the registry and verdicts, printed in 附件3's 新媒体平台 column
    short: str  # as the notices count them: 微信172个, 微博41个 …
    aliases: tuple[str, ...] = ()


PLATFORMS: tuple[Platform, ...] = (
    Platform("wechat", "微信公众号", "微信", ("微信", "公众号", "微信公众号", "微信号", "wechat", "weixin")),
    Platform("weibo", "微博", "微博", ("微博", "新浪微博", "政务微博", "weibo")),
    Platform("toutiao", "今日头条", "今日头条", ("今日头条", "头条", "头条号", "toutiao")),
    Platform("douyin", "抖音号", "抖音", ("抖音", "抖音号", "抖音账号", "政务抖音", "douyin")),
)
BY_CODE = {p.code: p for p in PLATFORMS}


def platform_for(text: str | None) -> Platform | None:
    """The known platform a user's spelling names (case and spaces ignored), else None."""
    key = "".join((text or "").split()).lower()
    for p in PLATFORMS:
        if key == p.label.lower() or key in (a.lower() for a in p.aliases):
            return p
    return None


def canonical_label(text: str) -> str:
    """The stored label of a platform: the canonical one when known, else the text as written (trimmed)."""
    found = platform_for(text)
    return found.label if found else text.strip()


def account_key(platform: str, account: str) -> str:
    """How verdicts, findings and rates name an account: "<platform label>:<account>"."""
    return f"{platform}:{account}"
