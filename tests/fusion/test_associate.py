"""Gating and assignment primitives."""

import numpy as np

from tests.fusion.builders import random_cov
from trilink.fusion.associate import (
    GATE_99,
    assign,
    bias_covariance,
    cost_matrix,
    distances,
    impact_disagreement,
    pair_distances,
)


def test_pre_gate_never_drops_a_pair_inside_the_gate(rng: np.random.Generator) -> None:
    rows = rng.normal(size=(40, 6)) * np.array([2e3] * 3 + [50.0] * 3)
    cols = rng.normal(size=(30, 6)) * np.array([2e3] * 3 + [50.0] * 3)
    p_rows = np.stack([random_cov(rng, 300.0, 10.0) for _ in range(40)])
    p_cols = np.stack([random_cov(rng, 300.0, 10.0) for _ in range(30)])
    bias = bias_covariance(500.0, 10.0)
    d2, _ = pair_distances(rows, p_rows, cols, p_cols, bias, GATE_99)
    full, _ = distances(rows[:, None], p_rows[:, None], cols[None], p_cols[None], bias)
    inside = full <= GATE_99
    assert inside.any() and (~inside).any()
    assert np.allclose(d2[inside], full[inside])
    assert np.all((d2 > GATE_99) == ~inside)


def test_assignment_is_global_not_greedy() -> None:
    # Greedy on row 0 would take column 0 (cost 1) and leave row 1 with nothing allowed.
    cost = np.array([[1.0, 2.0], [1.5, 1e12]])
    assert sorted(assign(cost)) == [(0, 1), (1, 0)]


def test_cost_matrix_forbids_pairs_outside_the_gate_or_not_allowed() -> None:
    x = np.zeros((2, 6))
    y = np.array([[0.0] * 6, [1e5, 0, 0, 0, 0, 0]])
    p = np.broadcast_to(np.eye(6) * 100.0, (2, 6, 6))
    allowed = np.array([[True, True], [False, True]])
    cost, _ = cost_matrix(x, p, y, p, np.zeros((6, 6)), GATE_99, allowed)
    assert assign(cost) == [(0, 0)]


def test_impact_disagreement_distance_and_statistic() -> None:
    lat, lon = np.radians(39.0), np.radians(139.0)
    cov = np.diag([4e6, 4e6])  # 2 km σ each way
    d2, dist = impact_disagreement(lat, lon, cov, lat + 10e3 / 6_371_008.8, lon, cov)
    assert abs(dist - 10e3) < 1.0
    assert abs(d2 - 10e3**2 / 8e6) < 1e-6
