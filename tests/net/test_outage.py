"""Checks 4 and 7 of issue 6: a 30 s cut of the KOR↔hub link, and a hub restart, with 1,000 KOR reports.

After the link (or the hub) is back, JPN and USA must hold all 1,000 exactly once and in KOR's
order; the catch-up time — from the link's return to the last missed report delivered at JPN —
is measured and printed (mechanism: the courier's retry, see docs/network.md).
"""

import asyncio
import time
from pathlib import Path

import pytest

from tests.net.helpers import Collector, collect, poll, report_bytes, run
from tests.net.linkrelay import LinkRelay, free_port
from trilink.model.network import load_network
from trilink.net import RunningNetwork, Transport, start_network
from trilink.net.running import leaf_count

OUTAGE_S = 30.0
REPORTS = 1000
WARM_UP = 10


async def _publish_during(kor: Transport, start: float, spread_s: float) -> None:
    """Publish the 1,000 reports spread evenly over ``spread_s`` from ``start`` (acknowledged by KOR)."""
    for i in range(REPORTS):
        await kor.publish(report_bytes("KOR", i), msg_id=f"KOR:cut:{i}")
        wait = start + (i + 1) * spread_s / REPORTS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)


def _check_complete(collector: Collector, where: str) -> None:
    expected = [f"KOR:warm:{i}" for i in range(WARM_UP)] + [f"KOR:cut:{i}" for i in range(REPORTS)]
    got = collector.ids("KOR")
    assert len(got) == len(set(got)), f"{where}: {len(got) - len(set(got))} duplicates"
    assert got == expected, f"{where}: {len(got)} of {len(expected)} or out of order"
    origin_seqs = [d.origin_seq for d in collector.received if d.origin == "KOR"]
    origin_seqs = [s for s in origin_seqs if s]  # 0: came by the node's direct forward (trilink.net.direct)
    assert origin_seqs == sorted(origin_seqs)
    assert collector.subscription.dropped_duplicates == 0


async def _warm_up(kor: Transport, collectors: list[Collector]) -> None:
    for i in range(WARM_UP):
        await kor.publish(report_bytes("KOR", i), msg_id=f"KOR:warm:{i}")
    await poll(lambda: all(len(c.received) >= WARM_UP for c in collectors), 30.0, "warm-up reports")


async def _catch_up(running: RunningNetwork, at_jpn: Collector, at_usa: Collector, back: float) -> float:
    total = WARM_UP + REPORTS
    await poll(lambda: len(at_jpn.received) >= total and len(at_usa.received) >= total, 90.0,
               "all 1,010 reports at JPN and USA after the outage", step_s=0.01)
    return at_jpn.arrival[total - 1] - back


@pytest.mark.slow
def test_link_cut_30s_loses_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Check 4 (cut) and 7: KOR publishes 1,000 reports while its link to the hub is cut for 30 s."""
    hub_leaf = free_port()
    relay = LinkRelay(target=hub_leaf).start()

    async def scenario() -> tuple[float, float]:
        async with start_network(load_network(), tmp_path, leaf_ports={"USA": hub_leaf},
                                 remote_addresses={"KOR": {"USA": ("127.0.0.1", relay.port)}}) as running:
            kor, jpn, usa = [await running.connect(n) for n in ("KOR", "JPN", "USA")]
            at_jpn, at_usa = await collect(jpn), await collect(usa)
            await _warm_up(kor, [at_jpn, at_usa])
            relay.cut()
            kor_monitor = running.access("KOR").monitor_url
            await poll(lambda: leaf_count(kor_monitor) == 0, 10.0, "KOR's link to go down")
            cut = time.monotonic()
            await _publish_during(kor, cut, OUTAGE_S * 0.8)
            await asyncio.sleep(max(0.0, cut + OUTAGE_S - time.monotonic()))
            assert len(at_jpn.received) == WARM_UP, "reports crossed a cut link"
            relay.restore()
            back = time.monotonic()
            link_up = asyncio.create_task(
                poll(lambda: leaf_count(kor_monitor) == 1, 30.0, "KOR's link", step_s=0.05))
            catch_up = await _catch_up(running, at_jpn, at_usa, back)
            link_back = await link_up
            _check_complete(at_jpn, "JPN")
            _check_complete(at_usa, "USA")
            for c in (at_jpn, at_usa):
                await c.stop()
            for t in (kor, jpn, usa):
                await t.close()
            return catch_up, link_back

    try:
        catch_up, link_back = run(scenario(), 150.0)
    finally:
        relay.close()
    with capsys.disabled():
        print(f"\n[check 7] link cut {OUTAGE_S:g} s, {REPORTS} reports: last missed report at JPN "
              f"{catch_up:.2f} s after the link returned (leaf link re-established after {link_back:.2f} s)")


@pytest.mark.slow
def test_hub_restart_loses_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Check 4 (hub restart): the USA hub server is down for 30 s while KOR publishes 1,000 reports."""
    outage = OUTAGE_S

    async def scenario() -> float:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn, usa = [await running.connect(n) for n in ("KOR", "JPN", "USA")]
            at_jpn, at_usa = await collect(jpn), await collect(usa)
            await _warm_up(kor, [at_jpn, at_usa])
            await asyncio.to_thread(running.stop_server, "USA")
            down = time.monotonic()
            await _publish_during(kor, down, outage * 0.8)
            await asyncio.sleep(max(0.0, down + outage - time.monotonic()))
            assert len(at_jpn.received) == WARM_UP
            await running.start_server("USA")
            back = time.monotonic()
            catch_up = await _catch_up(running, at_jpn, at_usa, back)
            _check_complete(at_jpn, "JPN")
            _check_complete(at_usa, "USA")
            for c in (at_jpn, at_usa):
                await c.stop()
            for t in (kor, jpn, usa):
                await t.close()
            return catch_up

    catch_up = run(scenario(), 150.0)
    with capsys.disabled():
        print(f"\n[check 7] hub down {outage:g} s, {REPORTS} reports: last missed report at JPN "
              f"{catch_up:.2f} s after the hub was ready with its links")
