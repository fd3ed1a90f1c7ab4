"""Extraction on real government pages: publication dates and footer marks (skipped without ../shared/corpus)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("corpus_extraction", REPO / "bench" / "corpus_extraction.py")
corpus_extraction = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = corpus_extraction
spec.loader.exec_module(corpus_extraction)


def test_publication_dates_on_real_pages(corpus_dir: Path) -> None:
    results = corpus_extraction.measure(corpus_dir)
    dated = [r for r in results if r.date_ok is not None]
    wrong = [(r.name, r.got) for r in dated if not r.date_ok]
    assert len(dated) >= 20
    assert not wrong, wrong  # measured: every dated page right (see bench/corpus_extraction.py)


def test_footer_marks_are_never_invented(corpus_dir: Path) -> None:
    results = corpus_extraction.measure(corpus_dir)
    assert [(r.name, r.invented) for r in results if r.invented] == []
    found = sum(1 for r in results if r.marks["site_code"])
    assert found >= 15  # pages whose static footer prints a 网站标识码
    # The pages saved with script-written footers are flagged for rendering, not judged from the source.
    flagged = {r.name for r in results if r.marks["script_footer"]}
    assert {n for n in (r.name for r in results) if "jsfooter" in n} <= flagged
