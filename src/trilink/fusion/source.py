"""What the fusion takes in: one nation's estimate of one object, with its provenance.

The node turns its own tracker's tracks (`trilink.model.Track`) and the partners'
verified reports into `SourceTrack`s. ``provenance`` names every (nation, track id)
whose information is inside the estimate: a nation's own track has just itself; a
partner's report that already fused someone else's track lists both. Fusion uses it
so the same information is never counted twice (see `trilink.fusion.combine`).

`validate_source` is the single gate for bad input: it returns a one-line reason
instead of raising, so a partner's garbage becomes a counted rejection, not a crash.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from trilink.model import MissileClass, Phase, is_nation_code

MAX_SPEED = 12_000.0
"""m/s: faster than any ballistic missile (an ICBM burns out near 7 km/s)."""
MIN_VARIANCE = 1e-6
"""Smallest covariance eigenvalue fusion works with (m² or m²/s²): a millimetre (per second) is
beyond any sensor, so a source claiming less is raised to it (``clean_source``) — conservative,
since adding uncertainty never makes a fused estimate overconfident. A long X-band track on a
ballistic model does reach ~1 mm/s in its best-observed velocity direction (the TPY-2s after a
few minutes), and rejecting it threw away the best sources."""
ABSURD_VARIANCE = 1e-9
"""Below this (30 µm, 30 µm/s) a covariance is not a sensor's estimate but a broken sender: rejected."""
MAX_VARIANCE = 1e16
"""Largest: (10,000 km)² — beyond that the estimate says nothing."""
MAX_CONDITION = 1e14
"""Largest eigenvalue ratio the fusion's linear algebra handles in double precision."""

SourceKey = tuple[str, str]
"""(originator nation, originator track id): identifies one source track."""


class SourceStatus(StrEnum):
    """Life-cycle of a source as its originator reports it."""

    ACTIVE = "active"
    LOST = "lost"
    """The originator no longer updates it (coasting); its last estimate still counts, aged."""
    DROPPED = "dropped"
    """The originator deleted it: the fusion forgets it at once."""


@dataclass(frozen=True, slots=True)
class ImpactPoint:
    """An originator's predicted impact point: geodetic (rad) with its east-north covariance (m²)."""

    lat: float
    lon: float
    covariance_en: np.ndarray
    """(2, 2) east-north covariance at the point, m²."""
    time: float | None = None
    """Predicted impact time, UTC epoch seconds, when known."""


@dataclass(frozen=True, slots=True)
class SourceTrack:
    """One nation's estimate of one object at ``time``: ECEF state (6,) and covariance (6, 6)."""

    nation: str
    track_id: str
    time: float
    state: np.ndarray
    covariance: np.ndarray
    status: SourceStatus = SourceStatus.ACTIVE
    provenance: frozenset[SourceKey] = field(default_factory=frozenset)
    """Every (nation, track id) whose information is inside this estimate; always includes ``key``."""
    impact: ImpactPoint | None = None
    phase: Phase = Phase.UNKNOWN
    missile_class: MissileClass = MissileClass.UNKNOWN
    first_time: float | None = None
    """Time of the originator's first measurement in the track, when known."""

    @property
    def key(self) -> SourceKey:
        """(nation, track_id)."""
        return (self.nation, self.track_id)

    @property
    def lineage(self) -> frozenset[SourceKey]:
        """Provenance including the source itself (what fusing it brings in)."""
        return self.provenance | {self.key}


@functools.lru_cache(maxsize=1024)
def _nation_code(code: str) -> bool:
    """``is_nation_code``, remembered (the same few nations arrive with every source)."""
    return is_nation_code(code)


def show(value: object, limit: int = 40) -> str:
    """A short one-line repr of an untrusted value, for a rejection reason."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _finite_matrix(value: object, shape: tuple[int, ...], name: str) -> tuple[np.ndarray | None, str | None]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"{name} is not numeric"
    if arr.shape != shape:
        return None, f"{name} has shape {arr.shape}, expected {shape}"
    if not np.isfinite(arr).all():
        return None, f"{name} has non-finite values"
    return arr, None


def _covariance_problem(cov: np.ndarray, name: str) -> str | None:
    return _covariance_problems(cov[None], name)[0]


def _covariance_problems(covs: np.ndarray, name: str) -> list[str | None]:
    """The covariance test of a stack (K, n, n) of finite matrices, one reason or None each.

    Runs for every incoming source (hundreds per fusion at 100 missiles), so in one batch:
    np.allclose's test written out (its generality costs ~10x), and positive definiteness read
    off the eigenvalues needed anyway (a Cholesky factorisation succeeds exactly when the
    smallest is > 0); one batched eigvalsh costs about what one call does for a single matrix.
    """
    absolute = np.abs(covs)
    scales = absolute.max(axis=(1, 2)) if len(covs) else np.zeros(0)
    transposed = covs.transpose(0, 2, 1)
    symmetric = (np.abs(covs - transposed)
                 <= 1e-9 * scales[:, None, None] + 1e-6 * absolute.transpose(0, 2, 1)).all(axis=(1, 2))
    eigs = np.linalg.eigvalsh(0.5 * (covs + transposed))
    out: list[str | None] = []
    for scale, sym, eig in zip(scales.tolist(), symmetric.tolist(), eigs, strict=True):
        if scale == 0.0:
            out.append(f"{name} is zero")
        elif not sym:
            out.append(f"{name} is not symmetric")
        elif not eig[0] > 0.0:
            out.append(f"{name} is not positive definite")
        elif (eig[0] < ABSURD_VARIANCE or eig[-1] > MAX_VARIANCE
              or eig[-1] > MAX_CONDITION * max(eig[0], MIN_VARIANCE)):
            out.append(f"{name} is outside the plausible range (eigenvalues {eig[0]:.3g} … {eig[-1]:.3g})")
        else:
            out.append(None)
    return out


_FLOAT64 = np.dtype(np.float64)
"""Native float64 (an array of another dtype or byte order is checked one by one)."""
_UNKNOWN = object()
"""Marks a covariance verdict not computed in advance."""


def validate_sources(sources: Sequence[object], now: float, *, max_future: float = 5.0,
                     max_age: float = 600.0) -> list[str | None]:
    """``validate_source`` of each source (the same reasons), the covariance tests of all in one batch."""
    shaped = [i for i, s in enumerate(sources) if isinstance(s, SourceTrack)
              and isinstance(s.covariance, np.ndarray) and s.covariance.dtype is _FLOAT64
              and s.covariance.shape == (6, 6)]
    covs = np.stack([sources[i].covariance for i in shaped]) if shaped else np.zeros((0, 6, 6))
    finite = np.isfinite(covs).all(axis=(1, 2))
    known = [i for i, ok in zip(shaped, finite.tolist(), strict=True) if ok]   # the rest: one by one
    verdicts = dict(zip(known, _covariance_problems(covs[finite], "covariance"), strict=True))
    plausible = _plausible_states(sources, known)
    return [_validate(s, now, max_future, max_age, verdicts.get(i, _UNKNOWN), i in plausible)
            for i, s in enumerate(sources)]


def _plausible_states(sources: Sequence[object], indices: Sequence[int]) -> set[int]:
    """Those of ``indices`` whose state is a float (6,) array surely passing the state tests, in one batch.

    A margin of 1e-9 keeps every verdict the per-source test's: a state near a limit is tested
    one by one.
    """
    shaped = [i for i in indices if isinstance(st := sources[i].state, np.ndarray)  # type: ignore[attr-defined]
              and st.dtype is _FLOAT64 and st.shape == (6,)]
    if not shaped:
        return set()
    states = np.stack([sources[i].state for i in shaped])  # type: ignore[attr-defined]
    radius = np.sqrt(np.einsum("ij,ij->i", states[:, :3], states[:, :3]))
    speed = np.sqrt(np.einsum("ij,ij->i", states[:, 3:], states[:, 3:]))
    ok = (np.isfinite(states).all(axis=1) & (radius > 6.0e6 * (1 + 1e-9)) & (radius < 5.0e7 * (1 - 1e-9))
          & (speed < MAX_SPEED * (1 - 1e-9)))
    return {i for i, good in zip(shaped, ok.tolist(), strict=True) if good}


def validate_source(source: object, now: float, *, max_future: float = 5.0,
                    max_age: float = 600.0) -> str | None:
    """None when ``source`` is usable at ``now``, else a one-line reason (never raises)."""
    return _validate(source, now, max_future, max_age, _UNKNOWN, False)


def _validate(source: object, now: float, max_future: float, max_age: float,
              covariance: object, plausible_state: bool) -> str | None:
    """``validate_source``; ``covariance`` is the covariance verdict when computed in advance,
    ``plausible_state`` whether the state is known to pass its tests."""
    if not isinstance(source, SourceTrack):
        return f"not a SourceTrack: {type(source).__name__}"
    if not isinstance(source.nation, str) or not _nation_code(source.nation):
        return f"nation {show(source.nation)} is not an ISO 3166-1 alpha-3 code"
    if not isinstance(source.track_id, str) or not source.track_id:
        return "track_id is empty"
    try:
        t = float(source.time)
    except (TypeError, ValueError):
        return "time is not a number"
    if not math.isfinite(t):
        return "time is not finite"
    if t > now + max_future:
        return f"time is {t - now:.1f} s in the future"
    if now - t > max_age:
        return f"time is {now - t:.0f} s old (limit {max_age:.0f} s)"
    if not plausible_state:
        problem = _state_problem(source.state)
        if problem:
            return problem
    if covariance is _UNKNOWN:
        cov, problem = _finite_matrix(source.covariance, (6, 6), "covariance")
        if problem:
            return problem
        covariance = _covariance_problem(cov, "covariance")
    if covariance:
        return str(covariance)
    if not isinstance(source.status, SourceStatus):
        return f"status {show(source.status)} is not a SourceStatus"
    if not isinstance(source.phase, Phase) or not isinstance(source.missile_class, MissileClass):
        return f"phase/class {show(source.phase)}/{show(source.missile_class)} are not a Phase/MissileClass"
    if source.first_time is not None and not (isinstance(source.first_time, float | int)
                                              and math.isfinite(source.first_time)):
        return "first_time is not a finite number"
    if not _provenance_ok(source.provenance):
        return "provenance is not a frozenset of (nation, track_id) pairs"
    if source.impact is not None:
        return _impact_problem(source.impact)
    return None


def _provenance_ok(provenance: object) -> bool:
    """Whether ``provenance`` is a frozenset of (str, str) pairs."""
    if not isinstance(provenance, frozenset):
        return False
    for k in provenance:
        if not (isinstance(k, tuple) and len(k) == 2 and isinstance(k[0], str) and isinstance(k[1], str)):
            return False
    return True


def _state_problem(value: object) -> str | None:
    state, problem = _finite_matrix(value, (6,), "state")
    if problem:
        return problem
    assert state is not None
    radius, speed = math.hypot(*state[:3]), math.hypot(*state[3:])
    if radius < 6.0e6 or radius > 5.0e7:
        return "state position is not near the Earth (|r| outside 6,000–50,000 km)"
    if speed > MAX_SPEED:
        return f"state velocity {speed:.0f} m/s is beyond any ballistic missile"
    return None


def _impact_problem(impact: object) -> str | None:
    if not isinstance(impact, ImpactPoint):
        return "impact is not an ImpactPoint"
    try:
        lat, lon = float(impact.lat), float(impact.lon)
    except (TypeError, ValueError):
        return "impact lat/lon are not numbers"
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > math.pi / 2 or abs(lon) > 2 * math.pi:
        return "impact lat/lon are not finite radians in range"
    cov, problem = _finite_matrix(impact.covariance_en, (2, 2), "impact covariance")
    if problem:
        return problem
    if impact.time is not None and not math.isfinite(float(impact.time)):
        return "impact time is not finite"
    return _covariance_problem(cov, "impact covariance")


_CODES = (("not a SourceTrack", "not_source"), ("nation", "bad_nation"), ("track_id", "bad_track_id"),
          ("phase", "bad_phase"), ("first_time", "bad_time"),
          ("time is not", "bad_time"), ("time is", "stale_time"), ("state", "bad_state"),
          ("covariance", "bad_covariance"), ("status", "bad_status"), ("provenance", "bad_provenance"),
          ("impact", "bad_impact"), ("older than", "superseded"))


def reason_code(reason: str) -> str:
    """A short stable code for a rejection reason (for counters: the reasons themselves carry numbers)."""
    if reason.startswith("time is") and reason.endswith("future"):
        return "future_time"
    return next((code for prefix, code in _CODES if reason.startswith(prefix)), "invalid")


def clean_sources(sources: Sequence[SourceTrack]) -> list[SourceTrack]:
    """``clean_source`` of each validated source (the same results), the covariance work in one batch.

    Runs on every incoming source (a hundred per fusion at 100 missiles): one batched Cholesky
    factorisation tests them all, and only when some fails are they tested one by one.
    """
    if not sources:
        return []
    covs = np.array([np.asarray(s.covariance, dtype=float) for s in sources])
    eye = np.eye(covs.shape[-1])
    covs = 0.5 * (covs + covs.transpose(0, 2, 1))
    try:  # succeeds exactly when every eigenvalue of every matrix exceeds MIN_VARIANCE
        np.linalg.cholesky(covs - MIN_VARIANCE * eye)
        raise_floor = [False] * len(sources)
    except np.linalg.LinAlgError:
        raise_floor = [not _above_floor(c) for c in covs]
    states = np.array([np.asarray(s.state, dtype=float) for s in sources])
    out = []
    for i, source in enumerate(sources):
        cov = covs[i] + MIN_VARIANCE * eye if raise_floor[i] else covs[i]
        out.append(SourceTrack(
            nation=source.nation, track_id=source.track_id, time=float(source.time), state=states[i],
            covariance=cov, status=source.status, provenance=source.lineage,
            impact=_clean_impact(source.impact), phase=source.phase, missile_class=source.missile_class,
            first_time=source.first_time))
    return out


def _above_floor(cov: np.ndarray) -> bool:
    """Whether every eigenvalue of the symmetric ``cov`` exceeds ``MIN_VARIANCE`` (a Cholesky test)."""
    try:
        np.linalg.cholesky(cov - MIN_VARIANCE * np.eye(len(cov)))
    except np.linalg.LinAlgError:
        return False
    return True


def _clean_impact(impact: ImpactPoint | None) -> ImpactPoint | None:
    if impact is None:
        return None
    c2 = np.asarray(impact.covariance_en, dtype=float)
    return ImpactPoint(float(impact.lat), float(impact.lon), 0.5 * (c2 + c2.T),
                       None if impact.time is None else float(impact.time))


def clean_source(source: SourceTrack) -> SourceTrack:
    """A validated source with float arrays, a symmetric covariance (eigenvalues at least
    ``MIN_VARIANCE``) and ``key`` in its provenance."""
    return clean_sources([source])[0]
