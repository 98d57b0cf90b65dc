"""Conversions at the node's edges: a verified partner report or an own track → a fusion source.

Pure functions. The wire side (degrees, upper-triangle covariances) is decoded with
``trilink.wire.convert`` (a report's degrees become radians here); fusion takes radians and
full matrices.
"""

import math
from collections.abc import Sequence

import numpy as np

from trilink.fusion.source import ImpactPoint, SourceKey, SourceStatus, SourceTrack
from trilink.model import Assessment, MissileClass, Track, TrackStatus
from trilink.wire.convert import cov_en_from_ellipse, covariance_matrices, covariance_matrix
from trilink.wire.messages import ReportStatus, TrackReport

_STATUS = {ReportStatus.NEW: SourceStatus.ACTIVE, ReportStatus.UPDATE: SourceStatus.ACTIVE,
           ReportStatus.LOST: SourceStatus.LOST, ReportStatus.DROPPED: SourceStatus.DROPPED}


def source_from_report(report: TrackReport, provenance: frozenset[SourceKey] = frozenset()) -> SourceTrack:
    """A verified partner report as a fusion input (radians, full covariance).

    Built straight from the report (not through ``track_from_report``/``assessment_from_report``,
    which build objects fusion does not use): this runs for every received report.
    """
    s = report.state
    return SourceTrack(
        nation=report.origin, track_id=report.track_id, time=float(s.t_utc),
        state=np.array([*s.pos_ecef_m, *s.vel_ecef_mps], dtype=float), covariance=covariance_matrix(s.cov),
        status=_STATUS[report.status], provenance=provenance | {(report.origin, report.track_id)},
        impact=_impact(report), phase=report.phase, missile_class=report.missile_class,
        first_time=float(s.t_utc))


def sources_from_reports(reports: Sequence[TrackReport]) -> list[SourceTrack]:
    """``source_from_report`` of each verified report (the same sources), the arrays built in one batch."""
    if not reports:
        return []
    states = np.array([(*r.state.pos_ecef_m, *r.state.vel_ecef_mps) for r in reports], dtype=float)
    covariances = covariance_matrices([r.state.cov for r in reports])
    return [SourceTrack(nation=r.origin, track_id=r.track_id, time=float(r.state.t_utc), state=states[i],
                        covariance=covariances[i], status=_STATUS[r.status],
                        provenance=frozenset({(r.origin, r.track_id)}), impact=_impact(r),
                        phase=r.phase, missile_class=r.missile_class, first_time=float(r.state.t_utc))
            for i, r in enumerate(reports)]


def _impact(report: TrackReport) -> ImpactPoint | None:
    if (ip := report.impact) is None:
        return None
    orientation = math.radians(ip.major_az_deg)
    return ImpactPoint(lat=math.radians(ip.lat_deg), lon=math.radians(ip.lon_deg),
                       covariance_en=cov_en_from_ellipse(ip.semi_major_m, ip.semi_minor_m, orientation,
                                                         ip.ellipse_p),
                       time=float(ip.t_utc))


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
