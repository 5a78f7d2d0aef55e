#!/usr/bin/env bash
# Intake latency of two builds of motcua side by side (not a test): for
# instance the commit before a change (built in a worktree) against this
# one. Both serve demo data on their own database; scripts/intake_two_builds.py
# sends the same intake to each in alternating pairs.
#
#   scripts/bench-two-builds.sh OLD_BINARY NEW_BINARY [sqlite|postgres] [PAIRS]
#
# A_SQL, if set, runs on A's database once A has started: with the same
# binary twice it measures one schema object, for instance
#   A_SQL='DROP TRIGGER events_rollup_pending' (SQLite) or
#   A_SQL='DROP TRIGGER events_rollup_pending ON events' (PostgreSQL).
# SERVE_ARGS, if set, are added to both servers' `serve` (for instance
# --no-webhooks). B_WEBHOOK, if set to a URL, gives B a subscriber of the
# whole province with a webhook there: with the same binary twice and
# SERVE_ARGS=--no-webhooks it measures what the delivery row adds to an
# intake.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
OLD=$1 NEW=$2 BACKEND=${3:-sqlite} PAIRS=${4:-3000}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$BACKEND" = postgres ]; then
    for db in motcua_two_a motcua_two_b; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
start() { # binary name port
  local url
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_two_$2 WITH (FORCE)" -c "CREATE DATABASE motcua_two_$2" >/dev/null
    url="${PG_ADMIN%/*}/motcua_two_$2"
  else
    url="sqlite://$work/$2.db"
  fi
  # shellcheck disable=SC2086 # SERVE_ARGS is a list of words
  MOTCUA_LOG=warn "$1" serve --demo --no-mail --breach-interval 0 ${SERVE_ARGS:-} --bind "127.0.0.1:$3" --database-url "$url" >"$work/$2.log" 2>&1 &
  pids+=($!)
  wait_up "http://127.0.0.1:$3"
  login "http://127.0.0.1:$3" clerk >"$work/$2.token"
}
# Not in $(...): the server's pid must reach `pids` for the cleanup.
start "$OLD" a 18101
ta=$(cat "$work/a.token")
if [ -n "${A_SQL:-}" ]; then
  if [ "$BACKEND" = postgres ]; then psql "${PG_ADMIN%/*}/motcua_two_a" -qc "$A_SQL"
  else sqlite3 "$work/a.db" "$A_SQL"; fi
fi
start "$NEW" b 18102
tb=$(cat "$work/b.token")
if [ -n "${B_WEBHOOK:-}" ]; then
  admin=$(login "http://127.0.0.1:18102" admin)
  curl -fs -XPOST "http://127.0.0.1:18102/api/v1/subscribers" -H "authorization: Bearer $admin" \
    -H 'content-type: application/json' \
    -d "{\"name\":\"Benchmark\",\"agency\":\"H53\",\"webhook\":{\"url\":\"$B_WEBHOOK\"}}" >/dev/null
fi
echo "== $BACKEND: A = $OLD, B = $NEW, $PAIRS pairs"
python3 scripts/intake_two_builds.py http://127.0.0.1:18101 "$ta" http://127.0.0.1:18102 "$tb" "$PAIRS"
