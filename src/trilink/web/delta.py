"""Picture deltas for the WebSocket: which features changed or vanished since the last send.

Features are compared by their canonical JSON bytes, so a client that applies
every delta in order holds exactly the server's picture.
"""

from typing import Any

import msgspec

_encoder = msgspec.json.Encoder(order="sorted")


def fingerprint(features: list[dict[str, Any]]) -> dict[str, bytes]:
    """Feature id → canonical JSON bytes."""
    return {str(f["id"]): _encoder.encode(f) for f in features}


def diff(previous: dict[str, bytes], current_features: list[dict[str, Any]]
         ) -> tuple[dict[str, bytes], list[dict[str, Any]], list[str]]:
    """(new fingerprint, features to upsert, ids to remove) going from ``previous`` to ``current``."""
    current = fingerprint(current_features)
    by_id = {str(f["id"]): f for f in current_features}
    upserts = [by_id[i] for i, blob in current.items() if previous.get(i) != blob]
    removes = [i for i in previous if i not in current]
    return current, upserts, removes
