"""The inline CSS and script of the HTML map (no external resources). Colours come from `style` via `css()`; the
script is `html_map.js` beside this module (a plain file, so ESLint checks it: ``make lint-js``)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from commonsky.render.style import COUNTRY_LABEL, PROVINCE_LABEL, TEXT


def css(sea: str) -> str:
    """The page's stylesheet with the palette filled in; ``sea`` is the map background."""
    return (
        _CSS.replace("SEA", sea)
        .replace("COUNTRY", COUNTRY_LABEL)
        .replace("PROVINCE", PROVINCE_LABEL)
        .replace("TEXT", TEXT)
    )


@cache
def script() -> str:
    """The page's script: pan, zoom, label decluttering, scale bar and tooltips (read once, on first use)."""
    return files("commonsky.render").joinpath("html_map.js").read_text(encoding="utf-8")


_CSS = """
*{box-sizing:border-box}html,body{margin:0;height:100%;font:14px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;
color:TEXT}header{display:flex;align-items:baseline;gap:1em;padding:.45em .9em;border-bottom:1px solid #ced4da}
h1{font-size:1.2em;margin:0}.hint{color:#6c757d;font-size:.85em}
#wrap{position:relative;height:calc(100% - 2.6em);overflow:hidden}
#map{display:block;width:100%;height:100%;background:SEA;cursor:grab;touch-action:none;user-select:none}
#map.drag{cursor:grabbing}#layers path,#layers circle{stroke-linejoin:round;stroke-linecap:round}
#labels text{paint-order:stroke;stroke:#fff;stroke-linejoin:round;pointer-events:none}
#labels .ln{fill:TEXT}#labels .lo{fill:#495057}#labels .lc{fill:COUNTRY;font-weight:700;text-anchor:middle;
dominant-baseline:middle;letter-spacing:.06em}#labels .lp{fill:PROVINCE;font-style:italic;text-anchor:middle;
dominant-baseline:middle}#labels .hide{display:none}#labels line{stroke:#868e96}
#legend{position:absolute;top:.7em;right:.7em;max-width:19em;background:rgba(255,255,255,.9);border:1px solid #ced4da;
border-radius:4px;padding:.4em .7em;font-size:.85em}#legend h2{font-size:1em;margin:.1em 0 .3em}
#legend .row{display:flex;align-items:center;gap:.5em;margin:.2em 0}#legend svg{flex:none}
#scale{position:absolute;left:.8em;bottom:1.8em;background:rgba(255,255,255,.85);border:1px solid #ced4da;
border-radius:4px;padding:.35em .6em;font-size:.8em}#scale div{display:flex;align-items:center;gap:.5em;height:1.3em}
#scale i{display:block;height:5px;border:1.5px solid TEXT;border-top:none}#scale b{font-weight:400}
#north{position:absolute;left:.9em;top:.7em;text-align:center;font-weight:700;line-height:1;font-size:1.1em;
text-shadow:0 0 3px #fff}
#tip{position:absolute;z-index:2;max-width:24em;background:#fff;border:1px solid #868e96;border-radius:4px;
padding:.35em .55em;font-size:.82em;box-shadow:0 2px 6px rgba(0,0,0,.2);pointer-events:none}
#tip.pinned{pointer-events:auto;border-color:TEXT}#tip h3{margin:0 0 .25em;font-size:1.05em}#tip .layer{color:#6c757d}
#tip table{border-collapse:collapse}#tip td{padding:.05em .6em .05em 0;vertical-align:top}
#tip td:first-child{color:#6c757d}
footer{position:absolute;right:.5em;bottom:.3em;font-size:.72em;color:#6c757d;background:rgba(255,255,255,.7);
padding:0 .3em}
"""
