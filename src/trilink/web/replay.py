"""Replay of a node's archive on the operator page: the picture at any time, for the time slider.

The archive's reports are re-fused once at load (`trilink.node.replay.replay_pictures`); each
resulting picture is kept as GeoJSON features with its node-clock time, and ``picture_at(t)``
returns the last picture at or before ``t``.
"""

import bisect
import math
from pathlib import Path
from typing import Any

import numpy as np

from trilink.geo.frames import ecef_to_geodetic
from trilink.interop.geojson import track_features
from trilink.node.replay import ReplayOutcome, replay_pictures
from trilink.web.basemap import basemap as default_basemap
from trilink.web.basemap import warm as warm_basemap
from trilink.web.node_view import fused_impact_estimate


class ArchiveReplay:
    """`trilink.web.app.ReplaySource` over one archive file.

    Keeps each replayed picture's (immutable) fused tracks and every track's full trail;
    features are built only for the picture asked for, so memory grows with the archive,
    not with its square.
    """

    def __init__(self, path: Path, *, exercise: bool = True) -> None:
        self.path = path
        self.outcome = ReplayOutcome(path, True, "not checked", None)
        self.times: list[float] = []
        self._tracks: list[tuple[Any, ...]] = []
        self._trails: dict[str, list[tuple[float, float, float, float]]] = {}
        for picture in replay_pictures(path, self.outcome):
            live = tuple(t for t in picture.tracks if str(t.status) != "dropped")
            for track in live:
                lat, lon, height = ecef_to_geodetic(track.state[:3])
                self._trails.setdefault(track.fused_id, []).append(
                    (float(track.time), float(lat), float(lon), float(height)))
            self.times.append(float(picture.time))
            self._tracks.append(live)
        self.nation = self.outcome.nation or "?"
        self.exercise = exercise

    def time_range(self) -> tuple[float, float]:
        """First and last picture times (0, 0 for an archive without pictures)."""
        return (self.times[0], self.times[-1]) if self.times else (0.0, 0.0)

    def features_at(self, t: float) -> list[dict[str, Any]]:
        """GeoJSON features of the picture as it stood at ``t``."""
        index = bisect.bisect_right(self.times, t) - 1
        if index < 0:
            return []
        features: list[dict[str, Any]] = []
        for track in self._tracks[index]:
            full = self._trails[track.fused_id]
            upto = bisect.bisect_right([p[0] for p in full], float(track.time))
            trail = np.array(full[:upto]) if upto >= 2 else None
            features += track_features(
                track_id=track.fused_id, time=track.time, position_ecef=track.state[:3],
                velocity_ecef=track.state[3:], assessment=track.assessment,
                impact=fused_impact_estimate(track), trail=trail, contributors=sorted(track.nations),
                status=str(track.status), phase=str(track.phase), missile_class=str(track.missile_class),
                exercise=self.exercise)
        return features

    def trail(self, track_id: str) -> list[tuple[float, float, float, float]]:
        """Every replayed position of one track: (t, lat, lon, height)."""
        return list(self._trails.get(track_id, ()))

    def picture_at(self, t: float) -> dict[str, Any]:
        """The picture as it stood at ``t``: ``{"features": [...], "meta": {...}}``."""
        return {"features": self.features_at(t),
                "meta": {"nation": self.nation, "exercise": self.exercise, "server_time": t,
                         "alerts": [], "alert_history": [], "links": []}}


class ReplayNodeView:
    """A `NodeView` of an archive under replay: the API answers with the archive's last picture."""

    def __init__(self, replay: ArchiveReplay) -> None:
        self.replay = replay
        self.nation = replay.nation
        self.exercise = replay.exercise
        warm_basemap()

    def now(self) -> float:
        """The archive's last time."""
        return self.replay.time_range()[1]

    def picture_version(self) -> int:
        """An archive never changes."""
        return 0

    def picture_features(self) -> list[dict[str, Any]]:
        """The last picture in the archive."""
        return self.replay.features_at(self.now())

    def track_detail(self, track_id: str) -> dict[str, Any] | None:
        """Positions of one track through the archive."""
        trail = self.replay.trail(track_id)
        if not trail:
            return None
        history = [{"time": t, "lat": math.degrees(la), "lon": math.degrees(lo), "alt_km": h / 1000.0}
                   for t, la, lo, h in trail]
        return {"track_id": track_id, "history": history, "assessments": []}

    def alerts(self) -> dict[str, Any]:
        """Alerts are not replayed."""
        return {"active": [], "history": []}

    def status(self) -> dict[str, Any]:
        """What the replay found in the archive."""
        o = self.replay.outcome
        return {"nation": self.nation, "exercise": self.exercise, "links": [],
                "replay": str(self.replay.path),
                "counters": {"reports_replayed": o.reports_replayed, "pictures_replayed": o.pictures_replayed,
                             "undecodable": o.undecodable}}

    def basemap(self) -> dict[str, Any] | None:
        """The same first-level areas and sea limits as the live page."""
        return default_basemap()

    def cap_feed(self) -> str | None:
        """No CAP feed in replay."""
        return None

    def cap_document(self, identifier: str) -> str | None:
        """No CAP documents in replay."""
        return None

    def cot_xml(self) -> bytes:
        """No CoT in replay."""
        return b"<events />"
