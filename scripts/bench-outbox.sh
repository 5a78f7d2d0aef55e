#!/usr/bin/env bash
# Outbox cost benchmark (not a test): what writing the receipt mail into
# the outbox adds to intake latency. Runs intake without an address and
# intake with one (scripts/wrk/intake*.lua) in alternating rounds against
# one release server, each going first in every other round, so drift
# (the database growing, the machine's other load) falls on both alike,
# and reports the median of each, their
# ratio, and the median of the ratio within each round (the figure least
# moved by this machine changing speed during a run).
#
#   scripts/bench-outbox.sh                      # SQLite, 1 connection, 8 rounds of 5 s
#   CONNECTIONS=16 ROUNDS=6 scripts/bench-outbox.sh postgres
#   METHOD=paired scripts/bench-outbox.sh postgres  # one client, requests in pairs
#                                                   # (scripts/outbox_paired.py)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-1}
ROUNDS=${ROUNDS:-8}
PORT=${PORT:-18097}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
backend=${1:-sqlite}
threads=$(( CONNECTIONS < 2 ? 1 : 2 ))

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet --bin motcua
mkdir -p bench-results
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

case $backend in
  sqlite) url="sqlite://$work/bench.db" ;;
  postgres)
    bash scripts/ensure-postgres.sh >/dev/null
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_bench_outbox WITH (FORCE)" -c "CREATE DATABASE motcua_bench_outbox"
    url="${PG_ADMIN%/*}/motcua_bench_outbox" ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$PORT" --database-url "$url" \
  >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
wait_up "$base"
TOKEN=$(login "$base" clerk)
export TOKEN

if [ "${METHOD:-wrk}" = paired ]; then
  out="bench-results/outbox-paired-$backend-$(date -u +%Y%m%dT%H%M%SZ).txt"
  python3 scripts/outbox_paired.py "$base" "$TOKEN" "${PAIRS:-3000}" | tee "$out"
  exit 0
fi

wrk -t$threads -c"$CONNECTIONS" -d3s -s scripts/wrk/intake.lua "$base/api/v1/dossiers" >/dev/null # warm-up
for round in $(seq 1 "$ROUNDS"); do
  # Which goes first alternates, so a drift within a round (the database
  # grows by thousands of dossiers a round) falls on both alike.
  order="intake intake_mail"
  [ $((round % 2)) = 0 ] && order="intake_mail intake"
  for script in $order; do
    line=$(wrk -t$threads -c"$CONNECTIONS" -d"$DURATION" -s "scripts/wrk/$script.lua" "$base/api/v1/dossiers" | grep RESULT)
    echo "$round $script $line" | tee -a "$work/rounds.txt"
  done
done

out="bench-results/outbox-$backend-c$CONNECTIONS-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 - "$work/rounds.txt" "$backend" "$CONNECTIONS" <<'PY' | tee "$out"
import re, statistics, sys
rows = {"intake": [], "intake_mail": []}
for line in open(sys.argv[1]):
    _, script, rest = line.split(" ", 2)
    f = dict(re.findall(r"(\w+)=([\d.]+)", rest))
    assert f["non2xx"] == "0" and f["errors"] == "0", line
    rows[script].append((float(f["rps"]), float(f["p50_ms"]), float(f["p99_ms"])))
# Each round runs the two back to back, so their ratio is the least
# disturbed by the machine speeding up or slowing down between rounds.
pairs = [m / p for p, m in zip((r[1] for r in rows["intake"]), (r[1] for r in rows["intake_mail"]))]
def med(script, i):
    return statistics.median(r[i] for r in rows[script])
print(f"outbox cost, {sys.argv[2]}, {sys.argv[3]} connection(s), {len(rows['intake'])} alternating rounds (medians)")
print(f"  intake without address: {med('intake', 0):7.0f} req/s  p50 {med('intake', 1):6.2f} ms  p99 {med('intake', 2):6.2f} ms")
print(f"  intake with address:    {med('intake_mail', 0):7.0f} req/s  p50 {med('intake_mail', 1):6.2f} ms  p99 {med('intake_mail', 2):6.2f} ms")
print(f"  added to p50 latency:  {100 * (med('intake_mail', 1) / med('intake', 1) - 1):+.1f}%")
print(f"  added to p50 latency, median of the rounds' own ratios: {100 * (statistics.median(pairs) - 1):+.1f}%"
      f" (rounds from {100 * (min(pairs) - 1):+.0f}% to {100 * (max(pairs) - 1):+.0f}%)")
print(f"  added to mean latency (1/throughput): {100 * (med('intake', 0) / med('intake_mail', 0) - 1):+.1f}%")
PY
