"""The node's one point of contact with the stages it wires: tracker, assessment, verification, fusion.

Each function adapts one package's public API to what ``NodeCore`` needs, so a
change in a stage's interface is absorbed here and nowhere else.
"""

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from trilink.fusion.engine import FusionConfig, FusionEngine
from trilink.fusion.picture import Picture
from trilink.fusion.source import SourceTrack
from trilink.model import Assessment, Measurement, Track
from trilink.model.network import NetworkConfig
from trilink.wire.keys import TrustStore
from trilink.wire.messages import Message
from trilink.wire.verify import Accepted, ReceiverPolicy, Verifier

log = logging.getLogger("trilink.node")

VerifyFn = Callable[[bytes, float], tuple[Message | None, str | None]]


def make_tracker(network: NetworkConfig, nation: str) -> Any:
    """The nation's tracker, configured from the network's description of its sensors."""
    from trilink.track.config import TrackerConfig
    from trilink.track.tracker import Tracker

    return Tracker(TrackerConfig.for_nation(network, nation))


def tracker_update(tracker: Any, measurements: list[Measurement], now: float) -> list[Track] | None:
    """Feed the tracker; the tracks it holds (tentative ones included) at ``now``.

    None when the tracker failed on this batch: the node logs it, counts it and keeps
    its previous tracks rather than stopping (a service must outlive one bad batch).
    """
    try:
        return list(tracker.update(measurements, now))
    except Exception:
        log.exception("tracker failed on a batch", extra={"fields": {"measurements": len(measurements)}})
        return None


def assess(track: Track, now: float) -> Assessment | None:
    """The track's assessment, or None when it admits none yet (e.g. no impact ahead)."""
    track_assess = _assessor()
    if track_assess is None:
        return None
    try:
        return track_assess(track, now)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        log.debug("no assessment yet", extra={"fields": {"track": track.track_id, "error": str(exc)}})
        return None
    except Exception:
        log.exception("assessment failed", extra={"fields": {"track": track.track_id}})
        return None


def _assessor() -> Callable[[Track, float], Assessment] | None:
    """The tracker package's ``assess`` function (None while it is not available)."""
    try:
        from trilink.track.assess import assess as track_assess
    except ImportError:
        return None
    return track_assess if callable(track_assess) else None


def make_verifier(network: NetworkConfig, nation: str, trust: TrustStore,
                  max_age_s: float = 60.0) -> VerifyFn:
    """``verify(data, now) -> (message, None) | (None, reason code)``: the wire checks, in order."""
    verifier = Verifier(ReceiverPolicy(receiver=nation, trust=trust, network=network, max_age_s=max_age_s))

    def verify(data: bytes, now: float) -> tuple[Message | None, str | None]:
        result = verifier.verify(data, now)
        if isinstance(result, Accepted):
            return result.message, None
        return None, str(result.reason)

    return verify


def make_fusion(nation: str) -> FusionEngine:
    """The fusion engine holding this node's picture state."""
    return FusionEngine(FusionConfig(nation=nation))


def fusion_update(engine: FusionEngine, sources: list[SourceTrack], now: float) -> Picture:
    """Fuse new or updated sources at ``now``; the common picture."""
    return engine.update(sources, now)
