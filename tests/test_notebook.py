"""The analyst notebook runs against the database setting and reproduces the rates table (so it cannot rot)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.report_data import seed_region

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quarterly_rates.ipynb"


def test_notebook_reproduces_the_rates(db_url: str, tmp_path: Path, monkeypatch) -> None:
    seed_region(db_url, tmp_path)
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVMON_PERIOD", "2021Q1")
    monkeypatch.setenv("GOVMON_NOTEBOOK_OUT", str(tmp_path / "nb"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
    assert "红河哈尼族彝族自治州: 检查14个, 不合格3个, 合格率78.57%" in outputs
    assert (tmp_path / "nb" / "合格率_2021Q1.png").stat().st_size > 5000
    assert os.environ["MONITOR_DATABASE_URL"] == db_url
