"""The demo's summary: per missile and per node, when it was first seen and how well impact was predicted.

Pure: the demo feeds ``SummaryRecorder.observe`` with snapshots of each node's own
tracks and fused picture (in scenario time) and the truth of each missile; tracks
are matched to missiles by distance to the true position at the snapshot time
(evaluation only: the nodes never see the truth). ``result()`` is the JSON
documented in docs/demo.md; times are seconds after that missile's launch.
"""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.geodesy import geodesic_distance
from trilink.geo.units import deg, iso_time

MATCH_GATE_M = 20_000.0
"""A track is a missile's when within this distance of its true position (evaluation only)."""
BURNOUT_CHECK_S = 60.0
"""``burnout60_error_km`` compares fused and own predictions this long after the missile's burnout."""
ERROR_SAMPLE_S = 30.0
"""``prediction_error_km`` is sampled at multiples of this many seconds after launch."""


@dataclass(frozen=True, slots=True)
class MissileTruth:
    """What really happened to one missile (from the simulator)."""

    id: str
    launch_time: float
    impact_time: float
    impact_lat: float
    impact_lon: float
    trajectory: Any
    """Object with ``state_at(t) -> (position, velocity)`` (a physics Trajectory)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One track as a node holds it at a time: position, predicted impact, contributors."""

    track_id: str
    position: np.ndarray
    impact_lat: float | None = None
    impact_lon: float | None = None
    ellipse_km: tuple[float, float] | None = None
    """95 % ellipse semi-major, semi-minor, km."""
    contributors: tuple[str, ...] = ()


@dataclass(slots=True)
class _NodeMissile:
    first_track_s: float | None = None
    first_picture_s: float | None = None
    first_report_s: float | None = None
    final: dict[str, Any] | None = None
    own_final: dict[str, Any] | None = None
    errors: dict[int, float] = field(default_factory=dict)
    own_errors: dict[int, float] = field(default_factory=dict)
    contributors: set[str] = field(default_factory=set)
    burnout60: dict[str, float | None] | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    impact_zone: dict[str, Any] | None = None
    overflight: list[str] = field(default_factory=list)


class SummaryRecorder:
    """Accumulates what each node knew when, per missile."""

    def __init__(self, scenario: str, sharing: bool, missiles: list[MissileTruth],
                 nations: list[str]) -> None:
        self.scenario, self.sharing, self.missiles, self.nations = scenario, sharing, missiles, nations
        self._state = {(m.id, n): _NodeMissile() for m in missiles for n in nations}
        self._fused_owner: dict[tuple[str, str], str] = {}

    def _match(self, now: float, snapshots: list[Snapshot]) -> dict[str, Snapshot]:
        """Missile id → the nearest snapshot within the gate (each snapshot used once)."""
        flying = [m for m in self.missiles if m.launch_time <= now <= m.impact_time]
        pairs = []
        for m in flying:
            truth, _ = m.trajectory.state_at(now)
            for s in snapshots:
                d = float(np.linalg.norm(np.asarray(s.position, dtype=float) - np.asarray(truth)))
                if d < MATCH_GATE_M:
                    pairs.append((d, m.id, s))
        pairs.sort(key=lambda p: p[0])
        taken_m: dict[str, Snapshot] = {}
        taken_s: set[str] = set()
        for _d, mid, s in pairs:
            if mid not in taken_m and s.track_id not in taken_s:
                taken_m[mid] = s
                taken_s.add(s.track_id)
        return taken_m

    def observe(self, nation: str, now: float, own: list[Snapshot], fused: list[Snapshot]) -> None:
        """Record one node's own confirmed tracks and fused picture at scenario time ``now``."""
        truths = {m.id: m for m in self.missiles}
        own_matches, fused_matches = self._match(now, own), self._match(now, fused)
        for m in self.missiles:
            st = self._state[(m.id, nation)]
            burnout = float(getattr(m.trajectory, "burnout_time", m.launch_time))
            if st.burnout60 is None and now >= burnout + BURNOUT_CHECK_S:
                own_p = self._prediction(m, now, own_matches[m.id]) if m.id in own_matches else None
                fused_p = self._prediction(m, now, fused_matches[m.id]) if m.id in fused_matches else None
                st.burnout60 = {"at_s": round(now - m.launch_time, 1),
                                "fused": None if fused_p is None else fused_p["error_km"],
                                "own": None if own_p is None else own_p["error_km"]}
        for mid, snap in own_matches.items():
            st, m = self._state[(mid, nation)], truths[mid]
            if st.first_track_s is None:
                st.first_track_s = now - m.launch_time
            prediction = self._prediction(m, now, snap)
            if prediction is not None:
                st.own_final = prediction
                st.own_errors.setdefault(self._bucket(m, now), prediction["error_km"])
        for mid, snap in fused_matches.items():
            self._fused_owner[(nation, snap.track_id)] = mid
            st, m = self._state[(mid, nation)], truths[mid]
            if st.first_picture_s is None:
                st.first_picture_s = now - m.launch_time
            partners = [c for c in snap.contributors if c != nation]
            if partners and st.first_report_s is None:
                st.first_report_s = now - m.launch_time
            st.contributors.update(snap.contributors)
            prediction = self._prediction(m, now, snap)
            if prediction is not None:
                st.final = prediction
                st.errors.setdefault(self._bucket(m, now), prediction["error_km"])

    @staticmethod
    def _bucket(m: MissileTruth, now: float) -> int:
        return math.ceil((now - m.launch_time) / ERROR_SAMPLE_S)

    @staticmethod
    def _prediction(m: MissileTruth, now: float, snap: Snapshot) -> dict[str, Any] | None:
        if snap.impact_lat is None or snap.impact_lon is None or now >= m.impact_time:
            return None
        error = float(geodesic_distance(snap.impact_lat, snap.impact_lon, m.impact_lat, m.impact_lon))
        return {"lat": round(float(deg(snap.impact_lat)), 5), "lon": round(float(deg(snap.impact_lon)), 5),
                "at_s": round(now - m.launch_time, 1), "error_km": round(error / 1000.0, 3),
                "ellipse95_km": [round(v, 3) for v in snap.ellipse_km] if snap.ellipse_km else None}

    def final_prediction(self, nation: str, missile_id: str) -> dict[str, Any] | None:
        """The node's last fused impact prediction for a missile before impact ({lat, lon} degrees...)."""
        st = self._state.get((missile_id, nation))
        return None if st is None else st.final

    def missile_of(self, nation: str, fused_id: str) -> str | None:
        """The missile a node's fused track was last matched to (None if never)."""
        return self._fused_owner.get((nation, fused_id))

    def record_alert(self, nation: str, missile_id: str, alert: dict[str, Any]) -> None:
        """Attach one alert decision ({at_s, msg_type, response, areas}) to a node and missile."""
        if (missile_id, nation) in self._state:
            self._state[(missile_id, nation)].alerts.append(alert)

    def record_zone(self, nation: str, missile_id: str, impact_zone: dict[str, Any] | None,
                    overflight: list[str]) -> None:
        """Attach the alert engine's impact zone and overflown areas for a node and missile."""
        if (missile_id, nation) in self._state:
            st = self._state[(missile_id, nation)]
            st.impact_zone, st.overflight = impact_zone, list(overflight)

    def result(self) -> dict[str, Any]:
        """The summary document (docs/demo.md)."""
        missiles = []
        for m in self.missiles:
            nodes = {}
            for n in self.nations:
                st = self._state[(m.id, n)]
                nodes[n] = {
                    "first_track_s": _r(st.first_track_s),
                    "first_picture_s": _r(st.first_picture_s),
                    "first_report_s": _r(st.first_report_s),
                    "final_prediction": st.final,
                    "own_final_prediction": st.own_final,
                    "prediction_error_km": [[k * ERROR_SAMPLE_S, v] for k, v in sorted(st.errors.items())],
                    "own_prediction_error_km": [[k * ERROR_SAMPLE_S, v]
                                                for k, v in sorted(st.own_errors.items())],
                    "contributors": sorted(st.contributors),
                    "burnout60_error_km": st.burnout60,
                    "impact_zone": st.impact_zone if st.impact_zone is not None else
                    {"country": None, "territorial_sea_of": None, "eez_of": None},
                    "overflight": st.overflight,
                    "alerts": st.alerts,
                }
            missiles.append({"id": m.id,
                             "truth": {"launch_time": iso_time(m.launch_time),
                                       "impact_time": iso_time(m.impact_time),
                                       "impact": {"lat": round(float(deg(m.impact_lat)), 5),
                                                  "lon": round(float(deg(m.impact_lon)), 5)}},
                             "nodes": nodes})
        return {"scenario": self.scenario, "sharing": self.sharing, "missiles": missiles}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def impact_truth(trajectory: Any) -> tuple[float, float]:
    """Geodetic (lat, lon) radians of a trajectory's impact point."""
    position, _ = trajectory.state_at(trajectory.impact_time)
    lat, lon, _h = ecef_to_geodetic(np.asarray(position, dtype=float))
    return float(lat), float(lon)
