"""The node's direct forwards: each report sent to its partners as it is stored, in the courier's chain.

Why: on the path the courier alone takes, a report waits for its outbox acknowledgement, is
delivered to the courier's process and published again: a round trip, a process wake-up and
a few hundred microseconds of CPU per report before it leaves for the partners. The node sends
each report on to its partners in the same breath as it stores it in the outbox, and the
courier then only confirms that the partner has it (and sends whatever did not arrive):
``trilink.net.forward``.

Safety rests on the partner's inbox, not on timing. A direct forward is what the courier would
send (subject ``tl.<origin>.<partner>.<kind>``, ``Nats-Msg-Id``) with a
``Nats-Expected-Last-Msg-Id`` guard: the id of the previous report the node released to that
partner. The inbox stores a message only right after its guard, so direct forwards land in the
node's order, each once, or not at all. The outbox message records each guard the node used
(header ``Tl-Guard-<PARTNER>``): the courier compares it with its own chain (the previous outbox
message released to that partner). Where they agree, the two senders are indistinguishable to
the inbox and one acknowledgement settles everything before it; where they differ (an outbox
publish retried after a later one was stored, a node restart), the courier takes nothing on
trust across that report. ``DirectChain`` is the node's side: pure, no clock, no I/O.
"""

from collections.abc import Callable, Sequence

GUARD_HEADER_PREFIX = "Tl-Guard-"


def guard_header(partner: str) -> str:
    """The outbox header recording the guard of the node's direct forward to ``partner``."""
    return GUARD_HEADER_PREFIX + partner


class DirectChain:
    """Per partner, the id of the last report the node forwarded directly (the next one's guard).

    ``released(partner, kind)`` says whether the agreement releases that kind to that partner:
    what it does not release is neither forwarded nor a link of the chain (the courier withholds
    it too).
    """

    def __init__(self, released: Callable[[str, str], bool]) -> None:
        self.released = released
        self.last_to: dict[str, str] = {}

    def link(self, msg_id: str, recipients: Sequence[str], kind: str) -> dict[str, str]:
        """Report ``msg_id`` is being stored for ``recipients``: partner → guard of each direct forward due.

        A partner seen for the first time (or since ``forget``) gets no direct forward: its guard
        is unknown, so the courier sends that report and the chain continues from it.
        """
        due = {}
        for partner in recipients:
            if not self.released(partner, kind):
                continue
            guard = self.last_to.get(partner)
            if guard is not None:
                due[partner] = guard
            self.last_to[partner] = msg_id
        return due

    def forget(self, partner: str | None = None) -> None:
        """The chain to ``partner`` (or to all) is broken: its next report goes by the courier alone."""
        if partner is None:
            self.last_to.clear()
        else:
            self.last_to.pop(partner, None)


__all__ = ["GUARD_HEADER_PREFIX", "DirectChain", "guard_header"]
