"""A counting SMTP sink for bench/newsletter: aiosmtpd on loopback, keeps every Message-ID in memory.

Usage: python bench/smtp_sink.py PORT OUTFILE [FOLDER]. It prints "ready" once it listens; on SIGUSR1 it
writes the Message-IDs received so far (one per line) to OUTFILE (atomically), on SIGTERM it writes and
exits. With FOLDER (deploy/rehearse) it also writes every message whole to FOLDER/<n>.eml as it arrives.
"""

import asyncio
import logging
import os
import signal
import sys

from aiosmtpd.controller import Controller  # noqa: F401  (import check)
from aiosmtpd.smtp import SMTP

logging.getLogger("mail.log").setLevel(logging.WARNING)


class Handler:
    def __init__(self, folder=None):
        self.ids: list[bytes] = []
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        head = content.split(b"\r\n\r\n", 1)[0]
        found = b"(none)"
        for line in head.split(b"\r\n"):
            if line[:11].lower() == b"message-id:":
                found = line[11:].strip()
                break
        self.ids.append(found)
        if self.folder:
            path = os.path.join(self.folder, f"{len(self.ids)}.eml")
            with open(path + ".tmp", "wb") as out:
                out.write(content)
            os.replace(path + ".tmp", path)
        return "250 OK"


def main():
    port, outfile = int(sys.argv[1]), sys.argv[2]
    handler = Handler(sys.argv[3] if len(sys.argv) > 3 else None)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def dump():
        with open(outfile + ".tmp", "wb") as out:
            out.write(b"\n".join(handler.ids) + (b"\n" if handler.ids else b""))
        os.replace(outfile + ".tmp", outfile)

    def stop():
        dump()
        loop.stop()

    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, decode_data=False, data_size_limit=None), "127.0.0.1", port)
    )
    loop.add_signal_handler(signal.SIGUSR1, dump)
    loop.add_signal_handler(signal.SIGTERM, stop)
    print("ready", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
