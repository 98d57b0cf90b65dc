"""Running the web app inside a node's asyncio loop (uvicorn), with the security defaults.

Default bind is 127.0.0.1. Binding any other address requires an operator token.
"""

import asyncio
import contextlib
import socket

import uvicorn
from fastapi import FastAPI

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class WebConfigError(ValueError):
    """The web server cannot start with these settings (message says why)."""


def check_bind(host: str, token: str | None) -> None:
    """Refuse to expose the picture beyond loopback without an operator token."""
    if host not in LOOPBACK and not token:
        raise WebConfigError(f"binding the web API to {host} requires an operator token (--web-token)")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class WebServer:
    """A uvicorn server for one app, started and stopped as an asyncio task."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None) -> None:
        check_bind(host, token)
        self.host = host
        self.port = port or free_port(host)
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning",
                                access_log=False, lifespan="off", ws_ping_interval=20)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the node owns signals
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        """Base URL of the page."""
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> None:
        """Start serving and wait until the socket listens."""
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):
            if self._server.started:
                return
            if self._task.done():
                self._task.result()
                raise WebConfigError(f"web server on {self.host}:{self.port} stopped at start")
            await asyncio.sleep(0.01)
        raise WebConfigError(f"web server on {self.host}:{self.port} did not start within 5 s")

    async def stop(self) -> None:
        """Stop serving (open WebSockets are closed)."""
        self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=5.0)
