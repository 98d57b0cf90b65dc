"""The read-only API and the WebSocket delta stream, on a real FastAPI app."""

import json

import pytest
from fastapi.testclient import TestClient

from tests.web.picture_fixture import StaticView
from trilink.web.app import create_app
from trilink.web.server import WebConfigError, check_bind


def test_picture_is_geojson_with_stable_ids() -> None:
    view = StaticView()
    view.move("JPN-F1", 39.0, 130.0)
    client = TestClient(create_app(view))
    body = client.get("/api/picture").json()
    assert body["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in body["features"]}
    assert {"track", "impact_ellipse", "impact", "ground_track"} <= kinds
    ellipse = next(f for f in body["features"] if f["properties"]["kind"] == "impact_ellipse")
    ring = ellipse["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) > 10
    assert client.get("/healthz").json()["ok"] is True
    assert client.get("/api/tracks/JPN-F1").status_code == 200
    assert client.get("/api/tracks/nope").status_code == 404
    assert client.get("/cap/alerts.atom").status_code == 404
    assert client.get("/metrics").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"].startswith("trilink node")


def test_api_is_read_only() -> None:
    client = TestClient(create_app(StaticView()))
    for path in ("/api/picture", "/api/alerts", "/api/status"):
        assert client.post(path).status_code == 405
        assert client.delete(path).status_code == 405


def test_token_required_when_set() -> None:
    client = TestClient(create_app(StaticView(), token="s3cret"))
    assert client.get("/api/status").status_code == 401
    assert client.get("/api/status", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/api/status?token=s3cret").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_binding_beyond_loopback_needs_a_token() -> None:
    check_bind("127.0.0.1", None)
    with pytest.raises(WebConfigError):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "token")


def test_websocket_sends_snapshot_then_small_deltas() -> None:
    view = StaticView()
    for i in range(20):
        view.move(f"JPN-F{i}", 35.0 + i * 0.1, 128.0)
    client = TestClient(create_app(view, ws_interval_s=0.01))
    with client.websocket_connect("/ws") as ws:
        snapshot_text = ws.receive_text()
        snapshot = json.loads(snapshot_text)
        assert snapshot["type"] == "snapshot"
        assert len([f for f in snapshot["features"] if f["properties"]["kind"] == "track"]) == 20
        view.move("JPN-F3", 36.0, 129.0)
        delta_text = ws.receive_text()
        delta = json.loads(delta_text)
        assert delta["type"] == "delta"
        assert {f["properties"]["track_id"] for f in delta["upsert"]} == {"JPN-F3"}
        assert len(delta_text) < len(snapshot_text) / 5
        del view.tracks["JPN-F5"]
        view.version += 1
        delta = json.loads(ws.receive_text())
        assert "track:JPN-F5" in delta["remove"]
