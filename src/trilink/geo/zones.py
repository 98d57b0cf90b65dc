"""Which nation's land, territorial sea (12 nmi) or EEZ (200 nmi) a point lies in.

Sea zones are computed, not read: no maintained package ships EEZ polygons.
A sea point belongs to the nation whose coast is nearest (the equidistance or
median-line principle between neighbours) when that coast is within 12 nmi
(territorial sea) or 200 nmi (EEZ). Distances are measured from the Natural
Earth coastline, not from legal baselines. Known errors (straight baselines,
islets missing from Natural Earth, agreed and disputed boundaries, joint
zones) are listed in docs/geography.md. Vectorised: classify thousands of
impact samples in one call.
"""

from dataclasses import dataclass

import numpy as np

from trilink.geo.areas import Area, area_at
from trilink.geo.coast import coast_distance, in_theatre
from trilink.geo.seacells import nearest_sea_owner
from trilink.geo.territory import MODELED_NATIONS, countries, country_at
from trilink.geo.units import NMI

TERRITORIAL_SEA_M = 12.0 * NMI
EEZ_M = 200.0 * NMI


@dataclass(frozen=True, slots=True)
class Zones:
    """Zone membership of N points: ISO alpha-3 codes, '' where none."""

    country: np.ndarray
    """Country whose land contains the point."""
    territorial_sea_of: np.ndarray
    eez_of: np.ndarray
    """Nation whose EEZ contains the point (sea points only; '' on land or high seas)."""
    sea_owner_distance: np.ndarray
    """Distance (m) to the coast of the nearest nation (the one the sea zones refer to); away from
    the zone limits and median lines within ~4 km (see ``seacells``)."""

    @property
    def on_land(self) -> np.ndarray:
        """True where the point is on some country's land."""
        return self.country != ""


def classify(lat: np.ndarray | float, lon: np.ndarray | float) -> Zones:
    """Land / territorial sea / EEZ of each point (radians)."""
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    country = country_at(lat, lon)
    territorial = np.full(lat.shape, "", dtype=object)
    eez = np.full(lat.shape, "", dtype=object)
    distance = np.full(lat.shape, np.inf)
    sea = (country == "") & in_theatre(lat, lon)
    if sea.any():
        owner, d = nearest_sea_owner(lat[sea], lon[sea], (TERRITORIAL_SEA_M, EEZ_M))
        codes = np.array(countries().codes, dtype=object)[owner]
        distance[sea] = d
        territorial[sea] = np.where(d <= TERRITORIAL_SEA_M, codes, "")
        eez[sea] = np.where(d <= EEZ_M, codes, "")
    return Zones(country=country, territorial_sea_of=territorial, eez_of=eez, sea_owner_distance=distance)


@dataclass(frozen=True, slots=True)
class Where:
    """The answer of ``trilink where`` for one point (the JSON contract in docs/geography.md)."""

    country: str | None
    area: Area | None
    on_land: bool
    territorial_sea_of: str | None
    eez_of: str | None
    coast_distance_m: dict[str, float]

    def to_json(self) -> dict[str, object]:
        """The stable JSON form: ISO alpha-3 codes, area name, kilometres rounded to 0.1."""
        return {
            "country": self.country,
            "area": self.area.name if self.area else None,
            "on_land": self.on_land,
            "territorial_sea_of": self.territorial_sea_of,
            "eez_of": self.eez_of,
            "coast_distance_km": {k: round(v / 1000.0, 1) for k, v in self.coast_distance_m.items()},
        }


def where(lat: float, lon: float, nations: tuple[str, ...] = MODELED_NATIONS) -> Where:
    """Country, first-level area, sea zones and distance to each nation's coast (0 on its land)."""
    zones = classify(lat, lon)
    country = zones.country[0] or None
    territorial = zones.territorial_sea_of[0] or None
    area_nation = country or territorial
    area = area_at(area_nation, lat, lon)[0] if area_nation in nations else None
    distances = {n: 0.0 if n == country else float(coast_distance(n, lat, lon)[0]) for n in nations}
    return Where(country=country, area=area, on_land=country is not None,
                 territorial_sea_of=territorial, eez_of=zones.eez_of[0] or None,
                 coast_distance_m=distances)
