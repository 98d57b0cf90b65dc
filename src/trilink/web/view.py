"""What the web layer needs from a node: read-only views of its picture, alerts and status.

The node implements this protocol; the web app never reaches into the node's
internals and never changes anything (the API is read-only by design).
"""

from typing import Any, Protocol


class NodeView(Protocol):
    """Read-only view of one node for the web API."""

    nation: str
    exercise: bool

    def now(self) -> float:
        """The node's clock (UTC epoch seconds; simulated time in an exercise run)."""

    def picture_version(self) -> int:
        """A counter that changes whenever the picture changes."""

    def picture_features(self) -> list[dict[str, Any]]:
        """The fused picture as GeoJSON features, each with a stable ``id`` and ``properties.kind``."""

    def track_detail(self, track_id: str) -> dict[str, Any] | None:
        """History and assessment timeline of one fused track, or None when unknown."""

    def alerts(self) -> dict[str, Any]:
        """``{"active": [...], "history": [...]}`` alert summaries."""

    def status(self) -> dict[str, Any]:
        """Node status: ``{"nation", "exercise", "links": [...], "counters": {...}}``."""

    def basemap(self) -> dict[str, Any] | None:
        """Offline first-level area and EEZ outlines as a GeoJSON FeatureCollection, if known."""

    def cap_feed(self) -> str | None:
        """Atom feed of active CAP alerts (XML), if the node issues alerts."""

    def cap_document(self, identifier: str) -> str | None:
        """One CAP document (XML) by identifier."""

    def cot_xml(self) -> bytes:
        """The picture as Cursor-on-Target events for TAK (``<events>`` of ``<event>``)."""
