"""Measurement-to-picture latency across nations: sensor timestamp at KOR → fused track updated at JPN.

Three real nats-server processes (the default hub topology) with their streams and couriers,
a KOR node in its own process and a JPN node in this one, both on the wall clock (each nation
runs its own node; in one process KOR's own fusion would stall JPN's event loop, which no
deployment does). Every second a KOR radar delivers one plot per missile (N = 10 and 100
missiles in midcourse, ballistic truth from trilink.physics), handed to the node at the plots'
sensor time (the scan is simulated before then: the radar's work is not the node's); the KOR
node tracks them and reports every updated track at once (state only: assessment off, it is
not on this path),
as signed report batches (``NodeSettings.batch_reports``); the batch goes KOR → USA hub → JPN
through JetStream with acknowledgement, and the JPN node verifies and fuses it. The latency is
JPN's wall clock when the fused picture holding the update is ready minus the plot's sensor
timestamp. Measured in the same run: the floor (report issued at KOR → verified at JPN) and
where the time goes, stage by stage (KOR: tracker, sealing, publish acknowledged; JPN:
arrival, verification, fusion).

Run: ``.venv/bin/python benchmarks/bench_node.py`` (about 1.5 minutes). ``--single`` sends each
report as its own message (the path before batching) for comparison; with
``TRILINK_BENCH_PROFILE=DIR`` each process writes a cProfile file ``DIR/<node>-<n>.prof``.
"""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _profile import profiled
from _report import figure, write_section
from trilink.geo.frames import ecef_to_aer, enu_rotation, geodetic_to_ecef
from trilink.model import Measurement, SensorKind
from trilink.model.network import load_network
from trilink.net.loop import loop_name
from trilink.net.transport import Transport
from trilink.node import core as node_core
from trilink.node.archive import Archive
from trilink.node.clock import WallClock
from trilink.node.core import NodeCore, NodeSettings
from trilink.node.netlink import NodeTransport, start_network
from trilink.node.service import NodeService
from trilink.physics.propagate import propagate
from trilink.wire.keys import Signer, TrustStore, read_private, write_private

WARMUP_S = 8.0
MEASURE_S = 20.0
NATIONS = ("JPN", "KOR", "USA")


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


def settings(nation: str, batch: bool) -> NodeSettings:
    """Report every update at once, state only; batched unless comparing with single messages."""
    return NodeSettings(nation=nation, report_interval=0.0, assess=False, batch_reports=batch)


def trust(directory: Path) -> TrustStore:
    """Every nation's key, read from the keys written for this run."""
    return TrustStore.of(*(read_private(directory / f"{n}.key", n) for n in NATIONS))


class Stages:
    """Wall-clock spans of one node's stages (ms), recorded by wrapping the core's calls."""

    def __init__(self, core: NodeCore) -> None:
        self.spans: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        """The same calls' CPU time (ms): what the stage costs on an idle machine."""
        self.after: list[tuple[float, float]] = []
        """(sensor time, ms after it) at which each KOR step's messages were acknowledged."""
        self._wrap(core, "step", "step (tracker + seal)")
        self._wrap(core, "receive", "verify + decode")
        self._wrap(core, "_fuse", "fuse")

    def _wrap(self, core: NodeCore, name: str, label: str) -> None:
        inner = getattr(core, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spans.setdefault(label, []).append(1000.0 * (time.perf_counter() - began))
                self.cpu.setdefault(label, []).append(1000.0 * (time.process_time() - cpu))
        setattr(core, name, timed)

    def clear(self) -> None:
        """Forget the warm-up."""
        self.spans.clear()
        self.cpu.clear()
        self.after.clear()


# ---------------------------------------------------------------- the KOR node (its own process)
async def kor_node(directory: Path, n: int, batch: bool) -> dict[str, Any]:
    """Track N missiles for WARMUP_S + MEASURE_S, one step a second, reporting each step; stage spans."""
    from trilink.net.deploy import read_deployment

    network = load_network()
    sensor = next(s for s in network.sensors_of("KOR") if s.kind == "radar")
    transport = NodeTransport(await Transport.connect(network, read_deployment(directory).access("KOR"),
                                                      name="KOR node"))
    clock = WallClock()
    archive = Archive(directory / "KOR.sqlite")
    node = NodeService(NodeCore(network, settings("KOR", batch), read_private(directory / "KOR.key", "KOR"),
                                trust(directory)), clock, transport=transport, archive=archive)
    stages = Stages(node.core)
    sensor_time = [0.0]
    publish = transport.publish

    async def timed_publish(msg_id: str, data: bytes, recipients: tuple[str, ...]) -> None:
        began = clock.now()
        await publish(msg_id, data, recipients)
        done = clock.now()
        stages.after.append((sensor_time[0], 1000.0 * (done - sensor_time[0])))
        stages.spans.setdefault("publish sent (after sensor time)", []).append(
            1000.0 * (began - sensor_time[0]))
        stages.spans.setdefault("publish → acknowledged", []).append(1000.0 * (done - began))
    transport.publish = timed_publish  # type: ignore[method-assign]
    await node.start()
    start = clock.now() + 1.0
    print(f"ready {start!r}", flush=True)
    rng = np.random.default_rng(7)
    states = propagate(initial_states(n), start, start)
    next_id, step_index = 0, 0

    def scan(t: float) -> list[Measurement]:
        # The radar's scan at t, simulated before t: the simulator stands in for the sensor, it is not
        # part of the node's path (computed after t it would add ~10 ms of simulation at 100 missiles).
        nonlocal next_id
        out = plots(sensor, propagate(states, start, t), t, next_id, rng)
        next_id += len(out)
        return out

    batch_plots = scan(start)
    await clock.sleep_until(start)
    while step_index < WARMUP_S + MEASURE_S:
        now = sensor_time[0] = start + step_index
        if step_index == int(WARMUP_S):
            stages.clear()
        stages.spans.setdefault("awake (after sensor time)", []).append(1000.0 * (clock.now() - now))
        node.submit(batch_plots)          # delivered at their sensor time, ``now``
        await node.step(now)              # track, seal, publish (acknowledged), then fuse its own picture
        archive.flush()                   # as NodeService.run does after every step
        step_index += 1
        batch_plots = scan(start + step_index)
        await clock.sleep_until(start + step_index)
    await transport.close()     # not node.close(): its draining step would re-report stale states
    archive.close()
    return {"spans": stages.spans, "cpu": stages.cpu, "acked_ms": [a for _, a in stages.after],
            "messages": node.core.counters["messages_sealed"], "reports": node.core.counters["reports_built"]}


def _kor_role(args: list[str]) -> None:
    directory, n, batch = Path(args[0]), int(args[1]), args[2] == "batch"
    cpu = time.process_time()
    result = profiled(f"KOR-{n}", kor_node(directory, n, batch))
    print(json.dumps({**result, "cpu_s": time.process_time() - cpu}), flush=True)


# ---------------------------------------------------------------- JPN and the network (this process)
async def measure(n: int, workdir: Path, batch: bool = True) -> dict[str, Any]:
    """Run KOR → JPN with ``n`` missiles; latency percentiles (ms) and stage spans."""
    network = load_network()
    directory = workdir / f"net-{n}"
    directory.mkdir()
    for nation in NATIONS:
        write_private(directory / f"{nation}.key", Signer.generate(nation))
    running = await start_network(network, directory)
    clock = WallClock()
    kor = None
    try:
        jpn_node = NodeService(NodeCore(network, settings("JPN", batch),
                                        read_private(directory / "JPN.key", "JPN"), trust(directory)),
                               clock, transport=await running.transport("JPN"),
                               archive=Archive(directory / "JPN.sqlite"))
        stages = Stages(jpn_node.core)
        floor: list[float] = []
        arrival: list[float] = []
        receive = jpn_node.core.receive

        def timed_receive(data: bytes, now: float) -> node_core.ReceiveResult:
            outcome = receive(data, now)
            if outcome.report is not None:
                done = clock.now()
                floor.append(1000.0 * (done - outcome.report.issued_utc))
                arrival.append(1000.0 * (now - outcome.report.issued_utc))
            return outcome
        jpn_node.core.receive = timed_receive  # type: ignore[method-assign]
        await jpn_node.start()
        stop = asyncio.Event()
        ticking = asyncio.create_task(jpn_node.run(stop))    # JPN's own step and archive flush, every second
        me = [sys.executable, str(Path(__file__).resolve())]
        kor = await asyncio.create_subprocess_exec(*me, "_kor", str(directory), str(n),
                                                   "batch" if batch else "single", stdout=subprocess.PIPE)
        assert kor.stdout is not None
        line = (await asyncio.wait_for(kor.stdout.readline(), 60)).decode().split()
        if not line or line[0] != "ready":
            raise RuntimeError(f"KOR node did not start: {line!r}")
        start = float(line[1])
        await clock.sleep_until(start + WARMUP_S - 0.5)
        jpn_node.picture_latencies.clear()
        stages.clear()
        floor.clear()
        arrival.clear()
        cpu = time.process_time()
        out, _ = await asyncio.wait_for(kor.communicate(), WARMUP_S + MEASURE_S + 60)
        await asyncio.sleep(1.0)
        jpn_cpu = time.process_time() - cpu
        kor_result = json.loads(out.splitlines()[-1])
        picture = np.array(jpn_node.picture_latencies) * 1000.0
        fused = 0 if jpn_node.core.picture is None else len(jpn_node.core.picture.tracks)
        stop.set()
        await ticking
        await jpn_node.close()
        archived = jpn_node.archive.records_written if jpn_node.archive is not None else 0
    finally:
        if kor is not None and kor.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                kor.kill()
        await running.stop()
    if len(picture) == 0:
        raise SystemExit(f"no fused updates reached JPN with {n} missiles")
    spans = {f"KOR {k}": (v, kor_result["cpu"].get(k, [])) for k, v in kor_result["spans"].items()}
    spans["KOR publish acknowledged (after sensor time)"] = (kor_result["acked_ms"], [])
    spans["JPN arrival (after sensor time)"] = (arrival, [])
    spans |= {f"JPN {k}": (v, stages.cpu[k]) for k, v in stages.spans.items() if k != "step (tracker + seal)"}
    return {"n": n, "samples": len(picture), "fused_tracks": fused,
            "p50": float(np.percentile(picture, 50)), "p99": float(np.percentile(picture, 99)),
            "max": float(picture.max()), "net_p50": float(np.percentile(floor, 50)),
            "net_p99": float(np.percentile(floor, 99)), "spans": spans,
            "messages": kor_result["messages"], "reports": kor_result["reports"], "archived": archived,
            "cpu_ms_per_step": (1000.0 * kor_result["cpu_s"] / (WARMUP_S + MEASURE_S),
                                1000.0 * jpn_cpu / MEASURE_S)}


def _span_rows(rows: list[dict[str, Any]]) -> list[str]:
    def pct(values: list[float]) -> str:
        return f"{np.percentile(values, 50):.1f} / {np.percentile(values, 99):.1f}" if values else "—"

    lines = ["| stage | " + " | ".join(f"{r['n']} missiles: wall p50 / p99 ms | CPU p50 / p99 ms"
                                       for r in rows) + " |",
             "|---|" + "---:|---:|" * len(rows)]
    for label in rows[-1]["spans"]:
        cells = []
        for r in rows:
            wall, cpu = r["spans"].get(label, ([], []))
            cells += [pct(wall), pct(cpu)]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    """Measure at 10 and 100 missiles, write docs/performance.md, print the figures."""
    batch = "--single" not in sys.argv
    with tempfile.TemporaryDirectory(prefix="bench-node-") as tmp:
        rows = [profiled(f"JPN-{n}", measure(n, Path(tmp), batch)) for n in (10, 100)]
    load = os.getloadavg()
    form = "one signed batch per step" if batch else "one message per report"
    lines = ["## Node: KOR sensor → JPN picture (`benchmarks/bench_node.py`)", "",
             "Sensor timestamp of a KOR radar plot → JPN's fused picture updated with it (wall clock, "
             "KOR node and JPN node in separate processes, KOR → USA hub → JPN over three local "
             "nats-servers with JetStream acknowledgement; KOR reports every update, state only, "
             f"{form}; both nodes archive every message sent and received, SQLite, hash-chained, as "
             "`trilink node` does, JPN running its own one-second step; the KOR radar's scan is handed "
             f"to the node at its sensor time; event loop: {loop_name()}). The floor measured in the same "
             "run: report issued at KOR → verified at JPN. Load average at the end: "
             f"{load[0]:.1f} / {load[1]:.1f} (1 / 5 min) on 2 cores shared with other work.",
             "",
             "| missiles | updates measured | fused tracks at JPN | p50 ms | p99 ms | max ms "
             "| floor p50 ms | floor p99 ms | messages / reports sent | CPU ms per step KOR / JPN ¹ |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        kor_cpu, jpn_cpu = r["cpu_ms_per_step"]
        lines.append(f"| {r['n']} | {r['samples']} | {r['fused_tracks']} | {r['p50']:.1f} | {r['p99']:.1f} "
                     f"| {r['max']:.1f} | {r['net_p50']:.1f} | {r['net_p99']:.1f} "
                     f"| {r['messages']:,} / {r['reports']:,} | {kor_cpu:.0f} / {jpn_cpu:.0f} |")
        print(f"{r['n']} missiles: {r['samples']} updates, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
              f"max {r['max']:.1f} ms (floor p50 {r['net_p50']:.1f}, p99 {r['net_p99']:.1f} ms), "
              f"{r['fused_tracks']} fused tracks at JPN, {r['messages']} messages for {r['reports']} "
              f"reports, {r['archived']} records in JPN's archive")
    lines += ["", "¹ CPU of the KOR node process and of the process running the JPN node and the three "
              "couriers, per second of the run (one step per second).", "",
              "Where the time goes (wall clock and CPU per call, same run):", "", *_span_rows(rows), "",
              f"Target: p99 ≤ 50 ms at 100 missiles — {'met' if rows[1]['p99'] <= 50.0 else 'not met'} in "
              f"this run ({rows[1]['p99']:.1f} ms). All of a step's updates arrive together, so the p99 is "
              f"set by the slowest step or two of {int(MEASURE_S)}; on this shared machine that is the step "
              "whose processes waited longest for a core. A track that missed a plot in a scan is "
              "re-reported with its previous state: no new plot, so it is not counted again "
              "(`NodeService.picture_latencies`)."]
    print("\n".join(_span_rows(rows)))
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    write_section("bench_node", "\n".join(lines))
    figure("picture_p50_ms_10", rows[0]["p50"])
    figure("picture_p99_ms_10", rows[0]["p99"])
    figure("picture_p50_ms_100", rows[1]["p50"])
    figure("picture_p99_ms_100", rows[1]["p99"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_kor":
        _kor_role(sys.argv[2:])
    else:
        main()
