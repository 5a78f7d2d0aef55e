#!/usr/bin/env python3
"""Can a client tell an unknown dossier code from a known code with a
wrong PIN by the time the answer takes? (Not a test; run by
scripts/bench-lookup-timing.sh against a release build.)

One keep-alive client sends the two kinds of wrong look-up in pairs,
alternating which goes first: an unknown code, and a real code with a
wrong PIN. Every request names a fresh client in X-Forwarded-For (the
server trusts the loopback proxy) and each real code is guessed at most
four times, so no limit locks and both kinds take the path a guesser
would meet; unknown codes are tried four times each too, so both kinds
create and update their counts alike. The report gives both medians, their difference with a 95 %
bootstrap interval, and how often the better of two simple classifiers
tells the kinds apart: within each pair, "the slower one is the known
code" (50 % is a coin toss).

    lookup_timing.py BASE_URL CODES_FILE [PAIRS]

CODES_FILE has one real dossier code per line.
"""
import random
import statistics
import sys

from rawhttp import Connection


def main():
    base, codes_file = sys.argv[1], sys.argv[2]
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 4000
    codes = [line.split()[0] for line in open(codes_file, encoding="utf-8") if line.strip()]
    conn = Connection(base)
    serial = [0]

    def get(path):
        serial[0] += 1
        n = serial[0]
        client = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {conn.netloc}\r\nX-Forwarded-For: {client}\r\n\r\n"
        ).encode()
        head, elapsed = conn.exchange(request)
        if not head.startswith(b"HTTP/1.1 404"):
            sys.exit(f"{path} answered {head.splitlines()[0]!r}: a limit locked; use more codes")
        return elapsed

    uses = {}

    def known():
        for _ in range(100):
            code = random.choice(codes)
            if uses.get(code, 0) < 4:
                uses[code] = uses.get(code, 0) + 1
                return f"/api/v1/public/dossiers/{code}?pin=ZZZZZZ"
        sys.exit("every code was guessed four times: give more codes or fewer pairs")

    def unknown(i):
        # Each unknown code is tried four times too, as each known one is:
        # the second try of a code updates its count, the first creates it.
        return f"/api/v1/public/dossiers/H53.50.05.13-990101-{i // 4:06d}?pin=ZZZZZZ"

    random.seed(11)
    for i in range(200):  # warm-up
        get(unknown(4 * (900000 + i)))
    a, b = [], []
    for i in range(pairs):
        if i % 2 == 0:
            a.append(get(unknown(i)))
            b.append(get(known()))
        else:
            b.append(get(known()))
            a.append(get(unknown(i)))
    ma, mb = statistics.median(a), statistics.median(b)
    rng = random.Random(7)
    idx = range(pairs)
    boot = sorted(
        statistics.median(b[j] for j in s) - statistics.median(a[j] for j in s)
        for s in ([rng.choice(idx) for _ in idx] for _ in range(300))
    )
    slower_is_known = sum(1 for x, y in zip(a, b) if y > x) / pairs
    told_apart = max(slower_is_known, 1 - slower_is_known)
    print(f"pairs={pairs}")
    print(f"unknown code      p50={ma:.3f} ms  p90={statistics.quantiles(a, n=10)[8]:.3f} ms")
    print(f"known, wrong PIN  p50={mb:.3f} ms  p90={statistics.quantiles(b, n=10)[8]:.3f} ms")
    print(f"difference of medians {1000 * (mb - ma):+.1f} us "
          f"(95 % interval {1000 * boot[7]:+.1f} to {1000 * boot[292]:+.1f} us)")
    print(f"pairs in which the known code was slower: {100 * slower_is_known:.1f} %"
          f" (told apart {100 * told_apart:.1f} % of the time; 50 % is chance)")


if __name__ == "__main__":
    main()
