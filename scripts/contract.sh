#!/usr/bin/env bash
# The API contract: the OpenAPI document validates (openapi-spec-validator), and schemathesis,
# run against every operation on a demo server on SQLite and on PostgreSQL, finds no server
# error and no answer outside the document (status, content type, body schema).
# Needs target/debug/leifeng (cargo build) and Python 3; installs the checkers in a virtualenv
# under target/. On PostgreSQL it creates a fresh database and drops it again.
# Usage: scripts/contract.sh [sqlite|postgres]...   (both when none is named)
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${LEIFENG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=$PWD/target/debug/leifeng
VENV=$PWD/target/contract-venv
OUT=$PWD/target/contract
# Examples per operation and phase: enough to reach each answer, small enough for CI (2 cores).
EXAMPLES=${LEIFENG_CONTRACT_EXAMPLES:-10}
PASSWORD=contract-Pass-1
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

say() { printf '\n== %s\n' "$*"; }

[ -x "$BIN" ] || { echo "build first: cargo build ($BIN is missing)" >&2; exit 1; }
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q '4\.32\.5' ||
  ! "$VENV/bin/python" -c 'import openapi_spec_validator' 2>/dev/null; then
  say "installing openapi-spec-validator and schemathesis"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    'openapi-spec-validator==0.9.0' 'schemathesis==4.32.5'
fi
rm -rf "$OUT" && mkdir -p "$OUT"

say "the OpenAPI document validates"
"$BIN" openapi >"$OUT/openapi.json"
"$VENV/bin/openapi-spec-validator" "$OUT/openapi.json"

SERVER=
stop_server() { if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi; }
PG_DB=
cleanup() {
  stop_server
  if [ -n "$PG_DB" ]; then psql "$PG_URL" -qc "drop database if exists \"$PG_DB\"" >/dev/null || true; fi
}
trap cleanup EXIT

# $1: label; $2: database URL (empty: SQLite in a temporary data directory)
run_against() {
  local label=$1 db=$2 dir port base token
  dir=$(mktemp -d)
  port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base=http://127.0.0.1:$port
  say "schemathesis on $label ($EXAMPLES examples per operation and phase)"
  LEIFENG_DEMO_PASSWORD=$PASSWORD LEIFENG_LOG=warn LEIFENG_DATABASE_URL=$db \
    "$BIN" serve --demo --addr "127.0.0.1:$port" --data-dir "$dir" >"$OUT/server-$label.log" 2>&1 &
  SERVER=$!
  token() { # $1: username
    "$VENV/bin/python" - "$base" "$1" "$PASSWORD" <<'EOF'
import json, sys, time, urllib.request
base, user, password = sys.argv[1:]
for _ in range(120):
    try:
        urllib.request.urlopen(base + "/readyz", timeout=2)
        break
    except Exception:
        time.sleep(0.5)
req = urllib.request.Request(base + "/api/v1/auth/login", method="POST",
    data=json.dumps({"username": user, "password": password}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=10))["token"])
EOF
  }
  st() { # $1: token; the rest: schemathesis options
    local t=$1; shift
    # (in target/: schemathesis keeps its cache in the working directory)
    (cd "$OUT" && "$VENV/bin/schemathesis" run "$OUT/openapi.json" --url "$base" -H "Authorization: Bearer $t" \
      --checks "$CHECKS" --max-examples "$EXAMPLES" --seed 1 --workers 2 --no-color "$@")
  }
  local ok=0
  # Every operation as the district admin, except those that end the token's session.
  token=$(token admin)
  st "$token" --exclude-path /api/v1/auth/logout --exclude-path /api/v1/me/password \
    >"$OUT/schemathesis-$label.txt" 2>&1 || ok=1
  # Those last, with a token of their own.
  token=$(token volunteer)
  st "$token" --include-path /api/v1/auth/logout --include-path /api/v1/me/password \
    >>"$OUT/schemathesis-$label.txt" 2>&1 || ok=1
  stop_server
  rm -rf "$dir"
  grep -E '^(API Operations|  Tested|Failures|  ❌|Errors|  🚫|Test cases|  [0-9]+ generated)' "$OUT/schemathesis-$label.txt" || true
  if [ $ok -ne 0 ]; then
    echo "schemathesis on $label found problems: see $OUT/schemathesis-$label.txt and $OUT/server-$label.log" >&2
    return 1
  fi
}

status=0
for db in "${@:-sqlite postgres}"; do
  for d in $db; do
    case $d in
      sqlite) run_against sqlite "" || status=1 ;;
      postgres)
        PG_DB="lf_contract_$$"
        psql "$PG_URL" -qc "create database $PG_DB" >/dev/null
        run_against postgres "${PG_URL%/*}/$PG_DB" || status=1
        psql "$PG_URL" -qc "drop database if exists \"$PG_DB\"" >/dev/null
        PG_DB=
        ;;
      *) echo "unknown database $d: use sqlite or postgres" >&2; exit 2 ;;
    esac
  done
done
exit $status
