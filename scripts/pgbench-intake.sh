#!/usr/bin/env bash
# Counter-intake throughput of motcua beside PostgreSQL's own ceiling for the
# same work (not a test). For each build: a server with demo data on a fresh
# database; the statements PostgreSQL receives for one intake, captured as
# scripts/count-statements.sh does (log_statement = all on that database,
# between marker queries; three intakes, the statements two send alike
# replayed); those statements turned into pgbench scripts by
# scripts/intake_pgbench.py; then, on that same database, POST
# /api/v1/dossiers from CONNECTIONS keep-alive connections for SECONDS and
# pgbench replaying the intake from as many connections for as long, twice:
# with the statements PREPAREd once per connection and EXECUTEd, as the
# server's connections do, and with every statement sent as text (simple
# protocol). The table gives each build's statements per intake, intakes/s,
# pgbench transactions/s, and the share of pgbench's rate the server reaches.
# With two builds the measurements alternate (A B, then B A, ...) so the
# machine's noise falls on both.
#
#   scripts/pgbench-intake.sh NEW_BINARY [OLD_BINARY] [SECONDS]   # SECONDS: 10
#   ROUNDS=3 CONNECTIONS=8 INTAKE=intake_mail scripts/pgbench-intake.sh ...
#
# ROUNDS (default 2): measurements of each kind per build, each SECONDS long.
# INTAKE: the body of scripts/wrk/INTAKE.lua (intake, the default, or
# intake_mail, which also writes the receipt mail to the outbox).
# KEEP=DIR: copy the generated pgbench scripts there.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 NEW_BINARY [OLD_BINARY] [SECONDS]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 3 ]; then usage; fi
NEW=$1 OLD="" SECONDS_EACH=10
if [ $# -eq 2 ] && [[ $2 =~ ^[0-9]+$ ]] && [ ! -e "$2" ]; then SECONDS_EACH=$2
elif [ $# -ge 2 ]; then OLD=$2 SECONDS_EACH=${3:-10}; fi
[[ $SECONDS_EACH =~ ^[1-9][0-9]*$ ]] || usage
ROUNDS=${ROUNDS:-2} CONNECTIONS=${CONNECTIONS:-4} JOBS=${JOBS:-2} INTAKE=${INTAKE:-intake}
[ "$JOBS" -le "$CONNECTIONS" ] || JOBS=$CONNECTIONS
# Each pgbench run has its own number in the ids it writes (1 to 89).
[ $((ROUNDS * 2 + 2)) -lt 90 ] || { echo "ROUNDS must be at most 43" >&2; exit 2; }
PG_ADMIN=${MOTCUA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PORT=${PORT:-18111}
names=(new) bins=("$(realpath "$NEW")")
if [ -n "$OLD" ]; then names+=(old) bins+=("$(realpath "$OLD")"); fi
for b in "${bins[@]}"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done
command -v pgbench >/dev/null || { echo "pgbench not found (apt-get install postgresql-client)" >&2; exit 2; }
BODY_LUA=scripts/wrk/$INTAKE.lua
[ -f "$BODY_LUA" ] || { echo "no such intake body: $BODY_LUA" >&2; exit 2; }

bash scripts/ensure-postgres.sh >/dev/null
LOG=$(psql "$PG_ADMIN" -Atc "SELECT pg_current_logfile()" 2>/dev/null || true)
if [ -z "$LOG" ]; then
  LOG=$(find /var/log/postgresql -name 'postgresql-*.log' -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
fi
[ -f "$LOG" ] || LOG="$(psql "$PG_ADMIN" -Atc 'SHOW data_directory')/$LOG"

work=$(mktemp -d)
sed -n "s/^wrk\.body = '\(.*\)'$/\1/p" "$BODY_LUA" > "$work/body.json"
[ -s "$work/body.json" ] || { echo "no wrk.body in $BODY_LUA" >&2; exit 2; }
pids=() dbs=() urls=() bases=() tokens=() runs=()
errors=()
cleanup() {
  for p in "${pids[@]}"; do if [ -n "$p" ]; then kill "$p" 2>/dev/null || true; fi; done
  for db in "${dbs[@]}"; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

start() { # index: the build's server on its database
  local i=$1
  MOTCUA_LOG=warn "${bins[i]}" serve --demo --no-mail --breach-interval 0 --bind "127.0.0.1:$((PORT + i))" \
    --database-url "${urls[i]}" >>"$work/server-${names[i]}.log" 2>&1 &
  pids[i]=$!
  for _ in $(seq 1 100); do curl -fs "${bases[i]}/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "${names[i]}: the server did not start:" >&2; cat "$work/server-${names[i]}.log" >&2; exit 1
}
stop() { kill "${pids[$1]}"; wait "${pids[$1]}" 2>/dev/null || true; pids[$1]=""; }
intake() { # index
  curl -fsS -XPOST "${bases[$1]}/api/v1/dossiers" -H "authorization: Bearer ${tokens[$1]}" \
    -H 'content-type: application/json' --data-binary "@$work/body.json"
}
mark() { psql "${urls[$1]}" -qAtc "SELECT '$2'" >/dev/null; }

prepare() { # index: database, server, token, captured statements, pgbench scripts
  local i=$1 name=${names[$1]} offset
  dbs[i]=motcua_pgbench_$name
  urls[i]=${PG_ADMIN%/*}/${dbs[i]}
  bases[i]=http://127.0.0.1:$((PORT + i))
  runs[i]=0
  psql "$PG_ADMIN" -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS ${dbs[i]} WITH (FORCE)" -c "CREATE DATABASE ${dbs[i]}" \
    -c "ALTER DATABASE ${dbs[i]} SET log_statement = 'all'" \
    -c "ALTER DATABASE ${dbs[i]} SET log_parameter_max_length = -1"
  start "$i"
  tokens[i]=$(login "${bases[i]}" clerk)
  # Warm up: the first requests prepare statements and fill caches.
  for _ in 1 2 3 4 5; do intake "$i" >/dev/null; done
  # The pool's connections may not have proved alive: settle them.
  sleep 1.5
  offset=$(stat -c %s "$LOG")
  local m=pgbench-intake-$$-$name
  # Three intakes: what differs between two alike is what each intake
  # makes new; one unlike the others sent something occasional.
  for n in 1 2 3; do
    mark "$i" "$m-$n-start"; intake "$i" > "$work/$name.reply.$n"; mark "$i" "$m-$n-end"
    psql "${urls[i]}" -qAt -F $'\t' -c "SELECT name, value FROM counters" > "$work/$name.counters.$n"
  done
  sleep 0.3
  echo "== $name: ${bins[i]}"
  python3 scripts/intake_pgbench.py script --log "$LOG" --offset "$offset" --db "${dbs[i]}" --mark "$m" \
    --reply "$work/$name.reply" --counters "$work/$name.counters" --url "${urls[i]}" --out "$work/$name"
  # The server's connections keep log_statement = all: restart it without.
  # The token stays good (the signing secret and the session are in the
  # database), so the load runs in the session the statements were captured in.
  stop "$i"
  psql "$PG_ADMIN" -qc "ALTER DATABASE ${dbs[i]} RESET log_statement" \
    -c "ALTER DATABASE ${dbs[i]} RESET log_parameter_max_length"
  start "$i"
  for _ in 1 2 3 4 5; do intake "$i" >/dev/null; done
  # Each script once, one transaction, to fail early if it cannot replay.
  for mode in prepared simple; do
    runs[i]=$((runs[i] + 1))
    if ! pgbench -n -f "$work/$name.$mode.sql" -t 1 -c 1 -D "pgb_run=${runs[i]}" -D pgb_k=0 -D pgb_prepared=0 \
         "${urls[i]}" >"$work/check.txt" 2>&1; then
      echo "!! $name: the $mode pgbench script does not replay:" >&2; cat "$work/check.txt" >&2
      exit 1
    fi
  done
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$work/$name".{simple,prepared}.sql "$KEEP/"; fi
  printf '%s\t0\tstatements\t%s\t0\n' "$name" "$(cat "$work/$name.count")" >> "$work/results.tsv"
}

settle() { # index: the same start for every measurement
  psql "${urls[$1]}" -qc "VACUUM ANALYZE" -c "CHECKPOINT"
  sleep 1
}

measure_server() { # index round
  local i=$1 name=${names[$1]} out
  settle "$i"
  out=$(python3 scripts/intake_pgbench.py load "${bases[i]}" "${tokens[i]}" "$SECONDS_EACH" "$CONNECTIONS" "$work/body.json")
  printf '%s\t%s\tserver\t%s\t%s\n' "$name" "$2" "$(echo "$out" | json '["created"]')" \
    "$(echo "$out" | json '["seconds"]')" >> "$work/results.tsv"
  printf '   %-4s round %s  server          %8.1f intakes/s\n' "$name" "$2" "$(echo "$out" | json '["rate"]')"
  while IFS= read -r e; do [ -n "$e" ] && errors+=("$name round $2, server: $e"); done \
    < <(echo "$out" | python3 -c 'import json,sys; [print(f"{n} x {k}") for k, n in json.load(sys.stdin)["errors"].items()]')
  return 0
}

measure_pgbench() { # index round mode
  local i=$1 name=${names[$1]} mode=$3 tps done_
  settle "$i"
  runs[i]=$((runs[i] + 1))
  if ! pgbench -n -f "$work/$name.$mode.sql" -c "$CONNECTIONS" -j "$JOBS" -T "$SECONDS_EACH" \
       -D "pgb_run=${runs[i]}" -D pgb_k=0 -D pgb_prepared=0 "${urls[i]}" >"$work/pgbench.txt" 2>&1; then
    errors+=("$name round $2, pgbench $mode: $(grep -m3 -i 'error\|abort' "$work/pgbench.txt" | tr '\n' ' ')")
  fi
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/pgbench.txt")
  done_=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.txt")
  if [ -z "$tps" ] || [ -z "$done_" ]; then
    errors+=("$name round $2, pgbench $mode: no result"); cat "$work/pgbench.txt" >&2; return 0
  fi
  if grep -q '^number of failed transactions: [1-9]' "$work/pgbench.txt"; then
    errors+=("$name round $2, pgbench $mode: $(grep '^number of failed' "$work/pgbench.txt")")
  fi
  # The rate pgbench reports, as a count over seconds for the summary.
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$mode" "$tps" 1 >> "$work/results.tsv"
  printf '   %-4s round %s  pgbench %-8s%8.1f transactions/s (%s)\n' "$name" "$2" "$mode" "$tps" "$done_"
}

: > "$work/results.tsv"
for i in "${!names[@]}"; do prepare "$i"; done
echo "== measuring: $CONNECTIONS connections (pgbench -j $JOBS), $SECONDS_EACH s each, $ROUNDS round(s), body of $BODY_LUA"
echo "   $(nproc) CPUs for the server, PostgreSQL and the load alike; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
order=("${!names[@]}")
for round in $(seq 1 "$ROUNDS"); do
  # Builds and kinds of measurement in turn, reversed every other round.
  kinds=(server prepared simple)
  if [ $((round % 2)) -eq 0 ]; then
    kinds=(simple prepared server)
    order=(); for ((k = ${#names[@]} - 1; k >= 0; k--)); do order+=("$k"); done
  else
    order=("${!names[@]}")
  fi
  for i in "${order[@]}"; do
    for kind in "${kinds[@]}"; do
      if [ "$kind" = server ]; then measure_server "$i" "$round"; else measure_pgbench "$i" "$round" "$kind"; fi
    done
  done
done
python3 scripts/intake_pgbench.py report "$work/results.tsv" "$SECONDS_EACH" "$CONNECTIONS" "$ROUNDS"
if [ ${#errors[@]} -gt 0 ]; then
  echo "== errors"
  printf '   %s\n' "${errors[@]}"
  exit 1
fi
