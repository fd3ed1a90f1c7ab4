"""A configuration error stops a command before its first request, with exit 2 and the setting named — never a run
that stores every visit as a failure of the sites (a malformed host map used to give every site an 无法访问 veto and
exit 0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = [
    (["probe", "--host-map", "www.hh.gov.cn=127.0.0.1:8080;garbage"], {}, "malformed entry 'garbage'"),
    (["probe", "--host-map", "www.hh.gov.cn=999.1.1.1:80"], {}, "'999.1.1.1' is neither an IP address nor a host name"),
    (["crawl", "-s", "MONITOR_HOST_MAP=www.hh.gov.cn=127.0.0.1:99999"], {}, "port '99999' is not 1–65535"),
    (["crawl-accounts"], {"MONITOR_HOST_MAP": "x"}, "MONITOR_HOST_MAP: malformed entry 'x'"),
    (["probe"], {"MONITOR_MAX_LIST_PAGES": "abc"}, "MONITOR_MAX_LIST_PAGES='abc'"),
]


@pytest.mark.parametrize(("argv", "environ", "message"), CASES, ids=lambda v: str(v)[:40])
def test_a_bad_setting_stops_the_command_before_anything_is_stored(argv: list[str], environ: dict[str, str],
                                                                   message: str, tmp_path: Path) -> None:
    database = tmp_path / "govmon.sqlite"
    env = dict(os.environ, MONITOR_DATABASE_URL=str(database), MONITOR_LOCK_URL="", **environ)
    done = subprocess.run([sys.executable, "-m", "monitor.cli", *argv], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert message in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert not database.exists()  # nothing started, nothing written


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody:s3cret@127.0.0.1:5432/nodb",
                                 "postgresql+psycopg://postgres@127.0.0.1:1/refused"], ids=["wrong-role", "refused"])
def test_a_database_that_cannot_be_reached_stops_the_crawl_with_the_password_masked(url: str, tmp_path: Path) -> None:
    """A crawl whose rows could not be stored is not started: exit 2, the URL named with its password masked (it used
    to crawl, print "run … stored" and exit 0 — or fail with a traceback)."""
    env = dict(os.environ, MONITOR_DATABASE_URL=url, MONITOR_LOCK_URL="")
    done = subprocess.run([sys.executable, "-m", "monitor.cli", "crawl"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "数据库无法连接" in done.stderr and "s3cret" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
