#!/usr/bin/env bash
# Dossier import benchmark (not a test; docs/import.md): a file of ROWS
# dossiers of an older system (JSON, motcua-dossiers/1: every status,
# a history entry on one in ten) imported with `motcua import dossiers`
# from a release build into a fresh PostgreSQL database holding the demo
# catalogue, then imported again (every row unchanged). Prints rows per
# second; results go to bench-results/ and stdout.
#
#   scripts/bench-import.sh [postgres|sqlite ...]     # ROWS=100000 by default
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-100000}
PORT=${PORT:-18093}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
backends=("${@:-postgres}")
read -r -a backends <<< "${backends[*]}"

cargo build --release --quiet --bin motcua
mkdir -p bench-results
out="bench-results/import-$(date -u +%Y%m%dT%H%M%SZ).txt"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# ROWS dossiers received over the last two years at the demo's commune.
python3 - "$ROWS" "$work/dossiers.json" <<'PY'
import json, sys, datetime as dt
rows, path = int(sys.argv[1]), sys.argv[2]
tz = dt.timezone(dt.timedelta(hours=7))
start = dt.datetime(2024, 12, 2, 8, 0, tzinfo=tz)
statuses = ["returned"] * 6 + ["processed", "stopped", "withdrawn", "processing",
            "received", "supplement_requested", "awaiting_payment"]
out = []
for i in range(rows):
    received = start + dt.timedelta(minutes=7 * i)
    status = statuses[i % len(statuses)]
    d = {"code": f"CU-{i:07d}", "procedure_code": "1.001193",
         "applicant": {"name": f"Công dân cũ {i}", "id_number": f"{i:012d}"},
         "receiving_agency": "H53.50.05.13", "status": status,
         "received_at": received.isoformat(),
         "due_at": (received + dt.timedelta(days=5)).isoformat()}
    if status in ("returned", "processed", "stopped", "withdrawn"):
        d["finished_at"] = (received + dt.timedelta(days=3 + i % 4)).isoformat()
    if status == "returned":
        d["returned_at"] = (received + dt.timedelta(days=8)).isoformat()
    if i % 10 == 0:
        d["history"] = [{"at": received.isoformat(), "action": "Tiếp nhận",
                         "agency": "H53.50.05.13"}]
    out.append(d)
json.dump({"format": "motcua-dossiers/1", "batch": "bench", "dossiers": out},
          open(path, "w"), ensure_ascii=False)
PY
size=$(du -h "$work/dossiers.json" | cut -f1)

run() {
  local backend=$1 url
  case $backend in
    sqlite) url="sqlite://$work/bench.db" ;;
    postgres)
      bash scripts/ensure-postgres.sh >/dev/null
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_import_bench WITH (FORCE)" -c "CREATE DATABASE motcua_import_bench"
      url="${PG_ADMIN%/*}/motcua_import_bench" ;;
  esac
  # The demo catalogue and accounts: loaded by a server started once.
  MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --files-interval 0 \
    --bind "127.0.0.1:$PORT" --database-url "$url" --files-url "$work/files" >"$work/server-$backend.log" 2>&1 &
  server=$!
  wait_up "http://127.0.0.1:$PORT"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  for pass in first again; do
    local t0 t1 secs
    t0=$(date +%s.%N)
    MOTCUA_LOG=warn target/release/motcua import dossiers "$work/dossiers.json" --by admin --quiet \
      --database-url "$url" | tee -a "$work/lines"
    t1=$(date +%s.%N)
    secs=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
    echo "$backend $pass: $ROWS rows ($size) in ${secs}s, $(python3 -c "print(round($ROWS / ($t1 - $t0)))") rows/s" | tee -a "$out"
  done
}

for b in "${backends[@]}"; do run "$b"; done
echo "results in $out"
