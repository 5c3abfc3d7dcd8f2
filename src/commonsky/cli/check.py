"""``commonsky check SCENARIO.yaml``: strategic deconfliction of a scenario's intents, in filing order."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from commonsky.sim.scenario import Scenario
    from commonsky.strategic.result import CheckResult


def check(
    scenario: Annotated[Path, typer.Argument(help="scenario YAML file (see docs/scenario-format.md)")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    as_party: Annotated[
        str | None, typer.Option("--as", help="show only this party's intents, as it may see them (redacted)")
    ] = None,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="also write intents and conflicts as GeoJSON (for maps)")
    ] = None,
) -> None:
    """Check every intent against the zones and the intents accepted before it, as the broker would.

    Intents are processed in filing order (then higher priority first), and accepted ones are stored. Each row
    shows the verdict, every conflict (what, where, when, altitudes) and the verified resolutions.
    """
    from commonsky.airspace.geojson import write_json
    from commonsky.cli._output import print_json
    from commonsky.sim.scenario import load_scenario
    from commonsky.strategic.batch import check_in_order
    from commonsky.strategic.features import feature_collection
    from commonsky.strategic.privacy import redact
    from commonsky.strategic.serialize import result_to_json

    loaded = load_scenario(scenario)
    if as_party is not None:
        loaded.party(as_party)  # unknown party: one-line error
    results = check_in_order(loaded.filing_order(), loaded.zones, loaded.policy)
    if as_party is not None:
        results = [redact(r, as_party, loaded.policy) for r in results if r.intent.party == as_party]
    if geojson is not None:
        write_json(geojson, feature_collection(results))
    if as_json:
        mismatches = _mismatches(loaded, results) if as_party is None else []
        print_json(
            {
                "scenario": loaded.name,
                "viewer": as_party,
                "results": [result_to_json(r) for r in results],
                "expectations_unmet": mismatches,
            }
        )
        return
    _print_table(loaded, results, as_party)


def _mismatches(scenario: Scenario, results: list[CheckResult]) -> list[str]:
    """Intents whose verdict or set of conflicts differs from the ``expect:`` written in the scenario."""
    out = []
    for result in results:
        expected = scenario.expectations.get(result.intent.id)
        if expected is None:
            continue
        got = {f"{c.kind.value}:{c.other}" for c in result.conflicts}
        if expected.verdict != result.verdict.value or expected.conflicts != got:
            out.append(
                f"{result.intent.id}: expected {expected.verdict} {sorted(expected.conflicts)}, "
                f"got {result.verdict.value} {sorted(got)}"
            )
    return out


def _print_table(scenario: Scenario, results: list[CheckResult], viewer: str | None) -> None:
    from rich.table import Table

    from commonsky.cli._output import console
    from commonsky.strategic.features import iso
    from commonsky.strategic.serialize import altitude_text, where_text

    out = console()
    title = f"{scenario.name}: strategic check" + (f" as {viewer}" if viewer else "")
    table = Table(title=title, show_lines=True)
    for column in ("intent", "party", "prio", "verdict", "conflicts (what | where | when | altitudes)", "resolutions"):
        table.add_column(column, overflow="fold")
    for result in results:
        conflict_lines = []
        for c in result.conflicts:
            start, end = (iso(c.start_s) or "-")[11:16], (iso(c.end_s) or "-")[11:16]
            conflict_lines.append(
                f"[bold]{c.effect.value}[/bold] {c.kind.value} {c.other} | {where_text(c)} | "
                f"{start}-{end}Z | {altitude_text(c.alt_lo_m, c.alt_hi_m)}"
            )
        fixes = "-" if result.accepted else ("\n".join(r.summary for r in result.resolutions) or "none found")
        verdict = "[green]accepted[/green]" if result.accepted else "[red]rejected[/red]"
        table.add_row(
            result.intent.id,
            result.intent.party,
            str(result.intent.priority),
            verdict,
            "\n".join(conflict_lines) or "-",
            fixes,
        )
    out.print(table)
    accepted = sum(r.accepted for r in results)
    out.print(
        f"{len(results)} intents: {accepted} accepted, {len(results) - accepted} rejected; "
        f"{sum(len(r.conflicts) for r in results)} conflicts"
    )
    if viewer is None and scenario.expectations:
        unmet = _mismatches(scenario, results)
        met = len(scenario.expectations) - len(unmet)
        out.print(f"expectations written in the scenario: {met} of {len(scenario.expectations)} met")
        for line in unmet:
            out.print(f"  unmet: {line}")


def register(app: typer.Typer) -> None:
    app.command("check")(check)
