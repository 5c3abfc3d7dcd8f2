"""`commonsky.archive.read`: row groups read straight into report arrays, compared with the same files read by
pandas and converted by hand here (hex text with `int(text, 16)`, feet times 0.3048, the time filter a plain
comparison)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from commonsky.archive.block import Rows
from commonsky.archive.read import read_rows
from commonsky.archive.schema import SPECS, ArchiveSchema
from commonsky.archive.source import open_archive


def hex_or_minus_one(value: object) -> int:
    try:
        return int(str(value), 16) if isinstance(value, str | int) and len(str(value)) == 6 else -1
    except ValueError:
        return -1


def table(rows: Rows) -> list[tuple[float, int, float, float, float, bool]]:
    return sorted(
        zip(
            rows.time_s.tolist(),
            rows.icao24.tolist(),
            rows.lat_deg.tolist(),
            rows.lon_deg.tolist(),
            rows.alt_m.tolist(),
            rows.on_ground.tolist(),
            strict=True,
        )
    )


def test_opensky_row_groups_in_a_time_range(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    folder, frame = opensky_archive
    archive = open_archive(str(folder))
    spec = SPECS[ArchiveSchema.OPENSKY]
    t0 = float(frame["time"].min())
    range_s = (t0 + 500.0, t0 + 1000.0)  # across the two hourly files
    groups = tuple(
        (archive.files[k], tuple(range(pq.ParquetFile(archive.files[k]).num_row_groups)), False)
        for k in range(len(archive.files))
    )
    got = read_rows(groups, spec, archive.columns, range_s)
    disk = pd.concat([pd.read_parquet(f) for f in archive.files])
    want = disk.loc[(disk["time"] >= range_s[0]) & (disk["time"] < range_s[1])]
    assert 0 < len(want) < len(disk)
    assert table(got) == sorted(
        zip(
            want["time"].astype(float),
            [int(s, 16) for s in want["icao24"]],
            want["lat"],
            want["lon"],
            want["baroaltitude"],
            want["onground"].astype(bool),
            strict=True,
        )
    )
    whole = read_rows(((archive.files[0], (0,), True),), spec, archive.columns, range_s)  # no filter: every row
    first = pd.read_parquet(archive.files[0]).iloc[:20_000]
    assert len(whole) == len(first) and sorted(whole.time_s.tolist()) == sorted(first["time"].astype(float))


def test_traffic_units_and_unreadable_addresses(tmp_path: Path) -> None:
    ids = ["ABCDEF", None, "xyz", "3c6444", "12345", "abcdef"]
    frame = pd.DataFrame(
        {
            "timestamp": np.arange(6, dtype=np.float64) + 1_700_000_000.0,
            "icao24": ids,
            "latitude": [1.0, 2.0, None, 4.0, 5.0, 6.0],
            "longitude": [-1.0, -2.0, -3.0, -4.0, -5.0, -6.0],
            "altitude": [1000.0, 2000.0, 3000.0, None, 5000.0, 6000.0],
            "groundspeed": 1.0,
            "track": 0.0,
        }
    )
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, row_group_size=4)
    archive = open_archive(str(path))
    got = read_rows(((str(path), (0, 1), False),), archive.spec, archive.columns, (1_700_000_001.0, 1_700_000_006.0))
    assert got.time_s.tolist() == frame["timestamp"].tolist()[1:]
    assert got.icao24.tolist() == [hex_or_minus_one(v) for v in ids[1:]]
    np.testing.assert_array_equal(got.lat_deg, [2.0, np.nan, 4.0, 5.0, 6.0])
    np.testing.assert_array_equal(got.alt_m, [2000 * 0.3048, 3000 * 0.3048, np.nan, 5000 * 0.3048, 6000 * 0.3048])
    assert not got.on_ground.any()


def test_integer_addresses_read_as_their_digits(tmp_path: Path) -> None:
    path = tmp_path / "ints.parquet"
    columns = {
        "time": [1.0, 2.0, 3.0],
        "icao24": pa.array([123456, 42, 999999], pa.int64()),
        "lat": [1.0] * 3,
        "lon": [1.0] * 3,
        "velocity": [1.0] * 3,
        "heading": [1.0] * 3,
        "baroaltitude": [1.0] * 3,
    }
    pq.write_table(pa.table(columns), path)
    archive = open_archive(str(path))
    got = read_rows(((str(path), (0,), True),), archive.spec, archive.columns, (0.0, 10.0))
    assert got.icao24.tolist() == [hex_or_minus_one(str(v)) for v in (123456, 42, 999999)] == [0x123456, -1, 0x999999]
