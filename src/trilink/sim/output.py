"""What a simulation writes: measurements.jsonl, truth.jsonl, and the per-sensor summary.

``measurements.jsonl``: one ``trilink.model.Measurement`` per line (msgspec JSON, the
same encoding a sensor gateway would use), in delivery order. ``truth.jsonl``: one
line per measurement, same order: ``{"measurement": id, "object": "M1" | "M1/stage1"
| null, "launch": "M1" | null, "kind": "warhead" | "stage" | null}`` (null: false
alarm). Encoding is pure (bytes), so the same result gives byte-identical files.
"""

from dataclasses import dataclass

import msgspec

from trilink.sim.run import SimulationResult


class TruthRecord(msgspec.Struct, frozen=True):
    """One line of truth.jsonl."""

    measurement: int
    object: str | None
    launch: str | None
    kind: str | None


_encoder = msgspec.json.Encoder()


def encode_measurements(result: SimulationResult) -> bytes:
    """measurements.jsonl content."""
    return b"".join(_encoder.encode(m) + b"\n" for m in result.measurements)


def truth_records(result: SimulationResult) -> list[TruthRecord]:
    """The truth of every measurement, in measurement order."""
    records = []
    for m in result.measurements:
        object_id = result.truth[m.id]
        obj = result.objects.get(object_id) if object_id is not None else None
        records.append(TruthRecord(m.id, object_id, obj.launch_id if obj else None,
                                   obj.kind if obj else None))
    return records


def encode_truth(result: SimulationResult) -> bytes:
    """truth.jsonl content."""
    return b"".join(_encoder.encode(r) + b"\n" for r in truth_records(result))


@dataclass(frozen=True)
class SensorSummary:
    """How one sensor did in a run."""

    sensor: str
    nation: str
    kind: str
    first_detection_s: float | None
    """Earliest (measurement time − launch time) over its true detections; None if it saw nothing."""
    measurements: int
    false_alarms: int


def sensor_summary(result: SimulationResult) -> list[SensorSummary]:
    """Per-sensor figures, in network order."""
    launch_times = result.scenario.launch_times
    first: dict[str, float] = {}
    counts: dict[str, int] = {}
    false: dict[str, int] = {}
    for m in result.measurements:
        counts[m.sensor] = counts.get(m.sensor, 0) + 1
        object_id = result.truth[m.id]
        if object_id is None:
            false[m.sensor] = false.get(m.sensor, 0) + 1
            continue
        after = m.time - launch_times[result.objects[object_id].launch_id]
        first[m.sensor] = min(first.get(m.sensor, after), after)
    return [SensorSummary(s.id, s.nation, s.kind, first.get(s.id), counts.get(s.id, 0),
                          false.get(s.id, 0)) for s in result.network.sensor]
