"""The measurement model, batched: ECEF states → azimuth, elevation(, range(, range-rate)) per sensor.

One *scan* is every plot one sensor made at one time; they share the sensor
position, its local ENU frame and which components are measured, so the
predicted measurements and Jacobians of all tracks are computed as stacks.
Azimuth is clockwise from north in the sensor's ENU frame, as in ``Measurement``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trilink.geo.frames import aer_to_enu, ecef_to_geodetic, enu_rotation
from trilink.model.measurement import Measurement, SensorKind
from trilink.track.motion import STATE_DIM


@dataclass(frozen=True, slots=True)
class Scan:
    """All plots of one sensor at one time, as arrays."""

    sensor: str
    kind: SensorKind
    time: float
    sensor_ecef: np.ndarray
    """(3,) ECEF metres."""
    rotation: np.ndarray
    """(3, 3) rows: east, north, up unit vectors at the sensor."""
    z: np.ndarray
    """(M, d) measured [az, el(, range(, range_rate))]."""
    sigma: np.ndarray
    """(M, d) 1σ of each component."""
    ids: np.ndarray
    """(M,) measurement ids."""
    snr_db: np.ndarray
    """(M,) reported SNR, dB (NaN when not reported)."""

    @property
    def dim(self) -> int:
        """Number of measured components."""
        return int(self.z.shape[1])

    @property
    def has_range(self) -> bool:
        """Whether range (a radar) is measured."""
        return self.dim >= 3

    @property
    def has_range_rate(self) -> bool:
        """Whether range-rate is measured."""
        return self.dim == 4


_ROTATIONS: dict[tuple[float, float, float], np.ndarray] = {}


def sensor_rotation(sensor_ecef: tuple[float, float, float]) -> np.ndarray:
    """ENU rotation at a sensor position (cached: sensors repeat)."""
    rot = _ROTATIONS.get(sensor_ecef)
    if rot is None:
        lat, lon, _h = ecef_to_geodetic(np.asarray(sensor_ecef, dtype=float))
        rot = enu_rotation(float(lat), float(lon))
        if len(_ROTATIONS) < 10_000:
            _ROTATIONS[sensor_ecef] = rot
    return rot


def measurement_problem(m: Measurement) -> str | None:
    """Why a measurement cannot be used (one line), or None when it is well formed."""
    values = [m.time, m.azimuth, m.elevation, m.sigma_azimuth, m.sigma_elevation, *m.sensor_ecef]
    if not all(np.isfinite(v) for v in values):
        return f"measurement {m.id}: non-finite time, angle, sigma or sensor position"
    if m.sigma_azimuth <= 0.0 or m.sigma_elevation <= 0.0:
        return f"measurement {m.id}: angle sigmas must be > 0"
    if m.kind == SensorKind.RADAR:
        if m.range is None or m.sigma_range is None or not m.range > 0.0 or not m.sigma_range > 0.0:
            return f"measurement {m.id}: a radar plot needs a positive range and sigma_range"
        if m.range_rate is not None and not (m.sigma_range_rate or 0.0) > 0.0:
            return f"measurement {m.id}: range_rate given without a positive sigma_range_rate"
    return None


def make_scan(plots: Sequence[Measurement]) -> Scan:
    """Arrays of one sensor's plots at one time (all of the same kind; range-rate only if all have it)."""
    first = plots[0]
    radar = first.kind == SensorKind.RADAR
    with_rr = radar and all(p.range_rate is not None for p in plots)
    if with_rr:
        rows = [(p.azimuth, p.elevation, p.range, p.range_rate, p.sigma_azimuth, p.sigma_elevation,
                 p.sigma_range, p.sigma_range_rate) for p in plots]
    elif radar:
        rows = [(p.azimuth, p.elevation, p.range, p.sigma_azimuth, p.sigma_elevation, p.sigma_range)
                for p in plots]
    else:
        rows = [(p.azimuth, p.elevation, p.sigma_azimuth, p.sigma_elevation) for p in plots]
    table = np.array(rows, dtype=float)
    d = table.shape[1] // 2
    return Scan(sensor=first.sensor, kind=first.kind, time=first.time,
                sensor_ecef=np.asarray(first.sensor_ecef, dtype=float),
                rotation=sensor_rotation(first.sensor_ecef), z=table[:, :d], sigma=table[:, d:],
                ids=np.array([p.id for p in plots], dtype=np.int64),
                snr_db=np.array([np.nan if p.snr_db is None else p.snr_db for p in plots], dtype=float))


def predict(states: np.ndarray, scan: Scan) -> tuple[np.ndarray, np.ndarray]:
    """Predicted measurements (N, d) and their Jacobians (N, d, 10) for states (N, 10) seen by ``scan``."""
    d = scan.dim
    rel = states[:, :3] - scan.sensor_ecef
    enu = rel @ scan.rotation.T
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    rho2 = e * e + n * n
    rho = np.sqrt(rho2)
    r2 = rho2 + u * u
    rng = np.sqrt(r2)
    zhat = np.empty((len(states), d))
    zhat[:, 0] = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    zhat[:, 1] = np.arctan2(u, rho)
    jac_enu = np.zeros((len(states), d, 3))
    jac_enu[:, 0, 0] = n / rho2
    jac_enu[:, 0, 1] = -e / rho2
    jac_enu[:, 1, 0] = -e * u / (rho * r2)
    jac_enu[:, 1, 1] = -n * u / (rho * r2)
    jac_enu[:, 1, 2] = rho / r2
    if d >= 3:
        zhat[:, 2] = rng
        jac_enu[:, 2, :] = enu / rng[:, None]
    jac = np.zeros((len(states), d, STATE_DIM))
    jac[:, :, :3] = jac_enu @ scan.rotation
    if d == 4:
        los = rel / rng[:, None]
        vel = states[:, 3:6]
        rr = np.einsum("ij,ij->i", los, vel)
        zhat[:, 3] = rr
        jac[:, 3, :3] = (vel - rr[:, None] * los) / rng[:, None]
        jac[:, 3, 3:6] = los
    return zhat, jac


def residuals(z: np.ndarray, zhat: np.ndarray) -> np.ndarray:
    """Innovations z − ẑ broadcast over leading axes, azimuth wrapped to (−π, π]."""
    nu = z - zhat
    nu[..., 0] = np.mod(nu[..., 0] + np.pi, 2.0 * np.pi) - np.pi
    return nu


def plot_positions(scan: Scan) -> np.ndarray:
    """ECEF positions (M, 3) of radar plots (az, el, range converted)."""
    enu = aer_to_enu(scan.z[:, 0], scan.z[:, 1], scan.z[:, 2])
    return enu @ scan.rotation + scan.sensor_ecef


def plot_position_covariances(scan: Scan) -> np.ndarray:
    """ECEF position covariances (M, 3, 3) of radar plots, by linearising the polar-to-Cartesian map."""
    az, el, rng = scan.z[:, 0], scan.z[:, 1], scan.z[:, 2]
    ca, sa, ce, se = np.cos(az), np.sin(az), np.cos(el), np.sin(el)
    jac = np.zeros((len(az), 3, 3))
    jac[:, 0] = np.stack([rng * ce * ca, -rng * se * sa, ce * sa], axis=-1)
    jac[:, 1] = np.stack([-rng * ce * sa, -rng * se * ca, ce * ca], axis=-1)
    jac[:, 2] = np.stack([np.zeros_like(az), rng * ce, se], axis=-1)
    var = scan.sigma[:, :3] ** 2
    cov_enu = np.einsum("mij,mj,mkj->mik", jac, var, jac)
    return scan.rotation.T @ cov_enu @ scan.rotation


def line_of_sight(scan: Scan) -> np.ndarray:
    """Unit ECEF line-of-sight vectors (M, 3) of the plots."""
    return aer_to_enu(scan.z[:, 0], scan.z[:, 1], 1.0) @ scan.rotation
