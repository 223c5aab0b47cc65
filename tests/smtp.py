"""A real SMTP server on 127.0.0.1 for tests, which can be told to stop accepting.

After ``accept`` messages it drops the connection at the end of each further
message instead of answering, as a mail server that falls over does: the
message is not delivered, and the sender sees the connection closed.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class DroppingHandler:
    def __init__(self, accept: int) -> None:
        self.accept = accept
        self.messages: list[Message] = []
        self.dropped = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if len(self.messages) >= self.accept:
            self.dropped += 1
            server.transport.close()
            return "421 Closing the connection"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpServer:
    def __init__(self, handler: DroppingHandler) -> None:
        self.handler = handler

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def accept(self, count: int) -> None:
        self.handler.accept = count

    def links(self, pattern: str = r"http://testserver(/a/[\w-]+/)") -> list[str]:
        """The questionnaire links in the messages received, in order."""
        return [
            match
            for message in self.messages
            for match in re.findall(pattern, message.get_payload(decode=True).decode())
        ]


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """Django's SMTP backend pointed at a local server that accepts everything (until told)."""
    handler = DroppingHandler(accept=10**6)
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "http://testserver"
    try:
        yield SmtpServer(handler)
    finally:
        controller.stop()
