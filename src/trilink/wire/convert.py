"""Between the model's Track and Assessment (SI, radians) and the wire's TrackReport (degrees at the edge).

The node builds reports with ``report_from_assessment`` without knowing the
schema; a receiver turns a verified report back into ``Track`` and
``Assessment`` for fusion with ``track_from_report`` / ``assessment_from_report``.
"""

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from trilink.model.assessment import Assessment, Ellipse, ImpactEstimate, LaunchEstimate, MissileClass
from trilink.model.track import Track, TrackStatus
from trilink.wire.messages import (
    ImpactPoint,
    LaunchPoint,
    ReportStatus,
    StateVector,
    TrackReport,
)

_UPPER = np.triu_indices(6)


def initial_sequence(now: float) -> int:
    """First sequence number of a node started at ``now``: microseconds since the epoch.

    Sequences then count up by one per message, so they keep increasing across
    restarts (as long as a node sends fewer than a million messages a second).
    """
    return int(now * 1e6)


def report_status(status: TrackStatus, *, first: bool) -> ReportStatus:
    """Wire status of a track: new (first report), update, lost (coasting) or dropped (deleted)."""
    if status is TrackStatus.DELETED:
        return ReportStatus.DROPPED
    if first:
        return ReportStatus.NEW
    return ReportStatus.LOST if status is TrackStatus.COASTING else ReportStatus.UPDATE


def covariance_upper(matrix: np.ndarray) -> tuple[float, ...]:
    """The 21-value upper triangle (row by row) of a symmetrised 6×6 covariance."""
    m = np.asarray(matrix, dtype=float)
    return tuple((0.5 * (m + m.T))[_UPPER].tolist())  # tolist: Python floats in one call (every report)


def covariance_matrix(upper: Iterable[float]) -> np.ndarray:
    """The symmetric 6×6 matrix of a 21-value upper triangle."""
    m = np.zeros((6, 6))
    m[_UPPER] = np.fromiter(upper, dtype=float, count=21)
    return m + np.triu(m, 1).T


def covariance_matrices(uppers: Sequence[Sequence[float]]) -> np.ndarray:
    """``covariance_matrix`` of many 21-value upper triangles at once → (N, 6, 6) (a batch of reports)."""
    values = np.array(uppers, dtype=float).reshape(len(uppers), 21)
    m = np.zeros((len(uppers), 6, 6))
    m[:, _UPPER[1], _UPPER[0]] = values
    m[:, _UPPER[0], _UPPER[1]] = values
    return m


def _k2(probability: float) -> float:
    """Squared Mahalanobis radius of the 2-D ellipse holding ``probability``."""
    return -2.0 * math.log1p(-probability)


def ellipse_from_cov_en(cov: np.ndarray, probability: float = 0.95) -> Ellipse:
    """The ``probability`` ellipse of an east-north covariance (m²)."""
    c = 0.5 * (np.asarray(cov, dtype=float) + np.asarray(cov, dtype=float).T)
    values, vectors = np.linalg.eigh(c)
    scale = math.sqrt(_k2(probability))
    major = vectors[:, 1]
    azimuth = math.atan2(major[0], major[1]) % math.pi
    return Ellipse(semi_major=scale * math.sqrt(max(values[1], 0.0)),
                   semi_minor=scale * math.sqrt(max(values[0], 0.0)),
                   orientation=0.0 if azimuth >= math.pi else azimuth, probability=probability,
                   covariance_en=c)


def cov_en_from_ellipse(semi_major: float, semi_minor: float, orientation: float,
                        probability: float) -> np.ndarray:
    """The east-north covariance (m²) whose ``probability`` ellipse has these axes and azimuth (rad)."""
    k2 = _k2(probability)
    s, c = math.sin(orientation), math.cos(orientation)
    axes = np.array([[s, c], [c, -s]])  # columns: major, minor axis as (east, north)
    return axes @ np.diag([semi_major**2 / k2, semi_minor**2 / k2]) @ axes.T


def _cov2(c: np.ndarray) -> tuple[float, float, float]:
    c = np.asarray(c, dtype=float)
    return float(c[0, 0]), float(0.5 * (c[0, 1] + c[1, 0])), float(c[1, 1])


def _lon_deg(lon_rad: float) -> float:
    lon = math.degrees(lon_rad)
    return (lon + 180.0) % 360.0 - 180.0 if not -180.0 <= lon <= 180.0 else lon


def report_from_assessment(track: Track, assessment: Assessment | None, *, originator: str, sequence: int,
                           issued: float, releasable_to: Iterable[str] = (), exercise: bool,
                           status: ReportStatus, report_id: str | None = None,
                           impact_areas: Mapping[str, float] | None = None) -> TrackReport:
    """Build the wire report of a track and its assessment (``None`` before the first assessment).

    ``releasable_to`` is usually filled afterwards by ``trilink.wire.mark_releasable``;
    ``impact_areas`` maps area names to the probability of impact there, when known.
    """
    launch = impact = None
    apogee = ground_range = None
    if assessment is not None:
        if (le := assessment.launch) is not None:
            launch = LaunchPoint(t_utc=float(le.time), sigma_t_s=float(le.sigma_time),
                                 lat_deg=math.degrees(le.lat), lon_deg=_lon_deg(le.lon),
                                 cov_en_m2=_cov2(le.ellipse.covariance_en))
        if (ie := assessment.impact) is not None:
            areas = impact_areas or {}
            azimuth = math.degrees(ie.ellipse.orientation) % 180.0
            impact = ImpactPoint(t_utc=float(ie.time), sigma_t_s=float(ie.sigma_time),
                                 lat_deg=math.degrees(ie.lat), lon_deg=_lon_deg(ie.lon),
                                 semi_major_m=float(ie.ellipse.semi_major),
                                 semi_minor_m=float(ie.ellipse.semi_minor),
                                 major_az_deg=0.0 if azimuth >= 180.0 else azimuth,
                                 ellipse_p=float(ie.ellipse.probability),
                                 areas={str(k): float(v) for k, v in dict(areas).items()})
        apogee = None if assessment.apogee is None else float(assessment.apogee)
        ground_range = None if assessment.ground_range is None else float(assessment.ground_range)
    state = np.asarray(track.state, dtype=float)
    return TrackReport(
        report_id=report_id or f"{originator}.{sequence}",
        origin=originator, seq=sequence, issued_utc=float(issued), track_id=track.track_id,
        status=status, phase=assessment.phase if assessment is not None else track.phase,
        state=StateVector(t_utc=float(track.time),
                          pos_ecef_m=(float(state[0]), float(state[1]), float(state[2])),
                          vel_ecef_mps=(float(state[3]), float(state[4]), float(state[5])),
                          cov=covariance_upper(track.covariance)),
        updates=int(track.n_updates),
        missile_class=assessment.missile_class if assessment is not None else MissileClass.UNKNOWN,
        sensor_kinds=tuple(sorted(track.sensor_kinds)), releasable_to=tuple(releasable_to),
        exercise=exercise, launch=launch, impact=impact, apogee_m=apogee, range_m=ground_range)


_TRACK_STATUS = {ReportStatus.NEW: TrackStatus.CONFIRMED, ReportStatus.UPDATE: TrackStatus.CONFIRMED,
                 ReportStatus.LOST: TrackStatus.COASTING, ReportStatus.DROPPED: TrackStatus.DELETED}


def track_from_report(report: TrackReport) -> Track:
    """The partner's track as a model ``Track`` (nation = origin; first/last update = state time)."""
    s = report.state
    return Track(track_id=report.track_id, nation=report.origin, time=s.t_utc,
                 state=np.array([*s.pos_ecef_m, *s.vel_ecef_mps]),
                 covariance=covariance_matrix(s.cov), status=_TRACK_STATUS[report.status],
                 phase=report.phase, first_time=s.t_utc, last_update=s.t_utc, n_updates=report.updates,
                 sensor_kinds=frozenset(report.sensor_kinds))


def assessment_from_report(report: TrackReport) -> Assessment:
    """The partner's assessment as a model ``Assessment`` (radians; no ground track travels)."""
    launch = impact = None
    if (lp := report.launch) is not None:
        ee, en, nn = lp.cov_en_m2
        launch = LaunchEstimate(time=lp.t_utc, sigma_time=lp.sigma_t_s, lat=math.radians(lp.lat_deg),
                                lon=math.radians(lp.lon_deg),
                                ellipse=ellipse_from_cov_en(np.array([[ee, en], [en, nn]])))
    if (ip := report.impact) is not None:
        orientation = math.radians(ip.major_az_deg)
        cov = cov_en_from_ellipse(ip.semi_major_m, ip.semi_minor_m, orientation, ip.ellipse_p)
        impact = ImpactEstimate(time=ip.t_utc, sigma_time=ip.sigma_t_s, lat=math.radians(ip.lat_deg),
                                lon=math.radians(ip.lon_deg),
                                ellipse=Ellipse(ip.semi_major_m, ip.semi_minor_m, orientation,
                                                ip.ellipse_p, cov))
    return Assessment(
        track_id=report.track_id, time=report.state.t_utc, phase=report.phase, launch=launch,
        impact=impact, apogee=report.apogee_m, ground_range=report.range_m,
        time_to_impact=None if impact is None else impact.time - report.state.t_utc,
        ground_track=np.zeros((0, 4)), missile_class=report.missile_class,
        class_reason=f"reported by {report.origin}")
