"""Plot-to-track association: coarse k-d tree pre-gate, χ² gate, global nearest-neighbour assignment.

The pre-gate keeps only (track, plot) pairs whose positions are within a few predicted
standard deviations (scipy's cKDTree), so the fine χ² test and the assignment work on a
sparse set of pairs; the assignment (scipy's ``linear_sum_assignment``) then runs only on
the conflicted part — tracks or plots with more than one candidate — so its cost follows
the size of clusters, not of the whole picture.
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

_DENSE_LIMIT = 4_096
"""Below this many track×plot pairs a dense distance test is cheaper than building a tree."""


def candidate_pairs(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(track index, plot index) pairs with |track − plot| < radius[track]; positions (N, 3), (M, 3)."""
    n, m = len(track_pos), len(plot_pos)
    if n == 0 or m == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if n * m <= _DENSE_LIMIT:
        diff = track_pos[:, None, :] - plot_pos[None, :, :]
        close = np.einsum("nmi,nmi->nm", diff, diff) < (radius * radius)[:, None]
        rows, cols = np.nonzero(close)
        return rows.astype(np.intp), cols.astype(np.intp)
    tree = cKDTree(plot_pos)
    hits = tree.query_ball_point(track_pos, radius, return_sorted=False)
    counts = np.fromiter((len(h) for h in hits), dtype=np.intp, count=n)
    rows = np.repeat(np.arange(n, dtype=np.intp), counts)
    cols = np.fromiter((c for h in hits for c in h), dtype=np.intp, count=int(counts.sum()))
    return rows, cols


def assign(rows: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Globally optimal one-to-one assignment on a sparse set of gated pairs with ``cost``.

    Returns the chosen (row, col) pairs. Pairs whose track and plot have no other
    candidate are taken directly; the rest go to ``linear_sum_assignment``.
    """
    if len(rows) == 0:
        return rows, cols
    row_deg = np.bincount(rows)
    col_deg = np.bincount(cols)
    simple = (row_deg[rows] == 1) & (col_deg[cols] == 1)
    out_r, out_c = [rows[simple]], [cols[simple]]
    if not simple.all():
        cr, cc, cv = rows[~simple], cols[~simple], cost[~simple]
        ur, ri = np.unique(cr, return_inverse=True)
        uc, ci = np.unique(cc, return_inverse=True)
        big = float(cv.max()) + 1e6
        matrix = np.full((len(ur), len(uc)), big)
        matrix[ri, ci] = cv
        a, b = linear_sum_assignment(matrix)
        ok = matrix[a, b] < big
        out_r.append(ur[a[ok]])
        out_c.append(uc[b[ok]])
    return np.concatenate(out_r), np.concatenate(out_c)
