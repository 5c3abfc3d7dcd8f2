"""HTTP and WebSocket routes of the operator's live picture, and `mount_live` to add them to any FastAPI app.

Routes (all JSON; OpenAPI documents the models of `commonsky.web.models`):

- ``GET /api/status``: scenario, clock, counts, per-tick work time, sensors, and what the map needs to draw
  (display unit factors, trail settings, the initial view);
- ``GET /api/picture/tracks[?trail=true]``: confirmed tracks (with earlier positions when asked);
- ``GET /api/picture/alerts``: alerts up, and the recent alert events;
- ``GET /api/clock``; ``POST /api/clock/pause``, ``/resume``, ``/speed`` ``{"speed": 10}``,
  ``/jump`` ``{"time": "2014-12-02T06:30:00Z"}``: the scenario clock (bad speed or time: 422);
- ``GET /api/layers``: layer names; ``GET /api/layers/{name}[?alt_ft=1000]``: a GeoJSON FeatureCollection
  (countries, provinces, places, border, zones, intents, sensors, coverage at an altitude);
- ``WS /ws/picture``: one message per new picture (at most ``max_hz`` per second, default 10), shaped
  ``{"type": "picture", "seq", "time_s", "time_iso", "clock": Clock, "tracks": {column: [values]},
  "alerts": [Alert] (at most 300, soonest first), "alert_count", "events": [Event] (last 10), "stats"}``
  where the track columns are id, lat, lon, alt_m, gs_ms, trk_deg, vs_ms, party, intent, callsign, label,
  icao24, sources, squawk; ``plan_version`` changes when the broker's intents or zones do (refetch those layers).

The routes read the run from ``app.state.live`` (a `LiveSession`), so the same router serves the standalone
live app (`create_live_app`, used by the load benchmark) and ``commonsky run``, where
`commonsky.web.app.create_run_app` mounts these routes on the broker's app.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from commonsky.errors import CommonskyError, NotFoundError
from commonsky.sim.clock import parse_time_s
from commonsky.sim.runner import LiveRunner
from commonsky.sim.snapshot import LiveSnapshot
from commonsky.units import FT_M
from commonsky.web.layers import LAYERS, LayerStore
from commonsky.web.models import (
    AlertOut,
    AlertsOut,
    ClockOut,
    EventOut,
    FeatureCollectionOut,
    JumpIn,
    SensorOut,
    SpeedIn,
    StatusOut,
    TrackOut,
    TracksOut,
    all_alerts,
    clock_out,
    event_dict,
    stream_message,
    trail_out,
    trails_by_track,
    view_out,
)
from commonsky.web.static_files import static_dir


@dataclass(eq=False)
class LiveSession:
    """The live run behind the routes: the runner, its layers, and the last streamed message (shared by all
    WebSocket clients; guarded by a lock)."""

    runner: LiveRunner
    name: str = "live"
    layers: LayerStore = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _message: tuple[int, str] = (-1, "")

    def __post_init__(self) -> None:
        self.layers = LayerStore(self.runner.pipeline)

    def message(self, snap: LiveSnapshot) -> str:
        """The JSON text of ``snap``'s stream message, serialised once per snapshot."""
        with self._lock:
            if self._message[0] != snap.seq:
                self._message = (snap.seq, json.dumps(stream_message(snap), separators=(",", ":")))
            return self._message[1]


def _session(request: Request) -> LiveSession:
    session = getattr(request.app.state, "live", None)
    if not isinstance(session, LiveSession):
        raise HTTPException(503, "no live run is mounted on this service")
    return session


def live_router() -> APIRouter:
    """The router of the live picture (see the module docstring)."""
    router = APIRouter(tags=["live picture"])

    @router.get("/api/status", response_model=StatusOut, summary="What the live run is doing")
    def status(request: Request) -> StatusOut:
        s = _session(request)
        snap = s.runner.snapshot
        sensors = [
            SensorOut(name=x.spec.name, kind=x.spec.kind, lat=x.lat, lon=x.lon, range_km=x.spec.range_m / 1000.0)
            for x in s.runner.pipeline.sources
        ]
        return StatusOut(
            scenario=s.name,
            seq=snap.seq,
            clock=clock_out(s.runner.clock.state()),
            tracks=len(snap.picture),
            truth=snap.n_truth,
            alerts=len(snap.alerts) + len(snap.identity_alerts) + len(snap.coverage_alerts),
            plots_last_tick=snap.n_plots,
            work_ms=snap.work_ms,
            sensors=sensors,
            trail=trail_out(s.runner.pipeline.config),
            view=view_out(s.layers.fit_bbox()),
        )

    @router.get("/api/picture/tracks", response_model=TracksOut, summary="Confirmed tracks of the live picture")
    def tracks(
        request: Request, trail: Annotated[bool, Query(description="include earlier positions")] = False
    ) -> TracksOut:
        snap = _session(request).runner.snapshot
        trails = trails_by_track(snap) if trail else {}
        p = snap.picture
        rows = [
            TrackOut(
                id=str(p.id[i]),
                lat=float(p.lat_deg[i]),
                lon=float(p.lon_deg[i]),
                alt_m=float(p.alt_m[i]),
                gs_ms=float(p.gs_ms[i]),
                trk_deg=float(p.trk_deg[i]),
                vs_ms=float(p.vs_ms[i]),
                party=str(p.party[i]),
                intent=str(p.intent[i]),
                callsign=str(snap.callsign[i]),
                label=str(snap.label[i]),
                icao24=str(snap.icao24[i]),
                sources=str(snap.sources[i]),
                squawk=str(snap.squawk[i]),
                status=str(snap.status[i]) if len(snap.status) else "",
                on_ground=bool(snap.on_ground[i]) if len(snap.on_ground) else False,
                trail=trails.get(str(p.id[i]), []),
            )
            for i in range(len(p))
        ]
        return TracksOut(seq=snap.seq, time_s=snap.time_s, time_iso=snap.clock.iso, count=len(rows), tracks=rows)

    @router.get("/api/picture/alerts", response_model=AlertsOut, summary="Alerts up and recent alert events")
    def alerts(request: Request) -> AlertsOut:
        snap = _session(request).runner.snapshot
        alerts = all_alerts(snap)
        return AlertsOut(
            seq=snap.seq,
            time_s=snap.time_s,
            time_iso=snap.clock.iso,
            count=len(alerts),
            alerts=[AlertOut(**a) for a in alerts],
            events=[EventOut(**event_dict(e)) for e in snap.events],
        )

    @router.get("/api/clock", response_model=ClockOut, summary="The scenario clock")
    def clock(request: Request) -> ClockOut:
        return clock_out(_session(request).runner.clock.state())

    @router.post("/api/clock/pause", response_model=ClockOut, summary="Pause simulated time")
    def pause(request: Request) -> ClockOut:
        return clock_out(_session(request).runner.pause())

    @router.post("/api/clock/resume", response_model=ClockOut, summary="Resume simulated time")
    def resume(request: Request) -> ClockOut:
        return clock_out(_session(request).runner.resume())

    @router.post("/api/clock/speed", response_model=ClockOut, summary="Set the clock rate (x real time)")
    def speed(request: Request, body: SpeedIn) -> ClockOut:
        return clock_out(_session(request).runner.set_speed(body.speed))

    @router.post("/api/clock/jump", response_model=ClockOut, summary="Jump to a time (tracks and alerts restart there)")
    def jump(request: Request, body: JumpIn) -> ClockOut:
        runner = _session(request).runner
        try:
            return clock_out(runner.jump(parse_time_s(body.time)))
        except CommonskyError as error:
            raise HTTPException(422, str(error)) from None

    @router.get("/api/layers", response_model=list[str], summary="Names of the map layers")
    def layer_names() -> list[str]:
        return list(LAYERS)

    @router.get("/api/layers/{name}", response_model=FeatureCollectionOut, summary="One map layer as GeoJSON")
    def layer(
        request: Request,
        name: str,
        alt_ft: Annotated[float, Query(ge=0, le=60_000, description="coverage layer: altitude, ft")] = 1000.0,
    ) -> dict[str, Any]:
        store = _session(request).layers
        try:
            if name == "coverage":
                return store.get(name, alt_m=round(alt_ft) * FT_M)
            return store.get(name)
        except NotFoundError as error:
            raise HTTPException(404, str(error)) from None

    @router.websocket("/ws/picture")
    async def picture_stream(websocket: WebSocket, max_hz: float = 10.0) -> None:
        session = getattr(websocket.app.state, "live", None)
        await websocket.accept()
        if not isinstance(session, LiveSession):
            await websocket.close(code=1011, reason="no live run")
            return
        period = 1.0 / min(max(max_hz, 0.1), 50.0)
        last = -1
        try:
            while True:
                snap = session.runner.snapshot
                if snap.seq != last:
                    last = snap.seq
                    await websocket.send_text(session.message(snap))
                await asyncio.sleep(period)
        except (WebSocketDisconnect, RuntimeError):
            return

    return router


def mount_live(
    app: FastAPI,
    runner: LiveRunner,
    name: str = "live",
    *,
    dependencies: Sequence[Any] = (),
    page: bool = True,
) -> None:
    """Serve ``runner``'s live picture from ``app``: the API routes and the WebSocket (guarded by
    ``dependencies``, e.g. ``[Depends(observer)]`` in the broker service), and with ``page`` the map at ``/`` and
    its assets at ``/static``. Starting and stopping the runner stays with the caller (its lifespan)."""
    app.state.live = LiveSession(runner, name)
    app.include_router(live_router(), dependencies=list(dependencies))
    if not page:
        return
    static = static_dir()
    app.mount("/static", StaticFiles(directory=static), name="live-static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(static / "index.html")


__all__ = ["LiveSession", "live_router", "mount_live"]
