"""Errors of the service layer, each mapped to one HTTP status by `service.app`."""

from __future__ import annotations

from typing import Any

from commonsky.errors import CommonskyError, InputError


class TooLargeError(InputError):
    """Over a size limit (body bytes, vertices, volumes): 413."""


class ForbiddenError(CommonskyError):
    """The caller's role may not do this: 403."""


class StaleVersionError(CommonskyError):
    """A write named a version that is no longer current: 409 with what the caller may now see."""

    def __init__(
        self, message: str, current_version: str | None, changed: list[str], current: dict[str, Any] | None
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed = changed
        self.current = current


class RetryError(Exception):
    """Internal: a decision raced with another writer and must be taken again (never reaches a client)."""


class AreaChangedError(CommonskyError):
    """A write's area key (`service.area_key`) did not name everything now in its way: 409 with what is missing."""

    def __init__(self, message: str, missing: list[dict[str, Any]], stale: list[str], key: list[str]) -> None:
        super().__init__(message)
        self.missing = missing
        self.stale = stale
        self.key = key
