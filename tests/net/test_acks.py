"""trilink.net.acks: the stream sequence and store time read cheaply from a JetStream reply subject."""

import pytest
from nats.aio.msg import Msg
from nats.errors import NotJSMessageError

from trilink.net.acks import stored_ns, stream_seq

V1 = "$JS.ACK.TL_IN_KOR_JPN.node.1.42.40.1795929615603198133.2"
V2 = "$JS.ACK.jpn.ACCHASH.TL_IN_KOR_JPN.node.3.42.40.1795929615603198133.2.RANDOM"


@pytest.mark.parametrize("reply", [V1, V2])
def test_same_as_nats_py_metadata(reply: str) -> None:
    msg = Msg(None, subject="tl.kor.jpn.report", reply=reply, data=b"x")  # type: ignore[arg-type]
    assert stream_seq(msg) == msg.metadata.sequence.stream == 42
    assert stored_ns(msg) == 1795929615603198133
    assert abs(stored_ns(msg) / 1e9 - msg.metadata.timestamp.timestamp()) < 1e-6


def test_not_a_jetstream_delivery_is_nats_py_error() -> None:
    msg = Msg(None, subject="x", reply="_INBOX.abc", data=b"x")  # type: ignore[arg-type]
    with pytest.raises(NotJSMessageError):
        stream_seq(msg)
