"""Report batches: one signature for many reports, grouped by recipients; every check a single report
gets still applies (forged, tampered, replayed, stale, mis-marked batches are rejected with a reason)."""

import msgspec
import pytest

from tests.wire.corpus import KOR, T0, typical_report, verifier
from trilink.wire import (
    Accepted,
    Reason,
    ReportBatch,
    Signer,
    make_batches,
    reports_of,
    seal,
)
from trilink.wire.batch import group_by_recipients
from trilink.wire.codec import encode
from trilink.wire.messages import replace


def counter(start: int = 1000):
    state = [start]

    def take() -> int:
        state[0] += 1
        return state[0]
    return take


def batch(n: int = 3, seq: int = 1000, **changes: object) -> ReportBatch:
    reports = tuple(typical_report(sequence=i + 1) for i in range(n))
    fields = {"origin": "KOR", "seq": seq, "issued_utc": T0, "releasable_to": ("USA", "JPN"),
              "exercise": True, "reports": reports} | changes
    return ReportBatch(**fields)  # type: ignore[arg-type]


def test_grouped_by_recipient_set_and_limit_each_with_its_own_sequence() -> None:
    to_both = [typical_report(sequence=i, releasable_to=("USA", "JPN")) for i in range(1, 6)]
    to_usa = [typical_report(sequence=i, releasable_to=("USA",)) for i in range(6, 8)]
    nobody = [typical_report(sequence=9, releasable_to=())]
    mixed = [to_both[0], to_usa[0], *to_both[1:], nobody[0], to_usa[1]]
    batches = make_batches(mixed, origin="KOR", issued=T0, exercise=True, take_sequence=counter(), limit=2)
    assert [(b.releasable_to, len(b.reports)) for b in batches] == [
        (("USA", "JPN"), 2), (("USA", "JPN"), 2), (("USA", "JPN"), 1), (("USA",), 2)]
    assert [b.seq for b in batches] == [1001, 1002, 1003, 1004]
    assert [r.seq for b in batches for r in b.reports] == [1, 2, 3, 4, 5, 6, 7]   # none lost or to nobody
    with pytest.raises(ValueError, match="at least 1"):
        group_by_recipients(mixed, limit=0)


def test_a_batch_is_verified_once_and_yields_every_report() -> None:
    b = batch(100)
    data = seal(b, KOR)
    result = verifier().verify(data, T0 + 1.0)
    assert isinstance(result, Accepted)
    assert [r.seq for r in reports_of(result.message)] == list(range(1, 101))
    assert len(data) > 16384            # larger than a single message may be, within the batch limit


def test_replayed_batch_and_replayed_inner_report_are_rejected() -> None:
    v = verifier()
    data = seal(batch(3), KOR)
    assert isinstance(v.verify(data, T0), Accepted)
    assert v.verify(data, T0).reason is Reason.REPLAY
    # a new batch (new sequence) re-carrying an accepted report is a replay too
    assert v.verify(seal(batch(3, seq=2000), KOR), T0).reason is Reason.REPLAY
    assert v.verify(seal(typical_report(sequence=2), KOR), T0).reason is Reason.REPLAY
    doubled = batch(1, seq=3000, reports=(typical_report(sequence=50), typical_report(sequence=50)))
    assert v.verify(seal(doubled, KOR), T0).reason is Reason.REPLAY


@pytest.mark.parametrize(("changes", "reason"), [
    ({"reports": ()}, Reason.SANITY),
    ({"reports": (typical_report(originator="USA"),)}, Reason.SANITY),
    ({"reports": (typical_report(releasable_to=("USA",)),)}, Reason.SANITY),
    ({"reports": (typical_report(issued=T0 + 5.0),)}, Reason.SANITY),
    ({"releasable_to": ("USA",), "reports": (typical_report(releasable_to=("USA",)),)}, Reason.RELEASABILITY),
    ({"issued_utc": T0 + 100.0, "reports": (typical_report(issued=T0 - 100.0),)}, Reason.FRESHNESS),
    ({"origin": "USA"}, Reason.SANITY),
])
def test_bad_batches_are_rejected_with_their_reason(changes: dict[str, object], reason: Reason) -> None:
    v = verifier()
    result = v.verify(seal(batch(2, **changes), KOR), T0 + 100.0 if "issued_utc" in changes else T0)
    assert result.reason is reason, result
    assert v.rejected[reason] == 1


def test_forged_and_tampered_batches_fail_the_signature() -> None:
    forger = Signer.generate("KOR")
    assert verifier().verify(seal(batch(), forger), T0).reason is Reason.ORIGINATOR
    data = bytearray(seal(batch(), KOR))
    data[len(data) // 2] ^= 0x01                 # one bit of one report's bytes
    assert verifier().verify(bytes(data), T0).reason in {Reason.SIGNATURE, Reason.DECODE, Reason.SCHEMA,
                                                          Reason.SANITY}
    envelope = msgspec.msgpack.decode(seal(batch(), KOR))
    envelope[3] = encode(replace(batch(), reports=batch().reports[:1]))   # a report removed, old signature
    assert verifier().verify(msgspec.msgpack.encode(envelope), T0).reason is Reason.SIGNATURE


def test_batch_size_limit_is_its_own_and_single_messages_keep_theirs() -> None:
    data = seal(batch(100), KOR)
    assert verifier(max_batch_bytes=len(data) - 1).verify(data, T0).reason is Reason.SIZE
    # a single message as large as a batch may be is still refused
    assert verifier().verify(b"\x95\x01\xa5track" + bytes(20000), T0).reason is Reason.SIZE
