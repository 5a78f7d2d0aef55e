"""A real S3-compatible server for the file tests: moto in server mode,
on a given port, until the test process that started it exits (its
stdin closes). Prints "ready" once it answers."""

import argparse
import sys

from moto.server import ThreadedMotoServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
