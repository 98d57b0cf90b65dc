"""The fused picture is better than a nation alone and stays consistent (what issue 7's check 1 relies on)."""

import numpy as np

from tests.conftest import trilink_full
from tests.fusion.builders import T0, midcourse_state, random_cov, source
from trilink.fusion import FusionConfig, PictureState, update
from trilink.fusion.predict import physics_propagator


def test_fusion_beats_own_track_and_is_not_over_confident(rng: np.random.Generator) -> None:
    """JPN's early, vague track plus KOR's and USA's sharper, older reports, over many draws."""
    runs = 400 if trilink_full() else 100
    x0 = midcourse_state()
    truth_at = {dt: physics_propagator(x0[None], np.array([T0]), T0 + dt)[0] for dt in (0.0, -1.5, -0.8)}
    p_jpn = random_cov(rng, 2000.0, 60.0)
    p_kor = random_cov(rng, 250.0, 12.0)
    p_usa = random_cov(rng, 400.0, 8.0)
    config = FusionConfig(nation="JPN")
    nees, err_fused, err_own, split = [], [], [], 0
    for _ in range(runs):
        srcs = []
        for nation, p, dt in (("JPN", p_jpn, 0.0), ("KOR", p_kor, -1.5), ("USA", p_usa, -0.8)):
            x = truth_at[dt] + np.linalg.cholesky(p) @ rng.normal(size=6)
            srcs.append(source(nation, "T1", x, p, time=T0 + dt))
        _, picture = update(PictureState(nation="JPN"), srcs, T0, config)
        fused = picture.containing("JPN", "T1")
        split += len(picture.tracks) > 1  # a 99 % gate misses ~1 % of true pairs, by design
        e = fused.state - truth_at[0.0]
        nees.append(float(e @ np.linalg.solve(fused.covariance, e)))
        err_fused.append(float(np.linalg.norm(e[:3])))
        err_own.append(float(np.linalg.norm(srcs[0].state[:3] - truth_at[0.0][:3])))
    assert split <= 0.05 * runs
    # Not over-confident: mean NEES under the upper 95 % band for N runs of a 6-state (CI is conservative).
    assert np.mean(nees) <= 6.70 if runs == 100 else np.mean(nees) <= 6.5
    # And much better than JPN alone.
    assert np.sqrt(np.mean(np.square(err_fused))) < 0.3 * np.sqrt(np.mean(np.square(err_own)))
