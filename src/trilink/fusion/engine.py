"""The fusion step: partners' reports and own tracks in, a common picture with stable ids out.

`update(state, sources, now, config)` is a pure function. It

1. validates each incoming `SourceTrack` (bad ones become `Rejection`s with a reason),
   keeps the newest estimate per (nation, track id) — so a copy of a report relayed
   back is the same source, not a second one — and forgets dropped or timed-out ones;
2. predicts every held source, and every fused track's last estimate, to ``now``;
3. keeps each source in the fused track it was in unless the leave-one-out χ² test
   clearly fails (stable association);
4. assigns the remaining sources nation by nation (own nation first) to fused tracks
   with a global χ² assignment (at most one current source per nation per fused track), and
   opens new fused tracks "<nation>-F<n>" for the rest;
5. fuses each fused track's sources by covariance intersection (provenance-aware,
   see `trilink.fusion.combine`), fuses their impact predictions and flags
   disagreements;
6. marks fused tracks active, lost (no current source) or dropped.

`FusionEngine` holds the state for a caller that prefers an object.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from trilink.fusion.assessment import AssessmentSlot, due_for_assessment, extend_history, safe_assess
from trilink.fusion.associate import GATE_99, RELEASE_GATE
from trilink.fusion.cluster import Workspace
from trilink.fusion.criteria import Criterion, Rule
from trilink.fusion.impact import DISAGREEMENT_GATE, disagreements, fuse_impacts
from trilink.fusion.picture import FusedStatus, FusedTrack, Picture, Rejection
from trilink.fusion.predict import DEFAULT_PROCESS_NOISE, Propagator, physics_propagator, predict
from trilink.fusion.source import (
    ImpactPoint,
    SourceKey,
    SourceStatus,
    SourceTrack,
    clean_sources,
    reason_code,
    show,
    validate_sources,
)
from trilink.model import Assessment, MissileClass, Phase, Track

Assessor = Callable[[Track, float], Assessment]


@dataclass(frozen=True)
class FusionConfig:
    """Parameters of the fusion (see docs/fusion.md for the reasoning behind each default)."""

    nation: str
    """The node's own nation: its tracks are associated first and it names the fused ids."""
    gate: float = GATE_99
    release_gate: float = RELEASE_GATE
    bias_position: float = 500.0
    """Registration-bias allowance per source, metres (1σ per axis)."""
    bias_velocity: float = 10.0
    """Registration-bias allowance per source, m/s (1σ per axis)."""
    lost_after: float = 30.0
    """A source not updated for this long no longer keeps a fused track active (seconds)."""
    drop_after: float = 120.0
    """A source (or fused track) not updated for this long is forgotten (seconds)."""
    max_future: float = 5.0
    """Sources time-stamped further ahead of ``now`` than this are rejected (clock error)."""
    criterion: Criterion = Criterion.DET
    rule: Rule = Rule.CI
    """How sources' states are fused: CI (any correlation) or ICI (common-information correlation)."""
    impact_rule: Rule = Rule.CI
    """How the sources' own impact predictions are fused."""
    impact_criterion: Criterion = Criterion.TRACE
    """For impact points, trace P is the expected squared miss distance: CI on trace weighs the long
    along-track axis that matters, where det would pick whichever ellipse is thinnest across track."""
    independent: bool = False
    """True: sources of disjoint provenance are independent (information sum across them)."""
    disagreement_gate: float = DISAGREEMENT_GATE
    disagreement_bias: float = 500.0
    """Registration-bias allowance on each nation's impact prediction, metres (1σ per axis)."""
    process_noise: Mapping[Phase, float] = field(default_factory=lambda: dict(DEFAULT_PROCESS_NOISE))
    propagator: Propagator = physics_propagator
    assess: Assessor | None = None
    """When set (e.g. ``trilink.track.assess.assess``), fused tracks are assessed: launch, impact
    ellipse, time to impact, class. Costly: see ``assess_per_update`` and docs/fusion.md."""
    reassess_min: float = 1.0
    """A fused track whose estimate changed is re-assessed at most this often (seconds)."""
    reassess_after: float = 5.0
    """An unchanged fused track is re-assessed after this long (seconds)."""
    assess_per_update: int = 4
    """At most this many assessments per update (never-assessed first, then the most overdue)."""


class FusedRecord(NamedTuple):
    """What the state remembers of one fused track between updates (a named tuple: one is built per
    re-fused track and update, and a frozen dataclass costs several times as much to build)."""

    fused_id: str
    members: frozenset[SourceKey]
    time: float
    state: np.ndarray
    covariance: np.ndarray
    status: FusedStatus
    first_time: float
    last_update: float
    n_updates: int
    phase: Phase
    missile_class: MissileClass
    assessment: Assessment | None = None
    assessed_at: float | None = None
    changed_since_assessment: bool = True
    history: np.ndarray | None = None
    """(K, 7) past fused [t, x, y, z, vx, vy, vz], for the launch estimate."""
    active_until: float = -math.inf
    """The fused track stays active until then without news (newest active source + lost_after)."""
    track: FusedTrack | None = None
    """The fused track as last given out (reused while its sources do not change)."""


@dataclass(frozen=True)
class PictureState:
    """Everything the fusion carries from one update to the next (immutable)."""

    nation: str
    sources: Mapping[SourceKey, SourceTrack] = field(default_factory=lambda: MappingProxyType({}))
    records: Mapping[str, FusedRecord] = field(default_factory=lambda: MappingProxyType({}))
    next_number: int = 1
    time: float | None = None


def _label(value: object) -> str:
    return value if isinstance(value, str) and "\n" not in value else show(value)


def _ingest(held: dict[SourceKey, SourceTrack], sources: Sequence[object], now: float,
            config: FusionConfig) -> tuple[list[Rejection], set[SourceKey]]:
    """Validate and merge incoming sources into ``held``; returns rejections and explicitly ended keys."""
    rejected: list[Rejection] = []
    ended: set[SourceKey] = set()
    sources = list(sources)
    reasons = validate_sources(sources, now, max_future=config.max_future, max_age=config.drop_after)
    taken: dict[SourceKey, SourceTrack] = {}  # held as given for now; cleaned in one batch below
    for raw, reason in zip(sources, reasons, strict=True):
        if _repeat(held, raw):
            continue  # the estimate held already (e.g. an own track passed again unchanged)
        if reason is not None:
            nation, track_id = _label(getattr(raw, "nation", "?")), _label(getattr(raw, "track_id", "?"))
            rejected.append(Rejection(nation, track_id, reason, reason_code(reason)))
            continue
        assert isinstance(raw, SourceTrack)
        key, t = raw.key, float(raw.time)
        old = held.get(key)
        if old is not None and t < old.time:
            reason = f"older than the estimate held ({old.time - t:.3f} s)"
            rejected.append(Rejection(raw.nation, raw.track_id, reason, reason_code(reason)))
            continue
        if raw.status is SourceStatus.DROPPED:
            held.pop(key, None)
            taken.pop(key, None)
            ended.add(key)
            continue
        held[key] = taken[key] = raw
    for src in clean_sources(list(taken.values())):
        held[src.key] = src
    for key in [k for k, s in held.items() if now - s.time > config.drop_after]:
        del held[key]
        ended.add(key)
    return rejected, ended


def _member_summary(members: list[SourceTrack]) -> tuple[Phase, MissileClass]:
    newest = sorted(members, key=lambda s: s.time, reverse=True) if len(members) > 1 else members
    phase = next((s.phase for s in newest if s.phase is not Phase.UNKNOWN), Phase.UNKNOWN)
    cls = next((s.missile_class for s in newest if s.missile_class is not MissileClass.UNKNOWN),
               MissileClass.UNKNOWN)
    return phase, cls


def update(state: PictureState, sources: Sequence[object], now: float,
           config: FusionConfig) -> tuple[PictureState, Picture]:
    """One fusion step at ``now``: new state and the common picture (never raises on bad sources)."""
    if not math.isfinite(now):
        raise ValueError(f"fusion time is not finite: {now!r}")
    held = dict(state.sources)
    before = dict(held)
    rejected, ended = _ingest(held, sources, now, config)
    keys = list(held)
    index = {k: i for i, k in enumerate(keys)}
    fresh = {index[k] for k, s in held.items()
             if k not in before or (before[k] is not s and _differs(before[k], s))}
    ws = Workspace([held[k] for k in keys], now, own_nation=config.nation, propagator=config.propagator,
                   noise=config.process_noise, criterion=config.criterion, rule=config.rule,
                   independent=config.independent,
                   bias_position=config.bias_position, bias_velocity=config.bias_velocity,
                   lost_after=config.lost_after)
    srcs = ws.sources

    prev = {r.fused_id: r for r in state.records.values() if r.status is not FusedStatus.DROPPED}
    coasting = _Coasting(prev, now, config)
    for f, r in prev.items():
        ws.clusters[f] = sorted(index[k] for k in r.members if k in index)
        if len(ws.clusters[f]) == len(r.members) and not fresh.intersection(ws.clusters[f]):
            ws.estimates[f] = coasting[f]  # unchanged: the previous fusion, propagated
    unchanged = set(ws.estimates)
    ws.release_outliers([f for f, m in ws.clusters.items() if fresh.intersection(m)], config.release_gate)
    assigned = {m for members in ws.clusters.values() for m in members}
    free = sorted((i for i in range(len(srcs)) if i not in assigned), key=lambda i: keys[i])
    counter = [state.next_number]

    def new_id() -> str:
        counter[0] += 1
        return f"{config.nation}-F{counter[0] - 1}"

    if free:
        ws.assign_free(free, {f: coasting[f] for f, m in ws.clusters.items() if not m and f in prev},
                       config.gate, new_id)
    ws.refresh([f for f in ws.clusters if f not in ws.estimates])
    merged = ws.merge_duplicates([f for f in ws.clusters if f not in unchanged], config.gate)
    reuse = {f for f in unchanged  # same members, none with news: carry the previous fusion forward
             if ws.clusters[f] and prev[f].track is not None and f not in merged.values()
             and not fresh.intersection(ws.clusters[f])
             and frozenset(keys[m] for m in ws.clusters[f]) == prev[f].members}
    rebuild = [f for f in ws.clusters if f not in reuse and not (f in merged and f not in prev)]
    impacts = dict(zip(rebuild, fuse_impacts([[srcs[m].impact for m in ws.clusters[f]
                                               if srcs[m].impact is not None] for f in rebuild],
                                             config.impact_criterion, config.impact_rule), strict=True))
    tracks, records, changed = [], {}, set()
    for fid, members in ws.clusters.items():
        old = prev.get(fid)
        if fid in reuse:
            record, track = _carry(old, now, ws.estimates[fid])
        elif fid in impacts:
            x, p = ws.estimates[fid] if members else coasting[fid]
            record = _rebuild(fid, old, [srcs[m] for m in members], x, p, impacts[fid], now, config,
                              ended, merged.get(fid))
            track = record.track
        else:
            continue  # opened and absorbed in the same update: never shown
        assert track is not None
        tracks.append(track)
        if old is None or old.members != record.members or old.status is not record.status:
            changed.add(fid)
        if record.status is not FusedStatus.DROPPED:
            records[fid] = record
    if config.assess is not None:
        tracks = _assess_due(tracks, records, now, config)
    new_state = PictureState(nation=state.nation, sources=MappingProxyType(held),
                             records=MappingProxyType(records), next_number=counter[0], time=now)
    picture = Picture(nation=state.nation, time=now, tracks=tuple(tracks),
                      disagreements=tuple(d for t in tracks for d in t.disagreements),
                      rejected=tuple(rejected), changed=frozenset(changed))
    return new_state, picture


class _Coasting:
    """The previous fused estimates predicted to ``now`` (``coasting[fused_id]``), computed on first use.

    When every fused track has news (a partner's batch updating all of them) none is needed and
    the prediction is skipped; when one is, all are predicted in one batch as before.
    """

    def __init__(self, prev: Mapping[str, FusedRecord], now: float, config: FusionConfig) -> None:
        self.prev, self.now, self.config = prev, now, config
        self._done: dict[str, tuple[np.ndarray, np.ndarray]] | None = None

    def __getitem__(self, fused_id: str) -> tuple[np.ndarray, np.ndarray]:
        if self._done is None:
            records = list(self.prev.values())
            rx, rp = predict(np.array([r.state for r in records]).reshape(-1, 6),
                             np.array([r.covariance for r in records]).reshape(-1, 6, 6),
                             np.array([r.time for r in records]), [r.phase for r in records], self.now,
                             propagator=self.config.propagator, noise=self.config.process_noise)
            self._done = {f: (rx[j], rp[j]) for j, f in enumerate(self.prev)}
        return self._done[fused_id]


def _repeat(held: Mapping[SourceKey, SourceTrack], raw: object) -> bool:
    """Whether ``raw`` is the source held under its key again (same time and status): nothing new."""
    if not (isinstance(raw, SourceTrack) and isinstance(raw.nation, str) and isinstance(raw.track_id, str)
            and isinstance(raw.time, float | int)):
        return False
    old = held.get((raw.nation, raw.track_id))
    return old is not None and old.time == raw.time and old.status is raw.status


def _differs(a: SourceTrack, b: SourceTrack) -> bool:
    """Whether a source brings news (a new estimate or a new status)."""
    return a.time != b.time or a.status is not b.status


def _carry(old: FusedRecord, now: float, estimate: tuple[np.ndarray, np.ndarray]) -> tuple[FusedRecord,
                                                                                         FusedTrack]:
    """An unchanged fused track moved to ``now`` (the previous fusion, propagated) and its record.

    The record keeps its time and estimate (the next prediction starts from there) unless the
    status changed, so carrying a quiet track costs one small object.
    """
    assert old.track is not None
    x, p = estimate
    status = FusedStatus.ACTIVE if now <= old.active_until else FusedStatus.LOST
    track = old.track.moved(now, x, p, status)
    if status is old.status:
        return old, track
    return old._replace(time=now, state=x, covariance=p, status=status, track=track), track


def _rebuild(fid: str, old: FusedRecord | None, ms: list[SourceTrack], x: np.ndarray, p: np.ndarray,
             impact: ImpactPoint | None, now: float, config: FusionConfig, ended: set[SourceKey],
             merged_into: str | None) -> FusedRecord:
    """A fused track whose sources changed (or that has none left), from its members."""
    if len(ms) == 1:  # the common case, written out (the same values as below)
        one = ms[0]
        active_until = one.time + config.lost_after if one.status is SourceStatus.ACTIVE else -math.inf
        status = FusedStatus.ACTIVE if now <= active_until else FusedStatus.LOST
        last_update, phase, cls = one.time, one.phase, one.missile_class
        first_time = old.first_time if old else (one.time if one.first_time is None else one.first_time)
        n_updates = (old.n_updates if old else 0) + int(old is None or last_update > old.last_update)
        history = extend_history(old.history if old else None, now, x)
    elif ms:
        active = [s.time for s in ms if s.status is SourceStatus.ACTIVE]
        active_until = max(active) + config.lost_after if active else -math.inf
        status = FusedStatus.ACTIVE if now <= active_until else FusedStatus.LOST
        last_update = max(s.time for s in ms)
        phase, cls = _member_summary(ms)
        firsts = [s.first_time for s in ms if s.first_time is not None]
        first_time = old.first_time if old else min(firsts, default=min(s.time for s in ms))
        n_updates = (old.n_updates if old else 0) + int(old is None or last_update > old.last_update)
        history = extend_history(old.history if old else None, now, x)
    else:
        assert old is not None
        all_ended = bool(old.members) and old.members <= ended
        expired = all_ended or merged_into is not None or now - old.last_update > config.drop_after
        status = FusedStatus.DROPPED if expired else FusedStatus.LOST
        active_until, last_update, phase, cls = -math.inf, old.last_update, old.phase, old.missile_class
        first_time, n_updates, history = old.first_time, old.n_updates, old.history
    member_keys = frozenset([s.key for s in ms])
    if len(ms) == 1:
        found, contributors, sources = (), ms[0].provenance, (ms[0].key,)
    else:
        found = disagreements(fid, ms, config.disagreement_gate, config.disagreement_bias)
        contributors = frozenset().union(*(s.provenance for s in ms)) if ms else frozenset()
        sources = tuple(sorted(member_keys))
    assessment = old.assessment if old else None
    track = FusedTrack(fused_id=fid, time=now, state=x, covariance=p, status=status,
                       sources=sources, contributors=contributors, phase=phase,
                       missile_class=cls, first_time=first_time, last_update=last_update,
                       n_updates=n_updates, impact=impact, disagreements=found, assessment=assessment,
                       merged_into=merged_into, history=history)
    news = bool(ms) or old is None or old.changed_since_assessment  # a coasting estimate is no news
    return FusedRecord(fid, member_keys, now, x, p, status, first_time, last_update, n_updates, phase, cls,
                       assessment, old.assessed_at if old else None, news, history, active_until, track)


def _assess_due(tracks: list[FusedTrack], records: dict[str, FusedRecord], now: float,
                config: FusionConfig) -> list[FusedTrack]:
    """Assess the fused tracks that are due (within the per-update budget); updates ``records``."""
    assert config.assess is not None
    slots = [AssessmentSlot(f, r.changed_since_assessment, r.assessed_at) for f, r in records.items()]
    due = set(due_for_assessment(slots, now, min_interval=config.reassess_min, max_age=config.reassess_after,
                                 limit=config.assess_per_update))
    out = []
    for track in tracks:
        if track.fused_id in due:
            assessment = safe_assess(config.assess, track.to_track(config.nation), now)
            track = replace(track, assessment=assessment)
            records[track.fused_id] = records[track.fused_id]._replace(
                assessment=assessment, track=track, assessed_at=now, changed_since_assessment=False)
        out.append(track)
    return out


class FusionEngine:
    """The fusion with its state held for the caller: ``picture = engine.update(sources, now)``."""

    def __init__(self, config: FusionConfig) -> None:
        self.config = config
        self.state = PictureState(nation=config.nation)

    def update(self, sources: Sequence[object], now: float) -> Picture:
        """Fuse new or updated sources at ``now`` and return the common picture."""
        self.state, picture = update(self.state, sources, now, self.config)
        return picture
