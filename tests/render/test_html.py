"""The self-contained HTML map: parses, loads nothing from the network, carries the layers, stays small."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from commonsky.render.html import render_html
from commonsky.render.layers import Layer

_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class _Page(HTMLParser):
    """Collects tags with their attributes, the text of <script> and <style>, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._inside: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "script":
            self.scripts.append(data)
        elif self._inside == "style":
            self.styles.append(data)
        else:
            self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _assert_offline(page: _Page) -> None:
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in ("src", "href", "xlink:href", "data", "poster", "srcset", "action") and value:
                assert not _REMOTE.match(value), f"<{tag} {name}={value!r}> loads from the network"
        assert tag not in ("link", "iframe", "img", "object", "embed"), f"<{tag}> in a self-contained map"
        assert not (tag == "script" and attrs.get("src")), "external script"
    assert not any(re.search(r"url\(|@import", css) for css in page.styles)
    code = "".join(s for s in page.scripts)
    assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(|WebSocket|EventSource", code)


def test_html_map_is_self_contained_and_carries_the_layers(tmp_path: Path, map_layers: list[Layer]) -> None:
    out = tmp_path / "zone.html"
    render_html(map_layers, out, title="Iraq within 20 mi of Iran")
    page = _parse(out)
    _assert_offline(page)
    groups = [attrs.get("data-layer") for tag, attrs in page.tags if tag == "g" and "data-layer" in attrs]
    assert groups == ["Iraq within 20 mi of Iran", "Iran–Iraq border", "Towns"]  # drawn bottom to top
    visible = " ".join(page.text)
    for label in ("Iraq within 20 mi of Iran (buffer)", "Iran–Iraq border", "Place inside the zone", "Jalawla"):
        assert label in visible
    assert "As-Sa'diyah (outside by 0.9 mi)" in visible
    circles = [attrs for tag, attrs in page.tags if tag == "circle" and attrs.get("class") == "pt"]
    assert len(circles) == 2
    data = json.loads(next(s for s in page.scripts if s.lstrip().startswith("{")))
    zone_props = data["props"][0]
    assert zone_props["t"] == "Iraq within 20 mi of Iran"
    assert ["ceiling", "FL100"] in zone_props["r"] and ["floor", "SFC"] in zone_props["r"]
    # path coordinates are short integers: no long decimals bloat the file
    paths = [attrs["d"] or "" for tag, attrs in page.tags if tag == "path"]
    assert paths and not any(re.search(r"\d\.\d", d) for d in paths)


def test_html_with_base_map_stays_small(tmp_path: Path, map_layers: list[Layer], world: Any) -> None:
    out = tmp_path / "zone.html"
    render_html(map_layers, out, title="Iraq within 20 mi of Iran", world=world)
    page = _parse(out)
    _assert_offline(page)
    groups = [attrs.get("data-layer") for tag, attrs in page.tags if tag == "g" and "data-layer" in attrs]
    assert groups[:3] == ["Countries", "Province boundary", "Country border"]
    labels = " ".join(page.text)
    assert "IRAQ" in labels and "IRAN" in labels and "Diyala" in labels
    assert out.stat().st_size < 600_000


def test_html_escapes_names(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "properties": {"name": "<script>alert(1)</script>", "note": "</script><b>"},
        "geometry": {"type": "Point", "coordinates": [45.0, 34.0]},
    }
    out = tmp_path / "x.html"
    render_html([Layer("A & B", "place", (feature,))], out, title="T <1>")
    text = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "</script><b>" not in text
    assert "A &amp; B" in text and "T &lt;1&gt;" in text


# Debian's Chromium, installed by scripts/browser.sh (make test runs it); the same browser as the live map's test.
CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
def test_html_map_pans_zooms_and_shows_tooltips(tmp_path: Path, map_layers: list[Layer]) -> None:
    """Drive the page in headless Chromium: no errors, no requests but the file, zoom rescales, hover explains."""
    if not CHROMIUM.exists():
        if os.environ.get("COMMONSKY_SKIP_BROWSER"):
            pytest.skip("COMMONSKY_SKIP_BROWSER is set and Debian chromium is missing")
        pytest.fail(f"{CHROMIUM} is missing: run scripts/browser.sh (make test does)")
    from playwright.sync_api import sync_playwright

    out = tmp_path / "zone.html"
    render_html(map_layers, out, title="Iraq within 20 mi of Iran")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        before = page.inner_text("#tkm")
        page.mouse.move(600, 400)
        page.mouse.wheel(0, -900)
        page.wait_for_timeout(200)
        after = page.inner_text("#tkm")
        assert float(after.split()[0]) < float(before.split()[0])  # zoomed in: a shorter round length
        spot = page.evaluate(
            "(() => { const c = document.querySelector('circle.pt'); const r = c.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        page.mouse.move(*spot)
        page.wait_for_timeout(100)
        assert page.is_visible("#tip") and "Jalawla" in page.inner_text("#tip")
        page.mouse.move(600, 400)
        page.mouse.down()
        page.mouse.move(700, 450, steps=5)
        page.mouse.up()
        browser.close()
    assert errors == []
    assert requests == [out.as_uri()]
