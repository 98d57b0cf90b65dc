"""One fusion step's working set: sources predicted on demand, fused tracks as clusters of sources.

Only what changed is recomputed: a source is predicted to the fusion time only when a
fused track it belongs to must be re-fused (it has a new member, lost one, or a member
has a new estimate) or when it is being associated; an unchanged fused track keeps its
previous estimate, propagated. With a picture of 100 missiles and one new report, one
fused track is re-fused, not a hundred.

A fused track holds at most one *current* source per nation (active and updated within
``lost_after``): two tracks a nation holds at once are two objects to it. A track its
originator no longer updates (coasting, or silent) does not hold its nation's place, so
the originator's new track of the same object — a re-initialised boost track, a
re-acquisition after a gap — joins the fused track instead of opening a second one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from trilink.fusion.associate import assign, bias_covariance, cost_matrix, distances, pair_distances
from trilink.fusion.combine import fuse_clusters
from trilink.fusion.criteria import Criterion, Rule
from trilink.fusion.predict import Propagator, predict
from trilink.fusion.source import SourceStatus, SourceTrack
from trilink.model import Phase


class Workspace:
    """Sources, clusters (fused id → member indices) and cached estimates during one update."""

    def __init__(self, sources: Sequence[SourceTrack], now: float, *, own_nation: str, propagator: Propagator,
                 noise: Mapping[Phase, float], criterion: Criterion, rule: Rule, independent: bool,
                 bias_position: float, bias_velocity: float, lost_after: float = 30.0) -> None:
        self.sources = list(sources)
        self.now = now
        self.own_nation = own_nation
        self.propagator = propagator
        self.noise = noise
        self.criterion = criterion
        self.rule = rule
        self.independent = independent
        self.bias2 = 2.0 * bias_covariance(bias_position, bias_velocity)
        n = len(self.sources)
        self.xs = np.zeros((n, 6))
        self.ps = np.zeros((n, 6, 6))
        self.ready = np.zeros(n, dtype=bool)
        self.lineages = [s.provenance for s in self.sources]  # cleaned sources: provenance has the key
        self.nations = [s.nation for s in self.sources]
        self.current = [s.status is SourceStatus.ACTIVE and now - s.time <= lost_after for s in self.sources]
        """Whether each source holds its nation's place in a fused track (see the module docstring)."""
        self.clusters: dict[str, list[int]] = {}
        self.estimates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        """Fused estimate per cluster, valid until its membership changes."""

    def ensure_predicted(self, indices: Sequence[int]) -> None:
        """Predict the given sources to ``now`` (one batch for those not yet done)."""
        todo = [i for i in dict.fromkeys(indices) if not self.ready[i]]
        if not todo:
            return
        srcs = [self.sources[i] for i in todo]
        x, p = predict(np.array([s.state for s in srcs]), np.array([s.covariance for s in srcs]),
                       np.array([s.time for s in srcs]), [s.phase for s in srcs], self.now,
                       propagator=self.propagator, noise=self.noise)
        self.xs[todo], self.ps[todo] = x, p
        self.ready[todo] = True

    def _fuse(self, member_lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        self.ensure_predicted([m for members in member_lists for m in members])
        return fuse_clusters(self.xs, self.ps, self.lineages, member_lists, independent=self.independent,
                             criterion=self.criterion, rule=self.rule)

    def refresh(self, fused_ids: Sequence[str]) -> None:
        """(Re)compute the fused estimate of these clusters (those with members)."""
        ids = [f for f in dict.fromkeys(fused_ids) if self.clusters.get(f)]
        if not ids:
            return
        fx, fp = self._fuse([self.clusters[f] for f in ids])
        for i, f in enumerate(ids):
            self.estimates[f] = (fx[i], fp[i])

    def release_outliers(self, fused_ids: Sequence[str], release_gate: float) -> list[int]:
        """Leave-one-out χ² test of every member of these clusters; release those that clearly fail.

        On a two-member tie the node's own nation's track, then the sharper one, stays.
        """
        released: list[int] = []
        for _ in range(8):
            tests = [(f, m) for f in fused_ids if len(self.clusters[f]) >= 2 for m in self.clusters[f]]
            if not tests:
                break
            others = [[o for o in self.clusters[f] if o != m] for f, m in tests]
            fx, fp = self._fuse(others)
            idx = [m for _, m in tests]
            d2, _ = distances(self.xs[idx], self.ps[idx], fx, fp, self.bias2)
            logdet = np.linalg.slogdet(self.ps[idx])[1]
            worst: dict[str, tuple[tuple, int]] = {}
            for (f, m), value, ld in zip(tests, d2, logdet, strict=True):
                if value <= release_gate:
                    continue
                rank = (round(float(value), 6), self.nations[m] != self.own_nation, float(ld))
                if f not in worst or rank > worst[f][0]:
                    worst[f] = (rank, m)
            if not worst:
                break
            for f, (_, m) in worst.items():
                self.clusters[f].remove(m)
                self.estimates.pop(f, None)
                released.append(m)
        return released

    def assign_free(self, free: Sequence[int], coasting: Mapping[str, tuple[np.ndarray, np.ndarray]],
                    gate: float, new_id: Callable) -> set[str]:
        """Nation by nation (own first), assign free sources to clusters by global χ², or open new ones.

        ``coasting`` holds the propagated estimates of fused tracks without members (they can be
        picked up again). Returns the ids of clusters that gained members.
        """
        grown: set[str] = set()
        self.ensure_predicted(free)
        order = sorted({self.nations[i] for i in free}, key=lambda n: (n != self.own_nation, n))
        for nation in order:
            rows = [i for i in free if self.nations[i] == nation]
            self.refresh([f for f in self.clusters if f not in self.estimates])
            cols = [f for f in self.clusters if f in self.estimates or f in coasting]
            est = [self.estimates.get(f) or coasting[f] for f in cols]
            col_x = np.array([e[0] for e in est]).reshape(len(cols), 6)
            col_p = np.array([e[1] for e in est]).reshape(len(cols), 6, 6)
            free_col = [nation not in self.current_nations(f) for f in cols]
            allowed = np.tile(np.array(free_col, dtype=bool), (len(rows), 1))
            cost, _ = cost_matrix(self.xs[rows], self.ps[rows], col_x, col_p, self.bias2, gate, allowed)
            taken = set()
            for r, c in assign(cost):
                self.clusters[cols[c]].append(rows[r])
                self.estimates.pop(cols[c], None)
                grown.add(cols[c])
                taken.add(r)
            for r, i in enumerate(rows):
                if r not in taken:
                    fid = new_id()
                    self.clusters[fid] = [i]
                    grown.add(fid)
        return grown

    def current_nations(self, fused_id: str) -> set[str]:
        """The nations whose current source is in this cluster (each can hold one place)."""
        return {self.nations[m] for m in self.clusters[fused_id] if self.current[m]}

    def merge_duplicates(self, candidates: Sequence[str], gate: float) -> dict[str, str]:
        """Merge fused tracks that turn out to be the same object (gate passed, no current nation in common).

        Two fused tracks can start apart (early boost tracks, a partner's first vague report) and
        converge; sticky association alone would keep them apart for ever. Only pairs involving a
        ``candidates`` cluster (changed in this update) are tested. The older id (lower number,
        created first) survives. Returns {absorbed id: surviving id}.
        """
        live = [f for f in self.clusters if self.clusters[f]]
        cand = [f for f in dict.fromkeys(candidates) if self.clusters.get(f)]
        if not cand or len(live) < 2:
            return {}
        self.refresh([f for f in live if f not in self.estimates])
        lx = np.array([self.estimates[f][0] for f in live])
        lp = np.array([self.estimates[f][1] for f in live])
        cx = np.array([self.estimates[f][0] for f in cand])
        cp = np.array([self.estimates[f][1] for f in cand])
        d2, _ = pair_distances(cx, cp, lx, lp, self.bias2, gate)
        near_i, near_j = np.nonzero(d2 <= gate)     # only the gated pairs reach Python (not N × N)
        pairs = sorted((float(d2[i, j]), cand[i], live[j]) for i, j in zip(near_i.tolist(), near_j.tolist(),
                                                                           strict=True) if cand[i] != live[j])
        merged: dict[str, str] = {}
        for _, a, b in pairs:
            if a in merged or b in merged:
                continue
            if self.current_nations(a) & self.current_nations(b):
                continue
            keep, gone = sorted((a, b), key=lambda f: (int(f.rsplit("F", 1)[1]), f))
            self.clusters[keep].extend(self.clusters[gone])
            self.clusters[gone] = []
            self.estimates.pop(keep, None)
            self.estimates.pop(gone, None)
            merged[gone] = keep
        if merged:
            self.refresh(list(merged.values()))
        return merged

