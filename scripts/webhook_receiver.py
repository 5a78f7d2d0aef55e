#!/usr/bin/env python3
"""A webhook receiver for the benchmark (not a test; run by
scripts/bench-webhooks.sh), written on asyncio alone so that it is quicker
than the desk it measures. It checks every post's signature with the
standard library (HMAC-SHA256 over "t.body", compared in constant time),
and once it has EXPECTED distinct event ids it prints how long they took
from the first post, the rate, the repeats, the bad signatures and the
dossiers whose changes came out of order, then exits.

    webhook_receiver.py PORT SECRET EXPECTED
"""
import asyncio
import hashlib
import hmac
import json
import sys
import time

PORT, SECRET, EXPECTED = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
seen = set()
last_by_dossier = {}
stats = {"posts": 0, "bad_signatures": 0, "out_of_order": 0, "first": None, "last": None}
done = asyncio.Event()


def check(headers, body):
    parts = dict(p.split("=", 1) for p in headers.get("motcua-signature", "").split(",") if "=" in p)
    tag = hmac.new(SECRET, parts.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(tag, parts.get("v1", "")):
        stats["bad_signatures"] += 1
    event = int(headers.get("motcua-event-id", "0"))
    dossier = json.loads(body)["item"]["dossier_code"]
    if event < last_by_dossier.get(dossier, 0):
        stats["out_of_order"] += 1
    last_by_dossier[dossier] = event
    seen.add(event)


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            now = time.perf_counter()
            stats["first"] = stats["first"] or now
            stats["posts"] += 1
            check(headers, body)
            writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
            if len(seen) >= EXPECTED and stats["last"] is None:
                stats["last"] = now
                done.set()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    except asyncio.CancelledError:
        # The run is over and the server closes with the desk's
        # connections still open: nothing to report.
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=512)
    print("listening", flush=True)
    async with server:
        await done.wait()
    seconds = stats["last"] - stats["first"]
    print(
        f"events {len(seen)} posts {stats['posts']} seconds {seconds:.2f} "
        f"events_per_second {len(seen) / seconds:.0f} repeats {stats['posts'] - len(seen)} "
        f"bad_signatures {stats['bad_signatures']} out_of_order {stats['out_of_order']}",
        flush=True,
    )


asyncio.run(main())
