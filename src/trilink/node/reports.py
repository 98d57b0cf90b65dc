"""Conversions at the node's edges: a verified partner report or an own track → a fusion source.

Pure functions. The wire side (degrees, upper-triangle covariances) is decoded
with ``trilink.wire.convert``; fusion takes radians and full matrices.
"""

from dataclasses import replace

import numpy as np

from trilink.fusion.source import ImpactPoint, SourceKey, SourceStatus, SourceTrack
from trilink.model import Assessment, MissileClass, Track, TrackStatus
from trilink.wire.convert import assessment_from_report, track_from_report
from trilink.wire.messages import ReportStatus, TrackReport

_STATUS = {ReportStatus.NEW: SourceStatus.ACTIVE, ReportStatus.UPDATE: SourceStatus.ACTIVE,
           ReportStatus.LOST: SourceStatus.LOST, ReportStatus.DROPPED: SourceStatus.DROPPED}


def source_from_report(report: TrackReport, provenance: frozenset[SourceKey] = frozenset()) -> SourceTrack:
    """A verified partner report as a fusion input (radians, full covariance)."""
    source = source_from_track(track_from_report(report), assessment_from_report(report))
    return replace(source, status=_STATUS[report.status], provenance=provenance | {source.key})


def source_from_track(track: Track, assessment: Assessment | None) -> SourceTrack:
    """One of the node's own tracks (with its latest assessment, if any) as a fusion input."""
    status = {TrackStatus.COASTING: SourceStatus.LOST, TrackStatus.DELETED: SourceStatus.DROPPED}.get(
        track.status, SourceStatus.ACTIVE)
    impact = None
    if assessment is not None and assessment.impact is not None:
        ie = assessment.impact
        impact = ImpactPoint(lat=float(ie.lat), lon=float(ie.lon),
                             covariance_en=np.asarray(ie.ellipse.covariance_en, dtype=float),
                             time=float(ie.time))
    return SourceTrack(
        nation=track.nation, track_id=track.track_id, time=float(track.time),
        state=np.asarray(track.state, dtype=float), covariance=np.asarray(track.covariance, dtype=float),
        status=status, provenance=frozenset({(track.nation, track.track_id)}), impact=impact,
        phase=track.phase, missile_class=assessment.missile_class if assessment else MissileClass.UNKNOWN,
        first_time=float(track.first_time))
