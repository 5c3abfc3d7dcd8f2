"""The `coverage` command: where a scenario's sensors see an aircraft at an altitude (smooth earth, no terrain)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from commonsky.cli._output import print_json
from commonsky.errors import InputError


def coverage(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file with a sensors: list.")],
    altitude: Annotated[str, typer.Option("--altitude", "-a", help="Aircraft altitude: 500ft, 1500 m, FL100.")],
    out: Annotated[
        list[Path], typer.Option("--out", "-o", help="Write cov.png (map) and/or cov.geojson (polygons); repeatable.")
    ] = [],  # noqa: B006  (typer reads the default; it is never mutated)
    zone: Annotated[str | None, typer.Option(help="Study this zone of the scenario instead of its whole area.")] = None,
    resolution: Annotated[str, typer.Option(help="Grid cell size, e.g. 2km.")] = "2km",
    orbit: Annotated[
        str, typer.Option(help="AEW orbits: worst (seen from every orbit position) or union (from any).")
    ] = "worst",
    no_adsb: Annotated[
        bool, typer.Option("--no-adsb", help="Count radars only (aircraft that do not transmit ADS-B).")
    ] = False,
    add_like: Annotated[
        str | None, typer.Option(help="Propose new sites for a sensor like this one (its name) closing the gaps.")
    ] = None,
    add: Annotated[int, typer.Option(help="How many new sites to propose (greedy).")] = 1,
    site_spacing: Annotated[str | None, typer.Option(help="Spacing of candidate sites (default 5 cells).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Coverage at an altitude: covered share, lowest detectable altitude, optional best new sensor sites.

    Smooth earth with 4/3-earth refraction and no terrain masking: real low-level coverage is worse.
    """
    from commonsky.surveillance.coverage import OrbitMode
    from commonsky.surveillance.coverage_map import study_scenario, write_geojson, write_png
    from commonsky.units import parse_altitude, parse_distance

    alt_m = parse_altitude(altitude).value_m
    if not 0.0 <= alt_m < 30_000.0:
        raise InputError(f"--altitude {altitude!r}: must be between the surface and 30 km")
    if orbit not in ("worst", "union"):
        raise InputError(f"--orbit {orbit!r}: expected worst or union")
    for path in out:
        if path.suffix.lower() not in (".png", ".geojson", ".json"):
            raise InputError(f"--out {path}: expected a .png or .geojson file")
    if add < 1:
        raise InputError(f"--add {add}: must be at least 1")
    study = study_scenario(
        scenario,
        alt_m,
        zone=zone,
        resolution_m=parse_distance(resolution),
        mode=OrbitMode(orbit),
        cooperative=not no_adsb,
        add_like=add_like,
        add_count=add,
        site_spacing_m=parse_distance(site_spacing) if site_spacing else None,
    )
    for path in out:
        if path.suffix.lower() == ".png":
            write_png(study, path)
        else:
            write_geojson(study, path)
    if as_json:
        summary = study.summary()
        summary["outputs"] = [str(p) for p in out]
        print_json(summary)
    else:
        typer.echo(study.text())
        for path in out:
            typer.echo(f"  wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("coverage")(coverage)
