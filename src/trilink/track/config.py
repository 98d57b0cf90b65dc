"""Tracker parameters for one nation: its sensors, gates, track management and filter noise.

Everything the tracker tunes lives here, in SI units, with the reasoning for each
default next to it; ``TrackerConfig.for_nation`` builds one from the network file.
"""

from dataclasses import dataclass

import numpy as np

from trilink.geo.frames import geodetic_to_ecef
from trilink.geo.units import rad
from trilink.model.network import NetworkConfig, SensorConfig


@dataclass(frozen=True, slots=True)
class SensorSpec:
    """What the tracker knows of one of its nation's sensors (measurements carry their own noise)."""

    id: str
    kind: str
    """"radar" or "space_ir"."""
    ecef: tuple[float, float, float]
    update_interval: float
    """Seconds between looks; sets how long a tentative track may wait for its next plot."""
    sigma_angle: float
    """Nominal 1σ angle noise, rad (used only when a measurement does not carry its own)."""
    reference_snr_db: float = 13.0
    """SNR of a ``reference_rcs`` target at ``reference_range``: turns a plot's SNR into an RCS."""
    reference_range: float = 1_000_000.0
    reference_rcs: float = 0.1

    def rcs_db(self, snr_db: np.ndarray, slant_range: np.ndarray) -> np.ndarray:
        """Radar cross-section (dBsm) implied by plots' SNR (dB) at their range (the radar equation)."""
        return (snr_db - self.reference_snr_db + 40.0 * np.log10(slant_range / self.reference_range)
                + 10.0 * np.log10(self.reference_rcs))

    @classmethod
    def from_config(cls, sensor: SensorConfig) -> "SensorSpec":
        """Convert a network-file sensor entry (degrees, mrad) to SI."""
        lat, lon, height = sensor.site
        ecef = geodetic_to_ecef(rad(lat), rad(lon), height)
        return cls(id=sensor.id, kind=sensor.kind, ecef=(float(ecef[0]), float(ecef[1]), float(ecef[2])),
                   update_interval=sensor.update_interval_s, sigma_angle=sensor.sigma_angle_mrad * 1e-3,
                   reference_snr_db=sensor.reference_snr_db, reference_range=sensor.reference_range_km * 1e3,
                   reference_rcs=sensor.reference_rcs_m2)


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """All tracker parameters (SI). Defaults are tuned on the built-in scenarios; see docs/tracking.md."""

    nation: str
    sensors: tuple[SensorSpec, ...] = ()
    # --- gating and assignment
    gate_probability: float = 0.9995
    """χ² gate for plot-to-track association (dim 3 → 17.7, dim 4 → 20.0, dim 2 → 15.2)."""
    pregate_sigmas: float = 6.0
    """Coarse k-d tree pre-gate radius in predicted position standard deviations."""
    pregate_floor: float = 2_000.0
    """Minimum pre-gate radius, metres (covers the plot's own cross-range error)."""
    # --- confirmation and deletion
    confirm_hits: int = 3
    """A tentative track is confirmed at its ``confirm_hits``-th associated plot ..."""
    tentative_max_gap: float = 12.0
    """... provided no two successive plots are further apart than this (s): M-of-N by time."""
    coast_after: float = 10.0
    """A confirmed track with no plot for this long is reported COASTING."""
    delete_after: float = 60.0
    """A coasting track is deleted after this long without a plot ...
    """
    established_updates: int = 20
    """... unless it has had this many plots and has flown in the ballistic model for
    ``established_free_time`` since any boost ended: then it coasts (reported COASTING) up to
    ``established_coast`` or until it is predicted to have impacted — a lofted ICBM is out of every
    radar's sight for half an hour and must be picked up by the same track on the way down. (A copy
    of a burning missile that lost its thrust is not established.)"""
    established_free_time: float = 60.0
    established_coast: float = 4_000.0
    boost_delete_after: float = 15.0
    """A track in the boost model is deleted after this long without a plot: with the thrust unknown
    its prediction is soon worthless (and a track false alarms started would otherwise live on)."""
    delete_below_height: float = -2_000.0
    """A track predicted this far below the ellipsoid has impacted: deleted."""
    split_gate: float = 22.46
    """χ²(6) distance below which two confirmed tracks are one missile's pieces (e.g. RV and stage) ..."""
    split_rcs_db: float = 6.0
    """... and the older one keeps the smaller (by this many dB) — the warhead keeps its track."""
    # --- late measurements
    late_window: float = 30.0
    """Measurements up to this old (relative to ``now``) are used by retrodiction; older are rejected."""
    ir_pair_window: float = 2.5
    """Space-IR lines of sight from two satellites this close in time may be triangulated."""
    ir_pair_gate: float = 20.0
    """χ²(1)-scaled miss distance above which two lines of sight are not the same plume."""
    # --- filter models
    q_ballistic: float = 1e-4
    """White acceleration noise density below ``drag_ceiling`` (drag model error), m²/s³."""
    q_vacuum: float = 1e-8
    """White acceleration noise density above ``drag_ceiling``, m²/s³: there the ballistic model
    (J2 gravity, frame terms) misses only higher harmonics and third bodies, ~1e-5 m/s² correlated
    over ~100 s (q ≈ 2σ²τ ≈ 2e-8). A larger q makes the midcourse covariance conservative."""
    q_boost: float = 4.0
    """Boost: extra white acceleration noise for steering (pitch programme), m²/s³."""
    q_initial: float = 400.0
    """Extra white acceleration noise (m²/s³) until a track has ``confirm_hits`` plots (model unknown)."""
    q_thrust: float = 4.0
    """Boost: random-walk density of the thrust acceleration magnitude, (m/s²)²/s."""
    exhaust_velocity: float = 2_800.0
    """v_e in dα/dt = α²/v_e (boost model), m/s."""
    q_drag: float = 0.05
    """Random-walk density of the drag state k = 1e4/β, 1/s, applied below ``drag_ceiling``."""
    drag_ceiling: float = 100_000.0
    """Drag is modelled below this height, metres."""
    drag_prior: float = 2.0
    """Prior mean of k = 1e4/β (β = 5,000 kg/m², a re-entry vehicle)."""
    drag_prior_sigma: float = 1.5
    """Prior 1σ of k: β from ~3,000 kg/m² to beyond 24,000 kg/m² within ±1σ."""
    thrust_prior_sigma: float = 30.0
    """Prior 1σ of the thrust acceleration of a new boost-mode track, m/s²."""
    velocity_prior_sigma: float = 2_500.0
    """Prior 1σ (per axis) of the velocity of a track started from one plot, m/s."""
    burnout_lookback: float = 1.0
    """The burnout hypothesis lets the engine stop from this long before the last plot (which may
    have been explained, wrongly, with thrust) up to the new plot, s."""
    burnout_accel: float = 3.0
    """Boost → ballistic also when the thrust is consistent with zero (95 %) or below this, m/s², ..."""
    burnout_updates: int = 4
    """... for this many successive updates ..."""
    burnout_min_thrust: float = 15.0
    """... once the thrust along the flight is known (95 %, one-sided) to be below this, m/s² — the
    least a burning missile has (lift-off thrust-to-weight ≥ 1.5, more as the propellant burns): a
    wide estimate is consistent with zero yet says nothing, and a young boost track would otherwise
    lose its thrust while burning ..."""
    burnout_updates_unknown: int = 20
    """... or, when the sensors never pin the thrust down that well, after this many successive updates
    consistent with zero."""
    reboost_nis: float = 40.0
    """Ballistic → boost when the sum of the NIS of the last 3 updates exceeds this (thrust seen)."""
    max_step: float = 5.0
    """Longest single integration step, seconds."""
    assess_samples: int = 0
    """0: unscented transform for impact prediction; N > 0: N Monte-Carlo samples."""

    def sensor(self, sensor_id: str) -> SensorSpec | None:
        """The spec of a sensor by id, or None when the nation has no such sensor."""
        for spec in self.sensors:
            if spec.id == sensor_id:
                return spec
        return None

    @property
    def sensor_positions(self) -> np.ndarray:
        """(S, 3) ECEF positions of the nation's sensors."""
        return np.array([s.ecef for s in self.sensors], dtype=float).reshape(-1, 3)

    @classmethod
    def for_nation(cls, network: NetworkConfig, nation: str, **overrides: object) -> "TrackerConfig":
        """The configuration of ``nation``'s tracker from a network description."""
        sensors = tuple(SensorSpec.from_config(s) for s in network.sensors_of(nation))
        if not sensors:
            raise ValueError(f"nation {nation!r} has no sensors in network {network.name!r}")
        return cls(nation=nation, sensors=sensors, **overrides)  # type: ignore[arg-type]
