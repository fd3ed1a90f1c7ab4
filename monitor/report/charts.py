"""Charts (PNG) with a CJK font, so region names are not boxes: rates at every level under a region (its own
portal and departments, and each region below it), and their trend by quarter where there are two quarters to draw.
Labels stay inside the plot area and figures are saved tight, so no name or number is cut off."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from monitor.registry import parent_region  # noqa: E402
from monitor.report.files import atomic  # noqa: E402
from monitor.report.notice import KINDS, LEVELS  # noqa: E402
from monitor.report.rates import ALL, region_level  # noqa: E402

# Debian's fonts-wqy-microhei (installed by scripts/setup.sh), then Noto CJK if present.
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LABEL_ROOM = 45  # a bar longer than this (in %) holds its label inside; a shorter one has it just to its right


def use_cjk_font() -> str:
    for path in CJK_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
            plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    warnings.warn("no CJK font found (install fonts-wqy-microhei): Chinese labels will show as boxes", stacklevel=2)
    return "DejaVu Sans"


def rate_by_region(table: pd.DataFrame, period: str, path: Path, title: str) -> Path:
    """One bar per row of `table` (rates rows of one level each), named by its region."""
    rows = table[table["period"] == period]
    return rate_bars(rows.assign(label=rows["region_name"]), path, title)


def level_rows(table: pd.DataFrame, period: str, region: str) -> pd.DataFrame:
    """The websites of every level under a region, one row each: the region's own sites by kind (市级政府门户网站,
    市级部门网站 — the city-level departments), then each region one level down (its counties) with all its sites."""
    sites = table[(table["period"] == period) & (table["target_kind"] == "website")]
    own = sites[(sites["region_code"] == region) & (sites["level"] == region_level(region))
                & (sites["kind"] != ALL)] if region else sites.iloc[:0]
    own = own.assign(label=[f"{LEVELS.get(r.level, r.level)}{KINDS.get(r.kind, r.kind)}" for r in own.itertuples()])
    below = sites[(sites["level"] == ALL) & (sites["kind"] == ALL)
                  & sites["region_code"].map(lambda c: parent_region(c) == (region or None))]
    return pd.concat([own.sort_values("kind", ascending=False), below.sort_values("region_code")
                      .assign(label=below["region_name"])], ignore_index=True)


def rate_bars(rows: pd.DataFrame, path: Path, title: str) -> Path:
    """Horizontal bars of 合格率, top to bottom in the rows' order, each labelled inside the plot area with its rate
    over judged targets (待定 ones named apart; "—" and no bar where nothing was judged)."""
    use_cjk_font()
    rows = rows.iloc[::-1]  # barh draws the first row at the bottom
    fig, ax = plt.subplots(figsize=(9, max(3, 0.4 * len(rows) + 1.2)))
    values = rows["rate"].astype(float).fillna(0) * 100
    ax.barh(range(len(rows)), values, color="#c0392b")
    ax.set_yticks(range(len(rows)), rows["label"].tolist())
    for y, (value, r) in enumerate(zip(values, rows.itertuples(), strict=True)):
        label = "—" if pd.isna(r.rate) else f"{r.rate:.2%}"
        label += f" ({r.qualified}/{r.judged}" + (f", 待定{r.pending})" if r.pending else ")")
        # Inside the bar when there is room (a long bar), else just right of it: never past the axis.
        inside = value > LABEL_ROOM
        ax.text(value - 1 if inside else value + 1, y, label, va="center", ha="right" if inside else "left",
                fontsize=8, color="white" if inside else "black", clip_on=True)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("合格率 (%)")
    ax.set_title(title)
    return _save(fig, path)


def _save(fig: Figure, path: Path) -> Path:
    """Lay out, write (whole or not at all) and free a chart."""
    fig.tight_layout()
    try:
        with atomic(path) as tmp:
            fig.savefig(tmp, dpi=120, bbox_inches="tight")  # long region names and the legend are never cut off
    finally:
        plt.close(fig)
    return path


def trend(history: pd.DataFrame, path: Path, title: str, highlight: str | None = None) -> Path:
    """One line per region across quarters; the `highlight` region (the report's own) drawn thick and black."""
    use_cjk_font()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    colours = plt.get_cmap("tab20").colors  # 20 distinct colours: a city's counties rarely exceed that
    for n, (code, rows) in enumerate(history.sort_values("period").groupby("region_code", sort=True)):
        own = code == highlight
        ax.plot(rows["period"], rows["rate"] * 100, marker="o", label=rows["region_name"].iloc[0],
                color="black" if own else colours[n % len(colours)], linewidth=2.5 if own else 1.2,
                zorder=3 if own else 2)
    ax.set_ylabel("合格率 (%)")
    ax.set_ylim(0, 105)
    ax.set_title(title)
    if history["region_code"].nunique() <= 30:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return _save(fig, path)


def quarters_with_data(history: pd.DataFrame) -> list[str]:
    """The quarters in which something was judged (a quarter of only 待定 verdicts has no rate to draw)."""
    if history.empty or "judged" not in history:  # no verdicts in any quarter
        return []
    return sorted(history.loc[history["judged"] > 0, "period"].unique())


def write_charts(table: pd.DataFrame, history: pd.DataFrame, period: str, region: str, out: Path) -> list[Path]:
    """The report's charts: website 合格率 at every level under the region, and its trend with the regions one level
    down — the trend only where at least two quarters have data (one point is no trend)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    bars = level_rows(table, period, region)
    if not bars.empty:
        written.append(rate_bars(bars, out / f"合格率_{period}.png", f"{period} 政府网站合格率(按层级和地区)"))
    sites = history[(history["target_kind"] == "website") & (history["level"] == ALL) & (history["kind"] == ALL)]
    sites = sites[sites["region_code"].map(lambda c: c == region or parent_region(c) == (region or None))]
    if len(quarters_with_data(sites)) >= 2:
        written.append(trend(sites, out / f"合格率趋势_{period}.png", "政府网站合格率趋势", region))
    return written
