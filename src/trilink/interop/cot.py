"""Cursor on Target (CoT 2.0) events for TAK: missile tracks, predicted impact areas, launch points.

Choices (the MITRE type and "how" tables disagree in places; these are documented in docs/interop.md):
- a track is ``a-h-A-W-M-S-S`` (hostile surface-to-surface missile) once classified, ``a-u-A-W-M-S``
  before; ``how`` is ``m-f`` (fused);
- the 95 % impact area is an ``r-u`` (unsafe area) event with ``shape/ellipse`` semi-axes in metres
  and the angle of the major axis in degrees from true north;
- the launch point is a ``b-d-l-b`` event;
- ``ce``/``le`` are 1-σ circular horizontal and vertical errors from the covariance;
- exercise traffic says so in ``remarks`` and in the ``__trilink`` detail, never dropped.
Written with the standard library's ElementTree: CoT is a few attributes, no library needed.
"""

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import numpy as np

from trilink.geo.ellipse import chi2_2d_scale
from trilink.geo.frames import ecef_to_geodetic, enu_rotation
from trilink.geo.units import iso_time
from trilink.model.assessment import Assessment, MissileClass

UNKNOWN_ERROR = 9999999.0
"""CoT's value for an unknown ce/le."""


def _event(uid: str, cot_type: str, how: str, now: float, stale_s: float,
           lat: float, lon: float, hae: float, ce: float, le: float) -> ET.Element:
    event = ET.Element("event", {
        "version": "2.0", "uid": uid, "type": cot_type, "how": how,
        "time": iso_time(now), "start": iso_time(now), "stale": iso_time(now + stale_s)})
    ET.SubElement(event, "point", {
        "lat": f"{math.degrees(lat):.6f}", "lon": f"{math.degrees(lon):.6f}", "hae": f"{hae:.1f}",
        "ce": f"{min(ce, UNKNOWN_ERROR):.1f}", "le": f"{min(le, UNKNOWN_ERROR):.1f}"})
    return event


def _detail(event: ET.Element, *, exercise: bool, remarks: str, nation: str,
            **trilink: str) -> ET.Element:
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "remarks").text = ("EXERCISE " if exercise else "") + remarks
    ET.SubElement(detail, "__trilink", {"exercise": "true" if exercise else "false", "node": nation,
                                        **trilink})
    return detail


def track_events(*, nation: str, track_id: str, now: float, state: np.ndarray, covariance: np.ndarray,
                 assessment: Assessment | None, contributors: Sequence[str], exercise: bool,
                 stale_s: float = 30.0) -> list[ET.Element]:
    """The CoT events of one track: the missile, and when known its impact area and launch point."""
    lat, lon, hae = (float(v) for v in ecef_to_geodetic(np.asarray(state[:3], dtype=float)))
    rot = enu_rotation(lat, lon)
    pos_enu = rot @ np.asarray(covariance, dtype=float)[:3, :3] @ rot.T
    vel_enu = rot @ np.asarray(state[3:], dtype=float)
    ce = math.sqrt(max(0.5 * (pos_enu[0, 0] + pos_enu[1, 1]), 0.0))
    le = math.sqrt(max(pos_enu[2, 2], 0.0))
    classified = assessment is not None and assessment.missile_class is not MissileClass.UNKNOWN
    uid = f"trilink.{nation}.{track_id}"
    missile = _event(uid, "a-h-A-W-M-S-S" if classified else "a-u-A-W-M-S", "m-f", now, stale_s,
                     lat, lon, hae, ce, le)
    speed = float(np.linalg.norm(vel_enu))
    course = math.degrees(math.atan2(vel_enu[0], vel_enu[1])) % 360.0
    slope = math.degrees(math.atan2(vel_enu[2], math.hypot(vel_enu[0], vel_enu[1])))
    extra = {"contributors": ",".join(sorted(contributors))}
    remarks = f"trilink {nation} {track_id}"
    if assessment is not None:
        extra.update({"phase": str(assessment.phase), "class": str(assessment.missile_class)})
        if assessment.time_to_impact is not None:
            extra["time_to_impact_s"] = f"{assessment.time_to_impact:.1f}"
        remarks += f" {assessment.missile_class} {assessment.phase}"
    detail = _detail(missile, exercise=exercise, remarks=remarks, nation=nation, **extra)
    ET.SubElement(detail, "track", {"course": f"{course:.2f}", "speed": f"{speed:.1f}",
                                    "slope": f"{slope:.2f}"})
    ET.SubElement(detail, "contact", {"callsign": f"{track_id}"})
    events = [missile]
    if assessment is not None and assessment.impact is not None:
        impact = assessment.impact
        e = impact.ellipse
        area = _event(f"{uid}.impact", "r-u", "m-p", now, stale_s, impact.lat, impact.lon, 0.0,
                      e.semi_major / chi2_2d_scale(e.probability), 0.0)
        area_detail = _detail(area, exercise=exercise, nation=nation,
                              remarks=f"predicted impact of {track_id}, {e.probability:.0%} ellipse",
                              impact_time=iso_time(impact.time) if math.isfinite(impact.time) else "")
        shape = ET.SubElement(area_detail, "shape")
        ET.SubElement(shape, "ellipse", {"major": f"{e.semi_major:.1f}", "minor": f"{e.semi_minor:.1f}",
                                         "angle": f"{math.degrees(e.orientation):.2f}"})
        ET.SubElement(area_detail, "link", {"uid": uid, "relation": "p-p", "type": missile.get("type", "")})
        events.append(area)
    if assessment is not None and assessment.launch is not None:
        launch = assessment.launch
        e = launch.ellipse
        point = _event(f"{uid}.launch", "b-d-l-b", "m-f", now, 600.0, launch.lat, launch.lon, 0.0,
                       e.semi_major / chi2_2d_scale(e.probability), 0.0)
        _detail(point, exercise=exercise, nation=nation, remarks=f"launch point of {track_id}",
                launch_time=iso_time(launch.time))
        events.append(point)
    return events


def to_xml(events: Sequence[ET.Element]) -> bytes:
    """Events as an XML document (one ``<event>`` alone, or several under ``<events>``)."""
    if len(events) == 1:
        return ET.tostring(events[0], encoding="utf-8", xml_declaration=True)
    root = ET.Element("events")
    root.extend(events)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
