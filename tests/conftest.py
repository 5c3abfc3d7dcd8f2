"""Shared test fixtures: the peers' golden files in ../shared/reference and the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

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
