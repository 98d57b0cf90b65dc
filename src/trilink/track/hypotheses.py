"""Track hypotheses predicted to a scan, and the gating cost of their (hypothesis, plot) pairs.

A hypothesis is a track state under one motion model: every candidate track under its current
model and, for boosting tracks, a copy whose engine stopped (``motion.burnout_ghost``). They are
predicted in stacks (state, Φ, Q, P, measurement prediction and Jacobian); a late plot's
hypothesis is retrodicted instead (see ``filter``). The cost of a pair is d² + ln det S, or
+inf outside the χ² gate. Pure functions over arrays: the tracker owns the bookkeeping.
"""

from dataclasses import dataclass

import numpy as np

from trilink.track import filter, kernels
from trilink.track.config import TrackerConfig
from trilink.track.measure import Scan, predict, residuals
from trilink.track.motion import propagate


@dataclass(frozen=True, slots=True)
class Hypotheses:
    """K hypotheses predicted to one scan: stacks over their first axis."""

    x0: np.ndarray
    """(K, 10) states before the prediction."""
    p0: np.ndarray
    """(K, 10, 10) their covariances."""
    xs: np.ndarray
    """(K, 10) predicted states."""
    phi: np.ndarray
    """(K, 10, 10) transitions."""
    qn: np.ndarray
    """(K, 10, 10) process noise (for late plots: the state/noise cross-covariance, see ``filter``)."""
    p_pred: np.ndarray
    """(K, 10, 10) predicted (or retrodicted) covariances."""
    zhat: np.ndarray
    """(K, d) predicted measurements."""
    jac: np.ndarray
    """(K, d, 10) measurement Jacobians."""
    cross: np.ndarray
    """(K, 10, d) P Hᵀ."""
    hph: np.ndarray
    """(K, d, d) H P Hᵀ."""


def predict_hypotheses(scan: Scan, x0: np.ndarray, p0: np.ndarray, dt: np.ndarray, q_acc: np.ndarray,
                       q_thrust: np.ndarray, cfg: TrackerConfig,
                       spans: tuple[float, float] | None = None) -> Hypotheses:
    """States (K, 10) and covariances predicted by dt (K,) to the scan, with the scan's measurement model.

    ``q_acc``/``q_thrust`` are the noise densities of ``motion.propagate``, ``spans`` its sub-step spans
    (when these hypotheses are part of a larger set predicted in several calls).
    """
    xs, phi, qn = propagate(x0, dt, q_acc, q_thrust, q_drag=cfg.q_drag, exhaust_velocity=cfg.exhaust_velocity,
                            ceiling=cfg.drag_ceiling, max_step=cfg.max_step, q_air=cfg.q_ballistic,
                            q_vacuum=cfg.q_vacuum, spans=spans)
    p_pred = phi @ p0 @ phi.transpose(0, 2, 1) + qn
    late = dt < 0.0
    if np.count_nonzero(late):  # retrodiction: qn becomes the state/noise cross-covariance (see filter)
        qn[late], p_pred[late] = filter.retrodiction(phi[late], p0[late], qn[late])
    zhat, jac = predict(xs, scan)
    cross, hph = kernels.innovation_terms(p_pred, jac)
    return Hypotheses(x0, p0, xs, phi, qn, p_pred, zhat, jac, cross, hph)


def join(a: Hypotheses, b: Hypotheses) -> Hypotheses:
    """The hypotheses of ``a`` followed by those of ``b``."""
    return Hypotheses(*(np.concatenate([getattr(a, name), getattr(b, name)])
                        for name in Hypotheses.__slots__))


def pair_costs(scan: Scan, hyps: Hypotheses, pair_hyp: np.ndarray, pair_col: np.ndarray, gate: float,
               rcs_diff: np.ndarray | None, rcs_sigma_db: float
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Innovations, S, S⁻¹, d² and cost of (hypothesis, plot) pairs.

    The cost is d² + ln det S inside the χ² ``gate`` (+inf outside), plus ((RCS_plot − RCS_track)/σ)²
    where ``rcs_diff`` (per pair, NaN: unknown) is given (feature-aided association).
    """
    d = scan.dim
    if d <= 3:  # one compiled pass (range-rate radars, d = 4, take the array expressions below)
        nu, s, s_inv, logdet, d2 = kernels.gate_pairs(scan.z, scan.sigma, hyps.zhat, hyps.hph, pair_hyp,
                                                      pair_col)
    else:
        nu = residuals(scan.z[pair_col], hyps.zhat[pair_hyp])
        s = hyps.hph[pair_hyp]
        idx = np.arange(d)
        s[:, idx, idx] += scan.sigma[pair_col] ** 2
        s_inv, logdet = filter.spd_inverse(s)
        d2 = filter.mahalanobis(nu, s, s_inv)
    with np.errstate(invalid="ignore"):
        cost = np.where(d2 < gate, d2 + logdet, np.inf)
    if rcs_diff is not None:
        cost += np.where(np.isfinite(rcs_diff), (rcs_diff / rcs_sigma_db) ** 2, 0.0)
    return nu, s, s_inv, d2, cost
