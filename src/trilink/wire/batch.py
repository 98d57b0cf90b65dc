"""Report batches: the track reports of one tracker step, grouped by whom they may reach, sealed once.

Publishing, forwarding, receiving and verifying a message costs the same whether it holds one
report or a hundred, and an Ed25519 signature costs about as much as everything else done for
a report; one ``ReportBatch`` per recipient set and step makes a burst of N reports one message
and one signature instead of N. A batch reaches only the nations every report in it is
releasable to, so reports are grouped by their ``releasable_to`` marking first.
"""

from collections.abc import Callable, Sequence

from trilink.wire.messages import MAX_BATCH_REPORTS, ReportBatch, TrackReport


def group_by_recipients(reports: Sequence[TrackReport], limit: int = MAX_BATCH_REPORTS
                        ) -> list[tuple[tuple[str, ...], list[TrackReport]]]:
    """Reports with the same non-empty ``releasable_to``, in order, in groups of at most ``limit``."""
    if limit < 1:
        raise ValueError(f"batch limit must be at least 1, not {limit}")
    groups: dict[tuple[str, ...], list[TrackReport]] = {}
    for report in reports:
        if report.releasable_to:
            groups.setdefault(tuple(report.releasable_to), []).append(report)
    return [(to, members[i:i + limit]) for to, members in groups.items()
            for i in range(0, len(members), limit)]


def make_batches(reports: Sequence[TrackReport], *, origin: str, issued: float, exercise: bool,
                 take_sequence: Callable[[], int], limit: int = MAX_BATCH_REPORTS) -> list[ReportBatch]:
    """One ``ReportBatch`` per recipient set (and per ``limit`` reports); each takes the next sequence."""
    return [ReportBatch(origin=origin, seq=take_sequence(), issued_utc=issued, releasable_to=to,
                        exercise=exercise, reports=tuple(members))
            for to, members in group_by_recipients(reports, limit)]


def reports_of(message: object) -> tuple[TrackReport, ...]:
    """The track reports a message carries: itself, a batch's reports, or none."""
    if isinstance(message, TrackReport):
        return (message,)
    if isinstance(message, ReportBatch):
        return message.reports
    return ()
