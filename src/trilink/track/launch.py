"""Launch point and time of a track: a fit of the early boost, or ballistic back-propagation.

Boost seen (the track starts low and climbing): the first ``FIT_SPAN`` seconds of filtered
positions, in the local ENU frame below the first one, are fitted (scipy's
``least_squares``) with motion from rest on the ground: p(τ) = p_L + ½a(τ−τ_L)² + ⅙j(τ−τ_L)³
per axis, with p_L's height fixed at 0. The jerk term absorbs the thrust acceleration growing
as the propellant burns. The uncertainty is the fit's covariance plus a model allowance
(the vertical rise and the pitch programme are not polynomials).

Boost not seen: the earliest state is propagated backwards in free flight (physics' batch
propagator) to the ground. Powered flight is not modelled then, so the point is biased
towards the target by the unseen boost's ground distance: the allowance is large and says so.

Both are pure functions of a track's earliest rows, which stop changing once a track is
older than ``FIT_SPAN``, yet assessment asks again at every report: the answers are memoised
on those rows' bytes (an LRU cache of immutable estimates), so repeated asks cost a lookup.
"""

import math
from functools import lru_cache

import numpy as np
from scipy.optimize import least_squares

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.frames import ecef_to_enu, ecef_to_geodetic, enu_to_ecef
from trilink.geo.geodesy import geodesic_distance
from trilink.model.assessment import LaunchEstimate
from trilink.model.track import Track
from trilink.physics.dynamics import radial_height
from trilink.physics.propagate import propagate

FIT_SPAN = 25.0
"""Seconds of early track used in the boost fit."""
BOOST_HEIGHT = 120_000.0
"""A track that starts below this height and climbing was seen in boost."""
MIN_FIT_POINTS = 6
SETTLE_UPDATES = 5
BACK_STEP = 20.0
"""s, step of the backward search for the ground crossing."""
MODEL_TIME_FRACTION = 0.08
"""Boost-fit allowance: 1σ of the launch time as a fraction of the extrapolated time."""
MODEL_POSITION_FLOOR = 700.0
"""Boost-fit allowance: 1σ floor of the horizontal launch position, metres ..."""
MODEL_POSITION_FRACTION = 0.15
"""... plus this fraction of the horizontal distance extrapolated over."""
UNSEEN_BOOST_SIGMA = 150_000.0
"""Ballistic back-propagation: 1σ (m) for the unseen boost's ground distance."""
UNSEEN_BOOST_TIME = 60.0
"""Ballistic back-propagation: 1σ (s) for the unseen boost's duration."""


def estimate_launch(track: Track) -> LaunchEstimate | None:
    """Launch point and time of ``track`` with their uncertainty, or None when it cannot be had."""
    history = track.history if track.history is not None and len(track.history) else None
    if history is None:
        history = np.concatenate([[track.time], track.state])[None, :]
    first = history[0]
    settled = history[min(SETTLE_UPDATES, len(history) - 1)]  # the first rows' velocities are priors
    climbing = float(settled[4:7] @ settled[1:4]) > 0.0
    if climbing and float(radial_height(first[1:4])) < BOOST_HEIGHT:
        early = history[history[:, 0] <= first[0] + FIT_SPAN]
        if len(early) >= MIN_FIT_POINTS:
            fit = _cached_boost_fit(np.ascontiguousarray(early, dtype=float).tobytes(), early.shape[1])
            if fit is not None:
                return fit
    return _cached_back_propagate(np.ascontiguousarray(first, dtype=float).tobytes())


_CACHE_SIZE = 4096
"""Memoised launch estimates kept (a few hundred bytes each)."""


@lru_cache(maxsize=_CACHE_SIZE)
def _cached_boost_fit(rows: bytes, width: int) -> LaunchEstimate | None:
    """``_boost_fit`` of the early history rows given as their float64 bytes."""
    return _boost_fit(np.frombuffer(rows, dtype=float).reshape(-1, width))


@lru_cache(maxsize=_CACHE_SIZE)
def _cached_back_propagate(row: bytes) -> LaunchEstimate | None:
    """``_back_propagate`` of the first history row given as its float64 bytes."""
    return _back_propagate(np.frombuffer(row, dtype=float))


def _model(params: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Positions (K, 3) in the local frame: from rest at (e_L, n_L, 0) at τ_L."""
    e0, n0, t_l = params[0], params[1], params[2]
    acc, jerk = params[3:6], params[6:9]
    dt = np.maximum(tau - t_l, 0.0)[:, None]
    return np.array([e0, n0, 0.0]) + 0.5 * acc * dt**2 + jerk * dt**3 / 6.0


def _boost_fit(early: np.ndarray) -> LaunchEstimate | None:
    t0 = early[0, 0]
    lat0, lon0, _h = ecef_to_geodetic(early[0, 1:4])
    enu = ecef_to_enu(early[:, 1:4], float(lat0), float(lon0), 0.0)
    tau = early[:, 0] - t0
    span = max(tau[-1], 1.0)
    vel0 = (enu[-1] - enu[0]) / span
    up0, vup = enu[0, 2], max(vel0[2], 50.0)
    t_guess = -2.0 * up0 / vup
    acc_guess = np.array([0.0, 0.0, 2.0 * up0 / t_guess**2])
    guess = np.concatenate([[enu[0, 0] - vel0[0] * -t_guess / 2.0, enu[0, 1] - vel0[1] * -t_guess / 2.0,
                             t_guess], acc_guess, np.zeros(3)])

    def residual(params: np.ndarray) -> np.ndarray:
        return (_model(params, tau) - enu).ravel()

    try:
        sol = least_squares(residual, guess, method="lm", max_nfev=400)
    except (ValueError, np.linalg.LinAlgError):
        return None
    if not sol.success or not np.all(np.isfinite(sol.x)) or sol.x[2] > 0.0 or sol.x[2] < -400.0:
        return None
    e_l, n_l, t_l = sol.x[:3]
    dof = max(len(enu.ravel()) - len(sol.x), 1)
    s2 = float(np.sum(sol.fun**2)) / dof
    try:
        cov = np.linalg.inv(sol.jac.T @ sol.jac) * s2
    except np.linalg.LinAlgError:
        return None
    extrapolated = -t_l
    horizontal = math.hypot(enu[0, 0] - e_l, enu[0, 1] - n_l)
    sig_pos2 = (MODEL_POSITION_FLOOR + MODEL_POSITION_FRACTION * horizontal) ** 2
    cov_en = cov[:2, :2] + np.eye(2) * sig_pos2
    sigma_time = math.sqrt(max(float(cov[2, 2]), 0.0) + (MODEL_TIME_FRACTION * extrapolated) ** 2)
    point = enu_to_ecef(np.array([e_l, n_l, 0.0]), float(lat0), float(lon0), 0.0)
    lat, lon, _ = ecef_to_geodetic(point)
    return LaunchEstimate(time=float(t0 + t_l), sigma_time=sigma_time, lat=float(lat), lon=float(lon),
                          ellipse=ellipse_from_covariance(cov_en))


def _back_propagate(first: np.ndarray) -> LaunchEstimate | None:
    t, state = float(first[0]), first[1:7].copy()[None, :]
    if float(radial_height(state[0, :3])) <= 0.0:
        return None
    for _ in range(int(3_000 / BACK_STEP)):
        prev = propagate(state, t, t - BACK_STEP)
        if float(radial_height(prev[0, :3])) < 0.0:
            lo, hi = t - BACK_STEP, t
            for _ in range(30):
                mid = 0.5 * (lo + hi)
                above = float(radial_height(propagate(state, t, mid)[0, :3])) >= 0.0
                lo, hi = (lo, mid) if above else (mid, hi)
            ground = propagate(state, t, 0.5 * (lo + hi))[0]
            lat, lon, _ = ecef_to_geodetic(ground[:3])
            lat0, lon0, _ = ecef_to_geodetic(first[1:4])
            spread = UNSEEN_BOOST_SIGMA + 0.1 * float(geodesic_distance(lat, lon, lat0, lon0))
            return LaunchEstimate(time=0.5 * (lo + hi), sigma_time=UNSEEN_BOOST_TIME, lat=float(lat),
                                  lon=float(lon), ellipse=ellipse_from_covariance(np.eye(2) * spread**2))
        state, t = prev, t - BACK_STEP
    return None
