"""Tampering: every single-bit flip is rejected with the right reason (check 2), and a corpus of
≥ 10,000 random and mutated byte strings goes through verify() without one exception (check 3)."""

import msgspec
import pytest

from tests.conftest import trilink_full
from tests.wire.corpus import T0, corpus, typical_report
from trilink.wire import Accepted, Reason, ReceiverPolicy, Rejection, Signer, TrustStore, Verifier, seal

KOR = Signer.generate("KOR")
JPN = Signer.generate("JPN")


def _regions(data: bytes) -> list[tuple[str, int, int]]:
    """Byte ranges of the envelope parts: (name, start, end)."""
    envelope = msgspec.msgpack.decode(data)
    regions, offset = [("array header", 0, 1)], 1
    for name, value in zip(("version", "kind", "key_id", "body", "signature"), envelope, strict=True):
        size = len(msgspec.msgpack.encode(value))
        payload = len(value) if isinstance(value, str | bytes) else 0
        regions.append((f"{name} header", offset, offset + size - payload))
        regions.append((name, offset + size - payload, offset + size))
        offset += size
    assert offset == len(data)
    return [r for r in regions if r[2] > r[1]]


ALLOWED = {
    # where the bit is → which reasons are right for it
    "signature": {Reason.SIGNATURE},
    "key_id": {Reason.ORIGINATOR, Reason.DECODE},  # another key id, or no longer UTF-8
    "kind": {Reason.SCHEMA, Reason.DECODE},
    "version": {Reason.SCHEMA, Reason.DECODE},
    "body": {Reason.DECODE, Reason.SCHEMA, Reason.SANITY, Reason.ORIGINATOR, Reason.SIGNATURE},
}
HEADER = {Reason.DECODE, Reason.SCHEMA, Reason.SIZE}


def test_every_single_bit_flip_is_rejected_with_the_right_reason() -> None:
    data = seal(typical_report(sequence=42), KOR)
    verifier = Verifier(ReceiverPolicy(receiver="JPN", trust=TrustStore.of(KOR, JPN)))
    seen: dict[str, set[Reason]] = {}
    for name, start, end in _regions(data):
        allowed = ALLOWED.get(name, HEADER)
        for bit in range(start * 8, end * 8):
            flipped = bytearray(data)
            flipped[bit // 8] ^= 1 << (bit % 8)
            result = verifier.verify(bytes(flipped), T0)
            assert isinstance(result, Rejection), f"bit {bit} ({name}) accepted"
            assert result.reason in allowed, f"bit {bit} ({name}): {result.reason} {result.detail}"
            assert not result.detail.startswith("unexpected"), result.detail
            seen.setdefault(name, set()).add(result.reason)
    assert seen["signature"] == {Reason.SIGNATURE}
    assert Reason.SIGNATURE in seen["body"] and Reason.ORIGINATOR in seen["key_id"]
    # the untouched message is still accepted, exactly once
    assert isinstance(verifier.verify(data, T0), Accepted)
    assert verifier.verify(data, T0).reason is Reason.REPLAY


@pytest.mark.parametrize("seed", [1, 2])
def test_random_and_mutated_corpus_never_raises_and_is_always_rejected(seed: int) -> None:
    size = 100_000 if trilink_full() else 10_000
    verifier = Verifier(ReceiverPolicy(receiver="JPN", trust=TrustStore.of(KOR, JPN)))
    reasons: dict[Reason, int] = {}
    for data in corpus(size, seed=seed, signer=KOR):
        result = verifier.verify(data, T0)
        assert isinstance(result, Rejection), data.hex()
        assert not result.detail.startswith("unexpected"), (result.detail, data.hex())
        reasons[result.reason] = reasons.get(result.reason, 0) + 1
    assert sum(reasons.values()) == size == sum(verifier.rejected.values())
    # the corpus reaches every stage up to the signature
    assert {Reason.SIZE, Reason.DECODE, Reason.SCHEMA, Reason.SANITY, Reason.SIGNATURE} <= set(reasons)
