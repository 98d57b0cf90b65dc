"""``trilink demo``: three nations' nodes, real NATS servers, a simulated raid, a live picture, a summary.

The driver owns one stepped scenario clock shared by the nodes. Each tick it
advances scenario time by ``tick`` seconds, lets every node process the
measurements delivered by then and publish, waits until the network has
delivered what was published (so ``--speed max`` runs as fast as the nodes and
servers keep up, still through the servers), fuses, and records what each node
knew for the summary. With a finite speed it also waits for wall time, so the
scenario never runs faster than ``speed`` × real time.
"""

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.node.alerting import attach as attach_alerts
from trilink.node.alerting import fill_summary
from trilink.node.archive import Archive
from trilink.node.clock import SimClock
from trilink.node.core import NodeCore, NodeSettings
from trilink.node.logs import fields
from trilink.node.metrics import NodeMetrics
from trilink.node.service import NodeService
from trilink.node.summary import MissileTruth, Snapshot, SummaryRecorder, impact_truth
from trilink.wire.keys import Signer, TrustStore

log = logging.getLogger("trilink.demo")

DEFAULT_SCENARIO = "demo-mixed"
AFTER_LAST_IMPACT_S = 150.0
"""Run on this long after the last impact: the alert engine's all-clear comes a minute or two after it."""
TARGET_WALL_S = 200.0
"""With no --speed, the scenario is sped up to last about this long (if the nodes keep up)."""


@dataclass
class DemoOptions:
    """What ``trilink demo`` was asked to do."""

    scenario: str = DEFAULT_SCENARIO
    speed: float | None = None
    """Scenario seconds per wall second; None = as fast as possible ("max"); 0 = automatic."""
    sharing: bool = True
    archive_dir: Path | None = None
    tick: float = 1.0
    coarse_tick: float = 4.0
    fine_window: float = 400.0
    """Scenario time advances by ``tick`` from just before each launch to ``fine_window`` s after it
    (when first detections and sharing happen), by ``coarse_tick`` otherwise (midcourse, waiting)."""
    fuse_interval: float = 2.0
    """Each node fuses once every this many scenario seconds (fusion is the costliest step)."""
    report_interval: float = 2.0
    assess_max_interval: float = 120.0
    """Longest time between two assessments of a track (long midcourses change slowly)."""
    assessment_rate: float | None = 0.5
    """Assessments per scenario second per node: keeps the demo's pace on 2 cores (one assessment
    costs 0.1-0.3 s of CPU); tracks beyond it keep their last assessment a little longer."""
    quiesce_timeout: float = 1.0
    stop_after_launch: float | None = None
    """Stop this many scenario seconds after the first launch (tests that need only the early flight)."""


@dataclass
class DemoRun:
    """A demo in progress or finished: nodes, recorder, progress, and the final summary."""

    options: DemoOptions
    scenario: Any
    nodes: dict[str, NodeService]
    recorder: SummaryRecorder
    start: float
    end: float
    now: float
    wall_started: float = field(default_factory=time.monotonic)
    interrupted: bool = False
    finished: bool = False
    stop_requested: bool = False
    """Set (e.g. by Ctrl-C) to end the run cleanly after the current tick."""
    pages: dict[str, str] = field(default_factory=dict)
    """Nation → URL of its node's web page, when the demo serves them."""
    alerts: dict[str, Any] = field(default_factory=dict)
    """Nation → its node's alert engine (`trilink.node.alerting.NodeAlerts`)."""

    @property
    def progress(self) -> float:
        """Fraction of scenario time done."""
        return min(1.0, (self.now - self.start) / max(self.end - self.start, 1e-9))


def warheads(scenario: Any) -> list[MissileTruth]:
    """Truth of each missile's warhead (the objects the summary is about), by launch time."""
    out = []
    for obj in scenario.objects.values():
        if obj.kind != "warhead":
            continue
        trajectory = obj.trajectory
        lat, lon = impact_truth(trajectory)
        out.append(MissileTruth(obj.launch_id, float(trajectory.launch_time), float(trajectory.impact_time),
                                lat, lon, trajectory))
    return sorted(out, key=lambda m: (m.launch_time, m.id))


def scenario_end(scenario: Any, missiles: list[MissileTruth]) -> float:
    """When the demo can stop: the scenario's end, or once the last impact's all-clear is due, if sooner."""
    if not missiles:
        return float(scenario.end)
    return min(float(scenario.end), max(m.impact_time for m in missiles) + AFTER_LAST_IMPACT_S)


def own_snapshots(node: NodeService) -> list[Snapshot]:
    """The node's own confirmed/coasting tracks with their latest assessments."""
    out = []
    for track in node.core.tracks.values():
        assessment = node.core.assessments.get(track.track_id)
        lat = lon = ellipse = None
        if assessment is not None and assessment.impact is not None:
            lat, lon = assessment.impact.lat, assessment.impact.lon
            e = assessment.impact.ellipse
            ellipse = (e.semi_major / 1000.0, e.semi_minor / 1000.0)
        out.append(Snapshot(track.track_id, np.asarray(track.state[:3]), lat, lon, ellipse, (node.nation,)))
    return out


def fused_snapshots(node: NodeService) -> list[Snapshot]:
    """The node's fused tracks (active or lost) with their fused impact predictions."""
    picture = node.core.picture
    if picture is None:
        return []
    out = []
    for t in picture.tracks:
        if str(t.status) == "dropped":
            continue
        lat = lon = ellipse = None
        if t.impact is not None:
            lat, lon = t.impact.lat, t.impact.lon
            e = ellipse_from_covariance(t.impact.covariance_en, 0.95)
            ellipse = (e.semi_major / 1000.0, e.semi_minor / 1000.0)
        nations = tuple(sorted({n for n, _ in t.contributors}))
        out.append(Snapshot(t.fused_id, np.asarray(t.state[:3]), lat, lon, ellipse, nations))
    return out


def make_nodes(network: Any, options: DemoOptions, clock: SimClock,
               transports: dict[str, Any]) -> dict[str, NodeService]:
    """One node service per nation with sensors, sharing one trust store of freshly generated keys."""
    nations = [n for n in network.nation_codes() if network.sensors_of(n)]
    signers = {n: Signer.generate(n) for n in nations}
    trust = TrustStore.of(*signers.values())
    nodes = {}
    for nation in nations:
        settings = NodeSettings(nation=nation, report_interval=options.report_interval,
                                sharing=options.sharing,
                                assessment_rate=options.assessment_rate,
                                assess_max_interval=options.assess_max_interval, batch_reports=True)
        core = NodeCore(network, settings, signers[nation], trust)
        archive = None
        if options.archive_dir is not None:
            archive = Archive(options.archive_dir / f"{nation}.sqlite")
            archive.append("meta", clock.now(), {"nation": nation, "network": network.name,
                                                 "sharing": options.sharing, "scenario": options.scenario})
        nodes[nation] = NodeService(core, clock, transport=transports.get(nation), archive=archive,
                                    metrics=NodeMetrics(nation), tick=options.tick, fuse_on_arrival=False)
    return nodes


async def _quiesce(nodes: dict[str, NodeService], timeout: float, state: dict[str, int]) -> None:
    """Wait until every message published so far has reached its recipient (at most ``timeout`` s).

    A message that never arrives (counted in ``state["missing"]`` after a timeout) does not make
    every later tick wait again.
    """
    deadline = time.monotonic() + timeout
    while True:
        published = sum(n.published for n in nodes.values())
        received = sum(n.received_messages for n in nodes.values()) + state.get("missing", 0)
        if received >= published:
            return
        if time.monotonic() > deadline:
            state["missing"] = state.get("missing", 0) + published - received
            log.warning("messages not delivered within the tick", extra=fields(missing=published - received))
            return
        await asyncio.sleep(0.001)


async def drive(run: DemoRun, clock: SimClock, on_tick: Callable[[DemoRun], None] | None = None) -> None:
    """Advance the scenario tick by tick until its end (or cancellation), stepping and fusing every node."""
    options = run.options
    wall0 = time.monotonic()
    delivery: dict[str, int] = {}
    t = last_fused = run.start
    while t < run.end:
        if run.stop_requested:
            run.interrupted = True
            break
        t = min(t + _tick(run, t), run.end)
        clock.advance_to(t)
        run.now = t
        for node in run.nodes.values():
            await node.step(t)
        if options.sharing:
            await _quiesce(run.nodes, options.quiesce_timeout, delivery)
        fuse = t - last_fused >= options.fuse_interval - 1e-9 or t >= run.end
        if fuse:
            last_fused = t
        for node in run.nodes.values():
            if fuse:
                node.fuse_now()
            run.recorder.observe(node.nation, t, own_snapshots(node), fused_snapshots(node))
            if node.archive is not None:
                node.archive.flush()
        if on_tick is not None:
            on_tick(run)
        if options.speed is not None and math.isfinite(options.speed):
            ahead = (t - run.start) / options.speed - (time.monotonic() - wall0)
            if ahead > 0:
                await asyncio.sleep(ahead)
        else:
            await asyncio.sleep(0)
    run.finished = True


def _tick(run: DemoRun, t: float) -> float:
    """The fine tick around launches (first detections, sharing, boost), the coarse one otherwise."""
    options = run.options
    launches = [m.launch_time for m in run.recorder.missiles]
    busy = any(launch - options.coarse_tick <= t <= launch + options.fine_window for launch in launches)
    return options.tick if busy or not launches else options.coarse_tick


def automatic_speed(start: float, end: float) -> float:
    """The speed-up that makes the scenario last about ``TARGET_WALL_S``."""
    return max(1.0, (end - start) / TARGET_WALL_S)


def log_progress(run: DemoRun) -> None:
    """Headless progress: one structured line per 5 % of scenario time."""
    step = int(run.progress * 20)
    if step != getattr(run, "_last_logged", -1):
        run._last_logged = step  # type: ignore[attr-defined]
        log.info("demo progress", extra=fields(
            percent=round(run.progress * 100), wall_s=round(time.monotonic() - run.wall_started, 1),
            **{n: len(node.core.tracks) for n, node in run.nodes.items()}))


async def run_demo(options: DemoOptions, *, scenario: Any = None, simulation: Any = None,
                   on_tick: Callable[[DemoRun], None] | None = None,
                   on_ready: Callable[[DemoRun], None] | None = None) -> DemoRun:
    """Simulate (unless given), start the servers (when sharing), run the nodes to the end; the finished run.

    Cancelling the task stops the run cleanly (nodes drained, servers stopped); ``run.interrupted``
    is then True and ``run.recorder`` holds what happened so far.
    """
    from trilink.sim.run import run as simulate
    from trilink.sim.scenario import load_scenario

    if scenario is None:
        scenario = await asyncio.to_thread(load_scenario, options.scenario)
    if simulation is None:
        began = time.monotonic()
        simulation = await asyncio.to_thread(simulate, scenario)
        log.info("simulated", extra=fields(measurements=len(simulation.measurements),
                                           wall_s=round(time.monotonic() - began, 1)))
    network = simulation.network
    missiles = warheads(scenario)
    end = scenario_end(scenario, missiles)
    if options.stop_after_launch is not None and missiles:
        end = min(end, missiles[0].launch_time + options.stop_after_launch)
    if options.speed == 0.0:
        options.speed = automatic_speed(scenario.start, end)
    clock = SimClock(scenario.start, speed=None)
    running = None
    transports: dict[str, Any] = {}
    nodes: dict[str, NodeService] = {}
    try:
        if options.sharing:
            from trilink.node.netlink import start_network

            running = await start_network(network)
            for nation in network.nation_codes():
                if network.sensors_of(nation):
                    transports[nation] = await running.transport(nation)
        nodes = make_nodes(network, options, clock, transports)
        for nation, node in nodes.items():
            node.submit(m for m in simulation.measurements if m.nation == nation)
            await node.start()
        recorder = SummaryRecorder(scenario.name, options.sharing, missiles, list(nodes))
        run = DemoRun(options, scenario, nodes, recorder, scenario.start, end, scenario.start,
                      alerts={nation: attach_alerts(node) for nation, node in nodes.items()})
        if on_ready is not None:
            on_ready(run)
        try:
            await drive(run, clock, on_tick)
        except asyncio.CancelledError:
            run.interrupted = True
        for nation, engine in run.alerts.items():
            fill_summary(recorder, nation, engine)
        return run
    finally:
        for node in nodes.values():
            try:
                await node.close()
            except Exception:
                log.exception("closing a node failed")
        for transport in transports.values():
            if not any(n.transport is transport for n in nodes.values()):
                await transport.close()
        if running is not None:
            await running.stop()
