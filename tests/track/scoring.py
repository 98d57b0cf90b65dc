"""Scoring a national tracker against the simulator's truth (tests and benchmark share this)."""

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgspec
import numpy as np

from trilink.model.measurement import Measurement
from trilink.model.network import NetworkConfig
from trilink.model.track import Track, TrackStatus
from trilink.physics.dynamics import radial_height
from trilink.sim import SimulationResult, load_scenario, run
from trilink.track import Tracker, TrackerConfig


@dataclass
class Frame:
    """One tracker update: its time, the tracks it returned and each track's truth object."""

    now: float
    tracks: list[Track]
    truth: dict[str, str | None]
    """track id → object of the last plot that updated it (None: a false alarm)."""


@dataclass
class Replay:
    """A nation's tracker run over a simulation."""

    nation: str
    result: SimulationResult
    measurements: list[Measurement]
    frames: list[Frame] = field(default_factory=list)
    tracker: Tracker | None = None


def nation_only(network: NetworkConfig, nation: str) -> NetworkConfig:
    """The network with only one nation's sensors (a faster simulation for that nation)."""
    return msgspec.structs.replace(network, sensor=tuple(network.sensors_of(nation)))


def simulate(name: str, nation: str | None = None, seed: int | None = None) -> SimulationResult:
    """Run a built-in scenario (optionally with another noise seed, or one nation's sensors only)."""
    scenario = load_scenario(name)
    if seed is not None:
        scenario = dataclasses.replace(scenario, seed=seed)
    network = nation_only(scenario.network, nation) if nation else None
    return run(scenario, network=network)


def batches(measurements: list[Measurement], step: float, tail: float = 0.0
            ) -> Iterator[tuple[float, list[Measurement]]]:
    """(now, batch) every ``step`` seconds of delivery time, then ``tail`` seconds of empty updates."""
    if not measurements:
        return
    now = math.floor(measurements[0].delivered) + step
    end = measurements[-1].delivered + tail
    i = 0
    while now <= end + step:
        j = i
        while j < len(measurements) and measurements[j].delivered <= now:
            j += 1
        yield now, measurements[i:j]
        i = j
        now += step


def replay(result: SimulationResult, nation: str, step: float = 1.0, tail: float = 0.0,
           keep_tracks: bool = True, until: float = math.inf) -> Replay:
    """Feed a nation's measurements to a fresh tracker in delivery order, ``step`` seconds at a time."""
    ms = [m for m in result.measurements if m.nation == nation and m.delivered <= until]
    rep = Replay(nation, result, ms)
    tracker = Tracker(TrackerConfig.for_nation(result.network, nation))
    rep.tracker = tracker
    for now, batch in batches(ms, step, tail):
        tracks = tracker.update(batch, now)
        ids = tracker.last_measurement_ids()
        truth = {t.track_id: result.truth.get(ids.get(t.track_id, -1)) for t in tracks}
        rep.frames.append(Frame(now, tracks if keep_tracks else [], truth))
    return rep


def detections(rep: Replay, object_id: str) -> list[Measurement]:
    """The nation's plots of one object, by measurement time."""
    return sorted((m for m in rep.measurements if rep.result.truth[m.id] == object_id), key=lambda m: m.time)


def warheads(result: SimulationResult) -> list[str]:
    """Ids of the warhead objects (their trajectory includes the boost)."""
    return [k for k, o in result.objects.items() if str(o.kind) == "warhead"]


def midcourse(result: SimulationResult, object_id: str) -> tuple[float, float]:
    """Start (burnout + 10 s) and end (descending through 100 km) of an object's midcourse."""
    traj = result.objects[object_id].trajectory
    heights = radial_height(traj.positions)
    below = np.nonzero((traj.times > traj.apogee_time) & (heights < 100_000.0))[0]
    end = float(traj.times[below[0]]) if len(below) else traj.impact_time
    return traj.burnout_time + 10.0, end


def is_held(frame: Frame, objects: set[str]) -> bool:
    """Whether a confirmed (not coasting) track was last updated by one of ``objects``."""
    return any(t.status == TrackStatus.CONFIRMED and frame.truth.get(t.track_id) in objects
               for t in frame.tracks)


def nees(track: Track, result: SimulationResult, object_id: str) -> float:
    """Normalised estimation error squared of a track's 6-D state against an object's truth."""
    pos, vel = result.objects[object_id].trajectory.state_at(track.time)
    err = np.concatenate([track.state[:3] - pos, track.state[3:] - vel])
    return float(err @ np.linalg.solve(track.covariance, err))
