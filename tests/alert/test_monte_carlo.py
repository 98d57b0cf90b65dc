"""Missed and false alerts over Monte-Carlo runs of the alert scenarios (decision level).

Each run draws a true impact, then at every picture update a predicted impact
from the covariance the picture claims at that time, and feeds ``decide``. It
counts areas the true path reached before they were told to shelter (missed)
and areas told to shelter that the true path never reached (false). The
end-to-end version (tracker + network + node) belongs to the node's tests; the
figures of this one are in docs/alerts.md. TRILINK_FULL=1 runs 100 per scenario.
"""

import math
from collections.abc import Callable

import numpy as np

from tests.alert import scenarios as sc
from tests.conftest import trilink_full
from trilink.alert.evaluate import score_alerts
from trilink.alert.policy import AlertPolicy
from trilink.geo.geodesy import geodesic_direct

RUNS = 100 if trilink_full() else 4
POLICY = AlertPolicy(samples=500)
TRUTH_SIGMA_KM = 10.0
"""Spread of the true impact between runs around the scenario's nominal point (1σ, each axis)."""


def _offset(point: tuple[float, float], east_km: float, north_km: float) -> tuple[float, float]:
    distance = math.hypot(east_km, north_km) * 1000.0
    lat, lon = geodesic_direct(math.radians(point[0]), math.radians(point[1]),
                               math.atan2(east_km, north_km), distance)
    return math.degrees(float(lat)), math.degrees(float(lon))


def _run(rng: np.random.Generator, nominal: tuple[float, float], flight_s: float, apogee: float,
         sigma_of_age: Callable[[float], float], first_s: float, step_s: float
         ) -> tuple[int, int, float | None]:
    truth_impact = _offset(nominal, *rng.normal(0.0, TRUTH_SIGMA_KM, 2))
    steps = []
    for now in np.arange(sc.LAUNCH_TIME + first_s, sc.LAUNCH_TIME + flight_s + 200.0, step_s):
        if now >= sc.LAUNCH_TIME + flight_s:
            steps.append((now, []))
            continue
        along = sigma_of_age(now - sc.LAUNCH_TIME)
        predicted = _offset(truth_impact, *rng.normal(0.0, along / 2.0, 2))
        a = sc.assessment(now, sc.SUNAN, predicted, flight_s, apogee, (along, along / 3.0))
        steps.append((now, [sc.track_input(a, first_time=sc.LAUNCH_TIME + first_s)]))
    _, decisions = sc.run_alerts("JPN", steps, POLICY)
    score = score_alerts(decisions, sc.ground_track(sc.SUNAN, truth_impact, flight_s, apogee), "JPN")
    first = min((d.time for d in decisions if d.sheltered_areas), default=None)
    return len(score.missed), len(score.false), None if first is None else first - sc.LAUNCH_TIME


def monte_carlo(scenario: str, runs: int, seed: int = 8) -> dict[str, float]:
    """Missed/false alert totals over ``runs`` runs of ``irbm`` or ``icbm``."""
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(runs):
        if scenario == "irbm":
            results.append(_run(rng, sc.IRBM_IMPACT, sc.IRBM_FLIGHT_S, 550e3,
                                lambda age: max(8.0, 400.0 * math.exp(-age / 120.0)), 40.0, 20.0))
        else:
            results.append(_run(rng, sc.ICBM_IMPACT, sc.ICBM_FLIGHT_S, 6000e3,
                                lambda age: max(3.0, 50.0 * (1.0 - age / sc.ICBM_FLIGHT_S) ** 2),
                                60.0, 120.0))
    missed, false, first = zip(*results, strict=True)
    shelter_times = [f for f in first if f is not None]
    return {"runs": runs, "missed": int(sum(missed)), "runs_with_missed": sum(m > 0 for m in missed),
            "false": int(sum(false)), "runs_with_false": sum(f > 0 for f in false),
            "first_shelter_s_max": max(shelter_times) if shelter_times else math.nan}


def test_irbm_over_hokkaido_no_missed_alerts() -> None:
    result = monte_carlo("irbm", RUNS)
    print(f"\nIRBM over Hokkaido, decision-level Monte Carlo: {result}")
    assert result["missed"] == 0
    assert result["first_shelter_s_max"] < 90.0


def test_icbm_into_eez_no_land_alert() -> None:
    result = monte_carlo("icbm", RUNS)
    print(f"\nLofted ICBM into the EEZ, decision-level Monte Carlo: {result}")
    assert result["missed"] == 0 and result["false"] == 0
