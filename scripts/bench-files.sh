#!/usr/bin/env bash
# Benchmark of dossier files (not a test): what a 2 MB scan adds to an
# upload, and the server's memory while 32 clients upload and download at
# once, on a release build with SQLite and the folder storage. The
# measures and how to read them: scripts/files_bench.py. Results go to
# bench-results/ and stdout.
#
#   scripts/bench-files.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

PORT=${PORT:-18091}
cargo build --release --quiet --bin motcua
mkdir -p bench-results
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A dossier limit high enough for the repeated uploads of the benchmark.
MOTCUA_LOG=warn target/release/motcua serve --demo --no-mail --breach-interval 0 --files-interval 0 \
  --max-dossier-file-bytes 100000000000 --bind "127.0.0.1:$PORT" \
  --database-url "sqlite://$work/bench.db" --files-url "$work/files" >"$work/server.log" 2>&1 &
server=$!
wait_up "http://127.0.0.1:$PORT"

out="bench-results/files-$(date -u +%Y%m%dT%H%M%SZ).txt"
python3 scripts/files_bench.py 127.0.0.1 "$PORT" "$server" | tee "$out"
