"""The acknowledged publish path and the pipelined courier (issue 6 check 8's levers keep every guarantee)."""

import asyncio
from pathlib import Path

import pytest

from tests.net.helpers import collect, courier_caught_up, report_bytes, run
from trilink.model.network import load_network
from trilink.net import TransportError, start_network
from trilink.net.subjects import outbox_stream


def test_publish_acknowledged_once_per_msg_id(tmp_path: Path) -> None:
    """A repeated msg_id is acknowledged as a duplicate of the same stream position, never stored twice."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor = await running.connect("KOR")
            first = await kor.publish(b"one", msg_id="KOR:dup:1")
            again = await kor.publish(b"one", msg_id="KOR:dup:1")
            other = await kor.publish(b"two", msg_id="KOR:dup:2", recipients=[])
            assert first.stream == outbox_stream("KOR") and not first.duplicate
            assert again.duplicate and again.seq == first.seq
            assert other.seq == first.seq + 1 and not other.duplicate
            with pytest.raises(ValueError, match="kind"):
                await kor.publish(b"x", msg_id="KOR:dup:3", kind="gossip")
            await kor.close()

    run(scenario(), 60.0)


def test_publish_without_outbox_is_a_transport_error(tmp_path: Path) -> None:
    """No stream answers (servers without streams): publish retries, then raises TransportError."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path, couriers=False) as running:
            kor = await running.connect("KOR", publish_timeout_s=0.6)
            with pytest.raises(TransportError, match=r"KOR:none:1 .* not acknowledged"):
                await kor.publish(b"x", msg_id="KOR:none:1")
            await kor.close()

    run(scenario(), 60.0)


def test_courier_pipelines_a_burst_in_order_exactly_once(tmp_path: Path) -> None:
    """A burst of 400 reports is forwarded with many in flight at once, all acknowledged, in order, once."""
    n = 400

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn = await running.connect("KOR"), await running.connect("JPN")
            at_jpn = await collect(jpn)
            await asyncio.gather(*(kor.publish(report_bytes("KOR", i), msg_id=f"KOR:b:{i}")
                                   for i in range(n)))
            await at_jpn.expect_once_in_order("KOR", [f"KOR:b:{i}" for i in range(n)])
            stats = await courier_caught_up(running, "KOR", "JPN", n)
            assert stats.forwarded == n  # each stored once at JPN (a retry would resend duplicates only)
            courier = running.couriers["KOR"]
            assert 1 < stats.peak_in_flight <= courier.window  # pipelined, and bounded
            await at_jpn.stop()
            for t in (kor, jpn):
                await t.close()

    run(scenario(), 90.0)


def test_unanswered_publish_times_out_as_a_transport_error(tmp_path: Path) -> None:
    """Own server gone (the publish sits in nats-py's buffer, no acknowledgement): TransportError, no hang."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor = await running.connect("KOR", publish_timeout_s=0.5)
            await kor.publish(b"first", msg_id="KOR:t:1")
            running.stop_server("KOR", kill=True)
            with pytest.raises(TransportError, match=r"KOR:t:2 .* not acknowledged: TimeoutError"):
                await kor.publish(b"second", msg_id="KOR:t:2")
            assert not kor._waiting  # nothing left behind for the sweep
            await kor.close()

    run(scenario(), 60.0)
