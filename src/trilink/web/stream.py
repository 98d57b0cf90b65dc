"""What one WebSocket client is sent: a snapshot, then deltas, with the alert state always converging.

The picture goes as feature deltas (`trilink.web.delta`). The page's other state
(active alerts, alert history, links) goes as whole values: each part is sent
when it changes, and the active alerts and server time at least every
``heartbeat_s`` even when nothing changed, so a page that missed anything
converges on the node's alert state within a heartbeat and can tell a silent
socket from a quiet picture. Building either part may fail on some picture the
node holds; such a failure is logged and counted and the other part still goes
(an exception must never end a client's stream: the page would freeze).
"""

import logging
from collections import Counter
from typing import Any

import msgspec

from trilink.web.delta import diff
from trilink.web.view import NodeView

log = logging.getLogger("trilink.web")

HEARTBEAT_S = 2.0
"""Active alerts and server time go at least this often, changed or not."""
_canonical = msgspec.json.Encoder(order="sorted",
                                  enc_hook=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))

failures: Counter[str] = Counter()
"""Parts of messages that could not be built, by part (``picture``, ``meta``), for /api/status and tests."""


def meta_parts(view: NodeView) -> dict[str, Any]:
    """The page's non-picture state: nation, exercise flag, active alerts, their history, partner links."""
    alerts = view.alerts()
    status = view.status()
    return {"nation": view.nation, "exercise": view.exercise,
            "alerts": alerts.get("active", []), "alert_history": alerts.get("history", []),
            "links": status.get("links", [])}


class ClientStream:
    """One client's view of what it holds; `snapshot` first, then `next_message` every interval."""

    def __init__(self, view: NodeView, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.view = view
        self.heartbeat_s = heartbeat_s
        self._fingerprints: dict[str, bytes] = {}
        self._version: int | None = None
        self._sent: dict[str, bytes] = {}
        self._last_alerts_sent = float("-inf")

    def _picture_delta(self, force: bool) -> tuple[list[dict[str, Any]], list[str]] | None:
        version = self.view.picture_version()
        if version == self._version and not force:
            return None
        try:
            self._fingerprints, upserts, removes = diff(self._fingerprints, self.view.picture_features())
        except Exception:
            failures["picture"] += 1
            log.exception("picture for the page could not be built (version %s)", version)
            return None
        self._version = version
        return upserts, removes

    def _meta_delta(self, now: float, force: bool) -> dict[str, Any]:
        try:
            parts = meta_parts(self.view)
        except Exception:
            failures["meta"] += 1
            log.exception("alerts/status for the page could not be read")
            return {}
        out: dict[str, Any] = {}
        for key, value in parts.items():
            blob = _canonical.encode(value)
            if force or blob != self._sent.get(key):
                out[key] = value
                self._sent[key] = blob
        if "alerts" not in out and now - self._last_alerts_sent >= self.heartbeat_s:
            out["alerts"] = parts["alerts"]
        if "alerts" in out:
            self._last_alerts_sent = now
        return out

    def snapshot(self, now: float) -> dict[str, Any]:
        """The whole picture and state: what a (re)connecting page starts from."""
        picture = self._picture_delta(force=True)
        meta = self._meta_delta(now, force=True)
        meta["server_time"] = self.view.now()
        return {"type": "snapshot", "features": picture[0] if picture else [], "meta": meta}

    def next_message(self, now: float) -> dict[str, Any] | None:
        """A delta of what changed since the last message (``now``: monotonic seconds), or None."""
        message: dict[str, Any] = {"type": "delta"}
        picture = self._picture_delta(force=False)
        if picture is not None and (picture[0] or picture[1]):
            message["upsert"], message["remove"] = picture
        meta = self._meta_delta(now, force=False)
        if meta:
            meta["server_time"] = self.view.now()
            message["meta"] = meta
        return message if len(message) > 1 else None
