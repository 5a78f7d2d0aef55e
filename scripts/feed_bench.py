#!/usr/bin/env python3
"""Reads the whole event feed as one subscriber would (not a test).

Driven by scripts/bench-feed.sh, which starts a release build, fills the
feed and passes the server's address and a subscriber's token. Reads page
after page of 1,000 from the beginning until caught up, three times (the
first warms the database's cache), and prints the items per second of
each run in both formats.
"""

import http.client
import json
import sys
import time

HOST, PORT, TOKEN, EXPECTED = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])


def read_all(conn, fmt):
    after, items, started = 0, 0, time.perf_counter()
    while True:
        conn.request("GET", f"/api/v1/feed?after={after}&limit=1000&format={fmt}",
                     headers={"Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, (resp.status, body[:300])
        page = json.loads(body)
        items += len(page["items"])
        after = page["next"]
        if page["caught_up"]:
            return items, time.perf_counter() - started


def main():
    conn = http.client.HTTPConnection(HOST, PORT, timeout=600)
    for fmt in ("desk", "national"):
        for run in range(3):
            items, seconds = read_all(conn, fmt)
            assert items == EXPECTED, (items, EXPECTED)
            label = "warm-up" if run == 0 else f"run {run}"
            print(f"{fmt} {label}: {items} items in {seconds:.2f} s, {items / seconds:,.0f} items/s")
            if run > 0:
                print(f"RESULT feed_{fmt}_items_per_s={items / seconds:.0f}")


if __name__ == "__main__":
    main()
