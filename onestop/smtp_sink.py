"""A local SMTP server that keeps every message it receives, for the smoke test of a deployment and the
fault drill (as ``sms_simulator`` plays the SMS gateway). Raw: a message sent twice is kept twice.

``delay`` makes each message take that many seconds to accept; while ``hang`` is set it accepts
connections and never answers (a hung mail server). ``connections`` counts the connections clients
opened (a client may send many messages over one); ``drop_connections()`` and ``close_at_next()`` end
them the ways mail servers do."""

import contextlib
import email
import email.policy
import socket
import socketserver
import threading
import time


class MailSink:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self.messages: list[bytes] = []
        self.connections = 0
        self._open: set = set()
        self.delay = 0.0
        self.hang = threading.Event()
        self._close_at: tuple[str, str] | None = None
        sink = self
        lock = threading.Lock()

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def setup(self):
                super().setup()
                with lock:
                    sink.connections += 1
                    sink._open.add(self.connection)

            def closing(self, step: str) -> bool:
                """Whether to end the session here (``close_at_next``), after its reply if one was set."""
                with lock:
                    if sink._close_at is None or sink._close_at[0] != step:
                        return False
                    reply, sink._close_at = sink._close_at[1], None
                if reply:
                    self.reply(reply)
                return True

            def finish(self):
                with lock:
                    sink._open.discard(self.connection)
                super().finish()

            def handle(self):
                if sink.hang.is_set():
                    while sink.hang.is_set():
                        time.sleep(0.2)
                    return
                self.reply("220 sink ESMTP")
                while line := self.rfile.readline():
                    command = line.strip().upper()
                    if command.startswith(b"MAIL") and self.closing("mail"):
                        return
                    if command == b"DATA":
                        self.reply("354 go on")
                        raw = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                            raw += chunk
                        time.sleep(sink.delay)
                        sink.messages.append(raw)
                        if self.closing("data"):
                            return
                        self.reply("250 queued")
                    elif command == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                        self.reply("250 ok")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._lock = lock
        self._server = Server((host, port), Handler)
        self.port = self._server.server_address[1]

    def start(self) -> "MailSink":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.hang.clear()
        self._server.shutdown()
        self._server.server_close()

    def drop_connections(self) -> None:
        """Close the clients' open connections, as a mail server does with idle ones."""
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close_at_next(self, step: str, *, reply: str = "") -> None:
        """End the next session that reaches ``step``: ``"mail"``, a new message's first command (with
        ``reply="421 ..."`` as a server closing an idle session says it, or without a word), or
        ``"data"``, once the message's text is in (the message is kept; its "250" never goes out)."""
        with self._lock:
            self._close_at = (step, reply)

    def message_ids(self) -> list[str]:
        return [email.message_from_bytes(raw)["Message-ID"] or "" for raw in list(self.messages)]

    def texts(self) -> list[str]:
        """Each message's subject and plain text, decoded."""
        texts = []
        for raw in list(self.messages):
            message = email.message_from_bytes(raw, policy=email.policy.default)
            body = message.get_body(("plain",))
            texts.append(f"{message['Subject']}\n{body.get_content() if body else ''}")
        return texts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
