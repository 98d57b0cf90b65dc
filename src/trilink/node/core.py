"""The node's functional core: measurements and partners' bytes in, signed reports, picture and records out.

No clock, socket or file here: every call takes ``now`` (UTC epoch seconds of
the node's clock, simulated in an exercise) and returns what the shell must do
(publish these bytes to these partners, append these archive records). The
shell (``trilink.node.service``) owns the clock, NATS, the archive file and the
metrics; the same core therefore runs at wall-clock speed and as fast as the
CPU allows in simulated time.
"""

import logging
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from trilink.fusion.source import SourceTrack
from trilink.model import Assessment, Measurement, Track, TrackStatus
from trilink.model.network import NetworkConfig
from trilink.node import archive as ak
from trilink.node import stages
from trilink.node.reports import source_from_track, sources_from_reports
from trilink.wire.batch import make_batches, reports_of
from trilink.wire.codec import seal, to_json
from trilink.wire.convert import report_from_assessment, report_status
from trilink.wire.keys import Signer
from trilink.wire.messages import ReportBatch, TrackReport, message_id, replace
from trilink.wire.release import fixed_recipients, mark_releasable
from trilink.wire.verify import MAX_BATCH_BYTES

log = logging.getLogger("trilink.node")


@dataclass(frozen=True, slots=True)
class NodeSettings:
    """How one node behaves (SI: seconds, metres)."""

    nation: str
    report_interval: float = 2.0
    """Each confirmed track is reported at least this often, and at once when it is new or changes
    status (confirmed / coasting / deleted) or phase (boost / midcourse / re-entry). Own tracks enter
    the fused picture at the same cadence (fusing every tracker step would double the cost)."""
    assess_min_interval: float = 5.0
    assess_max_interval: float = 60.0
    assess_fraction: float = 0.05
    """A track is re-assessed (impact prediction through the full propagator, the costly part) every
    ``assess_fraction`` × time-to-impact, within [min, max] seconds, and at once on a significant
    change; reports in between carry the latest assessment with a fresh state."""
    assessment_rate: float | None = None
    """Cap on assessments per second of node time across all tracks (a token bucket holding up to
    ``assessment_burst``); tracks over the cap keep their last assessment until a token frees up.
    None: no cap (each track still follows the interval rule above)."""
    assessment_burst: float = 3.0
    assess: bool = True
    """False: reports carry the state only (no launch/impact assessment); for latency benchmarks."""
    sharing: bool = True
    """False: report to nobody and fuse own tracks only (each nation alone, for comparison)."""
    recent_reports: int = 200
    """How many recent sent/received reports the in-process API keeps."""
    batch_reports: bool = False
    """True: the reports of one step that go to the same partners travel as one signed ``ReportBatch``
    (one message and one signature instead of one per report; partners must read batches)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A sealed report (or report batch) to publish, and the partners it may reach."""

    report: TrackReport | ReportBatch
    data: bytes
    msg_id: str
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """One archive record the shell must append."""

    kind: str
    time: float
    body: dict[str, Any]
    blob: bytes = b""


@dataclass(slots=True)
class StepResult:
    """What one step asks of the shell."""

    outgoing: list[Outgoing] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    picture_changed: bool = False


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """Outcome of one incoming message: the accepted report(s), or the reason code it was rejected for."""

    report: TrackReport | None
    """The accepted report (a batch's last one)."""
    reason: str | None
    entry: Entry
    reports: tuple[TrackReport, ...] = ()
    """Every accepted report (one, or a batch's)."""


@dataclass(slots=True)
class _Reported:
    time: float
    status: str
    phase: str
    missile_class: str
    impact: tuple[float, float] | None


class NodeCore:
    """One nation's node state: tracker, outgoing report policy, verified partner sources, fused picture."""

    def __init__(self, network: NetworkConfig, settings: NodeSettings, signer: Signer, trust: Any,
                 *, first_sequence: int = 1) -> None:
        self.network, self.settings, self.nation = network, settings, settings.nation
        self.signer = signer
        self.exercise = network.exercise
        self._tracker: Any = None
        self.verifier = stages.make_verifier(network, self.nation, trust)
        self.fusion = stages.make_fusion(self.nation)
        self.sequence = first_sequence
        self.tracks: dict[str, Track] = {}
        self.assessments: dict[str, Assessment] = {}
        self._assessed_at: dict[str, float] = {}
        self._tokens = settings.assessment_burst
        self._last_step: float | None = None
        self._pending: list[SourceTrack | tuple[Track, Assessment | None]] = []
        """Sources for the next fusion, in arrival order; own tracks are converted when fused (after
        the step's reports are published: the conversion is not on the partners' path)."""
        self._release_to = fixed_recipients(network, self.nation) if settings.sharing else ()
        """Whom every report may reach, when that does not depend on the report (None: ask each time)."""
        self.picture: Any = None
        self.picture_version = 0
        self._reported: dict[str, _Reported] = {}
        self._dirty = False
        self.counters: Counter[str] = Counter()
        self.rejects: Counter[str] = Counter()
        self.last_report_latency: dict[str, float] = {}
        self.recent_sent: deque[TrackReport] = deque(maxlen=settings.recent_reports)
        self.recent_received: deque[TrackReport] = deque(maxlen=settings.recent_reports)
        self.max_batch_bytes = MAX_BATCH_BYTES
        """A sealed batch larger than this (the receivers' default limit) is split."""

    def take_sequence(self) -> int:
        """The next per-originator sequence number (shared by every message kind this node signs)."""
        sequence = self.sequence
        self.sequence += 1
        return sequence

    # ------------------------------------------------------------------ own sensors
    def step(self, measurements: list[Measurement], now: float, *, fuse: bool = True) -> StepResult:
        """Track the new measurements, report what is due, and fuse (unless ``fuse`` is False)."""
        result = StepResult()
        if self.settings.assessment_rate is not None:
            elapsed = 0.0 if self._last_step is None else max(0.0, now - self._last_step)
            self._tokens = min(self.settings.assessment_burst,
                               self._tokens + elapsed * self.settings.assessment_rate)
        self._last_step = now
        self.counters["measurements"] += len(measurements)
        if self._tracker is None:
            self._tracker = stages.make_tracker(self.network, self.nation)
        tracks = stages.tracker_update(self._tracker, measurements, now)
        if tracks is None:
            self.counters["tracker_failures"] += 1
            tracks = list(self.tracks.values())
        current: dict[str, Track] = {}
        reports: list[TrackReport] = []
        for track in tracks:
            if track.status is TrackStatus.TENTATIVE:
                continue
            if track.status is not TrackStatus.DELETED:
                current[track.track_id] = track
            report = self._report_if_due(track, now)
            if report is not None:          # own tracks reach the picture at the reporting cadence
                reports.append(report)
                self._pending.append((track, self.assessments.get(track.track_id)))
        self._seal_reports(reports, now, result)
        for track_id in set(self.tracks) - set(current):
            self.assessments.pop(track_id, None)
            self._assessed_at.pop(track_id, None)
        self.tracks = current
        self._dirty = self._dirty or bool(self._pending)
        if self._dirty and fuse:
            self._fuse(now, result)
        return result

    def _report_if_due(self, track: Track, now: float) -> TrackReport | None:
        previous = self._reported.get(track.track_id)
        status = str(track.status)
        due = (previous is None or self._significant(track)
               or now - previous.time >= self.settings.report_interval)
        if not due:
            return None
        assessment = None
        if track.status is not TrackStatus.DELETED and self.settings.assess:
            assessment = self._assessment(track, now, previous is None or self._significant(track))
        impact = None
        if assessment is not None and assessment.impact is not None:
            impact = (assessment.impact.lat, assessment.impact.lon)
        missile_class = str(assessment.missile_class) if assessment is not None else ""
        if track.status is TrackStatus.DELETED:
            self._reported.pop(track.track_id, None)
        else:
            self._reported[track.track_id] = _Reported(now, status, str(track.phase), missile_class, impact)
        report = report_from_assessment(
            track, assessment, originator=self.nation, sequence=self.sequence, issued=now,
            exercise=self.exercise, status=report_status(track.status, first=previous is None),
            releasable_to=self._release_to or ())
        self.sequence += 1
        if self._release_to is not None:
            return report
        return mark_releasable(self.network, report, only=None if self.settings.sharing else set())

    def _seal_reports(self, reports: list[TrackReport], now: float, result: StepResult) -> None:
        """Seal this step's reports (one by one, or in batches per recipient set); archive each message."""
        single = reports
        if self.settings.batch_reports:
            single = [r for r in reports if not r.releasable_to]     # reaches nobody: archived alone
            batches = make_batches(reports, origin=self.nation, issued=now,
                                   exercise=self.exercise, take_sequence=self.take_sequence)
            for batch in batches:
                self._seal_batch(batch, now, result)
        for report in single:
            self._seal(report, (report,), seal(report, self.signer), now, result)

    def _seal_batch(self, batch: ReportBatch, now: float, result: StepResult) -> None:
        """Seal a batch; one over the receivers' size limit is split in two (each half a new sequence)."""
        data = seal(batch, self.signer)
        if len(data) > self.max_batch_bytes and len(batch.reports) > 1:
            half = len(batch.reports) // 2
            for part in (batch.reports[:half], batch.reports[half:]):
                self._seal_batch(replace(batch, seq=self.take_sequence(), reports=part), now, result)
            return
        self._seal(batch, batch.reports, data, now, result)

    def _seal(self, message: TrackReport | ReportBatch, reports: tuple[TrackReport, ...], data: bytes,
              now: float, result: StepResult) -> None:
        outgoing = Outgoing(message, data, message_id(message), tuple(message.releasable_to))
        result.outgoing.append(outgoing)
        self.counters["reports_built"] += len(reports)
        self.counters["reports_sent"] += len(reports) * len(outgoing.recipients)
        self.counters["messages_sealed"] += 1
        self.recent_sent.extend(reports)
        body: dict[str, Any] = {"msg_id": outgoing.msg_id, "recipients": list(outgoing.recipients)}
        if isinstance(message, ReportBatch):
            body |= {"track_ids": [r.track_id for r in reports], "statuses": [str(r.status) for r in reports]}
        else:
            body |= {"track_id": message.track_id, "status": str(message.status)}
        result.entries.append(Entry(ak.KIND_REPORT_SENT, now, body, data))

    def _assessment(self, track: Track, now: float, significant: bool) -> Assessment | None:
        """The track's assessment: recomputed when due (see ``NodeSettings.assess_*``), else the last one."""
        last = self.assessments.get(track.track_id)
        tried = self._assessed_at.get(track.track_id)
        cfg = self.settings
        interval = cfg.assess_min_interval
        if last is not None and last.time_to_impact is not None:
            interval = min(cfg.assess_max_interval,
                           max(cfg.assess_min_interval, cfg.assess_fraction * last.time_to_impact))
        if not (tried is None or significant or now - tried >= interval):
            return last
        if self.settings.assessment_rate is not None:
            if self._tokens < 1.0:
                self.counters["assessments_deferred"] += 1
                return last
            self._tokens -= 1.0
        self._assessed_at[track.track_id] = now
        assessment = stages.assess(track, now)
        self.counters["assessments"] += 1
        if assessment is None:
            self.counters["assessment_failures"] += 1
            return last
        self.assessments[track.track_id] = assessment
        return assessment

    def _significant(self, track: Track) -> bool:
        """Whether a track changed enough since its last report to report it before its interval."""
        previous = self._reported.get(track.track_id)
        if previous is None:
            return True
        return str(track.status) != previous.status or str(track.phase) != previous.phase

    # ------------------------------------------------------------------ partners
    def receive(self, data: bytes, now: float) -> ReceiveResult:
        """Verify one incoming message; each accepted track report (alone or batched) is a fusion source."""
        message, reason = self.verifier(data, now)
        if message is None:
            reason = reason or "rejected"
            self.rejects[reason] += 1
            blob = data[:2048]
            return ReceiveResult(None, reason, Entry(ak.KIND_REPORT_REJECTED, now,
                                                     {"reason": reason, "size": len(data)}, blob))
        reports = reports_of(message)
        if not reports:
            self.counters[f"received_{type(message).__name__.lower()}"] += 1
            return ReceiveResult(None, None, Entry(ak.KIND_REPORT_RECEIVED, now,
                                                   {"type": type(message).__name__,
                                                    "originator": message.origin}, data))
        if message.origin == self.nation:
            self.rejects["own_report_relayed"] += 1
            return ReceiveResult(None, "own_report_relayed",
                                 Entry(ak.KIND_REPORT_REJECTED, now, {"reason": "own_report_relayed"}, data))
        self._pending.extend(sources_from_reports(reports))
        self.counters["reports_received"] += len(reports)
        self.last_report_latency[message.origin] = now - message.issued_utc
        self.recent_received.extend(reports)
        self._dirty = True
        body: dict[str, Any] = {"msg_id": message_id(message), "originator": message.origin}
        if isinstance(message, ReportBatch):
            body["track_ids"] = [r.track_id for r in reports]
        else:
            body["track_id"] = reports[0].track_id
        return ReceiveResult(reports[-1], None, Entry(ak.KIND_REPORT_RECEIVED, now, body, data), reports)

    # ------------------------------------------------------------------ fusion
    def fuse(self, now: float) -> StepResult:
        """Fuse what arrived since the last fusion (the shell calls this after receiving reports)."""
        result = StepResult()
        if self._dirty:
            self._fuse(now, result)
        return result

    def _fuse(self, now: float, result: StepResult) -> None:
        pending, self._pending = self._pending, []
        sources = [p if isinstance(p, SourceTrack) else source_from_track(*p) for p in pending]
        picture = stages.fusion_update(self.fusion, sources, now)
        self.picture = picture
        self.picture_version += 1
        self._dirty = False
        for rejection in picture.rejected:
            self.rejects["fusion_" + str(getattr(rejection, "code", "invalid"))] += 1
        result.picture_changed = True
        if picture.changed:
            changed = sorted(picture.changed)
            body = {"changed": changed, "n_sources": len(sources),
                    "tracks": [picture_track_summary(t) for t in picture.tracks if t.fused_id in changed]}
            result.entries.append(Entry(ak.KIND_PICTURE, now, body))


def picture_track_summary(track: Any) -> dict[str, Any]:
    """A small JSON-able description of one fused track (for the archive and logs)."""
    impact = None
    if track.impact is not None:
        impact = {"lat": float(track.impact.lat), "lon": float(track.impact.lon)}
    return {"id": track.fused_id, "status": str(track.status), "time": float(track.time),
            "position": [float(v) for v in track.state[:3]],
            "sources": [list(s) for s in track.sources],
            "contributors": sorted({n for n, _ in track.contributors}), "impact": impact}


def report_json(report: TrackReport) -> bytes:
    """A report as JSON for the in-process API."""
    return to_json(report)
