"""The runnable examples in the safety docstrings stay true."""

from __future__ import annotations

import doctest

import commonsky.safety.conflicts as conflicts


def test_conflicts_docstring_example() -> None:
    result = doctest.testmod(conflicts)
    assert result.attempted > 0 and result.failed == 0
