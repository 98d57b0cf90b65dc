"""ReportPublisher: reports that wait behind an unacknowledged publish go as one signed batch, each
to only the partners it is releasable to, in order, exactly once (issue 6 check 8's adaptive batching)."""

import asyncio
import itertools
import time
from pathlib import Path

import pytest
from nats.js.api import PubAck

from tests.net.helpers import collect, poll, run
from tests.wire.corpus import KOR, typical_report, verifier
from trilink.model.network import load_network
from trilink.net import TransportError, start_network
from trilink.net.coalesce import ReportPublisher
from trilink.wire import TrackReport, Verifier, open_envelope, reports_of
from trilink.wire.messages import replace


class FakeTransport:
    """Records what is published; each publish waits until the test releases it."""

    nation = "KOR"

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, str, tuple[str, ...]]] = []
        self.release = asyncio.Event()

    def check_recipients(self, recipients: tuple[str, ...]) -> list[str]:
        if "CHN" in recipients:
            raise ValueError("KOR has no agreement releasing to 'CHN'")
        return list(recipients)

    async def publish(self, data: bytes, *, msg_id: str, recipients: tuple[str, ...]) -> PubAck:
        self.sent.append((data, msg_id, tuple(recipients)))
        await self.release.wait()
        return PubAck(stream="TL_OUT_KOR", seq=len(self.sent))


def reports(numbers: "itertools.count[int]", k: int,
            to: tuple[str, ...] = ("USA", "JPN")) -> list[TrackReport]:
    """``k`` fresh KOR reports, numbered from ``numbers`` (the node's sequence counter)."""
    now = time.time()
    out = []
    for _ in range(k):
        seq = next(numbers)
        report = typical_report(issued=now, sequence=seq, releasable_to=to)
        out.append(replace(report, report_id=f"KOR.{seq}"))
    return out


def opened(data: bytes, receiver: Verifier) -> tuple[str, tuple[TrackReport, ...]]:
    """The kind of a sealed message and the reports it carries, after full verification."""
    result = receiver.verify(data, time.time())
    assert result, result
    return open_envelope(data).kind, reports_of(result.message)


def test_reports_waiting_behind_an_unacknowledged_publish_go_as_one_batch() -> None:
    async def scenario() -> None:
        numbers = itertools.count(1)
        fake = FakeTransport()
        publisher = ReportPublisher(fake, KOR, lambda: next(numbers))  # type: ignore[arg-type]
        first = reports(numbers, 1)
        lone = asyncio.create_task(publisher.publish(first[0]))
        await asyncio.sleep(0)
        assert len(fake.sent) == 1  # nothing waited for company: sealed and sent at once, alone
        waiting = reports(numbers, 5)
        usa_only = reports(numbers, 2, to=("USA",))
        tasks = [asyncio.create_task(publisher.publish(r)) for r in waiting + usa_only]
        await asyncio.sleep(0)
        # The USA-only lane had nothing in flight: its first report went alone, the second waits.
        assert [to for _, _, to in fake.sent] == [("USA", "JPN"), ("USA",)]
        fake.release.set()
        acks = await asyncio.gather(lone, *tasks)
        assert all(isinstance(a, PubAck) for a in acks)
        at_jpn, at_usa = verifier("JPN"), verifier("USA")
        kinds = []
        for data, msg_id, to in fake.sent:
            kind, carried = opened(data, at_usa)
            if "JPN" in to:
                assert opened(data, at_jpn)[1] == carried
            assert all(set(to) <= set(r.releasable_to) for r in carried)
            assert msg_id.startswith(f"KOR.{kind}.")
            kinds.append((kind, [r.seq for r in carried], to))
        assert kinds == [("track", [1], ("USA", "JPN")), ("track", [7], ("USA",)),
                         ("batch", [2, 3, 4, 5, 6], ("USA", "JPN")), ("track", [8], ("USA",))]
        assert publisher.stats.reports == 8 and publisher.stats.messages == 4
        assert publisher.stats.batches == 1 and publisher.stats.largest == 5

    run(scenario(), 10.0)


def test_batch_over_the_size_limit_is_split_and_a_bad_recipient_refused() -> None:
    async def scenario() -> None:
        numbers = itertools.count(1)
        fake = FakeTransport()
        publisher = ReportPublisher(fake, KOR, lambda: next(numbers), max_bytes=3000)  # type: ignore[arg-type]
        blocker = asyncio.create_task(publisher.publish(reports(numbers, 1)[0]))
        await asyncio.sleep(0)
        tasks = [asyncio.create_task(publisher.publish(r)) for r in reports(numbers, 6)]
        await asyncio.sleep(0)
        fake.release.set()
        await asyncio.gather(blocker, *tasks)
        receiver = verifier("JPN")
        carried = [opened(data, receiver)[1] for data, _, _ in fake.sent]
        assert all(len(data) <= 3000 for data, _, _ in fake.sent[1:])
        assert [r.seq for c in carried for r in c] == [1, 2, 3, 4, 5, 6, 7]  # every report once, in order
        assert len(fake.sent) > 2
        with pytest.raises(ValueError, match="CHN"):
            await publisher.publish(reports(numbers, 1, to=("CHN",))[0])

    run(scenario(), 10.0)


def test_a_failed_publish_fails_its_reports_and_the_lane_goes_on() -> None:
    """Every report of a message the transport could not store gets the error; later ones still go."""

    class Failing(FakeTransport):
        async def publish(self, data: bytes, *, msg_id: str, recipients: tuple[str, ...]) -> PubAck:
            self.sent.append((data, msg_id, tuple(recipients)))
            await self.release.wait()
            if len(self.sent) <= 2:
                raise TransportError(f"publish {msg_id} not acknowledged")
            return PubAck(stream="TL_OUT_KOR", seq=len(self.sent))

    async def scenario() -> None:
        numbers = itertools.count(1)
        fake = Failing()
        publisher = ReportPublisher(fake, KOR, lambda: next(numbers))  # type: ignore[arg-type]
        tasks = [asyncio.create_task(publisher.publish(r)) for r in reports(numbers, 4)]
        await asyncio.sleep(0)
        fake.release.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, TransportError) for r in results)  # alone, then a batch of three
        assert len(fake.sent) == 2
        assert isinstance(await publisher.publish(reports(numbers, 1)[0]), PubAck)

    run(scenario(), 10.0)


def test_coalesced_reports_reach_jpn_once_in_order_through_the_hub(tmp_path: Path) -> None:
    """A burst through real servers and couriers: batches form, JPN verifies every report exactly once."""
    n = 300

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn = await running.connect("KOR"), await running.connect("JPN")
            at_jpn = await collect(jpn)
            numbers = itertools.count(1)
            publisher = ReportPublisher(kor, KOR, lambda: next(numbers))
            burst = reports(numbers, n)
            national = reports(numbers, 3, to=())  # stored nationally only
            await asyncio.gather(*(publisher.publish(r) for r in burst + national))
            assert publisher.stats.batches > 0 and publisher.stats.messages < n
            wanted = [r.seq for r in burst]
            receiver, seen, messages = verifier("JPN"), [], [0]

            def reached() -> bool:
                for delivery in at_jpn.received[messages[0]:]:
                    seen.extend(r.seq for r in opened(delivery.data, receiver)[1])
                messages[0] = len(at_jpn.received)
                return len(seen) >= n
            await poll(reached, 30.0, f"{n} reports at JPN")
            await asyncio.sleep(0.3)  # anything doubled or not releasable would arrive now
            reached()
            assert seen == wanted
            assert publisher.stats.largest > 1
            await kor.close()
            await jpn.close()

    run(scenario(), 90.0)
