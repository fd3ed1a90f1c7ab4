"""bench/memory_bench.py's measuring function, once on a 2-site region, so that the benchmark cannot rot: both
sides crawl, make the same requests, and their process trees are sampled (Chromium's processes included)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("memory_bench", REPO / "bench" / "memory_bench.py")
memory_bench = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = memory_bench
spec.loader.exec_module(memory_bench)


CHROMIUM = Path("/usr/bin/chromium-headless-shell")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium-headless-shell")
def test_memory_bench_measures_both_sides_on_two_sites(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    measured = memory_bench.measure(sizes=(2,), pages=40, reps=1, quiet=True)
    assert time.monotonic() - started < 60
    work = measured.work[2]
    website, bare = measured.runs[2]["website"][0], measured.runs[2]["bare"][0]
    # The bare spider was given the website crawl's work and made the same requests (crawl_bench's invariant).
    assert work["page"] > 2 and work["HEAD"] > 0
    assert website.requests == bare.requests
    assert website.requests["GET"] >= work["page"] and website.requests["HEAD"] >= work["HEAD"]
    for run in (website, bare):
        # A Python process running Scrapy holds tens of MB; the kernel's peak agrees with the sampled one.
        assert 30 < run.main_mb <= run.tree_mb < 4000
        assert 0 < run.pss_mb <= run.tree_mb
        assert run.maxrss_mb >= 0.9 * run.main_mb
        assert run.wall > 0 and run.left == 0
    # The generated region has a site whose footer a script writes: it is rendered, and the browser's
    # processes (Playwright's node driver, Chromium) count in the website crawl's tree.
    assert website.rendered > 0
    assert website.processes > 2 and website.tree_mb > website.main_mb + 50
    # Bare Scrapy starts no browser (a sample may catch the short `uname -p` of Python's platform module).
    assert bare.processes <= 2 and bare.tree_mb < website.tree_mb - 50
    memory_bench.report(measured)  # the printed summary works on one size and one repetition
    out = capsys.readouterr().out
    assert "the same on both sides" in out and "peak PSS of the process tree" in out
