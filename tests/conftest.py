"""Shared test fixtures: the peers' golden files in ../shared/reference, the project root, and `cli`, which runs
the real `commonsky` entry point in-process and captures what a user would see."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from commonsky.cli import main

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference beside the checkout (CI lays it there too). Missing means a broken checkout."""
    if not REFERENCE.is_dir():
        pytest.fail(f"golden files not found at {REFERENCE}: shared/reference must sit beside the checkout")
    return REFERENCE


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


class CliResult(NamedTuple):
    """Exit code, stdout and stderr of one command (unpacks as a tuple too)."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    def run(*args: str) -> CliResult:
        code = 0
        try:
            main(list(args))
        except SystemExit as stop:
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
