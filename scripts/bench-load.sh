#!/usr/bin/env bash
# Load benchmark (not a test): intake, public look-up (the API's and the
# page's) throughput of a
# release build, on SQLite and on PostgreSQL, measured with wrk from a
# second process on loopback. Results go to bench-results/ and stdout.
#
#   scripts/bench-load.sh            # both backends, 10 s per run
#   DURATION=30s CONNECTIONS=64 scripts/bench-load.sh postgres
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PORT=${PORT:-18090}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
backends=("${@:-sqlite postgres}")
read -r -a backends <<< "${backends[*]}"

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin motcua
mkdir -p bench-results
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

run() {
  local backend=$1 url
  case $backend in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
      bash scripts/ensure-postgres.sh >/dev/null
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_bench WITH (FORCE)" -c "CREATE DATABASE motcua_bench"
      url="${PG_ADMIN%/*}/motcua_bench" ;;
  esac
  MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$PORT" --database-url "$url" \
    >"$work/server-$backend.log" 2>&1 &
  server=$!
  wait_up "http://127.0.0.1:$PORT"
  local base="http://127.0.0.1:$PORT"
  TOKEN=$(login "$base" clerk)
  export TOKEN
  echo "== $backend: intake ($CONNECTIONS connections, $DURATION)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/intake.lua "$base/api/v1/dossiers" | tee "$work/intake.txt" | grep RESULT
  echo "== $backend: intake with an e-mail address (writes the outbox row too)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/intake_mail.lua "$base/api/v1/dossiers" | tee "$work/intake_mail.txt" | grep RESULT
  local reply
  reply=$(curl -fs -XPOST "$base/api/v1/dossiers" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"procedure":"1.001193","applicant":{"name":"Lê Văn Bé","id_number":"001090054321"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}]}')
  CODE=$(echo "$reply" | json '["code"]') PIN=$(echo "$reply" | json '["pin"]')
  export CODE PIN
  # Let the database settle after the write burst (PostgreSQL's autovacuum
  # and checkpoint otherwise land in the look-up run), so each run measures
  # one thing.
  if [ "$backend" = postgres ]; then psql "${PG_ADMIN%/*}/motcua_bench" -qc "VACUUM ANALYZE" -c "CHECKPOINT"; fi
  sleep 2
  echo "== $backend: public look-up ($CONNECTIONS connections, $DURATION)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/lookup.lua "$base" | tee "$work/lookup.txt" | grep RESULT
  echo "== $backend: the look-up page ($CONNECTIONS connections, $DURATION)"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s scripts/wrk/lookup_page.lua "$base" | tee "$work/lookup_page.txt" | grep RESULT
  {
    echo "$backend intake $(grep RESULT "$work/intake.txt")"
    echo "$backend intake_mail $(grep RESULT "$work/intake_mail.txt")"
    echo "$backend lookup $(grep RESULT "$work/lookup.txt")"
    echo "$backend lookup_page $(grep RESULT "$work/lookup_page.txt")"
  } >> "bench-results/load-$(date -u +%Y%m%dT%H%M%SZ).txt"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  [ "$backend" = postgres ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_bench WITH (FORCE)"
  return 0
}

for b in "${backends[@]}"; do run "$b"; done
