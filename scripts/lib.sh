# shellcheck shell=bash
# Helpers the benchmark and check scripts share; `source` it from one.
# Each script still starts its own servers (their flags differ): these are
# the steps every one of them repeats.

# Reads JSON on stdin and prints the part `$1` names in Python's
# subscript syntax, for instance json '["access_token"]'.
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Waits up to ten seconds for the server at base URL $1 to answer
# /healthz; returns 1 if it never does.
wait_up() {
  for _ in $(seq 1 100); do
    curl -fs "$1/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server at $1 did not start" >&2
  return 1
}

# Prints an access token of demo user $2 (password "demo") from base URL $1.
login() {
  curl -fs -XPOST "$1/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"demo\"}" | json '["access_token"]'
}
