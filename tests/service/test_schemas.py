"""The API's request models (`service.schemas`): text shown to other parties is plain (control and bidirectional
override characters refused, naming the code point and where), altitudes readable and within range, times in UTC,
the deprecated [lat, lon] circle centre read as the GeoJSON Point it means, unknown fields and non-finite numbers
refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from commonsky.service.examples import circle, requests, zone_feature
from commonsky.service.schemas import ALT_MAX_M, NAME_MAX, IntentCheck, VolumeIn, ZoneIn, plain_text


@pytest.mark.parametrize(
    ("text", "code", "at"), [("a\u202eb", "U+202E", 1), ("ok\n", "U+000A", 2), ("\x00", "U+0000", 0)]
)
def test_unsafe_characters_are_named_with_their_position(text: str, code: str, at: int) -> None:
    with pytest.raises(ValueError, match=rf"^character {re.escape(code)} at position {at} is not allowed$"):
        plain_text(text)


def test_plain_text_keeps_every_other_script() -> None:
    for text in ("Baqubah TMA", "بعقوبة", "Zürich – Kloten", "東京", "emoji 🛩"):
        assert plain_text(text) == text


def _volume(**changes: Any) -> dict[str, Any]:
    return circle(33.5, 45.0) | changes


@pytest.mark.parametrize(
    ("floor", "ok"),
    [("FL100", True), ("SFC", True), ("500 m AGL", True), (f"{ALT_MAX_M + 1:.0f} m", False), ("9" * 39, False)],
)
def test_altitudes_are_readable_and_within_range(floor: str, ok: bool) -> None:
    if ok:
        VolumeIn.model_validate(_volume(floor=floor))
    else:
        with pytest.raises(ValidationError, match="out of range"):
            VolumeIn.model_validate(_volume(floor=floor))


def test_times_come_out_in_utc() -> None:
    naive = VolumeIn.model_validate(_volume(start="2014-12-01T06:00:00", end="2014-12-01T08:00:00"))
    offset = VolumeIn.model_validate(_volume(start="2014-12-01T09:00:00+03:00", end="2014-12-01T08:00:00Z"))
    expected = datetime(2014, 12, 1, 6, tzinfo=UTC)
    assert naive.start == offset.start == expected and offset.start.utcoffset() == timedelta(0)
    assert offset.start.tzinfo is UTC or offset.start.tzinfo == UTC


def test_a_bare_centre_pair_is_lat_lon_and_read_as_a_point() -> None:
    pair = _volume(shape={"type": "circle", "centre": [33.5, 45.0], "radius_m": 1_000.0})
    point = VolumeIn.model_validate(
        _volume(shape={"type": "circle", "centre": {"type": "Point", "coordinates": [45.0, 33.5]}, "radius_m": 1_000.0})
    )
    assert VolumeIn.model_validate(pair).shape == point.shape


def test_unknown_fields_and_non_finite_numbers_are_refused() -> None:
    body = requests()["IntentCheck"]
    IntentCheck.model_validate(body)
    with pytest.raises(ValidationError, match="extra"):
        IntentCheck.model_validate(body | {"owner": "someone else"})
    shape = {"type": "circle", "centre": {"type": "Point", "coordinates": [45.0, 33.5]}, "radius_m": float("inf")}
    with pytest.raises(ValidationError):
        VolumeIn.model_validate(_volume(shape=shape))


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"name": "x" * (NAME_MAX + 1)}, f"longer than {NAME_MAX} characters"),
        ({"name": "TMA\u202e"}, "feature.properties.'name': character U+202E"),
        ({"applies_to": ["ok", "bad\x07"]}, "feature.properties.'applies_to': character U+0007"),
    ],
)
def test_zone_texts_every_party_sees_are_bounded_plain_text(props: dict[str, Any], message: str) -> None:
    feature = zone_feature("TMA", 44.5, 33.6, 44.8, 33.9)
    ZoneIn.model_validate({"feature": feature})
    feature["properties"] |= props
    with pytest.raises(ValidationError, match=re.escape(message)):
        ZoneIn.model_validate({"feature": feature})
