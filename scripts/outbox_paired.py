#!/usr/bin/env python3
"""Outbox cost, request by request (not a test; run by
scripts/bench-outbox.sh with METHOD=paired).

wrk's rounds compare seconds of intake without an address with the next
seconds of intake with one; on a machine whose speed changes within
seconds, single rounds differ by up to 40 %. Here one keep-alive client
sends the two requests in pairs, alternating which goes first, so every
request with an address has a neighbour without one sent a few
milliseconds before or after it. The report gives both medians, their
ratio with a 95 % bootstrap interval (resampling pairs), and the median of
the pairs' own ratios.

    outbox_paired.py BASE_URL TOKEN [PAIRS]
"""
import random
import re
import statistics
import sys
from pathlib import Path

from rawhttp import Connection

WRK = Path(__file__).resolve().parent / "wrk"


def body(script):
    """The request body of a wrk script, so both tools send the same."""
    text = (WRK / script).read_text(encoding="utf-8")
    return re.search(r"wrk\.body = '(.*)'", text).group(1).encode("utf-8")


def main():
    base, token = sys.argv[1], sys.argv[2]
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 3000
    conn = Connection(base)
    requests = {}
    for kind, script in (("without", "intake.lua"), ("with", "intake_mail.lua")):
        payload = body(script)
        requests[kind] = (
            f"POST /api/v1/dossiers HTTP/1.1\r\nHost: {conn.netloc}\r\n"
            f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload

    def post(kind):
        head, elapsed = conn.exchange(requests[kind])
        if not head.startswith(b"HTTP/1.1 201"):
            sys.exit(f"intake {kind} an address answered {head.splitlines()[0]!r}")
        return elapsed

    for i in range(300):  # warm-up: statements prepared, pages cached
        post("without" if i % 2 else "with")
    without, with_ = [], []
    for i in range(pairs):
        order = ("without", "with") if i % 2 == 0 else ("with", "without")
        got = {kind: post(kind) for kind in order}
        without.append(got["without"])
        with_.append(got["with"])

    def ratio_of_medians(idx):
        return statistics.median(with_[i] for i in idx) / statistics.median(without[i] for i in idx)

    everything = range(pairs)
    rng = random.Random(7)
    boot = sorted(
        ratio_of_medians([rng.randrange(pairs) for _ in everything]) for _ in range(400)
    )
    low, high = boot[int(0.025 * len(boot))], boot[int(0.975 * len(boot)) - 1]
    own = statistics.median(w / o for w, o in zip(with_, without))
    print(f"outbox cost, {pairs} pairs of requests on one connection, alternating order")
    print(f"  intake without address: p50 {statistics.median(without):6.3f} ms  mean {statistics.fmean(without):6.3f} ms")
    print(f"  intake with address:    p50 {statistics.median(with_):6.3f} ms  mean {statistics.fmean(with_):6.3f} ms")
    print(
        f"  added to p50 latency: {100 * (ratio_of_medians(everything) - 1):+.1f}%"
        f" (95% interval {100 * (low - 1):+.1f}% to {100 * (high - 1):+.1f}%)"
    )
    print(f"  added, median of the pairs' own ratios: {100 * (own - 1):+.1f}%")
    print(f"  added to mean latency: {100 * (statistics.fmean(with_) / statistics.fmean(without) - 1):+.1f}%")


if __name__ == "__main__":
    main()
