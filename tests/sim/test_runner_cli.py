"""`commonsky run` in the terminal (--no-serve --fast) and its input errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = str(ROOT / "scenarios" / "diyala-2014.yaml")


def test_run_fast_reports_tracks_and_alerts(cli: Callable[..., Any]) -> None:
    result = cli("run", SCENARIO, "--no-serve", "--fast", "--start", "2014-12-02T06:30:00Z",
                 "--until", "2014-12-02T06:40:00Z", "--json")  # fmt: skip
    assert result.code == 0, result.err
    out = result.json()
    assert out["time"] == "2014-12-02T06:40:00Z" and out["ticks"] == 600
    assert out["tracks"] >= 3 and out["alerts_raised"] >= 1
    assert out["work_ms_p50"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "0"], "speed"),
        (["--until", "tomorrow"], "--until"),
        (["--start", "2015-01-01T00:00:00Z"], "outside"),
        (["--start", "2014-12-02T08:00:00Z", "--until", "2014-12-02T07:00:00Z"], "after --start"),
        (["--synthetic", "-1"], "negative"),
    ],
)
def test_run_rejects_bad_input(cli: Callable[..., Any], args: list[str], message: str) -> None:
    result = cli("run", SCENARIO, "--no-serve", "--fast", *args)
    assert result.code == 2
    assert result.err.startswith("commonsky: error:") and message in result.err


def test_serving_beyond_loopback_needs_consent(cli: Callable[..., Any]) -> None:
    result = cli("run", SCENARIO, "--host", "0.0.0.0")
    assert result.code == 2 and "--allow-remote" in result.err


def test_run_names_a_missing_scenario(cli: Callable[..., Any], tmp_path: Path) -> None:
    result = cli("run", str(tmp_path / "nope.yaml"), "--no-serve")
    assert result.code == 2 and "nope.yaml" in result.err
