"""A nation's own server restarting: its courier and its node's subscription carry on by themselves."""

from pathlib import Path

from tests.net.helpers import collect, poll, report_bytes, run
from trilink.model.network import load_network
from trilink.net import start_network


def test_courier_and_subscriber_survive_their_servers_restart(tmp_path: Path) -> None:
    """KOR's server restarts (its courier's consumer is lost), then JPN's (its node's durable one stays)."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            kor, jpn = [await running.connect(n) for n in ("KOR", "JPN")]
            at_jpn = await collect(jpn)
            expected: list[str] = []
            for step, nation in enumerate(("", "KOR", "JPN")):
                if nation:
                    running.stop_server(nation)
                    await running.start_server(nation)
                for i in range(5):
                    msg_id = f"KOR:r{step}:{i}"
                    await kor.publish(report_bytes("KOR", i), msg_id=msg_id, recipients=["JPN"])
                    expected.append(msg_id)
                await poll(lambda n=len(expected): len(at_jpn.received) >= n, 30.0,
                           f"{len(expected)} reports at JPN after restarting {nation or 'nothing'}")
            assert at_jpn.ids("KOR") == expected
            await at_jpn.stop()
            await kor.close()
            await jpn.close()

    run(scenario(), 120.0)
