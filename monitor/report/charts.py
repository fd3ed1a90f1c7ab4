"""Charts (PNG) with a CJK font, so region names are not boxes: rates per region, and their trend by quarter."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from monitor.report.files import atomic  # noqa: E402

# Debian's fonts-wqy-microhei (installed by scripts/setup.sh), then Noto CJK if present.
CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


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
    use_cjk_font()
    rows = table[table["period"] == period].sort_values("rate")
    fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(rows) + 1)))
    ax.barh(rows["region_name"], rows["rate"].fillna(0) * 100, color="#c0392b")
    # Each bar says what its rate is over: judged sites; 待定 ones are named apart, and a region with none judged
    # shows "—" instead of a bar.
    for y, r in enumerate(rows.itertuples()):
        label = "—" if pd.isna(r.rate) else f"{r.rate:.2%}"
        label += f" ({r.qualified}/{r.judged}" + (f", 待定{r.pending})" if r.pending else ")")
        ax.text((0 if pd.isna(r.rate) else r.rate * 100) + 0.5, y, label, va="center", fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("合格率 (%)")
    ax.set_title(title)
    return _save(fig, path)


def _save(fig: Figure, path: Path) -> Path:
    """Lay out, write (whole or not at all) and free a chart."""
    fig.tight_layout()
    try:
        with atomic(path) as tmp:
            fig.savefig(tmp, dpi=120)
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
