"""Array containers passed between the scan scheduler and the sensor models.

Sensor models work on whole scans of all objects at once (one row per object per
scan time), so these hold flat numpy arrays, never Python objects per sample.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Samples:
    """True target states at one sensor's scan times, all objects concatenated, shape (N,)."""

    times: np.ndarray
    positions: np.ndarray
    """(N, 3) ECEF metres."""
    velocities: np.ndarray
    """(N, 3) ECEF m/s."""
    rcs: np.ndarray
    """Radar cross-section, m²."""
    plume: np.ndarray
    """Bool: an engine burns (visible to space infrared)."""
    object_index: np.ndarray
    """Index into the simulation's object list."""

    @classmethod
    def empty(cls) -> "Samples":
        """No samples."""
        return cls(np.zeros(0), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0),
                   np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64))


@dataclass(frozen=True)
class Detections:
    """What one sensor reported over a stretch of time, shape (M,); NaN where not measured."""

    times: np.ndarray
    azimuth: np.ndarray
    elevation: np.ndarray
    sigma_azimuth: np.ndarray
    sigma_elevation: np.ndarray
    range: np.ndarray
    sigma_range: np.ndarray
    range_rate: np.ndarray
    sigma_range_rate: np.ndarray
    snr_db: np.ndarray
    object_index: np.ndarray
    """Object that caused each detection; -1 for a false alarm."""

    def __len__(self) -> int:
        return len(self.times)

    @classmethod
    def concatenate(cls, parts: "list[Detections]") -> "Detections":
        """All parts' rows, in order."""
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    @classmethod
    def empty(cls) -> "Detections":
        """No detections."""
        arrays = {f: np.zeros(0) for f in _FIELDS}
        arrays["object_index"] = np.zeros(0, dtype=np.int64)
        return cls(**arrays)

    def take(self, index: np.ndarray) -> "Detections":
        """Rows selected by an index or mask."""
        return Detections(*(getattr(self, f)[index] for f in _FIELDS))


_FIELDS = ("times", "azimuth", "elevation", "sigma_azimuth", "sigma_elevation", "range",
           "sigma_range", "range_rate", "sigma_range_rate", "snr_db", "object_index")
