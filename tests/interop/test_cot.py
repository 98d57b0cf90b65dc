"""CoT events: TAK's required attributes, errors from the covariance, impact ellipse, exercise marking."""

import math
import xml.etree.ElementTree as ET

import numpy as np

from tests.web.picture_fixture import assessment_for
from trilink.geo.frames import enu_rotation, geodetic_to_ecef
from trilink.interop.cot import to_xml, track_events


def _state(lat_deg: float, lon_deg: float, height: float, east: float, north: float, up: float) -> np.ndarray:
    lat, lon = math.radians(lat_deg), math.radians(lon_deg)
    rot = enu_rotation(lat, lon)
    return np.concatenate([geodetic_to_ecef(lat, lon, height), rot.T @ np.array([east, north, up])])


def test_missile_event_has_the_fields_tak_reads() -> None:
    state = _state(39.5, 131.0, 300e3, 2000.0, 0.0, -1000.0)
    lat, lon = math.radians(39.5), math.radians(131.0)
    rot = enu_rotation(lat, lon)
    cov_enu = np.diag([100.0**2, 100.0**2, 50.0**2])
    cov = np.zeros((6, 6))
    cov[:3, :3] = rot.T @ cov_enu @ rot
    cov[3:, 3:] = np.eye(3)
    events = track_events(nation="JPN", track_id="JPN-F1", now=1_700_000_000.0, state=state,
                          covariance=cov, assessment=assessment_for("JPN-F1", 41.0, 140.0, 1.7e9),
                          contributors=["KOR", "USA"], exercise=True)
    missile, area = events[0], events[1]
    assert missile.get("type") == "a-h-A-W-M-S-S" and missile.get("how") == "m-f"
    assert missile.get("uid") == "trilink.JPN.JPN-F1"
    assert missile.get("time").endswith("Z") and missile.get("stale") > missile.get("time")
    point = missile.find("point")
    assert abs(float(point.get("lat")) - 39.5) < 1e-5 and abs(float(point.get("hae")) - 300e3) < 1.0
    assert abs(float(point.get("ce")) - 100.0) < 0.5 and abs(float(point.get("le")) - 50.0) < 0.5
    track = missile.find("detail/track")
    assert abs(float(track.get("course")) - 90.0) < 0.01
    assert abs(float(track.get("speed")) - math.hypot(2000.0, 1000.0)) < 0.5
    assert float(track.get("slope")) < 0
    assert missile.find("detail/remarks").text.startswith("EXERCISE")
    assert missile.find("detail/__trilink").get("exercise") == "true"
    assert area.get("type") == "r-u"
    ellipse = area.find("detail/shape/ellipse")
    assert float(ellipse.get("major")) >= float(ellipse.get("minor")) > 0
    doc = ET.fromstring(to_xml(events))
    assert doc.tag == "events" and len(doc) == 2


def test_actual_traffic_is_not_marked_exercise() -> None:
    state = _state(39.5, 131.0, 300e3, 2000.0, 0.0, -1000.0)
    events = track_events(nation="KOR", track_id="K1", now=1.7e9, state=state, covariance=np.eye(6),
                          assessment=None, contributors=["KOR"], exercise=False)
    assert len(events) == 1 and events[0].get("type") == "a-u-A-W-M-S"
    assert not events[0].find("detail/remarks").text.startswith("EXERCISE")
