"""Plain-data views of alert decisions for the node's demo summary, API and partners (JSON-ready)."""

from typing import Any

from trilink.alert.decide import AlertDecision
from trilink.alert.exposure import Exposure
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
