"""Test helpers: truth flights from the physics flight model and simple noisy sensor views of them.

A deliberately plain sensor model (line of sight above the minimum elevation, inside the
sector, within 2.5 reference ranges; space IR while the engine burns above 12 km), used
where a test needs controlled measurements; the acceptance tests use ``trilink.sim``.
"""

import math
from collections.abc import Sequence

import numpy as np

from trilink.geo.frames import ecef_to_enu, enu_to_aer, geodetic_to_ecef
from trilink.model.measurement import Measurement, SensorKind
from trilink.model.network import SensorConfig, load_network
from trilink.physics import catalogue, flight
from trilink.physics.dynamics import radial_height
from trilink.physics.trajectory import Trajectory

T0 = 1_800_000_000.0
SUNAN = (39.2002, 125.6733)


def fly(missile: str = "hwasong-12", site: tuple[float, float] = SUNAN, azimuth_deg: float = 75.0,
        pitch_deg: float = 30.0, cutoff: float | None = None, launch_time: float = T0) -> Trajectory:
    """The re-entry vehicle's trajectory (boost included) of one flight."""
    spec = catalogue.get_missile(missile)
    plan = flight.BoostPlan(math.radians(azimuth_deg), math.radians(pitch_deg),
                            cutoff if cutoff is not None else spec.total_burn_time)
    shot = flight.fly(spec, math.radians(site[0]), math.radians(site[1]), plan)
    return flight.to_trajectory(shot.pieces, launch_time, shot.burnout_time, shot.apogee_time,
                                shot.stage_ends)


def sensors(nation: str, kinds: Sequence[str] = ("radar", "space_ir")) -> list[SensorConfig]:
    """The default network's sensors of a nation."""
    return [s for s in load_network().sensors_of(nation) if s.kind in kinds]


def observe(trajectories: Sequence[Trajectory], sensor_list: Sequence[SensorConfig], seed: int = 0,
            start: float | None = None, end: float | None = None, first_id: int = 1
            ) -> tuple[list[Measurement], list[int]]:
    """Noisy plots of the trajectories by the sensors, in delivery order, with the truth object index."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[Measurement, int]] = []
    start = min(t.launch_time for t in trajectories) if start is None else start
    end = max(t.impact_time for t in trajectories) if end is None else end
    next_id = first_id
    for sensor in sensor_list:
        lat, lon, h = math.radians(sensor.site[0]), math.radians(sensor.site[1]), sensor.site[2]
        site = geodetic_to_ecef(lat, lon, h)
        times = np.arange(start + rng.uniform(0, sensor.update_interval_s), end, sensor.update_interval_s)
        sigma = sensor.sigma_angle_mrad * 1e-3
        for k, traj in enumerate(trajectories):
            live = (times > traj.launch_time) & (times < traj.impact_time)
            ts = times[live]
            if len(ts) == 0:
                continue
            pos, vel = traj.state_at(ts)
            az, el, rng_ = enu_to_aer(ecef_to_enu(pos, lat, lon, h))
            height = radial_height(pos)
            if sensor.kind == "radar":
                ok = ((el >= math.radians(sensor.min_elevation_deg))
                      & (rng_ < 2.5e3 * sensor.reference_range_km))
                if sensor.boresight_azimuth_deg is not None:
                    off = np.mod(az - math.radians(sensor.boresight_azimuth_deg) + math.pi,
                                 2 * math.pi) - math.pi
                    ok &= np.abs(off) <= math.radians(sensor.sector_half_width_deg)
            else:
                ok = traj.is_thrusting(ts) & (height > sensor.min_plume_altitude_km * 1e3)
            for i in np.nonzero(ok)[0]:
                los = (pos[i] - site) / rng_[i]
                s_az = sigma / max(math.cos(el[i]), 1e-3)
                kw: dict[str, float | None] = {}
                if sensor.kind == "radar":
                    kw = {"range": float(rng_[i] + rng.normal() * sensor.sigma_range_m),
                          "sigma_range": sensor.sigma_range_m}
                    if sensor.measures_range_rate:
                        kw["range_rate"] = float(los @ vel[i] + rng.normal() * sensor.sigma_range_rate_mps)
                        kw["sigma_range_rate"] = sensor.sigma_range_rate_mps
                m = Measurement(id=next_id, time=float(ts[i]), delivered=float(ts[i] + sensor.latency_s),
                                sensor=sensor.id, nation=sensor.nation,
                                kind=SensorKind.RADAR if sensor.kind == "radar" else SensorKind.SPACE_IR,
                                sensor_ecef=(float(site[0]), float(site[1]), float(site[2])),
                                azimuth=float(np.mod(az[i] + rng.normal() * s_az, 2 * math.pi)),
                                elevation=float(el[i] + rng.normal() * sigma), sigma_azimuth=s_az,
                                sigma_elevation=sigma, **kw)
                next_id += 1
                rows.append((m, k))
    rows.sort(key=lambda r: (r[0].delivered, r[0].id))
    return [r[0] for r in rows], [r[1] for r in rows]


def batches(measurements: Sequence[Measurement], step: float = 1.0
            ) -> list[tuple[float, list[Measurement]]]:
    """Split a delivery-ordered stream into (now, batch delivered by now) every ``step`` seconds."""
    out: list[tuple[float, list[Measurement]]] = []
    if not measurements:
        return out
    now = math.floor(measurements[0].delivered) + step
    batch: list[Measurement] = []
    for m in measurements:
        while m.delivered > now:
            out.append((now, batch))
            batch = []
            now += step
        batch.append(m)
    out.append((now, batch))
    return out
