"""The Cython build of the hot modules (monitor/compiled.py): used when current, never when stale, same outputs.

The suite runs on the build scripts/setup.sh made, so every other test exercises the compiled modules; this one
checks that they are the ones loaded, that a build not matching its source is refused, and that extract_page gives
field for field what the Python source gives on every fixture page, the real corpus and fuzzed pages.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import monitor.extract
from monitor import compiled
from monitor.extract import tree
from monitor.extract.encoding import decode
from monitor.extract.page import extract_page
from tests.conftest import CORPUS

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
REF = date(2026, 11, 1)
EXTRACT = r'''
import json, sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from monitor.extract import tree
from monitor.extract.encoding import decode
from monitor.extract.page import extract_page
pages = json.loads(Path(sys.argv[1]).read_text())
out = [asdict(extract_page(html, url, ref=date(2026, 11, 1))) for url, html in pages]
print(json.dumps({"file": tree.__file__, "facts": out}, default=str, ensure_ascii=False))
'''
needs_cython = pytest.mark.skipif(importlib.util.find_spec("Cython") is None or bool(os.environ.get("MONITOR_PURE_PYTHON")),
                                  reason="Cython not installed or MONITOR_PURE_PYTHON set: the source runs")


def _pages() -> list[tuple[str, str]]:
    pages = [(f"http://www.example.gov.cn/{d.name}/index.html", decode((d / "page.html").read_bytes(), None)[0])
             for d in sorted(FIXTURES.iterdir()) if (d / "page.html").is_file()]
    if CORPUS.is_dir():
        pages += [(f"http://www.gov.cn/c/{p.name}", decode(p.read_bytes(), None)[0]) for p in sorted(CORPUS.glob("*.html"))]
    rnd = random.Random(5)  # fragments of every kind the readers look at, shuffled into broken pages
    parts = ["<li>", "</li>", "<a href='x.html'>", "<a href=/y>", "</a>", "<span>2024-03-05</span>", "<div class='footer'>",
             "<div id='nav'>", "</div>", "网站标识码1234567890", "京ICP备12345678号", "<script>var a=1</script>", "<table><tr><td>",
             "政府网站", "<meta http-equiv='refresh' content='0;url=/z'>", "<h1>标题</h1>", "<p style='display:none'>", "\u3000"]
    pages += [(f"http://fuzz.example.gov.cn/{i}.html", "".join(rnd.choice(parts) for _ in range(rnd.randint(1, 80))))
              for i in range(300)]
    return pages


@needs_cython
def test_the_compiled_modules_are_the_ones_running() -> None:
    assert compiled.is_compiled(tree), f"{tree.__file__}: run `python -m monitor.compiled` (scripts/setup.sh does)"
    assert monitor.extract.__path__[0] == str(compiled.compiled_root() / "monitor" / "extract")


@needs_cython
def test_compiled_extraction_gives_what_the_source_gives(tmp_path: Path) -> None:
    pages = _pages()
    (tmp_path / "pages.json").write_text(json.dumps(pages))
    env = os.environ | {"MONITOR_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", EXTRACT, str(tmp_path / "pages.json")], env=env, check=True,
                         capture_output=True, text=True).stdout
    source = json.loads(out)
    assert source["file"].endswith("tree.py")  # the other side really ran the source
    here: list[dict[str, Any]] = json.loads(json.dumps([asdict(extract_page(h, u, ref=REF)) for u, h in pages],
                                                       default=str, ensure_ascii=False))
    assert len(here) == len(pages) >= 340
    for (url, _), mine, theirs in zip(pages, here, source["facts"], strict=True):
        assert mine == theirs, url


def test_a_build_that_does_not_match_its_source_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "monitor" / "extract"
    folder.mkdir(parents=True)
    sources = {m: compiled._source_hash("monitor.extract", m) for m in compiled.MODULES["monitor.extract"]}
    monkeypatch.setenv("MONITOR_COMPILED_DIR", str(tmp_path))
    monkeypatch.delenv("MONITOR_PURE_PYTHON", raising=False)
    path = ["/src/monitor/extract"]
    assert compiled.accelerate("monitor.extract", path) == path  # no build at all
    (folder / compiled.MANIFEST).write_text(json.dumps({"key": "k", "sources": sources}))
    assert compiled.accelerate("monitor.extract", path) == [str(folder), *path]  # a current build goes first
    monkeypatch.setenv("MONITOR_PURE_PYTHON", "1")
    assert compiled.accelerate("monitor.extract", path) == path  # switched off
    monkeypatch.delenv("MONITOR_PURE_PYTHON")
    edited = sources | {"tree": "0" * 64}  # tree.py changed since the build
    (folder / compiled.MANIFEST).write_text(json.dumps({"key": "k", "sources": edited}))
    with pytest.warns(RuntimeWarning, match="do not match the source"):
        assert compiled.accelerate("monitor.extract", path) == path
    (folder / compiled.MANIFEST).write_text("{not json")
    assert compiled.accelerate("monitor.extract", path) == path


@needs_cython
def test_a_stale_build_runs_the_source_in_a_fresh_process(tmp_path: Path) -> None:
    shutil.copytree(compiled.compiled_root(), tmp_path / "c")
    manifest = tmp_path / "c" / "monitor" / "extract" / compiled.MANIFEST
    built = json.loads(manifest.read_text())
    built["sources"]["links"] = "0" * 64
    manifest.write_text(json.dumps(built))
    probe = "import monitor.extract.tree as t; print(t.__file__)"
    env = os.environ | {"MONITOR_COMPILED_DIR": str(tmp_path / "c")}
    run = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    assert run.stdout.strip().endswith("tree.py") and "do not match the source" in run.stderr
    env = os.environ | {"MONITOR_COMPILED_DIR": str(compiled.compiled_root())}
    run = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True)
    assert not run.stdout.strip().endswith(".py")
