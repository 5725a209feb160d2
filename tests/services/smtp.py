"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the services tier."""

import logging
import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


class Sink:
    """An SMTP server's handler that keeps every message and the session it came over."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.sessions = set()

    def clear(self):
        with self.lock:
            self.messages.clear()
            self.sessions.clear()

    def received(self):
        """(recipients, parsed message) pairs, a copy taken under the lock."""
        with self.lock:
            return list(self.messages)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
            self.sessions.add(id(session))
        return "250 OK"


class Greylisting(Sink):
    """Refuses one recipient for now (450 to RCPT), as greylisting does; accepts the others."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "450 4.2.0 greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(handler) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
