"""The sources' own impact predictions inside one fused track: fused by CI, and checked for disagreement.

Each originator predicts the impact point of its track with an east-north
covariance. Inside a fused track, those predictions are fused by covariance
intersection in a local east-north plane (small separations: a spherical tangent
plane is exact to metres), and every pair from different nations is tested:
d² = Δᵀ(C_a + C_b)⁻¹Δ beyond the χ²(2) gate means the nations disagree on where the
missile will land, and the picture records it rather than averaging it away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import chi2

from trilink.fusion.associate import impact_disagreement
from trilink.fusion.combine import ci_chains
from trilink.fusion.criteria import Criterion, Rule
from trilink.fusion.picture import Disagreement
from trilink.fusion.source import ImpactPoint, SourceTrack
from trilink.geo.wgs84 import MEAN_RADIUS

DISAGREEMENT_GATE = float(chi2.ppf(0.99, 2))
"""9.21: two impact predictions further apart than this (d², 2 dof) disagree."""


def _to_plane(points: Sequence[ImpactPoint], lat0: float, lon0: float) -> np.ndarray:
    lat = np.array([p.lat for p in points])
    dlon = (np.array([p.lon for p in points]) - lon0 + np.pi) % (2.0 * np.pi) - np.pi
    return np.stack([dlon * np.cos(lat0) * MEAN_RADIUS, (lat - lat0) * MEAN_RADIUS], axis=-1)


def fuse_impacts(groups: Sequence[Sequence[ImpactPoint]],
                 criterion: Criterion = Criterion.DET, rule: Rule = Rule.CI) -> list[ImpactPoint | None]:
    """One CI-fused impact point per group of impact predictions (None for an empty group)."""
    points: list[ImpactPoint] = []
    chains: list[list[int]] = []
    origins: list[tuple[float, float]] = []
    for group in groups:
        if group:
            chains.append(list(range(len(points), len(points) + len(group))))
            origins.append((group[0].lat, group[0].lon))
            points.extend(group)
    if not chains:
        return [None] * len(groups)
    plane = np.concatenate([_to_plane(points[c[0]:c[-1] + 1], *o)
                            for c, o in zip(chains, origins, strict=True)])
    covs = np.stack([np.asarray(p.covariance_en, dtype=float) for p in points])
    order = np.linalg.slogdet(covs)[1]
    chains_sorted = [sorted(c, key=lambda i: order[i]) for c in chains]
    xy, cov = ci_chains(plane, covs, chains_sorted, criterion, rule)
    out: list[ImpactPoint | None] = []
    k = 0
    for group in groups:
        if not group:
            out.append(None)
            continue
        lat0, lon0 = origins[k]
        lat = lat0 + xy[k, 1] / MEAN_RADIUS
        lon = lon0 + xy[k, 0] / (MEAN_RADIUS * np.cos(lat0))
        times = [p.time for p in group if p.time is not None]
        out.append(ImpactPoint(float(lat), float((lon + np.pi) % (2.0 * np.pi) - np.pi), cov[k],
                               float(np.mean(times)) if times else None))
        k += 1
    return out


def disagreements(fused_id: str, members: Sequence[SourceTrack], gate: float = DISAGREEMENT_GATE,
                  bias: float = 0.0) -> tuple[Disagreement, ...]:
    """Pairs of members from different nations whose impact predictions are inconsistent.

    ``bias`` (m, 1σ per axis per nation) widens the test by the registration bias each nation's
    prediction carries but does not report, so late, sharp predictions are not called
    inconsistent for a few hundred metres of sensor misalignment.
    """
    with_impact = [m for m in members if m.impact is not None]
    if len(with_impact) < 2:
        return ()
    allowance = 2.0 * bias**2 * np.eye(2)
    found = []
    for i, a in enumerate(with_impact):
        for b in with_impact[i + 1:]:
            if a.nation == b.nation:
                continue
            ia, ib = a.impact, b.impact
            assert ia is not None and ib is not None
            d2, dist = impact_disagreement(ia.lat, ia.lon, ia.covariance_en + allowance, ib.lat, ib.lon,
                                           ib.covariance_en)
            if d2 > gate:
                found.append(Disagreement(fused_id, a.key, b.key, d2, dist, gate))
    return tuple(found)
