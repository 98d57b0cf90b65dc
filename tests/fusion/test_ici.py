"""Inverse covariance intersection: the formula, its consistency domain, and what it buys for impacts."""

import numpy as np
import pytest

from tests.fusion.builders import T0, diag_cov, midcourse_state, random_cov, source
from trilink.fusion import Criterion, FusionConfig, ImpactPoint, PictureState, Rule, update
from trilink.fusion.ici import inverse_covariance_intersection


def _true_cov(p: np.ndarray, pa: np.ndarray, pb: np.ndarray, pab: np.ndarray, w: float) -> np.ndarray:
    g = w * pa + (1 - w) * pb
    k_a = p @ (np.linalg.inv(pa) - w * np.linalg.inv(g))
    k_b = p @ (np.linalg.inv(pb) - (1 - w) * np.linalg.inv(g))
    assert np.allclose(k_a + k_b, np.eye(len(p)), atol=1e-8)
    return k_a @ pa @ k_a.T + k_a @ pab @ k_b.T + k_b @ pab.T @ k_a.T + k_b @ pb @ k_b.T


def test_matches_the_published_formula(rng: np.random.Generator) -> None:
    for _ in range(10):
        pa, pb = random_cov(rng), random_cov(rng, 500.0, 3.0)
        xa, xb = rng.normal(size=6) * 100, rng.normal(size=6) * 100
        x, p, omega = inverse_covariance_intersection(xa[None], pa[None], xb[None], pb[None])
        w = omega[0]
        g_inv = np.linalg.inv(w * pa + (1 - w) * pb)
        ref_p = np.linalg.inv(np.linalg.inv(pa) + np.linalg.inv(pb) - g_inv)
        ref_x = ref_p @ ((np.linalg.inv(pa) - w * g_inv) @ xa + (np.linalg.inv(pb) - (1 - w) * g_inv) @ xb)
        assert np.allclose(p[0], ref_p, rtol=1e-6) and np.allclose(x[0], ref_x, rtol=1e-6, atol=1e-6)


def test_a_copy_fused_with_itself_is_itself(rng: np.random.Generator) -> None:
    p = random_cov(rng)
    x = rng.normal(size=6)
    fx, fp, _ = inverse_covariance_intersection(x[None], p[None], x[None], p[None])
    assert np.allclose(fp[0], p, rtol=1e-7) and np.allclose(fx[0], x)


@pytest.mark.parametrize("criterion", list(Criterion))
def test_consistent_when_the_correlation_is_common_information(rng: np.random.Generator,
                                                               criterion: Criterion) -> None:
    """I_a = I_c + I_A, I_b = I_c + I_B with an unknown common part I_c: P_ici ⪰ the true error covariance."""
    for _ in range(50):
        i_c = np.linalg.inv(random_cov(rng)) * rng.uniform(0.0, 3.0)
        i_a, i_b = np.linalg.inv(random_cov(rng)), np.linalg.inv(random_cov(rng, 400.0, 4.0))
        pa, pb = np.linalg.inv(i_c + i_a), np.linalg.inv(i_c + i_b)
        pab = pa @ i_c @ pb
        _, p, omega = inverse_covariance_intersection(np.zeros((1, 6)), pa[None], np.zeros((1, 6)), pb[None],
                                                      criterion)
        gap = p[0] - _true_cov(p[0], pa, pb, pab, float(omega[0]))
        assert np.linalg.eigvalsh(0.5 * (gap + gap.T)).min() >= -1e-9 * np.abs(p[0]).max()


def test_not_consistent_for_an_arbitrary_correlation_which_is_why_ci_is_the_default() -> None:
    pa = np.diag([16.0, 16.0])
    pb = np.array([[16.0, 14.4], [14.4, 16.0]])
    pab = 0.99 * np.linalg.cholesky(pa) @ np.linalg.cholesky(pb).T  # correlated, not common information
    _, p, omega = inverse_covariance_intersection(np.zeros((1, 2)), pa[None], np.zeros((1, 2)), pb[None])
    gap = p[0] - _true_cov(p[0], pa, pb, pab, float(omega[0]))
    assert np.linalg.eigvalsh(gap).min() < 0.0


def _impact(rng: np.random.Generator, cov: np.ndarray) -> ImpactPoint:
    east, north = np.linalg.cholesky(cov) @ rng.normal(size=2)
    lat0, lon0 = np.radians(41.0), np.radians(157.0)
    return ImpactPoint(lat0 + north / 6_371_008.8, lon0 + east / (6_371_008.8 * np.cos(lat0)), cov, T0 + 600)


def test_impact_fusion_averages_along_track(rng: np.random.Generator) -> None:
    """Long along track, narrow across, 6° apart. CI on det keeps roughly the narrower ellipse (no gain
    along track, where the error is); the default, CI on trace, and ICI both average along track."""
    def ellipse(a: float, b: float, angle: float) -> np.ndarray:
        r = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        return r @ np.diag([a * a, b * b]) @ r.T

    c_jpn, c_kor = ellipse(3000.0, 100.0, 0.0), ellipse(3000.0, 300.0, 0.1)
    x = midcourse_state()
    choices = {"ci-det": (Rule.CI, Criterion.DET), "default": (Rule.CI, Criterion.TRACE),
               "ici-det": (Rule.ICI, Criterion.DET)}
    errors: dict[str, list[float]] = {name: [] for name in choices}
    for _ in range(150):
        impacts = _impact(rng, c_jpn), _impact(rng, c_kor)
        for name, (rule, criterion) in choices.items():
            srcs = [source("JPN", "J1", x, diag_cov(100.0, 5.0), impact=impacts[0]),
                    source("KOR", "K1", x, diag_cov(100.0, 5.0), impact=impacts[1])]
            config = FusionConfig(nation="JPN", impact_rule=rule, impact_criterion=criterion)
            _, picture = update(PictureState(nation="JPN"), srcs, T0, config)
            fused = picture.tracks[0].impact
            north = (fused.lat - np.radians(41.0)) * 6_371_008.8
            east = (fused.lon - np.radians(157.0)) * 6_371_008.8 * np.cos(np.radians(41.0))
            errors[name].append(float(np.hypot(east, north)))
    rms = {name: float(np.sqrt(np.mean(np.square(e)))) for name, e in errors.items()}
    assert rms["default"] < 0.85 * rms["ci-det"], rms
    assert rms["ici-det"] < 0.85 * rms["ci-det"], rms
    assert FusionConfig(nation="JPN").impact_criterion is Criterion.TRACE


@pytest.mark.parametrize("rule", list(Rule))
def test_check2_holds_for_either_rule(rule: Rule) -> None:
    x, p = midcourse_state(), diag_cov(150.0, 6.0)
    srcs = [source("JPN", "J1", x, p), source("USA", "U5", x, p, provenance=frozenset({("JPN", "J1")}))]
    _, picture = update(PictureState(nation="JPN"), srcs, T0, FusionConfig(nation="JPN", rule=rule))
    assert np.allclose(picture.tracks[0].covariance, p, rtol=1e-6, atol=1e-6 * p.max())
