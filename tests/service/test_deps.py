"""The request dependencies (`service.deps`): a key is needed (401), a party's rate is bounded (429 with a true
``Retry-After``), roles are checked (403), and heavy requests take one of a few slots: a party's second at once is
429, everyone's beyond the total 503, and cheap requests take none."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import HTTPException

from commonsky.service import auth
from commonsky.service.deps import Services, heavy_slot


def test_keys_rates_and_roles(make_client: Any, sqlite_url: str) -> None:
    client, party = make_client(sqlite_url, rate_per_s=0.01, rate_burst=3)
    ops = party("ops", "operator")
    assert client.get("/parties/me").status_code == 401
    assert client.get("/parties/me", headers={"Authorization": "Bearer csk_nonsense"}).status_code == 401
    answers = [client.get("/parties/me", headers=ops.headers) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    other = party("other", "observer")
    assert client.get("/parties", headers=other.headers).status_code == 403  # its own bucket, the wrong role


def test_heavy_requests_take_a_slot(make_client: Any, sqlite_url: str) -> None:
    client, _ = make_client(sqlite_url, max_heavy_per_party=1, max_heavy=2, heavy_request_cost=10.0)
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    one, two, three = (auth.create_party(services.db, n, "operator")[0] for n in ("one", "two", "three"))

    async def run() -> None:
        async with heavy_slot(services, one, 5.0), heavy_slot(services, one, 5.0):
            pass  # cheap: no slot
        async with heavy_slot(services, one, 50.0):
            with pytest.raises(HTTPException) as busy:
                async with heavy_slot(services, one, 50.0):
                    pass
            assert busy.value.status_code == 429
            async with heavy_slot(services, two, 50.0):
                with pytest.raises(HTTPException) as full:
                    async with heavy_slot(services, three, 50.0):
                        pass
                assert full.value.status_code == 503
        async with heavy_slot(services, one, 50.0), heavy_slot(services, three, 50.0):
            pass  # every slot was given back

    asyncio.run(run())
