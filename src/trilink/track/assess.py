"""Assessment of a track: phase, launch, impact point and time with the 95 % ellipse, apogee, class.

The impact prediction pushes the posterior through physics' batch free-flight propagator
(``propagate_to_impact``, J2 + rotation + drag): by default the 15 sigma points of an
unscented transform over position, velocity and the drag factor k = 1e4/β, or Monte-Carlo
samples when asked. The spread of the impact points, in the local east-north plane at
their mean, gives the ellipse; their times the impact-time σ. During boost the prediction
is the instantaneous impact point (the engine stopping now). Pure: a function of the
track and the time only.
"""

import hashlib
import math

import numpy as np

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from trilink.geo.geodesy import geodesic_distance
from trilink.geo.wgs84 import GM, MEAN_RADIUS, OMEGA_EARTH
from trilink.model.assessment import Assessment, ImpactEstimate, MissileClass, Phase
from trilink.model.track import Track
from trilink.physics.dynamics import radial_height
from trilink.physics.propagate import propagate_to_impact
from trilink.track.launch import estimate_launch
from trilink.track.motion import DRAG_SCALE

DRAG_PRIOR = 2.0
"""k = 1e4/β assumed when the track has no drag estimate (β = 5,000 kg/m², an RV) ..."""
DRAG_PRIOR_SIGMA = 1.5
"""... with this 1σ (β from ~3,000 to beyond 20,000 kg/m²)."""
K_MIN = 0.05
"""Smallest k used in propagation (β ≤ 200,000 kg/m²): k is a Gaussian state, β must stay positive."""
PATH_STEP = 10.0
"""Seconds between ground-track samples."""
BURNOUT_RADIUS = MEAN_RADIUS + 150_000.0
"""Burnout radius assumed when converting specific energy to a minimum-energy range."""
CLASS_LIMITS = ((1_000e3, MissileClass.SRBM), (3_000e3, MissileClass.MRBM), (5_500e3, MissileClass.IRBM))
_EARTH_OMEGA = np.array([0.0, 0.0, OMEGA_EARTH])


def assess(track: Track, now: float, *, samples: int = 0) -> Assessment:
    """The assessment of ``track`` at time ``now`` (impact by unscented transform, or ``samples`` draws)."""
    impact, path = predict_impact(track, samples=samples)
    launch = estimate_launch(track)
    phase = track.phase
    ground_range = None
    if launch is not None and impact is not None:
        ground_range = float(geodesic_distance(launch.lat, launch.lon, impact.lat, impact.lon))
    apogee = _apogee(track, path)
    missile_class, reason = classify(track)
    return Assessment(track_id=track.track_id, time=now, phase=phase, launch=launch, impact=impact,
                      apogee=apogee, ground_range=ground_range,
                      time_to_impact=None if impact is None else impact.time - now,
                      ground_track=path, missile_class=missile_class, class_reason=reason)


def _drag(track: Track) -> tuple[float, float]:
    if track.ballistic_coefficient is not None and track.ballistic_coefficient_sigma is not None:
        k = DRAG_SCALE / track.ballistic_coefficient
        return k, DRAG_SCALE * track.ballistic_coefficient_sigma / track.ballistic_coefficient**2
    return DRAG_PRIOR, DRAG_PRIOR_SIGMA


def _points(track: Track, samples: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points (M, 7) [state, k] drawn from the posterior, their mean weights and covariance weights."""
    k, sk = _drag(track)
    mean = np.concatenate([track.state, [k]])
    cov = np.zeros((7, 7))
    cov[:6, :6] = 0.5 * (track.covariance + track.covariance.T)
    cov[6, 6] = sk * sk
    if samples > 0:
        seed = int.from_bytes(hashlib.sha256(f"{track.track_id}:{track.time}".encode()).digest()[:8], "big")
        pts = np.random.default_rng(seed).multivariate_normal(mean, cov, size=samples, method="eigh")
        w = np.full(samples, 1.0 / samples)
        return pts, w, w
    n = 7
    values, vectors = np.linalg.eigh(cov)
    root = vectors * np.sqrt(np.clip(values, 0.0, None) * n)
    pts = np.concatenate([mean[None, :], mean + root.T, mean - root.T])
    wm = np.concatenate([[0.0], np.full(2 * n, 0.5 / n)])
    return pts, wm, wm


def predict_impact(track: Track, *, samples: int = 0) -> tuple[ImpactEstimate | None, np.ndarray]:
    """Impact estimate with its 95 % ellipse, and the mean ground track ahead (K, 4) [t, lat, lon, h]."""
    empty = np.zeros((0, 4))
    if not np.all(np.isfinite(track.state)) or float(radial_height(track.state[:3])) < -1_000.0:
        return None, empty
    pts, wm, wc = _points(track, samples)
    beta = DRAG_SCALE / np.maximum(pts[:, 6], K_MIN)
    batch = propagate_to_impact(pts[:, :6], track.time, beta, record_every=PATH_STEP)
    ok = np.isfinite(batch.times)
    if not ok.all() and ok.sum() < len(ok) // 2 + 1:
        return None, empty
    pos = batch.states[ok, :3]
    w = wm[ok] / wm[ok].sum()
    centre = np.einsum("i,ij->j", w, pos)
    lat_c, lon_c, _ = ecef_to_geodetic(centre)
    rot = enu_rotation(float(lat_c), float(lon_c))[:2]
    en = (pos - geodetic_to_ecef(float(lat_c), float(lon_c), 0.0)) @ rot.T
    en_mean = w @ en
    d = en - en_mean
    wcov = wc[ok] / wc[ok].sum()
    cov_en = np.einsum("i,ij,ik->jk", wcov, d, d)
    centre_ground = geodetic_to_ecef(float(lat_c), float(lon_c), 0.0) + en_mean @ rot
    lat, lon, _ = ecef_to_geodetic(centre_ground)
    times = batch.times[ok]
    t_mean = float(w @ times)
    sigma_t = math.sqrt(max(float(wcov @ (times - t_mean) ** 2), 0.0))
    impact = ImpactEstimate(time=t_mean, sigma_time=sigma_t, lat=float(lat), lon=float(lon),
                            ellipse=ellipse_from_covariance(cov_en),
                            samples=np.column_stack([batch.lat[ok], batch.lon[ok]]) if samples else None)
    path = _ground_track(batch, t_mean, float(lat), float(lon))
    return impact, path


def _ground_track(batch: object, t_impact: float, lat: float, lon: float) -> np.ndarray:
    """Mean path (K, 4): the first point's (the mean state's) recorded samples, then the impact."""
    times = batch.path_times  # type: ignore[attr-defined]
    positions = batch.path_positions  # type: ignore[attr-defined]
    if times is None or positions is None or positions.shape[1] == 0:
        return np.array([[t_impact, lat, lon, 0.0]])
    mean_path = positions[0]
    keep = np.all(np.isfinite(mean_path), axis=1) & (times < t_impact)
    plat, plon, ph = ecef_to_geodetic(mean_path[keep])
    rows = np.column_stack([times[keep], plat, plon, ph])
    return np.vstack([rows, [[t_impact, lat, lon, 0.0]]])


def _apogee(track: Track, path: np.ndarray) -> float | None:
    """Highest height: of the track so far and of the predicted path (Keplerian when past it)."""
    heights = [float(radial_height(track.state[:3]))]
    if track.history is not None and len(track.history):
        heights.append(float(np.max(radial_height(track.history[:, 1:4]))))
    if len(path):
        heights.append(float(np.max(path[:, 3])))
    if track.phase != Phase.BOOST:
        kepler = _kepler_apogee(track.state)
        if kepler is not None:
            heights.append(kepler)
    return max(heights)


def _kepler_apogee(state: np.ndarray) -> float | None:
    """Apogee height above the mean sphere of the inertial Keplerian orbit through ``state``."""
    r = state[:3]
    v = state[3:] + np.cross(_EARTH_OMEGA, r)
    rn = float(np.linalg.norm(r))
    energy = float(v @ v) / 2.0 - GM / rn
    if energy >= 0.0:
        return None
    a = -GM / (2.0 * energy)
    h = np.cross(r, v)
    e = math.sqrt(max(0.0, 1.0 - float(h @ h) / (GM * a)))
    return a * (1.0 + e) - MEAN_RADIUS


def max_range(state: np.ndarray) -> float:
    """Ground range (m) of a minimum-energy flight with the state's specific energy, from burnout radius."""
    r = state[:3]
    v = state[3:] + np.cross(_EARTH_OMEGA, r)
    energy = float(v @ v) / 2.0 - GM / float(np.linalg.norm(r))
    v2 = 2.0 * (energy + GM / BURNOUT_RADIUS)
    if v2 <= 0.0:
        return 0.0
    nu = v2 * BURNOUT_RADIUS / GM
    if nu >= 1.0:
        return math.pi * MEAN_RADIUS
    return 2.0 * math.asin(nu / (2.0 - nu)) * MEAN_RADIUS


def classify(track: Track) -> tuple[MissileClass, str]:
    """Range class from the specific energy (the range it buys on a minimum-energy path), with the reason."""
    reach = max_range(track.state)
    cls = MissileClass.ICBM
    for limit, name in CLASS_LIMITS:
        if reach < limit:
            cls = name
            break
    r = track.state[:3]
    v = track.state[3:] + np.cross(_EARTH_OMEGA, r)
    energy = float(v @ v) / 2.0 - GM / float(np.linalg.norm(r))
    reason = (f"specific energy {energy / 1e6:.1f} MJ/kg buys {reach / 1e3:,.0f} km on a minimum-energy "
              f"path → {cls.value}")
    if track.phase == Phase.BOOST:
        reason += " (still in boost: a lower bound)"
    return cls, reason
