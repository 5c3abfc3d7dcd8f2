"""The DSS's one error type: an HTTP status and a one-line message, answered as F3548's ``ErrorResponse``."""

from __future__ import annotations

from typing import Any


class DssError(Exception):
    """A request the DSS refuses. ``body`` replaces the plain ``{"message": ...}`` answer (409 key conflicts);
    ``headers`` are added to the answer (429 ``Retry-After``)."""

    def __init__(
        self, status: int, message: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.body = body
        self.headers = headers or {}

    @property
    def message(self) -> str:
        return str(self)


def bad_request(message: str) -> DssError:
    return DssError(400, message)
