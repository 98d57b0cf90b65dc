"""A sensor measurement as a national sensor gateway delivers it to the tracker.

Radars and space infrared share one measurement function: azimuth and elevation
of the target in the sensor's local ENU frame (azimuth clockwise from north),
plus slant range and range-rate for radars. Space-IR lines of sight have no
range. The simulator and a real sensor gateway produce the same type; the
truth (which object caused a measurement) is never part of it.
"""

from enum import StrEnum

import msgspec


class SensorKind(StrEnum):
    """What kind of sensor made a measurement (shared with partners; identities are not)."""

    RADAR = "radar"
    SPACE_IR = "space_ir"


class Measurement(msgspec.Struct, frozen=True, kw_only=True):
    """One detection (plot) from one sensor at one time. SI units, ECEF sensor position."""

    id: int
    """Unique per measurement stream (gateway sequence number)."""
    time: float
    """UTC epoch seconds at which the sensor made the measurement."""
    delivered: float
    """UTC epoch seconds at which it reached the node (time + reporting latency)."""
    sensor: str
    """The owning nation's identifier of the sensor (never shared with partners)."""
    nation: str
    """ISO 3166-1 alpha-3 code of the sensor's owner."""
    kind: SensorKind
    sensor_ecef: tuple[float, float, float]
    """Sensor position, WGS84 ECEF metres, at ``time``."""
    azimuth: float
    """Radians clockwise from true north in the sensor's local ENU frame, in [0, 2π)."""
    elevation: float
    """Radians above the sensor's local horizontal plane."""
    sigma_azimuth: float
    sigma_elevation: float
    range: float | None = None
    """Slant range, metres (radars only)."""
    sigma_range: float | None = None
    range_rate: float | None = None
    """Slant-range rate, m/s, positive when opening (radars that measure it)."""
    sigma_range_rate: float | None = None
    snr_db: float | None = None
    """Signal-to-noise ratio of the detection, dB, when the sensor reports it."""
