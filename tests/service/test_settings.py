"""Service settings refuse unsafe choices with a message that names the fix: a non-loopback host without opt-in,
a database that would lose writes or that the service cannot speak, limits that let one party take everything;
environment variables are read with the COMMONSKY_ prefix; a password never reaches a log line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from commonsky.service.settings import ServiceSettings


def _settings(tmp_path: Path, **values: object) -> ServiceSettings:
    return ServiceSettings(**{"database_url": f"sqlite:///{tmp_path / 'db.sqlite'}", **values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"host": "0.0.0.0"}, "host '0.0.0.0' is not loopback: set allow_remote"),
        ({"database_url": "sqlite://"}, "in-memory SQLite database would lose every write"),
        ({"database_url": "mysql://u@h/db"}, "unsupported backend 'mysql'"),
        ({"database_url": "not a url"}, "database_url is not a SQLAlchemy URL"),
        ({"sqlite_synchronous": "OFF"}, "sqlite_synchronous"),
        ({"dss_public_keys": ("k.pem",)}, "dss_public_keys given without dss_audiences"),
        ({"max_heavy": 2, "max_heavy_per_party": 2}, "max_heavy_per_party must be below max_heavy"),
        ({"max_in_flight": 8, "max_in_flight_per_party": 8}, "max_in_flight_per_party must be below max_in_flight"),
        ({"max_in_flight": 40, "db_pool_size": 43}, r"db_pool_size must be at least max_in_flight \+ 4"),
        ({"port": 0}, "port"),
        ({"unknown_option": 1}, "unknown_option"),
    ],
)
def test_unsafe_choices_are_refused(tmp_path: Path, values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _settings(tmp_path, **values)


def test_safe_choices_and_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = _settings(tmp_path, host="0.0.0.0", allow_remote=True)
    assert remote.is_sqlite and remote.host == "0.0.0.0"
    monkeypatch.setenv("COMMONSKY_DATABASE_URL", "postgresql+psycopg://ops:s3cret@db.example:5432/sky")
    monkeypatch.setenv("COMMONSKY_PORT", "8123")
    from_env = ServiceSettings()
    assert (from_env.port, from_env.is_sqlite) == (8123, False)
    assert "s3cret" not in from_env.safe_database_url() and "ops:***@db.example" in from_env.safe_database_url()
    with pytest.raises(ValidationError):
        from_env.port = 1  # type: ignore[misc]  # frozen
