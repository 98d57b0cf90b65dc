"""The public calibration launches of /shared/reference/missiles.md, as data.

Each is flown from its site, reported apogee and reported range only; the launch
azimuth comes from the public impact description (a landmark and an offset), which
only orients the flight and does not change its flight time.
"""

from dataclasses import dataclass

from trilink.geo.geodesy import geodesic_direct, geodesic_inverse
from trilink.geo.units import parse_time, rad

SITES: dict[str, tuple[float, float]] = {
    "Sunan": (39.2002, 125.6733),
    "Pyongsong": (39.282, 125.869),
    "Wonsan Kalma": (39.1677, 127.4817),
}
"""Launch sites, degrees (sites_and_sensors.md)."""

LANDMARKS: dict[str, tuple[float, float]] = {
    "Cape Erimo": (41.924, 143.248),
    "Aomori": (40.822, 140.747),
    "Oshima-Oshima": (41.510, 139.367),
}


@dataclass(frozen=True)
class CalibrationLaunch:
    """One public launch: what was reported, in edge units (degrees, km, s)."""

    date: str
    """ISO 8601 UTC launch time."""
    missile: str
    label: str
    site: str
    apogee_km: float
    range_km: float
    flight_time_s: float | None
    landmark: str | None
    """Impact reported relative to this landmark ..."""
    offset_km: float
    offset_bearing_deg: float
    """... at this distance and bearing from it; without a landmark, this bearing is the launch azimuth."""

    @property
    def launch_time(self) -> float:
        """UTC epoch seconds."""
        return parse_time(self.date)

    def site_rad(self) -> tuple[float, float]:
        """Launch site (lat, lon) in radians."""
        lat, lon = SITES[self.site]
        return rad(lat), rad(lon)

    def azimuth(self) -> float:
        """Launch azimuth (rad) towards the reported impact area."""
        lat, lon = self.site_rad()
        if self.landmark is None:
            return rad(self.offset_bearing_deg)
        mlat, mlon = LANDMARKS[self.landmark]
        ilat, ilon = geodesic_direct(rad(mlat), rad(mlon), rad(self.offset_bearing_deg),
                                     self.offset_km * 1e3)
        return float(geodesic_inverse(lat, lon, ilat, ilon)[1])


CALIBRATION_LAUNCHES: tuple[CalibrationLaunch, ...] = (
    CalibrationLaunch("2017-08-28T20:58:00Z", "hwasong-12", "standard", "Sunan", 550.0, 2_700.0,
                      14 * 60.0, "Cape Erimo", 1_180.0, 90.0),
    CalibrationLaunch("2017-11-28T18:17:00Z", "hwasong-15", "lofted", "Pyongsong", 4_475.0, 950.0,
                      53 * 60.0, "Aomori", 250.0, 270.0),
    CalibrationLaunch("2022-11-18T01:14:00Z", "hwasong-17", "lofted", "Sunan", 6_000.0, 1_000.0,
                      4_135.0, "Oshima-Oshima", 200.0, 270.0),
    CalibrationLaunch("2019-07-24T20:34:00Z", "kn-23", "depressed", "Wonsan Kalma", 50.0, 430.0,
                      None, None, 0.0, 60.0),
    CalibrationLaunch("2019-07-24T20:34:00Z", "kn-23", "depressed", "Wonsan Kalma", 50.0, 690.0,
                      None, None, 0.0, 60.0),
)
