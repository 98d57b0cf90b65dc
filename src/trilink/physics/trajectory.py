"""A flown (truth) trajectory: time-tagged ECEF states with the flight's events.

Produced by the flight model, consumed by the simulator (sensor models) and by
evaluation. Interpolation between stored samples is cubic Hermite (positions and
velocities both stored), which is accurate to well under a metre for samples a
second or two apart in free flight.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Trajectory:
    """One object's flight from launch (or separation) to impact."""

    times: np.ndarray
    """(N,) UTC epoch seconds, strictly increasing."""
    positions: np.ndarray
    """(N, 3) ECEF metres."""
    velocities: np.ndarray
    """(N, 3) ECEF m/s."""
    launch_time: float
    burnout_time: float
    """End of powered flight (= launch_time for an unpowered object)."""
    impact_time: float
    apogee_time: float
    stage_burnouts: tuple[float, ...] = ()
    """End time of each stage's burn (separation events)."""
    thrusting: np.ndarray | None = field(default=None)
    """Optional (N,) bool: engine burning at each sample (default: launch ≤ t ≤ burnout)."""

    def state_at(self, t: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity (…, 3) at times ``t`` (clipped to the flight), Hermite-interpolated."""
        t = np.clip(np.asarray(t, dtype=float), self.times[0], self.times[-1])
        idx = np.clip(np.searchsorted(self.times, t, side="right") - 1, 0, len(self.times) - 2)
        t0 = self.times[idx]
        h = self.times[idx + 1] - t0
        s = ((t - t0) / h)[..., None]
        p0, p1 = self.positions[idx], self.positions[idx + 1]
        v0, v1 = self.velocities[idx] * h[..., None], self.velocities[idx + 1] * h[..., None]
        s2, s3 = s * s, s * s * s
        pos = ((2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * v0
               + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * v1)
        dpos = ((6 * s2 - 6 * s) * p0 + (3 * s2 - 4 * s + 1) * v0
                + (-6 * s2 + 6 * s) * p1 + (3 * s2 - 2 * s) * v1) / h[..., None]
        return pos, dpos

    def is_thrusting(self, t: np.ndarray | float) -> np.ndarray:
        """Whether the engine burns at times ``t``."""
        t = np.asarray(t, dtype=float)
        return (t >= self.launch_time) & (t <= self.burnout_time)

    @property
    def flight_time(self) -> float:
        """Seconds from launch to impact."""
        return self.impact_time - self.launch_time
