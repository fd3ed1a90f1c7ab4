"""Host map parsing and the Retry-After reading used by the polite retry middleware."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.hostmap import HostMapError, chromium_rules, lookup, parse_host_map
from monitor.middlewares import retry_after_seconds


def test_parse_and_lookup_exact_and_wildcard() -> None:
    rules = parse_host_map("www.hh.gov.cn=127.0.0.1:8080;\n *.gejiu.gov.cn = 10.1.2.3 ; ")
    assert lookup(rules, "www.hh.gov.cn") == "127.0.0.1:8080"
    assert lookup(rules, "WWW.HH.GOV.CN") == "127.0.0.1:8080"
    assert lookup(rules, "czj.gejiu.gov.cn") == "10.1.2.3"
    assert lookup(rules, "hh.gov.cn") is None
    assert chromium_rules(rules) == "MAP www.hh.gov.cn 127.0.0.1:8080, MAP *.gejiu.gov.cn 10.1.2.3"


@pytest.mark.parametrize("bad", ["www.hh.gov.cn", "=127.0.0.1", "www.hh.gov.cn=", "a=b c"])
def test_malformed_entry_is_named(bad: str) -> None:
    with pytest.raises(HostMapError, match="malformed entry"):
        parse_host_map(bad)


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2021, 3, 3, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 03 Mar 2021 08:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 03 Mar 2021 07:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None
