"""One keep-alive HTTP/1.1 connection for the paired benchmarks, with
responses read by hand: http.client spent 0.8 ms a request parsing
headers, which diluted the differences being measured."""
import re
import socket
import time
import urllib.parse


class Connection:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.netloc = url.netloc
        self.sock = socket.create_connection((url.hostname, url.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def exchange(self, request):
        """Sends a request written out in full; returns the response's
        head and the milliseconds from sending to the last body byte."""
        start = time.perf_counter_ns()
        self.sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += self.sock.recv(65536)
        head, rest = data.split(b"\r\n\r\n", 1)
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        while len(rest) < length:
            rest += self.sock.recv(65536)
        return head, (time.perf_counter_ns() - start) / 1e6
