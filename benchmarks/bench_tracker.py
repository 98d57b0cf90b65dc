"""Tracker benchmark (issue 4, check 6): against Stone Soup, scaling with objects, impact CEP vs the bound.

1. Stone Soup 1.9 (EKF + GNN with its k-d tree, ``DetectionKDTreeGNN2D``) and trilink's
   tracker on the same plots of ballistic objects from one radar. Stone Soup has no
   gravity model: it gets its constant-velocity transition model (in the radar's local
   ENU frame, q = 50 m²/s³ so it can follow a 9.8 m/s² fall) and its
   ``CartesianToElevationBearingRange`` measurement model. Position RMSE over confirmed
   tracks matched to truth, and measurements processed per second, both on one core.
2. Scaling: 10, 100 and 1,000 simultaneous objects, one plot each per 1-s scan.
3. Impact CEP after 60 s of track (Shariki X-band radar, σ 10 m / 0.5 mrad at 1 Hz, a
   2,700 km standard trajectory) over Monte-Carlo runs, against the deterministic CRLB in
   ../shared/reference/tracking.md (2.4 km after 60 s, 0.62 km after 120 s).

Times are CPU seconds of this process (``time.process_time``) with the BLAS/OpenMP pools held
to one thread: "on one core", and robust to other work on a shared machine (wall-clock
figures are printed next to them, with the load average).

Run: ``python benchmarks/bench_tracker.py`` (a few minutes); writes its section of
docs/performance.md and ends with the figure lines.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, before numpy loads its BLAS

import datetime  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import figure, write_section  # noqa: E402
from trilink.geo.frames import (  # noqa: E402
    ecef_to_enu,
    ecef_to_geodetic,
    enu_rotation,
    enu_to_aer,
    geodetic_to_ecef,
)
from trilink.geo.geodesy import geodesic_distance  # noqa: E402
from trilink.model.measurement import Measurement, SensorKind  # noqa: E402
from trilink.physics import catalogue, flight  # noqa: E402
from trilink.physics.propagate import propagate, propagate_to_impact  # noqa: E402
from trilink.track import SensorSpec, Tracker, TrackerConfig, assess  # noqa: E402

T0 = 1_800_000_000.0
SHARIKI = (math.radians(40.98), math.radians(140.36), 20.0)
SUNAN = (math.radians(39.2002), math.radians(125.6733))
SIGMA_R, SIGMA_A = 10.0, 0.5e-3
BETA = 5_000.0
CRLB_60 = 2_400.0
"""tracking.md: impact CEP bound after 60 s of track, metres."""


def base_state() -> tuple[float, np.ndarray]:
    """Time and ECEF state 10 s after burnout of a ~2,700 km Hwasong-12 shot from Sunan toward Hokkaido."""
    spec = catalogue.get_missile("hwasong-12")
    plan = flight.BoostPlan(math.radians(75.0), math.radians(28.0), spec.total_burn_time * 0.93)
    shot = flight.fly(spec, SUNAN[0], SUNAN[1], plan)
    traj = flight.to_trajectory(shot.pieces, T0, shot.burnout_time, shot.apogee_time, shot.stage_ends)
    t = traj.burnout_time + 10.0
    pos, vel = traj.state_at(t)
    return t, np.concatenate([pos, vel])


def truth_states(n: int, seconds: int, rng: np.random.Generator, spread: float = 300e3
                 ) -> tuple[float, np.ndarray]:
    """(t0, (seconds, n, 6)) ECEF states of n ballistic objects scattered around the base flight."""
    t0, s0 = base_state()
    states = np.tile(s0, (n, 1))
    if n > 1:  # scattered horizontally, and upwards only: nothing starts underground
        lat, lon, _h = ecef_to_geodetic(s0[:3])
        rot = enu_rotation(float(lat), float(lon))
        offsets = np.column_stack([rng.uniform(-spread, spread, (n, 2)), rng.uniform(0.0, 200e3, n)])
        states[:, :3] += offsets @ rot
        states[:, 3:] += rng.uniform(-300.0, 300.0, (n, 3))
    out = np.empty((seconds, n, 6))
    for k in range(seconds):
        out[k] = states
        states = propagate(states, t0 + k, t0 + k + 1, BETA)
    return t0, out


def plots(t0: float, truth: np.ndarray, rng: np.random.Generator) -> list[list[Measurement]]:
    """One scan per second from the Shariki radar: every object, σ 10 m / 0.5 mrad (az scaled by 1/cos el)."""
    site = geodetic_to_ecef(*SHARIKI)
    site_t = (float(site[0]), float(site[1]), float(site[2]))
    scans, ident = [], 0
    for k in range(truth.shape[0]):
        az, el, rng_ = enu_to_aer(ecef_to_enu(truth[k, :, :3], *SHARIKI))
        s_az = SIGMA_A / np.maximum(np.cos(el), 1e-2)
        naz, nel, nr = rng.normal(size=(3, len(az)))
        scan = []
        for i in range(len(az)):
            ident += 1
            scan.append(Measurement(id=ident, time=t0 + k, delivered=t0 + k + 0.5, sensor="shariki",
                                    nation="USA", kind=SensorKind.RADAR, sensor_ecef=site_t,
                                    azimuth=float(np.mod(az[i] + s_az[i] * naz[i], 2 * math.pi)),
                                    elevation=float(el[i] + SIGMA_A * nel[i]), sigma_azimuth=float(s_az[i]),
                                    sigma_elevation=SIGMA_A, range=float(rng_[i] + SIGMA_R * nr[i]),
                                    sigma_range=SIGMA_R))
        scans.append(scan)
    return scans


def config() -> TrackerConfig:
    """A tracker with the one benchmark radar."""
    site = geodetic_to_ecef(*SHARIKI)
    spec = SensorSpec(id="shariki", kind="radar", ecef=(float(site[0]), float(site[1]), float(site[2])),
                      update_interval=1.0, sigma_angle=SIGMA_A)
    return TrackerConfig(nation="USA", sensors=(spec,))


def run_trilink(scans: list[list[Measurement]]) -> tuple[float, list[list]]:
    """CPU seconds spent in ``update`` and the tracks after each scan."""
    tracker = Tracker(config())
    spent, outputs = 0.0, []
    for scan in scans:
        start = time.process_time()
        tracks = tracker.update(scan, scan[0].delivered)
        spent += time.process_time() - start
        outputs.append(tracks)
    return spent, outputs


def rmse(truth: np.ndarray, positions_by_scan: list[np.ndarray], skip: int) -> float:
    """RMSE of estimated positions (each matched to its nearest true object) over scans after ``skip``."""
    errs = []
    for k, est in enumerate(positions_by_scan):
        if k < skip or len(est) == 0:
            continue
        d = np.linalg.norm(est[:, None, :] - truth[k][None, :, :3], axis=-1)
        errs.extend(d.min(axis=1).tolist())
    return float(np.sqrt(np.mean(np.square(errs)))) if errs else float("nan")


def run_stonesoup(scans: list[list[Measurement]]) -> tuple[float, list[np.ndarray]]:
    """Stone Soup EKF + GNN (k-d tree) with its constant-velocity model; positions back in ECEF."""
    from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
    from stonesoup.deleter.time import UpdateTimeDeleter
    from stonesoup.hypothesiser.distance import DistanceHypothesiser
    from stonesoup.initiator.simple import SimpleMeasurementInitiator
    from stonesoup.measures import Mahalanobis
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
    from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
    from stonesoup.predictor.kalman import ExtendedKalmanPredictor
    from stonesoup.tracker.simple import MultiTargetTracker
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import ExtendedKalmanUpdater

    sensor_model = CartesianToElevationBearingRange(
        ndim_state=6, mapping=(0, 2, 4), noise_covar=np.diag([SIGMA_A**2, (2 * SIGMA_A) ** 2, SIGMA_R**2]))
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(50.0)] * 3)
    predictor = ExtendedKalmanPredictor(transition)
    updater = ExtendedKalmanUpdater(sensor_model)
    hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=5.0)
    associator = DetectionKDTreeGNN2D(hypothesiser=hypothesiser, predictor=predictor, updater=updater,
                                      number_of_neighbours=3, max_distance=50_000.0)
    prior = GaussianState(np.zeros((6, 1)), np.diag([0.0, 3000.0**2, 0.0, 3000.0**2, 0.0, 3000.0**2]))
    initiator = SimpleMeasurementInitiator(prior_state=prior, measurement_model=sensor_model)
    epoch = datetime.datetime(2030, 1, 1)
    feed = []
    for scan in scans:
        when = epoch + datetime.timedelta(seconds=scan[0].time - T0)
        dets = {Detection(np.array([[m.elevation], [math.pi / 2 - m.azimuth], [m.range]]), timestamp=when,
                          measurement_model=sensor_model) for m in scan}
        feed.append((when, dets))
    deleter = UpdateTimeDeleter(datetime.timedelta(seconds=5))
    tracker = MultiTargetTracker(initiator=initiator, deleter=deleter, detector=iter(feed),
                                 data_associator=associator, updater=updater)
    spent, positions = 0.0, []
    iterator = iter(tracker)
    for _ in feed:
        start = time.process_time()
        _when, tracks = next(iterator)
        spent += time.process_time() - start
        enu = np.array([[t.state_vector[0, 0], t.state_vector[2, 0], t.state_vector[4, 0]] for t in tracks
                        if len(t) >= 3]).reshape(-1, 3)
        from trilink.geo.frames import enu_to_ecef
        positions.append(enu_to_ecef(enu, *SHARIKI) if len(enu) else enu)
    return spent, positions


def versus_stonesoup(n: int = 20, seconds: int = 60) -> dict[str, float]:
    rng = np.random.default_rng(1)
    t0, truth = truth_states(n, seconds, rng, spread=150e3)
    scans = plots(t0, truth, rng)
    ours_time, outputs = run_trilink(scans)
    ours_pos = [np.array([t.state[:3] for t in ts if t.status.value == "confirmed"]).reshape(-1, 3)
                for ts in outputs]
    theirs_time, theirs_pos = run_stonesoup(scans)
    count = sum(len(s) for s in scans)
    skip = 20
    return {"n": n, "ours_rate": count / ours_time, "theirs_rate": count / theirs_time,
            "ours_rmse": rmse(truth, ours_pos, skip), "theirs_rmse": rmse(truth, theirs_pos, skip)}


SETTLED = 25
"""Scans (seconds) after which the replay counts as steady state: initiation (3 plots) and the boost
model's settling are over. Objects first seen rising below 150 km start in the boost model and keep it
until their thrust is known to be small (~20 plots of one 1 Hz radar), at a higher cost per row."""


def scaling(counts: tuple[int, ...] = (10, 100, 1000), seconds: int = 60, repeats: int = 3
            ) -> list[dict[str, float]]:
    """Cost per scan (CPU and wall) with n objects, best of ``repeats`` replays: steady state (from
    ``SETTLED`` s) and, apart, the settling phase (5 s to ``SETTLED`` s)."""
    rows = []
    for n in counts:
        rng = np.random.default_rng(n)
        t0, truth = truth_states(n, seconds, rng, spread=1_500e3 if n >= 1000 else 600e3)
        scans = plots(t0, truth, rng)
        best_cpu = best_wall = best_settling = math.inf
        for _ in range(repeats if n < 1000 else 1):
            tracker = Tracker(config())
            cpu, wall, settling = [], [], []
            for k, scan in enumerate(scans):
                start, start_wall = time.process_time(), time.perf_counter()
                tracks = tracker.update(scan, scan[0].delivered)
                if k >= SETTLED:
                    cpu.append(time.process_time() - start)
                    wall.append(time.perf_counter() - start_wall)
                elif k >= 5:
                    settling.append(time.process_time() - start)
            best_cpu, best_wall = min(best_cpu, float(np.mean(cpu))), min(best_wall, float(np.mean(wall)))
            best_settling = min(best_settling, float(np.mean(settling)))
        confirmed = sum(t.status.value == "confirmed" for t in tracks)
        rows.append({"n": n, "rate": n / best_cpu, "latency_ms": best_cpu * 1e3, "confirmed": confirmed,
                     "us_per_meas": best_cpu / n * 1e6, "wall_ms": best_wall * 1e3,
                     "settling_rate": n / best_settling, "settling_ms": best_settling * 1e3})
    return rows


def impact_cep(runs: int = 20, seconds: int = 60) -> float:
    """Median impact miss (CEP) after ``seconds`` of track, over Monte-Carlo runs (metres)."""
    t0, s0 = base_state()
    impact = propagate_to_impact(s0[None, :], t0, BETA)
    lat, lon = float(impact.lat[0]), float(impact.lon[0])
    misses = []
    for run in range(runs):
        rng = np.random.default_rng(100 + run)
        _t0, truth = truth_states(1, seconds + 1, rng)
        tracker = Tracker(config())
        tracks = []
        for scan in plots(t0, truth, rng):
            tracks = tracker.update(scan, scan[0].delivered)
        track = max(tracks, key=lambda t: t.n_updates)
        a = assess(track, track.time)
        misses.append(float(geodesic_distance(a.impact.lat, a.impact.lon, lat, lon)))
    return float(np.median(misses))


def main() -> None:
    load_before = os.getloadavg()[0]
    rows = scaling()  # first, on a fresh heap (measured ~1.6× slower after Stone Soup's run left its objects)
    gc.collect()
    peer = versus_stonesoup()
    gc.collect()
    cep = impact_cep()
    load_after = os.getloadavg()[0]
    lat, _lon, _h = ecef_to_geodetic(base_state()[1][:3])
    throughput_ratio = peer["ours_rate"] / peer["theirs_rate"]
    rmse_ratio = peer["ours_rmse"] / peer["theirs_rmse"]
    at_100 = next(r for r in rows if r["n"] == 100)
    growth = [(a, b, b["us_per_meas"] / a["us_per_meas"], math.log(b["n"]) / math.log(a["n"]))
              for a, b in itertools.pairwise(rows)]
    lines = [
        "## Tracker (issue 4)",
        "",
        f"CPU time of the benchmark process on one core (BLAS pools at one thread); the machine's "
        f"load average was {load_before:.1f} at the start and {load_after:.1f} at the end (2 cores, shared).",
        "",
        f"Same plots ({peer['n']} ballistic objects, one radar, σ 10 m / 0.5 mrad, 1 Hz, 60 s), one core. "
        "Stone Soup 1.9: EKF + GNN with its k-d tree (`DetectionKDTreeGNN2D`), its constant-velocity "
        "transition model (q = 50 m²/s³, local ENU; it has no gravity model).",
        "",
        "| | trilink | Stone Soup | ratio |",
        "|---|---|---|---|",
        f"| measurements / s | {peer['ours_rate']:,.0f} | {peer['theirs_rate']:,.0f} "
        f"| {throughput_ratio:.1f}× |",
        f"| position RMSE (m) | {peer['ours_rmse']:.1f} | {peer['theirs_rmse']:.1f} | {rmse_ratio:.2f} |",
        "",
        f"Scaling (one plot per object per 1-s scan for 60 s; best of 3 replays, one for 1,000). Steady "
        f"state: scans from {SETTLED} s on. The objects are ballistic but first seen rising below 150 km, so "
        f"their tracks start in the boost model and keep it until the thrust is known to be small "
        f"(~20 plots); that settling phase (5–{SETTLED} s) costs more per row and is shown apart:",
        "",
        "| objects | measurements / s | CPU per scan (ms) | wall per scan (ms) | µs per measurement "
        f"| confirmed | settling phase (5–{SETTLED} s): measurements / s, CPU per scan (ms) |",
        "|---|---|---|---|---|---|---|",
        *[f"| {r['n']:,} | {r['rate']:,.0f} | {r['latency_ms']:.2f} | {r['wall_ms']:.2f} "
          f"| {r['us_per_meas']:.1f} | {r['confirmed']} | {r['settling_rate']:,.0f}, {r['settling_ms']:.2f} |"
          for r in rows],
        "",
        "Cost per measurement against log n (target: it grows no faster): "
        + "; ".join(f"{a['n']:,} → {b['n']:,} objects ×{g:.2f} (log n ×{lg:.2f})" for a, b, g, lg in growth)
        + ".",
        "",
        f"Impact CEP after 60 s of track (Shariki, 2,700 km standard shot, 20 runs): {cep / 1e3:.2f} km "
        f"against the CRLB's 2.4 km: ratio {cep / CRLB_60:.2f} (≥ 1 expected; the bound has no drag, "
        f"the truth and the tracker here have β = 5,000 kg/m²). Track start at "
        f"{math.degrees(float(lat)):.1f}° N.",
        "",
        f"figure: throughput_vs_stonesoup = {throughput_ratio:.6g}",
        f"figure: rmse_vs_stonesoup = {rmse_ratio:.6g}",
        f"figure: meas_per_s_100 = {at_100['rate']:.6g}",
        f"figure: cep_vs_crlb = {cep / CRLB_60:.6g}",
    ]
    write_section("bench_tracker", "\n".join(lines))
    print("\n".join(lines[:-4]))
    figure("throughput_vs_stonesoup", throughput_ratio)
    figure("rmse_vs_stonesoup", rmse_ratio)
    figure("meas_per_s_100", at_100["rate"])
    figure("cep_vs_crlb", cep / CRLB_60)


if __name__ == "__main__":
    main()
