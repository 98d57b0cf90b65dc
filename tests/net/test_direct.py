"""The node's direct forwards and the courier confirming them (trilink.net.direct, trilink.net.forward).

The direct path may only make delivery faster: every report still reaches each partner once,
in the outbox's order, whether the node's forwards arrive, are refused, or disagree with the
outbox's order.
"""

import asyncio
from pathlib import Path

from tests.net.helpers import collect, courier_caught_up, poll, report_bytes, run
from trilink.model.network import load_network
from trilink.net import start_network
from trilink.net.courier import HEADER_TO, MSG_ID
from trilink.net.direct import DirectChain, guard_header
from trilink.net.subjects import outbox_subject


def _released(partner: str, kind: str) -> bool:
    return not (partner == "USA" and kind == "alert")


def test_chain_guards_each_report_by_the_previous_one_released_to_that_partner() -> None:
    chain = DirectChain(_released)
    assert chain.link("a", ["JPN", "USA"], "report") == {}  # first to each partner: guard unknown
    assert chain.link("b", ["JPN"], "report") == {"JPN": "a"}
    assert chain.link("c", ["JPN", "USA"], "alert") == {"JPN": "b"}  # alerts not released to USA: no link
    assert chain.link("d", ["JPN", "USA"], "report") == {"JPN": "c", "USA": "a"}
    chain.forget("JPN")
    assert chain.link("e", ["JPN", "USA"], "report") == {"USA": "d"}
    assert chain.link("f", ["JPN"], "report") == {"JPN": "e"}
    chain.forget()
    assert chain.link("g", ["JPN", "USA"], "report") == {}


def test_steady_reports_go_direct_and_the_courier_only_confirms(tmp_path: Path) -> None:
    """At a steady pace the node's forwards deliver almost everything; the courier sends a fraction."""
    n = 300

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn = await running.connect("KOR"), await running.connect("JPN")
            at_jpn = await collect(jpn)
            for i in range(n):
                await kor.publish(report_bytes("KOR", i), msg_id=f"KOR:d:{i}")
                await asyncio.sleep(0.002)
            await at_jpn.expect_once_in_order("KOR", [f"KOR:d:{i}" for i in range(n)])
            stats = await courier_caught_up(running, "KOR", "JPN", n)
            assert stats.forwarded == n
            assert kor.direct_sent >= 2 * (n - 1)  # to JPN and USA, all but the first report
            assert stats.direct >= 0.9 * n, vars(stats)
            assert stats.sent <= n // 3, vars(stats)  # confirmations, not a second copy of each report
            await at_jpn.stop()
            for t in (kor, jpn):
                await t.close()

    run(scenario(), 90.0)


def test_a_restarted_node_continues_the_chain_from_its_outbox(tmp_path: Path) -> None:
    """A new node connection seeds its chains from the outbox; one without direct forwards mixes in."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            jpn = await running.connect("JPN")
            at_jpn = await collect(jpn)
            expected = []
            for round_, direct in enumerate((True, True, False, True)):
                kor = await running.connect("KOR", direct=direct)
                for i in range(40):
                    msg_id = f"KOR:r{round_}:{i}"
                    await kor.publish(report_bytes("KOR", i), msg_id=msg_id)
                    expected.append(msg_id)
                    await asyncio.sleep(0.001)
                if direct and round_:
                    assert kor.direct_sent == 80  # seeded: even the first report went direct
                await kor.close()
            await poll(lambda: len(at_jpn.received) >= len(expected), 30.0, "every report at JPN")
            await asyncio.sleep(0.3)
            assert at_jpn.ids("KOR") == expected
            assert at_jpn.subscription.dropped_duplicates == 0
            await at_jpn.stop()
            await jpn.close()

    run(scenario(), 90.0)


def test_forwards_that_disagree_with_the_outbox_order_lose_nothing(tmp_path: Path) -> None:
    """Outbox messages whose recorded guard is not the courier's predecessor (as after a retried
    publish) are taken on no trust: JPN still gets every report once, in the outbox's order."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn = await running.connect("KOR"), await running.connect("JPN")
            at_jpn = await collect(jpn)
            expected = []
            for i in range(120):
                msg_id = f"KOR:x:{i}"
                if i % 10 == 5:  # stored with a guard the node never forwarded behind, and not forwarded
                    await kor.js.publish(outbox_subject("KOR", "report"), report_bytes("KOR", i), headers={
                        MSG_ID: msg_id, HEADER_TO: "JPN,USA", guard_header("JPN"): "KOR:x:nonexistent"})
                else:
                    await kor.publish(report_bytes("KOR", i), msg_id=msg_id)
                expected.append(msg_id)
                await asyncio.sleep(0.002)
            await poll(lambda: len(at_jpn.received) >= len(expected), 30.0, "every report at JPN")
            await asyncio.sleep(0.3)
            assert at_jpn.ids("KOR") == expected
            assert [d.seq for d in at_jpn.received] == list(range(1, len(expected) + 1))
            stats = running.couriers["KOR"].stats["JPN"]
            await poll(lambda: stats.cursor == len(expected), 5.0, "the courier's cursor at the last report")
            assert stats.forwarded == len(expected)
            await at_jpn.stop()
            for t in (kor, jpn):
                await t.close()

    run(scenario(), 90.0)
