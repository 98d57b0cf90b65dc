"""Batched reporting (NodeSettings.batch_reports): one signed message per step and recipient set carries
every report; the partner fuses each report, replays are refused, and the archive keeps (and replays)
every report."""

import asyncio
from pathlib import Path

import numpy as np

from trilink.geo.frames import ecef_to_aer, enu_rotation, geodetic_to_ecef
from trilink.model import Measurement, SensorKind
from trilink.model.network import load_network
from trilink.node import archive as ak
from trilink.node.archive import Archive
from trilink.node.clock import SimClock
from trilink.node.core import NodeCore, NodeSettings
from trilink.node.replay import replay_archive
from trilink.node.service import NodeService
from trilink.physics.propagate import propagate
from trilink.wire.keys import Signer, TrustStore
from trilink.wire.messages import ReportBatch

T0 = 1.7e9
N = 5


def scan(network, t: float, first_id: int, rng: np.random.Generator) -> list[Measurement]:
    """One plot per missile from KOR's radar at ``t`` (N missiles in midcourse north of it)."""
    sensor = next(s for s in network.sensors_of("KOR") if s.kind == "radar")
    starts = []
    for k in range(N):
        lat, lon = np.radians(39.0), np.radians(125.5 + 0.3 * k)
        east, _north, up = enu_rotation(lat, lon)
        starts.append(np.concatenate([geodetic_to_ecef(lat, lon, 250e3), 3000.0 * east + 1000.0 * up]))
    lat, lon, h = np.radians(sensor.site[0]), np.radians(sensor.site[1]), sensor.site[2]
    site = tuple(float(v) for v in geodetic_to_ecef(lat, lon, h))
    sa, sr = sensor.sigma_angle_mrad / 1000.0, float(sensor.sigma_range_m)
    out = []
    for i, state in enumerate(propagate(np.array(starts), T0, t)):
        az, el, r = ecef_to_aer(state[:3], lat, lon, h)
        out.append(Measurement(id=first_id + i, time=t, delivered=t, sensor=sensor.id, nation="KOR",
                               kind=SensorKind.RADAR, sensor_ecef=site,
                               azimuth=float(az + rng.normal(0, sa)) % (2 * np.pi),
                               elevation=float(el + rng.normal(0, sa)), sigma_azimuth=sa,
                               sigma_elevation=sa, range=float(r + rng.normal(0, sr)), sigma_range=sr))
    return out


def test_one_batch_per_step_fused_at_the_partner_archived_and_replayed(tmp_path: Path) -> None:
    network = load_network()
    kor, jpn, usa = (Signer.generate(n) for n in ("KOR", "JPN", "USA"))
    trust = TrustStore.of(kor, jpn, usa)
    sender = NodeCore(network, NodeSettings(nation="KOR", report_interval=0.0, assess=False,
                                            batch_reports=True), kor, trust)
    receiver = NodeCore(network, NodeSettings(nation="JPN"), jpn, trust)
    rng = np.random.default_rng(3)
    sent, received = Archive(tmp_path / "kor.db"), Archive(tmp_path / "jpn.db")
    messages: list[bytes] = []
    sequences: list[int] = []
    for k in range(5):
        result = sender.step(scan(network, T0 + k, N * k, rng), T0 + k)
        for e in result.entries:
            sent.append(e.kind, e.time, e.body, e.blob)
        if k < 2:
            continue                                    # tracks confirm on the third scan
        assert len(result.outgoing) == 1                # N reports, one message
        out = result.outgoing[0]
        assert isinstance(out.report, ReportBatch) and len(out.report.reports) == N
        assert out.recipients == ("USA", "JPN") and out.msg_id == f"KOR.batch.{out.report.seq}"
        [entry] = [e for e in result.entries if e.kind == ak.KIND_REPORT_SENT]
        assert len(entry.body["track_ids"]) == N and entry.blob == out.data
        outcome = receiver.receive(out.data, T0 + k + 0.05)
        assert outcome.reason is None and len(outcome.reports) == N
        received.append(outcome.entry.kind, outcome.entry.time, outcome.entry.body, outcome.entry.blob)
        receiver.fuse(T0 + k + 0.05)
        assert len(receiver.picture.tracks) == N
        messages.append(out.data)
        sequences += [out.report.seq, *(r.seq for r in out.report.reports)]
    assert receiver.counters["reports_received"] == 3 * N
    assert len(set(sequences)) == len(sequences) == 3 * (N + 1)     # one counter: batches and reports
    # a replayed batch is refused whole, and counted
    assert receiver.receive(messages[0], T0 + 5).reason == "replay"
    assert receiver.rejects["replay"] == 1 and receiver.counters["reports_received"] == 3 * N
    sent.close()
    received.close()
    for path in (tmp_path / "kor.db", tmp_path / "jpn.db"):
        outcome = replay_archive(path)
        assert outcome.consistent and outcome.reports_replayed == 3 * N
        assert len(outcome.final_tracks) == N


def test_a_batch_over_the_size_limit_is_split_and_every_part_verifies() -> None:
    network = load_network()
    kor, jpn = Signer.generate("KOR"), Signer.generate("JPN")
    trust = TrustStore.of(kor, jpn)
    sender = NodeCore(network, NodeSettings(nation="KOR", report_interval=0.0, assess=False,
                                            batch_reports=True), kor, trust)
    receiver = NodeCore(network, NodeSettings(nation="JPN"), jpn, trust)
    sender.max_batch_bytes = 1500                        # about two state-only reports
    rng = np.random.default_rng(4)
    for k in range(3):
        result = sender.step(scan(network, T0 + k, N * k, rng), T0 + k)
    parts = [out for out in result.outgoing if out.recipients]
    assert len(parts) >= 3 and all(len(out.data) <= 1500 or len(out.report.reports) == 1 for out in parts)
    assert sorted(r.track_id for out in parts for r in out.report.reports) == sorted(sender.tracks)
    for out in parts:
        assert receiver.receive(out.data, T0 + 2.05).reason is None
    assert receiver.counters["reports_received"] == N


def test_a_partner_track_re_reported_with_its_old_state_is_not_a_new_picture_latency() -> None:
    """A KOR track that missed a plot is reported again with the previous scan's state: JPN's picture
    already holds that plot, so its latency is counted once (not again, a second later)."""
    network = load_network()
    kor, jpn = Signer.generate("KOR"), Signer.generate("JPN")
    trust = TrustStore.of(kor, jpn)
    sender = NodeCore(network, NodeSettings(nation="KOR", report_interval=0.0, assess=False,
                                            batch_reports=True), kor, trust)
    clock = SimClock(T0, speed=None)
    receiver = NodeService(NodeCore(network, NodeSettings(nation="JPN"), jpn, trust), clock,
                           fuse_on_arrival=False)
    rng = np.random.default_rng(5)

    async def run() -> list[int]:
        counted = []
        for k in range(5):
            plots = scan(network, T0 + k, N * k, rng)
            if k == 4:
                plots = plots[1:]                      # one missile not seen in this scan
            result = sender.step(plots, T0 + k)
            clock.advance_to(T0 + k + 0.05)
            before = len(receiver.picture_latencies)
            for out in result.outgoing:
                await receiver.handle_incoming(out.data)
            receiver.fuse_now()
            counted.append(len(receiver.picture_latencies) - before)
        return counted

    counted = asyncio.run(run())
    assert counted[2:] == [N, N, N - 1]
    assert max(receiver.picture_latencies) < 0.1
