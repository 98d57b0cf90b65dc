"""What the courier keeps per outbox message and per partner, and the headers it reads and writes.

Split from ``trilink.net.forward`` (the forwarding session itself): these are its records.
"""

import asyncio
import time
from dataclasses import dataclass

from nats.aio.msg import Msg

HEADER_TO = "Tl-To"
HEADER_ORIGIN_SEQ = "Tl-Origin-Seq"
MSG_ID = "Nats-Msg-Id"
EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id"


@dataclass
class CourierStats:
    """Counters of one origin→partner forwarding path."""

    forwarded: int = 0
    """Reports settled as stored at the partner (each once, whoever sent it)."""
    duplicates: int = 0
    """Of those, answered "duplicate" to the courier's send: already there (a direct forward or an
    earlier session)."""
    direct: int = 0
    """Of those, settled without the courier sending them: the node's direct forward had delivered them."""
    sent: int = 0
    """Messages the courier published to the partner (reports, re-sends and confirmations)."""
    withheld: int = 0
    """Reports addressed to the partner of a kind the agreement does not release."""
    retries: int = 0
    cursor: int = 0
    last_error: str = ""
    last_forward_monotonic: float = 0.0
    peak_in_flight: int = 0
    """Most reports sent to the partner and not yet acknowledged at once (pipelining depth)."""
    asked: int = 0
    """Reports sent on a reply subject (each brings back one acknowledgement)."""
    confirming: bool = False
    """Whether the session now only confirms the node's direct forwards (see ``ForwardSession``)."""


class RetryError(Exception):
    """Forwarding stopped at a report; start again from it."""


def recipients_of(msg: Msg) -> list[str]:
    """The partners an outbox message is addressed to (its ``Tl-To`` header)."""
    value = (msg.headers or {}).get(HEADER_TO, "")
    return [r for r in value.split(",") if r]


class OutboxEntry:
    """One outbox message between being read and being settled."""

    __slots__ = ("arrived", "asked", "asked_again", "chained", "confirms", "done", "headers", "msg",
                 "sent_at", "seq", "subject", "waiter")

    def __init__(self, seq: int, msg: Msg, done: bool) -> None:
        self.seq, self.msg, self.done = seq, msg, done
        self.arrived = time.monotonic()
        self.sent_at = 0.0
        self.waiter: asyncio.Future[None] | None = None
        self.subject = ""
        self.headers: dict[str, str] = {}
        self.asked = False
        """Sent on a reply subject (its acknowledgement comes to this session)."""
        self.asked_again = False
        """Re-sent asking because nothing followed it: a "duplicate" answer means it was stored."""
        self.confirms = False
        """Sent to confirm the node's direct forwards (``trilink.net.forward.ForwardSession._confirm``)."""
        self.chained = True
        """The node forwarded it behind the courier's own guard, or did not forward it at all."""


__all__ = ["EXPECTED_LAST_MSG_ID", "HEADER_ORIGIN_SEQ", "HEADER_TO", "MSG_ID", "CourierStats", "OutboxEntry",
           "RetryError", "recipients_of"]
