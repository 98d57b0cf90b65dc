"""One offline run of the whole chain for one nation: simulator → trackers → signed reports → fusion → alerts.

No network and no clock: every nation's ``NodeCore`` (the node's own functional
core: its tracker, assessment, report release, sealing, verification and fusion)
is stepped on a simulated schedule, and the reports a partner releases to the
scored nation reach it after a fixed delay per network hop (the hub topology's
KOR → USA → JPN path is two hops). The scored node receives and verifies them as
the live node does, fuses at its cadence, and ``decide`` runs on every fusion;
the decisions are scored against the simulated truth with ``score_alerts``.

The schedule is the demo's (``trilink.node.demo.DemoOptions``): 1 s ticks from
launch to 400 s after it, 4 s otherwise, fusion every 2 s, reports every 2 s,
assessments capped at 0.5 per second per node; a step's reports to the same
partners sealed as one batch; partners' reports issued in a tick are fused at
the end of that tick (the demo driver waits for the network the same way),
stamped with their arrival time.
"""

import heapq
import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trilink.alert.decide import AlertDecision, decide, initial_state
from trilink.alert.evaluate import AlertScore, score_alerts
from trilink.alert.inputs import inputs_from_picture
from trilink.alert.policy import AlertPolicy
from trilink.geo.frames import ecef_to_geodetic
from trilink.model import Measurement
from trilink.model.network import NetworkConfig
from trilink.node.core import NodeCore, NodeSettings
from trilink.wire.keys import Signer, TrustStore

HOP_DELAY_S = 0.0068
"""Default delay per network hop: half the KOR → US hub → JPN sharing path's p99 (13.52 ms, two hops,
JetStream with acknowledgement and the courier, 1,000 reports/s on loopback) in docs/performance.md
(bench_net, 2026-11-29). Real geography adds light-in-fibre time (~34 ms per hop Seoul–Hawaii–Tokyo)."""
EVAL_POLICY = AlertPolicy(samples=500)
"""The node's default policy with 500 impact samples per exposure instead of 2,000 (as the end-to-end
alert tests use): the sample classification is most of a run's CPU; P = 0.02 is then resolved to ±0.006."""


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """How one offline run is driven (SI: seconds)."""

    nation: str = "JPN"
    """The nation whose alerts are decided and scored."""
    sharing: bool = True
    """False: the scored nation tracks and fuses its own sensors only."""
    hop_delay_s: float = HOP_DELAY_S
    tick: float = 1.0
    coarse_tick: float = 4.0
    fine_window: float = 400.0
    fuse_interval: float = 2.0
    report_interval: float = 2.0
    assess_max_interval: float = 120.0
    assessment_rate: float | None = 0.5
    stop_after_launch: float | None = None
    """Stop this long after the first launch (short tests that need only the flight up to the coast)."""
    after_end_s: float = 300.0
    """After the scenario's last tick, one more decision this much later (all-clears are due by then)."""
    policy: AlertPolicy = field(default_factory=lambda: EVAL_POLICY)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one run produced: the decisions, their score, and evidence that the real chain made them."""

    decisions: tuple[AlertDecision, ...]
    score: AlertScore
    launch_time: float
    pictures: int
    """Fusions at the scored node (each followed by a decision)."""
    reports_received: dict[str, int]
    """Verified partner reports fused at the scored node, by originator."""
    rejected: dict[str, int]
    """Partner messages the scored node's verifier or fusion refused, by reason."""
    fusion_rejections: dict[str, int]
    """Sources the scored node's fusion refused, by ``<nation>: <reason>`` (the reason's first words)."""
    own_reports: int
    """Reports the scored node built from its own tracks."""
    alert_contributors: tuple[str, ...]
    """Nations whose tracks fed the fused tracks that raised a shelter alert."""
    wall_s: float


def truth_path(objects: Sequence[Any]) -> np.ndarray:
    """(K, 4) [t, lat, lon, h] of the given simulated objects' trajectories, merged in time order."""
    parts = []
    for obj in objects:
        times = np.asarray(obj.trajectory.times, dtype=float)
        lat, lon, height = ecef_to_geodetic(np.asarray(obj.trajectory.positions, dtype=float))
        parts.append(np.column_stack([times, lat, lon, height]))
    if not parts:
        return np.empty((0, 4))
    path = np.vstack(parts)
    return path[np.argsort(path[:, 0], kind="stable")]


def hops(network: NetworkConfig, origin: str, recipient: str) -> int:
    """Network hops from ``origin``'s node to ``recipient``'s: two through the hub, else one."""
    hub = network.topology.hub
    if network.topology.kind == "hub" and hub not in (origin, recipient):
        return 2
    return 1


def _nodes(network: NetworkConfig, options: PipelineOptions) -> dict[str, NodeCore]:
    """Node cores for the scored nation (last) and, with sharing, every partner that has sensors."""
    nations = [n for n in network.nation_codes() if network.sensors_of(n)]
    if options.nation not in nations:
        raise ValueError(f"nation {options.nation} has no sensors in network {network.name!r}")
    if not options.sharing:
        nations = [options.nation]
    nations = [n for n in nations if n != options.nation] + [options.nation]
    signers = {n: Signer.generate(n) for n in nations}
    trust = TrustStore.of(*signers.values())
    return {n: NodeCore(network, NodeSettings(
        nation=n, report_interval=options.report_interval, sharing=options.sharing,
        assessment_rate=options.assessment_rate, assess_max_interval=options.assess_max_interval,
        batch_reports=True),
        signers[n], trust) for n in nations}


def _schedule(start: float, end: float, launches: Sequence[float], options: PipelineOptions) -> list[float]:
    """The tick times: fine from just before each launch to ``fine_window`` after it, coarse otherwise."""
    times, t = [], start
    while t < end:
        busy = not launches or any(launch - options.coarse_tick <= t <= launch + options.fine_window
                                   for launch in launches)
        t = min(t + (options.tick if busy else options.coarse_tick), end)
        times.append(t)
    return times


def run_pipeline(simulation: Any, options: PipelineOptions) -> RunOutcome:
    """Drive the node cores over a finished simulation (``trilink.sim.run.run``'s result) and score alerts."""
    began = time.perf_counter()
    network: NetworkConfig = simulation.network
    scenario = simulation.scenario
    warheads = [o for o in simulation.objects.values() if o.kind == "warhead"]
    launches = sorted(float(o.trajectory.launch_time) for o in warheads)
    last_impact = max((float(o.trajectory.impact_time) for o in warheads), default=float(scenario.end))
    stop = min(float(scenario.end), last_impact + 150.0)
    if options.stop_after_launch is not None and launches:
        stop = min(stop, launches[0] + options.stop_after_launch)
    nodes = _nodes(network, options)
    target = nodes[options.nation]
    queues: dict[str, list[Measurement]] = {n: [] for n in nodes}
    for m in simulation.measurements:
        if m.nation in queues:
            queues[m.nation].append(m)
    for q in queues.values():
        q.sort(key=lambda m: m.delivered)
    cursor = dict.fromkeys(nodes, 0)
    inflight: list[tuple[float, int, bytes]] = []
    order = itertools.count()
    state = initial_state(options.nation, exercise=target.exercise)
    decisions: list[AlertDecision] = []
    received: Counter[str] = Counter()
    fusion_rejected: Counter[str] = Counter()
    pictures, own_reports, last_fused = 0, 0, float(scenario.start)
    alert_nations: set[str] = set()
    now = float(scenario.start)
    for t in _schedule(float(scenario.start), stop, launches, options):
        for nation, core in nodes.items():
            queue, i = queues[nation], cursor[nation]
            j = i
            while j < len(queue) and queue[j].delivered <= t:
                j += 1
            cursor[nation] = j
            result = core.step(queue[i:j], t, fuse=False)
            if core is target:
                own_reports += len(result.outgoing)
                continue
            delay = hops(network, nation, options.nation) * options.hop_delay_s
            for out in result.outgoing:
                if options.nation in out.recipients:
                    heapq.heappush(inflight, (t + delay, next(order), out.data))
        now = t
        while inflight:
            arrival, _, data = heapq.heappop(inflight)
            outcome = target.receive(data, arrival)
            now = max(now, arrival)
            for report in outcome.reports:
                received[report.origin] += 1
        if t - last_fused < options.fuse_interval - 1e-9 and t < stop:
            continue
        last_fused = t
        target.fuse(now)
        if target.picture is None:
            continue
        pictures += 1
        for rejection in target.picture.rejected:
            fusion_rejected[f"{rejection.nation}: {' '.join(rejection.reason.split()[:6])}"] += 1
        state, issued = decide(state, inputs_from_picture(target.picture.tracks), now, options.policy)
        decisions.extend(issued)
        for d in issued:
            if d.sheltered_areas:
                fused = target.picture.track(d.track_id)
                if fused is not None:
                    alert_nations.update(n for n, _ in fused.contributors)
    if target.picture is not None:
        state, issued = decide(state, inputs_from_picture(target.picture.tracks), now + options.after_end_s,
                               options.policy)
        decisions.extend(issued)
    score = score_alerts(decisions, truth_path(warheads), options.nation)
    return RunOutcome(decisions=tuple(decisions), score=score,
                      launch_time=launches[0] if launches else float(scenario.start), pictures=pictures,
                      reports_received=dict(received), rejected=dict(target.rejects), own_reports=own_reports,
                      fusion_rejections=dict(fusion_rejected),
                      alert_contributors=tuple(sorted(alert_nations)), wall_s=time.perf_counter() - began)
