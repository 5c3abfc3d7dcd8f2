"""Reading and writing zones in exchange formats: the one entry point the CLI and the broker use.

>>> ImportFormat("ed318").label
'ED-318'
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from commonsky.airspace.formats._common import Imported
from commonsky.airspace.zone import Zone


class ImportFormat(StrEnum):
    ED318 = "ed318"
    ED269 = "ed269"
    OPENAIR = "openair"

    @property
    def label(self) -> str:
        return {"ed318": "ED-318", "ed269": "ED-269", "openair": "OpenAir"}[self.value]


class ExportFormat(StrEnum):
    ED318 = "ed318"
    ED269 = "ed269"
    KML = "kml"


def read_zones_as(raw: bytes, fmt: ImportFormat, source: str) -> Imported:
    """The zones in ``raw`` (a file's bytes) read as ``fmt``; ``source`` names the file in errors."""
    if fmt is ImportFormat.OPENAIR:
        from commonsky.airspace.formats.openair import read_openair

        return read_openair(raw, source)
    doc = _json(raw, source)
    if fmt is ImportFormat.ED269:
        from commonsky.airspace.formats.ed269 import read_ed269

        return read_ed269(doc, source)
    from commonsky.airspace.formats.ed318 import read_ed318

    return read_ed318(doc, source)


def write_zones_as(zones: Sequence[Zone], fmt: ExportFormat) -> str:
    """The text of an ED-269 or ED-318 file holding ``zones`` (KML is drawn by `commonsky.render.kml`)."""
    import json

    if fmt is ExportFormat.KML:
        raise ValueError("KML is drawn by commonsky.render.kml (zone_kml_features gives it the zones)")
    if fmt is ExportFormat.ED269:
        from commonsky.airspace.formats.ed269 import write_ed269

        return json.dumps(write_ed269(zones), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    from commonsky.airspace.formats.ed318 import write_ed318

    return json.dumps(write_ed318(zones), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def zone_kml_features(zones: Sequence[Zone]) -> list[dict[str, Any]]:
    """The zones as features for the map renderers: circles and corridors drawn as their geodesic polygons."""
    from shapely.geometry import MultiPolygon, mapping

    from commonsky.airspace.formats._common import polygons_of

    out = []
    for zone in zones:
        feature = zone.to_feature()
        polygons = polygons_of(zone)
        feature["geometry"] = mapping(polygons[0] if len(polygons) == 1 else MultiPolygon(polygons))
        out.append(feature)
    return out


def _json(raw: bytes, source: str) -> Any:
    import json

    from commonsky.errors import InputError

    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{source}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
