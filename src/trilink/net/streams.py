"""The JetStream streams each nation's server holds: outbox, inboxes, courier cursors.

Created idempotently by ``ensure_streams`` when the network starts; all in the nation's own
domain, file storage, de-duplicating on ``Nats-Msg-Id`` over ``DUPLICATE_WINDOW_S``.
"""

import asyncio

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, KeyValueConfig, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from trilink.model.network import NetworkConfig
from trilink.net.subjects import COURIER_BUCKET, inbox_stream, outbox_stream, token

#: De-duplication window of every stream: longer than any outage we ride out with a resend.
DUPLICATE_WINDOW_S = 600.0
#: How long reports are kept nationally.
MAX_AGE_S = 7 * 24 * 3600.0
MAX_BYTES = 512 * 1024 * 1024


def stream_configs(network: NetworkConfig, nation: str) -> list[StreamConfig]:
    """The outbox of ``nation`` and its inboxes, one per partner that releases to it."""
    common = {"storage": StorageType.FILE, "duplicate_window": DUPLICATE_WINDOW_S,
              "max_age": MAX_AGE_S, "max_bytes": MAX_BYTES, "discard": DiscardPolicy.OLD}
    configs = [StreamConfig(name=outbox_stream(nation), subjects=[f"out.{token(nation)}.>"],
                            description=f"{nation} outbox: every report {nation} issued", **common)]
    for agreement in network.agreement:
        if agreement.recipient == nation:
            origin = agreement.releaser
            configs.append(StreamConfig(
                name=inbox_stream(origin, nation), subjects=[f"tl.{token(origin)}.{token(nation)}.>"],
                description=f"what {origin} released to {nation}, in {origin}'s order", **common))
    return configs


async def ensure_streams(js: JetStreamContext, network: NetworkConfig, nation: str,
                         timeout_s: float = 10.0) -> None:
    """Create (or update) the nation's streams and courier bucket, retrying while JetStream starts."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            for config in stream_configs(network, nation):
                try:
                    await js.add_stream(config)
                except BadRequestError:
                    await js.update_stream(config)
            await js.create_key_value(KeyValueConfig(bucket=COURIER_BUCKET, history=1,
                                                     storage=StorageType.FILE))
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)
