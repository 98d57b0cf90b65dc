"""Track initiation: from one radar plot, or from two space-IR lines of sight triangulated.

A radar plot gives the position (polar-to-Cartesian, linearised covariance; at these
accuracies the conversion bias is metres) and an uninformative velocity prior; the
plot's range-rate is then applied as an ordinary update by the caller. Two geostationary
IR satellites see the same plume along two lines of sight: the closest point between the
rays is the position, with the covariance of the two rays' cross-range errors.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from trilink.track.config import TrackerConfig
from trilink.track.measure import Scan, line_of_sight, plot_position_covariances, plot_positions
from trilink.track.motion import STATE_DIM

MAX_PLUME_SPEED = 3_000.0
"""Speed bound (m/s) of a boosting missile, for pairing lines of sight taken at different times."""


def prior(pos: np.ndarray, pos_cov: np.ndarray, config: TrackerConfig) -> tuple[np.ndarray, np.ndarray]:
    """Initial states (K, 10) and covariances from positions (K, 3) and their covariances."""
    k = len(pos)
    x = np.zeros((k, STATE_DIM))
    x[:, :3] = pos
    x[:, 9] = config.drag_prior
    p = np.zeros((k, STATE_DIM, STATE_DIM))
    p[:, :3, :3] = pos_cov
    idx = np.arange(3, 6)
    p[:, idx, idx] = config.velocity_prior_sigma**2
    p[:, 9, 9] = config.drag_prior_sigma**2
    return x, p


def from_radar(scan: Scan, plots: np.ndarray, config: TrackerConfig) -> tuple[np.ndarray, np.ndarray]:
    """Initial states and covariances of tracks started from radar plots ``plots`` (indices into scan)."""
    pos = plot_positions(scan)[plots]
    cov = plot_position_covariances(scan)[plots]
    return prior(pos, cov, config)


@dataclass(frozen=True, slots=True)
class PooledSight:
    """An unassociated space-IR line of sight waiting for a partner from another satellite."""

    sensor: str
    time: float
    origin: np.ndarray
    direction: np.ndarray
    sigma: float
    """Angular 1σ, rad (the larger of the plot's two)."""
    id: int
    """Measurement id."""


def pool_sights(scan: Scan, plots: np.ndarray) -> list[PooledSight]:
    """The lines of sight of unassociated IR plots."""
    los = line_of_sight(scan)
    return [PooledSight(scan.sensor, scan.time, scan.sensor_ecef, los[i],
                        float(np.max(scan.sigma[i, :2])), int(scan.ids[i])) for i in plots]


def triangulate(a: PooledSight, b: PooledSight) -> tuple[np.ndarray, np.ndarray, float]:
    """Closest-approach midpoint of two rays, its 3x3 covariance, and the normalised miss² (χ²(1)-like)."""
    w0 = a.origin - b.origin
    d1, d2 = a.direction, b.direction
    c = float(d1 @ d2)
    denom = max(1.0 - c * c, 1e-12)
    s = (c * float(d2 @ w0) - float(d1 @ w0)) / denom
    t = (float(d2 @ w0) - c * float(d1 @ w0)) / denom
    p1, p2 = a.origin + s * d1, b.origin + t * d2
    info = np.zeros((3, 3))
    cross_var = []
    for ray, dist in ((a, s), (b, t)):
        var = (ray.sigma * max(dist, 1.0)) ** 2 + (MAX_PLUME_SPEED * abs(a.time - b.time)) ** 2 / 4.0
        info += (np.eye(3) - np.outer(ray.direction, ray.direction)) / var
        cross_var.append(var)
    cov = np.linalg.inv(info + np.eye(3) * 1e-16)
    miss2 = float(np.sum((p1 - p2) ** 2)) / (cross_var[0] + cross_var[1])
    bad = s <= 0.0 or t <= 0.0
    return 0.5 * (p1 + p2), cov, (np.inf if bad else miss2)


def pair_sights(new: list[PooledSight], pool: list[PooledSight], config: TrackerConfig
                ) -> tuple[list[tuple[int, int]], list[tuple[np.ndarray, np.ndarray]]]:
    """Pairs (index in new, index in pool) of lines of sight from different satellites that meet.

    Globally assigned on the normalised miss distance so that a salvo's plumes do not pair
    into ghosts. Returns the pairs and their (position, covariance).
    """
    if not new or not pool:
        return [], []
    cost = np.full((len(new), len(pool)), np.inf)
    fixes: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for i, a in enumerate(new):
        for j, b in enumerate(pool):
            if a.sensor == b.sensor or abs(a.time - b.time) > config.ir_pair_window:
                continue
            pos, cov, miss2 = triangulate(a, b)
            if miss2 < config.ir_pair_gate:
                cost[i, j] = miss2
                fixes[(i, j)] = (pos, cov)
    if not fixes:
        return [], []
    big = 1e9
    matrix = np.where(np.isfinite(cost), cost, big)
    rows, cols = linear_sum_assignment(matrix)
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if matrix[r, c] < big]
    return pairs, [fixes[p] for p in pairs]
