"""/notifications: a WebSocket per party; events are JSON objects (``intent.preempted``, ``zone.affects``).

Authenticate with the ``Authorization: Bearer csk_...`` header (never a query string: those end up in logs).
"""

from __future__ import annotations

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from commonsky.service.auth import authenticate
from commonsky.service.deps import Services

router = APIRouter(tags=["notifications"])


@router.websocket("/notifications")
async def notifications(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    header = websocket.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    party = authenticate(services.db, key.strip()) if scheme.lower() == "bearer" else None
    if party is None:
        await websocket.close(code=4401, reason="missing or invalid API key")
        return
    queue = services.hub.subscribe(party.id)
    await websocket.accept()
    await websocket.send_json({"type": "hello", "party": party.name})
    try:
        while True:
            event = await queue.get()
            if event is None:
                await websocket.close(code=4408, reason="too slow: events dropped")
                return
            await websocket.send_json(event)
    except WebSocketDisconnect:
        pass
    finally:
        services.hub.unsubscribe(party.id, queue)
