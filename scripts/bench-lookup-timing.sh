#!/usr/bin/env bash
# Timing of the two wrong public look-ups (not a test): an unknown code
# against a real code with a wrong PIN, on a release build, paired by
# scripts/lookup_timing.py. Both must do the same work, so the difference
# of the medians should be within its interval of zero and the classifier
# near 50 %.
#
#   scripts/bench-lookup-timing.sh [sqlite|postgres] [PAIRS]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

BACKEND=${1:-sqlite}
PAIRS=${2:-4000}
PORT=${PORT:-18096}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BIN=${MOTCUA_BIN:-target/release/motcua}

[ "$BIN" = target/release/motcua ] && cargo build --release --quiet --bin motcua
work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  [ "$BACKEND" = postgres ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_timing WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
case $BACKEND in
  sqlite) url="sqlite://$work/timing.db" ;;
  postgres)
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS motcua_timing WITH (FORCE)" -c "CREATE DATABASE motcua_timing"
    url="${PG_ADMIN%/*}/motcua_timing" ;;
esac
# A build from before the PIN limits has no proxy setting (and no limit to
# avoid): it runs without one.
proxy=()
"$BIN" serve --help | grep -q trusted-proxies && proxy=(--trusted-proxies 127.0.0.1)
MOTCUA_LOG=warn "$BIN" serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$PORT" \
  --database-url "$url" "${proxy[@]}" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
wait_up "$base"
TOKEN=$(login "$base" clerk)
# Enough real codes for four guesses each.
need=$((PAIRS / 4 + 50))
python3 - "$base" "$TOKEN" "$need" >"$work/codes.txt" <<'EOF'
import http.client, json, sys, urllib.parse
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlsplit(base)
c = http.client.HTTPConnection(u.hostname, u.port)
body = json.dumps({"procedure": "1.001193", "applicant": {"name": "Lê Văn Bé", "id_number": "001090054321"},
                   "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}]})
for _ in range(n):
    c.request("POST", "/api/v1/dossiers", body, {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    print(json.loads(c.getresponse().read())["code"])
EOF
echo "== $BACKEND: $PAIRS pairs of wrong look-ups"
python3 scripts/lookup_timing.py "$base" "$work/codes.txt" "$PAIRS"
