"""Plain-data views of alert decisions for the node's demo summary, API and partners (JSON-ready)."""

from typing import Any

from trilink.alert.decide import AlertDecision
from trilink.alert.exposure import Exposure
from trilink.alert.text import wordings
from trilink.geo.zones import where
from trilink.model.assessment import Assessment


def decision_record(decision: AlertDecision, launch_time: float | None = None) -> dict[str, Any]:
    """``{at_s, msg_type, response, kind, certainty, areas, cleared, identifier}`` of one decision.

    ``at_s`` is seconds after ``launch_time`` when given, else the UTC epoch time.
    """
    return {
        "at_s": round(decision.time - launch_time, 1) if launch_time is not None else decision.time,
        "identifier": decision.identifier,
        "msg_type": decision.msg_type.value,
        "kind": decision.kind.value,
        "response": decision.response,
        "certainty": decision.certainty,
        "exercise": decision.exercise,
        "areas": [a.area.name for a in decision.areas if a.shelter],
        "cleared": [a.area.name for a in decision.areas if not a.shelter],
    }


def impact_zone(assessment: Assessment | None) -> dict[str, Any]:
    """Whose land, territorial sea and EEZ the predicted impact point lies in (ISO alpha-3 or None)."""
    if assessment is None or assessment.impact is None:
        return {"country": None, "territorial_sea_of": None, "eez_of": None}
    answer = where(assessment.impact.lat, assessment.impact.lon)
    return {"country": answer.country, "territorial_sea_of": answer.territorial_sea_of,
            "eez_of": answer.eez_of, "area": answer.area.name if answer.area else None}


def overflown_areas(exposure: Exposure | None) -> list[str]:
    """Names of the nation's areas the predicted corridor passes over."""
    if exposure is None:
        return []
    return sorted(a.area.name for a in exposure.areas if a.overflight is not None)


def notice_fields(decision: AlertDecision) -> dict[str, Any]:
    """The fields of a ``trilink.wire`` ``AlertNotice`` that come from a decision (the node adds
    notice_id, origin, seq, issued_utc and releasable_to). Areas carry kind ``land``/``waters``/
    ``overflight`` and their probability of impact (or 1.0 for overflight)."""
    ex, a = decision.exposure, decision.assessment
    areas = []
    for item in decision.areas:
        if not item.shelter:
            continue
        kind = "overflight" if item.reason == "overflight" else "land"
        probability = 1.0 if item.reason == "overflight" else min(1.0, item.p_impact)
        areas.append({"name": item.area.code or item.area.name, "nation": item.area.nation,
                      "kind": kind, "probability": round(probability, 4)})
    expected = None
    if ex is not None and ex.overflight is not None:
        expected = ex.overflight[0]
    elif a is not None and a.impact is not None:
        expected = a.impact.time
    return {
        "incident_id": decision.incident_id,
        "msg_type": decision.msg_type.value,
        "response": decision.response,
        "track_ids": decision.track_ids or (decision.track_id,),
        "areas": tuple(areas),
        "exercise": decision.exercise,
        "headline": wordings(decision)[-1].headline[:512],
        "event": "Ballistic missile",
        "instruction": wordings(decision)[-1].instruction[:512],
        "impact_probability": None if ex is None else round(
            min(1.0, ex.p_land + ex.p_territorial_sea + ex.p_eez), 4),
        "expected_utc": expected,
        "expires_utc": None if a is None or a.impact is None else a.impact.time + 3600.0,
        "references": decision.references,
    }
