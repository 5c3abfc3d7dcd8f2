"""The commands' shared output: JSON with no NaN, lengths in the units the field reads (international mile and
nautical mile written here), positions with hemispheres spelled out."""

from __future__ import annotations

import json

import pytest

from commonsky.cli._output import km_mi, km_mi_text, latlon_text, print_json, signed_edge_text


def test_lengths() -> None:
    assert km_mi(32_186.88) == {"m": 32186.9, "km": 32.187, "mi": 20.0, "nm": round(32_186.88 / 1852.0, 3)}
    assert km_mi_text(1609.344) == "1.6 km (1.0 mi)"
    assert signed_edge_text(4023.36) == "inside by 4.0 km (2.5 mi)"
    assert signed_edge_text(-1448.41) == "outside by 1.4 km (0.9 mi)"


def test_positions() -> None:
    assert latlon_text(34.271944, 45.168056) == "34.27194 N, 45.16806 E"
    assert latlon_text(-33.9, -151.2) == "33.90000 S, 151.20000 W"


def test_json_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"name": "Khānaqīn", "d": 1.5})
    out = capsys.readouterr().out
    assert json.loads(out) == {"name": "Khānaqīn", "d": 1.5} and "Khānaqīn" in out and out.endswith("}\n")
    with pytest.raises(ValueError):
        print_json({"d": float("nan")})
