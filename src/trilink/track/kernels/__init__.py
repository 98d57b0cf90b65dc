"""Compiled (numba) kernels for the tracker's per-row small-matrix arithmetic.

Why compiled: at a hundred tracks a numpy call costs more in dispatch (a few µs) than in
arithmetic, and the motion model, measurement model and EKF update were a few hundred such
calls per scan. Each kernel here does in one pass over the rows what a dozen array
expressions did. They are written as the same operations in the same order as the numpy
expressions they replace (named in each docstring), compiled without fastmath (IEEE
arithmetic: no reassociation, no fused multiply-add), so their results equal those
expressions' to rounding — bit for bit for the element-wise parts; sums of products may
round differently from BLAS's order. Dense 10 × 10 products (Φ P Φᵀ) stay with numpy:
BLAS does them faster than a loop. Physics (gravity, frame acceleration, height, air
density) is not written here: the kernels call ``trilink.physics.kernels``.
``cache=True``: compiled once per machine, then loaded from ``__pycache__``. Each kernel
is checked against the expression it replaced in ``tests/track/test_kernels.py``.
"""

from trilink.track.kernels.association import (
    pairs_within,
    pregate,
)
from trilink.track.kernels.bookkeeping import (
    commit_updates,
    expired_rows,
    record_history,
    refresh_shown,
    switch_rows,
    thrust_evidence,
    track_facts,
)
from trilink.track.kernels.measurement import (
    gate_pairs,
    innovation_terms,
    joseph_update_3,
    malformed_rows,
    measurement_model,
)
from trilink.track.kernels.motion import (
    heights_within,
    integrate_step,
    integrator_rows,
    motion_derivative,
    motion_jacobian,
    process_noise,
    rk4_step,
    step_spans,
    step_transition,
    taylor_step,
)

__all__ = [
    "commit_updates",
    "expired_rows",
    "gate_pairs",
    "heights_within",
    "innovation_terms",
    "integrate_step",
    "integrator_rows",
    "joseph_update_3",
    "malformed_rows",
    "measurement_model",
    "motion_derivative",
    "motion_jacobian",
    "pairs_within",
    "pregate",
    "process_noise",
    "record_history",
    "refresh_shown",
    "rk4_step",
    "step_spans",
    "step_transition",
    "switch_rows",
    "taylor_step",
    "thrust_evidence",
    "track_facts",
]
