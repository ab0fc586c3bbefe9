"""A local HTTP server that plays an SMS gateway, for the tests, the benchmarks and a demo.

It speaks what ``onestop.sms.HttpGatewayBackend`` sends (POST JSON ``{"to", "text", "sender", "ref"}``)
and, like the brandname gateways that take a request id, delivers a reference once: a request that
repeats a reference (the portal retrying after a crash) is answered with the first message id and
reaches the phone no second time. ``behaviour`` makes it fail the way real gateways do:

- ``ok``: 200 with ``{"id": ...}``;
- ``error``: 500; ``refused``: 400 (a number the gateway will not take);
- ``slow``: answers after ``delay`` seconds (longer than the portal waits: a timeout);
- ``hold``: accepts and delivers the message, then answers only when ``release()`` is called (for
  killing a worker with the request in hand).

``delivered`` lists what reached phones, ``requests`` every request, in order; ``connections`` counts
the TCP connections the portal opened (it speaks HTTP/1.1 and keeps a connection open between requests,
as gateways do). ``drop_connections()``, ``forget_connections()`` and ``hang_up_after_next()`` break
those connections the three ways a network or a gateway does. With ``tls=(certfile, keyfile)`` it
speaks HTTPS.
"""

import contextlib
import json
import socket
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class GatewaySimulator:
    def __init__(
        self,
        *,
        behaviour: str = "ok",
        delay: float = 2.0,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[str, str] | None = None,
    ):
        self.behaviour = behaviour
        self.delay = delay
        self.requests: list[dict] = []
        self.delivered: list[dict] = []
        self.connections = 0
        self._open: set = set()
        self._forgotten: set = set()
        self._hang_up_next = False
        self._stopped = threading.Event()
        self._ids_by_reference: dict[str, str] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        self.request_arrived = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}/send"

    def start(self) -> "GatewaySimulator":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def hold(self) -> None:
        """Take the next messages and keep their requests waiting until ``release()``."""
        self._released.clear()
        self.request_arrived.clear()
        self.behaviour = "hold"

    def release(self) -> None:
        self._released.set()

    def drop_connections(self) -> None:
        """Close the connections the portal keeps open, as a gateway does with idle ones."""
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def forget_connections(self) -> None:
        """As a firewall or NAT that forgot the idle flows: the connections open now still look open to
        the portal, but what is sent over them never reaches the gateway and nothing comes back."""
        with self._lock:
            self._forgotten |= self._open

    def hang_up_after_next(self) -> None:
        """Take the next request (its message reaches the phone) and close its connection without an
        answer, as a gateway restarting at that moment."""
        self._hang_up_next = True

    def delivered_to(self, phone: str) -> list[str]:
        with self._lock:
            return [message["text"] for message in self.delivered if message["to"] == phone]

    def _accept(self, body: dict, auth: str | None) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"body": body, "auth": auth, "at": time.time()})
            behaviour = self.behaviour
            if behaviour in ("error", "refused"):
                return (500, {"error": "gateway down"}) if behaviour == "error" else (400, {"error": "bad number"})
            reference = body.get("ref") or uuid.uuid4().hex
            if reference not in self._ids_by_reference:
                self._ids_by_reference[reference] = uuid.uuid4().hex
                self.delivered.append({"to": body.get("to"), "text": body.get("text"), "ref": reference})
            return 200, {"id": self._ids_by_reference[reference]}

    def _handler_class(self):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: one connection carries many requests
            # The answer's head and body go out as two writes: without this, Nagle's algorithm holds the
            # body until the client's delayed ACK (40 ms a message on a kept connection), as no real
            # gateway does.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with simulator._lock:
                    simulator.connections += 1
                    simulator._open.add(self.connection)

            def finish(self):
                with simulator._lock:
                    simulator._open.discard(self.connection)
                    simulator._forgotten.discard(self.connection)
                super().finish()

            def do_POST(self):
                if self.connection in simulator._forgotten:  # never arrives, never answered
                    simulator._stopped.wait(60)
                    self.close_connection = True
                    return
                try:
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                except ValueError:
                    body = {}
                status, answer = simulator._accept(body, self.headers.get("Authorization"))
                simulator.request_arrived.set()
                if simulator._hang_up_next:
                    simulator._hang_up_next = False
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if simulator.behaviour == "slow":
                    time.sleep(simulator.delay)
                elif simulator.behaviour == "hold":
                    simulator._released.wait(60)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the portal stopped waiting (a timeout, a killed worker)

            def log_message(self, *args):
                pass

        return Handler
