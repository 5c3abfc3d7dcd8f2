"""InterUSS's own DSS prober (interuss-monitoring, in its own venv) against a real `commonsky serve`.

The eight files issue 15 names must pass whole, on SQLite and on PostgreSQL, and so must the other files of the
prober's ``scd`` suite; the results per file are printed (``pytest -s``). The venv is built by ``make prober``
(``.venv-prober``); ``COMMONSKY_PROBER_PYTHON`` points elsewhere. Request files and the public key of the
prober's ``NoAuth`` signer come from ``../shared/reference/interuss``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from commonsky.web.serving import serve_process

ROOT = Path(__file__).resolve().parents[3]
INTERUSS = ROOT.parent / "shared" / "reference" / "interuss"
REQUIRED = (
    "test_subscription_simple",
    "test_subscription_queries",
    "test_subscription_query_time",
    "test_operation_simple",
    "test_operation_references_error_cases",
    "test_operation_references_state_transition",
    "test_constraint_simple",
    "test_uss_availability",
)
OTHERS = (
    "test_operations_simple",
    "test_constraints_with_subscriptions",
    "test_subscription_update_validation",
    "test_operation_special_cases",
    "test_operation_simple_heavy_traffic",
    "test_operation_simple_heavy_traffic_concurrent",
)


@dataclass(frozen=True)
class FileResult:
    passed: int
    failed: int
    skipped: int

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def prober_python() -> Path:
    given = os.environ.get("COMMONSKY_PROBER_PYTHON")
    python = Path(given) if given else ROOT / ".venv-prober" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"the InterUSS prober venv is missing ({python}): run `make prober`")
    return python


@contextmanager
def serve(database_url: str, log: Path) -> Iterator[str]:
    """A real `commonsky serve` with /dss/v1 trusting the prober's key; yields its endpoint."""
    args = ["--dss-public-key", str(INTERUSS / "noauth_public.pem"), "--log-level", "warning"]
    args += ["--dss-audience", "localhost", "--dss-audience", "127.0.0.1"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env["COMMONSKY_PROBE_BUDGET_UNITS"] = "1e12"  # the authority's grant to the prober's USS: its writes are charged
    endpoint, server = serve_process(
        database_url, log, args=args, env=env, health_path="/dss/v1/healthy", host="localhost", timeout_s=60.0
    )
    try:
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_prober(endpoint: str, files: tuple[str, ...], work: Path) -> dict[str, FileResult]:
    """Run the prober on ``files`` from a scratch folder holding ``scd/resources``; results per file."""
    python = prober_python()
    shutil.copytree(INTERUSS / "scd_resources", work / "scd" / "resources", dirs_exist_ok=True)
    where = subprocess.run(
        [str(python), "-c", "import monitoring.prober, os; print(os.path.dirname(monitoring.prober.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    package = Path(where.stdout.strip())
    report = work / "prober.xml"
    command = [str(python), "-m", "pytest", *(str(package / "scd" / f"{name}.py") for name in files)]
    command += ["--rootdir", str(package), "-p", "no:cacheprovider", "-q", "--junitxml", str(report)]
    command += ["--dss-endpoint", endpoint, "--scd-api-version", "1.0.0", "--heavy_traffic_concurrent_workers", "2"]
    command += ["--scd-auth1", "NoAuth(sub=uss1)", "--scd-auth2", "NoAuth(sub=uss2)"]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=900, check=False)
    if not report.exists():
        pytest.fail(f"the prober wrote no report: {done.stdout[-1500:]} {done.stderr[-1500:]}")
    counts: dict[str, list[int]] = {name: [0, 0, 0] for name in files}
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("classname", "").rsplit(".", 1)[-1]
        if name not in counts:
            continue
        outcome = 0
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = 1
        elif case.find("skipped") is not None:
            outcome = 2
        counts[name][outcome] += 1
    return {name: FileResult(*c) for name, c in counts.items()}


@pytest.mark.slow
def test_interuss_prober_passes_the_required_files(database_url: str, tmp_path: Path) -> None:
    with serve(database_url, tmp_path / "serve.log") as endpoint:
        # In name order, as InterUSS runs them: USS availability, set to Down, comes after the reads of "Unknown".
        results = run_prober(endpoint, tuple(sorted(REQUIRED + OTHERS)), tmp_path)
    backend = database_url.split(":", 1)[0]
    for name, result in results.items():
        print(f"prober on {backend}: {name}: {result}")
    broken = {name: str(r) for name, r in results.items() if r.failed or not r.passed}
    assert not broken, f"prober files with failures: {broken}"
    assert all(results[name].skipped == 0 for name in REQUIRED), {n: str(results[n]) for n in REQUIRED}
