"""Issue 9: the replay mode — an archive of a real run, re-fused, browsed with the page's time slider."""

import asyncio
from pathlib import Path

from tests.web.browser import ARTIFACTS, browser_page
from tests.web.server_thread import serve_in_thread
from trilink.node.demo import DemoOptions, run_demo
from trilink.web.app import create_app
from trilink.web.replay import ArchiveReplay, ReplayNodeView


def test_replay_slider_over_a_demo_archive(tmp_path: Path) -> None:
    options = DemoOptions(scenario="irbm-hokkaido", speed=None, archive_dir=tmp_path / "archive",
                          stop_after_launch=300.0)
    asyncio.run(run_demo(options))
    source = ArchiveReplay(tmp_path / "archive" / "JPN.sqlite")
    start, end = source.time_range()
    assert source.nation == "JPN" and end > start
    assert source.features_at(start - 1.0) == []
    late = source.features_at(end)
    assert any(f["properties"]["kind"] == "track" for f in late)
    assert source.outcome.undecodable == 0
    with serve_in_thread(create_app(ReplayNodeView(source), replay=source)) as url, \
            browser_page(tmp_path / "chrome") as (page, errors):
        page.goto(url)
        page.wait_for_selector("#replay:not([hidden])", timeout=30_000)
        page.wait_for_selector(".missile", timeout=30_000)      # the slider starts at the end
        page.wait_for_function("window.__trilinkBasemap.areas > 0 && window.__trilinkBasemap.lines > 0",
                               timeout=120_000)                 # the same basemap as the live page
        slide = ("v => { const s = document.getElementById('replay-slider'); s.value = v; "
                 "s.dispatchEvent(new Event('input')); }")
        at_end = page.locator(".missile .row").first.inner_text()
        end_label = page.locator("#replay-time").inner_text()
        page.evaluate(slide, "0")
        page.wait_for_function(f"document.getElementById('replay-time').textContent !== {end_label!r}",
                               timeout=30_000)
        first_row = "(document.querySelector('.missile .row') || {}).textContent"
        page.wait_for_function(f"{first_row} !== {at_end!r}", timeout=30_000)
        page.evaluate(slide, "1000")
        page.wait_for_function(f"{first_row} === {at_end!r}", timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-replay.png"))
        assert errors == [], errors
