"""The one place where edge units (degrees, km, nmi, ISO times) are converted to SI and back.

Inside trilink everything is metres, seconds, radians and UTC epoch seconds.
"""

import math
from datetime import UTC, datetime

import numpy as np

KM = 1000.0
NMI = 1852.0
"""International nautical mile, metres."""
FEET = 0.3048


def deg(x_rad: float | np.ndarray) -> float | np.ndarray:
    """Radians → degrees."""
    return np.degrees(x_rad) if isinstance(x_rad, np.ndarray) else math.degrees(x_rad)


def rad(x_deg: float | np.ndarray) -> float | np.ndarray:
    """Degrees → radians."""
    return np.radians(x_deg) if isinstance(x_deg, np.ndarray) else math.radians(x_deg)


def km(x_m: float) -> float:
    """Metres → kilometres."""
    return x_m / KM


def m_from_km(x_km: float) -> float:
    """Kilometres → metres."""
    return x_km * KM


def parse_time(text: str) -> float:
    """ISO 8601 time with an explicit offset or ``Z`` → UTC epoch seconds.

    Raises ValueError for malformed text or a time without a zone (ambiguous).
    """
    if not isinstance(text, str):
        raise ValueError(f"time must be an ISO 8601 string, got {text!r}")
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"time has no UTC offset (add Z): {text!r}")
    return parsed.timestamp()


def iso_time(epoch_s: float, *, timespec: str = "milliseconds") -> str:
    """UTC epoch seconds → ISO 8601 with a ``Z`` suffix."""
    text = datetime.fromtimestamp(epoch_s, tz=UTC).isoformat(timespec=timespec)
    return text.replace("+00:00", "Z")


def iso_time_offset(epoch_s: float) -> str:
    """UTC epoch seconds → ``YYYY-MM-DDThh:mm:ss+00:00`` (the form CAP 1.2 requires)."""
    return datetime.fromtimestamp(math.floor(epoch_s), tz=UTC).isoformat(timespec="seconds")


def parse_lat_lon(text: str) -> tuple[float, float]:
    """``"LAT,LON"`` in degrees → (lat, lon) radians; ValueError naming what is wrong."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"expected LAT,LON in degrees, got {text!r}")
    try:
        lat_deg, lon_deg = float(parts[0]), float(parts[1])
    except ValueError as exc:
        raise ValueError(f"expected LAT,LON as numbers, got {text!r}") from exc
    return lat_lon_from_degrees(lat_deg, lon_deg)


def lat_lon_from_degrees(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Validated degrees → radians; longitude wrapped into [-180, 180)."""
    if not (math.isfinite(lat_deg) and math.isfinite(lon_deg)):
        raise ValueError(f"latitude/longitude must be finite, got {lat_deg}, {lon_deg}")
    if not -90.0 <= lat_deg <= 90.0:
        raise ValueError(f"latitude {lat_deg} is outside [-90, 90] degrees")
    if not -360.0 <= lon_deg <= 360.0:
        raise ValueError(f"longitude {lon_deg} is outside [-360, 360] degrees")
    lon_deg = (lon_deg + 180.0) % 360.0 - 180.0
    return math.radians(lat_deg), math.radians(lon_deg)
