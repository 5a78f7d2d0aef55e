#!/usr/bin/env bash
# The test suite at several instants (not part of CI's command): every
# test binary under libfaketime at each instant given (UTC), by default
# before office hours, at lunch, on a weekend and on the eve of Tết.
#
#   scripts/test-at-hours.sh ["2026-12-07 22:00:00" ...]
#   ONLY='^(files|service_index)-' scripts/test-at-hours.sh   # some binaries
#
# Only the wall clock is faked (FAKETIME_DONT_FAKE_MONOTONIC=1): Rust's
# timed waits sleep until an absolute time of the monotonic clock, which
# the kernel reads unfaked, so a faked monotonic clock makes every timed
# wait (a background thread's interval, a pool's timeout) wait forever.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v faketime >/dev/null || { apt-get update -qq && apt-get install -y -qq faketime >/dev/null; }
if [ $# -eq 0 ]; then
  set -- "2026-12-07 22:00:00" "2026-12-08 05:00:00" "2026-12-05 03:00:00" "2026-02-13 11:00:00"
  # Tue 05:00, Tue 12:00, Sat 10:00 and Fri 18:00 before Tết (14-22 Feb), Vietnam time.
fi
bins=$(cargo test --workspace --locked --no-run --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        print(m["executable"], m["manifest_path"])
')
failed=0
for at in "$@"; do
  fails=0
  while read -r bin manifest; do
    if [ -n "${ONLY:-}" ] && ! [[ $(basename "$bin") =~ $ONLY ]]; then continue; fi
    if ! out=$(cd "$(dirname "$manifest")" && FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$at" "$bin" 2>&1); then
      fails=$((fails + 1))
      echo "FAIL at $at: $(basename "$bin")"
      echo "$out" | grep -E "^test .* FAILED|panicked at" | head -20
    fi
  done <<< "$bins"
  echo "== $at UTC: $fails test binaries failed"
  failed=$((failed + fails))
done
exit $((failed > 0))
