"""Fusing estimates of one object: covariance intersection, Bar-Shalom–Campo, and provenance.

Covariance intersection (Julier & Uhlmann 1997) is the default because the
cross-correlation between two nations' tracks is unknown (common process noise,
and reports that already contain each other's information):

    P⁻¹ = ω P_a⁻¹ + (1 − ω) P_b⁻¹,   x = P (ω P_a⁻¹ x_a + (1 − ω) P_b⁻¹ x_b),

with ω ∈ [0, 1] minimising det P (or trace P). The result is consistent for *any*
cross-covariance, so fusing a report with a copy of itself returns that report
unchanged: nothing is counted twice.

Why a hand-written ω search: `scipy.optimize.minimize_scalar` optimises one scalar
per call (~0.5 ms for a 6×6 pair), and a picture of 100 missiles needs hundreds of
ω every update. One batched eigendecomposition per pair turns det P and trace P
into sums of n scalar terms in ω (see `_spectrum`); both are convex in ω, so a
safeguarded Newton search run on all pairs at once finds the same minimum in a
few dozen cheap steps; the tests check it against `minimize_scalar` on the matrices.

Provenance: with ``independent=True`` (information known to be independent, e.g.
one's own sensors against a partner's that never saw ours) members are grouped by
overlapping lineage; each group is fused with CI (robust to any correlation inside
it) and the groups, sharing no information, are added in information form. With the
default ``independent=False`` everything goes through CI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from trilink.fusion.criteria import Criterion, Rule
from trilink.fusion.ici import inverse_covariance_intersection

__all__ = ["Criterion", "Rule", "bar_shalom_campo", "ci_chains", "covariance_intersection", "fuse_clusters"]


def _spectrum(info_a: np.ndarray, info_b: np.ndarray, criterion: Criterion) -> tuple[np.ndarray, np.ndarray]:
    """Reduce each pair to scalars: with I_b = L Lᵀ and L⁻¹ I_a L⁻ᵀ = Q Λ Qᵀ,

    ω I_a + (1 − ω) I_b = L Q (I + ω(Λ − I)) Qᵀ Lᵀ, so
    −ln det P = ln det I_b + Σ ln(1 + ω(λᵢ − 1))  and  tr P = Σ cᵢ / (1 + ω(λᵢ − 1)),
    cᵢ = ‖(L⁻ᵀ Q)ᵢ‖². One batched eigendecomposition, then every ω costs a few flops.
    """
    linv = np.linalg.inv(np.linalg.cholesky(info_b))
    m = linv @ info_a @ np.swapaxes(linv, -1, -2)
    lam, q = np.linalg.eigh(0.5 * (m + np.swapaxes(m, -1, -2)))
    if criterion is Criterion.DET:
        return lam, np.ones_like(lam)
    return lam, np.sum(np.square(np.swapaxes(linv, -1, -2) @ q), axis=-2)


@njit(cache=True)
def _weights_kernel(lam: np.ndarray, c: np.ndarray, trace: bool, iterations: int) -> np.ndarray:
    """The safeguarded Newton search of ``ci_weights`` for each pair's spectrum (K, n), compiled.

    Per pair: slope and curvature of the objective in ω (``-Σ ln dᵢ`` or ``Σ cᵢ/dᵢ`` with
    dᵢ = 1 + ω(λᵢ − 1)), Newton steps kept inside the bracket, then the best of ω, 0 and 1.
    """
    k, n = lam.shape
    out = np.empty(k)
    for p in range(k):
        slopes = np.empty(2)
        for end in range(2):
            total = 0.0
            for i in range(n):
                g = lam[p, i] - 1.0
                d = 1.0 + end * g
                total += c[p, i] * g / (d * d) if trace else g / d
            slopes[end] = -total
        lo, hi, omega = 0.0, 1.0, 0.5
        for _ in range(iterations):
            d1, d2 = 0.0, 0.0
            for i in range(n):
                g = lam[p, i] - 1.0
                d = 1.0 + omega * g
                if trace:
                    r = c[p, i] * g / (d * d)
                    d1 -= r
                    d2 += r * g / d
                else:
                    r = g / d
                    d1 -= r
                    d2 += r * r
            if trace:
                d2 = 2.0 * d2
            if d1 < 0.0:
                lo = omega
            else:
                hi = omega
            step = omega - d1 / d2 if d2 > 0.0 else omega
            omega = step if lo < step < hi else 0.5 * (lo + hi)
        if slopes[0] >= 0.0:
            omega = 0.0
        elif slopes[1] <= 0.0:
            omega = 1.0
        best, best_value = omega, np.inf
        for w in (omega, 0.0, 1.0):
            value = 0.0
            for i in range(n):
                d = 1.0 + w * (lam[p, i] - 1.0)
                value += c[p, i] / d if trace else -np.log(d)
            if value < best_value:
                best, best_value = w, value
        out[p] = best
    return out


def ci_weights(info_a: np.ndarray, info_b: np.ndarray, criterion: Criterion = Criterion.DET,
               iterations: int = 30) -> np.ndarray:
    """ω (K,) minimising det or trace of (ω I_a + (1−ω) I_b)⁻¹ for K pairs of information matrices.

    The objective is convex in ω, so its slope is increasing: the minimum is at 0 or 1 when the
    slope there says so, else at the slope's root, found by Newton steps kept inside a shrinking
    bracket (bisection when a step leaves it) — quadratic convergence. The search is a compiled
    loop over pairs (numba): as numpy expressions its 30 rounds cost ~1 ms a call.
    """
    lam, c = _spectrum(info_a, info_b, criterion)
    return _weights_kernel(np.ascontiguousarray(lam), np.ascontiguousarray(c), criterion is not Criterion.DET,
                           iterations)


def _inv_sym(p: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(p)
    return 0.5 * (inv + np.swapaxes(inv, -1, -2))


def covariance_intersection(x_a: np.ndarray, p_a: np.ndarray, x_b: np.ndarray, p_b: np.ndarray,
                            criterion: Criterion = Criterion.DET,
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CI of K pairs: states (K, n), covariances (K, n, n) → fused x (K, n), P (K, n, n), ω (K,)."""
    info_a, info_b = _inv_sym(p_a), _inv_sym(p_b)
    omega = ci_weights(info_a, info_b, criterion)
    w = omega[:, None, None]
    info = w * info_a + (1.0 - w) * info_b
    p = _inv_sym(info)
    y = (w * info_a) @ x_a[..., None] + ((1.0 - w) * info_b) @ x_b[..., None]
    return (p @ y)[..., 0], p, omega


def bar_shalom_campo(x_a: np.ndarray, p_a: np.ndarray, x_b: np.ndarray, p_b: np.ndarray,
                     p_ab: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Optimal linear fusion of two estimates with known cross-covariance P_ab (zero: independent)."""
    p_ab = np.zeros_like(p_a) if p_ab is None else p_ab
    p_ba = np.swapaxes(p_ab, -1, -2)
    u = p_a + p_b - p_ab - p_ba
    gain = (p_a - p_ab) @ np.linalg.inv(u)
    x = x_a + (gain @ (x_b - x_a)[..., None])[..., 0]
    p = p_a - gain @ (p_a - p_ba)
    return x, 0.5 * (p + np.swapaxes(p, -1, -2))


def lineage_groups(lineages: Sequence[frozenset]) -> list[list[int]]:
    """Indices grouped into connected components of overlapping lineage (shared information)."""
    parent = list(range(len(lineages)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(lineages)):
        for j in range(i + 1, len(lineages)):
            if lineages[i] & lineages[j]:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(lineages)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def ci_chains(states: np.ndarray, covs: np.ndarray, chains: list[list[int]],
              criterion: Criterion, rule: Rule = Rule.CI) -> tuple[np.ndarray, np.ndarray]:
    """Sequential CI (or ICI) along each chain of indices, all chains advanced together (a batch a round)."""
    pairwise = covariance_intersection if rule is Rule.CI else inverse_covariance_intersection
    x = states[[c[0] for c in chains]].copy()
    p = covs[[c[0] for c in chains]].copy()
    for r in range(1, max(len(c) for c in chains)):
        rows = [i for i, c in enumerate(chains) if len(c) > r]
        nxt = [chains[i][r] for i in rows]
        fx, fp, _ = pairwise(x[rows], p[rows], states[nxt], covs[nxt], criterion)
        x[rows], p[rows] = fx, fp
    return x, p


def fuse_clusters(states: np.ndarray, covs: np.ndarray, lineages: Sequence[frozenset],
                  clusters: Sequence[Sequence[int]], *, independent: bool = False,
                  criterion: Criterion = Criterion.DET,
                  rule: Rule = Rule.CI) -> tuple[np.ndarray, np.ndarray]:
    """Fuse each cluster of member indices into one estimate → states (C, n), covariances (C, n, n).

    Members are taken most informative first. ``independent=False``: CI over all members.
    ``independent=True``: CI inside groups of overlapping lineage, information sum across groups.
    """
    n = states.shape[1]
    if not clusters:
        return np.zeros((0, n)), np.zeros((0, n, n))
    logdet = np.linalg.slogdet(covs)[1].tolist()   # Python floats: the sort keys compare the same, faster
    chains: list[list[int]] = []
    owner: list[int] = []
    for ci, members in enumerate(clusters):
        members = sorted(members, key=logdet.__getitem__) if len(members) > 1 else list(members)
        groups = (lineage_groups([lineages[m] for m in members]) if independent
                  else [list(range(len(members)))])
        for g in groups:
            chains.append([members[i] for i in g])
            owner.append(ci)
    gx, gp = ci_chains(states, covs, chains, criterion, rule)
    if len(chains) == len(clusters):
        return gx, gp
    info = _inv_sym(gp)
    out_x = np.zeros((len(clusters), n))
    out_p = np.zeros((len(clusters), n, n))
    owner_arr = np.asarray(owner)
    for ci in range(len(clusters)):
        rows = np.flatnonzero(owner_arr == ci)
        total = info[rows].sum(axis=0)
        p = _inv_sym(total[None])[0]
        out_p[ci] = p
        out_x[ci] = p @ np.einsum("kij,kj->i", info[rows], gx[rows])
    return out_x, out_p
