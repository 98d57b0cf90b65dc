"""Air density of the US Standard Atmosphere 1976, fast enough for inner loops.

The ``ussa1976`` package is the reference implementation, but one call costs ~35 ms
(it builds an xarray data set), far too slow for equations of motion evaluated
millions of times. So at import we evaluate it once on a 250 m grid from 0 to
1,000 km and interpolate log-density linearly: within a layer density is close to
exponential, and the tests check the table against ``ussa1976`` at off-grid heights
(< 0.2 % everywhere drag matters). Below sea level the lowest layer is extrapolated (to -5 km);
above 1,000 km density is taken as zero.
"""

import math

import numpy as np
import ussa1976

_STEP = 250.0
_BOTTOM = -5_000.0
"""Extrapolation stops 5 km below the ellipsoid (trial integration steps may go there)."""
_TOP = 1_000_000.0
_HEIGHTS = np.arange(0.0, _TOP + _STEP, _STEP)
_LOG_RHO = np.log(ussa1976.compute(z=_HEIGHTS, variables=["rho"])["rho"].values)
_SLOPE = np.diff(_LOG_RHO)
_N = len(_SLOPE)

STEP, BOTTOM, TOP, LOG_RHO, SLOPE = _STEP, _BOTTOM, _TOP, _LOG_RHO, _SLOPE
"""The table (grid step, extrapolation floor and top in metres; log-density and its slope per cell)
for compiled kernels (``trilink.physics.kernels``) that evaluate the same law."""

SEA_LEVEL_DENSITY = float(np.exp(_LOG_RHO[0]))
"""kg/m³ (1.225)."""


def density(height_m: np.ndarray | float) -> np.ndarray:
    """Air density (kg/m³) at geometric height(s) above the ellipsoid, metres; 0 above 1,000 km."""
    h = np.asarray(height_m, dtype=float)
    x = np.maximum(h, _BOTTOM) / _STEP
    idx = np.clip(np.floor(x), 0, _N - 1).astype(np.intp)
    rho = np.exp(_LOG_RHO[idx] + _SLOPE[idx] * (x - idx))
    return np.where(h > _TOP, 0.0, rho)


_LOG_RHO_LIST = _LOG_RHO.tolist()
_SLOPE_LIST = _SLOPE.tolist()


def density_scalar(height_m: float) -> float:
    """``density`` for one float height (no numpy overhead: used inside solve_ivp right-hand sides)."""
    if height_m > _TOP:
        return 0.0
    x = max(height_m, _BOTTOM) / _STEP
    i = min(max(int(x // 1.0), 0), _N - 1)
    return math.exp(_LOG_RHO_LIST[i] + _SLOPE_LIST[i] * (x - i))
