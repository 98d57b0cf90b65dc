"""Bad input: refused with a one-line reason and a code, never a crash; valid sources beside it fused."""

import numpy as np
import pytest

from tests.fusion.builders import T0, diag_cov, midcourse_state, random_cov, source
from trilink.fusion import FusionConfig, FusionEngine, ImpactPoint, SourceStatus, SourceTrack

P_SHARP = diag_cov(100.0, 5.0)


def _engine(**kw: object) -> FusionEngine:
    return FusionEngine(FusionConfig(nation="JPN", **kw))


def _bad_sources(x: np.ndarray) -> list[tuple[object, str]]:
    nan_state = x.copy()
    nan_state[2] = np.nan
    not_psd = P_SHARP.copy()
    not_psd[0, 0] = -1.0
    asym = P_SHARP.copy()
    asym[0, 1] = 5e3
    inf_cov = P_SHARP.copy()
    inf_cov[4, 4] = np.inf
    bad_impact = ImpactPoint(0.5, 2.4, np.array([[1.0, 2.0], [2.0, 1.0]]))
    return [
        (source("KOR", "a", nan_state, P_SHARP), "non-finite"),
        (source("KOR", "b", x, not_psd), "positive definite"),
        (source("KOR", "c", x, asym), "symmetric"),
        (source("KOR", "d", x, inf_cov), "non-finite"),
        (source("KOR", "e", x[:3], P_SHARP), "shape"),
        (source("KOR", "f", x, P_SHARP, time=T0 + 60), "future"),
        (source("KOR", "g", x, P_SHARP, time=float("nan")), "time"),
        (source("kor", "h", x, P_SHARP), "nation"),
        (source("KOR", "", x, P_SHARP), "track_id"),
        (source("KOR", "i", x * 0.0, P_SHARP), "Earth"),
        (source("KOR", "j", x, P_SHARP, impact=bad_impact), "impact covariance"),
        (SourceTrack("KOR", "k", T0, ["a"] * 6, P_SHARP), "numeric"),  # type: ignore[arg-type]
        (source("KOR", "m", x, np.zeros((6, 6))), "zero"),
        (source("KOR", "n", x, P_SHARP * 1e-12), "plausible range"),
        (source("KOR", "o", x, np.diag([1e17] + [1.0] * 5)), "plausible range"),
        (source("KOR", "p", np.concatenate([x[:3], [3e4, 0.0, 0.0]]), P_SHARP), "velocity"),
        (source("KOR", "q", x, P_SHARP, phase=["boost"]), "phase"),
        (source("KOR", "r", x, P_SHARP, first_time=float("inf")), "first_time"),
        ({"nation": "KOR"}, "not a SourceTrack"),
        (None, "not a SourceTrack"),
    ]


def test_bad_inputs_are_rejected_with_a_reason_and_valid_ones_still_fused() -> None:
    x = midcourse_state()
    bad = _bad_sources(x)
    eng = _engine()
    picture = eng.update([b for b, _ in bad] + [source("USA", "U1", x, P_SHARP)], T0)
    assert len(picture.rejected) == len(bad)
    for rejection, (_, expected) in zip(picture.rejected, bad, strict=True):
        assert expected in rejection.reason, rejection
        assert rejection.code != "invalid", rejection
    codes = {r.code for r in picture.rejected}
    assert {"bad_state", "bad_covariance", "future_time", "bad_time", "bad_nation", "not_source"} <= codes
    assert [t.sources for t in picture.tracks] == [(("USA", "U1"),)]


def test_an_older_copy_of_a_held_report_is_refused() -> None:
    x = midcourse_state()
    eng = _engine()
    eng.update([source("KOR", "K1", x, P_SHARP, time=T0)], T0)
    picture = eng.update([source("KOR", "K1", x, P_SHARP, time=T0 - 3)], T0 + 1)
    assert [r.reason.split(" (")[0] for r in picture.rejected] == ["older than the estimate held"]
    assert picture.rejected[0].code == "superseded"


def test_non_finite_time_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not finite"):
        _engine().update([], float("nan"))


def test_random_garbage_never_crashes(rng: np.random.Generator) -> None:
    x = midcourse_state()
    eng = _engine()
    for k in range(30):
        junk = []
        for j in range(5):
            state = x + rng.normal(size=6) * 10.0 ** rng.uniform(0, 9)
            cov = random_cov(rng) * rng.choice([1.0, -1.0, 0.0, np.inf, 1e-30, 1e-9, 1e9, 1e20])
            junk.append(SourceTrack("KOR", f"K{j}", T0 + k + rng.uniform(-3, 3), state, cov))
        eng.update(junk, T0 + k)  # must not raise


def test_fuzz_of_valid_but_extreme_sources_keeps_the_picture_finite(rng: np.random.Generator) -> None:
    from trilink.model import Phase

    eng = _engine(bias_position=0.0, bias_velocity=0.0)
    base = midcourse_state()
    statuses = list(SourceStatus)
    for k in range(40):
        batch = []
        for _ in range(6):
            x = base.copy()
            x[:3] *= rng.uniform(0.95, 1.5)
            x[3:] = rng.normal(size=3) * rng.uniform(0, 6000)
            scale = 10.0 ** rng.uniform(-2, 7)
            cov = random_cov(rng, scale, scale / 10.0 ** rng.uniform(-1, 3))
            impact = None
            if rng.uniform() < 0.5:
                impact = ImpactPoint(rng.uniform(-1.5, 1.5), rng.uniform(-3, 3),
                                     np.diag(10.0 ** rng.uniform(0, 12, 2)))
            batch.append(SourceTrack(str(rng.choice(["JPN", "KOR", "USA"])), f"T{rng.integers(0, 8)}",
                                     T0 + k + rng.uniform(-20, 4), x, cov,
                                     status=statuses[rng.integers(0, 3)],
                                     provenance=frozenset({("USA", f"T{rng.integers(0, 8)}")}), impact=impact,
                                     phase=list(Phase)[rng.integers(0, 4)]))
        picture = eng.update(batch, T0 + k)
        for track in picture.tracks:
            assert np.all(np.isfinite(track.state)) and np.all(np.isfinite(track.covariance))


def test_a_very_sharp_but_sane_covariance_is_fused_with_its_smallest_variance_raised() -> None:
    """A long X-band track can claim ~1 mm/s: fused (not refused) with eigenvalues ≥ MIN_VARIANCE."""
    from trilink.fusion.source import MIN_VARIANCE

    x = midcourse_state()
    sharp = np.diag([4.0, 4.0, 4.0, 4e-7, 1e-6, 1e-6])  # 2 m, and 0.6 mm/s along one axis
    picture = _engine().update([source("USA", "U1", x, sharp)], T0)
    assert not picture.rejected
    (track,) = picture.tracks
    assert np.linalg.eigvalsh(track.covariance).min() >= MIN_VARIANCE * 0.999
    assert np.allclose(track.covariance[:3, :3], sharp[:3, :3], rtol=1e-3)
