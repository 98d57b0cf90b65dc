"""A TCP relay that a test can cut and restore: stands in for the KOR↔hub link.

It runs its own asyncio loop in a thread, so cutting the link does not depend on the test's
loop. ``cut()`` closes every relayed connection and stops listening (the linking server sees
the connection drop and its reconnect attempts refused); ``restore()`` listens again.
"""

import asyncio
import contextlib
import socket
import threading


def free_port() -> int:
    """A currently free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LinkRelay:
    """Relay ``127.0.0.1:port`` → ``127.0.0.1:target``."""

    def __init__(self, target: int, port: int | None = None) -> None:
        self.target, self.port = target, port or free_port()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="link relay")
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def _call(self, coro: "asyncio.Future[None] | object", timeout_s: float = 10.0) -> None:
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)  # type: ignore[arg-type]

    def start(self) -> "LinkRelay":
        """Start the thread and listen."""
        self._thread.start()
        self.restore()
        return self

    def restore(self) -> None:
        """Listen (again) and relay new connections."""
        self._call(self._listen())

    def cut(self) -> None:
        """Drop every relayed connection and stop listening."""
        self._call(self._cut())

    def close(self) -> None:
        """Cut and stop the thread."""
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5.0)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}
