"""YAML with positions: every value's line is kept under its path (``intents[3].route.waypoints[0].alt``).

Plain ``yaml.safe_load`` loses where a value came from; errors in scenario files must name the file, the path and
the line, so this composes the node tree and builds Python values while recording ``path -> line``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from commonsky.errors import InputError


class ScenarioError(InputError):
    """A scenario file is unreadable or invalid; the message names the file, the path inside it and the field."""


def child(path: str, key: str | int) -> str:
    """``child("intents", 3) == "intents[3]"``, ``child("intents[3]", "route") == "intents[3].route"``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def load_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Parse ``path``; return the data and a map from value path to 1-based line number."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = error.problem or error.context or "bad YAML"
        raise ScenarioError(f"{path}: YAML syntax error: {problem}{line}") from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"{path}: YAML error: {error}") from None
    if node is None:
        raise ScenarioError(f"{path}: the file is empty")
    constructor = yaml.constructor.SafeConstructor()
    lines: dict[str, int] = {}

    def walk(item: yaml.Node, where: str) -> Any:
        lines.setdefault(where, item.start_mark.line + 1)
        if isinstance(item, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in item.value:
                key = constructor.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if isinstance(key, list | dict):
                    raise ScenarioError(f"{path}: {where}: a key must be a plain value (line {line})")
                if key in out:
                    raise ScenarioError(f"{path}: {child(where, str(key))}: duplicate key (line {line})")
                out[key] = walk(value_node, child(where, str(key)))
            return out
        if isinstance(item, yaml.SequenceNode):
            return [walk(value, child(where, i)) for i, value in enumerate(item.value)]
        try:
            return constructor.construct_object(item, deep=True)
        except yaml.constructor.ConstructorError as error:
            raise ScenarioError(f"{path}: {where}: {error.problem} (line {item.start_mark.line + 1})") from None

    return walk(node, ""), lines
