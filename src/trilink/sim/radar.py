"""Ground and ship radars: coverage, detection from SNR, noisy range/az/el/range-rate, false alarms.

Laws (documented in docs/scenarios.md; every figure comes from the sensor's config):

* SNR = SNR_ref · (σ / σ_ref) · (R_ref / R)⁴ (the radar equation against a reference).
* Detection: Swerling I target against a fixed threshold τ. The single-look detection
  probability is Pd = exp(−τ / (1 + SNR)); τ = −(1 + SNR_ref) · ln(Pd_ref) so that the
  configured ``detection_probability`` holds at the reference SNR.
* Noise: each 1σ figure is configured at the reference SNR and scales as √(SNR_ref / SNR).
  Angle noise is the error of each component of the line of sight across the beam, so
  the azimuth σ is σ_angle / cos(elevation).
* Coverage: above the refracted horizon and the minimum elevation (apparent elevation),
  below the maximum elevation, inside the fixed sector, within the instrumented range.
* False alarms: Poisson, ``false_alarms_per_s`` on average, uniform over the sector's
  solid angle and in range out to the instrumented range (``max_range_km`` or the range
  at which a reference target gives 0 dB); their SNR is that of noise over the threshold.
"""

import math

import numpy as np

from trilink.model.network import SensorConfig
from trilink.sim.geometry import SensorSite, apparent_elevation, in_sector, look
from trilink.sim.samples import Detections, Samples

_ORBITAL_SPEED = 7.9e3
"""Physical bound on a false plot's range-rate (m/s): nothing ballistic is faster."""


def snr_reference(sensor: SensorConfig) -> float:
    """Reference SNR as a ratio."""
    return 10.0 ** (sensor.reference_snr_db / 10.0)


def threshold(sensor: SensorConfig) -> float:
    """Detection threshold τ (in noise-power units) implied by Pd at the reference SNR."""
    return -(1.0 + snr_reference(sensor)) * math.log(sensor.detection_probability)


def signal_to_noise(sensor: SensorConfig, rcs: np.ndarray, slant_range: np.ndarray) -> np.ndarray:
    """Mean SNR (ratio) of targets of cross-section ``rcs`` (m²) at ``slant_range`` (m)."""
    reference_range = sensor.reference_range_km * 1e3
    return (snr_reference(sensor) * (rcs / sensor.reference_rcs_m2)
            * (reference_range / np.maximum(slant_range, 1.0)) ** 4)


def detection_probability(sensor: SensorConfig, snr: np.ndarray) -> np.ndarray:
    """Swerling I single-look detection probability at SNR ``snr`` (ratio)."""
    return np.exp(-threshold(sensor) / (1.0 + snr))


def instrumented_range(sensor: SensorConfig) -> float:
    """Farthest range (m) the radar reports at all."""
    if sensor.max_range_km is not None:
        return sensor.max_range_km * 1e3
    return sensor.reference_range_km * 1e3 * snr_reference(sensor) ** 0.25


def covered(sensor: SensorConfig, site: SensorSite, samples: Samples
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which samples the radar could see, with their geometry (az, el, range, range-rate)."""
    geometry = look(site, samples.positions, samples.velocities)
    apparent = apparent_elevation(site, geometry, sensor.refraction_k)
    mask = ((apparent >= math.radians(sensor.min_elevation_deg))
            & (geometry.elevation <= math.radians(sensor.max_elevation_deg))
            & (geometry.range <= instrumented_range(sensor)))
    if sensor.boresight_azimuth_deg is not None:
        mask &= in_sector(geometry.azimuth, math.radians(sensor.boresight_azimuth_deg),
                          math.radians(sensor.sector_half_width_deg))
    return mask, geometry.azimuth, geometry.elevation, np.stack(
        [geometry.range, geometry.range_rate])


def detect(sensor: SensorConfig, site: SensorSite, samples: Samples,
           rng: np.random.Generator) -> Detections:
    """Noisy detections of the true targets in ``samples`` (one draw per sample)."""
    n = len(samples.times)
    # Draw every random number for every sample, so that results do not depend on coverage.
    u = rng.random(n)
    noise = rng.standard_normal((4, n))
    mask, azimuth, elevation, rr = covered(sensor, site, samples)
    snr = signal_to_noise(sensor, samples.rcs, rr[0])
    mask &= u < detection_probability(sensor, snr)
    return _measure(sensor, samples.times[mask], azimuth[mask], elevation[mask], rr[0][mask],
                    rr[1][mask], snr[mask], noise[:, mask], samples.object_index[mask])


def false_alarms(sensor: SensorConfig, scan_times: np.ndarray, rate_factor: float,
                 rng: np.random.Generator) -> Detections:
    """Random false plots over the radar's coverage at its scan times."""
    mean = sensor.false_alarms_per_s * sensor.update_interval_s * rate_factor
    counts = rng.poisson(mean, len(scan_times)) if mean > 0.0 else np.zeros(len(scan_times), int)
    times = np.repeat(scan_times, counts)
    m = len(times)
    if sensor.boresight_azimuth_deg is None:
        azimuth = rng.uniform(0.0, 2.0 * np.pi, m)
    else:
        half = math.radians(min(sensor.sector_half_width_deg, 180.0))
        azimuth = np.mod(math.radians(sensor.boresight_azimuth_deg) + rng.uniform(-half, half, m),
                         2.0 * np.pi)
    lo, hi = (math.sin(math.radians(sensor.min_elevation_deg)),
              math.sin(math.radians(sensor.max_elevation_deg)))
    elevation = np.arcsin(rng.uniform(lo, hi, m))
    slant = rng.uniform(0.02, 1.0, m) * instrumented_range(sensor)
    range_rate = rng.uniform(-_ORBITAL_SPEED, _ORBITAL_SPEED, m)
    # Noise alone over the threshold: power/noise = τ + Exp(1), so the apparent SNR is that − 1.
    snr = np.maximum(threshold(sensor) - 1.0 + rng.exponential(1.0, m), 0.05)
    noise = np.zeros((4, m))
    return _measure(sensor, times, azimuth, elevation, slant, range_rate, snr, noise,
                    np.full(m, -1, dtype=np.int64))


def noise_scale(sensor: SensorConfig, snr: np.ndarray) -> np.ndarray:
    """Factor on the reference 1σ figures at SNR ``snr``: √(SNR_ref / SNR)."""
    return np.sqrt(snr_reference(sensor) / snr)


def _measure(sensor: SensorConfig, times: np.ndarray, azimuth: np.ndarray, elevation: np.ndarray,
             slant: np.ndarray, range_rate: np.ndarray, snr: np.ndarray, noise: np.ndarray,
             object_index: np.ndarray) -> Detections:
    scale = noise_scale(sensor, snr)
    sigma_angle = sensor.sigma_angle_mrad * 1e-3 * scale
    sigma_el = sigma_angle
    sigma_az = sigma_angle / np.maximum(np.cos(elevation), 1e-2)
    sigma_range = (sensor.sigma_range_m or 0.0) * scale
    m = len(times)
    if sensor.measures_range_rate and sensor.sigma_range_rate_mps:
        sigma_rr = sensor.sigma_range_rate_mps * scale
        measured_rr = range_rate + sigma_rr * noise[3]
    else:
        sigma_rr = measured_rr = np.full(m, np.nan)
    return Detections(
        times=times,
        azimuth=np.mod(azimuth + sigma_az * noise[0], 2.0 * np.pi),
        elevation=elevation + sigma_el * noise[1],
        sigma_azimuth=sigma_az,
        sigma_elevation=sigma_el,
        range=np.abs(slant + sigma_range * noise[2]),
        sigma_range=sigma_range,
        range_rate=measured_rr,
        sigma_range_rate=sigma_rr,
        snr_db=10.0 * np.log10(snr),
        object_index=object_index,
    )
