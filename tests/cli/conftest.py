"""Fixtures for the command tests: the national border zone (Iraq within 20 mi of Iran), built by the CLI once per
module."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def national_zone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from commonsky.cli import main

    out = tmp_path_factory.mktemp("zones") / "iraq20.geojson"
    main(["zone", "buffer", "--border", "IRN:IRQ", "--distance", "20mi", "--side", "IRQ", "--out", str(out)])
    return out
