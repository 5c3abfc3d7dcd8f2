"""F3548 USS availability (`service.dss.availability`), on both backends: Unknown until set; each write needs the
current version, and a write at another version, or of an unknown state, changes nothing."""

from __future__ import annotations

import pytest

from commonsky.service.db import Database
from commonsky.service.dss import availability
from commonsky.service.dss.errors import DssError


def _refused(status: int, call: object) -> None:
    with pytest.raises(DssError) as refused:
        call()  # type: ignore[operator]
    assert refused.value.status == status, refused.value.message


def test_availability_is_versioned_and_refusals_change_nothing(db: Database) -> None:
    assert availability.get(db, "uss1") == {"status": {"uss": "uss1", "availability": "Unknown"}, "version": ""}
    first = availability.put(db, "uss1", {"availability": "down"})
    assert first["status"]["availability"] == "Down" and first["version"]
    assert availability.get(db, "uss1") == first
    _refused(409, lambda: availability.put(db, "uss1", {"availability": "Normal"}))  # no old_version: stale
    _refused(409, lambda: availability.put(db, "uss1", {"availability": "Normal", "old_version": "abc"}))
    _refused(400, lambda: availability.put(db, "uss1", {"availability": "Up", "old_version": first["version"]}))
    _refused(400, lambda: availability.put(db, "uss1", {"old_version": first["version"]}))
    assert availability.get(db, "uss1") == first
    second = availability.put(db, "uss1", {"availability": "Normal", "old_version": first["version"]})
    assert second["version"] != first["version"] and availability.get(db, "uss1") == second
    assert availability.get(db, "uss2")["status"]["availability"] == "Unknown"  # one record per USS
