"""Shared builders for the fusion tests: a midcourse missile state and source tracks around it."""

import numpy as np

from trilink.fusion import SourceTrack
from trilink.geo.frames import enu_rotation, geodetic_to_ecef
from trilink.model import Phase

T0 = 1_800_000_000.0


def midcourse_state(lat_deg: float = 40.0, lon_deg: float = 134.0, height: float = 300e3) -> np.ndarray:
    """An ECEF state over the Sea of Japan, heading east-south-east at 3 km/s, climbing slowly."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    pos = geodetic_to_ecef(lat, lon, height)
    east, north, up = enu_rotation(lat, lon)
    vel = 2800.0 * east - 1000.0 * north + 300.0 * up
    return np.concatenate([pos, vel])


def diag_cov(sigma_pos: float, sigma_vel: float) -> np.ndarray:
    """Diagonal 6×6 covariance."""
    return np.diag([sigma_pos**2] * 3 + [sigma_vel**2] * 3)


def random_cov(rng: np.random.Generator, sigma_pos: float = 200.0, sigma_vel: float = 10.0) -> np.ndarray:
    """A random well-conditioned full covariance with roughly the given scales."""
    scale = np.diag([sigma_pos] * 3 + [sigma_vel] * 3)
    a = rng.normal(size=(6, 6))
    corr = a @ a.T / 6.0 + 0.3 * np.eye(6)
    return scale @ corr @ scale


def source(nation: str, track_id: str, state: np.ndarray, cov: np.ndarray, time: float = T0,
           **kw: object) -> SourceTrack:
    """A midcourse SourceTrack."""
    kw.setdefault("phase", Phase.MIDCOURSE)
    return SourceTrack(nation=nation, track_id=track_id, time=time, state=np.asarray(state, dtype=float),
                       covariance=np.asarray(cov, dtype=float), **kw)
