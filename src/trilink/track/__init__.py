"""One nation's multi-target tracker and the assessment of its tracks.

    tracker = Tracker(TrackerConfig.for_nation(network, "KOR"))
    tracks = tracker.update(measurements, now)       # list[Track], pure and clock-free
    assessment = assess(track, now)                  # launch, impact ellipse, TTI, class

See docs/tracking.md for the models and parameters.
"""

from trilink.track.assess import assess, classify, predict_impact
from trilink.track.config import SensorSpec, TrackerConfig
from trilink.track.launch import estimate_launch
from trilink.track.tracker import Tracker

__all__ = ["SensorSpec", "Tracker", "TrackerConfig", "assess", "classify", "estimate_launch",
           "predict_impact"]
