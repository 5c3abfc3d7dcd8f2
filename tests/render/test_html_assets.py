"""The HTML map's assets: the stylesheet with every palette placeholder filled, and the script read from
html_map.js beside the module (the file ESLint checks) as the page's one inline script body."""

from __future__ import annotations

import re
from pathlib import Path

import commonsky.render.html_assets as assets
from commonsky.render.style import COUNTRY_LABEL, PROVINCE_LABEL, TEXT


def test_css_fills_the_palette() -> None:
    css = assets.css("#123456")
    assert "background:#123456" in css
    for colour in (COUNTRY_LABEL, PROVINCE_LABEL, TEXT):
        assert colour in css
    assert not re.search(r"\b(SEA|COUNTRY|PROVINCE|TEXT)\b", css)


def test_script_is_the_linted_file() -> None:
    path = Path(assets.__file__).with_name("html_map.js")
    assert assets.script() == path.read_text(encoding="utf-8")
    assert assets.script().count("(() => {") == 1 and "</script" not in assets.script().lower()
