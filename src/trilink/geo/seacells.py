"""Sea-zone answers memoised on a 0.05° grid, used only where they are provably exact.

``zones.classify`` asks, for every sea point, which nation's coast is nearest and whether it
is within 12 nmi or 200 nmi. The nearest-vertex query against the theatre's ~870,000 coastal
vertices costs ~10 µs a point, and the alert engine classifies thousands of impact samples and
corridor points at every picture. Distance to a set is 1-Lipschitz, so a grid cell whose centre
is (a) nearer to its owner's coast than to any other nation's by more than the cell's diameter
and (b) farther than its half-diagonal from both zone limits gives every point inside it the
same owner and zones as its centre. Such cells answer from the memo; points in the others (near
a median line or a zone limit) take the exact query. The memo fills lazily per cell.

Margins: δ is the cell's half-diagonal as a chord (an upper bound), plus ``SLACK_M`` for the
difference between the chord the vertex search uses and the geodesic distance the zone limits
are tested on (< 60 m at 370 km).
"""

from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy.spatial import cKDTree

from trilink.geo.coast import Coastline, nearest_coast, theatre_coastline
from trilink.geo.frames import geodetic_to_ecef
from trilink.geo.wgs84 import SEMI_MAJOR_AXIS

CELL_DEG = 0.05
"""Grid step in latitude and longitude (≈5.6 km × 4.3 km at 40° N)."""
SLACK_M = 300.0
"""Metres added to every margin (chord against geodesic; rounding)."""
_COLUMNS = 7200
"""Cells around a parallel (360° / CELL_DEG): the key's longitude modulus."""


@dataclass
class _Memo:
    """Per cell key: the owner's country index (−1: not decided) and the centre's distance (m)."""

    owner: dict[int, int] = field(default_factory=dict)
    distance: dict[int, float] = field(default_factory=dict)


_MEMOS: dict[tuple[float, ...], _Memo] = {}
"""One memo per set of zone limits."""


@cache
def _country_trees() -> dict[int, cKDTree]:
    """A k-d tree over each country's coastal vertices in the theatre (the pieces of the whole tree)."""
    coast = theatre_coastline()
    return {int(c): cKDTree(coast.tree.data[coast.country == c]) for c in np.unique(coast.country)}


def _cell_keys(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell key, row and column of each point (radians)."""
    row = np.floor(np.degrees(lat) / CELL_DEG).astype(np.int64)
    col = np.floor(np.mod(np.degrees(lon), 360.0) / CELL_DEG).astype(np.int64) % _COLUMNS
    return row * _COLUMNS + col, row, col


def _fill(memo: _Memo, coast: Coastline, keys: np.ndarray, rows: np.ndarray, cols: np.ndarray,
          limits: tuple[float, ...]) -> None:
    """Decide the cells ``keys`` (not yet in the memo) from their centres."""
    lat = np.radians((rows + 0.5) * CELL_DEG)
    lon = np.radians((cols + 0.5) * CELL_DEG)
    distance, index = nearest_coast(coast, lat, lon)
    centres = geodetic_to_ecef(lat, lon, 0.0)
    near_chord = np.linalg.norm(coast.tree.data[index] - centres, axis=1)
    owner = coast.country[index]
    # chord half-diagonal of the cell, bounded above using the equatorward edge's longitude width
    step = np.radians(CELL_DEG)
    widest = np.cos(np.clip(np.abs(lat) - 0.5 * step, 0.0, None))  # the cell's equatorward edge
    delta = 0.5 * SEMI_MAJOR_AXIS * 1.005 * step * np.sqrt(1.0 + widest**2) + SLACK_M
    # another nation's coast within near + 2δ of the centre undecides the cell; the search stops
    # at that bound (cells sorted by it, in chunks), which spares the far, slow part of the query
    need = near_chord + 2.0 * delta
    other_chord = np.full(len(keys), np.inf)
    order = np.argsort(need)
    for chunk in np.array_split(order, max(1, len(order) // 256)):
        bound = float(need[chunk].max())
        for country, tree in _country_trees().items():
            others = chunk[owner[chunk] != country]
            if len(others):
                found = tree.query(centres[others], distance_upper_bound=bound)[0]
                other_chord[others] = np.minimum(other_chord[others], found)
    decided = other_chord - near_chord > 2.0 * delta
    for limit in limits:
        decided &= np.abs(distance - limit) > delta
    for key, d, o, ok in zip(keys.tolist(), distance.tolist(), owner.tolist(), decided.tolist(), strict=True):
        memo.owner[key] = o if ok else -1
        memo.distance[key] = d


def nearest_sea_owner(lat: np.ndarray, lon: np.ndarray, limits: tuple[float, ...]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Country index of the nearest coast and the distance (m) to it for sea points (radians).

    Exact in the sense ``zones.classify`` needs: the owner is the nearest coast's country and
    the distance is on the same side of every ``limits`` value as the exact distance. The
    distance itself is exact for points near a limit or a median line and within the cell's
    half-diagonal elsewhere.
    """
    coast = theatre_coastline()
    memo = _MEMOS.setdefault(tuple(limits), _Memo())
    keys, rows, cols = _cell_keys(lat, lon)
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    new = np.array([k not in memo.owner for k in unique.tolist()], dtype=bool)
    if new.any():
        _fill(memo, coast, unique[new], rows[first[new]], cols[first[new]], limits)
    owner_u = np.array([memo.owner[k] for k in unique.tolist()], dtype=np.int64)
    distance_u = np.array([memo.distance[k] for k in unique.tolist()])
    owner, distance = owner_u[inverse], distance_u[inverse]
    exact = owner < 0
    if exact.any():
        d, index = nearest_coast(coast, lat[exact], lon[exact])
        owner[exact] = coast.country[index]
        distance[exact] = d
    return owner, distance
