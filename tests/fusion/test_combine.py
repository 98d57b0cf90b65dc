"""Covariance intersection, Bar-Shalom–Campo, and the no-double-counting property (issue 7, check 2)."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from tests.fusion.builders import T0, diag_cov, midcourse_state, random_cov, source
from trilink.fusion import (
    Criterion,
    FusionConfig,
    SourceTrack,
    bar_shalom_campo,
    covariance_intersection,
    update,
)
from trilink.fusion.combine import ci_weights, fuse_clusters, lineage_groups
from trilink.fusion.engine import PictureState


def _min_eig(m: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(0.5 * (m + m.T)).min())


def _psd_at_least(bigger: np.ndarray, smaller: np.ndarray, rel: float = 1e-9) -> bool:
    """bigger − smaller ⪰ 0 up to rounding relative to the matrices' size."""
    return _min_eig(bigger - smaller) >= -rel * float(np.abs(bigger).max())


@pytest.mark.parametrize("criterion", list(Criterion))
def test_batched_omega_matches_scipy_minimize_scalar(rng: np.random.Generator, criterion: Criterion) -> None:
    for _ in range(60):
        pa = random_cov(rng, 300.0, 5.0) * 10.0 ** rng.uniform(-3, 3)
        pb = random_cov(rng, 150.0, 20.0) * 10.0 ** rng.uniform(-3, 3)
        ia, ib = np.linalg.inv(pa), np.linalg.inv(pb)

        def objective(w: float, ia: np.ndarray = ia, ib: np.ndarray = ib) -> float:
            p = np.linalg.inv(w * ia + (1.0 - w) * ib)
            return float(np.linalg.slogdet(p)[1] if criterion is Criterion.DET else np.trace(p))

        ref = minimize_scalar(objective, bounds=(0.0, 1.0), method="bounded", options={"xatol": 1e-12})
        best = min(ref.fun, objective(0.0), objective(1.0))
        omega = ci_weights(ia[None], ib[None], criterion)[0]
        assert objective(omega) <= best + 1e-9 * max(abs(best), 1.0)


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.7, 0.95, 1.0])
@pytest.mark.parametrize("criterion", list(Criterion))
def test_ci_is_consistent_for_any_known_correlation(rng: np.random.Generator, rho: float,
                                                     criterion: Criterion) -> None:
    """P_ci ⪰ the true error covariance of the CI estimate, whatever the cross-correlation."""
    for _ in range(20):
        pa, pb = random_cov(rng), random_cov(rng, 400.0, 4.0)
        la, lb = np.linalg.cholesky(pa), np.linalg.cholesky(pb)
        # Errors e_a = L_a u, e_b = L_b (ρ u + √(1−ρ²) v) with u, v independent standard normal.
        p_ab = rho * la @ lb.T
        x = np.zeros((1, 6))
        _, p_ci, omega = covariance_intersection(x, pa[None], x, pb[None], criterion)
        w = omega[0]
        k_a = p_ci[0] @ (w * np.linalg.inv(pa))
        k_b = p_ci[0] @ ((1.0 - w) * np.linalg.inv(pb))
        true = k_a @ pa @ k_a.T + k_a @ p_ab @ k_b.T + k_b @ p_ab.T @ k_a.T + k_b @ pb @ k_b.T
        assert np.allclose(k_a + k_b, np.eye(6), atol=1e-9)  # unbiased
        assert _psd_at_least(p_ci[0], true)


def test_ci_is_consistent_by_monte_carlo(rng: np.random.Generator) -> None:
    """Sampled errors of the CI estimate with 90 % correlated inputs stay inside P_ci (mean NEES ≤ 6)."""
    pa, pb = random_cov(rng), random_cov(rng, 250.0, 8.0)
    la, lb = np.linalg.cholesky(pa), np.linalg.cholesky(pb)
    u, v = rng.normal(size=(2, 4000, 6))
    e_a = u @ la.T
    e_b = (0.9 * u + np.sqrt(1 - 0.81) * v) @ lb.T
    x, p, _ = covariance_intersection(e_a, np.broadcast_to(pa, (4000, 6, 6)), e_b,
                                      np.broadcast_to(pb, (4000, 6, 6)))
    nees = np.einsum("ki,kij,kj->k", x, np.linalg.inv(p), x)
    assert nees.mean() <= 6.0 * 1.05
    naive_x, naive_p = bar_shalom_campo(e_a, pa, e_b, pb)  # wrongly assumes independence
    naive_nees = np.einsum("ki,ij,kj->k", naive_x, np.linalg.inv(naive_p), naive_x)
    assert naive_nees.mean() > 6.0 * 1.1  # the test can tell over-confidence apart


def test_ci_of_a_report_with_itself_is_the_report(rng: np.random.Generator) -> None:
    p = random_cov(rng)
    x = rng.normal(size=6) * 100.0
    for criterion in Criterion:
        fx, fp, _ = covariance_intersection(x[None], p[None], x[None], p[None], criterion)
        assert np.allclose(fp[0], p, rtol=1e-9, atol=1e-9 * np.abs(p).max())
        assert np.allclose(fx[0], x)


def test_bar_shalom_campo_with_known_correlation_is_exact(rng: np.random.Generator) -> None:
    pa, pb = random_cov(rng), random_cov(rng, 300.0, 6.0)
    p_ab = 0.5 * np.linalg.cholesky(pa) @ np.linalg.cholesky(pb).T
    _, p = bar_shalom_campo(np.zeros(6), pa, np.zeros(6), pb, p_ab)
    gain = (pa - p_ab) @ np.linalg.inv(pa + pb - p_ab - p_ab.T)
    k_a, k_b = np.eye(6) - gain, gain
    true = k_a @ pa @ k_a.T + k_a @ p_ab @ k_b.T + k_b @ p_ab.T @ k_a.T + k_b @ pb @ k_b.T
    assert np.allclose(p, true, atol=1e-6 * np.abs(true).max())
    _, p_ind = bar_shalom_campo(np.zeros(6), pa, np.zeros(6), pb)
    assert np.allclose(np.linalg.inv(p_ind), np.linalg.inv(pa) + np.linalg.inv(pb))


def test_lineage_groups_join_overlapping_provenance() -> None:
    j, k, u = frozenset({("JPN", "1")}), frozenset({("KOR", "7")}), frozenset({("USA", "3"), ("JPN", "1")})
    groups = sorted(sorted(g) for g in lineage_groups([j, k, u]))
    assert groups == [[0, 2], [1]]


def test_independent_mode_adds_information_only_across_disjoint_provenance(rng: np.random.Generator) -> None:
    pj, pk = random_cov(rng), random_cov(rng, 300.0, 6.0)
    pu = np.linalg.inv(np.linalg.inv(pj) + np.linalg.inv(pk))  # a partner's fusion of JPN and KOR
    states = np.zeros((3, 6))
    covs = np.stack([pj, pk, pu])
    lineages = [frozenset({("JPN", "1")}), frozenset({("KOR", "7")}),
                frozenset({("USA", "3"), ("JPN", "1"), ("KOR", "7")})]
    _, p = fuse_clusters(states, covs, lineages, [[0, 1, 2]], independent=True)
    # All three share information: one CI group; the answer cannot beat the honest J⊕K fusion.
    assert _psd_at_least(p[0], pu, rel=1e-7)
    _, p2 = fuse_clusters(states, covs, lineages[:2], [[0, 1]], independent=True)
    assert np.allclose(p2[0], pu, rtol=1e-7, atol=1e-7 * np.abs(pu).max())


# --- issue 7, acceptance check 2 -----------------------------------------------------------------

def _fuse_once(sources: list[SourceTrack], independent: bool) -> np.ndarray:
    config = FusionConfig(nation="JPN", independent=independent)
    _, picture = update(PictureState(nation="JPN"), sources, T0, config)
    assert len(picture.tracks) == 1, picture.tracks
    return picture.tracks[0].covariance


@pytest.mark.parametrize("independent", [False, True])
def test_check2_hub_relaying_jpn_report_back_is_not_double_counted(independent: bool) -> None:
    """JPN's own track and the hub's relay of JPN's report: the fused covariance is JPN's own, not half."""
    x = midcourse_state()
    p = diag_cov(150.0, 6.0)
    own = source("JPN", "J1", x, p)
    relayed_same = source("JPN", "J1", x, p)  # the signed report itself, relayed back by the hub
    relayed_by_usa = source("USA", "U5", x, p, provenance=frozenset({("JPN", "J1")}))  # re-originated
    for sources in ([own, relayed_same], [own, relayed_by_usa], [own, relayed_same, relayed_by_usa]):
        fused = _fuse_once(sources, independent)
        assert np.allclose(fused, p, rtol=1e-6, atol=1e-6 * p.max()), "known answer: P_JPN"
        assert _psd_at_least(fused, p, rel=1e-6)
    naive = np.linalg.inv(2.0 * np.linalg.inv(p))
    assert not _psd_at_least(naive, p)  # counting it twice would have halved it


@pytest.mark.parametrize("independent", [False, True])
def test_check2_partner_fusion_that_contains_jpn_is_not_counted_again(independent: bool,
                                                                      rng: np.random.Generator) -> None:
    """JPN, KOR independent; USA relays its fusion of both. Known answer: (P_J⁻¹ + P_K⁻¹)⁻¹, never smaller."""
    x = midcourse_state()
    pj, pk = random_cov(rng, 150.0, 6.0), random_cov(rng, 250.0, 9.0)
    honest = np.linalg.inv(np.linalg.inv(pj) + np.linalg.inv(pk))
    sources = [source("JPN", "J1", x, pj), source("KOR", "K7", x, pk),
               source("USA", "U5", x, honest, provenance=frozenset({("JPN", "J1"), ("KOR", "K7")}))]
    fused = _fuse_once(sources, independent)
    assert _psd_at_least(fused, honest, rel=1e-6)
    assert np.allclose(fused, honest, rtol=1e-5, atol=1e-5 * honest.max())
    # Without provenance, treating the three as independent would have counted J and K twice:
    over = np.linalg.inv(2.0 * np.linalg.inv(pj) + 2.0 * np.linalg.inv(pk))
    assert not _psd_at_least(over, honest)


@pytest.mark.parametrize("independent", [False, True])
def test_no_double_counting_for_any_mix_of_relays(independent: bool, rng: np.random.Generator) -> None:
    """Whatever relayed combinations arrive, the fused covariance is never below the honest answer.

    Base tracks J (JPN), K (KOR) are independent. Partners relay fusions of subsets of them, each with
    its provenance. The most that can be known is the information of the base tracks in the union of
    the lineages: P_honest = (Σ P_b⁻¹)⁻¹. Counting anything twice would beat it.
    """
    x = midcourse_state()
    relays = {"USA": ("J", "K"), "AUS": ("J",), "GBR": ("K",), "CAN": ("J", "K")}
    keys = {"J": ("JPN", "J1"), "K": ("KOR", "K1")}
    for _ in range(12):
        base = {"J": random_cov(rng, 150.0, 6.0), "K": random_cov(rng, 250.0, 9.0)}
        use_base = [b for b in base if rng.uniform() < 0.6]
        use_relays = [n for n in relays if rng.uniform() < 0.6]
        if not use_base and not use_relays:
            continue
        sources = [source(*keys[b], x, base[b]) for b in use_base]
        for nation in use_relays:
            members = relays[nation]
            p = np.linalg.inv(sum(np.linalg.inv(base[m]) for m in members))
            sources.append(source(nation, "R1", x, p, provenance=frozenset(keys[m] for m in members)))
        known = set(use_base) | {m for n in use_relays for m in relays[n]}
        honest = np.linalg.inv(sum(np.linalg.inv(base[m]) for m in known))
        fused = _fuse_once(sources, independent)
        assert _psd_at_least(fused, honest, rel=1e-6), (use_base, use_relays)
