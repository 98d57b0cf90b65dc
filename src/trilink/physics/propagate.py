"""Batch free-flight propagation of many ECEF states at once (RK4, compiled in ``kernels``).

The tracker pushes sigma points or particles to the ground with this; solve_ivp one
state at a time is ~100× slower. Each state has its own step, chosen from its height
and speed: up to ``MAX_STEP`` in vacuum, shrinking in the atmosphere where drag
changes quickly, so one fixed-order scheme is accurate (< 100 m at impact against
solve_ivp at rtol 1e-10, see tests) without error control. The ground crossing is
located on the cubic Hermite interpolant of the last step (bisection).
"""

from dataclasses import dataclass

import numpy as np

from trilink.geo.frames import ecef_to_geodetic
from trilink.physics import kernels
from trilink.physics.dynamics import per_row_betas
from trilink.physics.kernels import HEIGHT_FRACTION, MAX_STEP, MAX_TIME, MIN_STEP

__all__ = ["HEIGHT_FRACTION", "MAX_STEP", "MAX_TIME", "MIN_STEP", "ImpactBatch", "propagate",
           "propagate_to_impact"]


@dataclass(frozen=True)
class ImpactBatch:
    """Where and when each propagated state hits the ground (geodetic height 0)."""

    times: np.ndarray
    """(N,) epoch s of impact (NaN if a state never came down)."""
    states: np.ndarray
    """(N, 6) ECEF state at impact."""
    lat: np.ndarray
    """(N,) rad."""
    lon: np.ndarray
    """(N,) rad."""
    path_times: np.ndarray | None = None
    """(K,) epoch s of the recorded path samples (when ``record_every`` was given)."""
    path_positions: np.ndarray | None = None
    """(N, K, 3) ECEF positions at ``path_times``; NaN after a state's impact."""


def propagate_to_impact(states: np.ndarray, t0: float,
                        ballistic_coefficient: np.ndarray | float | None = None,
                        record_every: float | None = None) -> ImpactBatch:
    """Propagate ECEF states (N, 6) at epoch ``t0`` in free flight until each reaches geodetic height 0.

    Drag acts when a ballistic coefficient (kg/m², scalar or (N,)) is given. With
    ``record_every`` (s) the path positions are also recorded on a common time grid.
    """
    y = np.ascontiguousarray(np.asarray(states, dtype=float).reshape(-1, 6))
    beta, with_drag = per_row_betas(ballistic_coefficient, len(y))
    impact_t, impact_y, path, grid = kernels.fly_to_ground(y, beta, with_drag, float(record_every or 0.0))
    lat, lon, _h = ecef_to_geodetic(impact_y[:, :3])
    if not record_every:
        return ImpactBatch(times=t0 + impact_t, states=impact_y, lat=lat, lon=lon)
    return ImpactBatch(times=t0 + impact_t, states=impact_y, lat=lat, lon=lon, path_times=t0 + grid,
                       path_positions=path)


def propagate(states: np.ndarray, t0: float, t1: float,
              ballistic_coefficient: np.ndarray | float | None = None) -> np.ndarray:
    """Free-flight ECEF states (N, 6) from epoch ``t0`` to ``t1`` (either direction), fixed-step RK4.

    For the tracker's prediction step: steps of at most ``MAX_STEP`` s (smaller in the
    atmosphere), the same for all states; states are not stopped at the ground.
    """
    y = np.ascontiguousarray(np.asarray(states, dtype=float).reshape(-1, 6))
    beta, with_drag = per_row_betas(ballistic_coefficient, len(y))
    return kernels.fly_common_steps(y, float(t1 - t0), beta, with_drag)
