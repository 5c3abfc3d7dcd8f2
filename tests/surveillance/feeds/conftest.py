"""The dump1090 Beast capture and its frame list, shared by the Beast and AVR framing tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def beast_bytes(reference_dir: Path) -> bytes:
    return (reference_dir / "adsb" / "sample_dump1090.bin").read_bytes()


@pytest.fixture(scope="module")
def expected(reference_dir: Path) -> list[tuple[int, str]]:
    lines = (reference_dir / "adsb" / "dump1090_beast_sample_hex.txt").read_text().split()
    return [(int(ticks), msg) for ticks, msg in (line.split(",") for line in lines)]
