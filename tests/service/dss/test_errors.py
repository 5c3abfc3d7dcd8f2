"""The DSS's one error type (`service.dss.errors`): whatever message it is given, it answers one line."""

from __future__ import annotations

from commonsky.service.dss.errors import DssError, bad_request


def test_a_dss_error_is_one_line_with_its_status() -> None:
    error = DssError(409, "operational intent:\n  'abc'   is not\tits current version", headers={"Retry-After": "3"})
    assert error.message == "operational intent: 'abc' is not its current version"
    assert (error.status, error.body, error.headers) == (409, None, {"Retry-After": "3"})
    refused = bad_request("extents\nmust be a list")
    assert (refused.status, refused.message, refused.headers) == (400, "extents must be a list", {})
