"""Space-based infrared: angles-only lines of sight to burning plumes from geostationary orbit.

A satellite sits at its configured sub-satellite point and height, fixed in ECEF.
It reports the azimuth and elevation of a plume in its *own* local ENU frame (the
convention of ``trilink.model.measurement``: elevations are strongly negative,
looking down), only while an engine burns, the plume is above
``min_plume_altitude_km`` and the Earth does not hide it. Each visible plume is
reported with probability ``detection_probability`` per revisit; the 1σ angle
noise ``sigma_angle_mrad`` applies to each component of the line of sight (so the
azimuth σ is σ / cos(elevation)). False alarms, when configured, are lines of
sight to random points at plume altitude on the Earth's face seen by the satellite.
"""

import math

import numpy as np

from trilink.geo.frames import ecef_to_geodetic, geodetic_to_ecef
from trilink.model.network import SensorConfig
from trilink.sim.geometry import SensorSite, earth_blocks, look
from trilink.sim.samples import Detections, Samples

_FALSE_ALARM_CAP = math.radians(70.0)
"""Earth-central angle around the sub-satellite point where a GEO satellite sees the ground."""


def detect(sensor: SensorConfig, site: SensorSite, samples: Samples,
           rng: np.random.Generator) -> Detections:
    """Noisy lines of sight to the visible plumes in ``samples`` (one draw per sample)."""
    n = len(samples.times)
    u = rng.random(n)
    noise = rng.standard_normal((2, n))
    mask = samples.plume.copy()
    if mask.any():
        _lat, _lon, height = ecef_to_geodetic(samples.positions)
        mask &= height >= sensor.min_plume_altitude_km * 1e3
        mask &= ~earth_blocks(site.ecef, samples.positions)
    mask &= u < sensor.detection_probability
    geometry = look(site, samples.positions[mask], samples.velocities[mask])
    return _measure(sensor, samples.times[mask], geometry.azimuth, geometry.elevation,
                    noise[:, mask], samples.object_index[mask])


def false_alarms(sensor: SensorConfig, site: SensorSite, scan_times: np.ndarray,
                 rate_factor: float, rng: np.random.Generator) -> Detections:
    """Random false lines of sight at the satellite's revisit times."""
    mean = sensor.false_alarms_per_s * sensor.update_interval_s * rate_factor
    counts = rng.poisson(mean, len(scan_times)) if mean > 0.0 else np.zeros(len(scan_times), int)
    times = np.repeat(scan_times, counts)
    m = len(times)
    # uniform over a spherical cap around the sub-satellite point
    cos_angle = rng.uniform(math.cos(_FALSE_ALARM_CAP), 1.0, m)
    angle = np.arccos(cos_angle)
    bearing = rng.uniform(0.0, 2.0 * np.pi, m)
    lat = np.arcsin(np.sin(site.lat) * np.cos(angle)
                    + np.cos(site.lat) * np.sin(angle) * np.cos(bearing))
    lon = site.lon + np.arctan2(np.sin(bearing) * np.sin(angle) * np.cos(site.lat),
                                np.cos(angle) - np.sin(site.lat) * np.sin(lat))
    points = geodetic_to_ecef(lat, lon, sensor.min_plume_altitude_km * 1e3).reshape(-1, 3)
    geometry = look(site, points, np.zeros_like(points))
    return _measure(sensor, times, geometry.azimuth, geometry.elevation, np.zeros((2, m)),
                    np.full(m, -1, dtype=np.int64))


def _measure(sensor: SensorConfig, times: np.ndarray, azimuth: np.ndarray, elevation: np.ndarray,
             noise: np.ndarray, object_index: np.ndarray) -> Detections:
    m = len(times)
    sigma = np.full(m, sensor.sigma_angle_mrad * 1e-3)
    sigma_az = sigma / np.maximum(np.cos(elevation), 1e-2)
    nan = np.full(m, np.nan)
    return Detections(
        times=times,
        azimuth=np.mod(azimuth + sigma_az * noise[0], 2.0 * np.pi),
        elevation=elevation + sigma * noise[1],
        sigma_azimuth=sigma_az,
        sigma_elevation=sigma,
        range=nan, sigma_range=nan, range_rate=nan, sigma_range_rate=nan, snr_db=nan,
        object_index=object_index,
    )
