"""The examples in the docstrings of the volume, route and engine modules run and say what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["commonsky.airspace.volume", "commonsky.plans.route", "commonsky.strategic.engine"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
