"""The broker's answers as values (`service.views`): a conflict view's JSON (notifications and 409 bodies) is the
same document the API's `ConflictOut` model writes for it, so a client reads one shape wherever it meets one."""

from __future__ import annotations

import json

import pytest

from commonsky.service.schemas import ConflictOut
from commonsky.service.views import ConflictView, ObstacleKind, view_json
from commonsky.strategic.result import OtherKind


def _view(reason: ObstacleKind, zone: str | None) -> ConflictView:
    return ConflictView(
        intent_id="mine",
        volume_index=1,
        with_=OtherKind.INTENT if zone is None else OtherKind.ZONE,
        zone_id=zone,
        zone_name=None if zone is None else "Baqubah TMA",
        blocking=reason is not ObstacleKind.ADVISORY_ZONE,
        reason=reason,
        ovn="ovn-1",
        where={"type": "Polygon", "coordinates": [[[45.0, 33.0], [45.1, 33.0], [45.1, 33.1], [45.0, 33.0]]]},
        start="2014-12-01T06:00:00Z",
        end=None,
        intervals=(("2014-12-01T06:00:00Z", "2014-12-01T06:05:00Z"), ("2014-12-01T07:00:00Z", None)),
        alt_lo_m=3_048.0,
        alt_hi_m=None,
    )


@pytest.mark.parametrize(
    ("reason", "zone"),
    [(ObstacleKind.INTENT, None), (ObstacleKind.BINDING_ZONE, "z1"), (ObstacleKind.ADVISORY_ZONE, "z2")],
)
def test_a_view_s_json_is_what_the_api_model_writes(reason: ObstacleKind, zone: str | None) -> None:
    view = _view(reason, zone)
    written = json.loads(json.dumps(view_json(view)))  # plain JSON: no enums or tuples left
    api = json.loads(ConflictOut.model_validate(view).model_dump_json(by_alias=True))
    assert written == api
    assert written["with"] == view.with_.value and written["reason"] == reason.value and "with_" not in written
