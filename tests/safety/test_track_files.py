"""Files of recorded reports (CSV, Parquet, JSON records) read into `RecordedTracks`; file-level errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from commonsky.errors import InputError
from commonsky.safety.track_files import read_tracks


def test_parquet_gives_the_same_result(replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path) -> None:
    tracks_path, _, _ = replay_files
    import pyarrow as pa
    import pyarrow.compute as pc

    table = pacsv.read_csv(tracks_path)
    stamps = pc.cast(pc.multiply(table.column("timestamp"), 1_000_000), pa.timestamp("us", tz="UTC"))
    table = table.set_column(0, "timestamp", stamps)  # as `traffic` writes it: datetime64 with time zone
    parquet = tmp_path / "tracks.parquet"
    pq.write_table(table, parquet)
    a, b = read_tracks(tracks_path), read_tracks(parquet)
    assert len(a) == len(b) and a.skipped == b.skipped
    assert (a.time_s == b.time_s).all() and (a.icao24 == b.icao24).all()


def test_iso_timestamps_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "iso.csv"
    path.write_text(
        "timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n"
        "2025-01-01T00:00:05Z,abc,50,10,30000,400,90,\n"
        "2025-01-01T00:00:00Z,abc,50,9.99,30000,400,90,0\n"
        "not a time,abc,50,9.99,30000,400,90,0\n"
    )
    tracks = read_tracks(path)
    assert len(tracks) == 2 and tracks.skipped == {"missing_position": 1} and tracks.reordered == 1
    assert tracks.time_s[0] == pytest.approx(1735689600.0)
    with pytest.raises(InputError, match="no such file"):
        read_tracks(tmp_path / "none.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("time,icao24\n1,abc\n")
    with pytest.raises(InputError, match="missing column"):
        read_tracks(bad)


def test_a_file_without_a_usable_row_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"{k},abc,north,10,30000,400,90,0\n" for k in range(49))
    path.write_text("timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n" + rows)
    with pytest.raises(InputError, match=r"no usable row in 49 \(missing_position 49\)"):
        read_tracks(path)


def test_json_records_in_milliseconds_read_like_the_csv(tmp_path: Path) -> None:
    """``traffic``'s samples: a JSON list of records, timestamps in ms, plain or gzipped; the same rows as a CSV
    of the same reports in seconds."""
    rows = [
        (1_700_000_000 + 5 * k, "abc", 47.0, 8.0 + 0.01 * k, 30000.0 + 10 * k, 400.0, 90.0, 120.0) for k in range(12)
    ]
    names = ("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track", "vertical_rate")
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(",".join(names) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    records = [dict(zip(names, (r[0] * 1000, *r[1:]), strict=True)) for r in rows]
    plain, zipped = tmp_path / "t.json", tmp_path / "t.json.gz"
    plain.write_text(json.dumps(records))
    with gzip.open(zipped, "wt", encoding="utf-8") as handle:
        json.dump(records, handle)
    a = read_tracks(csv_path)
    for other in (read_tracks(plain), read_tracks(zipped)):
        assert len(other) == len(a) == len(rows)
        for name in ("time_s", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms"):
            assert getattr(other, name) == pytest.approx(getattr(a, name))
    assert a.time_s[0] == rows[0][0]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("list.json", '{"timestamp": 1}', "expected a JSON list of records"),
        ("broken.json", "[{", "cannot read tracks"),
        ("broken.parquet", "not parquet", "cannot read tracks"),
    ],
)
def test_unreadable_files_are_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        read_tracks(path)
    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


def test_json_columns_as_pandas_writes_them_read_like_records(tmp_path: Path) -> None:
    """pandas' default ``to_json`` (an object of columns, each ``{row label: value}``), as five of the ``traffic``
    package's samples are written: the same tracks as the list of records, rows in label order (10 after 9)."""
    names = ("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track", "vertical_rate")
    rows = [
        (1_700_000_000_000 + 5000 * k, "abc", 47.0, 8.0 + 0.01 * k, 30000.0 + 10 * k, 400.0, 90.0, 120.0)
        for k in range(12)
    ]
    records, columns = tmp_path / "records.json", tmp_path / "columns.json.gz"
    records.write_text(json.dumps([dict(zip(names, r, strict=True)) for r in rows]))
    labels = [str(k) for k in range(12)]
    by_column = {
        name: {labels[k]: rows[k][c] for k in (11, 3, 10, 0, 9, 1, 2, 4, 5, 6, 7, 8)} for c, name in enumerate(names)
    }
    by_column["altitude"].pop("4")  # a missing cell: that row has no altitude
    with gzip.open(columns, "wt", encoding="utf-8") as handle:
        json.dump(by_column, handle)
    a, b = read_tracks(records), read_tracks(columns)
    assert len(b) == len(a) - 1 and b.skipped == {"missing_altitude": 1}
    keep = a.time_s != rows[4][0] / 1000.0
    for name in ("time_s", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms"):
        assert getattr(b, name) == pytest.approx(getattr(a, name)[keep])
