"""Shared output helpers for the commands: JSON on stdout, rich tables for people, and length formatting."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from commonsky.units import LENGTH_UNITS, MI_M


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_json(obj: Any) -> None:
    """Machine-readable output: one JSON document on stdout, no colour, no NaN."""
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, ensure_ascii=False) + "\n")


def km_mi(metres: float) -> dict[str, float]:
    """A length in the units the field reads: metres, km, statute miles, nautical miles."""
    return {
        "m": round(metres, 1),
        "km": round(metres / 1000.0, 3),
        "mi": round(metres / MI_M, 3),
        "nm": round(metres / LENGTH_UNITS["nm"], 3),
    }


def km_mi_text(metres: float) -> str:
    return f"{metres / 1000.0:.1f} km ({metres / MI_M:.1f} mi)"


def signed_edge_text(edge_m: float) -> str:
    """'inside by 4.0 km (2.5 mi)' or 'outside by 1.4 km (0.9 mi)'."""
    word = "inside" if edge_m >= 0 else "outside"
    return f"{word} by {km_mi_text(abs(edge_m))}"


def latlon_text(lat_deg: float, lon_deg: float) -> str:
    """'34.27194 N, 45.16806 E' (hemispheres spelled out, never a minus sign)."""
    return f"{abs(lat_deg):.5f} {'N' if lat_deg >= 0 else 'S'}, {abs(lon_deg):.5f} {'E' if lon_deg >= 0 else 'W'}"
