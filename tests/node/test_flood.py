"""Acceptance check 4: a partner flooding garbage, forged and replayed reports at 1,000 msg/s through the
real servers does not stop the node from verifying and fusing valid reports (both are counted)."""

import asyncio
import os
import time

import numpy as np
import pytest

from tests.conftest import trilink_full
from trilink.geo.frames import geodetic_to_ecef
from trilink.model import Phase, Track, TrackStatus
from trilink.model.network import load_network
from trilink.node.clock import WallClock
from trilink.node.core import NodeCore, NodeSettings
from trilink.node.netlink import start_network
from trilink.node.service import NodeService
from trilink.wire.codec import seal
from trilink.wire.convert import report_from_assessment
from trilink.wire.keys import Signer, TrustStore
from trilink.wire.messages import ReportStatus
from trilink.wire.release import mark_releasable

RATE = 1000.0


def kor_report(signer: Signer, network, seq: int, now: float, track_id: str = "KOR-T1"):
    position = geodetic_to_ecef(np.radians(39.5), np.radians(128.0), 300e3)
    state = np.concatenate([position, [1500.0, 2000.0, 500.0]])
    track = Track(track_id=track_id, nation=signer.nation, time=now - 0.2, state=state,
                  covariance=np.diag([200.0**2] * 3 + [20.0**2] * 3), status=TrackStatus.CONFIRMED,
                  phase=Phase.MIDCOURSE, first_time=now - 60.0, last_update=now - 0.2, n_updates=30)
    status = ReportStatus.NEW if seq == 1 else ReportStatus.UPDATE
    report = report_from_assessment(track, None, originator=signer.nation, sequence=seq, issued=now,
                                    exercise=True, status=status)
    return mark_releasable(network, report)


@pytest.mark.skipif(os.environ.get("TRILINK_NO_NATS") == "1", reason="no nats-server")
def test_flood_does_not_stop_fusion() -> None:
    asyncio.run(_flood(seconds=10.0 if trilink_full() else 2.0))


async def _flood(seconds: float) -> None:
    network = load_network()
    jpn, kor, usa, forger = (Signer.generate(n) for n in ("JPN", "KOR", "USA", "KOR"))
    running = await start_network(network)
    try:
        node = NodeService(NodeCore(network, NodeSettings(nation="JPN"), jpn, TrustStore.of(jpn, kor, usa)),
                           WallClock(), transport=await running.transport("JPN"))
        await node.start()
        sender = await running.transport("KOR")
        sent = {"valid": 0, "garbage": 0, "forged": 0, "replayed": 0}
        seq = 0
        last_valid = b""
        began = time.monotonic()
        n = 0
        tasks: list[asyncio.Task[object]] = []
        while time.monotonic() - began < seconds:
            batch = []
            for _ in range(50):                       # 50 messages per 50 ms tick = 1,000 msg/s
                n += 1
                now = time.time()
                if n % 25 == 1:                       # valid reports: 40/s among the flood
                    seq += 1
                    last_valid = seal(kor_report(kor, network, seq, now), kor)
                    batch.append((f"KOR.valid.{seq}", last_valid, "valid"))
                elif n % 3 == 0:
                    batch.append((f"KOR.garbage.{n}", os.urandom(200), "garbage"))
                elif n % 3 == 1:
                    forged = seal(kor_report(forger, network, 10_000_000 + n, now, "KOR-FAKE"), forger)
                    batch.append((f"KOR.forged.{n}", forged, "forged"))
                elif last_valid:
                    batch.append((f"KOR.replayed.{n}", last_valid, "replayed"))
            tasks.extend(asyncio.create_task(sender.publish(mid, data, ("JPN",))) for mid, data, _ in batch)
            for _, _, kind in batch:
                sent[kind] += 1
            await asyncio.sleep(max(0.0, began + n / RATE - time.monotonic()))
        offered = time.monotonic() - began
        await asyncio.gather(*tasks)
        total = sum(sent.values())
        deadline = time.monotonic() + 60.0
        while node.received_messages < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        node.fuse_now()
        core = node.core
        print(f"offered {total} messages at {total / offered:.0f} msg/s ({sent}); JPN rejects "
              f"{dict(core.rejects)}; accepted {core.counters['reports_received']}")
        assert node.received_messages == total
        assert core.counters["reports_received"] == sent["valid"]
        assert core.rejects["replay"] == sent["replayed"]
        assert core.rejects["decode"] + core.rejects["schema"] == sent["garbage"]
        assert core.rejects["originator"] + core.rejects["signature"] == sent["forged"]
        fused = [t for t in core.picture.tracks if ("KOR", "KOR-T1") in t.sources]
        assert len(fused) == 1 and not [t for t in core.picture.tracks if ("KOR", "KOR-FAKE") in t.sources]
        await sender.close()
        await node.close()
    finally:
        await running.stop()
