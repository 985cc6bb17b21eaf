"""A real HTTP receiver for webhook tests: http.server in a thread on 127.0.0.1.

It records every POST (headers, raw body, when) and answers with the next status code of
`answers` (then 200), after `delay` seconds. `verify` checks a request's signature the way
docs/webhooks.md tells receivers to, independently of the service's own signing code.
"""

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic()

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["X-Mekling-Event-Id"]

    @property
    def event_type(self) -> str:
        return self.headers["X-Mekling-Event"]


def verify(secret: str, received: Received, *, tolerance: int = 300) -> bool:
    """The snippet of docs/webhooks.md: HMAC-SHA256 over "<t>.<body>", constant-time compare."""
    fields = dict(item.split("=", 1) for item in received.headers["X-Mekling-Signature"].split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    signed = f"{timestamp}.".encode() + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


def free_port() -> int:
    """A port nothing listens on (yet): connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Receiver:
    def __init__(self, *, port: int = 0, answers: tuple[int, ...] = (), delay: float = 0.0):
        self.received: list[Received] = []
        self.answers = list(answers)
        self.delay = delay
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.received.append(
                        Received(dict(self.headers.items()), body, time.monotonic())
                    )
                    status = receiver.answers.pop(0) if receiver.answers else 200
                time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "http://127.0.0.1:1/elsewhere")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def types(self) -> list[str]:
        return [r.event_type for r in self.received]

    def wait_for(self, count: int, seconds: float = 20) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} POSTs after {seconds} s")
            time.sleep(0.02)
        return list(self.received)
