"""Registry files as users really save them (issue 8, item 5): every encoding Excel and editors write on Chinese
Windows, levels and kinds in their many spellings, the 状态 column and --retire-missing.

Files are written byte for byte as the programs write them and imported into a real database; the command is run
as a process, as users run it.
"""

from __future__ import annotations

import codecs
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor import db
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_files, import_registry
from monitor.report.rates import running_counts

HEADER = ["网站标识码", "网站名称", "首页地址", "行政区划代码", "行政区划名称", "层级", "类型", "主办单位", "上级门户标识码"]
ROWS = [
    ["5325000001", "红河州人民政府", "http://www.hh.gov.cn/", "532500", "红河哈尼族彝族自治州", "州级", "政府门户网站",
     "红河州人民政府办公室", ""],
    ["5325010002", "个旧市人民政府", "http://www.gejiu.gov.cn/", "532501", "个旧市", "县级市", "门户网站",
     "个旧市人民政府办公室", ""],
    ["5325000101", "红河州教育体育局", "http://jyj.hh.gov.cn/", "532500", "红河哈尼族彝族自治州", "州级", "部门网站",
     "州教育体育局", "5325000001"],
]
ACCOUNTS_HEADER = ["平台", "账号", "账号名称", "开设主体", "行政区划代码"]
ACCOUNTS = [["微信公众号", "honghezhou", "红河州人民政府", "红河州人民政府办公室", "532500"],
            ["微博", "gejiu", "个旧发布", "个旧市人民政府办公室", "532501"]]


def table(header: list[str], rows: list[list[str]], sep: str = ",", newline: str = "\r\n") -> str:
    """Rows as Excel writes them: CRLF by default, cells with separators or quotes quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows([header, *rows])
    return out.getvalue()


def engine(url: str):
    e = db.engine_for(url)
    upgrade(e)
    return e


def websites(e) -> dict[str, dict]:
    with e.connect() as conn:
        return {r.site_code: dict(r._mapping) for r in conn.execute(select(db.websites))}


def active_accounts(e) -> dict[str, bool]:
    with e.connect() as conn:
        return {f"{r.platform}:{r.account}": r.active for r in conn.execute(select(db.accounts))}


def govmon(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from monitor.cli import main; raise SystemExit(main())",
                           *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


# ------------------------------------------------------------------ encodings

RARE = "𠮷"  # U+20BB7: GB18030 has it (four bytes), GBK does not
ENCODED: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, bytes as the program writes them, encoding the import reports)
    "utf-8": ("websites.csv", table(HEADER, ROWS, newline="\n").encode("utf-8"), "UTF-8"),
    "utf-8 with BOM (Excel: CSV UTF-8)": ("websites.csv", codecs.BOM_UTF8 + table(HEADER, ROWS).encode("utf-8"),
                                          "UTF-8 (BOM)"),
    # Excel's plain "CSV (逗号分隔)" on Chinese Windows: code page 936, CRLF, no BOM, Chinese headers
    "gbk (Excel: CSV)": ("websites.csv", table(HEADER, ROWS).encode("gbk"), "GB18030"),
    "gb18030 beyond gbk": ("websites.csv", table(HEADER, [*ROWS[:2], [*ROWS[2][:7], f"州教育体育局{RARE}", ROWS[2][8]]])
                           .encode("gb18030"), "GB18030"),
    # Excel's "Unicode 文本 (*.txt)": UTF-16 LE with BOM, tab-separated
    "utf-16 le (Excel: Unicode text)": ("websites.txt", codecs.BOM_UTF16_LE + table(HEADER, ROWS, sep="\t")
                                        .encode("utf-16-le"), "UTF-16 LE"),
    "utf-16 be": ("websites.csv", codecs.BOM_UTF16_BE + table(HEADER, ROWS).encode("utf-16-be"), "UTF-16 BE"),
}


@pytest.mark.parametrize("name", list(ENCODED))
def test_every_encoding_imports_and_is_reported(name: str, sqlite_url: str, tmp_path: Path) -> None:
    filename, data, label = ENCODED[name]
    if name == "gbk (Excel: CSV)":  # the file that crashed the import: no BOM, CRLF, not UTF-8
        assert not data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    if name == "gb18030 beyond gbk":
        with pytest.raises(UnicodeEncodeError):
            RARE.encode("gbk")
    path = tmp_path / filename
    path.write_bytes(data)
    e = engine(sqlite_url)
    result = import_registry(e, [path])
    assert result.encodings == {str(path): label}
    assert result.counts == {"websites": 3, "columns": 0, "accounts": 0, "channels": 0}
    rows = websites(e)
    assert rows["5325000001"]["region_name"] == "红河哈尼族彝族自治州"
    assert rows["5325010002"]["name"] == "个旧市人民政府"  # no stray \r from CRLF, no BOM in the first field
    assert (rows["5325000101"]["kind"], rows["5325000101"]["parent_site_code"]) == ("department", "5325000001")
    sponsor = rows["5325000101"]["sponsor"]
    assert sponsor == (f"州教育体育局{RARE}" if name == "gb18030 beyond gbk" else "州教育体育局")


def test_yaml_saved_by_a_chinese_windows_editor_is_read_too(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_bytes("websites:\r\n  - site_code: '5325000001'\r\n    name: 红河州人民政府\r\n"
                     "    homepage: http://www.hh.gov.cn/\r\n    region_code: '532500'\r\n    region_name: 红河州\r\n"
                     "    level: 州级\r\n    kind: 门户\r\n".encode("gbk"))
    e = engine(sqlite_url)
    assert import_registry(e, [path]).encodings == {str(path): "GB18030"}
    assert websites(e)["5325000001"]["name"] == "红河州人民政府"


def test_gbk_csv_through_the_command_says_what_it_read(tmp_path: Path) -> None:
    path = tmp_path / "websites.csv"
    path.write_bytes(ENCODED["gbk (Excel: CSV)"][1])
    database = tmp_path / "govmon.sqlite"
    proc = govmon("import-targets", "--database", database, path)
    assert proc.returncode == 0, proc.stderr
    assert f"{path}: GB18030" in proc.stdout.splitlines()
    assert "3 websites" in proc.stdout
    assert websites(engine(f"sqlite:///{database}"))["5325000001"]["name"] == "红河州人民政府"


def test_undecodable_file_is_refused_naming_it_without_traceback(tmp_path: Path) -> None:
    good = tmp_path / "websites.csv"
    good.write_bytes(ENCODED["utf-8"][1])
    broken = tmp_path / "broken.csv"
    broken.write_bytes(table(HEADER, ROWS).encode("gbk") + b"\xff\xfe\xff\r\n")  # 0xFF: neither UTF-8 nor GB18030
    database = tmp_path / "govmon.sqlite"
    proc = govmon("import-targets", "--database", database, good, broken)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{broken}: cannot read the text: not UTF-8 (line 1" in proc.stderr  # the GBK header
    assert "not GB18030/GBK (line 5" in proc.stderr  # the stray bytes
    assert websites(engine(f"sqlite:///{database}")) == {}  # the good file was not imported either


def test_utf16_without_bom_is_refused_not_guessed(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "websites.csv"
    path.write_bytes(table(HEADER, ROWS).encode("utf-16-le"))
    with pytest.raises(RegistryError, match="NUL bytes") as err:
        import_files(engine(sqlite_url), [path])
    assert err.value.problems[0].startswith(f"{path}:")


# ------------------------------------------------------------------ levels and kinds

LEVEL_SPELLINGS = {
    "province": ["省级", "省", "自治区", "直辖市", "province", "Province", "省（自治区、直辖市）", "省级 "],
    "city": ["市级", "市", "地级", "地级市", "州级", "州", "盟级", "盟", "副省级", "计划单列市", "自治州",
             "市（州）级", "州（市）", "city", "CITY", "prefecture"],
    "county": ["县级", "县", "区级", "区", "旗级", "旗", "县级市", "区县", "自治县", "市辖区", "县（市、区）",
               "县(市,区)级", "县（市，区）", "county", "County", "district"],
}


def test_every_level_spelling_maps_to_province_city_or_county(sqlite_url: str, tmp_path: Path) -> None:
    spellings = [(level, s) for level, group in LEVEL_SPELLINGS.items() for s in group]
    rows = [[f"53250{i:05d}", f"网站{i}", f"http://s{i}.gov.cn/", "532501", "个旧市", spelling, "门户网站", "", ""]
            for i, (_level, spelling) in enumerate(spellings)]
    path = tmp_path / "websites.csv"
    path.write_bytes(table(HEADER, rows).encode("gbk"))
    e = engine(sqlite_url)
    assert import_files(e, [path])["websites"] == len(spellings)
    stored = websites(e)
    got = {spelling: stored[f"53250{i:05d}"]["level"] for i, (_level, spelling) in enumerate(spellings)}
    assert got == {spelling: level for level, spelling in spellings}


@pytest.mark.parametrize("spelling", ["乡级", "乡镇", "村", "省市县", "municipal", "3"])
def test_unknown_level_names_file_line_and_field(spelling: str, sqlite_url: str, tmp_path: Path) -> None:
    rows = [ROWS[0], [*ROWS[1][:5], spelling, *ROWS[1][6:]], ROWS[2]]
    path = tmp_path / "websites.csv"
    path.write_bytes(table(HEADER, rows).encode("gbk"))
    e = engine(sqlite_url)
    with pytest.raises(RegistryError) as err:
        import_files(e, [path])
    assert err.value.problems == [f"{path}:3: level: {spelling!r} is not a level: province / city / county "
                                  "(省级 / 市级 / 县级, 州级, 区级, 县级市 …)"]
    assert websites(e) == {}


def test_kind_spellings(sqlite_url: str, tmp_path: Path) -> None:
    kinds = {"门户网站": "portal", "政府门户网站": "portal", "门户": "portal", "Portal": "portal",
             "部门网站": "department", "部门": "department", "政府部门网站": "department", "department": "department"}
    rows = [["5325000001", "门户", "http://www.hh.gov.cn/", "532500", "红河州", "市级", "门户网站", "", ""]]
    rows += [[f"53250001{i:02d}", f"网站{i}", f"http://s{i}.hh.gov.cn/", "532500", "红河州", "市级", spelling, "",
              "5325000001"] for i, spelling in enumerate(kinds)]
    path = tmp_path / "websites.csv"
    path.write_text(table(HEADER, rows), encoding="utf-8")
    e = engine(sqlite_url)
    import_files(e, [path])
    stored = websites(e)
    assert {s: stored[f"53250001{i:02d}"]["kind"] for i, s in enumerate(kinds)} == kinds
    bad = tmp_path / "bad.csv"
    bad.write_text(table(HEADER, [[*ROWS[0][:6], "政府网站", *ROWS[0][7:]]]), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        import_files(e, [bad])
    assert err.value.problems == [f"{bad}:2: kind: '政府网站' is not a kind: portal / department (门户网站 / 部门网站)"]


def test_excel_scientific_notation_in_site_code_gets_a_hint(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "websites.csv"
    path.write_bytes(table(HEADER, [["5.33E+09", *ROWS[0][1:]]]).encode("gbk"))
    with pytest.raises(RegistryError) as err:
        import_files(engine(sqlite_url), [path])
    assert err.value.problems[0].startswith(f"{path}:2: site_code: '5.33E+09' is not a 网站标识码: Excel saved it")


# ------------------------------------------------------------------ status column

STATUSES = {"运行": True, "在用": True, "正常": True, "是": True, "1": True, "true": True, "TRUE": True, "": True,
            "关停": False, "停用": False, "下线": False, "注销": False, "已关闭": False, "整合": False, "迁移": False,
            "否": False, "0": False, "false": False, "FALSE": False, "已整合": False}


def test_status_column_sets_active_and_retired_sites_leave_the_rates(db_url: str, tmp_path: Path) -> None:
    header = [*HEADER, "状态"]
    portal = [*ROWS[0], "运行"]
    rows = [portal] + [[f"53250001{i:02d}", f"部门{i}", f"http://d{i}.hh.gov.cn/", "532500", "红河州", "州级", "部门网站",
                        "", "5325000001", status] for i, status in enumerate(STATUSES)]
    path = tmp_path / "websites.csv"
    path.write_bytes(table(header, rows).encode("gbk"))
    e = engine(db_url)
    result = import_registry(e, [path])
    stored = websites(e)
    assert {s: stored[f"53250001{i:02d}"]["active"] for i, s in enumerate(STATUSES)} == STATUSES
    retired = sorted(f"53250001{i:02d}" for i, s in enumerate(STATUSES) if not STATUSES[s])
    assert sorted(result.inactive["websites"]) == retired
    with e.connect() as conn:
        running = running_counts(conn)
    departments = running[(running["target_kind"] == "website") & (running["kind"] == "department")]
    assert departments["running"].sum() == sum(STATUSES.values())  # the retired ones are not 在运行
    # Reopened: the next import that says 正常 makes the site active again.
    rows[-1][-1] = "正常"
    path.write_bytes(table(header, rows).encode("gbk"))
    import_registry(e, [path])
    assert websites(e)[f"53250001{len(STATUSES) - 1:02d}"]["active"] is True


def test_unknown_status_and_account_status(sqlite_url: str, tmp_path: Path) -> None:
    e = engine(sqlite_url)
    accounts = tmp_path / "accounts.csv"
    accounts.write_bytes(table([*ACCOUNTS_HEADER, "账号状态"], [[*ACCOUNTS[0], "正常"], [*ACCOUNTS[1], "已注销"]])
                         .encode("gbk"))
    assert import_registry(e, [accounts]).inactive["accounts"] == ["微博:gejiu"]
    assert active_accounts(e) == {"微信公众号:honghezhou": True, "微博:gejiu": False}
    bad = tmp_path / "websites.csv"
    bad.write_text(table([*HEADER, "状态"], [[*ROWS[0], "待定"]]), encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        import_files(e, [bad])
    assert err.value.problems[0].startswith(f"{bad}:2: active: '待定' is not a status")


# ------------------------------------------------------------------ --retire-missing


def write_registry(tmp_path: Path, sites: list[list[str]], accounts: list[list[str]]) -> tuple[Path, Path]:
    w, a = tmp_path / "websites.csv", tmp_path / "accounts.csv"
    w.write_bytes(table(HEADER, sites).encode("gbk"))
    a.write_bytes(codecs.BOM_UTF8 + table(ACCOUNTS_HEADER, accounts).encode("utf-8"))
    return w, a


def test_retire_missing_deactivates_absent_targets(db_url: str, tmp_path: Path) -> None:
    e = engine(db_url)
    import_registry(e, write_registry(tmp_path, ROWS, ACCOUNTS))
    # Without the flag, a shorter file retires nothing.
    import_registry(e, write_registry(tmp_path, ROWS[:1], ACCOUNTS[:1]))
    assert all(w["active"] for w in websites(e).values())
    result = import_registry(e, write_registry(tmp_path, ROWS[:2], ACCOUNTS[:1]), retire_missing=True)
    assert result.retired == {"websites": ["5325000101"], "accounts": ["微博:gejiu"]}
    assert {code: w["active"] for code, w in websites(e).items()} == {
        "5325000001": True, "5325010002": True, "5325000101": False}
    assert active_accounts(e) == {"微信公众号:honghezhou": True, "微博:gejiu": False}
    # Already inactive: not retired a second time; listed again: active again.
    result = import_registry(e, write_registry(tmp_path, ROWS, ACCOUNTS[:1]), retire_missing=True)
    assert result.retired == {"websites": [], "accounts": []}
    assert websites(e)["5325000101"]["active"] is True


def test_retire_missing_is_one_transaction_with_the_import(db_url: str, tmp_path: Path) -> None:
    e = engine(db_url)
    import_registry(e, write_registry(tmp_path, ROWS, ACCOUNTS))
    sites, _ = write_registry(tmp_path, [ROWS[0], [*ROWS[1][:2], "ftp://bad/", *ROWS[1][3:]]], [])
    with pytest.raises(RegistryError) as err:
        import_registry(e, [sites], retire_missing=True)
    assert err.value.problems == [f"{sites}:3: homepage: 'ftp://bad/' is not an http(s) URL"]
    assert all(w["active"] for w in websites(e).values())  # nothing retired by a refused import
    # A file of one kind only retires that kind; a file of neither is refused.
    sites, _ = write_registry(tmp_path, ROWS[:1], [])
    assert import_registry(e, [sites], retire_missing=True).retired == {"websites": ["5325000101", "5325010002"]}
    assert all(active_accounts(e).values())
    columns = tmp_path / "columns.csv"
    columns.write_text("网站标识码,栏目名称,栏目地址,栏目类别\n5325000001,通知公告,http://www.hh.gov.cn/tzgg/,通知公告\n",
                       encoding="utf-8")
    with pytest.raises(RegistryError, match="refusing to retire every target"):
        import_registry(e, [columns], retire_missing=True)
    with e.connect() as conn:
        assert conn.execute(select(db.site_columns)).all() == []  # the refused import wrote nothing


def test_retire_missing_through_the_command_prints_how_many_and_which(tmp_path: Path) -> None:
    database = tmp_path / "govmon.sqlite"
    assert govmon("import-targets", "--database", database, *write_registry(tmp_path, ROWS, ACCOUNTS)).returncode == 0
    proc = govmon("import-targets", "--database", database, "--retire-missing",
                  *write_registry(tmp_path, ROWS[:1], ACCOUNTS))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"{tmp_path / 'websites.csv'}: GB18030" in lines and f"{tmp_path / 'accounts.csv'}: UTF-8 (BOM)" in lines
    assert "retired 2 websites absent from the files (now inactive): 5325000101, 5325010002" in lines
    assert "retired 0 accounts absent from the files (now inactive)" in lines


def test_files_of_one_import_are_all_or_nothing(sqlite_url: str, tmp_path: Path) -> None:
    good = tmp_path / "websites.csv"
    good.write_bytes(ENCODED["gbk (Excel: CSV)"][1])
    bad = tmp_path / "accounts.csv"
    bad.write_text(table(ACCOUNTS_HEADER, [[*ACCOUNTS[0][:4], "53250"]]), encoding="utf-8")
    e = engine(sqlite_url)
    with pytest.raises(RegistryError) as err:
        import_files(e, [good, bad])
    assert err.value.problems == [f"{bad}:2: region_code: '53250' is not a 6-digit GB/T 2260 code"]
    assert websites(e) == {}
