"""The memoised sea-zone grid answers exactly what the nearest-vertex search answers."""

import numpy as np

from trilink.geo import seacells, zones
from trilink.geo.coast import in_theatre, nearest_coast, theatre_coastline
from trilink.geo.territory import countries


def _exact(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Territorial sea and EEZ owners, and distance, from the k-d tree alone (sea points)."""
    coast = theatre_coastline()
    distance, index = nearest_coast(coast, lat, lon)
    codes = np.array(countries().codes, dtype=object)[coast.country[index]]
    return (np.where(distance <= zones.TERRITORIAL_SEA_M, codes, ""),
            np.where(distance <= zones.EEZ_M, codes, ""), distance)


def test_grid_answers_match_the_exact_search_near_coasts_limits_and_median_lines() -> None:
    rng = np.random.default_rng(11)
    # the Sea of Japan at large, the Tsugaru strait (12 nmi limits), the Korea strait (median line)
    lat = np.radians(np.concatenate([rng.uniform(33, 46, 2000), rng.normal(41.4, 0.25, 1500),
                                     rng.normal(34.6, 0.4, 1500)]))
    lon = np.radians(np.concatenate([rng.uniform(127, 143, 2000), rng.normal(140.4, 0.3, 1500),
                                     rng.normal(129.6, 0.5, 1500)]))
    z = zones.classify(lat, lon)
    sea = (z.country == "") & in_theatre(lat, lon)
    assert sea.sum() > 3000
    territorial, eez, distance = _exact(lat[sea], lon[sea])
    assert np.array_equal(z.territorial_sea_of[sea], territorial)
    assert np.array_equal(z.eez_of[sea], eez)
    assert np.max(np.abs(z.sea_owner_distance[sea] - distance)) < 4_000.0
    # asked again, every answer comes from the memo and is the same
    again = zones.classify(lat, lon)
    assert np.array_equal(again.eez_of, z.eez_of) and np.array_equal(again.territorial_sea_of,
                                                                     z.territorial_sea_of)


def test_cells_near_a_zone_limit_are_left_to_the_exact_search() -> None:
    limits = (zones.TERRITORIAL_SEA_M, zones.EEZ_M)
    # a point ~12 nmi off Hokkaido's west coast and one in mid-sea
    lat = np.radians(np.array([43.0, 40.0]))
    lon = np.radians(np.array([140.05, 134.0]))
    _owner, distance = seacells.nearest_sea_owner(lat, lon, limits)
    memo = seacells._MEMOS[limits]
    keys = seacells._cell_keys(lat, lon)[0].tolist()
    exact = nearest_coast(theatre_coastline(), lat, lon)[0]
    for k, d, e in zip(keys, distance.tolist(), exact.tolist(), strict=True):
        if memo.owner[k] < 0:
            assert d == e
