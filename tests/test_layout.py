"""The test tree mirrors src/: module ``src/commonsky/<path>/<mod>.py`` is tested in ``tests/<path>/test_<mod>.py``.

Two lists say where the mirror does not hold, each entry with its reason:
- `EXEMPT`: modules that need no test file of their own (package markers, type aliases, settings-only dataclasses,
  protocols, migration scripts);
- `BEHAVIOUR_TESTS`: test files that are not about one module (end to end, peers, red team, real traffic).
A new module without its test file, or a new test file that mirrors nothing and is not listed, fails this test.
The formatter owns the code's layout: hand layout (a formatter skip) only for a table, with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "commonsky"
TESTS = ROOT / "tests"


EXEMPT: dict[str, str] = {
    "cli/__main__.py": "`python -m commonsky.cli`: two lines calling `cli.main`",
    "cli/__init__.py": "the command table and `main`; every test in tests/cli runs a command through it",
    "service/dss/__init__.py": "`mount_dss` only; the DSS's API tests (test_dss_api, test_one_world, test_prober) "
    "mount the DSS through it",
    "_typing.py": "array type aliases, no behaviour",
    "events.py": "one str enum of three wire values, no behaviour",
    "sim/run_config.py": "a frozen dataclass of run settings, no behaviour (read by sim/assembly and the pipeline)",
    "strategic/policy.py": "a frozen dataclass of engine settings, no behaviour (read by strategic/engine)",
    "surveillance/tracking/roles.py": "the tracker's role protocols and the Candidates value, no behaviour; each "
    "implementation has its own test file (test_models, test_gating, test_assignment, test_lifecycle)",
    "data/__init__.py": "marks the bundled data folder",
    "service/models.py": "SQLAlchemy ORM table declarations, no behaviour; tests/service/test_migrate.py checks the "
    "migrations create exactly them",
    "service/dss/tables.py": "SQLAlchemy Core table declarations of the DSS, no behaviour; "
    "tests/service/test_migrate.py checks the migrations create exactly them",
    "service/errors.py": "typed error classes that only carry their payload, no behaviour; each is raised and mapped "
    "to its status in the API tests (test_bad_input, test_area_key, test_budget_grants, test_roles)",
    "service/migrations/env.py": "Alembic's environment script, run by every migration (tests/service/test_migrate.py)",
    "service/migrations/versions/0001_initial.py": "a migration, checked by tests/service/test_migrate.py",
    "service/migrations/versions/0002_intent_cells.py": "a migration, checked by tests/service/test_migrate.py",
    "service/migrations/versions/0003_disclosure_grants.py": "a migration, checked by tests/service/test_migrate.py",
    "service/migrations/versions/0004_dss.py": "a migration, checked by tests/service/test_migrate.py",
    "service/migrations/versions/0005_idempotency.py": "a migration, checked by tests/service/test_migrate.py",
}
"""Modules that need no test file of their own; a package's ``__init__.py`` that defines no function or class (a
docstring and re-exports) is exempt without being listed."""

BEHAVIOUR_TESTS: dict[str, str] = {
    "airspace/test_ed_formats.py": "ED-269 and ED-318 round trips, edits and refusals, parametrised over both formats",
    "airspace/test_format_robustness.py": "every zone format reader against malformed files",
    "archive/test_cli_analyze.py": "`commonsky analyze` end to end on a real LocalCluster",
    "archive/test_equivalence.py": "the Dask answer equals the single-process one for any partitioning",
    "archive/test_worker_killed.py": "a Dask worker killed mid-run",
    "render/test_roles.py": "one palette across the PNG, HTML and KML writers",
    "safety/test_cli.py": "`commonsky replay` end to end on the recorded files of tests/safety/conftest.py",
    "safety/test_loss_regions.py": "the truth's minima per region, end to end through `replay`",
    "safety/test_docs.py": "the runnable examples of the safety docstrings",
    "safety/test_real_traffic.py": "replay on real recorded traffic, scored against losses from the reports",
    "safety/test_held_out.py": "`commonsky replay` on encounters built from held-out real traffic, scored here",
    "safety/test_curved_unchanged.py": "turns.py's curved prediction against the functions it replaced, copied as the "
    "oracle (bit for bit)",
    "safety/test_reference.py": "conflict detection against BlueSky's golden files (a peer)",
    "service/dss/test_dss_api.py": "the DSS API end to end",
    "service/dss/test_dss_cli.py": "`commonsky serve` DSS options end to end",
    "service/dss/test_one_world.py": "the broker and the DSS sharing one airspace",
    "service/dss/test_prober.py": "InterUSS's conformance prober against the DSS (a peer)",
    "service/test_bad_input.py": "the broker API's answers to bad input",
    "service/test_budget_grants.py": "probe budgets and grants through the API",
    "service/test_concurrency.py": "concurrent writers on both backends",
    "service/test_durability.py": "nothing stored is lost across crashes and restarts",
    "service/test_fuzz.py": "random requests against the API",
    "service/test_isolation.py": "one party's load does not starve another",
    "service/test_lifecycle.py": "an intent's life through the API",
    "service/test_red_team.py": "attacks on the broker",
    "service/test_roles.py": "who may do what through the API",
    "service/test_zone_import.py": "zone files imported through the API",
    "sim/test_diyala.py": "the Diyala scenario end to end",
    "sim/test_live_stca.py": "the live run's STCA on a scenario",
    "sim/test_scenario_errors.py": "one-line errors for every kind of bad scenario file",
    "sim/test_sensor_outage.py": "a sensor falling silent in a live run",
    "surveillance/test_feed_dump1090.py": "dump1090 as a real peer",
    "surveillance/test_feeds_garbage.py": "corruption injected into every feed format",
    "test_doctests.py": "every module's docstring examples",
    "web/test_browser.py": "the operator map in a real Chromium",
    "web/test_live_broker.py": "the broker's plan reaching a live run, and its alerts reaching the parties",
    "web/test_real_aircraft.py": "a real receiver's aircraft on the live map",
}
"""Test files about behaviour across modules, kept where they are."""


def _modules() -> set[str]:
    return {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")}


def _mirror(module: str) -> Path:
    path = Path(module)
    return TESTS / path.parent / f"test_{path.stem}.py"


def _defines_code(module: str) -> bool:
    tree = ast.parse((SRC / module).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for node in tree.body)


def _exempt(module: str) -> bool:
    return module in EXEMPT or (Path(module).name == "__init__.py" and not _defines_code(module))


def test_every_module_has_its_test_file() -> None:
    missing = sorted(m for m in _modules() if not _exempt(m) and not _mirror(m).exists())
    assert not missing, f"modules without tests/<path>/test_<mod>.py: {missing}"


def test_the_exempt_list_names_modules_that_exist() -> None:
    gone = sorted(set(EXEMPT) - _modules())
    assert not gone, f"listed modules that do not exist: {gone}"


def test_every_test_file_mirrors_a_module_or_is_a_behaviour_test() -> None:
    mirrors = {_mirror(m) for m in _modules()}
    files = {p for p in TESTS.rglob("test_*.py")}
    stray = sorted(p.relative_to(TESTS).as_posix() for p in files - mirrors if p.name != Path(__file__).name)
    unlisted = [name for name in stray if name not in BEHAVIOUR_TESTS]
    assert not unlisted, f"test files that mirror no module and are not listed as behaviour tests: {unlisted}"
    gone = sorted(set(BEHAVIOUR_TESTS) - set(stray))
    assert not gone, f"listed behaviour tests that do not exist (or now mirror a module): {gone}"


def test_the_formatter_owns_the_layout() -> None:
    """No hand layout (``fmt: skip`` / ``fmt: off``) unless a comment says why, ``# a table: ...``, on a line of
    the statement it lays out (between it and the blank line above)."""
    marker = "# fmt: "
    unexplained = []
    for folder in ("src", "tests", "benchmarks", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for k, line in enumerate(lines):
                if marker + "skip" not in line and marker + "off" not in line:
                    continue
                start = k
                while start > 0 and lines[start - 1].strip():
                    start -= 1
                if not any(above.strip().startswith("# a table:") for above in lines[start:k]):
                    unexplained.append(f"{path.relative_to(ROOT)}:{k + 1}")
    assert not unexplained, f"hand layout without a '# a table: <why>' comment: {unexplained}"
