"""verify(): accepted once, and replays, stale, unknown originators and non-releasable reports rejected
with their reasons (acceptance check 4)."""

import random

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.wire.corpus import JPN, KOR, T0, USA, typical_alert, typical_heartbeat, typical_report, verifier
from trilink.model.network import AgreementConfig, NationConfig, NetworkConfig
from trilink.model.track import TrackStatus
from trilink.wire import (
    Accepted,
    Reason,
    ReceiverPolicy,
    Rejection,
    ReplayWindow,
    ReportStatus,
    Signer,
    TrustStore,
    Verifier,
    check,
    initial_sequence,
    mark_releasable,
    message_id,
    report_status,
    seal,
)


def test_valid_report_is_accepted_exactly_once_then_replay() -> None:
    v = verifier()
    data = seal(typical_report(sequence=10), KOR)
    first = v.verify(data, T0 + 1.0)
    assert isinstance(first, Accepted)
    assert first.message == typical_report(sequence=10)
    assert first.originator == "KOR" and first.key_id == KOR.key_id
    again = v.verify(data, T0 + 2.0)
    assert isinstance(again, Rejection) and again.reason is Reason.REPLAY
    assert v.counts()["accepted"] == 1 and v.counts()["replay"] == 1


def test_reordered_messages_inside_window_each_accepted_exactly_once() -> None:
    v = verifier()
    messages = [seal(typical_report(sequence=s), KOR) for s in range(100, 140)]
    order = list(range(len(messages)))
    random.Random(3).shuffle(order)
    deliveries = order + order[::3]  # shuffled, then some delivered twice
    accepted = [i for i in deliveries if isinstance(v.verify(messages[i], T0), Accepted)]
    assert sorted(accepted) == list(range(len(messages)))
    assert v.rejected[Reason.REPLAY] == len(order[::3])


def test_sequence_far_behind_window_is_a_replay() -> None:
    v = Verifier(ReceiverPolicy(receiver="JPN", trust=TrustStore.of(KOR)), replay=ReplayWindow(size=16))
    assert isinstance(v.verify(seal(typical_report(sequence=1000), KOR), T0), Accepted)
    inside = v.verify(seal(typical_report(sequence=990), KOR), T0)
    assert isinstance(inside, Accepted)
    old = v.verify(seal(typical_report(sequence=984), KOR), T0)
    assert isinstance(old, Rejection) and old.reason is Reason.REPLAY and "behind" in old.detail


def test_sequences_are_per_originator() -> None:
    v = verifier(receiver="USA")
    assert isinstance(v.verify(seal(typical_report(sequence=5, releasable_to=("USA",)), KOR), T0), Accepted)
    report = typical_report(sequence=5, releasable_to=("USA",), originator="JPN")
    assert isinstance(v.verify(seal(report, JPN), T0), Accepted)


@pytest.mark.parametrize(("now", "accepted"), [
    (T0 + 59.9, True), (T0 + 60.1, False), (T0 - 4.9, True), (T0 - 5.1, False)])
def test_freshness_window_against_receiver_clock(now: float, accepted: bool) -> None:
    result = verifier().verify(seal(typical_report(), KOR), now)
    assert isinstance(result, Accepted) == accepted
    if not accepted:
        assert result.reason is Reason.FRESHNESS


def test_stale_message_does_not_poison_the_replay_window() -> None:
    v = verifier()
    data = seal(typical_report(sequence=7), KOR)
    assert v.verify(data, T0 + 1000.0).reason is Reason.FRESHNESS
    assert isinstance(v.verify(data, T0), Accepted)


def test_unknown_originator_and_wrong_nation_key() -> None:
    stranger = Signer.generate("KOR")  # a KOR key nobody trusts
    result = verifier().verify(seal(typical_report(), stranger), T0)
    assert result.reason is Reason.ORIGINATOR and "not trusted" in result.detail
    # JPN's trusted key signing a message claiming to come from KOR
    forged = verifier().verify(seal(typical_report(), JPN), T0)
    assert forged.reason is Reason.ORIGINATOR and "signed a message of KOR" in forged.detail


def test_not_marked_releasable_to_receiver() -> None:
    result = verifier(receiver="JPN").verify(seal(typical_report(releasable_to=("USA",)), KOR), T0)
    assert isinstance(result, Rejection) and result.reason is Reason.RELEASABILITY


def _network(**kor_to_jpn: object) -> NetworkConfig:
    return NetworkConfig(
        nation=tuple(NationConfig(code=c) for c in ("USA", "JPN", "KOR")),
        agreement=(AgreementConfig(releaser="KOR", recipient="USA"),
                   AgreementConfig(releaser="KOR", recipient="JPN", **kor_to_jpn)))


def test_receiver_rechecks_agreement_even_when_marked() -> None:
    network = _network(sensor_kinds=("space_ir",))
    report = msgspec.structs.replace(typical_report(), sensor_kinds=("radar",))
    result = verifier(network=network).verify(seal(report, KOR), T0)
    assert result.reason is Reason.RELEASABILITY and "sensor kind" in result.detail
    assert isinstance(verifier(network=network, receiver="USA").verify(seal(report, KOR), T0), Accepted)


def test_heartbeats_and_alerts_verify() -> None:
    v = verifier(receiver="KOR")
    assert isinstance(v.verify(seal(typical_heartbeat(originator="USA"), USA), T0), Accepted)
    assert isinstance(v.verify(seal(typical_alert(originator="JPN"), JPN), T0), Accepted)
    network = NetworkConfig(nation=tuple(NationConfig(code=c) for c in ("USA", "JPN", "KOR")),
                            agreement=(AgreementConfig(releaser="JPN", recipient="KOR", alerts=False),))
    result = verifier(receiver="KOR", network=network).verify(seal(typical_alert(sequence=9), JPN), T0)
    assert result.reason is Reason.RELEASABILITY and "alert" in result.detail


def test_sender_side_policy_marks_only_allowed_partners() -> None:
    network = _network(region=(20.0, 120.0, 30.0, 125.0))  # neither track nor impact is in it
    marked = mark_releasable(network, typical_report(releasable_to=()))
    assert marked.releasable_to == ("USA",)
    network = _network(region=(39.0, 130.0, 42.0, 140.0))  # the predicted impact is in it
    assert mark_releasable(network, typical_report(releasable_to=())).releasable_to == ("USA", "JPN")


def test_size_limit_checked_first() -> None:
    result = verifier(max_bytes=100).verify(seal(typical_report(), KOR), T0)
    assert result.reason is Reason.SIZE


def test_check_is_pure_and_never_raises_on_non_bytes() -> None:
    policy = ReceiverPolicy(receiver="JPN", trust=TrustStore.of(KOR))
    data = seal(typical_report(), KOR)
    assert check(data, policy, T0) == check(data, policy, T0)
    assert check("text", policy, T0).reason is Reason.DECODE  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(deliveries=st.lists(st.integers(0, 200), max_size=300), size=st.integers(1, 64))
def test_replay_window_accepts_each_sequence_at_most_once_like_the_model(deliveries: list[int],
                                                                         size: int) -> None:
    window, highest, seen = ReplayWindow(size=size), None, set()
    for seq in deliveries:
        expected = seq not in seen and (highest is None or seq > highest - size)
        assert (window.problem("KOR", seq) is None) == expected, (seq, highest)
        if expected:
            window.record("KOR", seq)
            seen.add(seq)
            highest = seq if highest is None else max(highest, seq)
    assert window.highest("KOR") == highest


def test_initial_sequence_and_status_mapping() -> None:
    assert initial_sequence(T0 + 1.0) > initial_sequence(T0) + 999_999
    assert report_status(TrackStatus.CONFIRMED, first=True) is ReportStatus.NEW
    assert report_status(TrackStatus.CONFIRMED, first=False) is ReportStatus.UPDATE
    assert report_status(TrackStatus.COASTING, first=False) is ReportStatus.LOST
    assert report_status(TrackStatus.DELETED, first=False) is ReportStatus.DROPPED
    assert message_id(typical_report(sequence=12)) == "KOR.track.12"
