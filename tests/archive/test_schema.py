"""`commonsky.archive.schema`: the schema told from the columns, and normalised columns compared with values
converted by hand here (feet and hex text read with plain Python, times with `datetime`)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from commonsky.archive.schema import (
    REPORT_COLUMNS,
    SPECS,
    ArchiveSchema,
    addresses,
    detect_schema,
    hex_ids,
    normalise,
    source_columns,
)
from commonsky.errors import InputError

OPENSKY = ["time", "icao24", "lat", "lon", "velocity", "heading", "vertrate", "callsign", "onground", "baroaltitude"]
TRAFFIC = ["timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track"]


def test_detects_each_schema_from_its_columns() -> None:
    assert detect_schema(OPENSKY, "f").schema is ArchiveSchema.OPENSKY
    assert detect_schema([*TRAFFIC, "callsign"], "f").schema is ArchiveSchema.TRAFFIC


def test_unknown_schema_names_the_file_and_the_missing_columns() -> None:
    with pytest.raises(InputError) as error:
        detect_schema(["time", "icao24", "lat", "lon"], "x.parquet")
    text = str(error.value)
    assert "\n" not in text and text.startswith("x.parquet: unknown schema")
    assert "closest is opensky_state_vectors_data4" in text
    assert text.endswith("missing velocity, heading, baroaltitude")


def test_source_columns_read_onground_only_when_present() -> None:
    spec = SPECS[ArchiveSchema.TRAFFIC]
    assert source_columns(spec, TRAFFIC) == ["timestamp", "icao24", "latitude", "longitude", "altitude"]
    assert source_columns(SPECS[ArchiveSchema.OPENSKY], OPENSKY)[-1] == "onground"


def test_traffic_columns_in_si() -> None:
    times = ["2024-03-01T10:00:00Z", "2024-03-01T10:00:01.5Z", "not a time"]
    frame = pd.DataFrame(
        {
            "timestamp": times,
            "icao24": ["3C6444", " 3c6445", "zz"],
            "latitude": [50.0, "50.5", None],
            "longitude": [8.0, 8.5, 9.0],
            "altitude": [35000.0, 1000.0, 0.0],
        }
    )
    got = normalise(frame, SPECS[ArchiveSchema.TRAFFIC])
    assert list(got.columns) == list(REPORT_COLUMNS)
    want_t = [
        datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC).timestamp(),
        datetime(2024, 3, 1, 10, 0, 1, 500000, tzinfo=UTC).timestamp(),
    ]
    np.testing.assert_array_equal(got["time_s"].to_numpy()[:2], want_t)
    assert np.isnan(got["time_s"].iloc[2])
    assert got["icao24"].tolist() == [0x3C6444, 0x3C6445, -1]  # padded text read; 'zz' is not an address
    np.testing.assert_array_equal(got["lat"].to_numpy()[:2], [50.0, 50.5])
    assert np.isnan(got["lat"].iloc[2])
    np.testing.assert_allclose(got["alt_m"], [35000 * 0.3048, 1000 * 0.3048, 0.0], rtol=1e-15)
    assert not got["on_ground"].any()  # no onground column


def test_opensky_columns_keep_si_and_fill_missing_onground() -> None:
    frame = pd.DataFrame(
        {
            "time": [1_700_000_000, 1_700_000_001],
            "icao24": ["abcdef", None],
            "lat": [1.0, 2.0],
            "lon": [3.0, 4.0],
            "baroaltitude": [100.0, 200.0],
            "onground": pd.array([True, None], dtype="boolean"),
        }
    )
    got = normalise(frame, SPECS[ArchiveSchema.OPENSKY])
    assert got["time_s"].tolist() == [1_700_000_000.0, 1_700_000_001.0]
    assert got["icao24"].tolist() == [0xABCDEF, -1]
    assert got["alt_m"].tolist() == [100.0, 200.0]
    assert got["on_ground"].tolist() == [True, False]


def test_addresses_match_plain_hex_parsing() -> None:
    rng = np.random.default_rng(3)
    texts: list[object] = [f"{int(v):06x}" for v in rng.integers(0, 1 << 24, 200)]
    texts += ["ABC123", "12345", "1234567", "g00000", "", None, "00000a"]
    rng.shuffle(texts)

    def plain(value: object) -> int:
        if not isinstance(value, str) or len(value) != 6 or any(c not in "0123456789abcdefABCDEF" for c in value):
            return -1
        return int(value, 16)

    assert addresses(pd.Series(texts, dtype=object)).tolist() == [plain(v) for v in texts]


def test_hex_ids_are_six_lowercase_digits() -> None:
    values = np.array([0, 0xABC, 0xFFFFFF, 0x3C6444])
    assert hex_ids(values).tolist() == ["000000", "000abc", "ffffff", "3c6444"]
    assert addresses(pd.Series(hex_ids(values))).tolist() == values.tolist()
