"""The map's static files: the page, its modules and the vendored MapLibre build are where the server looks, and a
checkout without the vendored build is told to run `make web`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import commonsky.web.static_files as static_files
from commonsky.errors import InputError


def test_the_page_and_its_assets_are_there() -> None:
    folder = static_files.static_dir()
    for name in ("index.html", "app.js", "style.css", *(f"vendor/{v}" for v in static_files.VENDOR_FILES)):
        assert (folder / name).is_file(), name
    static_files.check_vendor()


def test_missing_vendor_files_name_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "static"
    shutil.copytree(static_files.static_dir(), copy, ignore=shutil.ignore_patterns("maplibre-gl.js"))
    monkeypatch.setattr(static_files, "static_dir", lambda: copy)
    with pytest.raises(InputError, match=r"map assets missing \(maplibre-gl\.js in .*vendor\): run `make web`"):
        static_files.check_vendor()
