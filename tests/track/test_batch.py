"""The batched hot path's building blocks against their textbook forms: pre-gate, assignment,
small SPD inverses, the expanded Joseph update, and vectorised plot checks."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from trilink.model.measurement import Measurement, SensorKind
from trilink.track import Tracker, TrackerConfig, associate
from trilink.track import filter as kf
from trilink.track.measure import malformed, measurement_problem, read_plots


def _brute_pairs(track_pos: np.ndarray, radius: np.ndarray, plot_pos: np.ndarray) -> set[tuple[int, int]]:
    d = np.linalg.norm(track_pos[:, None, :] - plot_pos[None, :, :], axis=-1)
    return {(int(i), int(j)) for i, j in zip(*np.nonzero(d < radius[:, None]), strict=True)}


@pytest.mark.parametrize("n", [5, 300, 1500])
def test_candidate_pairs_match_brute_force_dense_tree_and_wide_tracks(n: int) -> None:
    rng = np.random.default_rng(n)
    centre = np.array([-3.5e6, 3.0e6, 4.2e6])
    track_pos = centre + rng.uniform(-1.5e6, 1.5e6, (n, 3))
    plot_pos = track_pos + rng.normal(0.0, 3_000.0, (n, 3))
    plot_pos[: n // 10] = track_pos[: n // 10][::-1]  # some plots next to another track
    radius = rng.uniform(5_000.0, 20_000.0, n)
    radius[:: max(n // 7, 1)] = 400_000.0  # a few very wide tracks (long coasts)
    clump = rng.choice(n, size=min(n, 30), replace=False)
    track_pos[clump] = centre + rng.normal(0.0, 2_000.0, (len(clump), 3))  # a crowded cluster
    rows, cols = associate.candidate_pairs(track_pos, radius, plot_pos)
    got = set(zip(rows.tolist(), cols.tolist(), strict=True))
    assert len(got) == len(rows)
    assert got == _brute_pairs(track_pos, radius, plot_pos)


def test_sparse_assignment_equals_dense_hungarian_on_clusters() -> None:
    rng = np.random.default_rng(3)
    rows, cols, costs = [], [], []
    for cluster in range(40):  # independent 3×3 clusters plus one larger one
        size = 12 if cluster == 0 else 3
        base_r, base_c = cluster * 20, cluster * 20
        for i in range(size):
            for j in range(size):
                if rng.uniform() < 0.7:
                    rows.append(base_r + i)
                    cols.append(base_c + j)
                    costs.append(rng.uniform(0.0, 20.0))
    rows, cols, costs = np.array(rows), np.array(cols), np.array(costs)
    ar, ac = associate.assign(rows, cols, costs)
    dense = np.full((rows.max() + 1, cols.max() + 1), 1e9)
    dense[rows, cols] = costs
    dr, dc = linear_sum_assignment(dense)
    ok = dense[dr, dc] < 1e9
    assert np.isclose(dense[ar, ac].sum(), dense[dr[ok], dc[ok]].sum())
    assert len(ar) == ok.sum() and len(set(ar.tolist())) == len(ar) and len(set(ac.tolist())) == len(ac)


@pytest.mark.parametrize("d", [1, 2, 3, 4, 6])
def test_spd_inverse_and_log_determinant(d: int) -> None:
    rng = np.random.default_rng(d)
    a = rng.normal(size=(50, d, d))
    scale = np.array([1e-7, 1e-7, 100.0, 25.0, 1.0, 1.0][:d]) ** 0.5
    s = (a @ a.transpose(0, 2, 1) + 0.3 * np.eye(d)) * scale[:, None] * scale[None, :]
    inv, logdet = kf.spd_inverse(s)
    ref = np.linalg.inv(s)
    assert np.allclose(inv, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    assert np.allclose(logdet, np.linalg.slogdet(s)[1], rtol=0, atol=1e-9)
    bad = s.copy()
    bad[0] = -np.eye(d)
    assert np.isnan(kf.spd_inverse(bad)[1][0])


def test_update_is_the_joseph_form() -> None:
    rng = np.random.default_rng(7)
    n, d, k = 10, 4, 20
    a = rng.normal(size=(k, n, n))
    p = a @ a.transpose(0, 2, 1) + np.eye(n)
    h = rng.normal(size=(k, d, n))
    r = np.broadcast_to(np.diag(rng.uniform(0.5, 2.0, d)), (k, d, d)).copy()
    s = h @ p @ h.transpose(0, 2, 1) + r
    x, nu = rng.normal(size=(k, n)), rng.normal(size=(k, d))
    x_new, p_new = kf.update(x, p, p @ h.transpose(0, 2, 1), nu, s, h, r)
    gain = p @ h.transpose(0, 2, 1) @ np.linalg.inv(s)
    i_kh = np.eye(n) - gain @ h
    joseph = i_kh @ p @ i_kh.transpose(0, 2, 1) + gain @ r @ gain.transpose(0, 2, 1)
    assert np.allclose(p_new, joseph, rtol=1e-9, atol=1e-9)
    assert np.allclose(x_new, x + (gain @ nu[..., None])[..., 0], rtol=1e-9, atol=1e-9)


def _plot(**kw: object) -> Measurement:
    base = dict(id=1, time=100.0, delivered=100.5, sensor="r", nation="USA", kind=SensorKind.RADAR,
                sensor_ecef=(-3.9e6, 3.4e6, 3.7e6), azimuth=1.0, elevation=0.3, sigma_azimuth=1e-3,
                sigma_elevation=1e-3, range=1e6, sigma_range=10.0)
    base.update(kw)
    return Measurement(**base)  # type: ignore[arg-type]


def test_vectorised_plot_checks_agree_with_the_one_line_reasons() -> None:
    plots = [_plot(), _plot(azimuth=float("nan")), _plot(sigma_elevation=0.0), _plot(range=None),
             _plot(range=-5.0), _plot(sigma_range=None), _plot(range_rate=100.0),
             _plot(range_rate=100.0, sigma_range_rate=1.0), _plot(sensor_ecef=(float("inf"), 0.0, 0.0)),
             _plot(kind=SensorKind.SPACE_IR, range=None, sigma_range=None), _plot(time=float("nan"))]
    flags = malformed(read_plots(plots))
    assert flags.tolist() == [measurement_problem(p) is not None for p in plots]


def test_garbage_fields_are_counted_not_raised() -> None:
    tracker = Tracker(TrackerConfig(nation="USA"))
    tracks = tracker.update([_plot(azimuth="north"), _plot(id=2, time=99.0)], now=100.0)  # type: ignore[arg-type]
    assert tracker.rejections["malformed"] == 1
    assert len(tracks) == 1


def test_fast_track_constructor_builds_the_same_track() -> None:
    from trilink.model.assessment import Phase
    from trilink.model.track import Track, TrackStatus
    from trilink.track.output import _new_track

    args = ("USA-00001", "USA", 5.0, np.arange(6.0), np.eye(6), TrackStatus.CONFIRMED, Phase.MIDCOURSE,
            1.0, 5.0, 7, frozenset({SensorKind.RADAR}), 5000.0, 300.0, np.zeros((3, 7)))
    fast, slow = _new_track(*args), Track(*args)
    assert type(fast) is Track
    for name in Track.__slots__:
        a, b = getattr(fast, name), getattr(slow, name)
        assert a is b, name
    with pytest.raises(AttributeError):
        fast.time = 6.0  # type: ignore[misc]
