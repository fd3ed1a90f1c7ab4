"""账号名称或认证主体不规范 (new media): folding of spellings and decorations, owners with other names, pre-reform
subjects (陕西 2020 Q1: 凤翔县农业局), other mismatches, and nothing shown → 待定."""

from __future__ import annotations

from dataclasses import replace

import pytest

from monitor.checks.model import FAIL, INCONCLUSIVE, PASS
from monitor.checks.rules import account_identity
from monitor.platforms.base import UNREADABLE
from tests.account_facts import AS_OF, BOOK, facts, reading, whole

GEJIU = "个旧市财政局(个旧市国有资产监督管理局、个旧市人民政府金融办公室)"


def judge(display_name="凤翔农业", verified_subject="凤翔县农业农村局", book=BOOK, outcome="ok", **account_fields):
    check = reading(outcome, display_name=display_name, verified_subject=verified_subject)
    return whole(account_identity.check(facts(check=check, **account_fields), book[account_identity.CODE], AS_OF))


def test_the_registry_name_and_unit_shown_pass() -> None:
    f = judge()
    assert (f.outcome, f.observed) == (PASS, "账号名称与认证主体一致")


@pytest.mark.parametrize(("display_name", "subject"), [
    (" 凤翔 农业 ", "凤翔县农业农村局"),  # spaces
    ("凤翔农业", "认证：凤翔县农业农村局官方账号"),  # decorations as platforms print them
    ("“凤翔农业”", "凤翔县农业农村局 官方微博"),
    ("ＦＸ凤翔农业", "凤翔县农业农村局"),  # full width, case
])
def test_spellings_that_are_the_same_name(display_name: str, subject: str) -> None:
    name = "fx凤翔农业" if "ＦＸ" in display_name else "凤翔农业"
    assert judge(display_name, subject, name=name).outcome == PASS


def test_autonomous_area_names_fold_to_their_short_form() -> None:
    f = judge("红河发布", "红河哈尼族彝族自治州人民政府办公室", name="红河发布", owner_unit="红河州人民政府办公室")
    assert f.outcome == PASS


@pytest.mark.parametrize("subject", ["个旧市财政局", "个旧市国有资产监督管理局", "个旧市人民政府金融办公室",
                                     "个旧市财政局（个旧市国有资产监督管理局）"])
def test_an_owner_with_other_names_matches_any_of_them(subject: str) -> None:
    assert judge("个旧财政", subject, name="个旧财政", owner_unit=GEJIU).outcome == PASS


def test_a_subject_with_the_pre_reform_name_fails_naming_it() -> None:
    f = judge("凤翔农业", "凤翔县农业局")
    assert (f.outcome, f.reason) == (FAIL, '账号主体仍为机构改革前名称"凤翔县农业局"')
    assert f.evidence["problems"] == ["认证主体“凤翔县农业局”为开设单位“凤翔县农业农村局”机构改革前的名称"]


@pytest.mark.parametrize(("owner", "old"), [
    ("河口县文化和旅游局", "河口县旅游局"), ("河口县文化和旅游局", "河口县文化广电新闻出版局"),
    ("蒙自市自然资源局", "蒙自市国土资源局"), ("蒙自市生态环境局", "蒙自市环境保护局"),
    ("弥勒市卫生健康局", "弥勒市卫生和计划生育局"), ("石屏县应急管理局", "石屏县安全生产监督管理局"),
    ("元阳县市场监督管理局", "元阳县食品药品监督管理局"), ("元阳县市场监督管理局", "元阳县工商行政管理局")])
def test_pre_reform_names_of_the_2018_reform(owner: str, old: str) -> None:
    f = judge("账号", old, name="账号", owner_unit=owner)
    assert (f.outcome, f.reason) == (FAIL, f'账号主体仍为机构改革前名称"{old}"')


def test_an_old_ending_of_another_place_is_a_plain_mismatch() -> None:
    f = judge("凤翔农业", "岐山县农业局")
    assert (f.outcome, f.reason) == (FAIL, "账号名称或认证主体与开设单位不一致")
    assert f.evidence["problems"] == ["认证主体“岐山县农业局”与开设单位“凤翔县农业农村局”不一致"]


def test_the_renames_follow_the_rulebook() -> None:
    book = replace(BOOK, indicators={**BOOK.indicators, account_identity.CODE: replace(
        BOOK[account_identity.CODE], params={**BOOK[account_identity.CODE].params, "reform_renames": []})})
    assert judge("凤翔农业", "凤翔县农业局", book=book).reason == "账号名称或认证主体与开设单位不一致"


def test_a_different_display_name_fails() -> None:
    f = judge("凤翔三农", "凤翔县农业农村局")
    assert (f.outcome, f.reason) == (FAIL, "账号名称或认证主体与开设单位不一致")
    assert f.observed == "账号名称“凤翔三农”与备案名称“凤翔农业”不一致"
    both = judge("凤翔三农", "凤翔县农业局")
    assert both.reason == '账号主体仍为机构改革前名称"凤翔县农业局";账号名称或认证主体与开设单位不一致'
    assert len(both.evidence["problems"]) == 2


def test_nothing_shown_is_inconclusive_never_a_fail() -> None:
    f = judge(None, None)
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "未能读取账号名称和认证主体")
    f = judge("凤翔农业", None)  # the name matches, the subject was not shown: only what was compared can pass
    assert (f.outcome, f.reason) == (INCONCLUSIVE, "未能读取认证主体")
    assert judge(None, "凤翔县农业农村局").reason == "未能读取账号名称"
    assert judge(None, "凤翔县农业局").outcome == FAIL  # what was shown is wrong, whatever was not shown


@pytest.mark.parametrize("outcome", sorted(UNREADABLE))
def test_an_unreadable_account_is_inconclusive(outcome: str) -> None:
    f = judge("别的名字", "别的单位", outcome=outcome)
    assert (f.outcome, f.reason) == (INCONCLUSIVE, UNREADABLE[outcome])


def test_no_reading_is_left_to_evaluation() -> None:
    assert account_identity.check(facts(no_reading=True), BOOK[account_identity.CODE], AS_OF) == []
