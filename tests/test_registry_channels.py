"""The channel list offices keep (one row per site and channel) in the registry: kinds as offices write them,
validation naming file, line and field, re-import in place, and channel targets grouped per website."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_files
from monitor.targets import DatabaseSource, FileSource

SITES = ("网站标识码,网站名称,首页地址,行政区划代码,行政区划名称,层级,类型\n"
         "5325000001,红河州人民政府,http://www.hh.gov.cn/,532500,红河州,市级,门户网站\n"
         "5325240001,建水县人民政府,http://www.jianshui.gov.cn/,532524,建水县,县级,门户网站\n")
CHANNELS = ("网站标识码,渠道名称,渠道地址,渠道类型,责任单位\n"
            "5325000001,州长信箱,http://www.hh.gov.cn/hdjl/zzxx/,州长信箱,\n"
            "5325000001,网上信访,http://www.hh.gov.cn/hdjl/wsxf/,网上信访,\n"
            "5325000001,办事指南,http://www.hh.gov.cn/bsfw/bszn/,办事指南,\n"
            "5325240001,县长信箱,http://www.jianshui.gov.cn/hdjl/xzxx/,领导信箱,建水县\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_channels_import_with_their_kinds_and_re_import_in_place(db_url: str, tmp_path: Path) -> None:
    engine = db.engine_for(db_url)
    upgrade(engine)
    files = [write(tmp_path, "sites.csv", SITES), write(tmp_path, "channels.csv", CHANNELS)]
    assert import_files(engine, files)["channels"] == 4
    import_files(engine, files)  # again: updated in place
    with engine.connect() as conn:
        rows = {r.url: r for r in conn.execute(select(db.channels))}
    assert len(rows) == 4
    kinds = {url.split("/")[-2]: r.kind for url, r in rows.items()}
    assert kinds == {"zzxx": "consult", "wsxf": "petition", "bszn": "guides", "xzxx": "consult"}
    assert rows["http://www.jianshui.gov.cn/hdjl/xzxx/"].unit == "建水县"
    targets = DatabaseSource(db_url).targets("channel")
    assert [(t.kind, t.id, len(t.facts["channels"])) for t in targets] == [("channel", "5325000001", 3),
                                                                          ("channel", "5325240001", 1)]
    assert targets[0].facts["name"] == "红河州人民政府"
    assert [t.id for t in FileSource(files).targets("channel", ["5325240001"])] == ["5325240001"]


def test_a_bad_channel_row_names_file_line_and_field(tmp_path: Path) -> None:
    bad = write(tmp_path, "channels.csv", CHANNELS.replace("网上信访,\n", "电话热线,\n", 1)
                .replace("http://www.jianshui.gov.cn/hdjl/xzxx/", "javascript:void(0)"))
    with pytest.raises(RegistryError) as err:
        FileSource([write(tmp_path, "sites.csv", SITES), bad]).targets("channel")
    assert any("channels.csv:3: kind: '电话热线' is not a channel kind" in p for p in err.value.problems)
    assert any("channels.csv:5: url: 'javascript:void(0)' is not an http(s) URL" in p for p in err.value.problems)
    orphan = write(tmp_path, "orphan.csv", "网站标识码,渠道名称,渠道地址,渠道类型\n5399990001,信箱,http://x.gov.cn/,信箱\n")
    with pytest.raises(RegistryError, match=r"orphan.csv:2: site_code: unknown site '5399990001'"):
        FileSource([orphan]).targets("channel")
