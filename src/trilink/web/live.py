"""Serving each node of a running demo (or a single node) on its own local web page."""

from typing import Any

from trilink.node.service import NodeService
from trilink.web.app import create_app
from trilink.web.basemap import basemap as default_basemap
from trilink.web.basemap import warm as warm_basemap
from trilink.web.node_view import ServiceView
from trilink.web.server import WebServer


async def serve_node(node: NodeService, *, host: str = "127.0.0.1", port: int = 0,
                     token: str | None = None, alerts: Any = None, basemap: Any = None,
                     ws_interval_s: float = 0.25) -> WebServer:
    """Start the API and page of one node; the returned server's ``url`` is its page.

    Without a ``basemap`` the page gets the theatre's areas and sea limits (`trilink.web.basemap`),
    built on a worker thread from now on.
    """
    if basemap is None:
        warm_basemap()
        basemap = default_basemap
    view = ServiceView(node, alerts=alerts, basemap=basemap)
    server = WebServer(create_app(view, token=token, ws_interval_s=ws_interval_s), host, port, token)
    await server.start()
    return server


async def serve_nodes(nodes: dict[str, NodeService], alerts: dict[str, Any] | None = None,
                      **options: Any) -> dict[str, WebServer]:
    """One page per node (nation → server), each on its own free loopback port, with its alerts."""
    alerts = alerts or {}
    return {nation: await serve_node(node, alerts=alerts.get(nation), **options)
            for nation, node in nodes.items()}
