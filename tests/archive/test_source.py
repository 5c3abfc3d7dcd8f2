"""`commonsky.archive.source`: files found from a folder, a glob or a file; the footers checked and summed, and
compared with the frame the fixture wrote (row counts, time span, row groups counted by hand)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from commonsky.archive.schema import ArchiveSchema
from commonsky.archive.source import open_archive, resolve_files
from commonsky.errors import InputError

from .conftest import write_hourly


def test_folder_glob_and_file(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    folder, frame = opensky_archive
    hours = sorted({int(t) // 3600 * 3600 for t in frame["time"]})
    want = [str(folder / f"states_{h}.parquet") for h in hours]
    assert resolve_files(str(folder)) == want
    assert resolve_files(str(folder / "states_*.parquet")) == want
    assert resolve_files(want[1]) == [want[1]]


def test_nothing_found_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no parquet here")
    for where in (str(tmp_path), str(tmp_path / "*.parquet"), str(tmp_path / "missing.parquet")):
        with pytest.raises(InputError, match=r"no Parquet files found"):
            resolve_files(where)


def test_footers_give_rows_span_and_row_groups(opensky_archive: tuple[Path, pd.DataFrame]) -> None:
    folder, frame = opensky_archive
    archive = open_archive(str(folder))
    assert archive.spec.schema is ArchiveSchema.OPENSKY and archive.numeric_time
    assert archive.rows == len(frame)
    assert archive.time_span_s == (float(frame["time"].min()), float(frame["time"].max()))
    assert set(archive.columns) == {"time", "icao24", "lat", "lon", "baroaltitude", "onground"}
    per_file = frame.groupby(frame["time"] // 3600).size().tolist()  # the fixture's 20,000 rows a row group
    assert len(archive.row_groups) == sum(math.ceil(n / 20_000) for n in per_file)
    assert sum(g.rows for g in archive.row_groups) == len(frame)
    for g in archive.row_groups:  # each group's span is that of its own rows in its file
        rows = pd.read_parquet(archive.files[g.file]).iloc[g.group * 20_000 : (g.group + 1) * 20_000]
        assert (g.rows, g.first_s, g.last_s) == (len(rows), float(rows["time"].min()), float(rows["time"].max()))


def test_timestamp_time_has_no_statistics_span(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([1_700_000_000, 1_700_000_001], unit="s", utc=True),
            "icao24": ["abcdef", "abcdef"],
            "latitude": [1.0, 1.1],
            "longitude": [2.0, 2.1],
            "altitude": [1000.0, 1000.0],
            "groundspeed": [100.0, 100.0],
            "track": [0.0, 0.0],
        }
    )
    archive = open_archive(str(write_hourly(frame, tmp_path / "t", time_column="timestamp")))
    assert archive.spec.schema is ArchiveSchema.TRAFFIC and archive.rows == 2
    assert not archive.numeric_time and archive.time_span_s is None and archive.row_groups == ()


def test_mixed_schemas_and_broken_files_are_refused(tmp_path: Path) -> None:
    pd.DataFrame({c: [1.0] for c in ("time", "lat", "lon", "velocity", "heading", "baroaltitude")}).assign(
        icao24="abcdef"
    ).to_parquet(tmp_path / "a.parquet")
    pd.DataFrame({c: [1.0] for c in ("timestamp", "latitude", "longitude", "altitude", "groundspeed", "track")}).assign(
        icao24="abcdef"
    ).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(InputError, match=r"b\.parquet: schema traffic differs from opensky_state_vectors_data4"):
        open_archive(str(tmp_path))
    (tmp_path / "b.parquet").write_bytes(b"PAR1 but not really")
    with pytest.raises(InputError, match=r"b\.parquet: unreadable Parquet"):
        open_archive(str(tmp_path))
