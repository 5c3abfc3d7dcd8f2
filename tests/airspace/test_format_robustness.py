"""Every damaged file is either read or refused with one line: each field of the sample ED files deleted or given a
wrong value, each line of the OpenAir sample dropped or garbled. Nothing may escape as another exception (a
traceback instead of ``commonsky: error: ...``) or hang."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from commonsky.airspace.formats.ed269 import read_ed269
from commonsky.airspace.formats.ed318 import read_ed318
from commonsky.airspace.formats.openair import read_openair
from commonsky.errors import CommonskyError

DATA = Path(__file__).parent / "data"
_DELETE = object()
WRONG: tuple[Any, ...] = (_DELETE, None, "x", 1e308)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            yield from _paths(value, (*prefix, index))


def _damaged(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


def _read_or_refuse(read: Any, *args: Any) -> None:
    try:
        read(*args)
    except CommonskyError as error:
        assert "\n" not in str(error)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("read", "name"),
    [(read_ed269, "ed269_sample.json"), (read_ed269, "ed269_uaszonelist.json"), (read_ed318, "ed318_sample.json")],
)
def test_damaged_ed_files(read: Any, name: str) -> None:
    doc = json.loads((DATA / name).read_text())
    for path in _paths(doc):
        for value in WRONG:
            _read_or_refuse(read, _damaged(doc, path, value), name)


@pytest.mark.slow
def test_damaged_openair_file() -> None:
    lines = (DATA / "openair_sample.txt").read_text().splitlines()
    for i, line in enumerate(lines):
        if not line.strip() or line.startswith("*"):
            continue
        head = line.split(" ", 1)[0]
        for new in ([], [f"{head} x"], [f"{head} "], [f"{head} 1e308"], [f"{head} -5,0,90"], [f"{head} 0"]):
            _read_or_refuse(read_openair, "\n".join(lines[:i] + new + lines[i + 1 :]).encode(), "sample.txt")
