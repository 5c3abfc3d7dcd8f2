"""/notifications: a WebSocket per party; events are JSON objects (``intent.preempted``, ``zone.affects``).

Authenticate with the ``Authorization: Bearer csk_...`` header (never a query string: those end up in logs).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from commonsky.service.deps import Services

router = APIRouter(tags=["notifications"])


@router.websocket("/notifications")
async def notifications(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    header = websocket.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    party = services.keys.authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if party is None:
        await websocket.close(code=4401, reason="missing or invalid API key")
        return
    queue = services.hub.subscribe(party.id)
    await websocket.accept()
    await websocket.send_json({"type": "hello", "party": party.name})
    closed = asyncio.ensure_future(_until_closed(websocket))  # notice a client that leaves while all is quiet
    try:
        while not closed.done():
            waiting = asyncio.ensure_future(queue.get())
            await asyncio.wait({waiting, closed}, return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                waiting.cancel()
                break
            event = waiting.result()
            if event is None:
                await websocket.close(code=4408, reason="too slow: events dropped")
                break
            await websocket.send_json(event)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        closed.cancel()
        services.hub.unsubscribe(party.id, queue)


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends until it disconnects."""
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError):
        return
