"""The operator page renders a picture in real Chromium with no console errors and no network."""

from pathlib import Path

from tests.web.browser import ARTIFACTS, browser_page
from tests.web.picture_fixture import StaticView
from tests.web.server_thread import serve_in_thread
from trilink.web.app import create_app


def test_page_draws_tracks_and_ellipses_offline(tmp_path: Path) -> None:
    view = StaticView()
    view.move("JPN-F1", 39.0, 130.0)
    with serve_in_thread(create_app(view, ws_interval_s=0.05)) as url, \
            browser_page(tmp_path / "chrome") as (page, errors):
        external: list[str] = []
        page.route("**/*", lambda route: (external.append(route.request.url), route.abort())
                   if not route.request.url.startswith(url.rstrip("/")) and
                   not route.request.url.startswith("ws://") else route.continue_())
        page.goto(url)
        page.wait_for_selector(".missile[data-id='JPN-F1']", timeout=10_000)
        assert page.locator("#mode").inner_text() == "EXERCISE"
        view.move("JPN-F2", 37.0, 131.0)
        page.wait_for_selector(".missile[data-id='JPN-F2']", timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-static.png"))
        stats = page.evaluate("window.__trilinkStats")
        assert stats["wsMessages"] >= 2
        assert errors == [], errors
        assert external == [], external
