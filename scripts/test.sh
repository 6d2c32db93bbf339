#!/usr/bin/env bash
# The whole test suite: unit tests, the integration suite on SQLite and on PostgreSQL, and the
# browser tests in headless Chromium (on both databases), and the API contract (the OpenAPI
# document validates; schemathesis on both databases finds no server error and no answer outside
# the document). Installs what it needs when missing.
# Fails when any part fails or runs no tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${LEIFENG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export LEIFENG_TEST_PG_URL=$PG_URL
export CARGO_TERM_COLOR=never

say() { printf '\n== %s\n' "$*"; }

# --- what the machine needs --------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# The SQLite disk-fault test loop-mounts a small ext4 image (as root).
command -v mkfs.ext4 >/dev/null 2>&1 || missing+=(e2fsprogs)
command -v losetup >/dev/null 2>&1 || missing+=(mount)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- PostgreSQL must answer: start the local cluster if it is down ---------------------------
if ! psql "$PG_URL" -qAtc 'select 1' >/dev/null 2>&1; then
  say "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do psql "$PG_URL" -qAtc 'select 1' >/dev/null 2>&1 && break; sleep 1; done
fi
psql "$PG_URL" -qAtc 'select 1' >/dev/null || { echo "PostgreSQL is not reachable at $PG_URL: the PostgreSQL suite cannot run" >&2; exit 1; }

drop_test_databases() {
  psql "$PG_URL" -qAtc "select datname from pg_database where datname like 'lf\_test\_%' or datname like 'lf\_e2e\_%' or datname like 'lf\_contract\_%'" |
    while read -r db; do [ -n "$db" ] && psql "$PG_URL" -qc "drop database if exists \"$db\"" >/dev/null; done
}
drop_test_databases
trap drop_test_databases EXIT

# --- Rust ---------------------------------------------------------------------------------
say "build"
cargo build --tests --bins

check_ran() { # $1: log file, $2: what
  local n
  n=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  if [ "$n" -eq 0 ]; then echo "$2 ran no tests" >&2; exit 1; fi
  echo "$2: $n tests passed"
}

say "unit tests"
cargo test --lib --bins 2>&1 | tee target/unit.log
check_ran target/unit.log "unit tests"

say "integration suite on SQLite"
LEIFENG_TEST_DATABASE=sqlite cargo test --test api 2>&1 | tee target/api-sqlite.log
check_ran target/api-sqlite.log "SQLite suite"

say "integration suite on PostgreSQL ($PG_URL)"
LEIFENG_TEST_DATABASE=postgres cargo test --test api 2>&1 | tee target/api-postgres.log
check_ran target/api-postgres.log "PostgreSQL suite"

# --- the API contract -----------------------------------------------------------------------
say "API contract: openapi-spec-validator, schemathesis on SQLite and PostgreSQL"
bash scripts/contract.sh sqlite postgres

# --- browser ------------------------------------------------------------------------------
say "browser tests (headless Chromium)"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
browser_run() { # $1: label; the rest: environment
  local label=$1; shift
  (cd e2e && env "$@" LEIFENG_BIN="$PWD/../target/debug/leifeng" npm test 2>&1) | tee "target/e2e-$label.log"
  local pass
  pass=$(grep -Eo '^# pass [0-9]+' "target/e2e-$label.log" | awk '{print $3}')
  if grep -Eq '^# (fail|skipped) [1-9]' "target/e2e-$label.log" || [ "${pass:-0}" -eq 0 ]; then
    echo "browser tests on $label failed or were skipped" >&2; exit 1
  fi
}
browser_run sqlite LEIFENG_E2E=1
# Each test file's server creates a database of its own on this cluster (e2e/server.js); all are
# dropped on exit with the other test databases.
browser_run postgres LEIFENG_E2E_DATABASE_URL="$PG_URL"

say "all suites passed"
