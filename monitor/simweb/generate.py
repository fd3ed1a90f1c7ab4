"""Generated regions for benchmarks: many sites, many pages, realistic names and codes, deterministic."""

from __future__ import annotations

import random
from datetime import date

from monitor.simweb.scenario import Column, Defects, Scenario, Site

COUNTIES = ("个旧", "开远", "蒙自", "弥勒", "屏边", "建水", "石屏", "泸西", "元阳", "红河", "金平", "绿春", "河口",
            "文山", "砚山", "西畴", "麻栗坡", "马关", "丘北", "广南", "富宁", "楚雄", "双柏", "牟定", "南华", "姚安")
COLUMN_SET = (("工作动态", "dynamic"), ("通知公告", "notice"), ("政策文件", "policy"), ("人事信息", "personnel"),
              ("规划计划", "plan"), ("部门动态", "dynamic"), ("乡镇动态", "dynamic"), ("政策解读", "policy"))


def generate_region(n_sites: int, pages_per_site: int, seed: int = 1, as_of: date = date(2021, 3, 3)) -> Scenario:
    """n_sites county portals, each with about pages_per_site pages (homepage, list pages and articles)."""
    rng = random.Random(seed)
    sites = []
    for n in range(n_sites):
        name = COUNTIES[n % len(COUNTIES)] + ("" if n < len(COUNTIES) else str(n // len(COUNTIES)))
        region = f"5325{(n % 90) + 10:02d}"
        per_column = max(1, (pages_per_site - 1) // len(COLUMN_SET) - 1)  # articles, plus one list page each
        columns = [Column(col, f"c{k}", cat, sorted(rng.sample(range(1, 3 * per_column + 30), per_column)))
                   for k, (col, cat) in enumerate(COLUMN_SET)]
        sites.append(Site(
            site_code=f"{region}{n:04d}", name=f"{name}县人民政府", host=f"www.county{n}.gov.cn",
            region_code=region, region_name=f"{name}县", level="county", kind="portal",
            sponsor=f"{name}县人民政府办公室", template=("trs", "table", "portal")[n % 3],
            encoding="gbk" if n % 3 == 1 else "utf-8", registry_columns=False, columns=columns, defects=Defects(),
            icp=f"滇ICP备{10000000 + n:08d}号", police=f"滇公网安备{region}02{n:06d}号"))
    return Scenario(name=f"generated-{n_sites}x{pages_per_site}", as_of=as_of, sites=sites)
