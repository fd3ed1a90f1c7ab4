#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs the main job on the embedded default: the bundled simulated
# 红河州 region crawled over HTTP into an SQLite file, evaluated for 2021Q1 and reported. Prints where results are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
exec .venv/bin/govmon demo "$@"
