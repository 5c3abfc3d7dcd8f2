"""Reading a time range of an archive's row groups straight into report arrays with pyarrow: only the needed
columns, rows outside the range dropped in Arrow, addresses parsed once per distinct text (no pandas object
columns). Gives exactly what `commonsky.archive.schema.normalise` gives for the same rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from commonsky.archive.block import Rows
from commonsky.archive.schema import SchemaSpec, address_values

if TYPE_CHECKING:
    import pyarrow as pa

RowGroups = tuple[tuple[str, tuple[int, ...], bool], ...]
"""(file, row groups of that file, whether all their rows are in the time range) to read."""


def read_rows(groups: RowGroups, spec: SchemaSpec, columns: tuple[str, ...], range_s: tuple[float, float]) -> Rows:
    """Reports of ``groups`` whose (numeric) time is in ``range_s`` (from inclusive, to exclusive), in SI.
    Text addresses are read as Parquet's dictionary (no string per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    tables = []
    for path, which, whole in groups:
        text = pa.types.is_string(pq.read_schema(path).field("icao24").type)
        file = pq.ParquetFile(path, read_dictionary=["icao24"] if text else None)
        try:
            table = file.read_row_groups(list(which), columns=list(columns))
        finally:
            file.close()
        if not whole:
            t = pc.cast(table.column(spec.time), pa.float64())
            inside = pc.and_(pc.greater_equal(t, range_s[0]), pc.less(t, range_s[1]))
            table = table.filter(pc.fill_null(inside, False))
        tables.append(table)
    table = pa.concat_tables(tables) if tables else pa.table({c: pa.array([], pa.float64()) for c in columns})
    return _rows(table, spec)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.fill_null(pc.cast(column, pa.float64()), float("nan"))
    return np.asarray(values.to_numpy(), dtype=np.float64)


def _addresses(table: pa.Table) -> np.ndarray:
    """The addresses of the ``icao24`` column: each distinct text parsed once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = table.column("icao24")
    if pa.types.is_dictionary(ids.type):
        ids = table.unify_dictionaries().column("icao24")  # one dictionary for every chunk
        if ids.num_chunks:
            lookup = address_values(ids.chunk(0).dictionary.to_pylist())
            index = [pc.fill_null(c.indices, -1).to_numpy() for c in ids.chunks]
            return np.asarray(lookup[np.concatenate(index)], dtype=np.int64)
        return np.zeros(0, dtype=np.int64)
    if not pa.types.is_string(ids.type) and not pa.types.is_large_string(ids.type):
        ids = pc.cast(ids, pa.string())
    distinct = pc.unique(ids)
    index = pc.fill_null(pc.index_in(ids, value_set=distinct), -1).to_numpy()
    lookup = address_values(distinct.to_pylist())  # a null text or a missing index (-1) reads -1
    return np.asarray(lookup[index], dtype=np.int64)


def _rows(table: pa.Table, spec: SchemaSpec) -> Rows:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    out = {"time_s": _floats(table.column(spec.time)), "icao24": _addresses(table)}
    for name in ("lat", "lon", "alt_m"):
        source, factor = spec.columns[name]
        values_si = _floats(table.column(source))
        out[name] = values_si * factor if factor != 1.0 else values_si
    if "onground" in table.column_names:
        ground = pc.fill_null(pc.cast(table.column("onground"), pa.bool_()), False)
        on_ground = np.asarray(ground.to_numpy(zero_copy_only=False), dtype=bool)
    else:
        on_ground = np.zeros(n, dtype=bool)
    return Rows(out["time_s"], out["icao24"], out["lat"], out["lon"], out["alt_m"], on_ground)
