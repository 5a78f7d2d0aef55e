#!/usr/bin/env bash
# Webhook worker benchmark (not a test): ROWS changes spread over DOSSIERS
# dossiers wait in the delivery queue of a release build, then one server
# delivers them to scripts/webhook_receiver.py on loopback, which checks
# every signature and the order per dossier and reports events per
# second. On PostgreSQL and on SQLite; results go to bench-results/.
#
#   scripts/bench-webhooks.sh [postgres|sqlite ...]   # ROWS=20000 DOSSIERS=200
#
# SERVE_ARGS, if set, are added to the delivering server's `serve` (for
# instance --webhook-concurrency 64).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-20000}
DOSSIERS=${DOSSIERS:-200}
PORT=${PORT:-18093}
HOOK_PORT=${HOOK_PORT:-18094}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
backends=("${@:-postgres sqlite}")
read -r -a backends <<< "${backends[*]}"

cargo build --release --quiet --bin motcua
mkdir -p bench-results
out="bench-results/webhooks-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
base="http://127.0.0.1:$PORT"
serve() { # url extra-args...
  local url=$1; shift
  MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --files-interval 0 \
    --bind "127.0.0.1:$PORT" --database-url "$url" --files-url "$work/files" "$@" >>"$work/server.log" 2>&1 &
  pids+=($!)
  wait_up "$base"
}
stop_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}

# ROWS feed rows, round-robin over the dossiers; the worker makes one
# delivery of each from the feed (what is measured includes that). They get their positions at once, as a live desk's
# rows do a moment after they commit (a feed of 20,000 rows waiting for
# positions makes PostgreSQL's planner, with no statistics yet, look for
# the next one by scanning every row).
fill_sql="WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $ROWS),
d AS (SELECT dd.*, ROW_NUMBER() OVER (ORDER BY dd.id) - 1 AS k FROM dossiers dd)
INSERT INTO feed_items (dossier_id, code, procedure_code, receiving_agency_code,
  handling_agency_code, status_code, received_at, due_at, paused, in_transit, assigned_to,
  ended_at, verdict, returned_at, recorded_at)
SELECT d.id, d.code, d.procedure_code, d.receiving_agency_code, d.handling_agency_code,
  1 + (g.n % 10), d.received_at, d.due_at, FALSE, FALSE, NULL, NULL, NULL, NULL, d.received_at
FROM g JOIN d ON d.k = g.n % $DOSSIERS ORDER BY g.n;
UPDATE feed_items SET position = id + (SELECT COALESCE(MAX(position), 0) FROM feed_items)
WHERE position IS NULL;"

run() {
  local backend=$1 url
  case $backend in
    sqlite) url="sqlite://$work/bench-$backend.db" ;;
    postgres)
      bash scripts/ensure-postgres.sh >/dev/null
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_hook_bench WITH (FORCE)" -c "CREATE DATABASE motcua_hook_bench"
      url="${PG_ADMIN%/*}/motcua_hook_bench" ;;
  esac
  # Fill with the worker off: dossiers, a subscriber with a webhook, rows.
  serve "$url" --no-webhooks
  local clerk admin secret
  clerk=$(login "$base" clerk)
  for i in $(seq 1 "$DOSSIERS"); do
    curl -fs -XPOST "$base/api/v1/dossiers" -H "authorization: Bearer $clerk" -H 'content-type: application/json' \
      -d "{\"procedure\":\"1.001193\",\"applicant\":{\"name\":\"Lê Văn Bé\",\"id_number\":\"0010900$(printf %05d "$i")\"},\"documents\":[{\"code\":\"TK\",\"original\":1},{\"code\":\"GCS\",\"original\":1}]}" >/dev/null
  done
  admin=$(login "$base" admin)
  secret=$(curl -fs -XPOST "$base/api/v1/subscribers" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d "{\"name\":\"Benchmark receiver\",\"agency\":\"H53\",\"webhook\":{\"url\":\"http://127.0.0.1:$HOOK_PORT/hook\"}}" | json '["webhook_secret"]')
  case $backend in
    postgres) psql "$url" -qc "$fill_sql" -c "VACUUM ANALYZE feed_items" ;;
    sqlite) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()" \
      "$work/bench-$backend.db" "$fill_sql" ;;
  esac
  stop_servers
  # Deliver: the receiver first, then one server with the worker on.
  python3 scripts/webhook_receiver.py "$HOOK_PORT" "$secret" "$ROWS" >"$work/receiver.out" &
  local receiver=$!
  until grep -q listening "$work/receiver.out"; do sleep 0.1; done
  echo "== $backend: $ROWS changes of $DOSSIERS dossiers waiting" | tee -a "$out"
  # shellcheck disable=SC2086 # SERVE_ARGS is a list of words
  serve "$url" ${SERVE_ARGS:-}
  wait "$receiver"
  grep -v listening "$work/receiver.out" | sed "s/^/$backend /" | tee -a "$out"
  stop_servers
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_hook_bench WITH (FORCE)"; fi
  return 0
}

for b in "${backends[@]}"; do run "$b"; done
