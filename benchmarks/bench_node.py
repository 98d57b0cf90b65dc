"""Measurement-to-picture latency across nations: sensor timestamp at KOR → fused track updated at JPN.

Three real nats-server processes (the default hub topology), a KOR node and a JPN
node in this process on the wall clock. Every second a KOR radar delivers one plot
per missile (N = 10 and 100 missiles in midcourse, ballistic truth from
trilink.physics); the KOR node tracks them, reports every updated track at once
(state only: assessment off, it is not on this path), the report goes
KOR → USA hub → JPN through JetStream, and the JPN node verifies and fuses it.
The latency is JPN's wall clock when the fused picture holding the update is
ready minus the plot's sensor timestamp. Measured in the same run as its floor:
issued at KOR → verified at JPN (the network and verification part alone).

Run: ``.venv/bin/python benchmarks/bench_node.py`` (about 2 minutes).
"""

import asyncio
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import figure, write_section
from trilink.geo.frames import ecef_to_aer, enu_rotation, geodetic_to_ecef
from trilink.model import Measurement, SensorKind
from trilink.model.network import load_network
from trilink.node.clock import WallClock
from trilink.node.core import NodeCore, NodeSettings
from trilink.node.netlink import start_network
from trilink.node.service import NodeService
from trilink.physics.propagate import propagate
from trilink.wire.keys import Signer, TrustStore

WARMUP_S = 8.0
MEASURE_S = 20.0


def initial_states(n: int) -> np.ndarray:
    """N midcourse states (ECEF) on a grid north of the KOR radar, 20 km apart, heading east."""
    side = int(np.ceil(np.sqrt(n)))
    out = []
    for k in range(n):
        lat, lon = np.radians(39.0 + 0.2 * (k // side)), np.radians(125.5 + 0.2 * (k % side))
        position = geodetic_to_ecef(lat, lon, 250e3)
        east, north, up = enu_rotation(lat, lon)
        out.append(np.concatenate([position, 3000.0 * east + 300.0 * north + 1000.0 * up]))
    return np.array(out)


def plots(sensor: object, states: np.ndarray, t: float, first_id: int, rng: np.random.Generator
          ) -> list[Measurement]:
    """One noisy range/azimuth/elevation plot per state from ``sensor`` at wall time ``t``."""
    lat, lon, h = np.radians(sensor.site[0]), np.radians(sensor.site[1]), sensor.site[2]
    site = tuple(float(v) for v in geodetic_to_ecef(lat, lon, h))
    sa = sensor.sigma_angle_mrad / 1000.0
    sr = float(sensor.sigma_range_m)
    out = []
    for i, state in enumerate(states):
        az, el, rng_m = ecef_to_aer(state[:3], lat, lon, h)
        out.append(Measurement(
            id=first_id + i, time=t, delivered=t, sensor=sensor.id, nation="KOR", kind=SensorKind.RADAR,
            sensor_ecef=site, azimuth=float(az + rng.normal(0, sa)) % (2 * np.pi),
            elevation=float(el + rng.normal(0, sa)), sigma_azimuth=sa, sigma_elevation=sa,
            range=float(rng_m + rng.normal(0, sr)), sigma_range=sr))
    return out


async def measure(n: int) -> dict[str, float]:
    """Run KOR → JPN with ``n`` missiles; latency percentiles in ms."""
    network = load_network()
    sensor = next(s for s in network.sensors_of("KOR") if s.kind == "radar")
    jpn, kor, usa = (Signer.generate(c) for c in ("JPN", "KOR", "USA"))
    trust = TrustStore.of(jpn, kor, usa)
    running = await start_network(network)
    clock = WallClock()
    try:
        settings = {"report_interval": 0.0, "assess": False}
        kor_node = NodeService(NodeCore(network, NodeSettings(nation="KOR", **settings), kor, trust), clock,
                               transport=await running.transport("KOR"))
        jpn_node = NodeService(NodeCore(network, NodeSettings(nation="JPN", **settings), jpn, trust), clock,
                               transport=await running.transport("JPN"))
        network_latency: list[float] = []
        original = jpn_node.handle_incoming

        async def timed(data: bytes) -> None:
            before = len(jpn_node.core.recent_received)
            await original(data)
            if len(jpn_node.core.recent_received) > before or jpn_node.core.recent_received.maxlen == before:
                report = jpn_node.core.recent_received[-1]
                network_latency.append(clock.now() - report.issued_utc)

        jpn_node.handle_incoming = timed  # type: ignore[method-assign]
        await kor_node.start()
        await jpn_node.start()
        rng = np.random.default_rng(7)
        t0 = clock.now()
        states = propagate(initial_states(n), t0, t0)
        next_id = 0
        began = time.monotonic()
        step_index = 0
        while time.monotonic() - began < WARMUP_S + MEASURE_S:
            now = clock.now()
            if step_index == int(WARMUP_S):
                jpn_node.picture_latencies.clear()
                network_latency.clear()
            truth = propagate(states, t0, now)
            batch = plots(sensor, truth, now, next_id, rng)
            next_id += len(batch)
            kor_node.submit(batch)
            await kor_node.step(now)
            step_index += 1
            await asyncio.sleep(max(0.0, began + step_index - time.monotonic()))
        await asyncio.sleep(1.0)
        picture = np.array(jpn_node.picture_latencies) * 1000.0
        net_ms = np.array(network_latency) * 1000.0
        fused = 0 if jpn_node.core.picture is None else len(jpn_node.core.picture.tracks)
        await kor_node.close()
        await jpn_node.close()
    finally:
        await running.stop()
    if len(picture) == 0:
        raise SystemExit(f"no fused updates reached JPN with {n} missiles")
    return {"n": n, "samples": len(picture), "fused_tracks": fused,
            "p50": float(np.percentile(picture, 50)), "p99": float(np.percentile(picture, 99)),
            "max": float(picture.max()), "net_p50": float(np.percentile(net_ms, 50)),
            "net_p99": float(np.percentile(net_ms, 99))}


def main() -> None:
    """Measure at 10 and 100 missiles, write docs/performance.md, print the figures."""
    rows = [asyncio.run(measure(n)) for n in (10, 100)]
    lines = ["## Node: KOR sensor → JPN picture (`benchmarks/bench_node.py`)", "",
             "Sensor timestamp of a KOR radar plot → JPN's fused picture updated with it (wall clock, "
             "KOR → USA hub → JPN over three local nats-servers with JetStream; KOR reports every update, "
             "state only). The floor measured in the same run: report issued at KOR → verified at JPN.",
             "",
             "| missiles | updates measured | fused tracks at JPN | p50 ms | p99 ms | max ms "
             "| floor p50 ms | floor p99 ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']} | {r['samples']} | {r['fused_tracks']} | {r['p50']:.1f} | {r['p99']:.1f} "
                     f"| {r['max']:.1f} | {r['net_p50']:.1f} | {r['net_p99']:.1f} |")
        print(f"{r['n']} missiles: {r['samples']} updates, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
              f"max {r['max']:.1f} ms (floor p50 {r['net_p50']:.1f}, p99 {r['net_p99']:.1f} ms), "
              f"{r['fused_tracks']} fused tracks at JPN")
    lines += ["", "Target: p99 ≤ 50 ms at 100 missiles. The latency includes KOR's tracker step for the "
              "whole scan (all N plots arrive together), sealing N reports, JetStream publish with "
              "acknowledgement, the courier hop through the hub, verification and one coalesced fusion "
              "at JPN."]
    write_section("bench_node", "\n".join(lines))
    figure("picture_p50_ms_10", rows[0]["p50"])
    figure("picture_p99_ms_10", rows[0]["p99"])
    figure("picture_p50_ms_100", rows[1]["p50"])
    figure("picture_p99_ms_100", rows[1]["p99"])


if __name__ == "__main__":
    main()
