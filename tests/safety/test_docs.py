"""The runnable examples in the safety docstrings stay true."""

from __future__ import annotations

import doctest

import pytest

import commonsky.safety.conflicts as conflicts
import commonsky.safety.losses as losses


@pytest.mark.parametrize("module", [conflicts, losses])
def test_docstring_examples(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0
