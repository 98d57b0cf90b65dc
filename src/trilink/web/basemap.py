"""The page's offline basemap: first-level areas and territorial-sea / EEZ limits as GeoJSON.

Built once per process from `trilink.geo.outlines` (the same areas and sea-zone
rules the alert engine decides with), simplified for display and rounded to
1e-4° (~10 m), then cached; `warm` builds it on a worker thread so the first
page load does not wait for it.
"""

import threading
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from trilink.geo.outlines import area_outlines, sea_limits

AREA_NATIONS: tuple[str, ...] = ("JPN", "KOR", "PRK")
"""Nations whose first-level areas are drawn (the allies whose areas alerts name, and the DPRK)."""
SEA_NATIONS: tuple[str, ...] = ("JPN", "KOR")
"""Nations whose 12 nmi and 200 nmi limits are drawn."""
_PLACES = 4


def _rounded(geometry: shapely.Geometry) -> dict[str, Any]:
    return mapping(shapely.transform(geometry, lambda c: np.round(c, _PLACES)))


def _line_feature(nation: str, kind: str, lines: tuple[np.ndarray, ...]) -> dict[str, Any]:
    geometry = {"type": "MultiLineString",
                "coordinates": [np.round(line, _PLACES).tolist() for line in lines]}
    return {"type": "Feature", "id": f"{kind}:{nation}", "geometry": geometry,
            "properties": {"kind": kind, "nation": nation}}


_lock = threading.Lock()


def basemap(area_nations: tuple[str, ...] = AREA_NATIONS,
            sea_nations: tuple[str, ...] = SEA_NATIONS) -> dict[str, Any]:
    """FeatureCollection: ``area`` polygons (nation, name, code, local_name), 12 nmi and EEZ lines."""
    with _lock:                      # one build, however many pages or threads ask at once
        return _build(area_nations, sea_nations)


@cache
def _build(area_nations: tuple[str, ...], sea_nations: tuple[str, ...]) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for nation in area_nations:
        for area, shape in area_outlines(nation):
            features.append({"type": "Feature", "id": f"area:{area.code or nation + ':' + area.name}",
                             "geometry": _rounded(shape),
                             "properties": {"kind": "area", "nation": nation, "name": area.name,
                                            "code": area.code, "local_name": area.local_name}})
    for nation in sea_nations:
        limits = sea_limits(nation)
        for kind in ("territorial_sea", "eez"):
            if limits[kind]:
                features.append(_line_feature(nation, kind, limits[kind]))
    return {"type": "FeatureCollection", "features": features}


def warm(area_nations: tuple[str, ...] = AREA_NATIONS, sea_nations: tuple[str, ...] = SEA_NATIONS
         ) -> threading.Thread:
    """Build the basemap on a daemon thread (the cache then answers the page at once)."""
    thread = threading.Thread(target=basemap, args=(area_nations, sea_nations), name="basemap", daemon=True)
    thread.start()
    return thread
