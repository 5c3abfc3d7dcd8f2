"""`load_yaml`: values with the line each came from, and one-line errors naming the file, the path and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsky.sim.scenario_yaml import ScenarioError, child, load_yaml

TEXT = """\
name: demo
intents:
  - id: first
    route:
      waypoints:
        - {lat: 33.7, lon: 44.6, alt: FL100}
  - id: second
    route:
      waypoints:
        - [33.8, 44.7]
        - lat: 33.9
          lon: 44.8
          alt: 3000ft
"""


def _line(marker: str, nth: int = 0) -> int:
    """1-based line of the ``nth`` line containing ``marker`` (found here by reading the text)."""
    return [n for n, line in enumerate(TEXT.splitlines(), start=1) if marker in line][nth]


def test_every_value_keeps_its_line(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TEXT)
    data, lines = load_yaml(path)
    assert data["intents"][1]["route"]["waypoints"][1]["alt"] == "3000ft"
    assert lines["name"] == _line("name:")
    assert lines["intents[0].id"] == _line("id: first")
    assert lines["intents[0].route.waypoints[0].alt"] == _line("FL100")
    assert lines["intents[1]"] == _line("id: second")
    assert lines["intents[1].route.waypoints[0]"] == lines["intents[1].route.waypoints[0][1]"] == _line("[33.8")
    assert lines["intents[1].route.waypoints[1].lon"] == _line("lon: 44.8")
    assert lines["intents[1].route.waypoints[1].alt"] == _line("alt: 3000ft")


def test_child_paths() -> None:
    assert child("", "intents") == "intents"
    assert child("intents", 3) == "intents[3]"
    assert child("intents[3]", "route") == "intents[3].route"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb:\n  c: 2\n  c: 3\n", r"b\.c: duplicate key \(line 4\)"),
        ("a: [1, 2\nb: 3\n", r"YAML syntax error: .*\(line \d+, column \d+\)"),
        ("", "the file is empty"),
        ("? [1, 2]\n: x\n", r": a key must be a plain value \(line 1\)"),
        ("a: !!python/object:os.system x\n", r"a: could not determine a constructor .* \(line 1\)"),
    ],
)
def test_bad_yaml_is_one_line_naming_the_place(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message) as error:
        load_yaml(path)
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_yaml(tmp_path / "none.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: Ba'qûbah\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_yaml(latin)
