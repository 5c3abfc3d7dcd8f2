"""Typed errors: one line whatever the message, and catchable as the built-in error they stand for."""

from __future__ import annotations

import pytest

from commonsky.errors import (
    CommonskyError,
    GeometryError,
    InputError,
    NoSharedBorderError,
    NotFoundError,
    UnitError,
)


def test_a_message_over_several_lines_becomes_one_line() -> None:
    error = InputError("zone  'A':\n   ring not closed\t(first != last)\n")
    assert str(error) == error.message == "zone 'A': ring not closed (first != last)"
    assert "\n" not in error.message


@pytest.mark.parametrize(
    ("kind", "builtin"),
    [(InputError, ValueError), (UnitError, ValueError), (GeometryError, ValueError), (NotFoundError, LookupError)],
)
def test_each_error_is_also_the_builtin_it_stands_for(kind: type[CommonskyError], builtin: type[Exception]) -> None:
    with pytest.raises(builtin):
        raise kind("bad")


@pytest.mark.parametrize("kind", [InputError, UnitError, GeometryError, NotFoundError, NoSharedBorderError])
def test_every_user_error_is_a_commonsky_error(kind: type[Exception]) -> None:
    # the CLI turns exactly these into one line and exit 2: nothing a user can cause may escape the base class
    assert issubclass(kind, CommonskyError)
