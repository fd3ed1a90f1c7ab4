"""Target registry import: CSV (with and without BOM, Chinese headers) and YAML, validation, atomicity, updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_files, parent_region

WEBSITES_CSV = """网站标识码,网站名称,首页地址,行政区划代码,行政区划名称,层级,类型,主办单位,上级门户标识码
5325000001,红河州人民政府,http://www.hh.gov.cn/,532500,红河哈尼族彝族自治州,市级,门户网站,红河州人民政府办公室,
5325010002,个旧市人民政府,http://www.gejiu.gov.cn/,532501,个旧市,县级,门户网站,个旧市人民政府办公室,
5325000101,红河州教育体育局,http://jyj.hh.gov.cn/,532500,红河哈尼族彝族自治州,city,department,州教育体育局,5325000001
"""

COLUMNS_CSV = """site_code,name,url,category,unit,path,level
5325000001,工作动态,http://www.hh.gov.cn/jyxxgk/gzdt/,动态,州教育体育局,首页>政府信息公开>法定主动公开内容>重点领域信息公开>红河州教育信息公开>工作动态,5
5325000001,通知公告,http://www.hh.gov.cn/tzgg/,notice,州政府办公室,首页>通知公告,1
"""


def engine(url: str):
    e = db.engine_for(url)
    upgrade(e)
    return e


def count(e, table) -> int:
    with e.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_csv_with_bom_and_chinese_headers_then_reimport_updates(db_url: str, tmp_path: Path) -> None:
    sites = tmp_path / "websites.csv"
    sites.write_bytes(WEBSITES_CSV.encode("utf-8-sig"))  # as Excel saves it
    cols = tmp_path / "columns.csv"
    cols.write_text(COLUMNS_CSV, encoding="utf-8")  # plain UTF-8 works as well
    e = engine(db_url)
    assert import_files(e, [sites, cols]) == {"websites": 3, "columns": 2, "accounts": 0, "channels": 0}
    with e.connect() as conn:
        dept = conn.execute(select(db.websites).where(db.websites.c.site_code == "5325000101")).one()
        assert (dept.kind, dept.level, dept.parent_site_code) == ("department", "city", "5325000001")
        col = conn.execute(select(db.site_columns).where(db.site_columns.c.name == "工作动态")).one()
        assert (col.category, col.unit, col.level, col.source) == ("dynamic", "州教育体育局", 5, "registry")
        regions = dict(conn.execute(select(db.regions.c.code, db.regions.c.parent_code)).all())
        assert regions == {"532500": "530000", "532501": "532500"}
    sites.write_bytes(WEBSITES_CSV.replace("个旧市人民政府,", "个旧市人民政府门户网站,").encode("utf-8-sig"))
    import_files(e, [sites, cols])
    assert count(e, db.websites) == 3 and count(e, db.site_columns) == 2
    with e.connect() as conn:
        names = set(conn.execute(select(db.websites.c.name)).scalars())
    assert "个旧市人民政府门户网站" in names


def test_bad_row_names_file_line_and_field_and_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    bad = WEBSITES_CSV.replace("5325010002,个旧市人民政府,http://www.gejiu.gov.cn/",
                               "532501002,个旧市人民政府,ftp://www.gejiu.gov.cn/")
    path = tmp_path / "websites.csv"
    path.write_text(bad, encoding="utf-8")
    e = engine(sqlite_url)
    with pytest.raises(RegistryError) as err:
        import_files(e, [path])
    problems = err.value.problems
    assert f"{path}:3: site_code: '532501002' is not a 网站标识码 (10 digits, or bm + 8 digits)" in problems
    assert any(p.startswith(f"{path}:3: homepage:") for p in problems)
    assert count(e, db.websites) == 0  # the two good rows were not half imported


def test_yaml_reports_line_of_bad_entry_and_unknown_parent(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(
        "websites:\n"
        "  - site_code: '5325000001'\n    name: 红河州人民政府\n    homepage: http://www.hh.gov.cn/\n"
        "    region_code: '532500'\n    region_name: 红河州\n    level: city\n    kind: portal\n"
        "  - site_code: '5325000102'\n    name: 州财政局\n    homepage: http://czj.hh.gov.cn/\n"
        "    region_code: '532500'\n    region_name: 红河州\n    level: city\n    kind: department\n"
        "    parent_site_code: '5325009999'\n"
        "accounts:\n"
        "  - platform: 微信公众号\n    account: gejiucaizheng\n    name: 个旧市财政局\n    owner_unit: 个旧市财政局\n"
        "    region_code: '53250'\n",
        encoding="utf-8",
    )
    e = engine(sqlite_url)
    with pytest.raises(RegistryError) as err:
        import_files(e, [path])
    assert f"{path}:9: parent_site_code: unknown site '5325009999'" in err.value.problems
    assert f"{path}:18: region_code: '53250' is not a 6-digit GB/T 2260 code" in err.value.problems
    assert count(e, db.websites) == 0 and count(e, db.accounts) == 0


def test_column_of_unknown_site_and_duplicates_refused(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(COLUMNS_CSV + COLUMNS_CSV.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        import_files(engine(sqlite_url), [path])
    assert any("site_code: unknown site '5325000001'" in p for p in err.value.problems)
    assert any(p.startswith(f"{path}:4: site_code/url: duplicate of line 2") for p in err.value.problems)


def test_unrecognised_header_and_empty_file(sqlite_url: str, tmp_path: Path) -> None:
    e = engine(sqlite_url)
    odd = tmp_path / "odd.csv"
    odd.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="matches no known row kind"):
        import_files(e, [odd])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(RegistryError, match="empty"):
        import_files(e, [empty])


def test_parent_region_rolls_up_county_city_province() -> None:
    assert parent_region("532501") == "532500"
    assert parent_region("532500") == "530000"
    assert parent_region("530000") is None
