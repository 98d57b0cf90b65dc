"""The WebSocket stream's state beyond the picture: alerts always converge on the node's, whatever fails."""

from typing import Any

from tests.web.picture_fixture import StaticView
from trilink.web.stream import ClientStream, failures


class AlertingView(StaticView):
    """A static view with alerts the test sets, and a picture that can be made to fail."""

    active: list[dict[str, Any]]
    broken: bool = False

    def alerts(self) -> dict[str, Any]:
        return {"active": list(getattr(self, "active", [])), "history": []}

    def picture_features(self) -> list[dict[str, Any]]:
        if self.broken:
            raise ValueError("a picture the renderer cannot draw")
        return super().picture_features()


def _alert(identifier: str) -> dict[str, Any]:
    return {"id": identifier, "response": "Shelter", "areas": ["Hokkaido"], "headline": "take shelter"}


def test_cleared_alert_reaches_the_page_without_any_picture_change() -> None:
    view = AlertingView()
    view.move("JPN-F1", 39.0, 130.0)
    view.active = [_alert("a-0")]
    stream = ClientStream(view, heartbeat_s=2.0)
    first = stream.snapshot(0.0)
    assert [a["id"] for a in first["meta"]["alerts"]] == ["a-0"]
    assert stream.next_message(0.25) is None                 # nothing changed, heartbeat not due
    view.active = []                                          # the all-clear; picture unchanged
    message = stream.next_message(0.5)
    assert message is not None and message["meta"]["alerts"] == []
    assert "upsert" not in message


def test_alerts_are_repeated_every_heartbeat() -> None:
    view = AlertingView()
    view.active = [_alert("a-0")]
    stream = ClientStream(view, heartbeat_s=2.0)
    stream.snapshot(0.0)
    assert stream.next_message(1.0) is None
    beat = stream.next_message(2.5)
    assert beat is not None and [a["id"] for a in beat["meta"]["alerts"]] == ["a-0"]
    assert "server_time" in beat["meta"]


def test_a_picture_that_cannot_be_drawn_does_not_stop_alerts() -> None:
    view = AlertingView()
    view.move("JPN-F1", 39.0, 130.0)
    view.active = [_alert("a-0")]
    stream = ClientStream(view)
    stream.snapshot(0.0)
    before = failures["picture"]
    view.broken = True
    view.move("JPN-F1", 39.5, 131.0)
    view.active = []
    message = stream.next_message(0.25)
    assert failures["picture"] == before + 1
    assert message is not None and message["meta"]["alerts"] == []
    view.broken = False                                       # the next good picture goes out
    view.move("JPN-F1", 40.0, 132.0)
    message = stream.next_message(0.5)
    assert message is not None and any(f["id"] == "track:JPN-F1" for f in message["upsert"])
