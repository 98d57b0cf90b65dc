"""CAP 1.2 documents (OASIS Common Alerting Protocol) from alert decisions, and checks on them.

Built with the standard library's ElementTree in the schema's element order;
times are ``YYYY-MM-DDThh:mm:ss+00:00`` (a ``Z`` or fractional seconds fail the
XSD); polygons are closed (first pair = last pair), which the XSD cannot check,
so :func:`polygon_problems` does. One incident per missile: the CAP
``incidents`` element carries the incident id and ``references`` every
earlier message of it.
"""

import xml.etree.ElementTree as ET

import numpy as np

from trilink.alert.decide import AlertDecision, Kind
from trilink.alert.text import wordings
from trilink.geo.ellipse import ellipse_polygon
from trilink.geo.units import iso_time_offset

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ET.register_namespace("", CAP_NS)


def sender_of(nation: str) -> str:
    """The CAP sender of a nation's node (no spaces, commas or '<&')."""
    return f"trilink.{nation.lower()}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _pair(name: str, value: str, parent: ET.Element, tag: str) -> None:
    element = _sub(parent, tag)
    _sub(element, "valueName", name)
    _sub(element, "value", value)


def ellipse_polygon_text(decision: AlertDecision, points: int = 36) -> str | None:
    """The impact ellipse as a CAP polygon ("lat,lon lat,lon ...", closed), or None without an impact."""
    a = decision.assessment
    if a is None or a.impact is None:
        return None
    lat, lon = ellipse_polygon(a.impact.lat, a.impact.lon, a.impact.ellipse, points=points)
    lon_deg = (np.degrees(lon) + 180.0) % 360.0 - 180.0
    pairs = [f"{la:.4f},{lo:.4f}" for la, lo in zip(np.degrees(lat), lon_deg, strict=True)]
    pairs[-1] = pairs[0]
    return " ".join(pairs)


def _parameters(info: ET.Element, d: AlertDecision) -> None:
    a, ex = d.assessment, d.exposure
    _pair("trilinkIncident", d.incident_id, info, "parameter")
    _pair("trilinkDecision", d.kind.value, info, "parameter")
    _pair("trilinkProvisional", "true" if d.provisional else "false", info, "parameter")
    if a is not None:
        if a.launch is not None:
            _pair("LaunchTime", iso_time_offset(a.launch.time), info, "parameter")
        if a.impact is not None:
            _pair("ImpactTime", iso_time_offset(a.impact.time), info, "parameter")
            _pair("TimeToImpactSeconds", f"{max(0.0, a.impact.time - d.time):.0f}", info, "parameter")
            _pair("ImpactEllipseSemiMajorKm", f"{a.impact.ellipse.semi_major / 1000.0:.1f}", info,
                  "parameter")
        _pair("MissileClass", a.missile_class.value, info, "parameter")
    if ex is not None:
        _pair("ProbabilityImpactLand", f"{ex.p_land:.3f}", info, "parameter")
        _pair("ProbabilityImpactTerritorialSea", f"{ex.p_territorial_sea:.3f}", info, "parameter")
        _pair("ProbabilityImpactEEZ", f"{ex.p_eez:.3f}", info, "parameter")
        if ex.overflight is not None:
            _pair("OverflightStart", iso_time_offset(ex.overflight[0]), info, "parameter")
            _pair("OverflightEnd", iso_time_offset(ex.overflight[1]), info, "parameter")


def _areas(info: ET.Element, d: AlertDecision, language: str) -> None:
    english = language.startswith("en")
    polygon = ellipse_polygon_text(d)
    if polygon is not None and d.kind not in (Kind.ALL_CLEAR, Kind.CANCEL):
        area = _sub(info, "area")
        p = d.assessment.impact.ellipse.probability if d.assessment and d.assessment.impact else 0.95
        _sub(area, "areaDesc", f"Predicted impact area ({p:.0%} ellipse)" if english
             else f"落下予測範囲 / 낙하 예측 범위 ({p:.0%})")
        _sub(area, "polygon", polygon)
    for item in d.areas:
        area = _sub(info, "area")
        name = item.area.name if english else item.area.local_name
        _sub(area, "areaDesc", name if item.shelter else f"{name} ({'cleared' if english else '解除/해제'})")
        if item.area.code:
            _pair("ISO3166-2", item.area.code, area, "geocode")
    if not d.areas and polygon is None:
        area = _sub(info, "area")
        _sub(area, "areaDesc", d.nation)
        _pair("ISO3166-1", d.nation, area, "geocode")


def cap_alert(d: AlertDecision) -> ET.Element:
    """The CAP 1.2 ``alert`` element of one decision (one ``info`` per language)."""
    root = ET.Element(f"{{{CAP_NS}}}alert")
    sender = sender_of(d.nation)
    _sub(root, "identifier", d.identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", iso_time_offset(d.time))
    _sub(root, "status", "Exercise" if d.exercise else "Actual")
    _sub(root, "msgType", d.msg_type.value)
    _sub(root, "source", "trilink")
    _sub(root, "scope", "Public")
    if d.exercise:
        _sub(root, "note", "EXERCISE - simulated missile, not a real event")
    if d.references:
        _sub(root, "references", " ".join(f"{sender},{ident},{iso_time_offset(sent)}"
                                          for ident, sent in zip(d.references, d.reference_times,
                                                                 strict=True)))
    _sub(root, "incidents", d.incident_id)
    for wording in wordings(d):
        info = _sub(root, "info")
        _sub(info, "language", wording.language)
        _sub(info, "category", "Security")
        _sub(info, "category", "Safety")
        _sub(info, "event", "Ballistic missile" if wording.language.startswith("en") else
             ("弾道ミサイル" if wording.language.startswith("ja") else "탄도미사일"))
        _sub(info, "responseType", d.response)
        _sub(info, "urgency", d.urgency)
        _sub(info, "severity", d.severity)
        _sub(info, "certainty", d.certainty)
        _sub(info, "effective", iso_time_offset(d.time))
        if d.assessment is not None and d.assessment.impact is not None and d.kind not in (
                Kind.ALL_CLEAR, Kind.CANCEL):
            _sub(info, "expires", iso_time_offset(d.assessment.impact.time + 3600.0))
        _sub(info, "senderName", f"trilink civil alert, {d.nation}")
        _sub(info, "headline", wording.headline)
        _sub(info, "description", wording.description)
        _sub(info, "instruction", wording.instruction)
        _parameters(info, d)
        _areas(info, d, wording.language)
    return root


def cap_document(d: AlertDecision) -> bytes:
    """The CAP 1.2 XML document of one decision, UTF-8 with an XML declaration."""
    return ET.tostring(cap_alert(d), encoding="utf-8", xml_declaration=True)


def polygon_problems(document: bytes) -> list[str]:
    """What is wrong with the polygons of a CAP document (the XSD does not check closure or size)."""
    problems = []
    root = ET.fromstring(document)
    for polygon in root.iter(f"{{{CAP_NS}}}polygon"):
        pairs = (polygon.text or "").split()
        if len(pairs) < 4:
            problems.append(f"polygon has {len(pairs)} pairs, needs at least 4")
        elif pairs[0] != pairs[-1]:
            problems.append(f"polygon not closed: {pairs[0]} != {pairs[-1]}")
        for pair in pairs:
            lat, _, lon = pair.partition(",")
            try:
                if not (-90.0 <= float(lat) <= 90.0 and -180.0 <= float(lon) <= 180.0):
                    problems.append(f"polygon point out of range: {pair}")
            except ValueError:
                problems.append(f"polygon point is not lat,lon: {pair}")
    return problems
