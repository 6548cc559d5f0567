"""A loopback HTTP reverse proxy that can be told to fail, for tests of clients that must ride out a
portal going down mid-run.

    with FaultProxy("http://127.0.0.1:5000") as proxy:
        proxy.fail_next(2)          # the next 2 requests get 503, then it forwards again
        proxy.fail_after(3)         # forward 3 more requests, then 503 for every one after them
        proxy.timeout_next(1)       # the next request gets no answer: the connection hangs, then closes
        proxy.heal()                # forget every fault: forward everything
        proxy.requests              # how many requests it has seen; proxy.log: (method, path, status)

A request the upstream cannot take (it is stopped) is answered 502. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.support.net import HOST, serve_in_thread, stop_serving

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
SET_BY_US = {"server", "date"}


@dataclass
class _Faults:
    fail_next: int = 0
    fail_after: int | None = None  # requests still forwarded before every later one fails
    timeout_next: int = 0
    status: int = 503


class FaultProxy:
    def __init__(self, upstream: str, hang_seconds: float = 30.0, upstream_timeout: float = 60.0) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or HOST, parts.port or 80
        self.upstream_prefix = parts.path.rstrip("/")
        self.hang_seconds, self.upstream_timeout = hang_seconds, upstream_timeout
        self.requests = 0
        self.log: list[tuple[str, str, int | None]] = []
        self._faults = _Faults()
        self._lock = threading.Lock()
        self._released = threading.Event()  # set to end every hanging request at once
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` requests with `status` (without forwarding them), then forward again."""
        with self._lock:
            self._faults.fail_next, self._faults.status = n, status

    def fail_after(self, k: int, status: int = 503) -> None:
        """Forward the next `k` requests, then answer every later one with `status` until heal()."""
        with self._lock:
            self._faults.fail_after, self._faults.status = k, status

    def timeout_next(self, n: int = 1) -> None:
        """Give the next `n` requests no answer: the connection hangs (hang_seconds, or until heal() or
        stop()), then closes without a response, as a portal behind a stuck load balancer would."""
        with self._lock:
            self._faults.timeout_next = n
            self._released.clear()

    def heal(self) -> None:
        """Forget every fault and release hanging requests."""
        with self._lock:
            self._faults = _Faults()
        self._released.set()

    def _decide(self) -> tuple[str, int]:
        """What to do with the request that just came: ('forward'|'fail'|'hang', status)."""
        with self._lock:
            self.requests += 1
            f = self._faults
            if f.timeout_next > 0:
                f.timeout_next -= 1
                return "hang", 0
            if f.fail_next > 0:
                f.fail_next -= 1
                return "fail", f.status
            if f.fail_after is not None:
                if f.fail_after == 0:
                    return "fail", f.status
                f.fail_after -= 1
            return "forward", 0

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://{HOST}:{self._server.server_address[1]}{self.upstream_prefix}"

    def start(self) -> FaultProxy:
        self._released.clear()
        self._server, self._thread = serve_in_thread((HOST, 0), self._handler(), "fault-proxy")
        return self

    def stop(self) -> None:
        self._released.set()
        stop_serving(self._server, self._thread)
        self._server = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the handler -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._handle()

            do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action, status = proxy._decide()
                if action == "hang":
                    proxy._released.wait(proxy.hang_seconds)
                    proxy.log.append((self.command, self.path, None))
                    self.close_connection = True
                    return
                if action == "fail":
                    return self._reply(status, [("Content-Type", "text/plain")], b"injected fault\n")
                try:
                    status, headers, answer = self._forward(body)
                except OSError as exc:  # upstream down: what a real reverse proxy says
                    return self._reply(
                        502, [("Content-Type", "text/plain")], f"bad gateway: {exc}\n".encode()
                    )
                self._reply(status, headers, answer)

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                conn = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=proxy.upstream_timeout
                )
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    headers["Host"] = f"{proxy.upstream_host}:{proxy.upstream_port}"
                    if body or self.command in ("POST", "PUT", "PATCH"):
                        headers["Content-Length"] = str(len(body))
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    answer = conn.getresponse()
                    data = answer.read()
                    kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP | SET_BY_US]
                    return answer.status, kept, data
                finally:
                    conn.close()

            def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                proxy.log.append((self.command, self.path, status))
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

        return Handler
