"""Plot-to-track association: coarse k-d tree pre-gate, χ² gate, global nearest-neighbour assignment.

The pre-gate keeps only (track, plot) pairs whose positions are within a few predicted
standard deviations (scipy's cKDTree), so the fine χ² test and the assignment work on a
sparse set of pairs; the assignment (scipy's ``linear_sum_assignment``) then runs only on
the conflicted part — tracks or plots with more than one candidate — so its cost follows
the size of clusters, not of the whole picture.
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from trilink.track import kernels

_DENSE_LIMIT = 40_000
"""Up to this many track×plot pairs a dense distance test (a few array operations) is cheaper than a tree."""
_ONE_PROBLEM = 64
"""Up to this many conflicted tracks + plots, one assignment problem; beyond, one per connected cluster."""
_WIDE = 2.0
"""Tracks whose pre-gate radius exceeds this many times the median are searched separately."""
_NEIGHBOURS = 8
"""Nearest tracks asked of the tree per plot; a plot with this many inside the largest radius asks again."""


def candidate_pairs(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(track index, plot index) pairs with |track − plot| < radius[track]; positions (N, 3), (M, 3).

    Small problems: a dense distance test. Large ones: a k-d tree of the tracks asked for each
    plot's nearest few within the common radius, with the few tracks of unusually wide radius
    (long coasts, new tracks) tested on their own so they do not widen everyone's search.
    """
    n, m = len(track_pos), len(plot_pos)
    if n == 0 or m == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if n * m <= _DENSE_LIMIT:
        return _dense(track_pos, radius, plot_pos)
    wide = radius > _WIDE * np.median(radius)
    normal = np.nonzero(~wide)[0]
    rows, cols = _nearest(track_pos[normal], radius[normal], plot_pos)
    rows = normal[rows]
    if np.count_nonzero(wide):
        few = np.nonzero(wide)[0]
        if len(few) * m <= _DENSE_LIMIT:
            extra_r, extra_c = _dense(track_pos[few], radius[few], plot_pos)
        else:
            extra_r, extra_c = _ball(track_pos[few], radius[few], plot_pos)
        rows, cols = np.concatenate([rows, few[extra_r]]), np.concatenate([cols, extra_c])
    return rows, cols


def _dense(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All pairs tested, in one compiled pass (``kernels.pairs_within``)."""
    return kernels.pairs_within(track_pos, radius, plot_pos)


def _nearest(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """A tree of the tracks; each plot asks for its nearest few within the largest radius (arrays, no
    per-pair Python); a plot with that many inside asks again for all of them."""
    n, m = len(track_pos), len(plot_pos)
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    tree = cKDTree(track_pos)
    reach = float(radius.max())
    k = min(_NEIGHBOURS, n)
    dist, idx = tree.query(plot_pos, k=k, distance_upper_bound=reach)
    dist, idx = dist.reshape(m, k), idx.reshape(m, k)
    found = idx < n
    crowded = np.nonzero(found[:, -1])[0] if k < n else np.zeros(0, dtype=np.intp)
    found[crowded] = False
    cols = np.repeat(np.arange(m, dtype=np.intp), found.sum(axis=1))
    rows = idx[found].astype(np.intp)
    close = dist[found] < radius[rows]
    rows, cols = rows[close], cols[close]
    if len(crowded):
        hits = tree.query_ball_point(plot_pos[crowded], reach, return_sorted=False)
        extra_r = np.fromiter((r for h in hits for r in h), dtype=np.intp)
        extra_c = np.repeat(crowded, [len(h) for h in hits])
        d = np.linalg.norm(track_pos[extra_r] - plot_pos[extra_c], axis=-1)
        keep = d < radius[extra_r]
        rows, cols = np.concatenate([rows, extra_r[keep]]), np.concatenate([cols, extra_c[keep]])
    return rows, cols


def _ball(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A tree of the plots, each track asking within its own radius."""
    hits = cKDTree(plot_pos).query_ball_point(track_pos, radius, return_sorted=False)
    rows = np.repeat(np.arange(len(track_pos), dtype=np.intp), [len(h) for h in hits])
    cols = np.fromiter((c for h in hits for c in h), dtype=np.intp, count=len(rows))
    return rows, cols


def assign(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Globally optimal one-to-one assignment on a sparse set of gated pairs with ``cost``.

    Returns the chosen (row, col) pairs (see ``assign_pairs``).
    """
    chosen = assign_pairs(rows, cols, cost)
    return rows[chosen], cols[chosen]


def assign_pairs(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of the pairs chosen by the globally optimal one-to-one assignment of distinct (row, col) pairs.

    Pairs whose track and plot have no other candidate are taken directly; the rest go to
    ``linear_sum_assignment``, per connected cluster when there are many.
    """
    if len(rows) == 0:
        return np.zeros(0, dtype=np.intp)
    row_deg = np.bincount(rows)
    col_deg = np.bincount(cols)
    simple = (row_deg[rows] == 1) & (col_deg[cols] == 1)
    if np.count_nonzero(simple) == len(simple):
        return np.arange(len(simple))
    out = [np.nonzero(simple)[0]]
    rest = np.nonzero(~simple)[0]
    cr, cc, cv = rows[rest], cols[rest], cost[rest]
    ur, ri = np.unique(cr, return_inverse=True)
    uc, ci = np.unique(cc, return_inverse=True)
    if len(ur) + len(uc) <= _ONE_PROBLEM:
        groups = [np.arange(len(cr))]
    else:  # independent clusters: one small problem each (the whole matrix would cost O(n³))
        graph = coo_matrix((np.ones(len(cr)), (ri, len(ur) + ci)), shape=(len(ur) + len(uc),) * 2)
        _count, label = connected_components(graph, directed=False)
        pair_label = label[ri]
        order = np.argsort(pair_label, kind="stable")
        groups = np.split(order, np.nonzero(np.diff(pair_label[order]))[0] + 1)
    for g in groups:
        gr, gi = np.unique(ri[g], return_inverse=True)
        gc, gj = np.unique(ci[g], return_inverse=True)
        big = float(cv[g].max()) + 1e6
        matrix = np.full((len(gr), len(gc)), big)
        matrix[gi, gj] = cv[g]
        cell = np.full((len(gr), len(gc)), -1)
        cell[gi, gj] = np.arange(len(g))
        a, b = linear_sum_assignment(matrix)
        ok = matrix[a, b] < big
        out.append(rest[g[cell[a[ok], b[ok]]]])
    return np.concatenate(out)
