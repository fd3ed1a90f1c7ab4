#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs the whole test suite against the real PostgreSQL and Redis,
# the simulated web over HTTP and Debian's Chromium. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=$(bash scripts/setup.sh)
export MONITOR_TEST_PG_URL=${MONITOR_TEST_PG_URL:-$PG_URL}
export MONITOR_TEST_REDIS_URL=${MONITOR_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
echo "== ruff"
.venv/bin/ruff check .
echo "== pytest (PostgreSQL: $MONITOR_TEST_PG_URL)"
exec .venv/bin/pytest "$@"
