"""The web layer's read-only view of a running node (`trilink.node.service.NodeService`).

It listens to the node's picture changes to keep, per fused track, a thinned
trail of positions and a timeline of assessments (the page's trails and the
track-detail endpoint), and renders the picture as GeoJSON once per picture
version. It never changes the node.
"""

import math
from collections import deque
from typing import Any

import numpy as np

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.frames import ecef_to_geodetic
from trilink.interop.cot import to_xml, track_events
from trilink.interop.geojson import TRAIL_CHUNK, sensor_features, track_features
from trilink.model.assessment import ImpactEstimate
from trilink.node.alerting import NodeAlerts
from trilink.node.service import NodeService

TRAIL_SPACING_S = 2.0
"""Seconds between trail points kept per track."""
TRAIL_POINTS = 900
TIMELINE_POINTS = 600


class ServiceView:
    """Implements `trilink.web.view.NodeView` over a NodeService."""

    def __init__(self, service: NodeService, *, alerts: NodeAlerts | None = None,
                 basemap: Any = None) -> None:
        self.service = service
        self.nation = service.nation
        self.exercise = bool(service.core.exercise)
        self._alerts = alerts
        self._basemap = basemap
        self._trails: dict[str, list[tuple[float, float, float, float]]] = {}
        self._trail_start: dict[str, int] = {}
        self._timeline: dict[str, deque[dict[str, Any]]] = {}
        self._features_version = -1
        self._features: list[dict[str, Any]] = []
        self._sensors = sensor_features(service.core.network.sensors_of(self.nation))
        service.on_picture.append(self._on_picture)
        self._on_picture(service)

    # ------------------------------------------------------------------ recording
    def _on_picture(self, service: NodeService) -> None:
        picture = service.core.picture
        if picture is None:
            return
        alive: set[str] = set()
        for track in picture.tracks:
            if str(track.status) == "dropped":
                continue
            alive.add(track.fused_id)
            trail = self._trails.setdefault(track.fused_id, [])
            if not trail or track.time - trail[-1][0] >= TRAIL_SPACING_S:
                lat, lon, height = ecef_to_geodetic(track.state[:3])
                trail.append((float(track.time), float(lat), float(lon), float(height)))
                if len(trail) > TRAIL_POINTS:           # drop whole chunks so chunk ids stay put
                    del trail[:TRAIL_CHUNK]
                    self._trail_start[track.fused_id] = self._trail_start.get(track.fused_id, 0) + TRAIL_CHUNK
            assessment = track.assessment
            if assessment is not None:
                timeline = self._timeline.setdefault(track.fused_id, deque(maxlen=TIMELINE_POINTS))
                if not timeline or timeline[-1]["time"] != assessment.time:
                    timeline.append(_assessment_summary(assessment))
        for gone in set(self._trails) - alive:
            # keep history for the detail endpoint a while; trails of dropped tracks leave the map
            self._trails.pop(gone, None)
            self._trail_start.pop(gone, None)

    # ------------------------------------------------------------------ NodeView
    def now(self) -> float:
        """The node's clock."""
        return float(self.service.clock.now())

    def picture_version(self) -> int:
        """Changes whenever the fused picture changes."""
        return int(self.service.core.picture_version)

    def picture_features(self) -> list[dict[str, Any]]:
        """GeoJSON features of the picture plus this nation's sensor sites (cached per version)."""
        version = self.picture_version()
        if version == self._features_version:
            return self._features
        features: list[dict[str, Any]] = list(self._sensors)
        picture = self.service.core.picture
        if picture is not None:
            for track in picture.tracks:
                if str(track.status) == "dropped":
                    continue
                trail = self._trails.get(track.fused_id)
                features += track_features(
                    track_id=track.fused_id, time=track.time, position_ecef=track.state[:3],
                    velocity_ecef=track.state[3:], assessment=track.assessment,
                    impact=fused_impact_estimate(track),
                    trail=np.array(trail) if trail and len(trail) >= 2 else None,
                    trail_start=self._trail_start.get(track.fused_id, 0),
                    contributors=sorted(track.nations), disagreement=_disagreement_text(track),
                    status=str(track.status), phase=str(track.phase),
                    missile_class=str(track.missile_class), exercise=self.exercise)
        self._features, self._features_version = features, version
        return features

    def track_detail(self, track_id: str) -> dict[str, Any] | None:
        """Trail and assessment timeline of one fused track."""
        picture = self.service.core.picture
        track = picture.track(track_id) if picture is not None else None
        if track is None and track_id not in self._timeline:
            return None
        trail = self._trails.get(track_id, ())
        return {
            "track_id": track_id,
            "status": str(track.status) if track is not None else "gone",
            "contributors": sorted(track.nations) if track is not None else [],
            "sources": [list(s) for s in track.sources] if track is not None else [],
            "history": [{"time": t, "lat": math.degrees(la), "lon": math.degrees(lo), "alt_km": h / 1000.0}
                        for t, la, lo, h in trail],
            "assessments": list(self._timeline.get(track_id, ())),
        }

    def alerts(self) -> dict[str, Any]:
        """Active alerts and their history, from the node's alert engine when it has one."""
        if self._alerts is None:
            return {"active": [], "history": []}
        return self._alerts.view()

    def status(self) -> dict[str, Any]:
        """Node, partner links (last report age, rejects) and counters."""
        core = self.service.core
        now = self.now()
        last_seen: dict[str, float] = {}
        for report in core.recent_received:
            last_seen[report.origin] = max(last_seen.get(report.origin, 0.0), float(report.issued_utc))
        partners = [n for n in core.network.nation_codes() if n != self.nation]
        links = [{"nation": n, "connected": n in last_seen and now - last_seen[n] < 30.0,
                  "last_report_age_s": (now - last_seen[n]) if n in last_seen else None,
                  "latency_s": core.last_report_latency.get(n),
                  "rejects": int(sum(core.rejects.values()))} for n in partners]
        return {"nation": self.nation, "exercise": self.exercise, "time": now, "links": links,
                "counters": {k: int(v) for k, v in core.counters.items()},
                "rejects": {k: int(v) for k, v in core.rejects.items()},
                "own_tracks": len(core.tracks), "published": self.service.published,
                "received": self.service.received_messages}

    def basemap(self) -> dict[str, Any] | None:
        """First-level areas and EEZ outlines, when the geography is available."""
        return self._basemap() if callable(self._basemap) else self._basemap

    def cot_xml(self) -> bytes:
        """Cursor-on-Target events of every live fused track."""
        picture = self.service.core.picture
        events = []
        if picture is not None:
            now = self.now()
            for track in picture.tracks:
                if str(track.status) == "dropped":
                    continue
                events += track_events(nation=self.nation, track_id=track.fused_id, now=now,
                                       state=track.state, covariance=track.covariance,
                                       assessment=track.assessment, contributors=sorted(track.nations),
                                       exercise=self.exercise)
        return to_xml(events) if events else b'<?xml version="1.0" encoding="utf-8"?>\n<events />'

    def cap_feed(self) -> str | None:
        """Atom feed of the active CAP alerts (None when the node has no alert engine)."""
        return None if self._alerts is None else self._alerts.feed(self.now())

    def cap_document(self, identifier: str) -> str | None:
        """A CAP document this node issued."""
        return None if self._alerts is None else self._alerts.document(identifier)


def _assessment_summary(assessment: Any) -> dict[str, Any]:
    impact = assessment.impact
    return {
        "time": float(assessment.time), "phase": str(assessment.phase),
        "missile_class": str(assessment.missile_class),
        "time_to_impact_s": assessment.time_to_impact,
        "apogee_km": None if assessment.apogee is None else assessment.apogee / 1000.0,
        "impact": None if impact is None else {
            "lat": math.degrees(impact.lat), "lon": math.degrees(impact.lon), "time": impact.time,
            "ellipse95_km": [impact.ellipse.semi_major / 1000.0, impact.ellipse.semi_minor / 1000.0]},
    }


def fused_impact_estimate(track: Any) -> ImpactEstimate | None:
    """The partners' impact predictions fused by the fusion (used when the fused state has no assessment)."""
    point = track.impact
    if point is None:
        return None
    ellipse = ellipse_from_covariance(point.covariance_en, 0.95)
    time = float(point.time) if point.time is not None else float("nan")
    return ImpactEstimate(time=time, sigma_time=float("nan"), lat=float(point.lat), lon=float(point.lon),
                          ellipse=ellipse)


def _disagreement_text(track: Any) -> str | None:
    if not track.disagreements:
        return None
    parts = [f"{d.source_a[0]} vs {d.source_b[0]}: impacts {d.distance / 1000.0:.0f} km apart"
             for d in track.disagreements]
    return "; ".join(parts)
