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
    # New media: 243 accounts read on the simulated platforms, the 12 of the notice's 附件3 in its order.
    assert "检查政务新媒体243个, 合格231个, 不合格12个, 待定0个, 合格率95.06%" in out
    media = pd.read_csv(report / "附件3_2021Q1_不合格政务新媒体名单.csv", encoding="utf-8-sig", dtype=str)
    assert media.drop(columns="序号").values.tolist() == [
        ["个旧市财政局(个旧市国有资产监督管理局、个旧市人民政府金融办公室)", "个旧市财政局", "微信公众号", "内容更新不及时"],
        ["个旧市人民政府扶贫开发办公室", "个旧脱贫攻坚", "微信公众号", "内容更新不及时"],
        ["红河哈尼梯田世界文化遗产管理局", "红河哈尼梯田", "微信公众号", "内容更新不及时"],
        ["个旧市蔓耗镇人民政府", "蔓耗蛮好", "微信公众号", "内容更新不及时"],
        ["河口县商务工业和信息化局", "美丽河口无线WIFI", "微信公众号", "内容更新不及时"],
        ["蒙自市投资促进局", "蒙自招商", "微信公众号", "内容更新不及时"],
        ["弥勒市水务局", "弥勒市河长制", "微信公众号", "内容更新不及时"],
        ["河口县文化和旅游局", "河口文化和旅游", "微博", "内容更新不及时"],
        ["个旧市人民政府办公室", "个旧市政务公开", "微博", "内容更新不及时"],
        ["红河边境管理支队", "边境小警", "抖音号", "内容更新不及时"],
        ["弥勒市旅游发展委员会", "弥勒市文旅官抖", "抖音号", "内容更新不及时"],
        ["石屏县公安局", "石屏警方", "抖音号", "内容更新不及时"]]
    # Letters read from every site's channels, judged in working days with 红河's 3-day limit: the notice's 附件4.
    letters = pd.read_csv(report / "附件4_2021Q1_信件办理超期名单.csv", encoding="utf-8-sig", dtype=str)
    assert letters[["单位", "超期次数"]].values.tolist() == [["州交通运输局", "3"], ["州住房城乡建设局", "1"],
                                                            ["建水县", "1"], ["绿春县", "4"]]
    draft = (report / "通报_2021Q1.md").read_text(encoding="utf-8")
    assert "合格率78.6%" in draft
    assert "存在超期办理网民信件的情况,如州交通运输局、州住房城乡建设局、建水县、绿春县。" in draft
    assert "如微信公众号“个旧市财政局”,微博“河口文化和旅游”,抖音号“边境小警”。" in draft  # the notice's examples
    assert ("全州纳入常态化监管的政府系统政务新媒体243个(微信172个,微博41个,今日头条14个,抖音16个),"
            "231个政务新媒体合格,不合格12个,合格率95.1%") in draft
    # The same notice in Word, as an office circulates it: every part, read back with python-docx.
    from docx import Document

    doc = Document(str(report / "通报_2021Q1.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in ("关于2021年一季度全州政府网站和政府系统政务新媒体检查情况的通报", "各县市人民政府", "一、总体情况",
                 "二、主要问题", "三、有关要求", "合格率78.6%", "附件:", "人民政府办公室", "整改"):
        assert part in text, part
    assert len(doc.tables) >= 4 and all(t.rows[0].cells[0].text == "序号" for t in doc.tables)
    assert "等1个" not in text
    # Running the demo again replays the same run: no duplicated rows.
    import sqlite3

    def counts() -> list[int]:
        with sqlite3.connect(tmp_path / "govmon.sqlite") as conn:
            return [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("pages", "list_entries", "links", "link_checks", "findings", "verdicts", "violations",
                              "account_checks", "account_posts", "channel_checks", "letters", "guides")]
    first = counts()
    again = subprocess.run([sys.executable, "-m", "monitor.cli", "demo"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert counts() == first
