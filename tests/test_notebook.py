"""The analyst notebook runs against the database setting and reproduces the rates and charts (so it cannot rot).

The kernel is the `python3` kernelspec that ipykernel ships inside the venv: jupyter_client starts it with the
running interpreter, so nothing is registered globally and nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from monitor.report.rates import rates, totals
from tests.report_data import seed_region

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quarterly_rates.ipynb"


def test_notebook_reproduces_the_rates(db_url: str, tmp_path: Path, monkeypatch) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.connect() as conn:
        zhou = totals(rates(conn, "2021Q1")).set_index("region_code").loc["532500"]
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVMON_PERIOD", "2021Q1")
    monkeypatch.setenv("GOVMON_NOTEBOOK_OUT", str(tmp_path / "nb"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    assert f"红河哈尼族彝族自治州: 检查{zhou.checked}个, 不合格{zhou.failed}个, 合格率{zhou.rate:.2%}" in outputs
    assert "红河哈尼族彝族自治州: 检查14个, 不合格3个, 合格率78.57%" in outputs
    tables = "".join(o.get("data", {}).get("text/plain", "") for cell in nb.cells if cell.cell_type == "code"
                     for o in cell.outputs)
    assert "78.57%" in tables and "个旧市" in tables
    for name in ("合格率_2021Q1.png", "合格率趋势_2021Q1.png"):
        assert (tmp_path / "nb" / name).read_bytes().startswith(b"\x89PNG")
