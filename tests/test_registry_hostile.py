"""Registry files that are wrong in ways users (and tools) really produce (issue 12): every one is refused with
"file:line: field: message" problems, never a traceback, and nothing of the import is written.

Files are written byte for byte and imported into real databases (SQLite and PostgreSQL through `db_url`); the
command is run as a process, as users run it.
"""

from __future__ import annotations

import codecs
import csv
import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from scrapy import Request
from sqlalchemy import select, text

from monitor import db
from monitor.extract.links import canonicalize
from monitor.migrate import upgrade
from monitor.registry import RegistryError, import_registry, url_problem
from monitor.targets import FileSource

HEADER = ["网站标识码", "网站名称", "首页地址", "行政区划代码", "行政区划名称", "层级", "类型", "主办单位", "上级门户标识码"]
PORTAL = ["5325000001", "红河州人民政府", "http://www.hh.gov.cn/", "532500", "红河哈尼族彝族自治州", "州级", "门户网站",
          "红河州人民政府办公室", ""]
GEJIU = ["5325010002", "个旧市人民政府", "http://www.gejiu.gov.cn/", "532501", "个旧市", "县级市", "门户网站", "", ""]
JIANSHUI = ["5325240001", "建水县人民政府", "http://www.jianshui.gov.cn/", "532524", "建水县", "县级", "门户网站", "", ""]


def table(rows: list[list[str]], header: list[str] = HEADER, sep: str = ",") -> str:
    """Rows as Excel writes them: CRLF between records, a line break inside a cell stays LF and the cell quoted."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def engine(url: str):
    e = db.engine_for(url)
    upgrade(e)
    return e


def websites(e) -> dict[str, dict]:
    with e.connect() as conn:
        return {r.site_code: dict(r._mapping) for r in conn.execute(select(db.websites))}


def refused(e, *paths: Path) -> list[str]:
    """The problems of an import that must be refused; it must also have written nothing."""
    before = websites(e)
    with pytest.raises(RegistryError) as err:
        import_registry(e, list(paths))
    assert websites(e) == before
    assert str(err.value).startswith("registry refused, nothing imported:")
    return err.value.problems


def govmon(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from monitor.cli import main; raise SystemExit(main())",
                           *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


def yaml_site(**fields: str) -> str:
    """One websites entry in YAML; fields replace the lines of the portal as they are written (unquoted, raw)."""
    lines = {"site_code": "'5325000001'", "name": "红河州人民政府", "homepage": "http://www.hh.gov.cn/",
             "region_code": "'532500'", "region_name": "红河州", "level": "州级", "kind": "门户网站"} | fields
    body = "\n".join(f"    {k}: {v}" for k, v in lines.items())
    return "  -" + body[3:] + "\n"


# ------------------------------------------------------------------ bytes that are no text


def xlsx_bytes() -> bytes:
    """A workbook as Excel saves it: a ZIP container (what users send when they rename .xlsx to .csv)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return out.getvalue()


BINARY = {
    "xlsx renamed to csv": ("websites.csv", xlsx_bytes()),
    "random bytes with NULs": ("websites.csv", bytes(range(256)) * 8),
    "control bytes, no NUL, neither UTF-8 nor GB18030": ("websites.csv", bytes(range(1, 256)) * 8),
    "UTF-32 without a byte-order mark": ("websites.csv", table([PORTAL]).encode("utf-32-le")),
    "UTF-16 byte-order mark, then not UTF-16": ("websites.txt", codecs.BOM_UTF16_LE + b"\x00\xd8\x41\x00"),
    "YAML with a control character": ("targets.yaml", b"websites:\n  - name: \x01\x02\n"),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_files_are_refused_as_not_text(name: str, sqlite_url: str, tmp_path: Path) -> None:
    filename, data = BINARY[name]
    path = tmp_path / filename
    path.write_bytes(data)
    problems = refused(engine(sqlite_url), path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}") and "not a text file" in problems[0], problems


def test_binary_and_undecodable_files_through_the_command(tmp_path: Path) -> None:
    good = tmp_path / "websites.csv"
    good.write_bytes(table([PORTAL]).encode("gbk"))
    workbook = tmp_path / "accounts.csv"
    workbook.write_bytes(xlsx_bytes())
    database = tmp_path / "govmon.sqlite"
    proc = govmon("import-targets", "--database", database, good, workbook)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "imported into" not in proc.stdout
    assert f"{workbook}: not a text file: an Excel .xlsx workbook" in proc.stderr
    assert websites(engine(f"sqlite:///{database}")) == {}


def test_utf16_without_bom_is_told_apart_from_binary(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "websites.csv"  # 一 (U+4E00) puts NUL bytes at the other offsets too
    path.write_bytes(table([[*PORTAL[:1], "红河州一中", *PORTAL[2:]]]).encode("utf-16-le"))
    [problem] = refused(engine(sqlite_url), path)
    assert problem.startswith(f"{path}: not a text file as it stands: looks like UTF-16 without a byte-order mark")


@pytest.mark.parametrize("encoding", ["gbk", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_bad_rows_in_gbk_and_utf16_files_name_line_and_field(encoding: str, db_url: str, tmp_path: Path) -> None:
    rows = [PORTAL, [*GEJIU[:3], "53250", *GEJIU[4:]], [*JIANSHUI[:1], "建水\x07县", *JIANSHUI[2:]]]
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = tmp_path / ("websites.txt" if bom else "websites.csv")
    path.write_bytes(bom + table(rows, sep="\t" if bom else ",").encode(encoding))
    assert refused(engine(db_url), path) == [f"{path}:3: region_code: '53250' is not a 6-digit GB/T 2260 code",
                                             f"{path}:4: name: contains the control character U+0007"]


# ------------------------------------------------------------------ YAML of the wrong shape

WRONG_SHAPES = {
    # name: (file text, the problem expected)
    "a section that is a number": ("websites: 5\n",
                                   ':1: websites: expected a list of entries ("- field: value" lines), found the '
                                   "value '5'"),
    "a list where the sections mapping belongs": ("- websites\n", ":1: expected a mapping with sections"),
    "a mapping where the list belongs": ("websites:\n  site_code: '5325000001'\n",
                                         ":1: websites: expected a list of entries"),
    "an entry that is a scalar": ("websites:\n  - 5325000001\n",
                                  ":2: websites: every entry must be a mapping (field: value), found the value "
                                  "'5325000001'"),
    "a value that is a list": ("websites:\n" + yaml_site(name="[红河州, 人民政府]"),
                               ":3: name: expected one value, found a list; quote it if it is text"),
    "a value that is a mapping": ("websites:\n" + yaml_site(sponsor="{单位: 办公室}"),
                                  ":9: sponsor: expected one value, found a mapping (field: value)"),
    "an integer key": ("websites:\n" + yaml_site(**{"1": "x"}), ":2: 1: unknown field for websites"),
    "a key written twice": ("websites:\n" + yaml_site() + "    name: 又一个名称\n",
                            ":9: not valid YAML: 'name' appears twice in one entry (line 3)"),
    "a binary scalar": ("websites:\n" + yaml_site(name="!!binary aGVsbG8="),
                        ":3: not valid YAML: the type tag:yaml.org,2002:binary has no place in a registry file"),
    "an unknown section": ("sites:\n" + yaml_site(), ":1: sites: unknown section"),
    "nothing at all": ("# 只有注释\n", ":1: the file is empty"),
    "deep nesting": ("websites: " + "[" * 5000 + "]" * 5000 + "\n", ":1: not valid YAML: nested more than"),
}


@pytest.mark.parametrize("name", list(WRONG_SHAPES))
def test_yaml_of_the_wrong_shape_is_refused_naming_the_line(name: str, db_url: str, tmp_path: Path) -> None:
    content, expected = WRONG_SHAPES[name]
    path = tmp_path / "targets.yaml"
    path.write_text(content, encoding="utf-8")
    problems = refused(engine(db_url), path)
    assert any(p.startswith(f"{path}{expected}") for p in problems), problems


def test_yaml_values_are_taken_as_written(db_url: str, tmp_path: Path) -> None:
    """YAML 1.1 reads 0532501 as the octal int 177473 and 532_501 as 532501: the import must not."""
    e = engine(db_url)
    for written in ("0532501", "532_501", "!!int 0532501", "5325:01"):
        path = tmp_path / "targets.yaml"
        path.write_text("websites:\n" + yaml_site(region_code=written), encoding="utf-8")
        as_written = written.removeprefix("!!int ")
        assert refused(e, path) == [f"{path}:2: region_code: {as_written!r} is not a 6-digit GB/T 2260 code"]
    with e.connect() as conn:
        assert conn.execute(select(db.regions.c.code)).scalars().all() == []  # no 177473 anywhere
    # Unquoted codes without leading zeros are fine as written; null / ~ / nothing are empty; yes/off are statuses.
    path.write_text("websites:\n" + yaml_site(site_code="5325000001", region_code="532500", sponsor="null")
                    + yaml_site(site_code="5325010002", region_code="532501", sponsor="~", active="off")
                    + yaml_site(site_code="5325240001", region_code="532524", sponsor="", active="yes"),
                    encoding="utf-8")
    assert import_registry(e, [path]).counts["websites"] == 3
    stored = websites(e)
    assert {code: (w["region_code"], w["sponsor"], w["active"]) for code, w in stored.items()} == {
        "5325000001": ("532500", None, True), "5325010002": ("532501", None, False),
        "5325240001": ("532524", None, True)}


def alias_bomb() -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded, in a few hundred bytes."""
    lines = ["websites:", '  - a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"    {cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_fast_without_building_it(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert len(path.read_bytes()) < 500
    # In a child limited to 1 GB of address space: a regression fails with MemoryError instead of eating the machine.
    script = ("import resource, sys\n"
              "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
              "from monitor.registry import RegistryError, read_file\n"
              "try:\n    read_file(sys.argv[1])\nexcept RegistryError as exc:\n    print(exc.problems)\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert time.monotonic() - started < 10
    assert f"{path}:2: not valid YAML: anchors (&name) and aliases (*name) are not allowed" in proc.stdout


def test_a_lone_anchor_is_refused_too(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text("websites:\n" + yaml_site(name="&n 红河州人民政府"), encoding="utf-8")
    [problem] = refused(engine(sqlite_url), path)
    assert problem.startswith(f"{path}:3: not valid YAML: anchors (&name) and aliases (*name) are not allowed")


# ------------------------------------------------------------------ URLs

REFUSED_URLS = ["http://[::1/", "http://www.hh.gov.cn:99999/", "http://www.hh.gov.cn:0/", "http://www.hh.gov.cn:8o/",
                "http://www..hh.gov.cn/", "http://www hh.gov.cn/", "http://www.hh.gov.cn/\n", "http://" + "a" * 64
                + ".gov.cn/", "http:///index.html", "ftp://www.hh.gov.cn/", "www.hh.gov.cn"]
ACCEPTED_URLS = ["http://www.hh.gov.cn/", "https://www.hh.gov.cn:8443/a b.html", "http://[::1]:8080/",
                 "http://红河.政府.cn/", "http://www.hh.gov.cn:/", "HTTP://WWW.HH.GOV.CN/", "http://www.hh.gov.cn./"]


@pytest.mark.parametrize("url", REFUSED_URLS + ACCEPTED_URLS)
def test_every_url_the_registry_accepts_makes_a_crawl_request(url: str) -> None:
    problem = url_problem(url)
    assert (problem is None) == (url in ACCEPTED_URLS), problem
    if problem is None:  # what the website spider does with a homepage before fetching it
        Request(url)
        canonicalize(url)


def test_crawl_breaking_homepages_are_refused_at_validation(db_url: str, tmp_path: Path) -> None:
    for port in ("99999", "65536"):  # Scrapy itself refuses these only when the crawl starts
        with pytest.raises(ValueError, match="Port out of range"):
            Request(f"http://www.gejiu.gov.cn:{port}/")
    path = tmp_path / "websites.csv"
    path.write_text(table([PORTAL, [*GEJIU[:2], "http://www.gejiu.gov.cn:99999/", *GEJIU[3:]],
                           [*JIANSHUI[:2], "http://[::1/", *JIANSHUI[3:]]]), encoding="utf-8")
    expected = [f"{path}:3: homepage: 'http://www.gejiu.gov.cn:99999/' is not a valid URL (Port out of range 0-65535)",
                f"{path}:4: homepage: 'http://[::1/' is not a valid URL (Invalid IPv6 URL)"]
    assert refused(engine(db_url), path) == expected
    with pytest.raises(RegistryError) as err:  # the crawl's start list from a file: refused before any request
        FileSource([path]).targets("website")
    assert err.value.problems == expected


# ------------------------------------------------------------------ lengths and NUL

# (field, header, its column's length in monitor/db.py)
LIMITS = [("name", "网站名称", db.websites.c.name.type.length),
          ("region_name", "行政区划名称", db.websites.c.region_name.type.length),
          ("sponsor", "主办单位", db.websites.c.sponsor.type.length)]


@pytest.mark.parametrize(("field", "header", "limit"), LIMITS)
def test_values_longer_than_their_column_are_refused(field: str, header: str, limit: int, db_url: str,
                                                     tmp_path: Path) -> None:
    e = engine(db_url)
    at = HEADER.index(header)
    path = tmp_path / "websites.csv"
    path.write_text(table([PORTAL, [*GEJIU[:at], "长" * (limit + 1), *GEJIU[at + 1:]]]), encoding="utf-8")
    assert refused(e, path) == [f"{path}:3: {field}: {limit + 1} characters, longer than the {limit} the "
                                "database holds"]
    path.write_text(table([PORTAL, [*GEJIU[:at], "长" * limit, *GEJIU[at + 1:]]]), encoding="utf-8")
    import_registry(e, [path])  # exactly the limit: the real column holds it
    assert websites(e)["5325010002"][field] == "长" * limit


def test_account_fields_longer_than_their_column_are_refused(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    limit = db.accounts.c.platform.type.length
    path.write_text(table([["微博", "a" * 201, "个旧发布", "个旧市人民政府办公室", "532501"],
                           ["某" * (limit + 1), "gejiu", "个旧发布", "个旧市人民政府办公室", "532501"]],
                          header=["平台", "账号", "账号名称", "开设主体", "行政区划代码"]), encoding="utf-8")
    assert refused(engine(db_url), path) == [
        f"{path}:2: account: 201 characters, longer than the 200 the database holds",
        f"{path}:3: platform: {limit + 1} characters, longer than the {limit} the database holds"]


def test_nul_in_a_value_is_refused_on_both_databases(db_url: str, tmp_path: Path) -> None:
    """PostgreSQL cannot hold NUL (the engine drops it from crawled text) and SQLite would keep it: refused."""
    path = tmp_path / "targets.yaml"
    path.write_text("websites:\n" + yaml_site(name='"红河州\\0人民政府"', sponsor='"\\x00"'), encoding="utf-8")
    assert refused(engine(db_url), path) == [
        f"{path}:2: name: contains a NUL character (\\0): not text a database can hold",
        f"{path}:2: sponsor: contains a NUL character (\\0): not text a database can hold"]


# ------------------------------------------------------------------ all or nothing across files


def two_files(tmp_path: Path, second: list[str]) -> tuple[Path, Path]:
    first = tmp_path / "websites.csv"
    first.write_bytes(table([PORTAL, GEJIU]).encode("gbk"))
    bad = tmp_path / "more.csv"
    bad.write_text(table([JIANSHUI, second]), encoding="utf-8")
    return first, bad


def test_a_bad_second_file_commits_nothing_of_the_first(db_url: str, tmp_path: Path) -> None:
    e = engine(db_url)
    old = tmp_path / "old.csv"
    old.write_text(table([[*PORTAL[:1], "旧名称", *PORTAL[2:]]]), encoding="utf-8")
    import_registry(e, [old])
    first, bad = two_files(tmp_path, [*GEJIU[:1], "x" * 201, *GEJIU[2:]])
    assert refused(e, first, bad) == [f"{bad}:3: name: 201 characters, longer than the 200 the database holds"]
    assert {code: w["name"] for code, w in websites(e).items()} == {"5325000001": "旧名称"}  # not even updated


def test_a_row_the_database_refuses_rolls_back_the_files_before_it(db_url: str, tmp_path: Path) -> None:
    """A database stricter than the schema validation knows (a CHECK constraint, a trigger): the refusal comes
    at write time, after the first file's rows were sent, and the whole transaction goes."""
    e = engine(db_url)
    with e.begin() as conn:
        if e.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE websites ADD CONSTRAINT short_names CHECK (length(name) <= 10)"))
        else:
            conn.execute(text("CREATE TRIGGER short_names BEFORE INSERT ON websites WHEN length(NEW.name) > 10 "
                              "BEGIN SELECT RAISE(ABORT, 'name too long'); END"))
    first, bad = two_files(tmp_path, [*GEJIU[:3], "532501", "个旧市", "县级市", "门户网站", "", ""])
    bad.write_text(table([[*JIANSHUI[:1], "建水县人民政府门户网站（政府信息公开）", *JIANSHUI[2:]]]), encoding="utf-8")
    [problem] = refused(e, first, bad)
    assert problem.startswith(f"{bad}: the database refused a row of this file (")
    assert problem.endswith("nothing of this import was written, the files before it included")
    assert websites(e) == {}


def test_the_command_commits_nothing_and_says_so(tmp_path: Path) -> None:
    database = tmp_path / "govmon.sqlite"
    first, bad = two_files(tmp_path, [*GEJIU[:2], "http://www.gejiu.gov.cn:99999/", *GEJIU[3:]])
    proc = govmon("import-targets", "--database", database, first, bad)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("registry refused, nothing imported:")
    assert f"{bad}:3: homepage: 'http://www.gejiu.gov.cn:99999/' is not a valid URL" in proc.stderr
    assert "imported into" not in proc.stdout and "GB18030" not in proc.stdout  # no line claims an import
    assert websites(engine(f"sqlite:///{database}")) == {}
    proc = govmon("import-targets", "--database", database, first)  # the first alone is fine
    assert proc.returncode == 0, proc.stderr
    assert set(websites(engine(f"sqlite:///{database}"))) == {"5325000001", "5325010002"}


# ------------------------------------------------------------------ CSV line numbers


def test_multi_line_cells_do_not_shift_the_reported_lines(db_url: str, tmp_path: Path) -> None:
    """Lines are physical lines, as an editor numbers them; Excel shows one row per record, added when it differs."""
    rows = [[*PORTAL[:7], "红河州人民政府办公室\n（州政务服务管理局）\n信息科", ""],
            [*GEJIU[:3], "53250", *GEJIU[4:]],
            [*JIANSHUI[:2], '"http://www.jianshui.gov.cn/\n"', *JIANSHUI[3:]]]
    data = table(rows)
    path = tmp_path / "websites.csv"
    path.write_bytes(codecs.BOM_UTF8 + data.encode("utf-8"))
    problems = refused(engine(db_url), path)
    assert problems == [f"{path}:5: region_code: '53250' is not a 6-digit GB/T 2260 code (Excel row 3)",
                        f"{path}:6: homepage: '\"http://www.jianshui.gov.cn/\\n\"' is not an http(s) URL: it holds "
                        "a line break, tab or control character (Excel row 4)"]
    physical = data.splitlines()  # CRLF between records, LF inside cells: both are lines to an editor
    assert physical[4].startswith("5325010002,") and physical[5].startswith("5325240001,")
    rows[1][3], rows[2][2] = "532501", JIANSHUI[2]
    path.write_text(table(rows), encoding="utf-8")
    e = engine(db_url)
    import_registry(e, [path])
    assert websites(e)["5325000001"]["sponsor"] == "红河州人民政府办公室\n（州政务服务管理局）\n信息科"


def test_utf16_tab_separated_multi_line_cells_keep_lines_too(sqlite_url: str, tmp_path: Path) -> None:
    rows = [[*PORTAL[:7], "红河州\n人民政府办公室", ""], [*GEJIU[:6], "政府网站", *GEJIU[7:]]]
    path = tmp_path / "websites.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + table(rows, sep="\t").encode("utf-16-le"))
    assert refused(engine(sqlite_url), path) == [
        f"{path}:4: kind: '政府网站' is not a kind: portal / department (门户网站 / 部门网站) (Excel row 3)"]


# ------------------------------------------------------------------ full-width digits


def test_full_width_codes_are_read_as_ascii_and_stored_so(db_url: str, tmp_path: Path) -> None:
    """A Chinese input method's full-width mode types ５３２５００: read as 532500 and stored ASCII, so that the
    code matches everything else that names it (columns, rates per region)."""
    e = engine(db_url)
    sites = tmp_path / "websites.csv"
    sites.write_text(table([["５３２５０００００１", *PORTAL[1:3], "５３２５００", *PORTAL[4:]],
                            ["ｂｍ５３２５０１０１", "州教育体育局", "http://jyj.hh.gov.cn/", "532500", "红河州", "州级",
                             "部门网站", "", "５３２５０００００１"]]), encoding="utf-8")
    columns = tmp_path / "columns.csv"
    columns.write_text(table([["5325000001", "通知公告", "http://www.hh.gov.cn/tzgg/", "通知公告", "５"]],
                             header=["网站标识码", "栏目名称", "栏目地址", "栏目类别", "栏目层级"]), encoding="utf-8")
    import_registry(e, [sites, columns])
    stored = websites(e)
    assert set(stored) == {"5325000001", "bm53250101"}
    assert (stored["5325000001"]["region_code"], stored["bm53250101"]["parent_site_code"]) == ("532500", "5325000001")
    with e.connect() as conn:
        assert conn.execute(select(db.regions.c.code)).scalars().all() == ["532500"]
        assert conn.execute(select(db.site_columns.c.level)).scalar_one() == 5


@pytest.mark.parametrize(("site_code", "region_code"), [("532500000①", "532500"), ("5325000001", "٥٣٢٥٠٠"),
                                                        ("53250000０1²", "532500")])
def test_other_unicode_digits_are_not_code_digits(site_code: str, region_code: str, sqlite_url: str,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "websites.csv"
    path.write_text(table([[site_code, *PORTAL[1:3], region_code, *PORTAL[4:]]]), encoding="utf-8")
    problems = refused(engine(sqlite_url), path)
    assert problems and all("write it with the digits 0-9" in p for p in problems), problems
    assert problems[0].startswith(f"{path}:2: ")
