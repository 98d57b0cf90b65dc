"""An in-memory node view built from real model objects, for testing the API layer alone."""

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.frames import geodetic_to_ecef
from trilink.interop.geojson import track_features
from trilink.model.assessment import Assessment, ImpactEstimate, MissileClass, Phase


def assessment_for(track_id: str, lat_deg: float, lon_deg: float, t: float) -> Assessment:
    """A plausible assessment with a 95 % ellipse of a few km."""
    ellipse = ellipse_from_covariance(np.diag([4.0e6, 1.0e6]))
    impact = ImpactEstimate(time=t + 300.0, sigma_time=2.0, lat=math.radians(lat_deg),
                            lon=math.radians(lon_deg), ellipse=ellipse)
    ahead = np.array([[t, math.radians(39.5), math.radians(128.0), 300e3],
                      [t + 300.0, math.radians(lat_deg), math.radians(lon_deg), 0.0]])
    return Assessment(track_id=track_id, time=t, phase=Phase.MIDCOURSE, launch=None, impact=impact,
                      apogee=550e3, ground_range=2700e3, time_to_impact=300.0, ground_track=ahead,
                      missile_class=MissileClass.IRBM, class_reason="range 2,700 km")


@dataclass
class StaticView:
    """A node view whose picture the test changes by hand."""

    nation: str = "JPN"
    exercise: bool = True
    version: int = 0
    tracks: dict[str, tuple[float, float]] = field(default_factory=dict)
    clock: float = 1_700_000_000.0

    def now(self) -> float:
        return self.clock

    def picture_version(self) -> int:
        return self.version

    def picture_features(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for track_id, (lat, lon) in sorted(self.tracks.items()):
            pos = geodetic_to_ecef(math.radians(lat), math.radians(lon), 300e3)
            out += track_features(track_id=track_id, time=self.clock, position_ecef=pos,
                                  assessment=assessment_for(track_id, lat + 2, lon + 10, self.clock),
                                  contributors=["KOR", "USA"])
        return out

    def move(self, track_id: str, lat: float, lon: float) -> None:
        self.tracks[track_id] = (lat, lon)
        self.version += 1

    def track_detail(self, track_id: str) -> dict[str, Any] | None:
        return {"track_id": track_id, "history": []} if track_id in self.tracks else None

    def alerts(self) -> dict[str, Any]:
        return {"active": [], "history": []}

    def status(self) -> dict[str, Any]:
        return {"nation": self.nation, "exercise": self.exercise, "links": [], "counters": {}}

    def basemap(self) -> dict[str, Any] | None:
        return None

    def cap_feed(self) -> str | None:
        return None

    def cap_document(self, identifier: str) -> str | None:
        return None

    def cot_xml(self) -> bytes:
        return b"<events />"


@dataclass
class MovingView(StaticView):
    """``n`` missiles flying east, each step moving every one and appending to its trail."""

    n: int = 100
    trails: dict[str, list[tuple[float, float, float, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i in range(self.n):
            self.tracks[f"JPN-F{i}"] = (36.0 + 0.06 * i, 125.0)
            self.trails[f"JPN-F{i}"] = []

    def step(self, dt: float = 0.5) -> None:
        self.clock += dt
        for track_id, (lat, lon) in self.tracks.items():
            lon += 0.02
            self.tracks[track_id] = (lat, lon)
            self.trails[track_id].append((self.clock, math.radians(lat), math.radians(lon), 300e3))
        self.version += 1

    def picture_features(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for track_id, (lat, lon) in sorted(self.tracks.items()):
            pos = geodetic_to_ecef(math.radians(lat), math.radians(lon), 300e3)
            trail = np.array(self.trails[track_id]) if len(self.trails[track_id]) >= 2 else None
            out += track_features(track_id=track_id, time=self.clock, position_ecef=pos,
                                  assessment=assessment_for(track_id, 40.0, 140.0, self.clock),
                                  trail=trail, contributors=["KOR", "USA"])
        return out
