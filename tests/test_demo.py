"""The main job as a user runs it: `govmon demo` in a fresh folder — serve, import, crawl, evaluate, report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd


def test_demo_command_reproduces_the_honghe_2021q1_notice(tmp_path: Path) -> None:
    env = dict(os.environ, MONITOR_DATABASE_URL=str(tmp_path / "govmon.sqlite"))
    done = subprocess.run([sys.executable, "-m", "monitor.cli", "demo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "检查网站14个, 合格11个, 不合格3个, 待定0个, 合格率78.57%" in out
    assert "空白栏目超过5: 3个" in out
    report = tmp_path / "var" / "report" / "2021Q1"
    assert "wrote var/report/2021Q1/附件1_2021Q1_不合格网站名单.csv" in out
    sites = pd.read_csv(report / "附件1_2021Q1_不合格网站名单.csv", encoding="utf-8-sig", dtype=str)
    assert sites[["网站名称", "网站标识码", "存在问题"]].values.tolist() == [
        ["个旧市人民政府", "5325010002", "空白栏目超过5"], ["开远市人民政府", "5325020004", "空白栏目超过5"],
        ["建水县人民政府", "5325240001", "空白栏目超过5"]]
    columns = pd.read_csv(report / "附件2_2021Q1_存在问题栏目名单.csv", encoding="utf-8-sig", dtype=str)
    assert columns[["责任部门", "栏目名称", "问题描述"]].values.tolist() == [
        ["州教育体育局", "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态",
         "监测点前2周内,栏目无信息更新"]]
    assert "合格率78.6%" in (report / "通报_2021Q1.md").read_text(encoding="utf-8")
    # Running the demo again replays the same run: no duplicated rows.
    import sqlite3

    def counts() -> list[int]:
        with sqlite3.connect(tmp_path / "govmon.sqlite") as conn:
            return [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("pages", "list_entries", "links", "link_checks", "findings", "verdicts", "violations")]
    first = counts()
    again = subprocess.run([sys.executable, "-m", "monitor.cli", "demo"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert counts() == first
