"""A real SMTP server on loopback for email tests (aiosmtpd), that can be stopped and started."""

import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Listens on 127.0.0.1:port while started; refuses connections while stopped."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self._controller = None

    @property
    def messages(self):
        return self.recorder.messages

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
