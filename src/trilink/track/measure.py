"""The measurement model, batched: ECEF states → azimuth, elevation(, range(, range-rate)) per sensor.

One *scan* is every plot one sensor made at one time; they share the sensor
position, its local ENU frame and which components are measured, so the
predicted measurements and Jacobians of all tracks are computed as stacks.
Azimuth is clockwise from north in the sensor's ENU frame, as in ``Measurement``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import attrgetter, eq, is_not

import numpy as np
from msgspec.structs import astuple, fields

from trilink.geo.frames import aer_to_enu, ecef_to_geodetic, enu_rotation
from trilink.model.measurement import Measurement, SensorKind
from trilink.track import kernels


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


_FIELDS = tuple(f.name for f in fields(Measurement))
_ALL = attrgetter(*_FIELDS)
"""Every field of a measurement, in declaration order (``msgspec.structs.astuple``'s order)."""
_NUMBER_FIELDS = ("time", "azimuth", "elevation", "sigma_azimuth", "sigma_elevation", "range", "sigma_range",
                  "range_rate", "sigma_range_rate", "snr_db")
_NUMBERS = [_FIELDS.index(name) for name in _NUMBER_FIELDS]
_ID, _SENSOR, _NATION, _KIND, _ECEF, _RATE = (_FIELDS.index(name) for name in (
    "id", "sensor", "nation", "kind", "sensor_ecef", "range_rate"))
TIME, AZ, EL, S_AZ, S_EL, RANGE, S_RANGE, RATE, S_RATE, SNR = range(10)
"""Columns of ``Plots.values``."""
_Z_COLS = [AZ, EL, RANGE, RATE]
_SIGMA_COLS = [S_AZ, S_EL, S_RANGE, S_RATE]


@dataclass(frozen=True, slots=True)
class Plots:
    """A batch of measurements as arrays (read once from the objects; None → NaN)."""

    values: np.ndarray
    """(M, 10) time, az, el, σ_az, σ_el, range, σ_range, range-rate, σ_range-rate, SNR."""
    sensor_ecef: np.ndarray
    """(M, 3) sensor positions."""
    ids: np.ndarray
    sensors: Sequence[str]
    nations: Sequence[str]
    radar: np.ndarray
    """(M,) whether each plot is a radar's."""
    rate_given: np.ndarray
    """(M,) whether a range-rate was given (not None)."""

    def __len__(self) -> int:
        return len(self.ids)


def read_plots(plots: Sequence[Measurement]) -> Plots:
    """The measurements' fields as arrays: one pass over the objects, then column by column in C loops."""
    k = len(plots)
    if all(issubclass(cls, Measurement) for cls in set(map(type, plots))):
        rows = list(map(astuple, plots))  # a subclass's own fields come after these
    else:  # duck-typed measurements: attribute by attribute
        rows = list(map(_ALL, plots))
    cols = list(zip(*rows, strict=True)) if k else [()] * len(_FIELDS)
    values = np.fromiter(chain.from_iterable(zip(*[cols[c] for c in _NUMBERS], strict=True)), dtype=float,
                         count=10 * k).reshape(k, 10)
    sites = dict.fromkeys(cols[_ECEF])
    site_table = np.array(list(sites), dtype=float).reshape(-1, 3)
    if len(sites) == 1:
        sensor_ecef = np.repeat(site_table, k, axis=0)
    else:
        index = {site: i for i, site in enumerate(sites)}
        sensor_ecef = site_table[np.fromiter(map(index.__getitem__, cols[_ECEF]), dtype=np.intp, count=k)]
    return Plots(values=values, sensor_ecef=sensor_ecef, ids=np.fromiter(cols[_ID], dtype=np.int64, count=k),
                 sensors=cols[_SENSOR], nations=cols[_NATION],
                 radar=np.fromiter(map(eq, cols[_KIND], repeat(SensorKind.RADAR)), dtype=bool, count=k),
                 rate_given=np.fromiter(map(is_not, cols[_RATE], repeat(None)), dtype=bool, count=k))


def malformed(batch: Plots) -> np.ndarray:
    """(M,) which plots are unusable: ``measurement_problem`` for a batch (``kernels.malformed_rows``)."""
    return kernels.malformed_rows(batch.values, batch.sensor_ecef, batch.radar, batch.rate_given)


def scan_of(batch: Plots, rows: np.ndarray) -> Scan:
    """The scan of a batch's ``rows`` (one sensor, time and kind; range-rate only if all have it)."""
    v = batch.values[rows]
    first = int(rows[0])
    if batch.radar[first]:
        d = 4 if np.count_nonzero(batch.rate_given[rows]) == len(rows) else 3
        kind = SensorKind.RADAR
    else:
        d = 2
        kind = SensorKind.SPACE_IR
    ecef = batch.sensor_ecef[first]
    key = (float(ecef[0]), float(ecef[1]), float(ecef[2]))
    return Scan(sensor=batch.sensors[first], kind=kind, time=float(v[0, TIME]), sensor_ecef=ecef.copy(),
                rotation=sensor_rotation(key), z=v[:, _Z_COLS[:d]], sigma=v[:, _SIGMA_COLS[:d]],
                ids=batch.ids[rows], snr_db=v[:, SNR])


def make_scan(plots: Sequence[Measurement]) -> Scan:
    """Arrays of one sensor's plots at one time (all of the same kind; range-rate only if all have it)."""
    return scan_of(read_plots(plots), np.arange(len(plots)))


def predict(states: np.ndarray, scan: Scan) -> tuple[np.ndarray, np.ndarray]:
    """Predicted measurements (N, d) and their Jacobians (N, d, 10) for states (N, 10) seen by ``scan``.

    Azimuth ``atan2(e, n) mod 2π`` and elevation ``atan2(u, ρ)`` in the sensor's ENU frame, range
    and range-rate; the Jacobians by the chain rule through the ENU rotation (``kernels.measurement_model``:
    one compiled pass over the states).
    """
    return kernels.measurement_model(states, scan.sensor_ecef, scan.rotation, scan.dim)


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
