"""Re-running a node's picture from its archive: the archived reports, re-fused in their recorded order.

The archive holds the exact bytes of every report the node sent (its own tracks)
and accepted (its partners'), each with the node-clock time it was handled, and
a record at each picture change. Replaying decodes those reports (the envelope
was verified when they arrived, and the hash chain proves they are unchanged
since), feeds them to a fresh fusion engine in archive order, fusing each time
the node clock moves on, and sets the result beside what was recorded (own
tracks enter the replay through their reports, so fused estimates can differ
slightly from the live ones).
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from trilink.fusion.engine import FusionConfig, FusionEngine
from trilink.fusion.source import SourceTrack
from trilink.node import archive as ak
from trilink.node.core import picture_track_summary
from trilink.node.reports import sources_from_reports
from trilink.wire.batch import reports_of
from trilink.wire.codec import decode, open_envelope
from trilink.wire.messages import TrackReport


@dataclass
class ReplayOutcome:
    """What replaying an archive gave."""

    path: Path
    chain_ok: bool
    chain_detail: str
    nation: str | None
    reports_replayed: int = 0
    undecodable: int = 0
    pictures_recorded: int = 0
    pictures_replayed: int = 0
    final_tracks: list[dict[str, Any]] = field(default_factory=list)
    recorded_final_ids: list[str] = field(default_factory=list)
    recorded_ids: set[str] = field(default_factory=set)
    """Every fused id the node's archived picture changes named."""
    replayed_ids: set[str] = field(default_factory=set)
    """Every fused id the replayed picture held at some time."""

    @property
    def consistent(self) -> bool:
        """The chain holds and every archived report decoded."""
        return self.chain_ok and self.undecodable == 0


def _reports(blob: bytes) -> tuple[TrackReport, ...] | None:
    """The track reports in archived bytes (one report or a batch's); None if they do not decode."""
    try:
        envelope = open_envelope(blob)
        message = decode(envelope.kind, envelope.body)
    except (msgspec.DecodeError, KeyError, ValueError):
        return None
    return reports_of(message) or None


def replay_archive(path: Path) -> ReplayOutcome:
    """Verify the chain, then re-fuse the archived reports; FileNotFoundError if there is no file."""
    check = ak.verify_archive(path)
    detail = "intact" if check.ok else f"record {check.bad_seq}: {check.reason}"
    outcome = ReplayOutcome(path, check.ok, detail, None)
    last_picture: Any = None
    for picture in replay_pictures(path, outcome, stop_at_seq=check.bad_seq):
        last_picture = picture
    if last_picture is not None:
        outcome.final_tracks = [picture_track_summary(t) for t in last_picture.tracks
                                if str(t.status) != "dropped"]
    return outcome


def replay_pictures(path: Path, outcome: ReplayOutcome | None = None,
                    stop_at_seq: int | None = None) -> Iterator[Any]:
    """The pictures a fresh fusion makes from the archived reports, in archive order (node-clock times).

    Fills ``outcome``'s counters as it goes when one is given; stops before record ``stop_at_seq``
    (the first record that failed the chain check).
    """
    outcome = outcome or ReplayOutcome(path, True, "not checked", None)
    nation = None
    engine: FusionEngine | None = None
    pending: list[SourceTrack] = []
    live: set[str] = set()
    pending_time: float | None = None

    def fuse(t: float) -> Any:
        nonlocal engine
        engine = engine or FusionEngine(FusionConfig(nation=nation or "XXX"))
        picture = engine.update(pending, t)
        outcome.pictures_replayed += 1
        outcome.replayed_ids.update(track.fused_id for track in picture.tracks)
        return picture

    for record in ak.read_records(path):
        if stop_at_seq is not None and record.seq >= stop_at_seq:
            break
        if pending and pending_time is not None and record.time > pending_time:
            yield fuse(pending_time)
            pending = []
        if record.kind == ak.KIND_META:
            nation = str(record.body.get("nation", "")) or None
        elif record.kind in (ak.KIND_REPORT_SENT, ak.KIND_REPORT_RECEIVED):
            reports = _reports(record.blob)
            if reports is None:
                if record.kind == ak.KIND_REPORT_SENT or record.body.get("track_id") is not None \
                        or record.body.get("track_ids") is not None:
                    outcome.undecodable += 1
                continue
            nation = nation or (reports[0].origin if record.kind == ak.KIND_REPORT_SENT else None)
            pending.extend(sources_from_reports(reports))
            pending_time = record.time
            outcome.reports_replayed += len(reports)
        elif record.kind == ak.KIND_PICTURE:
            outcome.pictures_recorded += 1
            for t in record.body.get("tracks", []):
                outcome.recorded_ids.add(t["id"])
                if t.get("status") == "dropped":
                    live.discard(t["id"])
                else:
                    live.add(t["id"])
    if pending and pending_time is not None:
        yield fuse(pending_time)
    outcome.nation = nation
    outcome.recorded_final_ids = sorted(live)


def format_replay(outcome: ReplayOutcome, *, as_json: bool = False) -> str:
    """Text (or JSON) report of a replay for the command line."""
    data = {"file": str(outcome.path), "nation": outcome.nation, "chain": outcome.chain_detail,
            "reports_replayed": outcome.reports_replayed, "undecodable": outcome.undecodable,
            "pictures_recorded": outcome.pictures_recorded, "pictures_replayed": outcome.pictures_replayed,
            "replayed_ids": sorted(outcome.replayed_ids), "recorded_ids": sorted(outcome.recorded_ids),
            "final_tracks": outcome.final_tracks, "recorded_final_ids": outcome.recorded_final_ids}
    if as_json:
        return msgspec.json.format(msgspec.json.encode(data), indent=2).decode()
    lines = [f"{outcome.path}: chain {outcome.chain_detail}; node {outcome.nation or '?'}",
             f"replayed {outcome.reports_replayed} reports into {outcome.pictures_replayed} picture updates "
             f"({outcome.pictures_recorded} picture changes recorded); {outcome.undecodable} undecodable",
             f"fused tracks over the run: {len(outcome.replayed_ids)} replayed, "
             f"{len(outcome.recorded_ids)} recorded",
             f"final replayed picture: {len(outcome.final_tracks)} fused tracks "
             f"(recorded picture ended with {len(outcome.recorded_final_ids)})"]
    for t in outcome.final_tracks:
        impact = t["impact"]
        where = "—"
        if impact is not None:
            where = f"{math.degrees(impact['lat']):.2f},{math.degrees(impact['lon']):.2f}"
        nations = ",".join(t["contributors"])
        lines.append(f"  {t['id']}: {t['status']}, contributors {nations}, impact {where}")
    return "\n".join(lines)
