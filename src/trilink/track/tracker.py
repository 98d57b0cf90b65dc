"""One nation's multi-target tracker: measurements in delivery order → tracks, pure and clock-free.

Per call, the measurement objects are read once into arrays and checked as arrays (bad ones
are counted in ``rejections``, never raised), sorted by measurement time and grouped into
scans (one sensor, one time). For each scan, in batch over its plots and tracks (no
per-plot Python objects):
all candidate tracks are predicted to the scan time at once (backwards for late plots,
see ``filter``), pre-gated with a k-d tree, χ²-gated, assigned globally, and updated in one
batched EKF step; unassigned radar plots start tentative tracks, unassigned IR lines of
sight wait to be triangulated with another satellite's. The boost/ballistic switch is a
variable-structure filter (Bar-Shalom & Birmiwal): a thrust state is added when a rising
object is seen (or the innovations show an unmodelled acceleration) and removed once the
thrust estimate is consistent with zero or, at each scan, when the boost model fails to
explain a plot that a thrust-stopped copy of the track explains (a two-model GLR).
Identities at staging and RV release: ``identity``; the returned ``Track`` objects: ``output``.
"""

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.stats import chi2

from trilink.model.measurement import Measurement, SensorKind
from trilink.model.track import Track, TrackStatus
from trilink.physics.dynamics import radial_height
from trilink.physics.propagate import propagate_to_impact
from trilink.track import associate, filter, identity, initiate, kernels, switching
from trilink.track.config import TrackerConfig
from trilink.track.hypotheses import join, pair_costs, predict_hypotheses
from trilink.track.measure import (
    TIME,
    Plots,
    Scan,
    malformed,
    plot_positions,
    predict,
    read_plots,
    residuals,
    scan_of,
)
from trilink.track.motion import (
    DRAG_SCALE,
    burnout_ghost,
    burnout_ghost_position,
    integrators,
    propagate,
    step_spans,
)
from trilink.track.output import TrackOutput
from trilink.track.table import CONFIRMED, IR_BIT, RADAR_BIT, TENTATIVE, TrackTable

THRUST = slice(6, 9)
COAST_STEP = 10.0
"""A coasting track's prediction is committed every this many seconds."""
IMPACT_MARGIN = 5.0
"""A coasting track is deleted this long after its predicted impact, seconds."""
K_MIN = 0.05
"""Smallest drag factor used when predicting a coasting track's impact (β ≤ 200,000 kg/m²)."""
GHOST_MARGIN = 4.0
"""The thrust-stopped hypothesis replaces a failing boost one (d² beyond its 99 % point) when its d² is
this much lower, or when the boost one is outside the gate and it is inside."""
YOUNG_UPDATES = 4
"""Tracks with fewer plots than this get iterated EKF updates (their velocity is still a prior)."""
ITERATIONS = 3
ITERATE_SPREAD = 3_000.0
"""Tracks whose predicted position spread exceeds this (m, RMS over axes) also get iterated updates."""
RCS_SIGMA_DB = 4.0
"""Spread of a plot's cross-section about its track's (target fluctuation, aspect), dB."""
RCS_SMOOTHING = 0.2
"""Weight of a new plot in the exponentially smoothed RCS of a track."""
class Tracker:
    """Multi-target tracker of one nation: ``update(measurements, now) -> list[Track]``."""

    def __init__(self, config: TrackerConfig) -> None:
        self.config = config
        self.table = TrackTable()
        self.rejections: Counter[str] = Counter()
        """Counted rejections by reason (bad, foreign, too late, from the future)."""
        self._serial = 0
        self._pool: list[initiate.PooledSight] = []
        self._gates = {d: float(chi2.ppf(config.gate_probability, d)) for d in (1, 2, 3, 4)}
        self._surprise = {d: float(chi2.ppf(0.99, d)) for d in (1, 2, 3, 4)}
        self._last_now = -np.inf
        self._specs = {spec.id: spec for spec in config.sensors}
        self._output = TrackOutput(config)

    # ------------------------------------------------------------------ public
    def update(self, measurements: Sequence[Measurement], now: float) -> list[Track]:
        """Take a batch of measurements delivered by ``now`` and return every live track at ``now``.

        Deleted tracks appear once more with status DELETED. Track states are at each
        track's last update time (``Track.time``); late measurements within
        ``config.late_window`` of ``now`` are used, older ones are counted as rejected.
        """
        self._last_now = max(self._last_now, now)
        if len(measurements):
            self._ingest(self._read(measurements), now)
        deleted = self._manage(now)
        return self._output.tracks(self.table, now) + deleted

    def last_measurement_ids(self) -> dict[str, int]:
        """Track id → id of the last measurement that updated it (provenance, and truth in evaluation)."""
        return {self._track_id(int(s)): int(m) for s, m in zip(self.table.serial, self.table.last_id,
                                                               strict=True)}

    def _track_id(self, serial: int) -> str:
        return f"{self.config.nation}-{serial:05d}"

    # ---------------------------------------------------------------- checking
    def _read(self, measurements: Sequence[Measurement]) -> Plots:
        """The batch as arrays; objects whose fields are not even numbers are counted as malformed."""
        try:
            return read_plots(measurements)
        except (TypeError, ValueError):
            readable = []
            for m in measurements:
                try:
                    read_plots([m])
                    readable.append(m)
                except (TypeError, ValueError):
                    self.rejections["malformed"] += 1
            return read_plots(readable)

    def _ingest(self, batch: Plots, now: float) -> None:
        """Check the plots (rejections counted by reason), sort them by time and process them scan by scan.

        A scan is one sensor's plots at one time; same-time scans go in sensor-name order, and plots
        within a scan keep their delivery order.
        """
        cfg = self.config
        t = batch.values[:, TIME]
        ok = ~malformed(batch)
        nations = batch.nations
        foreign = ok & (np.zeros(len(t), dtype=bool) if nations.count(cfg.nation) == len(nations)
                        else np.array([n != cfg.nation for n in nations], dtype=bool))
        ok &= ~foreign
        late = ok & (t < now - cfg.late_window)
        ok &= ~late
        future = ok & (t > now + 1.0)
        ok &= ~future
        if np.count_nonzero(ok) < len(ok):
            for reason, mask in (("malformed", ~ok & ~foreign & ~late & ~future), ("foreign", foreign),
                                 ("too late", late), ("future", future)):
                count = int(np.count_nonzero(mask))
                if count:
                    self.rejections[reason] += count
        good = np.nonzero(ok)[0]
        if not len(good):
            return
        sensors = set(batch.sensors) if len(good) == len(t) else {batch.sensors[i] for i in good.tolist()}
        if len(sensors) == 1 and np.count_nonzero(t[good] != t[good[0]]) == 0:  # the usual call: one scan
            self._process(scan_of(batch, good))
            return
        names = {name: 0 for name in sorted(sensors)}
        for k, name in enumerate(names):
            names[name] = k
        code = np.array([names[batch.sensors[i]] for i in good.tolist()], dtype=np.int64)
        order = np.lexsort((code, t[good]))  # stable: delivery order within a scan
        rows, ts, cs = good[order], t[good][order], code[order]
        breaks = np.nonzero((ts[1:] != ts[:-1]) | (cs[1:] != cs[:-1]))[0] + 1
        for scan_rows in np.split(rows, breaks):
            self._process(scan_of(batch, scan_rows))

    # ------------------------------------------------------------------- scans
    def _process(self, scan: Scan) -> None:
        """Associate, update and initiate with one sensor's plots at one time."""
        used = np.zeros(len(scan.z), dtype=bool)
        if len(self.table):
            used = self._associate(scan)
        free = np.nonzero(~used)[0]
        if len(free) == 0:
            return
        if scan.kind == SensorKind.RADAR:
            self._start_radar(scan, free)
        else:
            self._start_ir(scan, free)

    def _candidates(self, scan: Scan, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tab, cfg = self.table, self.config
        n, m = len(tab), len(scan.z)
        if not scan.has_range:
            rows, cols = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
            return rows.ravel(), cols.ravel()
        approx, radius = kernels.pregate(tab.x, tab.p, dt, cfg.q_ballistic, scan.z, scan.sigma,
                                         cfg.pregate_sigmas, cfg.pregate_floor)
        return associate.candidate_pairs(approx, radius, plot_positions(scan))

    def _associate(self, scan: Scan) -> np.ndarray:
        """Gate, assign and update; returns which plots were used."""
        tab, cfg = self.table, self.config
        m, d = len(scan.z), scan.dim
        used = np.zeros(m, dtype=bool)
        dt = scan.time - tab.t
        rows, cols = self._candidates(scan, dt)
        if len(rows) == 0:
            return used
        present = np.bincount(rows, minlength=len(tab)) > 0
        uniq = np.nonzero(present)[0]
        position = np.cumsum(present) - 1
        inv = position[rows]
        every = len(uniq) == len(tab)  # every track a candidate: read the table's arrays, no copies
        x0 = tab.x if every else tab.x[uniq]
        p0 = tab.p if every else tab.p[uniq]
        boost = tab.boost[uniq].copy()
        udt = dt[uniq]
        q_acc, q_thrust = self._noise_densities(uniq, boost)
        # each boosting track also offers a copy whose engine stopped at an unknown moment (the burnout
        # branch of a two-model GLR); it is predicted only for the plots its boost model fails
        ghost = np.nonzero(boost & (udt >= 0.0))[0]
        spans = None
        if len(ghost):  # the copies' integrators and sub-steps: as if predicted with the tracks
            g_pos = burnout_ghost_position(x0[ghost], -cfg.burnout_lookback, udt[ghost])
            _h, fast = integrators(np.concatenate([x0[:, :3], g_pos]),
                                   np.concatenate([q_thrust, np.zeros(len(ghost))]), cfg.drag_ceiling)
            spans = step_spans(np.concatenate([udt, udt[ghost]]), fast)
        hyps = predict_hypotheses(scan, x0, p0, udt, q_acc, q_thrust, cfg, spans)
        hyp_track = np.arange(len(uniq))
        hyp_boost = boost
        plot_rcs = self._plot_rcs(scan)  # feature-aided: a plot's cross-section should match its track's
        rcs_db = tab.rcs_db[uniq]
        nu, s, s_inv, d2, cost = pair_costs(scan, hyps, inv, cols, self._gates[d],
                                            None if plot_rcs is None else plot_rcs[cols] - rcs_db[inv],
                                            RCS_SIGMA_DB)
        pair_hyp, pair_col = inv, cols
        failed = np.zeros(0, dtype=np.intp)
        if len(ghost):  # real pairs of boosting tracks whose boost model fails the plot (beyond its 99 %)
            ghost_of = np.full(len(uniq), -1)
            ghost_of[ghost] = np.arange(len(ghost))
            failed = np.nonzero((ghost_of[inv] >= 0) & (d2 > self._surprise[d]))[0]
        if len(failed):  # the thrust-stopped copy replaces such a pair when it fits the plot clearly better
            need, which = np.unique(ghost_of[inv[failed]], return_inverse=True)
            g_rows = uniq[ghost[need]]
            gx, gp = burnout_ghost(tab.x[g_rows], tab.p[g_rows], -cfg.burnout_lookback, udt[ghost[need]])
            g_acc, g_thrust = self._noise_densities(g_rows, np.zeros(len(need), dtype=bool))
            ghosts = predict_hypotheses(scan, gx, gp, udt[ghost[need]], g_acc, g_thrust, cfg, spans)
            g_track = ghost[need][which]
            g_nu, g_s, g_s_inv, g_d2, g_cost = pair_costs(
                scan, ghosts, which, cols[failed], self._gates[d],
                None if plot_rcs is None else plot_rcs[cols[failed]] - rcs_db[g_track], RCS_SIGMA_DB)
            inside = g_d2 < self._gates[d]   # clearly better, or the only one of the two inside the gate
            better = inside & ((g_d2 + GHOST_MARGIN < d2[failed]) | ~(d2[failed] < self._gates[d]))
            cost[failed[better]] = np.inf
            g_cost[~better] = np.inf
            if np.count_nonzero(better):
                hyps = join(hyps, ghosts)
                hyp_track = np.concatenate([hyp_track, ghost[need]])
                hyp_boost = np.concatenate([boost, np.zeros(len(need), dtype=bool)])
                pair_hyp = np.concatenate([inv, len(uniq) + which])
                pair_col = np.concatenate([cols, cols[failed]])
                nu, s = np.concatenate([nu, g_nu]), np.concatenate([s, g_s])
                s_inv = np.concatenate([s_inv, g_s_inv])
                d2, cost = np.concatenate([d2, g_d2]), np.concatenate([cost, g_cost])
        pair = np.nonzero(np.isfinite(cost))[0]
        if len(pair) == 0:
            return used
        pair_track = hyp_track[pair_hyp[pair]]
        picked = associate.assign_pairs(pair_track, pair_col[pair], cost[pair])
        if len(picked) == 0:
            return used
        chosen = pair[picked]
        ar, ac = pair_track[picked], pair_col[chosen]
        hyp: np.ndarray | None = pair_hyp[chosen]
        if len(hyp) == len(hyp_track) and not np.count_nonzero(hyp != np.arange(len(hyp))):
            hyp = None  # every hypothesis, in order
        if len(chosen) != len(nu) or np.count_nonzero(chosen != np.arange(len(chosen))):
            nu, s, s_inv, d2 = nu[chosen], s[chosen], s_inv[chosen], d2[chosen]
        self._apply(scan, uniq[ar], ac, (hyps.x0, hyps.p0, hyp_boost, hyps.xs, hyps.phi, hyps.qn, hyps.p_pred,
                                         hyps.jac, hyps.cross), hyp, nu, s, s_inv, d2)
        used[ac] = True
        return used

    @staticmethod
    def _iterate(scan: Scan, plots: np.ndarray, x_pred: np.ndarray, p_pred: np.ndarray, x: np.ndarray,
                 r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Iterated EKF update (Gauss–Newton on the measurement function) from a first update ``x``."""
        z = scan.z[plots]
        for _ in range(ITERATIONS):
            zhat, h = predict(x, scan)
            nu = residuals(z, zhat) + (h @ (x - x_pred)[..., None])[..., 0]
            cross = p_pred @ h.transpose(0, 2, 1)
            x_new, p_new = filter.update(x_pred, p_pred, cross, nu, h @ cross + r, h, r)
            x = x_new
        return x, p_new

    def _plot_rcs(self, scan: Scan) -> np.ndarray | None:
        """Cross-sections (dBsm) of a radar scan's plots from their SNR, NaN where not reported."""
        spec = self._specs.get(scan.sensor)
        if spec is None or not scan.has_range or not np.count_nonzero(np.isfinite(scan.snr_db)):
            return None
        return spec.rcs_db(scan.snr_db, scan.z[:, 2])

    def _noise_densities(self, rows: np.ndarray, boost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cfg, tab = self.config, self.table
        young = tab.hits[rows] < cfg.confirm_hits
        q_acc = np.where(boost, cfg.q_boost, 0.0)  # plus q_ballistic or q_vacuum by height, per step
        q_acc = np.where(young, q_acc + cfg.q_initial, q_acc)
        q_thrust = np.where(boost, cfg.q_thrust, 0.0)
        return q_acc, q_thrust

    def _apply(self, scan: Scan, rows: np.ndarray, plots: np.ndarray, prediction: tuple[np.ndarray, ...],
               hyp: np.ndarray | None, nu: np.ndarray, s: np.ndarray, s_inv: np.ndarray, nis: np.ndarray
               ) -> None:
        """Batched EKF update of table rows ``rows`` with their chosen hypotheses (forward or retrodicted).

        ``prediction`` holds every hypothesis; ``hyp`` picks each row's (None: all of them, in order).
        """
        tab = self.table
        x_now, p_now, boost, xs, phi, qn, p_pred, h, cross = prediction
        if hyp is not None:  # what only late plots need is picked for them alone, below
            boost, xs, p_pred, h, cross = boost[hyp], xs[hyp], p_pred[hyp], h[hyp], cross[hyp]
        late = scan.time < tab.t[rows]
        x_new, p_new = filter.update(xs, p_pred, cross, nu, s, h, None, s_inv)
        spread = p_pred[:, 0, 0] + p_pred[:, 1, 1] + p_pred[:, 2, 2]
        young = ~late & ((tab.hits[rows] < YOUNG_UPDATES) | (spread > ITERATE_SPREAD**2))
        if np.count_nonzero(young):  # prior-dominated (new, or long coast): re-linearise (non-linear model)
            r = np.zeros((np.count_nonzero(young), scan.dim, scan.dim))
            idx = np.arange(scan.dim)
            r[:, idx, idx] = scan.sigma[plots[young]] ** 2
            x_new[young], p_new[young] = self._iterate(scan, plots[young], xs[young], p_pred[young],
                                                       x_new[young], r)
        if np.count_nonzero(late):
            picked = np.nonzero(late)[0] if hyp is None else hyp[late]
            x_new[late], p_new[late] = filter.update_late(x_now[picked], p_now[picked], phi[picked],
                                                          qn[picked], h[late], nu[late], s[late])
        tab.x[rows] = x_new
        tab.p[rows] = p_new
        tab.commit(rows, scan.time, late, boost, nis - scan.dim, scan.ids[plots],
                   RADAR_BIT if scan.kind == SensorKind.RADAR else IR_BIT)
        plot_rcs = self._plot_rcs(scan)
        if plot_rcs is not None:
            rcs = plot_rcs[plots]
            ok = np.isfinite(rcs)
            if ok.any():
                r_ok = rows[ok]
                old = tab.rcs_db[r_ok]
                tab.rcs_db[r_ok] = np.where(np.isfinite(old), old + RCS_SMOOTHING * (rcs[ok] - old), rcs[ok])
                tab.rcs_n[r_ok] += 1
        switching.switch_models(tab, self.config, rows, plume=scan.kind == SensorKind.SPACE_IR)
        since = tab.free_since[rows]
        tab.free_since[rows] = np.where(tab.boost[rows], np.nan, np.where(np.isnan(since), scan.time, since))
        tab.record(rows)

    # -------------------------------------------------------------- initiation
    def _new_serials(self, k: int) -> np.ndarray:
        serials = np.arange(self._serial + 1, self._serial + k + 1, dtype=np.int64)
        self._serial += k
        return serials

    def _start_radar(self, scan: Scan, plots: np.ndarray) -> None:
        x, p = initiate.from_radar(scan, plots, self.config)
        if scan.has_range_rate:
            zhat, jac = predict(x, scan)
            h = jac[:, 3:4]
            nu = (scan.z[plots, 3] - zhat[:, 3])[:, None]
            r = (scan.sigma[plots, 3] ** 2)[:, None, None]
            s = h @ p @ h.transpose(0, 2, 1) + r
            x, p = filter.update(x, p, p @ h.transpose(0, 2, 1), nu, s, h, r)
        k = len(plots)
        self.table.append(x, p, np.full(k, scan.time), self._new_serials(k), RADAR_BIT,
                          np.zeros(k, dtype=bool), radial_height(x[:, :3]), scan.ids[plots])

    def _start_ir(self, scan: Scan, plots: np.ndarray) -> None:
        cfg = self.config
        window = cfg.ir_pair_window
        self._pool = [s for s in self._pool if abs(s.time - scan.time) <= window
                      or s.time > self._last_now - window]
        new = initiate.pool_sights(scan, plots)
        pairs, fixes = initiate.pair_sights(new, self._pool, cfg)
        if pairs:
            pos = np.array([f[0] for f in fixes])
            cov = np.array([f[1] for f in fixes])
            times = np.array([max(new[i].time, self._pool[j].time) for i, j in pairs])
            x, p = initiate.prior(pos, cov, cfg)
            k = len(pairs)
            self.table.append(x, p, times, self._new_serials(k), IR_BIT, np.zeros(k, dtype=bool),
                              radial_height(pos), np.array([new[i].id for i, _ in pairs]))
            self.table.hits[-k:] = 2  # two lines of sight went into the fix
        used_new = {i for i, _ in pairs}
        used_pool = {j for _, j in pairs}
        self._pool = [s for j, s in enumerate(self._pool) if j not in used_pool]
        self._pool += [s for i, s in enumerate(new) if i not in used_new]

    # -------------------------------------------------------------- management
    def _manage(self, now: float) -> list[Track]:
        """Confirm, delete stale or impacted tracks; returns the deleted confirmed tracks."""
        tab, cfg = self.table, self.config
        if not len(tab):
            return []
        tab.status[(tab.status == TENTATIVE) & (tab.hits >= cfg.confirm_hits)] = CONFIRMED
        identity.follow_the_thrust(tab, now)
        identity.keep_warhead_identity(tab, cfg)
        age = now - tab.last
        self._coast(now, age)
        need = (age > cfg.coast_after) & np.isnan(tab.impact_due) & (tab.status == CONFIRMED)
        if need.any():  # once per coast: when will it be down? (physics' batch propagator)
            k = np.clip(tab.x[need, 9], K_MIN, None)
            flight = propagate_to_impact(tab.x[need, :6], 0.0, DRAG_SCALE / k)
            tab.impact_due[need] = flight.times + tab.t[need]
        gone = kernels.expired_rows(now, tab.x, tab.impact_due, tab.status == TENTATIVE, tab.hits, tab.boost,
                                    tab.last, tab.free_since, IMPACT_MARGIN, cfg.delete_below_height,
                                    cfg.tentative_max_gap, cfg.established_updates, cfg.established_free_time,
                                    cfg.established_coast, cfg.boost_delete_after, cfg.delete_after)
        gone |= identity.shadowed(tab, now, cfg)
        if not gone.any():
            return []
        rows = np.nonzero(gone & (tab.status == CONFIRMED))[0]
        deleted = self._output.build(tab, rows, now, TrackStatus.DELETED) if len(rows) else []
        tab.keep(~gone)
        self._output.forget(tab.serial.tolist())
        return deleted

    def _coast(self, now: float, age: np.ndarray) -> None:
        """Predict long-unobserved confirmed tracks forward to ``now`` (commit the prediction).

        Later scans then predict them over seconds rather than over the whole gap, and their
        reported state and covariance are current: a coasting track is an extrapolation.
        """
        tab, cfg = self.table, self.config
        rows = np.nonzero((tab.status == CONFIRMED) & (age > cfg.coast_after) & (now - tab.t > COAST_STEP))[0]
        if not len(rows):
            return
        q_acc, q_thrust = self._noise_densities(rows, tab.boost[rows])
        x, phi, q = propagate(tab.x[rows], now - tab.t[rows], q_acc, q_thrust, q_drag=cfg.q_drag,
                              exhaust_velocity=cfg.exhaust_velocity, ceiling=cfg.drag_ceiling,
                              max_step=cfg.max_step, q_air=cfg.q_ballistic, q_vacuum=cfg.q_vacuum)
        tab.x[rows] = x
        tab.p[rows] = phi @ tab.p[rows] @ phi.transpose(0, 2, 1) + q
        tab.t[rows] = now
