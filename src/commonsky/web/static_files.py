"""Where the map page's static files live, and a check that the vendored MapLibre build is there."""

from __future__ import annotations

from pathlib import Path

from commonsky.errors import InputError

VENDOR_FILES = ("maplibre-gl.js", "maplibre-gl.css")


def static_dir() -> Path:
    """The directory of index.html, app.js, style.css and vendor/ (MapLibre GL JS, copied by ``make web``)."""
    return Path(__file__).parent / "static"


def check_vendor() -> None:
    """`InputError` naming the fix when the MapLibre files are missing (a checkout where ``make web`` never ran)."""
    missing = [name for name in VENDOR_FILES if not (static_dir() / "vendor" / name).is_file()]
    if missing:
        raise InputError(f"map assets missing ({', '.join(missing)} in {static_dir() / 'vendor'}): run `make web`")
