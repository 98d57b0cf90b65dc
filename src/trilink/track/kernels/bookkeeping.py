"""Compiled kernels of the track table's per-row bookkeeping (``table``, ``output``, ``switching``)."""

import math

import numpy as np
from numba import njit

from trilink.physics.kernels import radial_height_1

_EQUATORIAL_RADIUS = 6_378_137.0
"""WGS84 semi-major axis, m: no point of the ellipsoid is farther from the centre."""


@njit(cache=True)
def commit_updates(rows: np.ndarray, time: float, late: np.ndarray, boost: np.ndarray, nis: np.ndarray,
                   ids: np.ndarray, kind_bit: int, t: np.ndarray, last: np.ndarray, hits: np.ndarray,
                   last_id: np.ndarray, impact_due: np.ndarray, kinds: np.ndarray, nis_table: np.ndarray,
                   boost_table: np.ndarray, ended: np.ndarray) -> None:
    """The track table's per-row bookkeeping of an update at ``time``, in place (rows distinct).

    A row leaving the boost model restarts its NIS record and notes when; then its time (unless the
    plot was late), last update, hit count, last plot id, coasting impact time (reset), sensor kinds,
    and the NIS record shifted by one (the new ``nis`` already less the dimension).
    """
    for k in range(rows.shape[0]):
        r = rows[k]
        if boost_table[r] and not boost[k]:
            nis_table[r, 0] = nis_table[r, 1] = nis_table[r, 2] = 0.0
            ended[r] = time
        boost_table[r] = boost[k]
        if not late[k]:
            t[r] = time
        last[r] = max(last[r], time)
        hits[r] += 1
        last_id[r] = ids[k]
        impact_due[r] = np.nan
        kinds[r] |= kind_bit
        nis_table[r, 0] = nis_table[r, 1]
        nis_table[r, 1] = nis_table[r, 2]
        nis_table[r, 2] = nis[k]


@njit(cache=True)
def record_history(rows: np.ndarray, t: np.ndarray, x: np.ndarray, history: np.ndarray,
                   history_n: np.ndarray, history_unsorted: np.ndarray) -> None:
    """Append [t, position, velocity] of ``rows`` (distinct) to their histories while not full, in place."""
    length = history.shape[1]
    for k in range(rows.shape[0]):
        r = rows[k]
        n = history_n[r]
        if n >= length:
            continue
        history[r, n, 0] = t[r]
        for i in range(6):
            history[r, n, 1 + i] = x[r, i]
        if n > 0 and t[r] < history[r, n - 1, 0]:
            history_unsorted[r] = True
        history_n[r] = n + 1


@njit(cache=True)
def refresh_shown(t: np.ndarray, hits: np.ndarray, status: np.ndarray, last: np.ndarray, boost: np.ndarray,
                  first: np.ndarray, now: float, coast_after: float, shown: np.ndarray) -> np.ndarray:
    """Which rows' output changed (N,): their key (time, hits, status, coasting, boost, start) differs
    from ``shown`` (N, 6), which is brought up to date in place."""
    n = t.shape[0]
    changed = np.zeros(n, dtype=np.bool_)
    key = np.empty(6)
    for k in range(n):
        key[0] = t[k]
        key[1] = hits[k]
        key[2] = status[k]
        key[3] = 1.0 if now - last[k] > coast_after else 0.0
        key[4] = 1.0 if boost[k] else 0.0
        key[5] = first[k]
        for j in range(6):
            if key[j] != shown[k, j]:  # NaN (never shown) differs from everything
                changed[k] = True
        if changed[k]:
            for j in range(6):
                shown[k, j] = key[j]
    return changed


@njit(cache=True)
def switch_rows(rows: np.ndarray, x: np.ndarray, height: np.ndarray, boost: np.ndarray, hits: np.ndarray,
                kinds: np.ndarray, nis: np.ndarray, max_height: np.ndarray, drag_seen: np.ndarray,
                confirm_hits: int, ir_bit: int, drag_height: float, start_height: float, top_height: float,
                reboost_nis: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The per-row facts of ``switching.switch_models`` for table ``rows`` (distinct) at ``height`` (K,).

    Updates each row's highest height and whether it was seen in air (below ``drag_height``), in
    place, and returns its climb rate and whether it starts the boost model (just confirmed, not
    boosting: IR-seen, or rising below ``start_height``), may start it (rising below ``top_height``:
    decided by its neighbours) or manoeuvres (confirmed, rising below ``top_height``, its last
    three NIS summing beyond ``reboost_nis``).
    """
    n = rows.shape[0]
    climb = np.empty(n)
    start = np.zeros(n, dtype=np.bool_)
    maybe = np.zeros(n, dtype=np.bool_)
    manoeuvre = np.zeros(n, dtype=np.bool_)
    for k in range(n):
        r = rows[k]
        h = height[k]
        px, py, pz = x[r, 0], x[r, 1], x[r, 2]
        c = (x[r, 3] * px + x[r, 4] * py + x[r, 5] * pz) / math.sqrt(px * px + py * py + pz * pz)
        climb[k] = c
        top = max_height[r]
        max_height[r] = np.nan if (top != top or h != h) else max(top, h)
        if h < drag_height:
            drag_seen[r] = True
        if boost[r]:
            continue
        if hits[r] == confirm_hits:
            start[k] = (kinds[r] & ir_bit) > 0 or (c > 0.0 and h < start_height)
            maybe[k] = not start[k] and c > 0.0 and h < top_height
        manoeuvre[k] = (hits[r] >= confirm_hits and c > 0.0 and h < top_height
                        and (nis[r, 0] + nis[r, 1]) + nis[r, 2] > reboost_nis)
    return climb, start, maybe, manoeuvre


@njit(cache=True)
def thrust_evidence(x: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For boosting states (K, 10), covariances (K, 10, 10): the thrust's χ² against zero aᵀ P_aa⁻¹ a,
    its norm |a|, and its component along the velocity with that component's 1σ (each (K,)).

    P_aa⁻¹ a by Gaussian elimination with partial pivoting (what LAPACK's solve does for 3 × 3).
    """
    n = x.shape[0]
    test = np.empty(n)
    norm = np.empty(n)
    along = np.empty(n)
    sd_along = np.empty(n)
    m = np.empty((3, 4))
    for k in range(n):
        a0, a1, a2 = x[k, 6], x[k, 7], x[k, 8]
        for i in range(3):
            for j in range(3):
                m[i, j] = p[k, 6 + i, 6 + j]
            m[i, 3] = x[k, 6 + i]
        for col in range(3):
            pivot = col
            for i in range(col + 1, 3):
                if abs(m[i, col]) > abs(m[pivot, col]):
                    pivot = i
            if pivot != col:
                for j in range(4):
                    m[col, j], m[pivot, j] = m[pivot, j], m[col, j]
            for i in range(col + 1, 3):
                factor = m[i, col] / m[col, col]
                for j in range(col, 4):
                    m[i, j] -= factor * m[col, j]
        s2 = m[2, 3] / m[2, 2]
        s1 = (m[1, 3] - m[1, 2] * s2) / m[1, 1]
        s0 = (m[0, 3] - m[0, 1] * s1 - m[0, 2] * s2) / m[0, 0]
        test[k] = a0 * s0 + a1 * s1 + a2 * s2
        norm[k] = math.sqrt(a0 * a0 + a1 * a1 + a2 * a2)
        vx, vy, vz = x[k, 3], x[k, 4], x[k, 5]
        speed = max(math.sqrt(vx * vx + vy * vy + vz * vz), 1.0)
        u = (vx / speed, vy / speed, vz / speed)
        along[k] = a0 * u[0] + a1 * u[1] + a2 * u[2]
        var = 0.0
        for i in range(3):
            for j in range(3):
                var += u[i] * p[k, 6 + i, 6 + j] * u[j]
        sd_along[k] = math.sqrt(var)
    return test, norm, along, sd_along


@njit(cache=True)
def expired_rows(now: float, x: np.ndarray, impact_due: np.ndarray, tentative: np.ndarray, hits: np.ndarray,
                 boost: np.ndarray, last: np.ndarray, free_since: np.ndarray, impact_margin: float,
                 delete_below: float, tentative_max_gap: float, established_updates: int,
                 established_free_time: float, established_coast: float, boost_delete_after: float,
                 delete_after: float) -> np.ndarray:
    """Rows (N,) to delete at ``now``: down (past the predicted impact, or below ``delete_below``) or stale.

    Stale: a tentative row unobserved for ``tentative_max_gap``; an established one (ballistic
    for ``established_free_time`` over ``established_updates`` updates) for ``established_coast``;
    a boosting one for ``boost_delete_after``; any other for ``delete_after`` (``tracker._manage``).
    """
    n = x.shape[0]
    gone = np.zeros(n, dtype=np.bool_)
    reach = _EQUATORIAL_RADIUS + max(delete_below, 0.0) + 1_000.0  # beyond: surely above it
    for k in range(n):
        down = now > impact_due[k] + impact_margin
        px, py, pz = x[k, 0], x[k, 1], x[k, 2]
        if not down and px * px + py * py + pz * pz < reach * reach:
            down = radial_height_1(px, py, pz) < delete_below
        age = now - last[k]
        if tentative[k]:
            stale = age > tentative_max_gap
        elif (hits[k] >= established_updates and not boost[k]
              and last[k] - free_since[k] >= established_free_time):
            stale = age > established_coast
        elif boost[k]:
            stale = age > boost_delete_after
        else:
            stale = age > delete_after
        gone[k] = down or stale
    return gone


@njit(cache=True)
def track_facts(rows: np.ndarray, x: np.ndarray, p: np.ndarray, boost: np.ndarray, hits: np.ndarray,
                tentative: np.ndarray, last: np.ndarray, drag_seen: np.ndarray, now: float, confirm_hits: int,
                coast_after: float, reentry_height: float, drag_scale: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What ``output.TrackOutput.build`` reports of each of ``rows``: phase code (0 boost, 1 unknown,
    2 re-entry, 3 midcourse), status code (0 tentative, 1 coasting, 2 confirmed), whether β is
    estimated (seen in air, k > 1e-3), and β = drag_scale / k with its 1σ."""
    n = rows.shape[0]
    phase = np.empty(n, dtype=np.int64)
    status = np.empty(n, dtype=np.int64)
    has_beta = np.empty(n, dtype=np.bool_)
    beta = np.empty(n)
    beta_sigma = np.empty(n)
    reach = _EQUATORIAL_RADIUS + max(reentry_height, 0.0) + 1_000.0  # beyond: surely above re-entry height
    for j in range(n):
        r = rows[j]
        if boost[r]:
            phase[j] = 0
        elif hits[r] < confirm_hits:
            phase[j] = 1
        else:
            phase[j] = 3
            px, py, pz = x[r, 0], x[r, 1], x[r, 2]
            r2 = px * px + py * py + pz * pz
            if (r2 < reach * reach and radial_height_1(px, py, pz) < reentry_height
                    and (x[r, 3] * px + x[r, 4] * py + x[r, 5] * pz) / math.sqrt(r2) < 0.0):  # descending
                phase[j] = 2
        status[j] = 0 if tentative[r] else (1 if now - last[r] > coast_after else 2)
        k = x[r, 9]
        has_beta[j] = drag_seen[r] and k > 1e-3
        beta[j] = drag_scale / k if k != 0.0 else np.inf  # used only where estimated (k > 1e-3)
        beta_sigma[j] = drag_scale * math.sqrt(p[r, 9, 9]) / (k * k) if k != 0.0 else np.inf
    return phase, status, has_beta, beta, beta_sigma
