#!/usr/bin/env python3
"""A real SMTP server for tests: accepts every message and writes it to a file.

    python3 tests/smtp_sink.py --port 2525 --out /tmp/mail.jsonl [--reject-to SUBSTR] [--raw]

Each received message becomes one JSON line in --out (flushed at once, so a
test can read the file while the sink runs): mail_from, rcpt_tos, subject
(decoded), message_id, text and html (the decoded parts) and raw (the whole
message as received). Prints "ready" on stdout once it accepts connections.
Recipients containing --reject-to are refused with 550, to test refusals.
With --raw a line holds only mail_from, rcpt_tos and raw: decoding the parts
costs this single-threaded sink more CPU than the sender spends on a
message, so throughput benchmarks, which read nothing back, use --raw.
Stops on SIGTERM or SIGINT. Needs aiosmtpd (`pip install aiosmtpd`).
"""

import argparse
import email
import email.policy
import json
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, reject_to, raw):
        self.out = out
        self.reject_to = reject_to
        self.raw = raw
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject_to and self.reject_to in address:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        if self.raw:
            self.write({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "raw": content.decode("utf-8", "replace"),
            })
            return "250 Message accepted for delivery"
        msg = email.message_from_bytes(content, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            kind = part.get_content_type()
            if kind in ("text/plain", "text/html") and kind not in parts:
                parts[kind] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "subject": str(msg.get("subject", "")),
            "message_id": str(msg.get("message-id", "")),
            "text": parts.get("text/plain", ""),
            "html": parts.get("text/html", ""),
            "raw": content.decode("utf-8", "replace"),
        }
        self.write(record)
        return "250 Message accepted for delivery"

    def write(self, record):
        line = json.dumps(record, ensure_ascii=False)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True, help="file to append JSON lines to")
    parser.add_argument("--reject-to", default="", help="refuse recipients containing this")
    parser.add_argument("--raw", action="store_true", help="keep messages as received, undecoded")
    args = parser.parse_args()

    out = open(args.out, "a", encoding="utf-8")
    controller = Controller(Sink(out, args.reject_to, args.raw), hostname=args.host, port=args.port)
    controller.start()
    print("ready", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(3600):
        pass
    controller.stop()
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
