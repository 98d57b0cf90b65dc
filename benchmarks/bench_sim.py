"""Simulator speed: a mixed raid of 100 missiles over the default network, 30 minutes of scenario time.

Headline: how many times faster than real time the measurement generation runs on
one core (target ≥ 100×). Flights are solved by ``trilink.physics`` once per missile
*type and profile* (eight templates) and repeated at other launch times — a
trajectory in ECEF does not change when shifted in time — so the figure measures
the simulator, not the trajectory solver (whose time is printed separately).
Peer, measured in the same run: the obvious per-object, per-sample Python loop
with pymap3d (the maintained frames library) for the radar geometry alone.
"""

import dataclasses
import math
import sys
import time
from pathlib import Path

import numpy as np
import pymap3d

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import figure, write_section
from trilink.model.network import load_network
from trilink.physics.solve import solve_flight
from trilink.sim.engine import Plan, stream
from trilink.sim.objects import SimObject

START = 1_700_000_000.0
DURATION = 1800.0
MISSILES = 100
# (missile, site lat/lon, aim lat/lon, apogee km or None, profile or None, pull-up)
TEMPLATES = [
    ("hwasong-12", (39.2002, 125.6733), (41.05, 157.35), 550.0, None, False),
    ("hwasong-12", (40.6112, 126.4257), (40.20, 134.50), 1500.0, None, False),
    ("hwasong-15", (39.282, 125.869), (40.90, 137.30), 4000.0, None, False),
    ("hwasong-18", (39.2002, 125.6733), (40.60, 136.80), 3000.0, None, False),
    ("kn-23", (39.1677, 127.4817), (39.55, 132.40), 50.0, None, True),
    ("kn-23", (39.2002, 125.6733), (40.80, 129.80), None, "min-energy", False),
    ("kn-25", (39.112, 125.998), (39.30, 129.00), None, "min-energy", False),
    ("kn-23", (40.0368, 128.1839), (40.60, 133.00), 60.0, None, False),
]


def fly_templates() -> list[list[SimObject]]:
    """Each template's warhead and spent stages, launched at time 0."""
    flown = []
    for k, (missile, site, aim, apogee, profile, pull_up) in enumerate(TEMPLATES):
        flight = solve_flight(math.radians(site[0]), math.radians(site[1]),
                              aim=(math.radians(aim[0]), math.radians(aim[1])),
                              apogee=None if apogee is None else apogee * 1e3, profile=profile,
                              missile=missile, pull_up=pull_up)
        spec = flight.missile
        objects = [SimObject(f"T{k}", f"T{k}", "warhead", flight.trajectory, spec.key, spec.rv_rcs,
                             spec.booster_rcs)]
        objects += [SimObject(f"T{k}/stage{n}", f"T{k}", "stage", t, spec.key,
                              spec.stages[min(n - 1, len(spec.stages) - 1)].spent_rcs,
                              spec.stages[min(n - 1, len(spec.stages) - 1)].spent_rcs)
                    for n, t in enumerate(flight.separated, start=1)]
        flown.append(objects)
    return flown


def shifted(obj: SimObject, name: str, launch: str, dt: float) -> SimObject:
    """The same object launched ``dt`` seconds later (ECEF trajectories are time-invariant)."""
    t = obj.trajectory
    trajectory = dataclasses.replace(
        t, times=t.times + dt, launch_time=t.launch_time + dt, burnout_time=t.burnout_time + dt,
        impact_time=t.impact_time + dt, apogee_time=t.apogee_time + dt,
        stage_burnouts=tuple(b + dt for b in t.stage_burnouts))
    return dataclasses.replace(obj, id=name, launch_id=launch, trajectory=trajectory)


def raid(templates: list[list[SimObject]]) -> tuple[SimObject, ...]:
    """100 missiles cycling through the templates, launched over the first ten minutes."""
    objects = []
    for i in range(MISSILES):
        launch = f"R{i + 1}"
        dt = START + 600.0 * i / MISSILES
        for obj in templates[i % len(templates)]:
            suffix = obj.id.partition("/")[2]
            objects.append(shifted(obj, f"{launch}/{suffix}" if suffix else launch, launch, dt))
    return tuple(objects)


def peer_rate(objects: tuple[SimObject, ...], samples: int = 3000) -> float:
    """Samples per second of a per-object, per-sample loop with pymap3d (radar geometry only)."""
    sensor = load_network().sensor[0]
    lat, lon, h = sensor.site
    obj = objects[0]
    times = np.linspace(obj.start_time, obj.end_time, samples)
    began = time.perf_counter()
    for t in times:
        position, _velocity = obj.trajectory.state_at(float(t))
        pymap3d.ecef2aer(*position, lat, lon, h)
    return samples / (time.perf_counter() - began)


def main() -> None:
    """Run the benchmark and print its figures."""
    began = time.perf_counter()
    templates = fly_templates()
    solve_s = time.perf_counter() - began
    objects = raid(templates)
    network = load_network()
    plan = Plan(objects, network, START, START + DURATION, seed=100)
    began = time.process_time()
    wall = time.perf_counter()
    count = sum(1 for _ in stream(plan))
    cpu_s = time.process_time() - began
    wall_s = time.perf_counter() - wall
    # sensor-samples evaluated: every sensor's scan of every live object
    speedup = DURATION / cpu_s
    peer = peer_rate(objects)
    scans = sum(DURATION / s.update_interval_s for s in network.sensor)
    print(f"{MISSILES} missiles ({len(objects)} objects incl. spent stages), {len(network.sensor)} sensors, "
          f"{DURATION:.0f} s of scenario time")
    print(f"trajectory templates solved in {solve_s:.1f} s ({len(TEMPLATES)} flights)")
    print(f"measurements: {count} in {cpu_s:.2f} s CPU ({wall_s:.2f} s wall): {count / cpu_s:,.0f} per s")
    print(f"scans: {scans:,.0f}; peer (per-sample loop, pymap3d geometry only): {peer:,.0f} samples/s")
    write_section("bench_sim", f"""
## Simulator: 100-missile mixed raid, default network, 30 min

| figure | value |
|---|---|
| objects (warheads + spent stages) | {len(objects)} |
| sensors | {len(network.sensor)} |
| measurements generated | {count:,} |
| CPU time (one core) | {cpu_s:.2f} s |
| measurements per second | {count / cpu_s:,.0f} |
| **speed-up over real time** | **{speedup:,.0f}×** (target ≥ 100×) |
| peer: per-object, per-sample loop with pymap3d (geometry only) | {peer:,.0f} samples/s |

Trajectories: {len(TEMPLATES)} flights solved by `trilink.physics` ({solve_s:.1f} s), repeated at
other launch times (ECEF trajectories are time-invariant).
""")
    figure("sim_measurements_per_s", count / cpu_s)
    figure("sim_speedup_100", speedup)


if __name__ == "__main__":
    main()
