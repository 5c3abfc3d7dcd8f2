"""`commonsky analyze`'s own reading of its flags: the window (UNIX seconds or ISO 8601 UTC), the box, and the
one-line refusals made before any Dask cluster starts. The analysis itself runs end to end in
tests/archive/test_cli_analyze.py."""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from commonsky.cli.analyze import _bbox, _window
from commonsky.errors import CommonskyError


def test_window_reads_unix_seconds_and_iso_utc() -> None:
    assert _window(None, None) == (-math.inf, math.inf)
    assert _window("1417500000", None) == (1_417_500_000.0, math.inf)
    # an independent clock: calendar.timegm reads a UTC struct_time
    stamp = calendar.timegm(time.strptime("2014-12-02 06:30:00", "%Y-%m-%d %H:%M:%S"))
    assert _window("2014-12-02T06:30:00Z", "2014-12-02T07:00:00Z") == (float(stamp), float(stamp + 1800))
    assert _window(None, "2014-12-02T06:30:00Z") == (-math.inf, float(stamp))


@pytest.mark.parametrize(("start", "stop"), [("100", "100"), ("200", "100"), ("2014-12-02T07:00:00Z", "1417500000")])
def test_a_window_that_does_not_move_forward_is_refused(start: str, stop: str) -> None:
    with pytest.raises(CommonskyError, match="is not before --to"):
        _window(start, stop)


def test_a_window_bound_that_is_no_time_names_its_flag() -> None:
    with pytest.raises(CommonskyError, match="--from"):
        _window("yesterday", None)


def test_bbox_is_four_numbers_in_range() -> None:
    assert _bbox(None) is None
    assert _bbox("-10,35,30,60") == (-10.0, 35.0, 30.0, 60.0)
    assert _bbox("170,-10,-170,10") == (170.0, -10.0, -170.0, 10.0)  # W > E: across the antimeridian


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3", "expected W,S,E,N"),
        ("a,b,c,d", "expected W,S,E,N"),
        ("1,2,3,4,5", "expected W,S,E,N"),
        ("-190,0,10,10", "-180 <= W, E <= 180"),
        ("0,10,10,5", "S < N"),
        ("0,-91,10,5", "-90 <= S"),
    ],
)
def test_a_bad_bbox_is_refused(text: str, message: str) -> None:
    with pytest.raises(CommonskyError, match="--bbox") as error:
        _bbox(text)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--radius", "0NM"], "--radius must be positive"),
        (["--max-gap", "0s"], "--radius, --height, --step and --max-gap must be more than 0"),
        (["--from", "200", "--to", "100"], "--from 200 is not before --to 100"),
        (["--bbox", "1,2,3"], "--bbox '1,2,3'"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2_before_any_work(
    cli: Callable[..., Any], tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli("analyze", str(tmp_path / "none.parquet"), "--out", str(tmp_path / "out"), *args)
    assert result.code == 2 and result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1
    assert not (tmp_path / "out").exists()
