"""The DSS's one error type: an HTTP status and a one-line message, answered as F3548's ``ErrorResponse``."""

from __future__ import annotations

from typing import Any


class DssError(Exception):
    """A request the DSS refuses. ``body`` replaces the plain ``{"message": ...}`` answer (409 key conflicts)."""

    def __init__(self, status: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.body = body

    @property
    def message(self) -> str:
        return str(self)


def bad_request(message: str) -> DssError:
    return DssError(400, message)
