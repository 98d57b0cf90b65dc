"""Encodings of the wire messages: MessagePack on the wire, JSON for people and tools.

The signature covers ``signed_bytes``: a MessagePack array of a domain string,
the schema version, the kind, the key id and the body bytes exactly as sent.
Signing the body *bytes* (not a re-encoding of the decoded struct) is what lets
a newer node add fields that an older node ignores without breaking its
signature check.
"""

from typing import Any

import msgspec

from trilink.wire.keys import Signer
from trilink.wire.messages import (
    KIND_OF,
    SCHEMA_VERSION,
    TYPE_OF,
    Envelope,
    Message,
    MessageKind,
)

SIGNING_DOMAIN = "trilink-wire-signature"
"""Domain-separation string at the head of every signed byte string."""

_MSGPACK = msgspec.msgpack.Encoder()
_JSON = msgspec.json.Encoder()
_ENVELOPE = msgspec.msgpack.Decoder(Envelope)
_BODY = {kind: msgspec.msgpack.Decoder(typ) for kind, typ in TYPE_OF.items()}
_BODY_JSON = {typ: msgspec.json.Decoder(typ) for typ in TYPE_OF.values()}


def encode(message: Message) -> bytes:
    """MessagePack bytes of a message body (deterministic: fields in declaration order)."""
    return _MSGPACK.encode(message)


def decode(kind: str, body: bytes) -> Message:
    """Decode a MessagePack body of ``kind``; raises msgspec.DecodeError/ValidationError or KeyError."""
    return _BODY[kind].decode(body)


def to_json(message: Any, *, indent: int = 0) -> bytes:
    """JSON of a message (or any wire struct) for people and tools."""
    data = _JSON.encode(message)
    return msgspec.json.format(data, indent=indent) if indent else data


def from_json(data: bytes | str, typ: type) -> Any:
    """Decode JSON into a wire type; raises msgspec.DecodeError/ValidationError."""
    decoder = _BODY_JSON.get(typ)
    return decoder.decode(data) if decoder is not None else msgspec.json.decode(data, type=typ)


def signed_bytes(version: int, kind: str, key_id: str, body: bytes) -> bytes:
    """The canonical bytes an Ed25519 signature covers: everything in the envelope but the signature."""
    return _MSGPACK.encode((SIGNING_DOMAIN, version, kind, key_id, body))


def seal(message: Message, signer: Signer) -> bytes:
    """Encode and sign a message: the MessagePack envelope bytes to publish."""
    kind = KIND_OF[type(message)].value
    body = _MSGPACK.encode(message)
    signature = signer.sign(signed_bytes(SCHEMA_VERSION, kind, signer.key_id, body))
    return _MSGPACK.encode(Envelope(SCHEMA_VERSION, kind, signer.key_id, body, signature))


def open_envelope(data: bytes) -> Envelope:
    """Decode the envelope only; raises msgspec.DecodeError/ValidationError."""
    return _ENVELOPE.decode(data)


def describe(data: bytes) -> dict[str, Any]:
    """A readable view of sealed bytes (envelope fields and decoded body), for logs and tools.

    Does not verify anything; raises msgspec errors for bytes that do not decode.
    """
    envelope = _ENVELOPE.decode(data)
    body: Any = decode(envelope.kind, envelope.body) if envelope.kind in _BODY else None
    return {
        "version": envelope.version,
        "kind": envelope.kind,
        "key_id": envelope.key_id,
        "body": msgspec.to_builtins(body) if body is not None else envelope.body.hex(),
        "signature": envelope.signature.hex(),
    }


__all__ = ["SIGNING_DOMAIN", "MessageKind", "decode", "describe", "encode", "from_json",
           "open_envelope", "seal", "signed_bytes", "to_json"]
