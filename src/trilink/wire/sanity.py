"""Field sanity of decoded messages: finite numbers, ranges, PSD covariances, bounded strings and lists.

Each check returns ``None`` when the message is sane, else a one-line description
of the first problem (the detail of a ``Reason.SANITY`` rejection). Nothing here
raises for any value the decoder can produce.
"""

import math
import re
from collections.abc import Sequence

import numpy as np

from trilink.wire.messages import (
    MAX_ABS_ECEF_M,
    MAX_ABS_SPEED_MPS,
    MAX_ABS_TIME_S,
    MAX_AREAS,
    MAX_BATCH_REPORTS,
    MAX_ID_CHARS,
    MAX_NATIONS,
    MAX_SENSOR_KINDS,
    MAX_TEXT_CHARS,
    MAX_TRACK_IDS,
    AlertNotice,
    Heartbeat,
    ImpactPoint,
    LaunchPoint,
    Message,
    ReportBatch,
    StateVector,
    TrackReport,
)

_NATION = re.compile(r"[A-Z]{3}")
_DIAGONAL = (0, 6, 11, 15, 18, 20)
"""Positions of the variances in the 21-value upper triangle."""
_ROWS, _COLS = np.triu_indices(6)
"""Row and column of each of the 21 upper-triangle values."""
BATCHED_STATE_CHECK_MIN = 24
"""Batches of at least this many reports have their state vectors checked in one numpy pass first;
below it the numpy call costs more than the unrolled checks (about 0.1 ms against 9 µs a report)."""
PSD_TOLERANCE = 1e-9
"""Smallest eigenvalue allowed for a covariance scaled to unit diagonal (round-off margin)."""


def covariance_problem(upper: Sequence[float]) -> str | None:
    """None when the 21-value upper triangle is a finite, symmetric PSD 6×6 covariance.

    Symmetric by construction (only the triangle travels). PSD is tested by a
    Cholesky factorisation of the matrix scaled to unit diagonal plus
    ``PSD_TOLERANCE``·I, which succeeds exactly when no eigenvalue of the scaled
    matrix is below −``PSD_TOLERANCE``.
    """
    if len(upper) != 21:
        return "covariance needs 21 values"
    if not math.isfinite(sum(upper)):  # any inf or NaN makes the sum non-finite
        return "covariance has a non-finite value"
    for k in _DIAGONAL:
        if upper[k] < 0.0:
            return "covariance has a negative variance"
        if upper[k] > 1e30:
            return "covariance variance exceeds 1e30"
    return None if _unit_cholesky_succeeds(upper) else "covariance is not positive semi-definite"


def _unit_cholesky_succeeds(u: Sequence[float]) -> bool:
    """Cholesky of D^-1/2 P D^-1/2 + tol·I, P given by its upper triangle ``u``.

    Unrolled by hand (straight-line code, l<i><j> = L[i][j]) because this runs
    on every received report and a loop in Python costs four times as much;
    tests/wire/test_sanity.py checks it against numpy's eigenvalues.
    """
    sqrt = math.sqrt
    s0, s1, s2, s3, s4, s5 = (1.0 / sqrt(u[k]) if u[k] > 0.0 else 1.0 for k in _DIAGONAL)
    a = u[0] * s0 * s0 + PSD_TOLERANCE
    if not a > 0.0:
        return False
    l00 = sqrt(a)
    l10 = (u[1] * s1 * s0) / l00
    a = u[6] * s1 * s1 - l10 * l10 + PSD_TOLERANCE
    if not a > 0.0:
        return False
    l11 = sqrt(a)
    l20 = (u[2] * s2 * s0) / l00
    l21 = (u[7] * s2 * s1 - l20 * l10) / l11
    a = u[11] * s2 * s2 - l20 * l20 - l21 * l21 + PSD_TOLERANCE
    if not a > 0.0:
        return False
    l22 = sqrt(a)
    l30 = (u[3] * s3 * s0) / l00
    l31 = (u[8] * s3 * s1 - l30 * l10) / l11
    l32 = (u[12] * s3 * s2 - l30 * l20 - l31 * l21) / l22
    a = u[15] * s3 * s3 - l30 * l30 - l31 * l31 - l32 * l32 + PSD_TOLERANCE
    if not a > 0.0:
        return False
    l33 = sqrt(a)
    l40 = (u[4] * s4 * s0) / l00
    l41 = (u[9] * s4 * s1 - l40 * l10) / l11
    l42 = (u[13] * s4 * s2 - l40 * l20 - l41 * l21) / l22
    l43 = (u[16] * s4 * s3 - l40 * l30 - l41 * l31 - l42 * l32) / l33
    a = u[18] * s4 * s4 - l40 * l40 - l41 * l41 - l42 * l42 - l43 * l43 + PSD_TOLERANCE
    if not a > 0.0:
        return False
    l44 = sqrt(a)
    l50 = (u[5] * s5 * s0) / l00
    l51 = (u[10] * s5 * s1 - l50 * l10) / l11
    l52 = (u[14] * s5 * s2 - l50 * l20 - l51 * l21) / l22
    l53 = (u[17] * s5 * s3 - l50 * l30 - l51 * l31 - l52 * l32) / l33
    l54 = (u[19] * s5 * s4 - l50 * l40 - l51 * l41 - l52 * l42 - l53 * l43) / l44
    a = u[20] * s5 * s5 - l50 * l50 - l51 * l51 - l52 * l52 - l53 * l53 - l54 * l54 + PSD_TOLERANCE
    return a > 0.0  # the last pivot: l55 = sqrt(a) is not needed


def _cov2_problem(cov: tuple[float, float, float]) -> str | None:
    ee, en, nn = cov
    if not (math.isfinite(ee) and math.isfinite(en) and math.isfinite(nn)):
        return "non-finite east-north covariance"
    if ee < 0.0 or nn < 0.0 or en * en > ee * nn * (1.0 + PSD_TOLERANCE) + 1e-300:
        return "east-north covariance is not positive semi-definite"
    return None


def _time_problem(name: str, value: float | None) -> str | None:
    if value is None:
        return None
    if not (math.isfinite(value) and -MAX_ABS_TIME_S < value < MAX_ABS_TIME_S):
        return f"{name} is not a plausible epoch time"
    return None


def _id_problem(name: str, value: str, *, empty: bool = False, limit: int = MAX_ID_CHARS) -> str | None:
    if len(value) > limit:
        return f"{name} is longer than {limit} characters"
    if not value and not empty:
        return f"{name} is empty"
    if not value.isprintable():
        return f"{name} has control characters"
    return None


def _nations_problem(name: str, values: tuple[str, ...]) -> str | None:
    if len(values) > MAX_NATIONS:
        return f"{name} lists more than {MAX_NATIONS} nations"
    if len(set(values)) != len(values):
        return f"{name} repeats a nation"
    for value in values:
        if not _NATION.fullmatch(value):
            return f"{name} has {value[:8]!r}, not an alpha-3 code"
    return None


def _header_problem(message: TrackReport | AlertNotice | Heartbeat | ReportBatch) -> str | None:
    if not _NATION.fullmatch(message.origin):
        return "origin is not an alpha-3 code"
    return (_time_problem("issued_utc", message.issued_utc)
            or _nations_problem("releasable_to", message.releasable_to))


def _point_problem(name: str, p: LaunchPoint | ImpactPoint) -> str | None:
    problem = _time_problem(f"{name}.t_utc", p.t_utc)
    if problem:
        return problem
    if not (math.isfinite(p.sigma_t_s) and 0.0 <= p.sigma_t_s < MAX_ABS_TIME_S):
        return f"{name}.sigma_t_s must be finite and ≥ 0"
    if not -90.0 <= p.lat_deg <= 90.0:
        return f"{name}.lat_deg must be in [-90, 90]"
    if not -180.0 <= p.lon_deg <= 180.0:
        return f"{name}.lon_deg must be in [-180, 180]"
    return None


def _launch_problem(p: LaunchPoint) -> str | None:
    return _point_problem("launch", p) or _cov2_problem(p.cov_en_m2)


def _impact_problem(p: ImpactPoint) -> str | None:
    problem = _point_problem("impact", p)
    if problem:
        return problem
    if not (math.isfinite(p.semi_major_m) and math.isfinite(p.semi_minor_m)
            and 0.0 <= p.semi_minor_m <= p.semi_major_m <= 4.1e7):
        return "impact ellipse needs 0 ≤ semi_minor_m ≤ semi_major_m ≤ 41,000 km"
    if not 0.0 <= p.major_az_deg < 180.0:
        return "impact major_az_deg must be in [0, 180)"
    if not 0.0 < p.ellipse_p < 1.0:
        return "impact ellipse_p must be in (0, 1)"
    if len(p.areas) > MAX_AREAS:
        return f"impact.areas has more than {MAX_AREAS} areas"
    for name, probability in p.areas.items():
        if problem := (_id_problem("area name", name)
                       or _probability_problem(f"probability of {name[:16]!r}", probability)):
            return problem
    return None


def _state_problem(s: StateVector) -> str | None:
    problem = _time_problem("state.t_utc", s.t_utc)
    if problem:
        return problem
    if not all(math.isfinite(v) and abs(v) < MAX_ABS_ECEF_M for v in s.pos_ecef_m):
        return "state position must be finite and within 1e9 m"
    if not all(math.isfinite(v) and abs(v) < MAX_ABS_SPEED_MPS for v in s.vel_ecef_mps):
        return "state velocity must be finite and within 1e5 m/s"
    return covariance_problem(s.cov)


def _optional_metres(name: str, value: float | None, low: float, high: float) -> str | None:
    if value is not None and not (math.isfinite(value) and low <= value <= high):
        return f"{name} must be in [{low:g}, {high:g}] m"
    return None


def _probability_problem(name: str, value: float | None) -> str | None:
    if value is not None and not 0.0 <= value <= 1.0:  # NaN fails too
        return f"{name} must be in [0, 1]"
    return None


def track_report_problem(r: TrackReport) -> str | None:
    """First sanity problem of a track report, or None."""
    return _track_report_problem(r, state_sane=False)


def _track_report_problem(r: TrackReport, *, state_sane: bool) -> str | None:
    """``track_report_problem``; ``state_sane``: the state vector is known to pass its checks."""
    problem = (_header_problem(r) or _id_problem("report_id", r.report_id)
               or _id_problem("track_id", r.track_id) or (None if state_sane else _state_problem(r.state))
               or _optional_metres("apogee_m", r.apogee_m, -1.0e4, 1.0e8)
               or _optional_metres("range_m", r.range_m, 0.0, 2.1e7))
    if problem:
        return problem
    if len(r.sensor_kinds) > MAX_SENSOR_KINDS or len(set(r.sensor_kinds)) != len(r.sensor_kinds):
        return "sensor_kinds repeats a kind or is too long"
    if r.launch is not None and (problem := _launch_problem(r.launch)):
        return problem
    if r.impact is not None and (problem := _impact_problem(r.impact)):
        return problem
    return None


def alert_notice_problem(a: AlertNotice) -> str | None:
    """First sanity problem of an alert notice, or None."""
    problem = (_header_problem(a) or _id_problem("notice_id", a.notice_id)
               or _id_problem("incident_id", a.incident_id)
               or _id_problem("headline", a.headline, empty=True, limit=MAX_TEXT_CHARS)
               or _id_problem("event", a.event, empty=True)
               or _id_problem("instruction", a.instruction, empty=True, limit=MAX_TEXT_CHARS)
               or _probability_problem("impact_probability", a.impact_probability)
               or _time_problem("expected_utc", a.expected_utc)
               or _time_problem("expires_utc", a.expires_utc))
    if problem:
        return problem
    if len(a.track_ids) > MAX_TRACK_IDS or len(a.references) > MAX_TRACK_IDS:
        return f"track_ids or references has more than {MAX_TRACK_IDS} entries"
    if len(a.areas) > MAX_AREAS:
        return f"areas has more than {MAX_AREAS} entries"
    for value in (*a.track_ids, *a.references):
        if problem := _id_problem("track or notice id", value):
            return problem
    for area in a.areas:
        if problem := (_id_problem("area name", area.name) or _id_problem("area kind", area.kind)
                       or _probability_problem("area probability", area.probability)):
            return problem
        if not _NATION.fullmatch(area.nation):
            return "area nation is not an alpha-3 code"
    return None


def heartbeat_problem(h: Heartbeat) -> str | None:
    """First sanity problem of a heartbeat, or None."""
    return (_header_problem(h) or _time_problem("started_utc", h.started_utc)
            or _nations_problem("partners_connected", h.partners_connected)
            or _id_problem("software", h.software, empty=True)
            or _id_problem("detail", h.detail, empty=True, limit=MAX_TEXT_CHARS))


def report_batch_problem(b: ReportBatch) -> str | None:
    """First sanity problem of a report batch (its header, then each report and how it fits the batch)."""
    problem = _header_problem(b)
    if problem:
        return problem
    if not 1 <= len(b.reports) <= MAX_BATCH_REPORTS:
        return f"a batch carries 1 to {MAX_BATCH_REPORTS} reports, not {len(b.reports)}"
    batch_to = set(b.releasable_to)
    sane = (_states_surely_sane([r.state for r in b.reports]) if len(b.reports) >= BATCHED_STATE_CHECK_MIN
            else [False] * len(b.reports))
    for i, r in enumerate(b.reports):
        if (problem := _track_report_problem(r, state_sane=sane[i])) is not None:
            return f"report {i}: {problem}"
        if r.origin != b.origin or r.exercise != b.exercise:
            return f"report {i}: origin or exercise flag differs from the batch's"
        if not batch_to <= set(r.releasable_to):
            return f"report {i}: not releasable to every nation the batch is"
        if r.issued_utc > b.issued_utc:
            return f"report {i}: issued after its batch"
    return None


def _states_surely_sane(states: Sequence[StateVector]) -> list[bool]:
    """Per state vector, whether it surely passes ``_state_problem`` — all checked in one numpy batch.

    A batch of a hundred reports is checked at once instead of report by report. The covariance test
    is the same factorisation with half the tolerance, so a matrix passing it passes the unrolled one
    (round-off is ~1e-15 on these unit-diagonal matrices, the margin 5e-10); anything not surely
    sane (False) is checked one by one for its exact reason.
    """
    try:
        rows = np.array([(s.t_utc, *s.pos_ecef_m, *s.vel_ecef_mps, *s.cov) for s in states], dtype=float)
    except (ValueError, TypeError):
        return [False] * len(states)
    if rows.ndim != 2 or rows.shape[1] != 28:
        return [False] * len(states)
    with np.errstate(all="ignore"):
        ok = np.isfinite(rows).all(axis=1)
        ok &= np.abs(rows[:, 0]) < MAX_ABS_TIME_S
        ok &= (np.abs(rows[:, 1:4]) < MAX_ABS_ECEF_M).all(axis=1)
        ok &= (np.abs(rows[:, 4:7]) < MAX_ABS_SPEED_MPS).all(axis=1)
        variances = rows[:, [7 + k for k in _DIAGONAL]]
        ok &= ((variances >= 0.0) & (variances <= 1e30)).all(axis=1)
        if not ok.any():
            return ok.tolist()
        upper, kept = rows[ok, 7:], variances[ok]
        scale = np.ones_like(kept)
        scale[kept > 0.0] = 1.0 / np.sqrt(kept[kept > 0.0])      # as the unrolled test: 1 for a zero variance
        unit = np.zeros((len(upper), 6, 6))
        unit[:, _ROWS, _COLS] = upper
        unit[:, _COLS, _ROWS] = upper
        unit *= scale[:, :, None] * scale[:, None, :]
        unit += 0.5 * PSD_TOLERANCE * np.eye(6)
    try:
        np.linalg.cholesky(unit)
    except np.linalg.LinAlgError:
        return [False] * len(states)  # some matrix is not surely PSD: one by one, for exact reasons
    return ok.tolist()


_CHECKS = {TrackReport: track_report_problem, AlertNotice: alert_notice_problem,
           Heartbeat: heartbeat_problem, ReportBatch: report_batch_problem}


def message_problem(message: Message) -> str | None:
    """First sanity problem of any message, or None when it is sane."""
    return _CHECKS[type(message)](message)
