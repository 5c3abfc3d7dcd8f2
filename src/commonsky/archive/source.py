"""An archive on disk: a folder, a glob or one Parquet file, checked (footers only) before any work starts."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from commonsky.archive.schema import SchemaSpec, detect_schema, source_columns
from commonsky.errors import InputError


@dataclass(frozen=True)
class Archive:
    """Parquet files of one schema: their paths, the schema, the columns to read and the total row count
    (from the footers)."""

    files: tuple[str, ...]
    spec: SchemaSpec
    columns: tuple[str, ...]
    rows: int
    numeric_time: bool
    time_span_s: tuple[float, float] | None = None  # from row-group statistics, when every file has them
    row_groups: tuple[RowGroup, ...] = ()  # every row group with its time span; empty without statistics


@dataclass(frozen=True)
class RowGroup:
    """One Parquet row group: its file (index into `Archive.files`), its index in the file, rows, and earliest and
    latest time (UNIX s, from its statistics)."""

    file: int
    group: int
    rows: int
    first_s: float
    last_s: float


def resolve_files(archive: str) -> list[str]:
    """Parquet files of ``archive``: a folder (searched recursively), a glob, or one file. Sorted."""
    path = Path(archive)
    if path.is_dir():
        files = sorted(str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".parquet", ".pq"))
    elif path.is_file():
        files = [str(path)]
    else:
        files = sorted(p for p in glob.glob(archive, recursive=True) if Path(p).is_file())
    if not files:
        raise InputError(f"{archive}: no Parquet files found (give a folder, a glob or a file)")
    return files


def open_archive(archive: str) -> Archive:
    """Resolve and check every file's footer: readable Parquet, one known schema. Reads no rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = resolve_files(archive)
    spec: SchemaSpec | None = None
    columns: list[str] = []
    rows = 0
    numeric_time = True
    for name in files:
        try:
            meta = pq.read_metadata(name)
        except (OSError, pa.ArrowException) as error:
            raise InputError(f"{name}: unreadable Parquet ({' '.join(str(error).split())[:160]})") from error
        schema = meta.schema.to_arrow_schema()
        found = detect_schema(schema.names, name)
        if spec is None:
            spec, columns = found, source_columns(found, schema.names)
            kind = schema.field(found.time).type
            numeric_time = pa.types.is_integer(kind) or pa.types.is_floating(kind)
        elif found.schema is not spec.schema:
            raise InputError(f"{name}: schema {found.schema.value} differs from {spec.schema.value} of {files[0]}")
        else:
            columns = [c for c in columns if c in schema.names]
        rows += meta.num_rows
    assert spec is not None
    groups = _row_groups(files, spec.time) if numeric_time else ()
    span = (min(g.first_s for g in groups), max(g.last_s for g in groups)) if groups else None
    return Archive(tuple(files), spec, tuple(columns), rows, numeric_time, span, groups)


def _row_groups(files: list[str], column: str) -> tuple[RowGroup, ...]:
    """Every row group with its time span from its statistics; empty if any non-empty row group has none."""
    import pyarrow.parquet as pq

    out = []
    for k, name in enumerate(files):
        meta = pq.read_metadata(name)
        index = meta.schema.to_arrow_schema().get_field_index(column)
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            if group.num_rows == 0:
                continue
            stats = group.column(index).statistics
            if stats is None or not stats.has_min_max:
                return ()
            out.append(RowGroup(k, g, group.num_rows, float(stats.min), float(stats.max)))
    return tuple(out)
