"""Generated regions for benchmarks: many sites, many pages, realistic names and codes, deterministic.

Names, region codes and domains are borrowed, at generation time, from the list of 2019 government portals in
/work/shared/corpus (govwebcrawler__gov_urls_leader-mailbox_2019.csv) when it is present; otherwise from a built-in
list of 云南 counties. The same (n_sites, pages_per_site, seed) and the same source always give the same region.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from monitor.simweb.scenario import PROVINCE_ABBR, Column, Defects, Scenario, Site

PORTAL_LIST = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "govwebcrawler__gov_urls_leader-mailbox_2019.csv"
COUNTIES = ("个旧", "开远", "蒙自", "弥勒", "屏边", "建水", "石屏", "泸西", "元阳", "红河", "金平", "绿春", "河口",
            "文山", "砚山", "西畴", "麻栗坡", "马关", "丘北", "广南", "富宁", "楚雄", "双柏", "牟定", "南华", "姚安")
COLUMN_SET = (("工作动态", "dynamic"), ("通知公告", "notice"), ("政策文件", "policy"), ("人事信息", "personnel"),
              ("规划计划", "plan"), ("部门动态", "dynamic"), ("乡镇动态", "dynamic"), ("政策解读", "policy"))


def _real_places() -> list[tuple[str, str, str]]:
    """(region code, place name, host) of city and county portals with a .gov.cn domain, in file order."""
    if not PORTAL_LIST.is_file():
        return []
    places, seen_codes, seen_hosts = [], set(), set()
    with PORTAL_LIST.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, names = (row.get("gov_code") or "").strip(), (row.get("gov_name") or "").split("|")
            host = (urlsplit((row.get("index_url") or "").strip()).hostname or "").lower()
            if not (len(code) == 6 and code.isdigit() and code[:2] in PROVINCE_ABBR and not code.endswith("0000")):
                continue
            if not host.endswith(".gov.cn") or code in seen_codes or host in seen_hosts or not names[-1]:
                continue
            seen_codes.add(code)
            seen_hosts.add(host)
            places.append((code, names[-1].strip(), host))
    return places


def _fallback_places(n: int) -> list[tuple[str, str, str]]:
    return [(f"53{(k // 90) % 90 + 10:02d}{k % 90 + 10:02d}",
             COUNTIES[k % len(COUNTIES)] + ("县" if k < len(COUNTIES) else f"{k // len(COUNTIES)}县"),
             f"www.county{k}.gov.cn") for k in range(n)]


def generate_region(n_sites: int, pages_per_site: int, seed: int = 1, as_of: date = date(2021, 3, 3),
                    columns: int = len(COLUMN_SET)) -> Scenario:
    """n_sites portals, each with about pages_per_site pages (homepage, list pages and articles) in `columns`
    columns, all fresh and correct: a clean region whose crawl cost is what a benchmark measures."""
    rng = random.Random(seed)
    real = _real_places()
    places = rng.sample(real, n_sites) if len(real) >= n_sites else _fallback_places(n_sites)
    column_set = COLUMN_SET[:max(1, columns)]
    per_column = max(1, (pages_per_site - 1) // len(column_set) - 1)  # articles, plus about one list page each
    sites = []
    for n, (region, place, host) in enumerate(places):
        level = "city" if region.endswith("00") else "county"
        columns = [Column(col, f"c{k}", cat, sorted(rng.sample(range(1, 3 * per_column + 30), per_column)))
                   for k, (col, cat) in enumerate(column_set)]
        abbr = PROVINCE_ABBR.get(region[:2], "滇")
        name = place if place.endswith("人民政府") else f"{place}人民政府"
        sites.append(Site(
            site_code=f"{region}{n + 1:04d}", name=name, host=host, region_code=region, region_name=place,
            level=level, kind="portal", sponsor=f"{name}办公室", template=("trs", "table", "portal")[n % 3],
            encoding="gbk" if n % 3 == 1 else "utf-8", registry_columns=False, columns=columns, defects=Defects(),
            icp=f"{abbr}ICP备{10000000 + rng.randrange(10**7):08d}号", police=f"{abbr}公网安备{region}02{n:06d}号",
            meta_charset=n % 3 != 1, footer_mode="footer_js" if n % 3 == 1 else "static"))
    return Scenario(name=f"generated-{n_sites}x{pages_per_site}-s{seed}", as_of=as_of, sites=sites)


def page_count(scenario: Scenario) -> int:
    """Pages a full crawl of the scenario fetches: homepages, list pages (index.html… or list.json) and articles."""
    from monitor.simweb.templates import PAGE_SIZE

    total = 0
    for site in scenario.sites:
        total += 1
        for column in site.columns:
            n = len(column.days_ago)
            total += n + (2 if site.template == "portal" else max(1, -(-n // PAGE_SIZE)))
    return total
