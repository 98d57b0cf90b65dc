"""Checks 1, 2, 3 and 6 of issue 6 on real nats-server processes (default US hub topology and a mesh)."""

import asyncio
from pathlib import Path

import msgspec
import nats
import pytest

from tests.net.helpers import collect, poll, report_bytes, run
from trilink.model.network import AgreementConfig, NetworkConfig, TopologyConfig, load_network
from trilink.net import start_network
from trilink.net.transport import connect_nats


def _with(network: NetworkConfig, **changes: object) -> NetworkConfig:
    return msgspec.structs.replace(network, **changes)


@pytest.mark.parametrize("kind", ["hub", "mesh"])
def test_kor_report_reaches_jpn_and_usa(tmp_path: Path, kind: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Check 1 (and 6): a KOR report reaches the JPN and USA nodes; startup time is reported."""
    network = _with(load_network(), topology=TopologyConfig(kind=kind, hub="USA" if kind == "hub" else None))

    async def scenario() -> float:
        async with start_network(network, tmp_path) as running:
            kor, jpn, usa = [await running.connect(n) for n in ("KOR", "JPN", "USA")]
            at_jpn, at_usa = await collect(jpn), await collect(usa)
            for i in range(20):
                await kor.publish(report_bytes("KOR", i), msg_id=f"KOR:t1:{i}")
            await poll(lambda: len(at_jpn.received) >= 20 and len(at_usa.received) >= 20, 20.0,
                       "20 reports at JPN and USA")
            for collector in (at_jpn, at_usa):
                assert collector.ids("KOR") == [f"KOR:t1:{i}" for i in range(20)]
                assert [d.data for d in collector.received] == [report_bytes("KOR", i) for i in range(20)]
            # Every other agreement of the default network works too (the hub's own reports included).
            at_kor = await collect(kor)
            for sender in (usa, jpn):
                for i in range(3):
                    await sender.publish(report_bytes(sender.nation, i), msg_id=f"{sender.nation}:x:{i}")
            expected = {"USA": [f"USA:x:{i}" for i in range(3)], "JPN": [f"JPN:x:{i}" for i in range(3)]}
            await poll(lambda: len(at_kor.received) >= 6 and len(at_jpn.received) >= 23
                       and len(at_usa.received) >= 23, 20.0, "the USA and JPN reports")
            assert {o: at_kor.ids(o) for o in ("USA", "JPN")} == expected
            assert at_jpn.ids("USA") == expected["USA"] and at_usa.ids("JPN") == expected["JPN"]
            for collector in (at_jpn, at_usa, at_kor):
                await collector.stop()
            for t in (kor, jpn, usa):
                await t.close()
            return running.startup_s

    startup = run(scenario(), 60.0)
    with capsys.disabled():
        print(f"\n[check 6] {kind} topology, three servers: all ready with links up in {startup:.3f} s")


def test_not_releasable_to_jpn_never_enters_jpn(tmp_path: Path) -> None:
    """Check 2: what KOR releases only to USA, and alerts its JPN agreement withholds, never reach JPN."""
    base = load_network()
    agreements = tuple(AgreementConfig(releaser=a.releaser, recipient=a.recipient, alerts=False)
                       if (a.releaser, a.recipient) == ("KOR", "JPN") else a for a in base.agreement)
    network = _with(base, agreement=agreements)

    async def scenario() -> None:
        async with start_network(network, tmp_path) as running:
            kor, jpn, usa = [await running.connect(n) for n in ("KOR", "JPN", "USA")]
            # JPN listens to everything its account can see, with both of its users.
            jpn_access = running.access("JPN")
            seen: list[str] = []
            watchers = []

            async def watch(msg: nats.aio.msg.Msg) -> None:
                seen.append(f"{msg.subject} {msg.data[:12]!r}")

            for user, password in ((jpn_access.node_user, jpn_access.node_password),
                                   (jpn_access.courier_user, jpn_access.courier_password)):
                nc = await connect_nats(jpn_access.client_url, user, password, name="JPN watcher")
                await nc.subscribe(">", cb=watch)
                watchers.append(nc)
            at_jpn, at_usa = await collect(jpn), await collect(usa)
            await kor.publish(b"KOR usa-only secret", msg_id="KOR:usa-only", recipients=["USA"])
            await kor.publish(b"KOR alert for all", msg_id="KOR:alert", kind="alert")
            await kor.publish(b"KOR national only", msg_id="KOR:national", recipients=[])
            await kor.publish(b"KOR for everyone", msg_id="KOR:all")
            # Going round the courier: KOR's courier user sends straight onto the wire subjects.
            kor_access = running.access("KOR")
            raw = await connect_nats(kor_access.client_url, kor_access.courier_user,
                                     kor_access.courier_password, name="KOR raw")
            with pytest.raises(nats.errors.NoRespondersError):  # no route from KOR into JPN for alerts
                await raw.request("tl.kor.jpn.alert", b"KOR alert forced to JPN", timeout=2.0)
            await raw.request("tl.kor.usa.report", b"KOR usa-only forced", timeout=10.0)
            await poll(lambda: len(at_usa.received) >= 4 and len(at_jpn.received) >= 1, 20.0,
                       "deliveries at USA and JPN")
            assert sorted(d.msg_id for d in at_usa.received if d.origin == "KOR") == sorted(
                ["KOR:usa-only", "KOR:alert", "KOR:all", ""])
            await asyncio.sleep(0)  # the marker report below is the last KOR sends to JPN
            await kor.publish(b"KOR marker", msg_id="KOR:marker", recipients=["JPN"])
            await poll(lambda: "KOR:marker" in at_jpn.ids("KOR"), 20.0, "the marker at JPN")
            assert at_jpn.ids("KOR") == ["KOR:all", "KOR:marker"]
            leaked = [s for s in seen if "secret" in s or "alert" in s.lower() or "national" in s
                      or "forced" in s or "tl.kor.usa" in s]
            assert leaked == []
            assert any(s.startswith("tl.kor.jpn.report") for s in seen)  # the watchers did see traffic
            assert running.couriers["KOR"].stats["JPN"].withheld == 1
            for nc in (*watchers, raw):
                await nc.close()
            for c in (at_jpn, at_usa):
                await c.stop()
            for t in (kor, jpn, usa):
                await t.close()

    run(scenario(), 60.0)


def test_publishing_as_another_nation_is_refused(tmp_path: Path) -> None:
    """Check 3: a JPN user (and the hub's own users) publishing on KOR's subjects is refused by the server."""

    async def scenario() -> None:
        async with start_network(load_network(), tmp_path) as running:
            errors: list[str] = []
            clients = []
            for nation in ("JPN", "USA"):
                access = running.access(nation)
                for user, password in ((access.node_user, access.node_password),
                                       (access.courier_user, access.courier_password)):
                    nc = await connect_nats(access.client_url, user, password, name=f"{user} spoofing",
                                            on_error=lambda e: errors.append(str(e)))
                    clients.append((user, nc))
            jpn = await running.connect("JPN")
            at_jpn = await collect(jpn)
            for user, nc in clients:
                for subject in ("tl.kor.jpn.report", "tl.kor.usa.report", "out.kor.report"):
                    await nc.publish(subject, f"spoof by {user}".encode())
                await nc.flush()
            await poll(lambda: len(errors) >= 3 * len(clients), 10.0, "one refusal per spoofed publish")
            for user, _nc in clients:
                for subject in ("tl.kor.jpn.report", "tl.kor.usa.report", "out.kor.report"):
                    assert any(subject in e and "permissions violation" in e for e in errors), (user, subject)
            # A genuine KOR report afterwards is the only thing JPN's inbox from KOR holds.
            kor = await running.connect("KOR")
            await kor.publish(b"genuine", msg_id="KOR:genuine", recipients=["JPN"])
            await poll(lambda: len(at_jpn.received) >= 1, 20.0, "the genuine report")
            assert [d.data for d in at_jpn.received] == [b"genuine"]
            for _user, nc in clients:
                await nc.close()
            await at_jpn.stop()
            await jpn.close()
            await kor.close()

    run(scenario(), 60.0)
