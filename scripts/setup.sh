#!/usr/bin/env bash
# Sets up what govmon needs on a Debian/Ubuntu machine, skipping whatever is already there:
#   Debian packages (chromium-headless-shell, CJK font, PostgreSQL and Redis when none is running, LibreOffice Calc
#   and poppler-utils for checking that the XLSX attachments print — about 200 MB, 20 s),
#   a running PostgreSQL reachable on 127.0.0.1 with a database for the tests, a running Redis,
#   and the virtual environment .venv with the project installed.
# Prints the PostgreSQL URL to use as its last line on stdout (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { echo "setup: $*" >&2; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

missing=()
[ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
else
  log "Debian packages present"
fi

# ---------------------------------------------------------------- Redis
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "Redis running on 127.0.0.1:6379"
else
  log "starting Redis on 127.0.0.1:6379"
  mkdir -p "$ROOT/var/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$ROOT/var/redis" --logfile "$ROOT/var/redis/redis.log" >&2
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# ---------------------------------------------------------------- PostgreSQL
# Use the server on 127.0.0.1:5432 when it lets user postgres in without a password (trust), else start the
# machine's cluster, else run a throwaway trust cluster of our own under var/pg on port 55432.
pg_ok() { pg_isready -q -h 127.0.0.1 -p "$1" && psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; }
PGPORT=5432
if ! pg_ok 5432; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    log "starting PostgreSQL cluster $ver/main"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start >&2 || true
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
  fi
fi
if ! pg_ok 5432; then
  PGPORT=55432
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  D="$ROOT/var/pg"
  if ! pg_ok $PGPORT; then
    log "starting a throwaway PostgreSQL cluster in $D on port $PGPORT"
    RUNAS=(); [ "$(id -u)" -eq 0 ] && RUNAS=(runuser -u postgres --)
    mkdir -p "$D"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$D"
    [ -f "$D/data/PG_VERSION" ] || "${RUNAS[@]}" "$BIN/initdb" -D "$D/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >&2
    "${RUNAS[@]}" "$BIN/pg_ctl" -D "$D/data" -l "$D/log" -w \
      -o "-p $PGPORT -k $D -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2
  fi
fi
if ! psql -h 127.0.0.1 -p $PGPORT -U postgres -d postgres -Atqc "select 1 from pg_database where datname='test'" | grep -q 1; then
  log "creating database test"
  psql -h 127.0.0.1 -p $PGPORT -U postgres -d postgres -qc "create database test" >&2
fi
log "PostgreSQL ready on 127.0.0.1:$PGPORT"

# ---------------------------------------------------------------- Python
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $($PY --version)"
  $PY -m venv .venv
fi
stamp=.venv/.govmon-installed
want=$(sha256sum pyproject.toml | cut -c1-16)
if [ "$(cat $stamp 2>/dev/null)" != "$want" ]; then
  log "installing the project and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >&2
  # scrapyd: tests/test_package.py deploys the built egg to a real Scrapyd.
  .venv/bin/python -m pip install -q -e ".[notebook,test,scrapyd]" >&2
  echo "$want" > $stamp
else
  log "virtual environment up to date"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/test"
