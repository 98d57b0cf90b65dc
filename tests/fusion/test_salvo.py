"""A salvo seen by three nations with registration biases: pure, complete, stable fused tracks."""

import numpy as np

from tests.conftest import trilink_full
from tests.fusion.builders import T0, diag_cov, midcourse_state, source
from trilink.fusion import FusedStatus, FusionConfig, FusionEngine
from trilink.fusion.predict import physics_propagator
from trilink.geo.frames import enu_rotation


def test_salvo_association_is_pure_complete_and_stable(rng: np.random.Generator) -> None:
    steps = 90 if trilink_full() else 30
    east, north, _ = enu_rotation(np.radians(40.0), np.radians(134.0))
    base = midcourse_state()
    # Four missiles 2.5 km apart across track, with slightly different speeds.
    x0 = np.stack([base + np.concatenate([2500.0 * i * north, 15.0 * i * east]) for i in range(4)])
    nations = {"JPN": (diag_cov(120.0, 4.0), 0.0), "KOR": (diag_cov(200.0, 6.0), 1.2),
               "USA": (diag_cov(300.0, 8.0), 0.7)}  # covariance, reporting latency (s)
    biases = {n: np.concatenate([rng.normal(size=3) * 300.0, rng.normal(size=3) * 3.0]) for n in nations}
    eng = FusionEngine(FusionConfig(nation="JPN"))
    owner_of: dict[int, str] = {}
    for k in range(steps):
        now = T0 + k
        batch = []
        for nation, (cov, latency) in nations.items():
            if nation == "USA" and k % 2:
                continue  # the USA reports every other second
            t = now - latency
            truth = physics_propagator(x0, np.full(4, T0), t)
            for i in range(4):
                x = truth[i] + biases[nation] + np.linalg.cholesky(cov) @ rng.normal(size=6)
                batch.append(source(nation, f"{nation[0]}{i}", x, cov, time=t))
        picture = eng.update(batch, now)
        active = [t for t in picture.tracks if t.status is FusedStatus.ACTIVE]
        for track in active:
            missiles = {int(tid[1:]) for _, tid in track.sources}
            assert len(missiles) == 1, (k, track.fused_id, track.sources)  # pure
        if k >= 2:
            assert len(active) == 4, (k, [t.sources for t in active])  # complete: one per missile
            for track in active:
                i = int(track.sources[0][1][1:])
                assert {n for n, _ in track.sources} == {"JPN", "KOR", "USA"}
                assert owner_of.setdefault(i, track.fused_id) == track.fused_id  # stable ids
