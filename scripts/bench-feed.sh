#!/usr/bin/env bash
# Event feed benchmark (not a test): one subscriber reads the whole feed,
# pages of 1,000, from a release build on PostgreSQL and on SQLite, after
# ROWS items were written into it directly (changes of one dossier; the
# feed serves them as it would any). scripts/feed_bench.py reads and
# reports items per second. Results go to bench-results/ and stdout.
#
#   scripts/bench-feed.sh [postgres|sqlite ...]     # ROWS=200000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-200000}
PORT=${PORT:-18092}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
backends=("${@:-postgres sqlite}")
read -r -a backends <<< "${backends[*]}"

cargo build --release --quiet --bin motcua
mkdir -p bench-results
out="bench-results/feed-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# ROWS changes of the first dossier, then positions after every one given.
fill_sql="WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $ROWS)
INSERT INTO feed_items (dossier_id, code, procedure_code, receiving_agency_code,
  handling_agency_code, status_code, received_at, due_at, paused, in_transit, assigned_to,
  ended_at, verdict, returned_at, recorded_at)
SELECT d.id, d.code, d.procedure_code, d.receiving_agency_code, d.handling_agency_code,
  1 + (g.n % 10), d.received_at, d.due_at, FALSE, FALSE, NULL, NULL, NULL, NULL, d.received_at
FROM g CROSS JOIN (SELECT * FROM dossiers ORDER BY id LIMIT 1) d;
UPDATE feed_items SET position = id + (SELECT COALESCE(MAX(position), 0) FROM feed_items)
WHERE position IS NULL;"

run() {
  local backend=$1 url
  case $backend in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
      bash scripts/ensure-postgres.sh >/dev/null
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_feed_bench WITH (FORCE)" -c "CREATE DATABASE motcua_feed_bench"
      url="${PG_ADMIN%/*}/motcua_feed_bench" ;;
  esac
  MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --files-interval 0 \
    --bind "127.0.0.1:$PORT" --database-url "$url" --files-url "$work/files" >"$work/server-$backend.log" 2>&1 &
  server=$!
  wait_up "http://127.0.0.1:$PORT"
  local base="http://127.0.0.1:$PORT" admin clerk token before
  clerk=$(login "$base" clerk)
  curl -fs -XPOST "$base/api/v1/dossiers" -H "authorization: Bearer $clerk" -H 'content-type: application/json' \
    -d '{"procedure":"1.001193","applicant":{"name":"Lê Văn Bé","id_number":"001090054321"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}]}' >/dev/null
  admin=$(login "$base" admin)
  token=$(curl -fs -XPOST "$base/api/v1/subscribers" -H "authorization: Bearer $admin" -H 'content-type: application/json' \
    -d '{"name":"Benchmark reader","agency":"H53"}' | json '["token"]')
  before=$(curl -fs "$base/api/v1/feed?limit=1000" -H "authorization: Bearer $token" | json '["items"].__len__()')
  case $backend in
    postgres)
      psql "$url" -qc "$fill_sql"
      psql "$url" -qc "VACUUM ANALYZE feed_items" ;;
    sqlite) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()" \
      "$work/bench.db" "$fill_sql" ;;
  esac
  echo "== $backend: $((ROWS + before)) items" | tee -a "$out"
  python3 scripts/feed_bench.py 127.0.0.1 "$PORT" "$token" "$((ROWS + before))" | sed "s/^/$backend /" | tee -a "$out"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_feed_bench WITH (FORCE)"; fi
  return 0
}

for b in "${backends[@]}"; do run "$b"; done
