#!/usr/bin/env python3
"""Helper of scripts/pgbench-intake.sh (not a test). Three commands:

    intake_pgbench.py script --log LOG --offset N --db DB --mark MARK \\
        --reply REPLY --counters COUNTERS --url URL --out PREFIX [--captures 3]
    intake_pgbench.py load BASE TOKEN SECONDS CONNECTIONS BODY.json
    intake_pgbench.py report RESULTS.tsv SECONDS CONNECTIONS ROUNDS

script: reads the statements PostgreSQL logged (log_statement = all) for
intakes sent one after the other, each between the marker queries
`SELECT 'MARK-1-start'` and `SELECT 'MARK-1-end'` (then -2-, -3-), with
the server's reply in REPLY.1, ... and the counters table after it in
COUNTERS.1, ...; takes the statements most of them sent (one may carry
something occasional, such as a pool's check of an idle connection) and
writes two pgbench scripts replaying that intake: PREFIX.simple.sql
(parameters written into the statement text as typed literals, sent with
the simple protocol) and PREFIX.prepared.sql (each statement the server
ran as a prepared statement is PREPAREd once per pgbench connection and
run with EXECUTE, as the server's connections reuse theirs). Values two
intakes differ in and that must be unique (the dossier's id, its code,
its tracking-book entry) become per-transaction pgbench values; the rest
are replayed as captured. Prints the statements and what it changed.

load: POSTs the intake body to BASE/api/v1/dossiers from CONNECTIONS
keep-alive connections for SECONDS; prints one JSON line (201s, seconds,
other answers).

report: the summary table of the measurements.

One file of about 600 lines, longer than the project's usual, because the
three commands share the parsing of PostgreSQL's log and of the replayed
values; split, each part would repeat it.
"""
import argparse
import collections
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?$")
TIMESTAMPTZ_RE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:?\d\d)?|Z)$")
INT_RE = re.compile(r"^-?\d+$")
# Variables pgbench itself defines, and ours: a captured value naming one
# of them (":client_id") would be replaced when pgbench sends the text.
PGBENCH_VARS = ("client_id", "default_seed", "random_seed", "scale", "pgb_")
# The dossier code's sequence, as DossierCode formats it ({:04}): the
# thousands and above, then three digits.
CODE_DIGITS = ":pgb_d1:pgb_d2:pgb_d3:pgb_d4"


# --------------------------------------------------------------- the log --

def read_log(path, offset, db):
    """The log's messages for database `db` from byte `offset` on: a list
    of [severity, message], continuation lines (stderr logging starts them
    with a tab) joined back with newlines."""
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", errors="replace")
    head = re.compile(r"^(?P<pre>.*?)\b(?P<sev>LOG|DETAIL|ERROR|STATEMENT|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC):  (?P<msg>.*)$")
    records, current = [], None
    for line in text.split("\n"):
        if line.startswith("\t"):
            if current is not None:
                current[1] += "\n" + line[1:]
            continue
        m = head.match(line)
        if not m or f"@{db} " not in m.group("pre") + " ":
            current = None
            continue
        current = [m.group("sev"), m.group("msg")]
        records.append(current)
    return records


def statements(records):
    """[(kind, text, params)] from log records: kind "execute" (extended
    protocol, a prepared statement with parameters in the DETAIL line) or
    "statement" (simple protocol)."""
    out = []
    for sev, msg in records:
        if sev == "LOG":
            m = re.match(r"(statement|execute [^:]*): ", msg, re.S)
            if m:
                kind = "statement" if m.group(1) == "statement" else "execute"
                out.append([kind, msg[m.end():], []])
        elif sev == "DETAIL" and msg.startswith("parameters: ") and out:
            out[-1][2] = parse_params(msg[len("parameters: "):])
    return out


def parse_params(s):
    """`$1 = 'a''b', $2 = NULL` -> ["a'b", None] (values as PostgreSQL
    logged them: text, quotes doubled)."""
    values, i = {}, 0
    while i < len(s):
        m = re.compile(r"\$(\d+) = ").match(s, i)
        if not m:
            raise ValueError(f"cannot read parameters at: {s[i:i + 80]!r}")
        n, i = int(m.group(1)), m.end()
        if s.startswith("NULL", i):
            values[n], i = None, i + 4
        elif s[i] == "'":
            j, buf = i + 1, []
            while True:
                k = s.index("'", j)
                buf.append(s[j:k])
                if s.startswith("''", k):
                    buf.append("'")
                    j = k + 2
                else:
                    j = k + 1
                    break
            values[n], i = "".join(buf), j
        else:
            raise ValueError(f"unexpected parameter value at: {s[i:i + 80]!r}")
        if s.startswith(", ", i):
            i += 2
    if sorted(values) != list(range(1, len(values) + 1)):
        raise ValueError(f"parameters not numbered 1..n: {sorted(values)}")
    return [values[n] for n in sorted(values)]


def between(stmts, mark):
    """The statements after `SELECT 'mark-start'` and before `SELECT 'mark-end'`."""
    start = end = None
    for i, (_, text, _) in enumerate(stmts):
        if text.strip() == f"SELECT '{mark}-start'":
            start = i
        elif text.strip() == f"SELECT '{mark}-end'" and start is not None:
            end = i
            break
    if start is None or end is None:
        sys.exit(f"markers {mark}-start/-end not found in the log")
    return stmts[start + 1:end]


# -------------------------------------------------------------- SQL text --

def quote(value):
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def quoted_end(text, i):
    """The index just past the quoted string or identifier starting at i."""
    c, j, n = text[i], i + 1, len(text)
    while j < n:
        if text[j] == c:
            if j + 1 < n and text[j + 1] == c:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def substitute(text, literals):
    """Replaces $n outside quoted strings and identifiers by literals[n-1]."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = quoted_end(text, i)
            out.append(text[i:j])
            i = j
        elif c == "$" and i + 1 < n and text[i + 1].isdigit() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            j = i + 1
            while j < n and text[j].isdigit():
                j += 1
            out.append(literals[int(text[i + 1:j]) - 1])
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def one_command(text):
    """A pgbench script command: no trailing semicolon; semicolons between
    several statements of one simple query become `\\;` so they still go
    in one query."""
    text = text.strip().rstrip(";").rstrip()
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            j = quoted_end(text, i)
            out.append(text[i:j])
            i = j
        elif c == ";":
            out.append("\\;")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def array_elements(value):
    """The elements of a one-dimensional array literal, or None."""
    if not (value.startswith("{") and value.endswith("}")):
        return None
    try:
        json.loads(value)
        return None  # a JSON object, not an array
    except ValueError:
        pass
    body, items, i = value[1:-1], [], 0
    if not body:
        return []
    while i <= len(body):
        if i < len(body) and body[i] == '"':
            j, buf = i + 1, []
            while body[j] != '"':
                if body[j] == "\\":
                    j += 1
                buf.append(body[j])
                j += 1
            items.append("".join(buf))
            i = j + 1
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            raw = body[i:j]
            if "{" in raw:
                return None
            items.append(None if raw == "NULL" else raw)
            i = j
        if i < len(body) and body[i] != ",":
            return None
        i += 1
    return items


def guess_array_type(value):
    items = array_elements(value)
    if items is None:
        return None
    items = [x for x in items if x is not None]
    for pattern, name in ((TIMESTAMP_RE, "timestamp[]"), (TIMESTAMPTZ_RE, "timestamptz[]"),
                          (INT_RE, "bigint[]")):
        if items and all(pattern.match(x) for x in items):
            return name
    if items and all(x in ("t", "f") for x in items):
        return "boolean[]"
    return "text[]"


def infer_types(url, text, params):
    """The parameter types PostgreSQL gives the statement (PREPARE, then
    pg_prepared_statements), and whether some had to be guessed: where it
    cannot infer a type (unnest($1): polymorphic) the array-looking
    parameters get the type their elements look like."""
    def prepare(hints):
        decl = f" ({', '.join(hints)})" if hints else ""
        sql = (f"PREPARE pgb_types{decl} AS {text};\n"
               "SELECT t::text FROM pg_prepared_statements, unnest(parameter_types) WITH ORDINALITY AS u(t, n) "
               "WHERE name = 'pgb_types' ORDER BY n")
        r = subprocess.run(["psql", "-X", "-q", "-At", url, "-c", sql], capture_output=True, text=True)
        return (r.stdout.splitlines(), None) if r.returncode == 0 else (None, r.stderr.strip())

    types, err = prepare([])
    if types is not None:
        return types, []
    hints = [guess_array_type(v) if v is not None else None for v in params]
    guessed = [i for i, h in enumerate(hints) if h]
    if guessed:
        types, err2 = prepare([h or "unknown" for h in hints])
        if types is not None:
            return types, guessed
        err = err2
    return None, err


# ---------------------------------------------------------------- script --

def build_scripts(a):
    records = read_log(a.log, a.offset, a.db)
    stmts = statements(records)
    captures = [between(stmts, f"{a.mark}-{n}") for n in range(1, a.captures + 1)]
    shape = [tuple((k, t) for k, t, _ in c) for c in captures]
    # The intake replayed: the shape most captures share (the last of them,
    # the warmest), compared with the one before it for what each intake
    # makes new. A capture of another shape sent something occasional,
    # such as a pool's check of a connection left idle.
    common = collections.Counter(shape).most_common(1)[0][0]
    same = [n for n, sh in enumerate(shape) if sh == common]
    if len(same) < 2:
        print("!! no two captured intakes sent the same statements:", file=sys.stderr)
        for n, c in enumerate(captures):
            print(f"   intake {n + 1}: " + " | ".join(" ".join(t.split())[:60] for _, t, _ in c), file=sys.stderr)
        sys.exit(1)
    two, one = captures[same[-2]], captures[same[-1]]
    odd = []
    for n, sh in enumerate(shape):
        if sh != common:
            extra = collections.Counter(sh) - collections.Counter(common)
            missing = collections.Counter(common) - collections.Counter(sh)
            odd.append(f"captured intake {n + 1} of {len(shape)} differed:"
                       + "".join(f" +{c}x {' '.join(t.split())[:80]!r}" for (_, t), c in extra.items())
                       + "".join(f" -{c}x {' '.join(t.split())[:80]!r}" for (_, t), c in missing.items())
                       + "; not replayed")
    notes, kept = [], []
    reply = json.loads(Path(f"{a.reply}.{same[-1] + 1}").read_text(encoding="utf-8"))
    code = reply.get("code")
    counters_after = {}
    for line in Path(f"{a.counters}.{same[-1] + 1}").read_text(encoding="utf-8").splitlines():
        name, value = line.rsplit("\t", 1)
        counters_after[name] = int(value)

    # The counter increments (INSERT … RETURNING value) and the value each
    # returned in the first intake: the counter's value after the intake,
    # less the increments still to come.
    counter_stmts = [i for i, (k, t, p) in enumerate(one)
                     if "counters" in t and "RETURNING" in t and p and p[0] in counters_after]
    returned, seen = {}, collections.Counter()
    total = collections.Counter(one[i][2][0] for i in counter_stmts)
    for i in counter_stmts:
        name = one[i][2][0]
        returned[i] = counters_after[name] - total[name] + 1 + seen[name]
        seen[name] += 1
    gset = set()

    # Ids the intake created: UUIDs in the replayed intake's values and not
    # in the other's (the clerk's, the session's are in both).
    def uuids(stmts_):
        return {u for _, _, p in stmts_ for v in p if v for u in UUID_RE.findall(v)}
    fresh = sorted(uuids(one) - uuids(two), key=lambda u: min(
        i for i, (_, _, p) in enumerate(one) if any(v and u in v for v in p)))
    fresh_map, prefixes = {}, set()
    for u in fresh:
        prefix = u[:24]
        while prefix in prefixes:  # two ids of one millisecond: tell them apart
            prefix = prefix[:22] + "%x" % ((int(prefix[22], 16) + 1) % 16) + "-"
        prefixes.add(prefix)
        fresh_map[u] = prefix + ":pgb_u"

    code_counter = None
    if code and re.match(r"^[A-Z0-9.]+-\d{6}-\d{4,}$", code):
        seq = int(code.rsplit("-", 1)[1])
        cands = [i for i in counter_stmts if returned[i] == seq]
        cands.sort(key=lambda i: not one[i][2][0].startswith("dossier:"))
        if cands:
            code_counter = cands[0]
            gset.add(code_counter)
    if code and code_counter is None:
        notes.append(f"the dossier code {code} matches no counter increment: replayed as captured (unique: the replay will fail)")

    # Each value: replaced if the two intakes differ in it and it is one of
    # those above; otherwise replayed as captured.
    new_params = []
    for si, ((kind, text, p1), (_, _, p2)) in enumerate(zip(one, two)):
        out = []
        for pi, v1 in enumerate(p1):
            v2 = p2[pi] if pi < len(p2) else None
            v = v1
            if v is not None and v1 != v2:
                if INT_RE.match(v):
                    cands = [i for i in counter_stmts if i < si and returned[i] == int(v)]
                    cands.sort(key=lambda i: (not one[i][2][0].startswith("book:"), -i))
                    if cands:
                        v = f":pgb_c{cands[0] + 1}_value"
                        gset.add(cands[0])
                if code_counter is not None and code in v:
                    prefix = code.rsplit("-", 1)[0]
                    for m in re.finditer(re.escape(code), v):
                        after = v[m.end():m.end() + 1]
                        if after and (after.isalnum() or after == "_"):
                            sys.exit(f"statement {si + 1} ${pi + 1}: the code is followed by {after!r}, which pgbench would read as part of a variable name")
                    v = v.replace(code, f"{prefix}-{CODE_DIGITS}")
                for u, repl in fresh_map.items():
                    v = v.replace(u, repl)
                if v == v1:
                    kept.append((si, pi, v1))
            if v1 is not None:
                for name in PGBENCH_VARS:
                    if ":" + name in v1:
                        notes.append(f"statement {si + 1} ${pi + 1} contains ':{name}', which pgbench will take for a variable")
            out.append(v)
        new_params.append(out)

    # Types, one PREPARE per distinct statement text.
    types_of, guessed_of = {}, {}
    for si, (kind, text, p) in enumerate(one):
        if p and text not in types_of:
            types, guessed = infer_types(a.url, text, p)
            if types is None:
                notes.append(f"statement {si + 1}: PostgreSQL could not type its parameters ({guessed}); "
                             "replayed with untyped literals")
                types, guessed = [None] * len(p), []
            types_of[text], guessed_of[text] = types, guessed
            if guessed:
                notes.append(f"statement {si + 1}: PostgreSQL cannot infer the types of "
                             + ", ".join(f"${i + 1}" for i in guessed)
                             + " (the server's driver sends them); cast to the types their values look like: "
                             + ", ".join(f"${i + 1} {types[i]}" for i in guessed))

    def literal(v, t):
        lit = quote(v)
        return f"{lit}::{t}" if t else lit

    def end(si):
        """How a command ends: \\gset (keeping the counter's value) or ;."""
        return f" \\gset pgb_c{si + 1}_" if si in gset else ";"

    def after(si):
        if si != code_counter:
            return []
        v = f":pgb_c{si + 1}_value"
        return [f"\\set pgb_d1 {v} / 1000", f"\\set pgb_d2 ({v} / 100) % 10",
                f"\\set pgb_d3 ({v} / 10) % 10", f"\\set pgb_d4 {v} % 10"]

    head = [
        f"-- One intake as PostgreSQL received it: {len(one)} statements, captured with",
        "-- log_statement = all and written out by scripts/intake_pgbench.py (run by",
        "-- scripts/pgbench-intake.sh). Needs -D pgb_run=N -D pgb_k=0 -D pgb_prepared=0.",
        "-- pgb_u: unique per transaction (run, client, transaction), the last 12",
        "-- digits of each id the intake created.",
        "\\set pgb_k :pgb_k + 1",
        "\\set pgb_u 100000000000 + :pgb_run * 1000000000 + :client_id * 10000000 + :pgb_k",
    ]
    simple, prepared, prepares, names = list(head), list(head), [], {}
    for si, (kind, text, p) in enumerate(one):
        vals = new_params[si]
        if kind == "execute" and p:
            types = types_of[text]
            simple.append(one_command(substitute(text, [literal(v, t) for v, t in zip(vals, types)])) + end(si))
            if text not in names:
                names[text] = f"pgb_s{len(names) + 1}"
                decl = f" ({', '.join(types)})" if all(types) else ""
                prepares.append(f"PREPARE {names[text]}{decl} AS {one_command(text)};")
            prepared.append(f"EXECUTE {names[text]}({', '.join(quote(v) for v in vals)})" + end(si))
        else:
            # A simple-protocol statement, or a prepared one without
            # parameters: sent as text by both.
            cmd = one_command(text) + end(si)
            simple.append(cmd)
            if kind == "execute":
                if text not in names:
                    names[text] = f"pgb_s{len(names) + 1}"
                    prepares.append(f"PREPARE {names[text]} AS {one_command(text)};")
                prepared.append(f"EXECUTE {names[text]}" + end(si))
            else:
                prepared.append(cmd)
        simple += after(si)
        prepared += after(si)
    prepared[len(head):len(head)] = (["-- Once per connection, as the server's connections prepare theirs.",
                                      "\\if :pgb_prepared = 0"] + prepares
                                     + ["\\set pgb_prepared 1", "\\endif"])
    Path(a.out + ".simple.sql").write_text("\n".join(simple) + "\n", encoding="utf-8")
    Path(a.out + ".prepared.sql").write_text("\n".join(prepared) + "\n", encoding="utf-8")
    Path(a.out + ".count").write_text(f"{len(one)}\n")

    print(f"   {len(one)} statements in one intake:")
    for i, (kind, text, _) in enumerate(one):
        line = " ".join(text.split())
        print(f"   {i + 1:3d} {line[:150]}")
    made = []
    if fresh_map:
        made.append(f"{len(fresh_map)} new id(s) ({', '.join(fresh_map)}): last 12 digits from :pgb_u")
    if code_counter is not None:
        made.append(f"the dossier code {code}: sequence from the counter of statement {code_counter + 1} (\\gset)")
    ints = sorted(g for g in gset if g != code_counter)
    if ints:
        made.append("the tracking-book entry: from the counter of statement "
                    + ", ".join(str(g + 1) for g in ints) + " (\\gset)")
    print("   unique per replay: " + ("; ".join(made) if made else "nothing"))
    if kept:
        print("   differ between intakes but replayed as captured (no unique constraint on them):")
        for si, pi, v in kept:
            print(f"     statement {si + 1} ${pi + 1} = {(v or 'NULL')[:70]!r}")
    for n in odd + notes:
        print(f"   note: {n}")


# ------------------------------------------------------------------ load --

def load(base, token, seconds, connections, body_path):
    url = urllib.parse.urlsplit(base)
    body = Path(body_path).read_bytes()
    request = (f"POST /api/v1/dossiers HTTP/1.1\r\nHost: {url.netloc}\r\n"
               f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    created = [0] * connections
    others = collections.Counter()
    lock = threading.Lock()
    go = threading.Barrier(connections + 1)
    deadline = [0.0]

    def connect():
        s = socket.create_connection((url.hostname, url.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def worker(k):
        try:
            sock = connect()
        except OSError as e:
            with lock:
                others[f"{type(e).__name__}: {e}"] += 1
            go.wait()
            return
        go.wait()
        while time.perf_counter() < deadline[0]:
            try:
                sock.sendall(request)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed by the server")
                    data += chunk
                head, rest = data.split(b"\r\n\r\n", 1)
                m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
                length = int(m.group(1)) if m else 0
                while len(rest) < length:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed by the server")
                    rest += chunk
                status = head.split(b"\r\n", 1)[0].decode("latin-1")
                if status.startswith("HTTP/1.1 201"):
                    created[k] += 1
                else:
                    with lock:
                        others[status + " " + rest[:200].decode("utf-8", "replace")] += 1
            except OSError as e:
                with lock:
                    others[f"{type(e).__name__}: {e}"] += 1
                sock.close()
                while True:
                    try:
                        sock = connect()
                        break
                    except OSError as e2:
                        with lock:
                            others[f"reconnecting: {type(e2).__name__}: {e2}"] += 1
                        if time.perf_counter() >= deadline[0]:
                            return
                        time.sleep(0.05)
        sock.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    go.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    print(json.dumps({"created": sum(created), "seconds": round(elapsed, 3),
                      "rate": round(sum(created) / elapsed, 1), "errors": dict(others)}, ensure_ascii=False))


# ---------------------------------------------------------------- report --

def report(path, seconds, connections, rounds):
    rows = [line.split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines() if line]
    builds = list(dict.fromkeys(r[0] for r in rows))
    data = {}
    for b in builds:
        d = {"statements": next(r[3] for r in rows if r[0] == b and r[2] == "statements")}
        for kind in ("server", "prepared", "simple"):
            rs = [r for r in rows if r[0] == b and r[2] == kind]
            d[kind] = sum(float(r[3]) for r in rs) / sum(float(r[4]) for r in rs) if rs else float("nan")
        data[b] = d
    print(f"== results: {connections} connections each side, {seconds} s per measurement, {rounds} round(s) per build")
    print("   pgbench/s: transactions (one intake's statements each) per second;")
    print("   'prepared' EXECUTEs statements PREPAREd once per connection, as the server does;")
    print("   'simple' sends every statement as text with its values, parsed and planned each time")
    fmt = "   {:<6} {:>10} {:>10} {:>11} {:>9} {:>11} {:>9}"
    print(fmt.format("build", "statements", "server/s", "pgbench/s", "server/", "pgbench/s", "server/"))
    print(fmt.format("", "per intake", "", "(prepared)", "pgbench", "(simple)", "simple"))
    for b in builds:
        d = data[b]
        print(fmt.format(b, d["statements"], f"{d['server']:.0f}", f"{d['prepared']:.0f}",
                         f"{100 * d['server'] / d['prepared']:.0f} %", f"{d['simple']:.0f}",
                         f"{100 * d['server'] / d['simple']:.0f} %"))
    if len(builds) == 2:
        n, o = (data[b] for b in builds)
        print(f"== {builds[0]}/{builds[1]}: statements {n['statements']}/{o['statements']}, "
              f"server {n['server'] / o['server']:.2f}x, pgbench prepared {n['prepared'] / o['prepared']:.2f}x, "
              f"pgbench simple {n['simple'] / o['simple']:.2f}x; share of the prepared ceiling "
              f"{100 * n['server'] / n['prepared']:.0f} % vs {100 * o['server'] / o['prepared']:.0f} %")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("script")
    for name in ("log", "db", "mark", "reply", "counters", "url", "out"):
        s.add_argument("--" + name, required=True)
    s.add_argument("--offset", type=int, required=True)
    s.add_argument("--captures", type=int, default=3)
    l = sub.add_parser("load")
    l.add_argument("base")
    l.add_argument("token")
    l.add_argument("seconds", type=float)
    l.add_argument("connections", type=int)
    l.add_argument("body")
    r = sub.add_parser("report")
    r.add_argument("results")
    r.add_argument("seconds")
    r.add_argument("connections")
    r.add_argument("rounds")
    a = p.parse_args()
    if a.cmd == "script":
        build_scripts(a)
    elif a.cmd == "load":
        load(a.base, a.token, a.seconds, a.connections, a.body)
    else:
        report(a.results, a.seconds, a.connections, a.rounds)


if __name__ == "__main__":
    main()
