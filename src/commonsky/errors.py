"""Typed errors. Every error a user can cause derives from `CommonskyError` and carries a one-line message.

The CLI prints ``commonsky: error: <message>`` and exits 2; the API answers 4xx with the same message.
"""

from __future__ import annotations


class CommonskyError(Exception):
    """Base of every error caused by input the user can fix. The message is one line and names the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)


class InputError(CommonskyError, ValueError):
    """A value given by the user (a distance, an altitude, a date, a file) cannot be used."""


class UnitError(InputError):
    """A quantity with a missing, unknown or inappropriate unit, or an unparseable number."""


class NotFoundError(CommonskyError, LookupError):
    """A named thing (country, province, place, zone) does not exist; the message suggests close names."""


class GeometryError(InputError):
    """A geometry is malformed, invalid (self-intersecting, unclosed ring) or of the wrong type."""


class NoSharedBorderError(CommonskyError):
    """Two countries share no land border."""
