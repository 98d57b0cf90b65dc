"""Acceptance check 6: land, first-level area, territorial sea and EEZ for known places."""

import math

import numpy as np
import pytest

from trilink.geo.areas import area_at, areas_of
from trilink.geo.coast import coast_distance
from trilink.geo.zones import EEZ_M, TERRITORIAL_SEA_M, classify, where

# (lat, lon) degrees → expected country, area ISO code (None: not checked), territorial sea, EEZ
LAND = {
    # landmarks of ../shared/reference/sites_and_sensors.md
    "Oshima-Oshima": ((41.510, 139.367), "JPN", "JP-01"),
    "Okushiri": ((42.149, 139.467), "JPN", "JP-01"),
    "Cape Tappi": ((41.258, 140.343), "JPN", "JP-02"),
    "Hegurajima": ((37.851, 136.919), "JPN", "JP-17"),
    "Ulleungdo": ((37.50, 130.87), "KOR", "KR-47"),
    # cities and islands
    "Tokyo": ((35.681, 139.767), "JPN", "JP-13"),
    "Sapporo": ((43.062, 141.354), "JPN", "JP-01"),
    "Niigata": ((37.916, 139.036), "JPN", "JP-15"),
    "Sado (Kuninaka plain)": ((38.02, 138.37), "JPN", "JP-15"),
    "Izu Oshima": ((34.74, 139.40), "JPN", "JP-13"),
    "Hachijojima": ((33.10, 139.80), "JPN", "JP-13"),
    "Tsushima": ((34.40, 129.30), "JPN", "JP-42"),
    "Naha": ((26.212, 127.679), "JPN", "JP-47"),
    "Seoul": ((37.5665, 126.978), "KOR", "KR-11"),
    "Busan": ((35.18, 129.08), "KOR", "KR-26"),
    "Jeju": ((33.50, 126.53), "KOR", "KR-49"),
    "Pyongyang": ((39.02, 125.75), "PRK", None),
    "Vladivostok": ((43.12, 131.89), "RUS", None),
    "Shanghai": ((31.23, 121.47), "CHN", None),
    "Taipei": ((25.03, 121.56), "TWN", None),
}

SEA = {
    # name: (lat, lon), territorial_sea_of, eez_of
    "~200 km west of Oshima-Oshima": ((41.51, 137.10), None, "JPN"),
    "Yamato Bank": ((39.3, 135.0), None, "JPN"),
    "5 km off Sado's west coast": ((38.00, 138.17), "JPN", "JPN"),
    "3 km off Tsushima": ((34.50, 129.52), "JPN", "JPN"),
    "off Busan": ((35.05, 129.10), "KOR", "KOR"),
    "off Wonsan": ((39.5, 129.0), None, "PRK"),
    "Pacific, 690 km east of Honshu": ((38.0, 150.0), None, None),
    "Cape Erimo (a cape; 0.7 km off the 10 m coast)": ((41.924, 143.248), "JPN", "JPN"),
}


@pytest.mark.parametrize("name", list(LAND))
def test_land_points(name: str) -> None:
    (lat, lon), country, area_code = LAND[name]
    answer = where(math.radians(lat), math.radians(lon))
    assert answer.country == country and answer.on_land, answer
    assert answer.territorial_sea_of is None and answer.eez_of is None
    assert answer.coast_distance_m[country] == 0.0
    if area_code is not None:
        assert answer.area is not None and answer.area.code == area_code, answer.area


@pytest.mark.parametrize("name", list(SEA))
def test_sea_points(name: str) -> None:
    (lat, lon), territorial, eez = SEA[name]
    answer = where(math.radians(lat), math.radians(lon))
    assert not answer.on_land and answer.country is None
    assert answer.territorial_sea_of == territorial, answer
    assert answer.eez_of == eez, answer


def test_hegurajima_an_islet_natural_earth_omits_is_japanese_land_with_its_own_sea() -> None:
    # 0.9 km², absent from Natural Earth 10 m; present in GSHHG full resolution (geo/islets.py)
    answer = where(math.radians(37.851), math.radians(136.919))
    assert answer.country == "JPN" and answer.on_land
    assert answer.area is not None and answer.area.code == "JP-17"  # Ishikawa
    # and it has a territorial sea of its own, 40+ km from the Noto peninsula
    nearby = where(math.radians(37.851 + 0.1), math.radians(136.919))
    assert nearby.territorial_sea_of == "JPN"


def test_json_contract_shape() -> None:
    data = where(math.radians(41.51), math.radians(137.10)).to_json()
    assert list(data) == ["country", "area", "on_land", "territorial_sea_of", "eez_of", "coast_distance_km"]
    assert set(data["coast_distance_km"]) >= {"JPN", "KOR", "PRK", "CHN", "RUS"}
    # ~200 km west of Oshima-Oshima, as the public reports say
    assert 180.0 < data["coast_distance_km"]["JPN"] < 215.0


def test_zone_thresholds_follow_distance() -> None:
    # a line of points heading west from Sado's coast: territorial sea, then EEZ only
    lon = np.radians(np.linspace(138.20, 137.0, 60))
    lat = np.full(lon.shape, math.radians(38.0))
    zones = classify(lat, lon)
    distance = coast_distance("JPN", lat, lon)
    sea = ~zones.on_land
    assert np.all((zones.territorial_sea_of[sea] == "JPN") == (distance[sea] <= TERRITORIAL_SEA_M + 1.0))
    assert np.all(zones.eez_of[sea] == "JPN") and np.all(distance[sea] <= EEZ_M)


def test_median_line_in_korea_strait() -> None:
    # between Busan and Tsushima the sea goes to the nearer coast
    lat = np.radians(np.full(21, 34.9))
    lon = np.radians(np.linspace(129.0, 129.45, 21))
    zones = classify(lat, lon)
    kor = coast_distance("KOR", lat, lon)
    jpn = coast_distance("JPN", lat, lon)
    sea = ~zones.on_land
    assert np.all(np.where(kor[sea] < jpn[sea], "KOR", "JPN") == zones.eez_of[sea])


def test_areas_cover_every_prefecture_and_province() -> None:
    assert len({a.code for a in areas_of("JPN")}) == 47
    assert {a.code for a in areas_of("KOR")} >= {"KR-11", "KR-26", "KR-41", "KR-47", "KR-49"}
    hokkaido = next(a for a in areas_of("JPN") if a.code == "JP-01")
    assert hokkaido.name == "Hokkaido" and hokkaido.local_name == "北海道"
    assert area_at("JPN", math.radians(43.06), math.radians(141.35))[0] == hokkaido
