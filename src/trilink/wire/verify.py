"""Verification on receipt: bytes in, a message or a typed rejection out; never an exception.

The checks run in this order, each with its own ``Reason`` (and counter in
``Verifier``): size, decode, schema, field sanity, known originator, signature,
releasability to this receiver, freshness against the receiver's clock (passed
in), replay (per-originator sequence, tolerating reordering inside a window).
``check`` is pure (stages 1-8); ``ReplayWindow`` holds the only state, and a
message is recorded there only once every other check has passed, so a valid
message is accepted exactly once. A ``ReportBatch`` passes the same checks once for the
whole batch (one signature), with its own size limit; freshness is that of its oldest
report, and replay covers the batch's sequence and each report's.
"""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

import msgspec

from trilink.model.network import NetworkConfig
from trilink.wire.codec import decode, open_envelope, signed_bytes
from trilink.wire.keys import TrustStore
from trilink.wire.messages import SCHEMA_VERSION, TYPE_OF, Message, MessageKind, ReportBatch
from trilink.wire.release import release_problem
from trilink.wire.sanity import message_problem

MAX_MESSAGE_BYTES = 16384
"""Default size limit of a sealed message (a typical track report is well under 1 KiB)."""
MAX_BATCH_BYTES = 262144
"""Default size limit of a sealed report batch (128 reports of up to 2 KiB)."""
_BATCH_HEAD = b"\x95" + msgspec.msgpack.encode((SCHEMA_VERSION, MessageKind.BATCH.value))[1:]
"""How a batch envelope of this schema version begins: its size limit is known before decoding."""


class Reason(StrEnum):
    """Why a message was rejected: one per verification stage, in the order they run."""

    SIZE = "size"
    DECODE = "decode"
    SCHEMA = "schema"
    SANITY = "sanity"
    ORIGINATOR = "originator"
    SIGNATURE = "signature"
    RELEASABILITY = "releasability"
    FRESHNESS = "freshness"
    REPLAY = "replay"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A message that failed verification: the stage, a one-line detail and, when known, who sent it."""

    reason: Reason
    detail: str
    originator: str | None = None

    def __bool__(self) -> bool:  # so `if result:` reads "if accepted"
        return False


@dataclass(frozen=True, slots=True)
class Accepted:
    """A verified message with the key that signed it."""

    message: Message
    key_id: str

    @property
    def originator(self) -> str:
        """The nation that wrote (and signed) the message."""
        return self.message.origin


@dataclass(frozen=True, slots=True)
class ReceiverPolicy:
    """What a receiving node checks against: who it is, whom it trusts, the agreements, the windows."""

    receiver: str
    trust: TrustStore
    network: NetworkConfig | None = None
    """Agreements to re-check releasability against; None checks only the sender's marking."""
    max_bytes: int = MAX_MESSAGE_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES
    """Size limit of a report batch (``max_bytes`` applies to every other kind)."""
    max_age_s: float = 60.0
    """Oldest acceptable ``issued_utc`` relative to the receiver's clock."""
    max_ahead_s: float = 5.0
    """Largest acceptable clock lead of the sender."""


def check(data: bytes, policy: ReceiverPolicy, now: float) -> Accepted | Rejection:
    """Stages 1-8 (all but replay), pure: the message or the first failed check. Never raises."""
    try:
        return _check(data, policy, now)
    except Exception as exc:  # a bug must not take the node down; it is counted as undecodable
        return Rejection(Reason.DECODE, f"unexpected {type(exc).__name__} while checking")


def _check(data: bytes, policy: ReceiverPolicy, now: float) -> Accepted | Rejection:
    if not isinstance(data, bytes | bytearray | memoryview):
        return Rejection(Reason.DECODE, f"expected bytes, got {type(data).__name__}")
    limit = policy.max_batch_bytes if bytes(data[:len(_BATCH_HEAD)]) == _BATCH_HEAD else policy.max_bytes
    if len(data) > limit:
        return Rejection(Reason.SIZE, f"{len(data)} bytes exceeds the limit of {limit}")
    try:
        envelope = open_envelope(data)
    except msgspec.ValidationError as exc:
        return Rejection(Reason.SCHEMA, f"envelope: {exc}")
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # msgspec raises the latter for bad UTF-8
        return Rejection(Reason.DECODE, f"envelope: {exc}")
    if envelope.version != SCHEMA_VERSION:
        return Rejection(Reason.SCHEMA,
                         f"schema version {envelope.version} (this node reads {SCHEMA_VERSION})")
    if envelope.kind not in TYPE_OF:
        return Rejection(Reason.SCHEMA, f"unknown message kind {envelope.kind[:32]!r}")
    try:
        message = decode(envelope.kind, envelope.body)
    except msgspec.ValidationError as exc:
        return Rejection(Reason.SCHEMA, f"{envelope.kind}: {exc}")
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        return Rejection(Reason.DECODE, f"{envelope.kind} body: {exc}")
    problem = message_problem(message)
    if problem is not None:
        return Rejection(Reason.SANITY, problem)
    originator = message.origin
    key_nation = policy.trust.nation_of(envelope.key_id)
    if key_nation is None:
        return Rejection(Reason.ORIGINATOR, f"key {envelope.key_id[:40]!r} is not trusted", originator)
    if key_nation != originator:
        return Rejection(Reason.ORIGINATOR, f"key of {key_nation} signed a message of {originator}",
                         originator)
    if len(envelope.signature) != 64 or not policy.trust.check(
            envelope.key_id, envelope.signature,
            signed_bytes(envelope.version, envelope.kind, envelope.key_id, envelope.body)):
        return Rejection(Reason.SIGNATURE, f"bad signature by {envelope.key_id}", originator)
    problem = release_problem(policy.network, message, policy.receiver)
    if problem is not None:
        return Rejection(Reason.RELEASABILITY, problem, originator)
    age = now - _oldest_issued(message)
    if age > policy.max_age_s:
        return Rejection(Reason.FRESHNESS, f"issued {age:.1f} s ago (limit {policy.max_age_s:g} s)",
                         originator)
    if now - message.issued_utc < -policy.max_ahead_s:
        return Rejection(Reason.FRESHNESS,
                         f"issued {message.issued_utc - now:.1f} s in the future "
                         f"(limit {policy.max_ahead_s:g} s)",
                         originator)
    return Accepted(message, envelope.key_id)


def _oldest_issued(message: Message) -> float:
    """The issue time freshness is judged by: the message's, or its oldest report's for a batch."""
    if isinstance(message, ReportBatch):
        return min(message.issued_utc, *(r.issued_utc for r in message.reports))
    return message.issued_utc


def sequences(message: Message) -> list[int]:
    """The sequence numbers a message uses up: its own, and each report's in a batch."""
    if isinstance(message, ReportBatch):
        return [message.seq, *(r.seq for r in message.reports)]
    return [message.seq]


class ReplayWindow:
    """Per-originator anti-replay: sequences seen, within ``size`` of the highest seen, accepted once.

    A sequence higher than any seen moves the window; one inside it is accepted
    if not yet seen (reordering); one at or below ``highest - size`` is too old.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._highest: dict[str, int] = {}
        self._seen: dict[str, set[int]] = {}

    def problem(self, originator: str, sequence: int) -> str | None:
        """None when (originator, sequence) is new and inside the window; else why not. No state change."""
        highest = self._highest.get(originator)
        if highest is None or sequence > highest:
            return None
        if sequence <= highest - self.size:
            return f"sequence {sequence} is more than {self.size} behind {highest}"
        if sequence in self._seen[originator]:
            return f"sequence {sequence} was already accepted"
        return None

    def record(self, originator: str, sequence: int) -> None:
        """Mark (originator, sequence) as accepted."""
        highest = self._highest.get(originator)
        seen = self._seen.setdefault(originator, set())
        seen.add(sequence)
        if highest is None or sequence > highest:
            self._highest[originator] = sequence
            floor = sequence - self.size
            if len(seen) > 2 * self.size:
                self._seen[originator] = {s for s in seen if s > floor}

    def highest(self, originator: str) -> int | None:
        """Highest sequence accepted from ``originator``, if any."""
        return self._highest.get(originator)


@dataclass
class Verifier:
    """A receiving node's verifier: the pure checks, the replay window and a counter per reason."""

    policy: ReceiverPolicy
    replay: ReplayWindow = field(default_factory=ReplayWindow)
    rejected: Counter[Reason] = field(default_factory=Counter)
    accepted: int = 0

    def verify(self, data: bytes, now: float) -> Accepted | Rejection:
        """Verify sealed bytes against the receiver's clock ``now`` (UTC epoch s). Never raises."""
        result = check(data, self.policy, now)
        if isinstance(result, Accepted):
            message = result.message
            used = sequences(message)
            problem = next((p for q in used if (p := self.replay.problem(message.origin, q)) is not None),
                           None)
            if problem is None and len(set(used)) != len(used):
                problem = "a sequence number repeats inside the batch"
            if problem is not None:
                result = Rejection(Reason.REPLAY, problem, message.origin)
            else:
                for q in used:
                    self.replay.record(message.origin, q)
                self.accepted += 1
                return result
        self.rejected[result.reason] += 1
        return result

    def counts(self) -> dict[str, int]:
        """Counters for metrics: ``accepted`` and one per reason (zeros included)."""
        return {"accepted": self.accepted, **{reason.value: self.rejected[reason] for reason in Reason}}
