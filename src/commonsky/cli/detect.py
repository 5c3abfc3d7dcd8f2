"""`commonsky detect`: conflicting pairs of one states file (state-based CPA, BlueSky semantics)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON summary.")]


def detect(
    states: Annotated[Path, typer.Argument(help="States CSV: id, lat_deg, lon_deg, alt_m, gs_ms, trk_deg, vs_ms.")],
    out: Annotated[Path, typer.Option(help="Pairs CSV to write: ownship, intruder, tcpa_s, tin_s, dcpa_m, dist_m.")],
    radius: Annotated[str, typer.Option(help="Protected zone radius: 5NM, 9km ...")] = "5NM",
    height: Annotated[str, typer.Option(help="Protected zone half-height: 1000ft, 300m ...")] = "1000ft",
    lookahead: Annotated[str, typer.Option(help="Look-ahead time: 300s, 5min ...")] = "300s",
    as_json: JsonOpt = False,
) -> None:
    """Every pair of aircraft predicted to lose separation within the look-ahead (and every current LoS)."""
    import time

    from commonsky.cli._output import console, print_json
    from commonsky.picture import read_states_csv
    from commonsky.safety.conflicts import detect_conflicts, write_pairs_csv
    from commonsky.safety.params import Protection, ProtectionPolicy

    protection = Protection.parse(radius, height, lookahead)
    picture = read_states_csv(states)
    began = time.perf_counter()
    conflicts = detect_conflicts(picture, ProtectionPolicy(default=protection))
    elapsed = time.perf_counter() - began
    write_pairs_csv(out, conflicts)
    summary = {
        "aircraft": len(picture),
        "conflicts": len(conflicts),
        "losses_of_separation": conflicts.n_los,
        "candidate_pairs": conflicts.candidates,
        "radius_m": protection.radius_m,
        "half_height_m": protection.half_height_m,
        "lookahead_s": protection.lookahead_s,
        "detection_s": round(elapsed, 4),
        "out": str(out),
    }
    if as_json:
        print_json(summary)
        return
    console().print(
        f"{len(picture)} aircraft: {len(conflicts)} conflicting pair(s), {conflicts.n_los} in loss of separation "
        f"({conflicts.candidates} candidate pairs, {elapsed * 1000:.1f} ms); written to {out}"
    )


def register(app: typer.Typer) -> None:
    app.command()(detect)
