#!/usr/bin/env python3
"""Intake latency of two builds, request by request (not a test; run by
scripts/bench-two-builds.sh). One keep-alive client per server sends the
same intake to each server in turn, alternating which goes first, so
every request to one build has a neighbour to the other sent a
millisecond before or after it. Prints both medians and 90th percentiles
and the ratio of the medians with a 95 % bootstrap interval.

    intake_two_builds.py BASE_A TOKEN_A BASE_B TOKEN_B [PAIRS]
"""
import random
import re
import statistics
import sys
from pathlib import Path

from rawhttp import Connection

BODY = re.search(
    r"wrk\.body = '(.*)'",
    (Path(__file__).resolve().parent / "wrk" / "intake.lua").read_text(encoding="utf-8"),
).group(1).encode("utf-8")


def client(base, token):
    conn = Connection(base)
    request = (
        f"POST /api/v1/dossiers HTTP/1.1\r\nHost: {conn.netloc}\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY

    def post():
        head, elapsed = conn.exchange(request)
        if not head.startswith(b"HTTP/1.1 201"):
            sys.exit(f"{base} answered {head.splitlines()[0]!r}")
        return elapsed

    return post


def main():
    a = client(sys.argv[1], sys.argv[2])
    b = client(sys.argv[3], sys.argv[4])
    pairs = int(sys.argv[5]) if len(sys.argv) > 5 else 3000
    for _ in range(300):  # warm-up
        a()
        b()
    ta, tb = [], []
    for i in range(pairs):
        if i % 2 == 0:
            ta.append(a())
            tb.append(b())
        else:
            tb.append(b())
            ta.append(a())
    rng = random.Random(7)
    idx = range(pairs)
    boot = sorted(
        statistics.median(tb[j] for j in s) / statistics.median(ta[j] for j in s)
        for s in ([rng.choice(idx) for _ in idx] for _ in range(300))
    )
    for name, t in (("A", ta), ("B", tb)):
        print(f"{name}: p50={statistics.median(t):.3f} ms  p90={statistics.quantiles(t, n=10)[8]:.3f} ms")
    ratio = statistics.median(tb) / statistics.median(ta)
    print(f"B/A p50 = {100 * (ratio - 1):+.1f} % (95 % interval {100 * (boot[7] - 1):+.1f} to {100 * (boot[292] - 1):+.1f} %)")


if __name__ == "__main__":
    main()
