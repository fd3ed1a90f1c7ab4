"""Running one side of a benchmark in a fresh process, so that each side starts cold."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def run(code: str, *args: str) -> dict:
    """Run `code` as a script with args; it prints a JSON object as its last line, which is returned."""
    # From a file, not -c: Scrapy inspects spider callbacks' source code.
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(code)
    done = subprocess.run([sys.executable, script.name, *args], capture_output=True, text=True, check=False)
    Path(script.name).unlink()
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"benchmark process failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])
