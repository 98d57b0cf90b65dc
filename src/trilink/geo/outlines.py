"""Outlines for drawing: first-level areas as polygons, territorial-sea and EEZ limits as lines.

Read-only helpers over the rest of ``trilink.geo`` that draw exactly what the
system decides with, not another data set: an area's outline is the union of
the Voronoi cells of its GeoNames places (the rule of `trilink.geo.areas`)
clipped to the nation's Natural Earth land; a nation's 12 nmi and 200 nmi
limits are the zero contour of ``max(d_own - R, d_own - d_other)`` (distance to
its own coast minus the limit, or minus the nearest other nation's coast: the
median line), the rule of `trilink.geo.zones`, sampled on a grid and contoured
by contourpy. Voronoi cells, unions, clipping and simplification are shapely;
projections are pyproj. Results are lon/lat degrees (the GeoJSON edge),
simplified for display, and cached per process.
"""

from functools import cache

import contourpy
import numpy as np
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from trilink.geo.areas import Area, _places
from trilink.geo.coast import coastline_of, theatre_coastline
from trilink.geo.frames import ecef_to_geodetic, geodetic_to_ecef
from trilink.geo.territory import countries, land_of
from trilink.geo.zones import EEZ_M, TERRITORIAL_SEA_M

DISPLAY_TOLERANCE_M = 1500.0
"""Outlines are simplified to this tolerance (Douglas–Peucker): invisible at the page's zooms."""
GRID_STEP_DEG = 0.1
"""Sea-zone distance fields are sampled this finely (≈10 km) and contoured (linear interpolation
of a smooth distance field: the 12 nmi line is placed to well under a kilometre off coastal bends)."""
BOX_MARGIN_DEG = 6.0
"""Sea zones are computed over the nation's land box widened by this (EEZs reach ~3.7°)."""


def _projection(lat0_deg: float, lon0_deg: float) -> tuple[Transformer, Transformer]:
    """Lon/lat degrees ⇄ a Lambert azimuthal equal-area plane (m) centred on the nation."""
    crs = f"+proj=laea +lat_0={lat0_deg:.4f} +lon_0={lon0_deg:.4f} +datum=WGS84 +units=m"
    return (Transformer.from_crs("EPSG:4326", crs, always_xy=True),
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True))


@cache
def area_outlines(nation: str, tolerance_m: float = DISPLAY_TOLERANCE_M
                  ) -> tuple[tuple[Area, BaseGeometry], ...]:
    """Every first-level area of ``nation`` with its outline (lon/lat degrees), simplified."""
    places = _places(nation)
    if places is None:
        return ()
    lat, lon, _ = ecef_to_geodetic(np.asarray(places.tree.data))
    lat_deg, lon_deg = np.degrees(lat), np.degrees(lon)
    forward, back = _projection(float(np.mean(lat_deg)), float(np.mean(lon_deg)))
    x, y = forward.transform(lon_deg, lat_deg)
    land = shapely.transform(land_of(nation), lambda c: np.column_stack(forward.transform(c[:, 0], c[:, 1])))
    points = shapely.multipoints(np.column_stack([x, y]))
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=land.envelope.buffer(1e5)))
    # voronoi_polygons returns cells in arbitrary order: find each place's cell
    tree = shapely.STRtree(cells)
    seed, cell = tree.query(shapely.points(x, y), predicate="within")
    owner = np.full(len(cells), -1)
    owner[cell] = np.asarray(places.area_index)[seed]
    out = []
    for index, area in enumerate(places.areas):
        mine = cells[owner == index]
        if not len(mine):
            continue
        shape = shapely.intersection(shapely.union_all(mine), land)
        shape = shapely.simplify(shape, tolerance_m, preserve_topology=True)
        if shape.is_empty:
            continue
        shape = shapely.transform(shape, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
        out.append((area, shape))
    return tuple(out)


def _other_coasts(nation: str) -> tuple[cKDTree, list[BaseGeometry]]:
    """A k-d tree over the theatre's coastal vertices of every country but ``nation``, and their land."""
    coast = theatre_coastline()
    data = countries()
    codes = np.array(data.codes, dtype=object)[coast.country]
    keep = codes != nation
    others = [data.geometries[i] for i in sorted({int(i) for i in coast.country[keep]})]
    return cKDTree(geodetic_to_ecef(coast.lat[keep], coast.lon[keep], 0.0)), others


def _inside(lands: list[BaseGeometry], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where a lon/lat point lies on any of ``lands`` (only land boxes that hold points are tested)."""
    inside = np.zeros(x.shape, dtype=bool)
    for land in lands:
        west, south, east, north = land.bounds
        box = (x >= west) & (x <= east) & (y >= south) & (y <= north)
        if box.any():
            shapely.prepare(land)
            inside[box] |= shapely.contains_xy(land, x[box], y[box])
    return inside


@cache
def sea_limits(nation: str, tolerance_m: float = DISPLAY_TOLERANCE_M
               ) -> dict[str, tuple[np.ndarray, ...]]:
    """``{"territorial_sea": lines, "eez": lines}``: each line an (N, 2) array of lon/lat degrees.

    Distances are the k-d tree's chords between surface points: shorter than the geodesic
    by d³/24R², under 0.1 km at 200 nmi.
    """
    own_land = land_of(nation)
    west, south, east, north = own_land.bounds
    lon_deg = np.arange(west - BOX_MARGIN_DEG, east + BOX_MARGIN_DEG + 1e-9, GRID_STEP_DEG)
    lat_deg = np.arange(max(south - BOX_MARGIN_DEG, -89.0), min(north + BOX_MARGIN_DEG, 89.0) + 1e-9,
                        GRID_STEP_DEG)
    glon, glat = np.meshgrid(lon_deg, lat_deg)
    points = geodetic_to_ecef(np.radians(glat.ravel()), np.radians(glon.ravel()), 0.0)
    far = 1.5 * EEZ_M                   # beyond this the exact distance does not move a limit
    d_own, _ = coastline_of(nation).tree.query(points, distance_upper_bound=far)
    tree, other_land = _other_coasts(nation)
    d_other, _ = tree.query(points, distance_upper_bound=far)
    d_own, d_other = np.minimum(d_own, far), np.minimum(d_other, far)
    x, y = glon.ravel(), glat.ravel()
    d_own = np.where(_inside([own_land], x, y), -d_own, d_own)
    d_other = np.where(_inside(other_land, x, y), -d_other, d_other)
    out: dict[str, tuple[np.ndarray, ...]] = {}
    for name, limit in (("territorial_sea", TERRITORIAL_SEA_M), ("eez", EEZ_M)):
        field = np.maximum(d_own - limit, d_own - d_other).reshape(glat.shape)
        lines = contourpy.contour_generator(lon_deg, lat_deg, field).lines(0.0)
        simplified = []
        for line in lines:
            shape = shapely.simplify(shapely.linestrings(line), tolerance_m / 111_000.0)
            coords = shapely.get_coordinates(shape)
            if len(coords) >= 2:
                simplified.append(coords)
        out[name] = tuple(simplified)
    return out
