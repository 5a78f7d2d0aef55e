#!/usr/bin/env bash
# Soak test (not part of the test suite): a release build under a desk's
# mixed traffic (scripts/wrk/mixed.lua: intake, look-ups right and wrong,
# worklists, search, bad input, idempotency keys, many clients) until
# TOTAL requests have been served, sampling the server's resident memory
# after each round. Memory must stop growing after the warm-up.
#
#   scripts/soak.sh [sqlite|postgres]        (default sqlite)
#   TOTAL=1000000 ROUND=30s CONNECTIONS=16 scripts/soak.sh postgres
#
# Prints one line per round (requests so far, RSS in MB, rows in the
# bounded tables) and the growth from the end of the warm-up (the first
# fifth of the requests) to the end.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
TOTAL=${TOTAL:-1000000}
ROUND=${ROUND:-30s}
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18095}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin motcua
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ "$BACKEND" = postgres ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_soak WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

case $BACKEND in
  sqlite) url="sqlite://$work/soak.db"; count() { sqlite3 "$work/soak.db" "SELECT count(*) FROM $1" 2>/dev/null || echo "?"; } ;;
  postgres)
    bash scripts/ensure-postgres.sh >/dev/null
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_soak WITH (FORCE)" -c "CREATE DATABASE motcua_soak"
    url="${PG_ADMIN%/*}/motcua_soak"
    count() { psql "$url" -tAc "SELECT count(*) FROM $1"; } ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac

MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --bind "127.0.0.1:$PORT" \
  --database-url "$url" --trusted-proxies 127.0.0.1 --submissions-per-minute 10000 \
  >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
wait_up "$base"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TOKEN=$(login "$base" clerk)
export TOKEN DOSSIERS="$work/dossiers.txt"
for _ in $(seq 1 100); do
  curl -fs -XPOST "$base/api/v1/dossiers" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"procedure":"1.001193","applicant":{"name":"Lê Văn Bé","id_number":"001090054321"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}]}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["code"], d["pin"])' >>"$DOSSIERS"
done

rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$server/status"; }
served=0
warm=$((TOTAL / 5))
warm_rss=""
echo "round requests rss_mb rps p99_ms non2xx idempotency_keys throttle sessions"
round=0
while [ "$served" -lt "$TOTAL" ]; do
  round=$((round + 1))
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$ROUND" -s scripts/wrk/mixed.lua "$base" | grep RESULT)
  n=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$out")
  served=$((served + n))
  rss=$(rss_mb)
  rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$out")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$out")
  non2xx=$(sed -E 's/.*non2xx=([0-9]+).*/\1/' <<<"$out")
  echo "$round $served $rss $rps $p99 $non2xx $(count idempotency_keys) $(count throttle) $(count sessions)"
  if [ -z "$warm_rss" ] && [ "$served" -ge "$warm" ]; then warm_rss=$rss; fi
done
echo "== $BACKEND: $served requests; RSS after warm-up ${warm_rss} MB, at the end $(rss_mb) MB"
