"""F3548 constraint references: create and update (delete, get and query: `dss.references`). Writers need no
key; subscribers that asked for constraints are told."""

from __future__ import annotations

import uuid
from typing import Any

from uas_standards.astm.f3548.v21 import api, constants

from commonsky.service.db import Database
from commonsky.service.dss import records, references
from commonsky.service.dss.errors import bad_request
from commonsky.service.dss.geometry import now_us, parse_extents
from commonsky.service.dss.references import CONSTRAINT


def put(db: Database, manager: str, raw_id: str, ovn: str | None, body: Any) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` None: 201) or update (200) a constraint reference."""
    constraint_id = records.entity_id(raw_id, "constraint id")
    if isinstance(body, dict) and not isinstance(body.get("extents"), list):
        raise bad_request("extents must be a list of Volume4D")
    params = records.parse_body(body, api.PutConstraintReferenceParameters)
    extent = parse_extents(body["extents"], "extents", max_vertices=constants.CstrMaxVertices)
    now = now_us()
    if extent.t1_us < now:
        raise bad_request("the constraint ends in the past")
    url = records.https_url(params.uss_base_url, "uss_base_url")
    with db.write() as session:
        db.lock_region(session, extent.box)
        row = references.replaced(session, CONSTRAINT, constraint_id, manager, ovn)
        values = {
            "version": 1 if row is None else row.version + 1,
            "ovn": str(uuid.uuid4()),
            "uss_base_url": url,
            **records.envelope_values(extent),
        }
        references.write(session, CONSTRAINT, constraint_id, manager, row, values)
        subscribers = references.relist(session, CONSTRAINT, constraint_id, row, extent, now)
        saved = references.load(session, CONSTRAINT, constraint_id)
        assert saved is not None
        reference = records.refs(session, [saved], manager, intents=False)[0]
        return (201 if row is None else 200), {"subscribers": subscribers, "constraint_reference": reference}
