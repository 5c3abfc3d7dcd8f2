"""Units at the edges. Inside commonsky every length is metres, speed m/s, time seconds, angle degrees.

Parsing accepts what people type (``20mi``, ``5 NM``, ``FL320``, ``1000ft``, ``300s``, ``450kt``) and raises
`UnitError` with a one-line message naming the bad value.

>>> parse_distance("20mi")
32186.88
>>> parse_altitude("FL320").value_m
9753.6
>>> parse_duration("5min")
300.0
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from commonsky.errors import UnitError

FT_M = 0.3048
MI_M = 1609.344
NM_M = 1852.0
KT_MS = NM_M / 3600.0
FPM_MS = FT_M / 60.0

LENGTH_UNITS: dict[str, float] = {
    "m": 1.0,
    "km": 1000.0,
    "mi": MI_M,
    "nm": NM_M,
    "nmi": NM_M,
    "ft": FT_M,
}
SPEED_UNITS: dict[str, float] = {
    "m/s": 1.0,
    "ms": 1.0,
    "kt": KT_MS,
    "kts": KT_MS,
    "km/h": 1000.0 / 3600.0,
    "kmh": 1000.0 / 3600.0,
    "mph": MI_M / 3600.0,
    "fpm": FPM_MS,
    "ft/min": FPM_MS,
}
TIME_UNITS: dict[str, float] = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}

_QUANTITY = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z/]*)\s*$")


def _split(text: str | float | int, what: str, default_unit: str | None) -> tuple[float, str]:
    if isinstance(text, bool):
        raise UnitError(f"{what} {text!r} is not a number with a unit")
    if isinstance(text, int | float):
        if default_unit is None:
            raise UnitError(f"{what} {text!r} has no unit")
        return float(text), default_unit
    match = _QUANTITY.match(str(text))
    if match is None:
        raise UnitError(f"cannot read {what} {text!r}: expected a number and a unit, like 20mi")
    number, unit = float(match.group(1)), match.group(2).lower()
    if not unit:
        if default_unit is None:
            raise UnitError(f"{what} {text!r} has no unit")
        unit = default_unit
    if not math.isfinite(number):
        raise UnitError(f"{what} {text!r} is not finite")
    return number, unit


def _convert(text: str | float | int, what: str, table: dict[str, float], default_unit: str | None) -> float:
    number, unit = _split(text, what, default_unit)
    if unit not in table:
        known = ", ".join(sorted(table))
        raise UnitError(f"unknown unit {unit!r} in {what} {text!r} (use one of {known})")
    return number * table[unit]


def parse_length(text: str | float | int, *, default_unit: str | None = None, what: str = "length") -> float:
    """Return metres from a length such as ``20mi``, ``5NM``, ``3.5 km``, ``1000ft`` (any sign)."""
    return _convert(text, what, LENGTH_UNITS, default_unit)


def parse_distance(text: str | float | int, *, default_unit: str | None = None, what: str = "distance") -> float:
    """Return a strictly positive distance in metres; zero, negative or unreadable values raise `UnitError`."""
    value = parse_length(text, default_unit=default_unit, what=what)
    if value <= 0:
        raise UnitError(f"{what} must be positive, got {text!r}")
    return value


def parse_speed(text: str | float | int, *, default_unit: str | None = None, what: str = "speed") -> float:
    """Return m/s from ``450kt``, ``250 m/s``, ``1500fpm``."""
    return _convert(text, what, SPEED_UNITS, default_unit)


def parse_duration(text: str | float | int, *, default_unit: str | None = "s", what: str = "duration") -> float:
    """Return seconds from ``300s``, ``5min``, ``2h`` (must be >= 0)."""
    value = _convert(text, what, TIME_UNITS, default_unit)
    if value < 0:
        raise UnitError(f"{what} must not be negative, got {text!r}")
    return value


class AltitudeRef(StrEnum):
    """What an altitude is measured from."""

    AMSL = "AMSL"  # above mean sea level (QNH)
    AGL = "AGL"  # above ground level
    STD = "STD"  # pressure altitude on 1013.25 hPa: flight levels


@dataclass(frozen=True, slots=True)
class Altitude:
    """One altitude limit: metres above its reference. ``SFC`` is 0 m AGL; ``UNL`` is +inf."""

    value_m: float
    ref: AltitudeRef = AltitudeRef.AMSL

    @property
    def is_unlimited(self) -> bool:
        return math.isinf(self.value_m)

    def to_json(self) -> dict[str, object]:
        """The zone-format object: ``{"value": 320, "unit": "FL", "ref": "STD"}`` (UNL stored as unit "UNL")."""
        if self.is_unlimited:
            return {"value": None, "unit": "UNL", "ref": self.ref.value}
        if self.ref is AltitudeRef.STD:
            return {"value": round(self.value_m / FT_M / 100.0, 3), "unit": "FL", "ref": "STD"}
        return {"value": round(self.value_m / FT_M, 3), "unit": "ft", "ref": self.ref.value}

    def label(self) -> str:
        """Aviation text: ``FL320``, ``5000 ft AMSL``, ``SFC``, ``UNL``."""
        if self.is_unlimited:
            return "UNL"
        if self.ref is AltitudeRef.STD:
            return f"FL{self.value_m / FT_M / 100.0:03.0f}"
        if self.value_m == 0 and self.ref is AltitudeRef.AGL:
            return "SFC"
        return f"{self.value_m / FT_M:.0f} ft {self.ref.value}"


_FL = re.compile(r"^\s*FL\s*(\d{1,3}(?:\.\d+)?)\s*$", re.IGNORECASE)
_ALT = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*(ft|m|km)?\s*(AMSL|MSL|AGL|GND|STD)?\s*$", re.IGNORECASE)


def parse_altitude(
    text: str | float | int | dict[str, object], *, default_ref: AltitudeRef = AltitudeRef.AMSL
) -> Altitude:
    """Parse ``FL320``, ``SFC``, ``GND``, ``UNL``, ``5000ft``, ``1500 m AGL``, or the zone-format object.

    A bare number is feet, as on every aviation chart.
    """
    if isinstance(text, dict):
        return _altitude_from_json(text)
    if isinstance(text, bool):
        raise UnitError(f"altitude {text!r} is not a number")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise UnitError(f"altitude {text!r} is not finite")
        return Altitude(float(text) * FT_M, default_ref)
    raw = str(text).strip()
    upper = raw.upper()
    if upper in ("SFC", "GND", "SURFACE"):
        return Altitude(0.0, AltitudeRef.AGL)
    if upper in ("UNL", "UNLIMITED"):
        return Altitude(math.inf, AltitudeRef.STD)
    fl = _FL.match(raw)
    if fl:
        return Altitude(float(fl.group(1)) * 100.0 * FT_M, AltitudeRef.STD)
    match = _ALT.match(raw)
    if match is None:
        raise UnitError(f"cannot read altitude {text!r}: expected FL320, 5000ft AMSL, 500 m AGL, SFC or UNL")
    number = float(match.group(1))
    unit = (match.group(2) or "ft").lower()
    ref_text = (match.group(3) or default_ref.value).upper()
    ref = {"MSL": "AMSL", "GND": "AGL"}.get(ref_text, ref_text)
    scale = {"ft": FT_M, "m": 1.0, "km": 1000.0}[unit]
    return Altitude(number * scale, AltitudeRef(ref))


def _altitude_from_json(obj: dict[str, object]) -> Altitude:
    unit = str(obj.get("unit", "ft"))
    ref_text = str(obj.get("ref", "AMSL")).upper()
    if ref_text not in AltitudeRef.__members__:
        raise UnitError(f"unknown altitude reference {ref_text!r} (use AMSL, AGL or STD)")
    ref = AltitudeRef(ref_text)
    if unit.upper() == "UNL":
        return Altitude(math.inf, ref)
    value = obj.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UnitError(f"altitude value {value!r} is not a finite number")
    scales = {"ft": FT_M, "m": 1.0, "FL": 100.0 * FT_M}
    if unit not in scales:
        raise UnitError(f"unknown altitude unit {unit!r} (use ft, m, FL or UNL)")
    return Altitude(float(value) * scales[unit], ref)


def format_length(metres: float, unit: str = "km", digits: int = 1) -> str:
    """``format_length(27600, "mi") == "17.1 mi"``."""
    key = unit.lower()
    if key not in LENGTH_UNITS:
        raise UnitError(f"unknown length unit {unit!r}")
    label = "NM" if key in ("nm", "nmi") else key
    return f"{metres / LENGTH_UNITS[key]:.{digits}f} {label}"
