"""Alert scenarios run once per test session; their decisions feed the decision and CAP tests."""

import pytest

from tests.alert.scenarios import (
    ICBM_FLIGHT_S,
    ICBM_IMPACT,
    LAUNCH_TIME,
    SUNAN,
    assessment,
    irbm_steps,
    run_alerts,
    track_input,
)
from trilink.alert.decide import AlertDecision, AlertState
from trilink.model.assessment import MissileClass

SHORT_TRACK_GUESS = (42.6, 140.3)
"""2023-04-13: a short track whose wide ellipse covered Hokkaido."""
SHORT_TRACK_REGAINED = (40.2, 133.0)
"""The regained track's impact: far out in the Sea of Japan, beyond Japan's EEZ."""


@pytest.fixture(scope="session")
def irbm() -> tuple[AlertState, list[AlertDecision]]:
    """IRBM over Hokkaido, JPN node, sharing on (first track 40 s after launch)."""
    return run_alerts("JPN", irbm_steps())


@pytest.fixture(scope="session")
def icbm() -> tuple[AlertState, list[AlertDecision]]:
    """Lofted ICBM falling ~200 km west of Oshima-Oshima."""
    steps = []
    for k in range(0, 80):
        now = LAUNCH_TIME + 60.0 + 60.0 * k
        if now < LAUNCH_TIME + ICBM_FLIGHT_S:
            sigma = max(3.0, 50.0 * (1.0 - (now - LAUNCH_TIME) / ICBM_FLIGHT_S) ** 2)
            a = assessment(now, SUNAN, ICBM_IMPACT, ICBM_FLIGHT_S, 6000e3, (sigma, sigma / 2.0),
                           MissileClass.ICBM, track_id="ICBM1")
            steps.append((now, [track_input(a, first_time=LAUNCH_TIME + 30.0)]))
        else:
            steps.append((now, []))
    return run_alerts("JPN", steps)


@pytest.fixture(scope="session")
def short_track() -> tuple[AlertState, list[AlertDecision]]:
    """A track lost right after detection (wide ellipse over Hokkaido), regained, then the threat passes."""
    steps = []
    for k, dt in enumerate((60.0, 64.0, 68.0)):
        a = assessment(LAUNCH_TIME + dt, SUNAN, SHORT_TRACK_GUESS, 900.0, 700e3, (250.0, 80.0),
                       track_id="T9")
        steps.append((LAUNCH_TIME + dt, [track_input(a, n_updates=2 + k, first_time=LAUNCH_TIME + 58.0)]))
    steps += [(LAUNCH_TIME + t, []) for t in (80.0, 100.0, 120.0)]  # lost
    for dt in (400.0, 410.0):  # regained: the missile is heading far out to sea
        a = assessment(LAUNCH_TIME + dt, SUNAN, SHORT_TRACK_REGAINED, 600.0, 500e3, (10.0, 4.0),
                       track_id="T9")
        steps.append((LAUNCH_TIME + dt, [track_input(a, n_updates=40, first_time=LAUNCH_TIME + 58.0)]))
    return run_alerts("JPN", steps, exercise=False)
