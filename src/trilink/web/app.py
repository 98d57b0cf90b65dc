"""The node's HTTP/WebSocket API and the operator's page (FastAPI).

Read-only by design: every route is a GET (or the picture WebSocket). When an
operator token is set, every route but ``/healthz`` requires it, as
``Authorization: Bearer <token>`` or ``?token=<token>``.
"""

import asyncio
import contextlib
import hmac
import logging
import time
from pathlib import Path
from typing import Any, Protocol

import msgspec
from fastapi import FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from trilink.web.stream import HEARTBEAT_S, ClientStream
from trilink.web.view import NodeView

STATIC_DIR = Path(__file__).parent / "static"
FRONTEND_DIR = Path(__file__).parent / "frontend"
VENDOR_PACKAGES = ("leaflet", "topojson-client", "world-atlas")
log = logging.getLogger("trilink.web")


def _to_builtin(obj: Any) -> Any:
    """numpy scalars and arrays (which the core's values may carry) as plain JSON values."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if hasattr(obj, "item"):
        return obj.item()
    raise NotImplementedError(f"cannot encode {type(obj).__name__} as JSON")


_json = msgspec.json.Encoder(enc_hook=_to_builtin)
NOT_FOUND = {404: {"description": "Not found", "content": {"application/json": {
    "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}}}
_OBJECT = {"type": "object"}
_FEATURES = {"type": "object", "required": ["type", "features"],
             "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}}


def documented(media_type: str, schema: dict[str, Any], *, not_found: bool = False) -> dict[int | str, Any]:
    """OpenAPI ``responses`` for a route returning ``media_type`` bodies of ``schema``."""
    responses: dict[int | str, Any] = {200: {"content": {media_type: {"schema": schema}}}}
    if not_found:
        responses.update(NOT_FOUND)
    return responses


class JSONBytes(Response):
    """JSON encoded by msgspec (documented as application/json)."""

    media_type = "application/json"


class GeoJSON(Response):
    """GeoJSON (RFC 7946)."""

    media_type = "application/geo+json"


class AtomXML(Response):
    """An Atom feed."""

    media_type = "application/atom+xml"


class CotXML(Response):
    """Cursor-on-Target events."""

    media_type = "application/xml"


class CapXML(Response):
    """A CAP 1.2 document."""

    media_type = "application/cap+xml"


class ReplaySource(Protocol):
    """An archive opened for replay: its time range and the picture at a time."""

    def time_range(self) -> tuple[float, float]:
        """First and last record times (UTC epoch seconds)."""

    def picture_at(self, t: float) -> dict[str, Any]:
        """``{"features": [...], "meta": {...}}`` as the node saw it at time ``t``."""


def vendor_dir() -> Path:
    """Where ``make`` installed the front end's npm packages."""
    return FRONTEND_DIR / "node_modules"


def create_app(view: NodeView, *, token: str | None = None, replay: ReplaySource | None = None,
               ws_interval_s: float = 0.25, heartbeat_s: float = HEARTBEAT_S,
               send_timeout_s: float = 30.0) -> FastAPI:
    """Build the API for one node's view (and optionally an archive replay)."""
    app = FastAPI(title=f"trilink node {view.nation}", version="1",
                  description="Read-only API of a trilink node: the fused picture, alerts and status.")

    def authorised(supplied: str | None) -> bool:
        return token is None or (supplied is not None and hmac.compare_digest(supplied, token))

    @app.middleware("http")
    async def require_token(request: Request, call_next: Any) -> Response:
        if token is not None and request.url.path != "/healthz":
            header = request.headers.get("authorization", "")
            bearer = header.lower().startswith("bearer ")
            supplied = header[7:] if bearer else request.query_params.get("token")
            if not authorised(supplied):
                return JSONResponse({"detail": "operator token required"}, status_code=401)
        return await call_next(request)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    vendor = vendor_dir()
    for package in VENDOR_PACKAGES:
        if (vendor / package).is_dir():
            app.mount(f"/vendor/{package}", StaticFiles(directory=vendor / package), name=package)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    @app.get("/healthz", summary="Liveness")
    def healthz() -> dict[str, Any]:
        return {"ok": True, "nation": view.nation}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/picture", summary="The fused picture as a GeoJSON FeatureCollection",
             response_class=GeoJSON,
             responses=documented("application/geo+json", _FEATURES))
    def picture() -> Response:
        body = {"type": "FeatureCollection", "features": view.picture_features(),
                "meta": {"nation": view.nation, "exercise": view.exercise, "time": view.now(),
                         "version": view.picture_version()}}
        return GeoJSON(_json.encode(body))

    @app.get("/api/tracks/{track_id}", summary="History and assessment timeline of one track",
             response_class=JSONBytes, responses=documented("application/json", _OBJECT, not_found=True))
    def track(track_id: str) -> Response:
        detail = view.track_detail(track_id)
        if detail is None:
            raise HTTPException(status_code=404, detail=f"no track {track_id!r}")
        return JSONBytes(_json.encode(detail))

    @app.get("/api/alerts", summary="Active alerts and their history", response_class=JSONBytes,
             responses=documented("application/json", _OBJECT))
    def alerts() -> Response:
        return JSONBytes(_json.encode(view.alerts()))

    @app.get("/api/status", summary="Node, partners, link health and counters", response_class=JSONBytes,
             responses=documented("application/json", _OBJECT))
    def status() -> Response:
        return JSONBytes(_json.encode(view.status()))

    @app.get("/api/basemap", summary="First-level areas and EEZ outlines (GeoJSON)", response_class=GeoJSON,
             responses=documented("application/geo+json", _FEATURES))
    def basemap() -> Response:
        data = view.basemap() or {"type": "FeatureCollection", "features": []}
        return GeoJSON(_json.encode(data))

    @app.get("/cap/alerts.atom", summary="Atom feed of active CAP alerts", response_class=AtomXML,
             responses=documented("application/atom+xml", {"type": "string"}, not_found=True))
    def cap_feed() -> Response:
        feed = view.cap_feed()
        if feed is None:
            raise HTTPException(status_code=404, detail="this node issues no CAP alerts")
        return AtomXML(feed)

    @app.get("/cap/{identifier}.xml", summary="One CAP 1.2 document", response_class=CapXML,
             responses=documented("application/cap+xml", {"type": "string"}, not_found=True))
    def cap_document(identifier: str) -> Response:
        doc = view.cap_document(identifier)
        if doc is None:
            raise HTTPException(status_code=404, detail=f"no CAP document {identifier!r}")
        return CapXML(doc)

    @app.get("/api/export/cot.xml", summary="The picture as Cursor-on-Target events (TAK)",
             response_class=CotXML, responses=documented("application/xml", {"type": "string"}))
    def export_cot() -> Response:
        return CotXML(view.cot_xml())

    @app.get("/api/replay/range", summary="Time range of the archive under replay")
    def replay_range() -> dict[str, Any]:
        if replay is None:
            return {"available": False}
        start, end = replay.time_range()
        return {"available": True, "start": start, "end": end}

    @app.get("/api/replay/picture", summary="The picture at a time of the archive under replay",
             response_class=JSONBytes, responses=documented("application/json", _OBJECT, not_found=True))
    def replay_picture(t: float = Query(..., description="UTC epoch seconds")) -> Response:
        if replay is None:
            raise HTTPException(status_code=404, detail="no archive under replay")
        return JSONBytes(_json.encode(replay.picture_at(t)))

    @app.websocket("/ws")
    async def picture_stream(websocket: WebSocket) -> None:
        if not authorised(websocket.query_params.get("token")) and token is not None:
            await websocket.close(code=4401)
            return
        await websocket.accept()
        stream = ClientStream(view, heartbeat_s=heartbeat_s)
        message: dict[str, Any] | None = stream.snapshot(time.monotonic())
        try:
            while True:
                if message is not None:
                    text = _json.encode(message).decode()
                    await asyncio.wait_for(websocket.send_text(text), send_timeout_s)
                await asyncio.sleep(ws_interval_s)
                message = stream.next_message(time.monotonic())
        except TimeoutError:
            # a client that cannot keep up: drop it; the page reconnects and resyncs from a snapshot
            log.warning("page too slow to take updates: closing its socket")
            with contextlib.suppress(Exception):
                await websocket.close(code=1013)
        except (WebSocketDisconnect, RuntimeError, asyncio.CancelledError):
            return  # client gone, or the server is shutting down

    return app
