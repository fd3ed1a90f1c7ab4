"""Fault injection: `govmon report` writing to a full disk (a real 64 KiB tmpfs, filled; where mounting is not
permitted, e.g. CI without root, a file-size limit RLIMIT_FSIZE on the process instead: EFBIG where ENOSPC would be).

The command exits non-zero naming the folder, without a traceback, and every file left in the folder is complete
(byte for byte the file an unhindered report writes; XLSX and PNG at least readable as a whole): a half-written
CSV, chart or notice never sits under its final name, nor a temporary file beside it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import openpyxl
import pytest

from monitor.report.cli import write_report
from tests.report_data import seed_region

REPO = Path(__file__).resolve().parent.parent
SIZE = 64 * 1024


@contextlib.contextmanager
def small_disk(folder: Path, limit: int, mount: bool = True) -> Iterator[Callable[[], None] | None]:
    """A 64 KiB file system at `folder`, with `limit` bytes left free; yields None — or, where it cannot be mounted
    (or not `mount`), a pre-exec function that limits the size of any file the process writes to `limit` bytes."""
    folder.mkdir()
    mounted = mount and os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE // 1024}k", "tmpfs", str(folder)],
        capture_output=True).returncode == 0
    if not mounted:
        yield lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return
    try:
        with (folder / "filler").open("wb") as filler:  # the disk fills up but for `limit` bytes
            with contextlib.suppress(OSError):
                while os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize > limit:
                    filler.write(b"\0" * 4096)
                    filler.flush()
        yield None
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Path]]:
    """The region's verdicts in a database, and the report an unhindered `govmon report` writes of them."""
    where = tmp_path_factory.mktemp("region")
    database = f"sqlite:///{where / 'govmon.sqlite'}"
    engine, _ = seed_region(database, where)
    reference = {p.name: p for p in write_report(engine, "2021Q1", where / "reference", xlsx=True)}
    engine.dispose()
    return database, reference


# The 13 CSV and XLSX files take 52 KiB of the tmpfs (a 4 KiB block each): with 56 KiB free the first chart fails.
@pytest.mark.parametrize(("free", "mount"), [(0, True), (56 * 1024, True), (56 * 1024, False)],
                         ids=["full", "fills-up-mid-report", "file-size-limit"])
def test_report_on_a_full_disk_says_so_and_leaves_no_partial_file(region: tuple[str, dict[str, Path]],
                                                                  tmp_path: Path, free: int, mount: bool) -> None:
    database, reference = region
    disk = tmp_path / "disk"
    with small_disk(disk, free, mount) as preexec:
        done = subprocess.run([sys.executable, "-m", "monitor.cli", "report", "--period", "2021Q1", "--xlsx",
                               "--out", str(disk), "--database", database], cwd=REPO, capture_output=True,
                              text=True, timeout=120, preexec_fn=preexec)
        folder = disk / "2021Q1"
        left = sorted(p for p in folder.rglob("*")) if folder.exists() else []
        contents = {p.name: p.read_bytes() for p in left}
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr
    assert f"文件夹 {folder} 无法写入" in done.stderr and f"folder {folder} could not be written" in done.stderr
    assert ("磁盘空间已满" if preexec is None else "文件超过允许的大小") in done.stderr
    assert all(not p.name.startswith(".") for p in left), left  # no temporary file left behind
    assert set(contents) < set(reference)  # something could not be written...
    for name, data in contents.items():  # ...and what was is whole
        if name.endswith((".csv", ".md", ".html")):
            assert data == reference[name].read_bytes(), name
        else:
            spare = tmp_path / name
            spare.write_bytes(data)
            if name.endswith(".xlsx"):
                assert openpyxl.load_workbook(spare).active.max_row >= 1
            else:
                assert plt.imread(spare).shape == plt.imread(reference[name]).shape
    if free:
        assert any(name.endswith(".csv") for name in contents)  # the disk filled up part-way through
