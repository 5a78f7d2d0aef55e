#!/usr/bin/env python3
"""Benchmark of dossier files against a running server (not a test).

Driven by scripts/bench-files.sh, which starts a release build on SQLite
with the folder storage and passes its address and process id. Three
measures, each as a comparison within this one run (the machine is noisy):

1. Added time: one client uploads, in alternation, a 1 KB scan and a 2 MB
   scan (fresh bytes each time) to a dossier; the difference of the median
   latencies is what 2 MB adds to the request (target: at most 20 ms).
2. Memory while uploading: 32 clients each upload scans at once, first of
   2 MB then of 8 MB; the server's peak resident memory above its level
   before each phase. Streamed uploads grow by about the same for both
   sizes; holding each file in memory would grow by 32 x the size.
3. Memory while downloading: 32 clients each download a 1 MB file, then an
   8 MB file, at once; the same comparison, and the time to the first byte
   against the time to the last (a streamed download starts at once).
"""

import http.client
import json
import random
import statistics
import sys
import threading
import time

HOST, PORT, PID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CLIENTS = 32
BOUNDARY = "motcuaBench7MA4YWxkTrZu0gW"
KB, MB = 1024, 1024 * 1024


def request(conn, method, path, token=None, body=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    return resp.status, resp.read()


def connect():
    return http.client.HTTPConnection(HOST, PORT, timeout=600)


def login(user):
    status, body = request(
        connect(), "POST", "/api/v1/auth/token",
        body=json.dumps({"username": user, "password": "demo"}),
        headers={"Content-Type": "application/json"})
    assert status == 200, body
    return json.loads(body)["access_token"]


def take_in(token, n):
    dossier = {
        "procedure": "1.001193",
        "applicant": {"name": "Lê Văn Bé", "id_number": f"0010900{n:05d}"},
        "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}],
    }
    status, body = request(
        connect(), "POST", "/api/v1/dossiers", token, json.dumps(dossier),
        {"Content-Type": "application/json"})
    assert status == 201, body
    return json.loads(body)["code"]


def scan(size, rng):
    """A PDF of `size` bytes that compresses like a scan (random bytes)."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    return head + rng.randbytes(size - len(head) - len(tail)) + tail


def multipart(name, data):
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def upload(conn, token, code, data):
    body = multipart("scan.pdf", data)
    start = time.perf_counter()
    status, answer = request(
        conn, "POST", f"/api/v1/dossiers/{code}/files?document=TK", token, body,
        {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    elapsed = time.perf_counter() - start
    assert status == 201, (status, answer[:300])
    return elapsed, json.loads(answer)


def rss_kb():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class PeakRss:
    """Samples the server's resident memory every 10 ms while it runs."""

    def __enter__(self):
        self.base = rss_kb()
        self.peak = self.base
        self.running = True
        self.thread = threading.Thread(target=self._sample)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss_kb())
            time.sleep(0.01)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_kb())

    @property
    def growth_mb(self):
        return (self.peak - self.base) / 1024


def in_parallel(work):
    """Runs work(i) in CLIENTS threads at once; returns the wall time."""
    errors = []

    def run(i):
        try:
            work(i)
        except Exception as e:  # reported after the join
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def added_time(token):
    rng = random.Random(1)
    code = take_in(token, 1)
    conn = connect()
    small, large = [], []
    for i in range(60):
        pair = [(small, 1 * KB), (large, 2 * MB)]
        if i % 2:
            pair.reverse()
        for into, size in pair:
            elapsed, _ = upload(conn, token, code, scan(size, rng))
            if i >= 10:  # the first ten pairs warm up
                into.append(elapsed * 1000)
    s, l = statistics.median(small), statistics.median(large)
    print(f"upload 1 KB: median {s:.1f} ms, p90 {statistics.quantiles(small, n=10)[-1]:.1f} ms")
    print(f"upload 2 MB: median {l:.1f} ms, p90 {statistics.quantiles(large, n=10)[-1]:.1f} ms")
    print(f"RESULT added_ms_2mb={l - s:.1f} (target <= 20)")


def upload_memory(token, codes):
    seeds = iter(range(1000, 10**6))
    for label, size, rounds in [("warm-up 2 MB", 2 * MB, 2), ("2 MB", 2 * MB, 3), ("8 MB", 8 * MB, 3)]:
        scans = [[scan(size, random.Random(next(seeds))) for _ in range(rounds)] for _ in range(CLIENTS)]

        def work(i):
            conn = connect()
            for data in scans[i]:
                upload(conn, token, codes[i], data)

        with PeakRss() as peak:
            wall = in_parallel(work)
        total = CLIENTS * rounds * size / MB
        print(f"{CLIENTS} clients uploading {label}: {total:.0f} MB in {wall:.1f} s, "
              f"peak RSS +{peak.growth_mb:.1f} MB (held in memory: +{CLIENTS * size / MB:.0f} MB)")
        if label != "warm-up 2 MB":
            print(f"RESULT upload_rss_growth_mb_{label.split()[0]}mb={peak.growth_mb:.1f}")


def download_memory(token, codes):
    rng = random.Random(7)
    conn = connect()
    files = {}
    for size in (1 * MB, 8 * MB):
        _, answer = upload(conn, token, codes[0], scan(size, rng))
        files[size] = answer["download_url"]
    for label, size in [("warm-up 1 MB", 1 * MB), ("1 MB", 1 * MB), ("8 MB", 8 * MB)]:
        first, last = [], []

        def work(i):
            c = connect()
            for _ in range(3):
                start = time.perf_counter()
                c.request("GET", files[size], headers={"Authorization": f"Bearer {token}"})
                resp = c.getresponse()
                chunk = resp.read(64 * KB)
                first.append(time.perf_counter() - start)
                got = len(chunk)
                while chunk:
                    chunk = resp.read(64 * KB)
                    got += len(chunk)
                last.append(time.perf_counter() - start)
                assert resp.status == 200 and got == size, (resp.status, got)

        with PeakRss() as peak:
            in_parallel(work)
        print(f"{CLIENTS} clients downloading {label}: first 64 KB after median "
              f"{statistics.median(first) * 1000:.0f} ms, all after {statistics.median(last) * 1000:.0f} ms; "
              f"peak RSS +{peak.growth_mb:.1f} MB (held in memory: +{CLIENTS * size / MB:.0f} MB)")
        if not label.startswith("warm-up"):
            print(f"RESULT download_rss_growth_mb_{label.split()[0]}mb={peak.growth_mb:.1f}")


def main():
    token = login("clerk")
    print(f"server pid {PID}, resident {rss_kb() / 1024:.1f} MB at start")
    added_time(token)
    codes = [take_in(token, 100 + i) for i in range(CLIENTS)]
    upload_memory(token, codes)
    download_memory(token, codes)


if __name__ == "__main__":
    main()
