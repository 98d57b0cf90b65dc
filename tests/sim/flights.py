"""Truth trajectories built inside the tests, independent of trilink.physics."""

import numpy as np
from scipy.integrate import solve_ivp

from trilink.geo.frames import enu_rotation, geodetic_to_ecef
from trilink.geo.wgs84 import GM, OMEGA_EARTH
from trilink.physics.trajectory import Trajectory
from trilink.sim.objects import SimObject

SUNAN = (39.2002, 125.6733)


def vertical_rise(lat_deg: float, lon_deg: float, speed: float, top: float, t0: float = 0.0,
                  step: float = 0.5) -> Trajectory:
    """A point rising straight up at ``speed`` m/s from the ground to ``top`` metres."""
    duration = top / speed
    times = t0 + np.arange(0.0, duration + step, step)
    heights = speed * (times - t0)
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    positions = geodetic_to_ecef(lat, lon, heights)
    up = enu_rotation(lat, lon)[2]
    velocities = np.tile(up * speed, (len(times), 1))
    return Trajectory(times=times, positions=positions, velocities=velocities, launch_time=t0,
                      burnout_time=times[-1], impact_time=times[-1], apogee_time=times[-1])


def kepler_arc(lat_deg: float, lon_deg: float, azimuth_deg: float, speed: float,
               flight_path_deg: float, t0: float = 0.0, burn: float = 60.0) -> Trajectory:
    """Free flight in ECEF (point-mass gravity, rotating frame) from a site to the ground."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    r0 = geodetic_to_ecef(lat, lon, 1000.0)
    east, north, up = enu_rotation(lat, lon)
    az, gamma = np.radians(azimuth_deg), np.radians(flight_path_deg)
    v0 = speed * (np.cos(gamma) * (np.sin(az) * east + np.cos(az) * north) + np.sin(gamma) * up)
    w = np.array([0.0, 0.0, OMEGA_EARTH])

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        r, v = y[:3], y[3:]
        a = -GM * r / np.linalg.norm(r) ** 3 - 2 * np.cross(w, v) - np.cross(w, np.cross(w, r))
        return np.concatenate([v, a])

    def ground(_t: float, y: np.ndarray) -> float:
        return np.linalg.norm(y[:3]) - np.linalg.norm(r0) + 1.0

    ground.terminal = True  # type: ignore[attr-defined]
    ground.direction = -1  # type: ignore[attr-defined]
    sol = solve_ivp(rhs, (0.0, 20000.0), np.concatenate([r0, v0]), events=ground, rtol=1e-10,
                    atol=1e-3, dense_output=True, max_step=30.0)
    end = sol.t[-1]
    times = np.arange(0.0, end, 1.0)
    states = sol.sol(times).T
    heights = np.linalg.norm(states[:, :3], axis=1)
    return Trajectory(times=t0 + times, positions=states[:, :3], velocities=states[:, 3:],
                      launch_time=t0, burnout_time=t0 + burn, impact_time=t0 + times[-1],
                      apogee_time=t0 + times[int(np.argmax(heights))])


def warhead(trajectory: Trajectory, name: str = "M1", rcs: float = 0.1,
            boost_rcs: float = 1.0) -> SimObject:
    """Wrap a trajectory as a simulated warhead."""
    return SimObject(id=name, launch_id=name, kind="warhead", trajectory=trajectory,
                     missile="test", rcs_m2=rcs, boost_rcs_m2=boost_rcs)
