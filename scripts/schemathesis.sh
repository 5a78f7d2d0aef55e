#!/usr/bin/env bash
# Schema-driven fuzzing of the server binary against its own OpenAPI
# document (schemathesis, pinned, installed into a virtual environment).
#
# For each backend (SQLite, then PostgreSQL) it starts `motcua serve --demo`
# on a fresh database and runs schemathesis twice, with an administrator's
# token and with a counter clerk's, a fixed seed and a bounded number of
# cases per operation. It fails on any 5xx, any answer that breaks the
# document (status not declared, wrong content type, body or headers not
# matching the schema).
#
#   scripts/schemathesis.sh [sqlite|postgres|both]   (default both)
#
# Environment: MOTCUA_BIN (default target/debug/motcua, which
# `cargo test --workspace` builds), SCHEMATHESIS_EXAMPLES (default 25),
# SCHEMATHESIS_SEED (default 20261203), MOTCUA_TEST_POSTGRES_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${MOTCUA_BIN:-target/debug/motcua}
VERSION=4.32.5
VENV=target/schemathesis-$VERSION
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-25}
SEED=${SCHEMATHESIS_SEED:-20261203}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
WHICH=${1:-both}

[ -x "$BIN" ] || { echo "no server binary at $BIN: run cargo build (or cargo test) first" >&2; exit 1; }
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

WORK=$(mktemp -d)
SERVER=
PGDB=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    [ -n "$PGDB" ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

token() {
    curl -fsS -XPOST "$1/api/v1/auth/token" -H 'content-type: application/json' \
        -d "{\"username\":\"$2\",\"password\":\"demo\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

fuzz() { # backend database-url
    local backend=$1 url=$2 port base
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base="http://127.0.0.1:$port"
    # A payment gateway and a postal service set up, as a desk taking
    # online payments and sending results by post has: the notices the
    # fuzzer sends are then checked (and refused unsigned).
    "$BIN" serve --demo --database-url "$url" --bind "127.0.0.1:$port" \
        --no-mail --breach-interval 0 \
        --payment-secret "schemathesis-payment-secret-$(date +%s%N)" \
        --postal-secret "schemathesis-postal-secret-$(date +%s%N)" >"$WORK/server-$backend.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do
        curl -fsS "$base/healthz" >/dev/null 2>&1 && break
        sleep 0.2
    done
    # Tokens first: the fuzzing trips the log-in limit for this address.
    local admin clerk
    admin=$(token "$base" admin)
    clerk=$(token "$base" clerk)
    for who in admin clerk; do
        local t=$admin
        [ "$who" = clerk ] && t=$clerk
        echo "== schemathesis on $backend as $who ($EXAMPLES cases per operation, seed $SEED)"
        # Logging out and ending sessions would end the token mid-run; the
        # hall board is an endless event stream (tests/queue.rs reads it).
        "$VENV/bin/schemathesis" run "$base/api/v1/openapi.json" \
            -H "Authorization: Bearer $t" \
            --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
            --phases examples,coverage,fuzzing \
            --seed "$SEED" --max-examples "$EXAMPLES" --workers 1 \
            --exclude-path /api/v1/auth/logout \
            --exclude-path '/api/v1/users/{username}/sessions' \
            --exclude-path '/api/v1/public/queue/{agency}/board' \
            --no-color --output-truncate true
    done
    kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
    SERVER=
}

if [ "$WHICH" = sqlite ] || [ "$WHICH" = both ]; then
    fuzz sqlite "sqlite://$WORK/motcua.db"
fi
if [ "$WHICH" = postgres ] || [ "$WHICH" = both ]; then
    PGDB="motcua_schemathesis_$$"
    psql "$PG_ADMIN" -qc "CREATE DATABASE $PGDB" >/dev/null
    fuzz postgres "${PG_ADMIN%/*}/$PGDB"
fi
echo "== schemathesis: no server error, every answer as documented"
