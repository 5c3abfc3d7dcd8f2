"""Picture: column arrays, immutability, dead reckoning, CSV reading and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.picture import Picture, read_states_csv


def _two() -> Picture:
    return Picture.from_arrays(
        ["A", "B"],
        [50.0, 10.0],
        [179.9, -30.0],
        [10000.0, 3000.0],
        [200.0, 100.0],
        [90.0, 0.0],
        [0.0, 5.0],
        party=["red", "blue"],
    )


def test_columns_are_read_only_and_velocities_derived() -> None:
    p = _two()
    assert len(p) == 2 and p.party.tolist() == ["red", "blue"] and p.intent.tolist() == ["", ""]
    with pytest.raises(ValueError):
        p.lat_deg[0] = 1.0
    np.testing.assert_allclose(p.ve_ms, [200.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(p.vn_ms, [0.0, 100.0], atol=1e-9)


def test_advance_returns_a_new_picture_and_wraps_the_antimeridian() -> None:
    p = _two()
    q = p.advance(60.0)
    assert p.lon_deg[0] == 179.9 and q.time_s == 60.0
    assert -180.0 <= q.lon_deg[0] < -179.0  # 12 km east of 179.9E at 50N crosses the antimeridian
    assert q.lat_deg[1] == pytest.approx(10.0 + np.degrees(6000.0 / 6371000.0))
    assert q.alt_m[1] == pytest.approx(3300.0)


def test_select_and_index_of() -> None:
    p = _two()
    assert p.select([1]).id.tolist() == ["B"]
    assert p.index_of(["B", "A"]).tolist() == [1, 0]
    with pytest.raises(InputError, match="unknown aircraft id 'C'"):
        p.index_of(["C"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": ["A", "A"]}, "more than once"),
        ({"lat_deg": [95.0, 0.0]}, r"\|lat\| > 90"),
        ({"gs_ms": [-1.0, 0.0]}, "negative ground speed"),
        ({"alt_m": [np.nan, 0.0]}, "non-finite"),
        ({"lon_deg": [0.0]}, "expected 2"),
    ],
)
def test_bad_arrays_raise_input_error(change: dict, message: str) -> None:
    columns = {
        "id": ["A", "B"],
        "lat_deg": [0.0, 1.0],
        "lon_deg": [0.0, 1.0],
        "alt_m": [0.0, 0.0],
        "gs_ms": [1.0, 1.0],
        "trk_deg": [0.0, 0.0],
        "vs_ms": [0.0, 0.0],
    }
    columns.update(change)
    with pytest.raises(InputError, match=message):
        Picture.from_arrays(**columns)


def test_reads_the_reference_scenario(reference_dir: Path) -> None:
    p = read_states_csv(reference_dir / "bluesky" / "scenario_500.csv")
    assert len(p) == 500 and p.id[0] == "AC00000"
    raw = np.genfromtxt(reference_dir / "bluesky" / "scenario_500.csv", delimiter=",", names=True)
    np.testing.assert_allclose(p.vn_ms, raw["vn_ms"], atol=1e-6)
    np.testing.assert_allclose(p.ve_ms, raw["ve_ms"], atol=1e-6)


def test_bad_csv_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    missing.write_text("id,lat_deg,lon_deg\nA,1,2\n")
    with pytest.raises(InputError, match="missing column"):
        read_states_csv(missing)
    text = tmp_path / "text.csv"
    text.write_text("id,lat_deg,lon_deg,alt_m,gs_ms,trk_deg,vs_ms\nA,north,2,3,4,5,6\n")
    with pytest.raises(InputError, match=r"text.csv:2: column 'lat_deg' is not a number"):
        read_states_csv(text)
    with pytest.raises(InputError, match="cannot read file"):
        read_states_csv(tmp_path / "nope.csv")
