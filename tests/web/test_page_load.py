"""Issue 9 check 3: 100 simultaneous missiles updated at 2 Hz — frame time reported, deltas < picture."""

import json
import threading
import time
import urllib.request
from pathlib import Path

from tests.web.browser import ARTIFACTS, browser_page
from tests.web.picture_fixture import MovingView
from tests.web.server_thread import serve_in_thread
from trilink.web.app import create_app

UPDATES = 60
"""30 s of 2 Hz updates after a 40-point trail history."""


def test_hundred_missiles_at_2hz(tmp_path: Path) -> None:
    view = MovingView(n=100)
    for _ in range(40):
        view.step()
    stop = threading.Event()

    def updates() -> None:
        for _ in range(UPDATES):
            if stop.wait(0.5):
                return
            view.step()

    with serve_in_thread(create_app(view, ws_interval_s=0.1)) as url, \
            browser_page(tmp_path / "chrome") as (page, errors):
        page.goto(url)
        page.wait_for_function("document.querySelectorAll('.missile').length === 100", timeout=60_000)
        worker = threading.Thread(target=updates)
        began = time.monotonic()
        worker.start()
        worker.join()
        time.sleep(1.0)
        stats = page.evaluate("window.__trilinkStats")
        full = len(urllib.request.urlopen(url + "api/picture", timeout=30).read())
        # the page is still interactive after the burst: a click answers
        page.locator(".missile").first.click(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page-100-missiles.png"))
    elapsed = time.monotonic() - began
    mean_frame = stats["frameMsTotal"] / max(stats["frames"], 1)
    report = {"updates_sent": UPDATES, "seconds": round(elapsed, 1), "ws_messages": stats["wsMessages"],
              "frame_ms_mean": round(mean_frame, 1), "frame_ms_max": round(stats["frameMsMax"], 1),
              "largest_delta_bytes": stats["deltaBytesMax"], "snapshot_bytes": stats["snapshotBytes"],
              "full_picture_bytes": full}
    print("100 missiles at 2 Hz:", json.dumps(report))
    (ARTIFACTS / "page-100-missiles.json").write_text(json.dumps(report, indent=2))
    assert errors == [], errors
    assert stats["wsMessages"] >= UPDATES // 3, stats
    assert 0 < stats["deltaBytesMax"] < full, report
