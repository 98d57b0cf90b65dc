"""trilink.net.acks: sequence and store time from a reply subject; acknowledging a processed prefix."""

import asyncio

import pytest
from nats.aio.msg import Msg
from nats.errors import NotJSMessageError

from trilink.net.acks import PrefixAcks, stored_ns, stream_seq

V1 = "$JS.ACK.TL_IN_KOR_JPN.node.1.42.40.1795929615603198133.2"
V2 = "$JS.ACK.jpn.ACCHASH.TL_IN_KOR_JPN.node.3.42.40.1795929615603198133.2.RANDOM"


@pytest.mark.parametrize("reply", [V1, V2])
def test_same_as_nats_py_metadata(reply: str) -> None:
    msg = Msg(None, subject="tl.kor.jpn.report", reply=reply, data=b"x")  # type: ignore[arg-type]
    assert stream_seq(msg) == msg.metadata.sequence.stream == 42
    assert stored_ns(msg) == 1795929615603198133
    assert abs(stored_ns(msg) / 1e9 - msg.metadata.timestamp.timestamp()) < 1e-6


def test_not_a_jetstream_delivery_is_nats_py_error() -> None:
    msg = Msg(None, subject="x", reply="_INBOX.abc", data=b"x")  # type: ignore[arg-type]
    with pytest.raises(NotJSMessageError):
        stream_seq(msg)


class _Msg:
    """Stands in for a delivery: records its acknowledgement."""

    def __init__(self, seq: int, acked: list[int]) -> None:
        self.seq, self.acked = seq, acked

    async def ack(self) -> None:
        self.acked.append(self.seq)


def test_prefix_acks_acknowledge_the_processed_prefix_a_little_later() -> None:
    async def scenario() -> list[int]:
        acked: list[int] = []
        acks = PrefixAcks(delay_s=0.02)
        msgs = {s: _Msg(s, acked) for s in (1, 2, 3, 4)}
        for s in (1, 2, 3):
            acks.delivered(s, msgs[s])  # type: ignore[arg-type]
        acks.done(2)                      # 1 still open: nothing may be acknowledged (AckPolicy.ALL)
        acks.duplicate(4, msgs[4])        # a redelivery while deliveries are open: left to the prefix
        await asyncio.sleep(0.05)
        assert acked == []
        acks.done(1)
        await asyncio.sleep(0.005)
        acks.done(3)                      # within the delay: one acknowledgement, of 3, covers 1–3
        await asyncio.sleep(0.005)
        assert acked == []                # not yet: later ones may still share it
        await asyncio.sleep(0.05)
        return acked

    assert asyncio.run(scenario()) == [3]


def test_prefix_acks_go_at_once_when_enough_wait_and_on_flush() -> None:
    async def scenario() -> list[int]:
        acked: list[int] = []
        acks = PrefixAcks(delay_s=60.0, every=4)
        for s in range(1, 7):
            acks.delivered(s, _Msg(s, acked))  # type: ignore[arg-type]
        for s in range(1, 5):
            acks.done(s)                  # the fourth waiting: acknowledged now, not in a minute
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert acked == [4]
        acks.done(5)
        await asyncio.sleep(0.01)
        assert acked == [4]
        await acks.flush()                # a clean stop: what waits goes now
        assert acked == [4, 5]
        await acks.flush()                # nothing waits: nothing sent
        return acked

    assert asyncio.run(scenario()) == [4, 5]


def test_redelivered_unacknowledged_delivery_does_not_hold_back_the_rest() -> None:
    async def scenario() -> list[int]:
        acked: list[int] = []
        acks = PrefixAcks(delay_s=0.0)
        first, second = _Msg(1, acked), _Msg(2, acked)
        acks.delivered(1, first)  # type: ignore[arg-type]
        acks.delivered(2, second)  # type: ignore[arg-type]
        acks.done(2)                       # the node never acknowledges 1 ...
        acks.duplicate(1, _Msg(1, acked))  # type: ignore[arg-type]  # ... the server redelivers it
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        acks.duplicate(2, _Msg(2, acked))  # type: ignore[arg-type]  # a lost acknowledgement: again
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        return acked

    assert asyncio.run(scenario()) == [2, 2]
