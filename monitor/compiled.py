"""The hot modules compiled by Cython from their own Python source, used only while they match it.

Extraction and judging are Python work per element, per link and per row, and the crawl's CPU goes there. Cython
compiles the unchanged .py files (pure Python mode, annotations not enforced) into extension modules that run the
same code 1.3–1.5× faster. The .py files stay the one source: nothing is written twice, and without a build the
package runs them as before.

The build (`python -m monitor.compiled`, run by scripts/setup.sh) writes the extension modules under the virtual
environment (`<sys.prefix>/govmon-compiled/<package path>/`, or MONITOR_COMPILED_DIR), beside a manifest holding the SHA-256 of each source
it compiled. A package lists its compiled modules with `accelerate(__name__, __path__)` in its `__init__`: when
every listed module's source still matches the manifest, the compiled folder goes first on the package's search path;
when any differs (an edited file, another checkout, a deployed egg), none is used and a warning says so, so a
stale build never runs. MONITOR_PURE_PYTHON=1 turns the compiled modules off (tests compare both).
"""

from __future__ import annotations

import hashlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import warnings
from pathlib import Path

# Package → its modules to compile: the ones a crawl spends its CPU in (bench/extraction_bench.py, py-spy).
MODULES: dict[str, tuple[str, ...]] = {
    "monitor.extract": ("dates", "fold", "footer", "links", "lists", "page", "tree", "unreadable"),
}
MANIFEST = "sources.json"
# Cython's options: Python 3 semantics; annotations are hints, not C types (a frozenset passed where `set` is
# annotated must keep working as it does in Python).
DIRECTIVES = ("-3", "-X", "annotation_typing=False")


def compiled_root() -> Path:
    """Where the build goes: MONITOR_COMPILED_DIR, else beside the interpreter's packages, since an extension module
    is built for one Python."""
    return Path(os.environ.get("MONITOR_COMPILED_DIR") or Path(sys.prefix) / "govmon-compiled")


def _source_hash(package: str, module: str) -> str | None:
    data = pkgutil.get_data(package, f"{module}.py")  # works inside an egg or a wheel too
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _build_key() -> str:
    """What else a build depends on: the interpreter's ABI and Cython's version (an upgrade recompiles)."""
    import Cython

    return f"{sysconfig.get_config_var('EXT_SUFFIX')} cython {Cython.__version__} {' '.join(DIRECTIVES)}"


def accelerate(package: str, path: list[str]) -> list[str]:
    """The package's search path, with its compiled folder first when the build matches every source."""
    folder = compiled_root().joinpath(*package.split("."))
    if os.environ.get("MONITOR_PURE_PYTHON") or not (folder / MANIFEST).is_file():
        return path
    try:
        built = json.loads((folder / MANIFEST).read_text())["sources"]
    except (OSError, ValueError, KeyError):
        return path
    modules = MODULES.get(package, ())
    if set(built) != set(modules) or any(built[m] != _source_hash(package, m) for m in modules):
        warnings.warn(f"{package}: the compiled modules under {folder} do not match the source; running the Python "
                      "source (run `python -m monitor.compiled` to rebuild)", RuntimeWarning, stacklevel=2)
        return path
    return [str(folder), *path]


def is_compiled(module: object) -> bool:
    """Whether a module was loaded from the compiled build."""
    return str(getattr(module, "__file__", "")).endswith(sysconfig.get_config_var("EXT_SUFFIX"))


def build(force: bool = False) -> list[str]:
    """Compile every listed module whose build is missing or stale; returns the packages built."""
    from importlib.util import find_spec

    done = []
    for package, modules in MODULES.items():
        folder = compiled_root().joinpath(*package.split("."))
        sources = {m: _source_hash(package, m) for m in modules}
        want = {"key": _build_key(), "sources": sources}
        try:
            if not force and json.loads((folder / MANIFEST).read_text()) == want:
                continue
        except (OSError, ValueError):
            pass
        spec = find_spec(package)
        assert spec is not None and spec.submodule_search_locations
        src = Path(list(spec.submodule_search_locations)[-1])  # the source folder, not a compiled one
        with tempfile.TemporaryDirectory() as tmp:
            # Cython names a module by the packages around its file: copy the files under their package folders.
            work = Path(tmp).joinpath(*package.split("."))
            work.mkdir(parents=True)
            for level in range(1, len(package.split(".")) + 1):
                Path(tmp).joinpath(*package.split(".")[:level], "__init__.py").touch()
            files = []
            for module in modules:
                shutil.copy(src / f"{module}.py", work / f"{module}.py")
                files.append(str(work / f"{module}.py"))
            jobs = str(os.cpu_count() or 1)
            subprocess.run([sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-q", "-j", jobs, *DIRECTIVES,
                            *files], check=True, cwd=tmp)
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            suffix = sysconfig.get_config_var("EXT_SUFFIX")
            for module in modules:
                shutil.copy(work / f"{module}{suffix}", folder / f"{module}{suffix}")
        (folder / MANIFEST).write_text(json.dumps(want, indent=1))
        done.append(package)
    return done


def main() -> int:
    force = "--force" in sys.argv[1:]
    try:
        built = build(force)
    except (ImportError, subprocess.CalledProcessError) as exc:  # no Cython, no compiler: the source runs as is
        print(f"compiled: not built ({exc}); the Python source will run", file=sys.stderr)
        return 1
    print(f"compiled: {', '.join(built) or 'up to date'} under {compiled_root()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
