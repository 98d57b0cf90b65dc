"""A demo run (real NATS servers, three nodes) in a background thread, with each node's page served."""

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from trilink.node.demo import DemoOptions, DemoRun, run_demo
from trilink.web.basemap import basemap
from trilink.web.live import serve_nodes


@dataclass
class LiveRun:
    """What a browser test sees of the background demo."""

    urls: dict[str, str] = field(default_factory=dict)
    first_track_wall: dict[str, float] = field(default_factory=dict)
    """time.monotonic() at which each node's fused picture first held a track."""
    run: DemoRun | None = None
    demo_done: threading.Event = field(default_factory=threading.Event)
    """Set when the demo has run to its end (its pages stay served until the test is done)."""
    finished: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


@contextmanager
def live_demo(options: DemoOptions, *, ws_interval_s: float = 0.25,
              serve_timeout_s: float = 120.0) -> Iterator[LiveRun]:
    """Run ``options`` in a thread; yield once every node's page is served; stop it at the end.

    The pages stay up after the demo's last tick (showing the nodes' final state) until the
    test leaves the ``with`` block. The basemap is built before the demo starts.
    """
    basemap()
    live = LiveRun()
    ready = threading.Event()
    loop = asyncio.new_event_loop()
    servers: dict[str, Any] = {}
    tasks: list[asyncio.Task[None]] = []

    def on_picture(node: Any) -> None:
        picture = node.core.picture
        if node.nation not in live.first_track_wall and picture is not None and any(
                str(t.status) != "dropped" for t in picture.tracks):
            live.first_track_wall[node.nation] = time.monotonic()

    async def start_pages(run: DemoRun) -> None:
        servers.update(await serve_nodes(run.nodes, alerts=run.alerts, ws_interval_s=ws_interval_s))
        live.urls.update({nation: server.url for nation, server in servers.items()})
        ready.set()

    def on_ready(run: DemoRun) -> None:
        live.run = run
        for node in run.nodes.values():
            node.on_picture.append(on_picture)
        tasks.append(loop.create_task(start_pages(run)))

    async def main() -> None:
        try:
            live.run = await run_demo(options, on_ready=on_ready)
            live.demo_done.set()
            task = asyncio.current_task()
            if task is not None and not task.cancelling():
                await asyncio.Event().wait()      # pages stay up until the test cancels this task
        finally:
            for server in servers.values():
                await server.stop()

    def thread_main() -> None:
        asyncio.set_event_loop(loop)
        task = loop.create_task(main())
        thread_main.task = task  # type: ignore[attr-defined]
        try:
            loop.run_until_complete(task)
        except BaseException as exc:  # reported to the test, never lost
            live.error = exc
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for t in pending:
                t.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()
            live.finished.set()
            ready.set()

    thread = threading.Thread(target=thread_main, daemon=True)
    thread.start()
    if not ready.wait(serve_timeout_s) or live.error is not None:
        raise RuntimeError(f"demo did not start: {live.error!r}")
    try:
        yield live
    finally:
        task = getattr(thread_main, "task", None)
        if task is not None and not task.done():
            loop.call_soon_threadsafe(task.cancel)
        thread.join(120)
