"""External measurement feeds: how a real sensor gateway hands `Measurement`s to a node.

Two transports, both carrying one JSON `trilink.model.Measurement` per datagram or
message (msgspec validates it at the edge; see docs/node.md):
- UDP: one JSON object per line (several lines per datagram allowed);
- NATS: core subject ``trilink.feed.<NATION>.measurements`` on the nation's own server.
A line that is not a valid measurement, or one from another nation's sensor, is
counted and logged, never raised.
"""

import asyncio
import logging
from collections.abc import Callable

import msgspec

from trilink.model import Measurement

log = logging.getLogger("trilink.node.feeds")
_decoder = msgspec.json.Decoder(Measurement)


def feed_subject(nation: str) -> str:
    """The documented NATS subject on which a nation's sensor gateway publishes measurements."""
    return f"trilink.feed.{nation}.measurements"


def parse_lines(data: bytes, nation: str) -> tuple[list[Measurement], list[str]]:
    """Measurements in ``data`` (JSON lines) and one reason per line rejected."""
    good: list[Measurement] = []
    bad: list[str] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            measurement = _decoder.decode(line)
        except msgspec.DecodeError as exc:       # ValidationError is a DecodeError
            bad.append(f"bad measurement: {str(exc)[:120]}")
            continue
        if measurement.nation != nation:
            bad.append(f"measurement from {measurement.nation}'s sensor at the {nation} node")
            continue
        good.append(measurement)
    return good, bad


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, nation: str, sink: Callable[[list[Measurement]], None],
                 on_reject: Callable[[str], None]) -> None:
        self.nation, self.sink, self.on_reject = nation, sink, on_reject

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        good, bad = parse_lines(data, self.nation)
        for reason in bad:
            self.on_reject(reason)
            log.warning("feed rejected a line", extra={"fields": {"from": f"{addr[0]}:{addr[1]}",
                                                                  "reason": reason}})
        if good:
            self.sink(good)


async def start_udp_feed(host: str, port: int, nation: str, sink: Callable[[list[Measurement]], None],
                         on_reject: Callable[[str], None]) -> asyncio.DatagramTransport:
    """Listen for JSON-lines measurements on UDP ``host:port``; returns the transport (close it to stop)."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _UdpProtocol(nation, sink, on_reject),
                                                       local_addr=(host, port))
    return transport


async def start_nats_feed(nc: object, nation: str, sink: Callable[[list[Measurement]], None],
                          on_reject: Callable[[str], None]) -> object:
    """Subscribe a nats-py client to the nation's feed subject; returns the subscription."""

    async def handler(msg: object) -> None:
        good, bad = parse_lines(msg.data, nation)  # type: ignore[attr-defined]
        for reason in bad:
            on_reject(reason)
        if good:
            sink(good)

    return await nc.subscribe(feed_subject(nation), cb=handler)  # type: ignore[attr-defined]
