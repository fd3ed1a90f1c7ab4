"""The 通报 an office sends: `govmon report` on the 红河州 2021 Q1 data writes 通报_2021Q1.docx, read back here with
python-docx — title, addressees, 总体情况 equal to the rates, 主要问题 names with Chinese counting, the 整改 deadline in
working days, each 附件 as a table with 序号 and its 注 line, issuing office and date, A4."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from monitor import db
from monitor.report import attachments, notice
from monitor.report.cli import write_report
from monitor.report.rates import percent, rates
from tests.report_data import seed_region
from tests.test_report import add_accounts

TITLE = "红河州人民政府办公室关于2021年一季度全州政府网站和政府系统政务新媒体检查情况的通报"
SETTINGS = "发文单位: 红河州人民政府办公室\n联系人: 陆孟生\n电话: '3725557'\n邮箱: hhzzwgkk@163.com\n整改期限: 3\n"


def body(doc) -> list[DocxParagraph | DocxTable]:
    """The document's paragraphs and tables in their order."""
    return [DocxParagraph(el, doc) if el.tag == qn("w:p") else DocxTable(el, doc)
            for el in doc.element.body.iterchildren() if el.tag in (qn("w:p"), qn("w:tbl"))]


def cells(table: DocxTable) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def seed(url: str, tmp_path: Path):
    """The demo region's verdicts (websites of 2020Q4 and 2021Q1, the 243 accounts of 2021Q1) and the availability
    probe week every site was read over (the window 附件1's 数据采样时间 comes from)."""
    engine, _ = seed_region(url, tmp_path)
    add_accounts(engine)
    with engine.begin() as conn:
        sites = [r.target_id for r in conn.execute(db.verdicts.select().where(db.verdicts.c.period == "2021Q1",
                                                                               db.verdicts.c.target_kind == "website"))]
        conn.execute(db.findings.insert(), [
            {"period": "2021Q1", "as_of": datetime(2021, 3, 3), "target_kind": "website", "target_id": site,
             "indicator": "site_unreachable", "subject": "", "outcome": "pass", "observed": "", "threshold": "",
             "reason": "", "evidence": {"window": ["2021-02-18", "2021-03-03"] if i == 0 else
                                        ["2021-02-24", "2021-03-03"]}} for i, site in enumerate(sites)])
    return engine


def test_report_writes_the_notice_as_word(sqlite_url: str, tmp_path: Path) -> None:
    engine = seed(sqlite_url, tmp_path)
    settings = tmp_path / "notice.yaml"
    settings.write_text(SETTINGS, encoding="utf-8")
    written = write_report(engine, "2021Q1", tmp_path / "out", notice_date=date(2021, 4, 22),
                           notice_file=str(settings))
    path = tmp_path / "out" / "通报_2021Q1.docx"
    assert path in written and {"通报_2021Q1.md", "通报_2021Q1.html"} <= {p.name for p in written}
    doc = Document(str(path))
    parts = body(doc)
    paragraphs = [p for p in parts if isinstance(p, DocxParagraph) and p.text]
    texts = [p.text for p in paragraphs]
    text = "\n".join(texts)

    # Title: bold 二号, centred, East-Asian font named; addressees of a 州 from the registry's level.
    title = paragraphs[0]
    assert title.text == TITLE and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = title.runs[0]
    assert run.bold and run.font.size == Pt(22) and run._element.rPr.rFonts.get(qn("w:eastAsia"))
    assert texts[1] == "各县市人民政府,州直各委、办、局:"
    body_run = paragraphs[2].runs[0]
    assert body_run.font.size == Pt(16) and body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4

    # 一、总体情况: the numbers are the rates table's; the change only where the quarter before has data.
    with engine.connect() as conn:
        table = rates(conn, "2021Q1").set_index(["target_kind", "level", "kind", "region_code"])
    sites, media = table.loc[("website", "all", "all", "532500")], table.loc[("account", "all", "all", "532500")]
    assert texts.index("一、总体情况") < texts.index("二、主要问题") < texts.index("三、有关要求")
    assert (f"全州在运行政府网站{sites.running}个(其中市级政府门户网站1个、县级政府门户网站13个),"
            f"{sites.qualified}个政府网站合格,不合格{sites.failed}个,合格率{percent(sites.rate, 1)},"
            f"较上季度下降{abs(sites.change) * 100:.1f}个百分点。") in text
    assert pd.isna(media.prev_rate)  # no accounts were judged in 2020Q4: no change is claimed
    assert (f"全州纳入常态化监管的政府系统政务新媒体{media.running}个(微信172个,微博41个,今日头条14个,抖音16个),"
            f"{media.qualified}个政务新媒体合格,不合格{media.failed}个,合格率{percent(media.rate, 1)}。") in text
    assert "上升0.0" not in text and "下降0.0" not in text

    # 二、主要问题: the units named as the seeds name them, counted in Chinese.
    assert "个旧市人民政府、开远市人民政府、建水县人民政府等3个网站空白栏目超过5。" in text
    assert "由州教育体育局负责维护的“政府信息公开—法定主动公开内容—重点领域信息公开—红河州教育信息公开—工作动态”栏目" in text
    assert "内容更新不及时的政务新媒体12个,如微信公众号“个旧市财政局”,微博“河口文化和旅游”,抖音号“边境小警”。" in text
    assert "等1个" not in text

    # 三、有关要求: 3 working days after Thursday 2021-04-22 — Friday 23rd, Sunday 25th (a 劳动节 make-up working
    # day), Monday 26th: 2021-04-26, the date 红河州 set.
    assert ("于2021年4月26日前将整改情况(电子版)报红河州人民政府办公室(联系人及电话:陆孟生,3725557;"
            "邮箱:hhzzwgkk@163.com)。") in text
    assert "附件:1. 2021年一季度不合格网站名单" in texts and "4. 2021年一季度信件办理超期名单" in texts

    # Issuing office and date, right-aligned, before the attachments.
    first_attachment = texts.index("附件1")
    issuer, day = paragraphs[first_attachment - 2], paragraphs[first_attachment - 1]
    assert (issuer.text, day.text) == ("红河州人民政府办公室", "2021年4月22日")
    assert issuer.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT

    # 附件: each a real table with 序号, its title above and its 注 line below.
    tables = [p for p in parts if isinstance(p, DocxTable)]
    assert len(tables) == 6
    assert cells(tables[0]) == [["序号", "网站名称", "网站标识码", "存在问题"],
                                ["1", "个旧市人民政府", "5325010002", "空白栏目超过5"],
                                ["2", "开远市人民政府", "5325020004", "空白栏目超过5"],
                                ["3", "建水县人民政府", "5325240001", "空白栏目超过5"]]
    assert cells(tables[1])[1] == ["1", "州教育体育局",
                                   "首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态",
                                   "监测点前2周内,栏目无信息更新"]
    media_rows = cells(tables[2])
    assert media_rows[0][0] == "序号" and [r[0] for r in media_rows[1:]] == [str(i) for i in range(1, 13)]
    assert cells(tables[3]) == [["序号", "单位", "超期次数", "备注"], ["本季度无", "", "", ""]]

    def around(table: DocxTable) -> tuple[str, str]:
        at = parts.index(table)
        return parts[at - 1].text, parts[at + 1].text

    assert around(tables[0]) == ("2021年一季度不合格网站名单", "注:数据采样时间为2月18日—3月3日")
    assert around(tables[1]) == ("2021年一季度存在问题栏目名单", "注:检测时间为2021年3月3日")
    assert around(tables[2])[1] == "注:检测时间为2021年3月3日"

    # Markdown and HTML print the same blocks.
    md = (tmp_path / "out" / "通报_2021Q1.md").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "通报_2021Q1.html").read_text(encoding="utf-8")
    for part in (TITLE, "于2021年4月26日前", "注:数据采样时间为2月18日—3月3日", "各县市人民政府,州直各委、办、局:"):
        assert part in md and part in html
    assert html.count("<table>") == 6 and "<th>序号</th>" in html


def test_header_defaults_by_level_and_settings_per_region(tmp_path: Path) -> None:
    assert notice.load_header(None, "532524", "建水县", "county").addressees == "各乡镇人民政府,县直各部门"
    province = notice.load_header(None, "530000", "云南省", "province")
    assert (province.issuer, province.addressees) == ("云南省人民政府办公室", "各州、市人民政府,省直各委、办、厅、局")
    assert notice.load_header("", "532500", "红河哈尼族彝族自治州", "city").workdays == notice.DEFAULT_RECTIFY_WORKDAYS
    per_region = tmp_path / "notice.yaml"
    per_region.write_text("532500:\n  发文单位: 红河州人民政府办公室\n  整改期限: 3\n532501:\n  发文单位: 个旧市人民政府办公室\n",
                          encoding="utf-8")
    zhou = notice.load_header(per_region, "532500", "红河哈尼族彝族自治州", "city")
    assert (zhou.issuer, zhou.workdays, zhou.addressees) == ("红河州人民政府办公室", 3, "各县市人民政府,州直各委、办、局")
    assert notice.load_header(per_region, "532500", "x", "city", issuer="州政府办").issuer == "州政府办"  # --issuer
    bad = tmp_path / "bad.yaml"
    bad.write_text("整改期限: 两天\n", encoding="utf-8")
    try:
        notice.load_header(bad, "532500", "x", "city")
    except notice.NoticeFileError as exc:
        assert "整改期限" in str(exc) and str(bad) in str(exc)
    else:
        raise AssertionError("a non-numeric 整改期限 was accepted")


def test_counting_change_and_deadline_wording(sqlite_url: str, tmp_path: Path) -> None:
    # One item is named alone, never "等1个".
    assert notice._names(["个旧市人民政府"]) == "个旧市人民政府"
    one = pd.DataFrame([[1, "河口县文化和旅游局", "河口文化和旅游", "微博", "内容更新不及时"]],
                       columns=["序号", "部门", "政务新媒体账号", "新媒体平台", "存在问题"])
    assert notice.account_problems(one) == ["微博“河口文化和旅游”内容更新不及时。"]
    # A change that prints as 0.0 points is 持平.
    engine, _ = seed_region(sqlite_url, tmp_path)
    with engine.connect() as conn:
        table = rates(conn, "2021Q1")
    flat = table.assign(change=table["change"].where(table["change"].isna(), 0.0004))
    assert "与上季度持平" in notice.overall_websites(flat, "532500", "全州")
    assert "个百分点" not in notice.overall_websites(flat, "532500", "全州")
    # Working days skip the 劳动节 holiday (2021-05-01…05).
    assert notice.rectify_deadline(date(2021, 4, 29), 3) == date(2021, 5, 7)
    # A year without a holiday table: no guessed date, the count of working days instead.
    assert notice.rectify_deadline(date(2199, 1, 5), 5) is None
    with engine.connect() as conn:
        blocks = notice.blocks(conn, "2021Q1", "532500", "红河哈尼族彝族自治州", table,
                               attachments.attachments(conn, "2021Q1", "532500"), notice_date=date(2199, 1, 5))
    assert any("自本通报印发之日起5个工作日内将整改情况" in b.text for b in blocks if isinstance(b, notice.Paragraph))


def test_a_bad_notice_file_stops_the_report_with_one_line(sqlite_url: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    seed(sqlite_url, tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("整改期限: 两天\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "monitor.cli", "report", "--period", "2021Q1", "--database",
                           sqlite_url, "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          env=os.environ | {"MONITOR_NOTICE_FILE": str(bad)}, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "整改期限" in done.stderr and str(bad) in done.stderr


def test_govmon_report_dates_the_notice_as_asked(sqlite_url: str, tmp_path: Path) -> None:
    """`govmon report --date`: a notice re-made later carries the date it was issued on, and its deadline counts
    from that date; a malformed date stops the command before anything is written."""
    import os
    import subprocess
    import sys

    seed(sqlite_url, tmp_path)
    settings = tmp_path / "notice.yaml"
    settings.write_text(SETTINGS, encoding="utf-8")
    env = dict(os.environ, MONITOR_DATABASE_URL=sqlite_url, MONITOR_NOTICE_FILE=str(settings))
    out = tmp_path / "out"

    def report(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "monitor.cli", "report", "--period", "2021Q1", "--out", str(out),
                               *extra], env=env, capture_output=True, text=True, timeout=300)

    bad = report("--date", "2021-13-01")
    assert bad.returncode == 2 and "2021-13-01" in bad.stderr and not out.exists()
    done = report("--date", "2021-04-22")
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.text for p in Document(str(out / "2021Q1" / "通报_2021Q1.docx")).paragraphs)
    assert "2021年4月22日" in text and "于2021年4月26日前" in text
