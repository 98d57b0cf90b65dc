"""The node's civil-alert shell: alert decisions on the common picture, CAP documents, notices to partners.

On every node step the alert state machine (`trilink.alert.decide`, pure) sees the
current fused picture and the time; each decision it returns becomes a CAP 1.2
document (kept at a stable identifier for ``/cap/<id>.xml`` and listed in the Atom
feed while its incident is open), an archive record, an entry in the alert history,
and a signed ``AlertNotice`` released to the partners the agreements allow. Alerts
go through the same channel that issued them: every Update and Cancel references
what it replaces.
"""

import logging
import math
from collections.abc import Callable
from typing import Any

import msgspec

from trilink.alert.atom import atom_feed
from trilink.alert.cap import cap_document
from trilink.alert.decide import AlertDecision, AlertState, decide, initial_state
from trilink.alert.inputs import inputs_from_picture
from trilink.alert.policy import AlertPolicy
from trilink.alert.summary import decision_record, notice_fields, overflown_areas
from trilink.alert.text import wordings
from trilink.geo.units import iso_time
from trilink.geo.zones import where
from trilink.node.logs import fields
from trilink.wire.codec import seal
from trilink.wire.messages import AlertArea, AlertNotice, message_id
from trilink.wire.release import mark_releasable

log = logging.getLogger("trilink.alerts")

HISTORY = 500


class NodeAlerts:
    """One node's alerts: state, CAP documents by identifier, history, and what to tell partners."""

    def __init__(self, nation: str, *, exercise: bool, policy: AlertPolicy | None = None) -> None:
        self.nation = nation
        self.exercise = exercise
        self.policy = policy or AlertPolicy()
        self.state: AlertState = initial_state(nation, exercise=exercise)
        self.documents: dict[str, bytes] = {}
        self.decisions: list[AlertDecision] = []
        self.history: list[dict[str, Any]] = []
        self.listeners: list[Callable[[AlertDecision], None]] = []
        self._picture_version = -1
        self._last_time = float("-inf")

    def update(self, picture: Any, picture_version: int, now: float) -> list[AlertDecision]:
        """Advance the alert state to ``now`` with the current picture; the decisions issued."""
        if picture is None or now < self._last_time or (
                now == self._last_time and picture_version == self._picture_version):
            return []
        self._last_time = now
        self._picture_version = picture_version
        self.state, decisions = decide(self.state, inputs_from_picture(picture.tracks), now, self.policy)
        for decision in decisions:
            self.documents[decision.identifier] = cap_document(decision)
            self.decisions.append(decision)
            record = decision_record(decision)
            record.update({"id": decision.identifier, "incident_id": decision.incident_id,
                           "time_iso": iso_time(decision.time), "track_id": decision.track_id,
                           "headline": wordings(decision)[-1].headline})
            self.history.append(record)
            del self.history[:-HISTORY]
            log.info("alert", extra=fields(nation=self.nation, identifier=decision.identifier,
                                           msg_type=decision.msg_type.value, kind=decision.kind.value,
                                           areas=",".join(a.area.name for a in decision.areas if a.shelter)))
            for listener in self.listeners:
                listener(decision)
        return decisions

    def active(self) -> list[dict[str, Any]]:
        """The latest decision of every open incident, for the page's banners."""
        out = []
        for d in self.state.active:
            impact = d.assessment.impact if d.assessment is not None else None
            out.append({"id": d.identifier, "incident_id": d.incident_id, "msg_type": d.msg_type.value,
                        "kind": d.kind.value, "response": d.response, "certainty": d.certainty,
                        "areas": [a.area.name for a in d.areas if a.shelter],
                        "headline": wordings(d)[-1].headline, "track_id": d.track_id,
                        "impact_time": None if impact is None else impact.time, "exercise": d.exercise})
        return out

    def view(self) -> dict[str, Any]:
        """``{"active": [...], "history": [...]}`` for the API and the page."""
        return {"active": self.active(), "history": list(self.history)}

    def feed(self, now: float) -> str:
        """The Atom feed of active alerts."""
        return atom_feed(self.nation, self.state.active, now).decode("utf-8")

    def document(self, identifier: str) -> str | None:
        """A CAP document by identifier (every one issued stays available)."""
        doc = self.documents.get(identifier)
        return None if doc is None else doc.decode("utf-8")


def fill_summary(recorder: Any, nation: str, alerts: NodeAlerts) -> None:
    """Put a node's alert decisions, impact zone and overflown areas into the demo summary.

    Each incident belongs to the missile its fused track was matched to. The impact zone is
    where the node's final prediction for the missile lies; the overflown areas are those of
    the last decision about the missile whose predicted corridor crossed the nation's land.
    """
    launch = {m.id: m.launch_time for m in recorder.missiles}
    corridor: dict[str, AlertDecision] = {}
    for decision in alerts.decisions:
        missile = recorder.missile_of(nation, decision.track_id)
        if missile is None:
            continue
        recorder.record_alert(nation, missile, decision_record(decision, launch[missile]))
        if decision.exposure is not None and overflown_areas(decision.exposure):
            corridor[missile] = decision
    for missile in launch:
        final = recorder.final_prediction(nation, missile)
        zone = None
        if final is not None:
            answer = where(math.radians(final["lat"]), math.radians(final["lon"]))
            zone = {"country": answer.country, "territorial_sea_of": answer.territorial_sea_of,
                    "eez_of": answer.eez_of}
        decision = corridor.get(missile)
        recorder.record_zone(nation, missile, zone,
                             overflown_areas(decision.exposure) if decision is not None else [])


def alert_notice(decision: AlertDecision, *, sequence: int, issued: float) -> AlertNotice:
    """The wire notice telling partners what this nation's public was told."""
    values = notice_fields(decision)
    values["areas"] = tuple(msgspec.convert(a, AlertArea) for a in values["areas"])
    return AlertNotice(notice_id=decision.identifier, origin=decision.nation, seq=sequence, issued_utc=issued,
                       releasable_to=(), **values)


def attach(service: Any, *, policy: AlertPolicy | None = None) -> NodeAlerts:
    """Give a running node (``trilink.node.service.NodeService``) its alert engine.

    Decides on every step, archives every decision, and publishes each as a signed
    ``AlertNotice`` to the partners whose agreements release alerts.
    """
    core = service.core
    alerts = NodeAlerts(service.nation, exercise=bool(core.exercise), policy=policy)

    def on_step(svc: Any, now: float) -> None:
        alerts.update(svc.core.picture, svc.core.picture_version, now)

    def on_decision(decision: AlertDecision) -> None:
        service.record_alert(decision.time, {"identifier": decision.identifier, **decision_record(decision)})
        if not core.settings.sharing:
            return
        notice = alert_notice(decision, sequence=core.take_sequence(), issued=decision.time)
        notice = mark_releasable(core.network, notice)
        if notice.releasable_to:
            service.publish_later(message_id(notice), seal(notice, core.signer), tuple(notice.releasable_to))

    def on_picture(svc: Any) -> None:
        alerts.update(svc.core.picture, svc.core.picture_version, svc.clock.now())

    alerts.listeners.append(on_decision)
    service.on_step.append(on_step)
    service.on_picture.append(on_picture)
    return alerts
