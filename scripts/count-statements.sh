#!/usr/bin/env bash
# Counts the statements PostgreSQL receives for one counter intake and for
# one public look-up (not a test): a server on a fresh database whose
# statements the server logs (log_statement = all, that database only),
# one request of each, and the log lines between markers.
#
#   scripts/count-statements.sh [path/to/motcua]   # default: a release build
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/release/motcua}
PORT=${PORT:-18093}
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=motcua_statements
[ -x "$BIN" ] || cargo build --release --quiet --bin motcua
bash scripts/ensure-postgres.sh >/dev/null
LOG=$(psql "$PG_ADMIN" -Atc "SELECT pg_current_logfile()" 2>/dev/null || true)
if [ -z "$LOG" ]; then LOG=$(ls -t /var/log/postgresql/postgresql-*.log | head -1); fi
[ -f "$LOG" ] || LOG="$(psql "$PG_ADMIN" -Atc 'SHOW data_directory')/$LOG"

psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" \
  -c "ALTER DATABASE $DB SET log_statement = 'all'"
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true; }
trap cleanup EXIT
MOTCUA_LOG=warn "$BIN" serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$PORT" \
  --database-url "${PG_ADMIN%/*}/$DB" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$PORT"
wait_up "$base"
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
TOKEN=$(login "$base" clerk)
intake() {
  curl -fs -XPOST "$base/api/v1/dossiers" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"procedure":"1.001193","applicant":{"name":"Lê Văn Bé","id_number":"001090054321","email":"be@example.vn"},"documents":[{"code":"TK","original":1},{"code":"GCS","original":1}]}'
}
# Warm up: the first requests prepare statements and fill caches.
for _ in 1 2 3; do reply=$(intake); done
CODE=$(echo "$reply" | json '["code"]') PIN=$(echo "$reply" | json '["pin"]')
curl -fs "$base/api/v1/public/dossiers/$CODE?pin=$PIN" >/dev/null
# The pool's connections may not have proved alive: settle them.
sleep 1.5
count_between() { # marker, then the request; prints the statements
  local mark=$1; shift
  psql "${PG_ADMIN%/*}/$DB" -qAtc "SELECT '$mark-start'" >/dev/null
  "$@" >/dev/null
  psql "${PG_ADMIN%/*}/$DB" -qAtc "SELECT '$mark-end'" >/dev/null
  sleep 0.3
  awk -v s="$mark-start" -v e="$mark-end" -v db="$DB" '
    index($0, s) { on = 1; next }
    index($0, e) { on = 0 }
    on && index($0, "@" db " ") && /(statement|execute [^:]*):/ { sub(/.*(statement|execute [^:]*): /, ""); print }' "$LOG"
}
count_between "intake-$$" intake > "$work/intake.sql"
count_between "lookup-$$" curl -fs "$base/api/v1/public/dossiers/$CODE?pin=$PIN" > "$work/lookup.sql"
echo "== one intake (with an e-mail address, so the receipt mail is written): $(wc -l < "$work/intake.sql") statements"
cut -c1-150 "$work/intake.sql" | sed 's/^/    /'
echo "== one public look-up: $(wc -l < "$work/lookup.sql") statements"
cut -c1-150 "$work/lookup.sql" | sed 's/^/    /'
