"""Free-flight propagations per second: the batch propagator against solve_ivp one state at a time.

1,000 states spread around the post-burnout state of a 1,000 km lofted Hwasong-12
flight (±2 km, ±20 m/s), with re-entry drag, each flown to ground impact. solve_ivp
(DOP853, rtol 1e-10: the reference of the flight model) flies every state one by one;
``propagate_to_impact`` flies all of them in one vectorised call. Both in the same run,
and the impact points are compared (the agreement must stay under 100 m).
"""

import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import figure, write_section
from trilink.physics.flight import free_flight
from trilink.physics.propagate import propagate_to_impact
from trilink.physics.solve import solve_flight

N = 1_000


def main() -> None:
    """Run both, print the rates and the agreement, write docs/performance.md, end with the figure."""
    flight = solve_flight(math.radians(39.2), math.radians(125.67), azimuth=math.radians(90.0),
                          ground_range=1_000e3, profile="lofted", missile="hwasong-12")
    beta = flight.missile.reentry_ballistic_coefficient
    t0 = flight.trajectory.burnout_time + 5.0
    pos, vel = flight.trajectory.state_at(t0)
    rng = np.random.default_rng(7)
    states = np.hstack([pos, vel]) + np.hstack([rng.normal(0, 2_000, (N, 3)), rng.normal(0, 20, (N, 3))])

    propagate_to_impact(states[:10], t0, beta)  # warm-up
    start = time.perf_counter()
    batch = propagate_to_impact(states, t0, beta)
    t_batch = time.perf_counter() - start

    start = time.perf_counter()
    impacts = np.empty((N, 3))
    for i in range(N):
        impacts[i] = free_flight(states[i], t0, beta, dense=False).y_events[1][0][:3]
    t_ivp = time.perf_counter() - start

    miss = np.linalg.norm(impacts - batch.states[:, :3], axis=1)
    rate_batch, rate_ivp = N / t_batch, N / t_ivp
    ratio = rate_batch / rate_ivp
    print(f"flight: Hwasong-12 lofted, range {flight.ground_range / 1e3:.0f} km, "
          f"apogee {flight.apogee / 1e3:.0f} km, {N} states from burnout+5 s to impact")
    print(f"batch propagate_to_impact: {t_batch:.3f} s, {rate_batch:,.0f} propagations/s")
    print(f"solve_ivp one by one:      {t_ivp:.3f} s, {rate_ivp:,.0f} propagations/s")
    print(f"impact agreement: max {miss.max():.3f} m, median {np.median(miss):.3f} m (limit 100 m)")
    write_section("bench_flight", f"""
### Flight: batch free-flight propagation vs solve_ivp

{N} states around a 1,000 km lofted Hwasong-12 flight (apogee {flight.apogee / 1e3:.0f} km), with
re-entry drag, flown from burnout + 5 s to ground impact.

| propagator | time | propagations/s |
|---|---|---|
| `propagate_to_impact` (vectorised RK4, all at once) | {t_batch:.3f} s | {rate_batch:,.0f} |
| `solve_ivp` DOP853 rtol 1e-10, one by one | {t_ivp:.2f} s | {rate_ivp:,.0f} |

Ratio **{ratio:.0f}×**; impact points agree to {miss.max():.2f} m at worst (limit 100 m).
""")
    if miss.max() >= 100.0:
        print("FAIL: batch and solve_ivp disagree by more than 100 m")
    figure("batch_vs_solve_ivp", ratio)


if __name__ == "__main__":
    main()
