"""Measurement generation: every sensor's scans over every object, in delivery order.

Time advances in fixed chunks. Within a chunk each sensor evaluates all its scans
of all objects alive at once (flat numpy arrays, one row per object per scan),
so the cost is per sensor per chunk, not per object per sample. Detections wait
in a buffer until no later chunk can deliver anything earlier, then leave in
delivery order: by delivery time, then sensor (network order), then measurement
time, then azimuth — a total order on measured values, so the output is the same
for the same inputs and seed, and the order says nothing about the truth.
Randomness: one PCG64 stream per sensor, seeded from (scenario seed, CRC32 of the
sensor id), so adding a sensor does not change another sensor's draws.
"""

import math
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from trilink.model.measurement import Measurement, SensorKind
from trilink.model.network import NetworkConfig, SensorConfig
from trilink.sim import radar, space_ir
from trilink.sim.geometry import SensorSite
from trilink.sim.objects import SimObject
from trilink.sim.samples import Detections, Samples

CHUNK_S = 60.0
"""Length of a generation step (s). Part of the output's definition: changing it changes draws."""


@dataclass(frozen=True)
class Outage:
    """A stretch of time in which a sensor (or all of a nation's, or all) reports nothing."""

    start: float
    end: float
    sensor: str | None = None
    nation: str | None = None

    def applies_to(self, sensor: SensorConfig) -> bool:
        """Whether this outage silences ``sensor``."""
        return ((self.sensor is None or self.sensor == sensor.id)
                and (self.nation is None or self.nation == sensor.nation))


@dataclass(frozen=True)
class Plan:
    """Everything the engine needs: what flies, who looks, when, and the seed."""

    objects: tuple[SimObject, ...]
    network: NetworkConfig
    start: float
    end: float
    seed: int
    outages: tuple[Outage, ...] = ()
    false_alarm_factor: float = 1.0


@dataclass
class _Sensor:
    index: int
    config: SensorConfig
    site: SensorSite
    scan_times: np.ndarray
    rng: np.random.Generator


def scan_times(sensor: SensorConfig, start: float, end: float, seed: int,
               outages: tuple[Outage, ...] = ()) -> np.ndarray:
    """The sensor's scan instants in [start, end): a seeded phase, then every update interval."""
    phase_rng = np.random.default_rng([seed, zlib.crc32(sensor.id.encode()), 1])
    phase = phase_rng.uniform(0.0, sensor.update_interval_s)
    count = max(0, math.ceil((end - start - phase) / sensor.update_interval_s))
    times = start + phase + sensor.update_interval_s * np.arange(count)
    times = times[times < end]
    for outage in outages:
        if outage.applies_to(sensor):
            times = times[(times < outage.start) | (times >= outage.end)]
    return times


def stream(plan: Plan, progress: Callable[[float], None] | None = None
           ) -> Iterator[tuple[Measurement, str | None]]:
    """Every measurement with the id of the object that caused it (None: false alarm)."""
    sensors = [
        _Sensor(i, s, SensorSite.from_degrees(*s.site),
                scan_times(s, plan.start, plan.end, plan.seed, plan.outages),
                np.random.default_rng([plan.seed, zlib.crc32(s.id.encode()), 2]))
        for i, s in enumerate(plan.network.sensor)
    ]
    if not sensors:
        return
    latency = np.array([s.config.latency_s for s in sensors])
    min_latency = float(latency.min())
    next_id = 0
    pending = _Rows.empty()
    chunk_start = plan.start
    total = max(plan.end - plan.start, 1e-9)
    while chunk_start < plan.end:
        chunk_end = min(chunk_start + CHUNK_S, plan.end)
        times = [s.scan_times[(s.scan_times >= chunk_start) & (s.scan_times < chunk_end)]
                 for s in sensors]
        grid = _Grid.build(plan.objects, times)
        parts = [_Rows.of(s.index, _scan(plan, s, grid, times[s.index], s.index), latency[s.index])
                 for s in sensors]
        pending = _Rows.concatenate([pending, *parts])
        last = chunk_end >= plan.end
        ready = np.ones(len(pending), bool) if last else pending.delivered < chunk_end + min_latency
        out, pending = pending.split(ready)
        yield from _measurements(out, sensors, plan.objects, next_id)
        next_id += len(out)
        if progress is not None:
            progress(min((chunk_end - plan.start) / total, 1.0))
        chunk_start = chunk_end


def _scan(plan: Plan, sensor: _Sensor, grid: "_Grid", times: np.ndarray, index: int) -> Detections:
    if len(times) == 0:
        return Detections.empty()
    samples = grid.samples(index)
    config = sensor.config
    if config.kind == "radar":
        found = radar.detect(config, sensor.site, samples, sensor.rng)
        clutter = radar.false_alarms(config, times, plan.false_alarm_factor, sensor.rng)
    else:
        found = space_ir.detect(config, sensor.site, samples, sensor.rng)
        clutter = space_ir.false_alarms(config, sensor.site, times, plan.false_alarm_factor,
                                        sensor.rng)
    return Detections.concatenate([found, clutter])


@dataclass(frozen=True)
class _Grid:
    """Every live object's state at every scan time of one chunk (object-major), evaluated once."""

    times: np.ndarray
    """(U,) the distinct scan times of all sensors in the chunk."""
    columns: list[np.ndarray]
    """Per sensor: indices into ``times`` of its scans."""
    objects: np.ndarray
    """(K,) indices of the objects alive in the chunk."""
    positions: np.ndarray
    """(K, U, 3)."""
    velocities: np.ndarray
    rcs: np.ndarray
    """(K, U)."""
    plume: np.ndarray
    alive: np.ndarray
    """(K, U) bool: the object exists at that time."""

    @classmethod
    def build(cls, objects: tuple[SimObject, ...], per_sensor: list[np.ndarray]) -> "_Grid":
        everything = np.concatenate(per_sensor) if per_sensor else np.zeros(0)
        times, inverse = np.unique(everything, return_inverse=True)
        bounds = np.cumsum([0, *(len(t) for t in per_sensor)])
        columns = [inverse[a:b] for a, b in pairwise(bounds)]
        live = [i for i, o in enumerate(objects)
                if len(times) and o.start_time <= times[-1] and o.end_time >= times[0]]
        k, u = len(live), len(times)
        positions, velocities = np.zeros((k, u, 3)), np.zeros((k, u, 3))
        rcs, plume, alive = np.zeros((k, u)), np.zeros((k, u), bool), np.zeros((k, u), bool)
        for row, i in enumerate(live):
            obj = objects[i]
            positions[row], velocities[row] = obj.trajectory.state_at(times)
            rcs[row], plume[row] = obj.rcs(times), obj.plume(times)
            alive[row] = (times >= obj.start_time) & (times <= obj.end_time)
        return cls(times, columns, np.asarray(live, dtype=np.int64), positions, velocities, rcs,
                   plume, alive)

    def samples(self, sensor: int) -> Samples:
        """The sensor's samples: each live object at each of its scan times, object-major."""
        column = self.columns[sensor]
        mask = self.alive[:, column]
        if not mask.any():
            return Samples.empty()
        return Samples(
            times=np.broadcast_to(self.times[column], mask.shape)[mask],
            positions=self.positions[:, column][mask],
            velocities=self.velocities[:, column][mask],
            rcs=self.rcs[:, column][mask],
            plume=self.plume[:, column][mask],
            object_index=np.broadcast_to(self.objects[:, None], mask.shape)[mask],
        )


@dataclass(frozen=True)
class _Rows:
    detections: Detections
    sensor: np.ndarray
    delivered: np.ndarray

    def __len__(self) -> int:
        return len(self.delivered)

    @classmethod
    def empty(cls) -> "_Rows":
        return cls(Detections.empty(), np.zeros(0, np.int64), np.zeros(0))

    @classmethod
    def of(cls, sensor: int, detections: Detections, latency: float) -> "_Rows":
        n = len(detections)
        return cls(detections, np.full(n, sensor, np.int64), detections.times + latency)

    @classmethod
    def concatenate(cls, parts: "list[_Rows]") -> "_Rows":
        return cls(Detections.concatenate([p.detections for p in parts]),
                   np.concatenate([p.sensor for p in parts]),
                   np.concatenate([p.delivered for p in parts]))

    def split(self, mask: np.ndarray) -> "tuple[_Rows, _Rows]":
        """(rows where mask, sorted in delivery order; the rest)."""
        chosen = np.flatnonzero(mask)
        d = self.detections
        order = chosen[np.lexsort((d.azimuth[chosen], d.times[chosen], self.sensor[chosen],
                                   self.delivered[chosen]))]
        rest = np.flatnonzero(~mask)
        return self._take(order), self._take(rest)

    def _take(self, index: np.ndarray) -> "_Rows":
        return _Rows(self.detections.take(index), self.sensor[index], self.delivered[index])


def _measurements(rows: _Rows, sensors: list[_Sensor], objects: tuple[SimObject, ...],
                  first_id: int) -> Iterator[tuple[Measurement, str | None]]:
    d = rows.detections
    columns = [a.tolist() for a in (d.times, rows.delivered, rows.sensor, d.azimuth, d.elevation,
                                    d.sigma_azimuth, d.sigma_elevation)]
    columns += [_optional(a) for a in (d.range, d.sigma_range, d.range_rate, d.sigma_range_rate,
                                       d.snr_db)]
    columns.append(d.object_index.tolist())
    fixed = [(s.config.id, s.config.nation,
              SensorKind.RADAR if s.config.kind == "radar" else SensorKind.SPACE_IR,
              tuple(float(v) for v in s.site.ecef)) for s in sensors]
    for offset, (t, delivered, si, az, el, saz, sel, rng, srng, rr, srr, snr, obj) in enumerate(
            zip(*columns, strict=True)):
        sensor_id, nation, kind, ecef = fixed[si]
        yield Measurement(
            id=first_id + offset, time=t, delivered=delivered, sensor=sensor_id, nation=nation,
            kind=kind, sensor_ecef=ecef, azimuth=az, elevation=el, sigma_azimuth=saz,
            sigma_elevation=sel, range=rng, sigma_range=srng, range_rate=rr, sigma_range_rate=srr,
            snr_db=snr,
        ), (objects[obj].id if obj >= 0 else None)


def _optional(values: np.ndarray) -> list[float | None]:
    """Floats as a list, NaN (not measured) as None."""
    missing = np.isnan(values)
    if not missing.any():
        return values.tolist()
    out = values.astype(object)
    out[missing] = None
    return out.tolist()
