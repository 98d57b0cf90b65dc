"""Issue 9: the basemap served to the page — first-level areas and sea limits from trilink.geo."""

import math

import numpy as np
import shapely
from fastapi.testclient import TestClient

from tests.web.picture_fixture import StaticView
from trilink.geo.areas import area_at
from trilink.geo.coast import coast_distance
from trilink.geo.outlines import sea_limits
from trilink.geo.zones import EEZ_M, TERRITORIAL_SEA_M
from trilink.web.app import create_app
from trilink.web.basemap import basemap

KOREA = (("KOR",), ("KOR",))


class BasemapView(StaticView):
    def basemap(self) -> dict[str, object] | None:
        return basemap(*KOREA)


def test_api_serves_areas_and_sea_limits_of_korea() -> None:
    client = TestClient(create_app(BasemapView()))
    response = client.get("/api/basemap")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    print(f"/api/basemap for KOR: {len(response.content)} bytes")
    areas = [f for f in body["features"] if f["properties"]["kind"] == "area"]
    assert len(areas) == 17                                    # 17 first-level areas of the ROK
    names = {f["properties"]["name"] for f in areas}
    assert {"Seoul-teukbyeolsi", "Busan-gwangyeoksi", "Jeju-teukbyeoljachido", "Gyeongsangbuk-do"} <= names
    for f in areas:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert f["properties"]["nation"] == "KOR" and f["properties"]["code"].startswith("KR-")
        assert f["id"] == f"area:{f['properties']['code']}"
    kinds = {f["properties"]["kind"] for f in body["features"]}
    assert {"territorial_sea", "eez"} <= kinds
    assert len({f["id"] for f in body["features"]}) == len(body["features"])


def test_area_outlines_hold_the_points_the_alert_engine_puts_in_them() -> None:
    checked = 0
    for f in basemap(*KOREA)["features"]:
        if f["properties"]["kind"] != "area":
            continue
        shape = shapely.geometry.shape(f["geometry"])
        largest = max(shapely.get_parts(shape), key=lambda part: part.area)
        point = largest.point_on_surface()
        if largest.exterior.distance(point) < 0.05:       # simplification moves edges by ~1.5 km
            continue
        found = area_at("KOR", math.radians(point.y), math.radians(point.x))[0]
        assert found is not None and found.name == f["properties"]["name"], (f["properties"], found)
        checked += 1
    assert checked >= 12


def test_sea_limits_lie_at_12_and_200_nmi_or_on_the_median_line() -> None:
    limits = sea_limits("KOR")
    for kind, limit in (("territorial_sea", TERRITORIAL_SEA_M), ("eez", EEZ_M)):
        points = np.vstack(limits[kind])
        lat, lon = np.radians(points[:, 1]), np.radians(points[:, 0])
        d_kor = coast_distance("KOR", lat, lon)
        others = np.min([coast_distance(n, lat, lon) for n in ("JPN", "PRK", "CHN", "RUS")], axis=0)
        at_limit = np.abs(d_kor - limit) < 5e3
        median = np.abs(d_kor - others) < 5e3
        share = float(np.mean(at_limit | median))
        print(f"{kind}: {len(points)} vertices, {share:.1%} at the limit or on a median line")
        assert share > 0.95
        assert math.isfinite(float(d_kor.max()))


def test_basemap_is_built_once_and_kept_on_disk_between_processes(tmp_path, monkeypatch) -> None:
    """The disk cache answers a second process; a damaged cache file is rebuilt, not served."""
    from trilink.web import basemap as module

    monkeypatch.setenv("TRILINK_CACHE_DIR", str(tmp_path))
    built: list[tuple[str, ...]] = []

    def compute(area_nations: tuple[str, ...], sea_nations: tuple[str, ...]) -> dict:
        built.append(area_nations)
        return {"type": "FeatureCollection", "features": [{"type": "Feature", "id": "area:X"}]}

    monkeypatch.setattr(module, "_compute", compute)
    build = module._build.__wrapped__  # the in-memory cache stands for one process
    first = build(("KOR",), ())
    second = build(("KOR",), ())
    assert first == second and len(built) == 1
    (cached,) = tmp_path.glob("basemap-*.json")
    cached.write_text("{not json")
    assert build(("KOR",), ()) == first and len(built) == 2
    build(("JPN",), ())
    assert len(built) == 3 and len(list(tmp_path.glob("basemap-*.json"))) == 2
