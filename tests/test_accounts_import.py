"""`govmon import-activity`: both export shapes on both back ends, encodings, JSON, re-import, refusals that name
file, line and field, unknown accounts, and readings that evaluation judges like crawled ones."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor import db
from monitor.accounts_import import ActivityError, add_arguments, import_activity, run
from monitor.checks.account_facts import latest_account_run, load_account_facts
from monitor.checks.rulebook import load_rulebook
from monitor.checks.rules import account_stale, rules_for
from monitor.checks.runner import run_rules
from monitor.checks.scoring import ACCOUNT, PENDING, UNQUALIFIED, verdict
from monitor.items import Account
from monitor.migrate import upgrade
from monitor.platforms import canonical_label
from monitor.registry import import_registry

BOOK = load_rulebook("")
AS_OF = date(2021, 3, 3)
BIZ = "MzA3NjY4NjQ1Mw=="
REGISTRY = f"""platform,account,name,owner_unit,region_code
微信公众号,{BIZ},凤翔农业,凤翔县农业农村局,610322
微博,1001,麟游公安,麟游县公安局,610329
微博,1002,麟游交警,麟游县公安局,610329
抖音,MS4wLjABAAAAxyz,渭南医保,渭南市医疗保障局,610500
今日头条,MS4wLjABAAAAtt1,华阴民政,华阴市民政局,610582
今日头条,MS4wLjABAAAAtt2,华阴民政,华阴市民政局,610582
"""
POSTS = f"""平台,账号ID,账号名称,发布时间,标题,链接,是否原创,阅读数
公众号,{BIZ},凤翔农业,2021-02-10 09:00,春耕备耕,https://mp.weixin.qq.com/s/a,是,120
公众号,{BIZ},凤翔农业,2021/2/1 18:30,农技培训,https://mp.weixin.qq.com/s/b,否,80
新浪微博,,麟游公安,2021年3月2日 10:21,平安麟游,https://weibo.com/1001/x,是,5
新浪微博,,麟游公安,2021-03-03 23:59,夜间巡逻,https://weibo.com/1001/y,是,3
微信,gh_unknown,不在名录,2021-03-01 08:00,其他,https://mp.weixin.qq.com/s/z,是,1
"""
ACCOUNTS = """平台,账号,最近更新时间,账号状态,互动功能,认证主体,可关注,导出时间
抖音,渭南医保,2021-01-20,正常,有,渭南市医疗保障局,是,2021-03-03 09:00
微博,1002,2021-03-01 12:00,需登录,,,,2021-03-03 09:00
微博,1001,,正常,无,麟游县公安局,否,2021-03-03 09:00
"""


def engine_with_registry(url: str, tmp_path: Path):
    engine = db.engine_for(url)
    upgrade(engine)
    (tmp_path / "accounts.csv").write_text(REGISTRY, encoding="utf-8")
    import_registry(engine, [tmp_path / "accounts.csv"])
    return engine


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar()  # type: ignore[return-value]
                     for t in (db.runs, db.account_checks, db.account_posts))


def account_facts(engine, platform: str, account: str, until: date = AS_OF):
    platform = canonical_label(platform)  # as the registry stores it
    with engine.connect() as conn:
        row = conn.execute(select(db.accounts).where(db.accounts.c.platform == platform,
                                                     db.accounts.c.account == account)).one()
        run_id = latest_account_run(conn, platform, account, until, date(2021, 1, 1))
        return load_account_facts(conn, Account.from_row(row._mapping), run_id)


def test_one_row_per_post(db_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(db_url, tmp_path)
    path = write(tmp_path, "posts.csv", POSTS)
    result = import_activity(engine, path, exported_at=datetime(2021, 3, 3, 10, 0))
    assert (result.shape, result.encoding, result.as_of, result.accounts, result.posts) == (
        "posts", "UTF-8 (BOM)", AS_OF, 2, 4)
    assert result.ignored_columns == ["阅读数"]
    assert result.warnings == [f"{path}:6: account: 微信公众号:gh_unknown is not in the registry; row skipped"]
    with engine.connect() as conn:
        runs = conn.execute(select(db.runs)).mappings().all()
    assert [(r["run_id"], r["spider"], r["as_of"], r["status"]) for r in runs] == [
        (result.run_id, "import-activity", AS_OF, "finished")]
    assert result.run_id.startswith("import-") and runs[0]["stats"]["skipped_rows"] == 1

    wechat = account_facts(engine, "微信公众号", BIZ)
    assert wechat.run_id == result.run_id
    check = wechat.check
    assert (check.source, check.outcome, check.url, check.fetched_at, check.post_count) == (
        "import", "ok", f"{path}:2", datetime(2021, 3, 3, 10, 0), 2)
    assert check.interaction is None and check.followable is None and check.verified_subject is None
    assert [(p.post_key, p.published_at, p.time_text, p.time_source, p.position, p.original) for p in wechat.posts] == [
        ("https://mp.weixin.qq.com/s/a", datetime(2021, 2, 10, 9, 0), "2021-02-10 09:00", "export", 0, True),
        ("https://mp.weixin.qq.com/s/b", datetime(2021, 2, 1, 18, 30), "2021/2/1 18:30", "export", 1, False)]
    weibo = account_facts(engine, "微博", "1001")  # matched by its 账号名称: the 账号ID cell was empty
    assert [p.published_at for p in weibo.posts] == [datetime(2021, 3, 3, 23, 59), datetime(2021, 3, 2, 10, 21)]

    # evaluation-ready: the rules judge imported readings like crawled ones
    stale = account_stale.check(wechat, BOOK[account_stale.CODE], AS_OF)[0]
    assert (stale.outcome, stale.evidence["newest"], stale.evidence["time_source"]) == (
        "fail", "2021-02-10 09:00:00", "export")
    assert account_stale.check(weibo, BOOK[account_stale.CODE], AS_OF)[0].outcome == "pass"
    assert verdict(ACCOUNT, run_rules(rules_for("account"), wechat, BOOK, AS_OF), BOOK).result == UNQUALIFIED
    # nothing the export did not say is judged: interaction unknown → 待定, never 合格
    assert verdict(ACCOUNT, run_rules(rules_for("account"), weibo, BOOK, AS_OF), BOOK).result == PENDING
    # a period judged before the export was made does not see it
    assert account_facts(engine, "微信公众号", BIZ, until=date(2021, 3, 2)).check is None


def test_one_row_per_account_in_gbk_with_its_export_time(db_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(db_url, tmp_path)
    path = write(tmp_path, "accounts.csv", ACCOUNTS, "gb18030")
    result = import_activity(engine, path)  # the 导出时间 column: no --exported-at needed
    assert (result.shape, result.encoding, result.as_of, result.accounts, result.posts) == (
        "accounts", "GB18030", AS_OF, 3, 3)
    douyin = account_facts(engine, "抖音", "MS4wLjABAAAAxyz")  # 账号 written as the name
    check = douyin.check
    assert (check.outcome, check.interaction, check.followable, check.verified_subject, check.fetched_at) == (
        "ok", {"export": True}, True, "渭南市医疗保障局", datetime(2021, 3, 3, 9, 0))
    assert [(p.published_at, p.time_text, p.time_source) for p in douyin.posts] == [
        (datetime(2021, 1, 20), "2021-01-20", "export")]
    findings = run_rules(rules_for("account"), douyin, BOOK, AS_OF)
    assert {f.indicator: f.outcome for f in findings} == {
        "account_stale": "fail", "account_interaction": "pass", "account_identity": "inconclusive",
        "account_duplicates": "pass", "account_followable": "pass"}
    login = account_facts(engine, "微博", "1002").check
    assert (login.outcome, login.interaction, login.followable) == ("login", None, None)
    assert verdict(ACCOUNT, run_rules(rules_for("account"), account_facts(engine, "微博", "1002"), BOOK, AS_OF),
                   BOOK).result == PENDING
    unknown_time = account_facts(engine, "微博", "1001")  # an empty 最近更新时间 is unknown, never "not updated"
    stale = account_stale.check(unknown_time, BOOK[account_stale.CODE], AS_OF)[0]
    assert (stale.outcome, stale.reason) == ("inconclusive", "发布时间无法识别")
    interaction = run_rules(rules_for("account"), unknown_time, BOOK, AS_OF)
    assert {f.indicator: f.outcome for f in interaction}["account_interaction"] == "fail"


def test_json_exports_with_english_keys_and_utf16_tab_files(db_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(db_url, tmp_path)
    path = write(tmp_path, "posts.json", f"""[
  {{"platform": "微信公众号", "account": "{BIZ}", "published_at": 1614650460, "title": "t1",
    "url": "https://mp.weixin.qq.com/s/j1", "exported_at": "2021-03-03T10:00"}},
  {{"platform": "微信公众号", "account": "{BIZ}", "published_at": "2021-02-20 08:00", "title": "t2",
    "url": "https://mp.weixin.qq.com/s/j2", "original": false, "exported_at": "2021-03-03T10:00"}}
]""", "utf-8")
    result = import_activity(engine, path)
    assert (result.shape, result.accounts, result.posts) == ("posts", 1, 2)
    facts = account_facts(engine, "微信公众号", BIZ)
    assert [p.published_at for p in facts.posts] == [datetime(2021, 3, 2, 10, 1), datetime(2021, 2, 20, 8, 0)]
    assert facts.posts[1].original is False
    tab = write(tmp_path, "export.txt", "平台\t账号\t最近更新时间\t账号状态\t互动功能\n微博\t1001\t无\t正常\t有\n",
                "utf-16")
    result = import_activity(engine, tab, exported_at=datetime(2021, 3, 4, 23, 59, 59))
    assert (result.shape, result.encoding, result.as_of, result.posts) == ("accounts", "UTF-16 LE", date(2021, 3, 4), 0)
    never = account_facts(engine, "微博", "1001", until=date(2021, 3, 4))  # 无: never published
    assert never.posts == [] and never.check.post_count == 0
    assert account_stale.check(never, BOOK[account_stale.CODE], date(2021, 3, 4))[0].outcome == "fail"


def test_reimport_is_idempotent(db_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(db_url, tmp_path)
    path = write(tmp_path, "posts.csv", POSTS)
    first = import_activity(engine, path, exported_at=datetime(2021, 3, 3, 10, 0))
    before = counts(engine)
    again = import_activity(engine, path, exported_at=datetime(2021, 3, 3, 10, 0))
    assert again.run_id == first.run_id and counts(engine) == before == (1, 2, 4)
    other = write(tmp_path, "posts2.csv", POSTS.replace("春耕备耕", "春耕备耕(更正)"))
    assert import_activity(engine, other, exported_at=datetime(2021, 3, 3, 10, 0)).run_id != first.run_id
    assert counts(engine) == (2, 4, 8)


BAD_POSTS = f"""平台,账号,发布时间,是否原创,导出时间
微信公众号,{BIZ},2021-02-30 09:00,是,2021-03-03
,{BIZ},2021-02-10,是,2021-03-03
微信公众号,,2021-02-10,是,2021-03-03
微信公众号,{BIZ},昨天,也许,2021-03-03
微信公众号,{BIZ},,是,明天
"""


def test_every_problem_names_file_line_and_field_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(db_url, tmp_path)
    path = write(tmp_path, "bad.csv", BAD_POSTS)
    with pytest.raises(ActivityError) as err:
        import_activity(engine, path)
    assert err.value.problems == [
        f"{path}:2: published_at: '2021-02-30 09:00' is not a date or time (2021-03-03 10:00, 2021年3月3日, Unix seconds)",
        f"{path}:3: platform: missing",
        f"{path}:4: account: missing (账号 or 账号名称)",
        f"{path}:5: published_at: '昨天' is not a date or time (2021-03-03 10:00, 2021年3月3日, Unix seconds)",
        f"{path}:5: original: '也许' is not 是/否 (原创/转载)",
        f"{path}:6: exported_at: '明天' is not a date or time (2021-03-03 or 2021-03-03 10:00)",
        f"{path}:6: published_at: missing"]
    assert counts(engine) == (0, 0, 0)
    bad_accounts = write(tmp_path, "bad_accounts.csv", "平台,账号,最近更新时间,账号状态,互动功能,可关注\n"
                                                       "微博,1001,2021-03-01,休眠,也许,可能\n"
                                                       "微博,1002,2021-03-01,正常,有,是\n"
                                                       "微博,1002,2021-03-02,正常,有,是\n")
    with pytest.raises(ActivityError) as err:
        import_activity(engine, bad_accounts, exported_at=datetime(2021, 3, 3, 10, 0))
    assert err.value.problems == [
        f"{bad_accounts}:2: status: '休眠' is not a status: 正常 / 无法访问 / 已注销 / 需登录 / 不存在 / 验证码",
        f"{bad_accounts}:2: interaction: '也许' is not 有/无 (是/否)",
        f"{bad_accounts}:2: followable: '可能' is not 有/无 (是/否)",
        f"{bad_accounts}:4: account: duplicate of line 3 (微博:1002)"]
    conflict = write(tmp_path, "conflict.csv", f"平台,账号,发布时间,认证主体\n微信公众号,{BIZ},2021-03-01,凤翔县农业农村局\n"
                                               f"微信公众号,{BIZ},2021-03-02,凤翔县农业局\n")
    with pytest.raises(ActivityError) as err:
        import_activity(engine, conflict, exported_at=datetime(2021, 3, 3, 10, 0))
    assert err.value.problems == [f"{conflict}:3: verified_subject: '凤翔县农业局' differs from line 2 "
                                  "('凤翔县农业农村局') for the same account"]
    assert counts(engine) == (0, 0, 0)


def test_files_that_cannot_be_read_are_refused_naming_them(tmp_path: Path, sqlite_url: str) -> None:
    engine = engine_with_registry(sqlite_url, tmp_path)
    no_time = write(tmp_path, "no_time.csv", f"平台,账号,发布时间\n微信公众号,{BIZ},2021-03-01\n")
    with pytest.raises(ActivityError, match="no export time: add a 导出时间"):
        import_activity(engine, no_time)
    assert import_activity(engine, no_time, exported_at=datetime(2021, 3, 3, 23, 59, 59)).accounts == 1
    shapes = write(tmp_path, "other.csv", "平台,账号,阅读数\n微博,1001,5\n")
    with pytest.raises(ActivityError, match=r"other.csv:1: header .* is neither one row per post"):
        import_activity(engine, shapes)
    no_platform = write(tmp_path, "no_platform.csv", "账号,发布时间\n1001,2021-03-01\n")
    with pytest.raises(ActivityError, match=r"no_platform.csv:1: platform: missing column"):
        import_activity(engine, no_platform)
    json_bad = write(tmp_path, "bad.json", '[\n  {"platform": "微博"},\n  3\n]', "utf-8")
    with pytest.raises(ActivityError, match=r"bad.json:3: every entry must be an object"):
        import_activity(engine, json_bad)
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\xff\xfe\xfa" * 10 + b"\x81")
    with pytest.raises(ActivityError, match="x.csv"):
        import_activity(engine, binary)
    unknown = write(tmp_path, "unknown.csv", "平台,账号,发布时间\n微信公众号,gh_x,2021-03-01\n")
    with pytest.raises(ActivityError) as err:
        import_activity(engine, unknown, exported_at=datetime(2021, 3, 3))
    assert err.value.problems == [f"{unknown}: no row names an account of the registry; nothing to import",
                                  f"{unknown}:2: account: 微信公众号:gh_x is not in the registry; row skipped"]


def test_a_name_two_registry_accounts_share_is_skipped_with_a_warning(sqlite_url: str, tmp_path: Path) -> None:
    engine = engine_with_registry(sqlite_url, tmp_path)
    path = write(tmp_path, "tt.csv", "平台,账号名称,最近更新时间\n头条号,华阴民政,2021-03-01\n抖音,渭南医保,2021-03-01\n")
    result = import_activity(engine, path, exported_at=datetime(2021, 3, 3, 10, 0))
    assert result.accounts == 1
    assert result.warnings == [f"{path}:2: account: '华阴民政' names 2 accounts of 今日头条 in the registry; give the "
                               "账号ID; row skipped"]


def test_command(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine_with_registry(sqlite_url, tmp_path)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    path = write(tmp_path, "posts.csv", POSTS)
    assert run(parser.parse_args([str(path), "--database", sqlite_url])) == 1
    assert "no export time" in capsys.readouterr().err
    args = parser.parse_args([str(path), "--exported-at", "2021-03-03T10:00", "--database", sqlite_url])
    assert args.exported_at == datetime(2021, 3, 3, 10, 0)
    assert parser.parse_args([str(path), "--exported-at", "2021-03-03"]).exported_at == datetime(2021, 3, 3, 23, 59, 59)
    assert run(args) == 0
    out = capsys.readouterr()
    assert "2 accounts, 4 posts" in out.out and "one row per post" in out.out
    assert "warning:" in out.err and "gh_unknown" in out.err
    with pytest.raises(SystemExit):
        parser.parse_args([str(path), "--exported-at", "March"])


def test_evaluate_judges_imported_accounts(db_url: str, tmp_path: Path) -> None:
    """The whole way: import an export, `evaluate` the quarter, read the verdicts it stored per account."""
    from monitor.evaluate import evaluate

    engine = engine_with_registry(db_url, tmp_path)
    import_activity(engine, write(tmp_path, "accounts.csv", ACCOUNTS, "gb18030"))
    summary = evaluate(engine, "2021Q1", datetime(2021, 3, 3, 18, 0), book=BOOK, not_monitored=())
    with engine.connect() as conn:
        rows = conn.execute(select(db.verdicts).where(db.verdicts.c.target_kind == "account")).mappings().all()
    results = {r["target_id"]: r["result"] for r in rows}
    assert results[f"{canonical_label('抖音')}:MS4wLjABAAAAxyz"] == UNQUALIFIED  # newest post 2021-01-20
    assert results["微博:1002"] == PENDING  # 需登录: not readable
    assert results["微博:1001"] == UNQUALIFIED  # 互动功能 无 (its freshness is unknown, but a veto failed)
    assert results[f"微信公众号:{BIZ}"] == PENDING  # not in this export: 无监测数据
    assert summary.accounts is not None and f"微信公众号:{BIZ}" in summary.accounts.no_data
