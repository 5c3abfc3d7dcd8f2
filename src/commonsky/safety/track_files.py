"""Files of recorded reports (CSV, Parquet or JSON records) read into clean `RecordedTracks`; file-level errors here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np

from commonsky.errors import InputError
from commonsky.safety.tracks import REQUIRED, RecordedTracks, missing_columns, tracks_from_columns


def _records_of_columns(columns: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The records of a JSON object of columns, each ``{row label: value}`` (pandas' default ``to_json``, as some
    of the ``traffic`` package's samples are written), in the order of their labels (numeric labels numerically);
    None if it is not such an object."""
    if not columns or not all(isinstance(v, dict) for v in columns.values()):
        return None
    labels = {label for v in columns.values() for label in v}
    order = sorted(labels, key=lambda s: (0, int(s), "") if s.lstrip("-").isdigit() else (1, 0, s))
    return [{k: v[label] for k, v in columns.items() if label in v} for label in order]


def read_json_records(path: Path) -> dict[str, np.ndarray]:
    """Columns of a JSON list of records (``.json`` or ``.json.gz``), as the ``traffic`` package ships its samples,
    or of a JSON object of columns (pandas' default ``to_json``, as some of those samples are written); timestamps
    in milliseconds since the epoch, as pandas writes them, are turned into seconds."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            records = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read tracks ({' '.join(str(error).split())[:200]})") from error
    if isinstance(records, dict):
        records = _records_of_columns(records)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{path}: cannot read tracks (expected a JSON list of records, or an object of columns)")
    names = sorted({k for r in records for k in r})
    columns = {name: np.array([r.get(name) for r in records], dtype=object) for name in names}
    if "timestamp" in columns:
        stamps = np.array([v if isinstance(v, (int, float)) else np.nan for v in columns["timestamp"]], dtype=float)
        if np.nanmedian(stamps) > 1e11:  # milliseconds
            columns["timestamp"] = stamps / 1000.0
    return columns


def read_table(path: Path) -> Any:
    """The columns of the file: Parquet by suffix, JSON records (``.json``, ``.json.gz``), else CSV with ids
    read as text."""
    if path.name.lower().endswith((".json", ".json.gz")):
        return read_json_records(path)
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


def read_tracks(path: Path | str) -> RecordedTracks:
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
