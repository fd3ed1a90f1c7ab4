"""The analyst notebook runs against the database setting and reproduces the rates and charts (so it cannot rot).

The kernel is the `python3` kernelspec that ipykernel ships inside the venv: jupyter_client starts it with the
running interpreter, so nothing is registered globally and nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from monitor.report.rates import rates, totals
from tests.report_data import seed_region

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quarterly_rates.ipynb"


def execute() -> nbformat.NotebookNode:
    """Run the notebook as an analyst opens it: from notebooks/."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    return nb


def test_notebook_reproduces_the_rates(db_url: str, tmp_path: Path, monkeypatch) -> None:
    engine, _ = seed_region(db_url, tmp_path)
    with engine.connect() as conn:
        zhou = totals(rates(conn, "2021Q1")).set_index("region_code").loc["532500"]
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVMON_PERIOD", "2021Q1")
    monkeypatch.setenv("GOVMON_NOTEBOOK_OUT", str(tmp_path / "nb"))
    nb = execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    assert f"红河哈尼族彝族自治州: 检查{zhou.checked}个, 不合格{zhou.failed}个, 合格率{zhou.rate:.2%}" in outputs
    assert "红河哈尼族彝族自治州: 检查14个, 不合格3个, 合格率78.57%" in outputs
    tables = "".join(o.get("data", {}).get("text/plain", "") for cell in nb.cells if cell.cell_type == "code"
                     for o in cell.outputs)
    assert "78.57%" in tables and "个旧市" in tables
    for name in ("合格率_2021Q1.png", "合格率趋势_2021Q1.png"):
        assert (tmp_path / "nb" / name).read_bytes().startswith(b"\x89PNG")


def test_notebook_says_when_there_is_nothing_to_show(tmp_path: Path, monkeypatch) -> None:
    """A database file that does not exist is named, never created empty; a quarter without verdicts is said."""
    missing = tmp_path / "nowhere.sqlite"
    monkeypatch.setenv("MONITOR_DATABASE_URL", str(missing))
    monkeypatch.setenv("GOVMON_NOTEBOOK_OUT", str(tmp_path / "nb"))
    with pytest.raises(CellExecutionError, match="数据库文件不存在"):
        execute()
    assert not missing.exists()
    seed_region(f"sqlite:///{missing}", tmp_path)[0].dispose()
    monkeypatch.setenv("GOVMON_PERIOD", "2022Q1")
    with pytest.raises(CellExecutionError, match="2022Q1 没有评估结果") as raised:
        execute()
    assert "2020Q4, 2021Q1" in str(raised.value)
