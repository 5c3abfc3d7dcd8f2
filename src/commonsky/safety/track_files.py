"""Files of recorded reports (CSV or Parquet) read into clean `Tracks`; the file-level errors are here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commonsky.errors import InputError
from commonsky.safety.tracks import REQUIRED, Tracks, missing_columns, tracks_from_columns


def read_table(path: Path) -> Any:
    """A pyarrow Table of the file (Parquet by suffix, else CSV with ids read as text)."""
    import pyarrow as pa  # local: pyarrow is heavy
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pq.read_table(path)
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={"icao24": pa.string(), "callsign": pa.string()}, strings_can_be_null=True
            ),
        )
    except (OSError, pa.ArrowInvalid) as error:
        raise InputError(f"{path}: cannot read tracks ({' '.join(str(error).split())[:200]})") from error


def read_tracks(path: Path | str) -> Tracks:
    """Read and clean a CSV or Parquet file of reports (`commonsky.safety.tracks` says how).

    Raises `InputError` if the file itself is unusable: unreadable, a required column missing, or no usable
    row (the message names the reasons the rows were skipped)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    table = read_table(path)
    missing = missing_columns(table)
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED)})")
    tracks = tracks_from_columns(table)
    if len(tracks) == 0:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(tracks.skipped.items())) or "the file has no rows"
        raise InputError(f"{path}: no usable row in {tracks.rows_read} ({reasons})")
    return tracks
