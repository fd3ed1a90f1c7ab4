"""The GB/T 2260 table and finding regions in service-guide addresses (办事指南 受理地点 outside the site's region)."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path

import pytest

from monitor.regions import find_regions, name, outside, parents

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
LUEYANG, HANZHONG, XIANYANG, QINDU = "610727", "610700", "610400", "610402"


# -- the case of the 陕西 2020Q1 notice ---------------------------------------------------------------------------
def test_lueyang_guide_with_a_xianyang_address_is_outside() -> None:
    address = "咸阳市秦都区人民路1号"
    assert find_regions(address) == [XIANYANG, QINDU]
    assert outside(address, LUEYANG) == [XIANYANG, QINDU]
    assert [name(code) for code in outside(address, LUEYANG)] == ["咸阳市", "秦都区"]


def test_the_notice_sentence_itself() -> None:
    seed = SEEDS / "004_c6299dee284f80ad.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is not there")
    text = seed.read_text(encoding="utf-8")
    sentence = re.search(r"'略阳县人民政府'网提供的一些办事指南受理地点显示为'([^']+)'地址", text)
    assert sentence is not None
    assert outside(sentence.group(1), LUEYANG) == [XIANYANG, QINDU]


@pytest.mark.parametrize("address", [
    "略阳县政务服务中心（略阳县兴州街道江南大道）",
    "陕西省汉中市略阳县兴州街道",
    "汉中市略阳县",
    "陕西省政务服务中心",          # the province above the county
    "汉中市行政审批服务局",          # the city above the county
    "政务服务中心一楼3号窗口",       # names no region at all
    "",
])
def test_addresses_of_the_county_or_above_are_not_outside(address: str) -> None:
    assert outside(address, LUEYANG) == []


def test_city_guide_naming_its_own_county_is_not_outside() -> None:
    assert outside("汉中市略阳县兴州街道", HANZHONG) == []
    assert outside("略阳县政务服务中心", HANZHONG) == []
    assert outside("咸阳市秦都区人民路1号", XIANYANG) == []
    # …but a county of another city is.
    assert outside("西安市未央区凤城八路", HANZHONG) == ["610100", "610112"]


def test_outside_the_province() -> None:
    assert outside("四川省成都市武侯区", LUEYANG) == ["510000", "510100", "510107"]


# -- names held by several regions --------------------------------------------------------------------------------
def test_ambiguous_county_name_resolved_by_the_city_or_province() -> None:
    assert find_regions("朝阳区建国路") == ["110105", "220104"]  # 北京 and 长春: both candidates
    assert find_regions("北京市朝阳区") == ["110000", "110105"]
    assert find_regions("长春市朝阳区") == ["220100", "220104"]
    assert find_regions("吉林省长春市朝阳区") == ["220000", "220100", "220104"]
    assert find_regions("石家庄市桥西区") == ["130100", "130104"]
    assert set(find_regions("桥西区")) >= {"130104", "130703"}


def test_ambiguous_name_is_outside_only_when_no_reading_is_inside() -> None:
    assert outside("朝阳区人民政府", "110000") == []  # could be 北京's
    assert outside("朝阳区人民政府", "220100") == []  # could be 长春's
    assert outside("朝阳区人民政府", LUEYANG) == ["110105", "220104"]
    assert outside("长春市朝阳区", "110000") == ["220100", "220104"]  # settled by 长春: not 北京's


def test_ambiguous_short_form() -> None:
    assert find_regions("海南") == ["460000", "632500"]  # the province, or 青海's 海南州
    assert find_regions("青海省海南州共和县") == ["630000", "632500", "632521"]
    assert find_regions("吉林省吉林市") == ["220000", "220200"]


# -- short forms and what they are not ----------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "codes"), [
    ("咸阳秦都区", [XIANYANG, QINDU]),
    ("陕西咸阳", ["610000", XIANYANG]),
    ("红河州蒙自市", ["532500", "532503"]),
    ("红河哈尼族彝族自治州", ["532500"]),
    ("石柱县南宾街道", ["500240"]),
    ("重庆市石柱土家族自治县", ["500000", "500240"]),
    ("内蒙古呼和浩特", ["150000", "150100"]),
    ("新疆乌鲁木齐", ["650000", "650100"]),
    ("广西南宁市", ["450000", "450100"]),
    ("宁夏回族自治区银川市", ["640000", "640100"]),
    ("鄂伦春旗", ["150723"]),
    ("大兴安岭地区", ["232700"]),
])
def test_full_names_and_short_forms(text: str, codes: list[str]) -> None:
    assert find_regions(text) == codes


@pytest.mark.parametrize("text", [
    "中山路1号", "北京东路88号", "延安大学", "南京西路", "秦都", "老城区中心", "位于市中区", "城区",
])
def test_streets_words_and_bare_county_roots_name_no_region(text: str) -> None:
    assert find_regions(text) == []


def test_generic_district_counts_with_its_city() -> None:
    assert find_regions("阳泉市城区") == ["140300", "140302"]
    assert outside("阳泉市城区", LUEYANG) == ["140300", "140302"]


def test_former_names() -> None:
    assert find_regions("凤翔县政务大厅") == ["610322"] and name("610322") == "凤翔县"
    assert outside("凤翔县政务大厅", "610300") == []  # still 宝鸡's
    assert outside("凤翔县政务大厅", LUEYANG) == ["610322"]
    # 莱芜市 went to 济南 in 2019: for 济南 it is no longer outside, for 淄博 it is.
    assert outside("莱芜市莱城区", "370100") == []
    assert outside("莱芜市莱城区", "370300") == ["371200", "371202"]
    assert name("130502") == "襄都区"  # the code's current name, not 桥东区
    assert "130502" in find_regions("邢台市桥东区")


# -- lookups ------------------------------------------------------------------------------------------------------
def test_lookups() -> None:
    assert name(LUEYANG) == "略阳县"
    assert name("610727000000") == "略阳县"
    assert name("61") == "陕西省" and name("6107") == "汉中市"
    assert name("999999") is None and name("abc") is None and name("") is None
    assert parents(LUEYANG) == ["610000", HANZHONG]
    assert parents(HANZHONG) == ["610000"]
    assert parents("610000") == []
    assert parents("469001") == ["460000"]  # 五指山市, directly under the province
    assert parents("500229") == ["500000"]
    assert parents("999999") == []


def test_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="999999"):
        outside("咸阳市", "999999")


def test_table_is_package_data_and_whole() -> None:
    raw = resources.files("monitor.regions").joinpath("gb2260.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    current = {row["code"]: row["name"] for row in rows if not row["former"]}
    assert all(re.fullmatch(r"\d{6}", row["code"]) for row in rows)
    assert len({code for code in current if code.endswith("0000")}) == 34
    assert len(current) > 3000
    for code in current:  # every current division hangs under a current province
        assert code[:2] + "0000" in current, code
    for row in rows:
        for successor in row["successors"].split():
            assert successor in current, row
