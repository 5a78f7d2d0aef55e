#!/usr/bin/env bash
# Outbox cost in instructions (not a test): runs the release server under
# callgrind, which counts instructions rather than time and so gives the
# same figure on a busy machine, and reports instructions per request for
# intake without and with an e-mail address (two rounds each, alternating).
# Time spent in the kernel (writing the log) is not counted: see
# scripts/bench-outbox.sh for wall-clock latency.
#
#   scripts/bench-outbox-instructions.sh          # SQLite, 300 requests per round
#   REQUESTS=100 scripts/bench-outbox-instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

REQUESTS=${REQUESTS:-300}
PORT=${PORT:-18098}
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
cargo build --release --quiet --bin motcua
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

MOTCUA_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
  target/release/motcua serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$PORT" \
  --database-url "sqlite://$work/bench.db" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
for _ in $(seq 1 600); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
TOKEN=$(login "$base" clerk)

# REQUESTS intakes, one after another, with the body of scripts/wrk/$1.lua.
post() {
  python3 - "$1" "$REQUESTS" "$TOKEN" "$PORT" <<'PY'
import http.client, sys
sys.path.insert(0, "scripts")
from outbox_paired import body as wrk_body
script, n, token, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
body = wrk_body(f"{script}.lua")
conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    conn.request("POST", "/api/v1/dossiers", body,
                 {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    reply = conn.getresponse()
    reply.read()
    assert reply.status == 201, reply.status
PY
}

post intake # warm-up
for script in intake intake_mail intake intake_mail; do
  callgrind_control -z "$server" >/dev/null
  post "$script"
  callgrind_control -d "$script" "$server" >/dev/null
done
kill "$server"; wait "$server" 2>/dev/null || true; server=""
python3 - "$work" "$REQUESTS" <<'PY'
import glob, re, sys
work, n = sys.argv[1], int(sys.argv[2])
per = {"intake": [], "intake_mail": []}
for path in sorted(glob.glob(f"{work}/cg.out.*")):
    text = open(path, encoding="utf-8", errors="replace").read()
    script = re.search(r"^desc: Trigger: .*?(intake_mail|intake)\s*$", text, re.M).group(1)
    total = int(re.search(r"^(?:summary|totals): (\d+)", text, re.M).group(1))
    per[script].append(total / n)
plain, mail = min(per["intake"]), min(per["intake_mail"])
print(f"instructions per intake, SQLite ({n} requests per round, least of two rounds)")
print(f"  without address: {plain:,.0f}")
print(f"  with address:    {mail:,.0f}")
print(f"  outbox adds:     {100 * (mail / plain - 1):+.1f}%")
PY
