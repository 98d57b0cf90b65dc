"""The page's live feed recovers by itself: a silent or closed socket is reopened and the page resyncs."""

from pathlib import Path
from typing import Any

from tests.web.browser import browser_page
from tests.web.picture_fixture import StaticView
from tests.web.server_thread import serve_in_thread
from trilink.web.app import create_app

BANNERS = "[...document.querySelectorAll('.alert-banner')].map(b => b.dataset.alert).join(',')"


class AlertingView(StaticView):
    """A static picture with alerts the test sets."""

    active: list[dict[str, Any]]

    def alerts(self) -> dict[str, Any]:
        return {"active": list(self.active), "history": []}


def _alert(identifier: str) -> dict[str, Any]:
    return {"id": identifier, "response": "Shelter", "areas": ["Hokkaido"], "headline": "take shelter"}


def test_silent_then_closed_socket_reconnects_and_alerts_converge(tmp_path: Path) -> None:
    view = AlertingView()
    view.move("JPN-F1", 39.0, 130.0)
    view.active = [_alert("a-0")]
    # the server sends its snapshot, then nothing for 60 s: a socket that has gone silent
    app = create_app(view, ws_interval_s=60.0)
    with serve_in_thread(app) as url, browser_page(tmp_path / "chrome") as (page, errors):
        page.goto(url)
        page.wait_for_function(f"{BANNERS} === 'a-0'", timeout=15_000)
        view.active = []                       # the all-clear, which this socket will never carry
        page.wait_for_function(f"{BANNERS} === ''", timeout=30_000)
        live = page.evaluate("[window.__trilinkLive.reconnects, window.__trilinkStats.wsMessages]")
        assert live[0] >= 1, live              # the watchdog reopened the silent socket
        view.active = [_alert("a-1")]
        page.evaluate("window.__trilinkLive.ws.close()")   # a socket that dies
        page.wait_for_function(f"{BANNERS} === 'a-1'", timeout=15_000)
        assert page.evaluate("window.__trilinkLive.reconnects") >= 2
        assert page.locator(".missile[data-id='JPN-F1']").count() == 1   # the picture resynced too
        assert errors == [], errors
