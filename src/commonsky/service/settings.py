"""Service settings: one pydantic-settings class, read from ``COMMONSKY_*`` environment variables.

There is no default credential of any kind: the first authority is created with
``commonsky admin create-party NAME --role authority`` against the same database. Unsafe choices are refused:
listening beyond loopback needs ``allow_remote``; SQLite durability below NORMAL is not offered.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from commonsky.net import is_loopback


class ServiceSettings(BaseSettings):
    """Everything `create_app` needs. Immutable; build one per app (tests build their own)."""

    model_config = SettingsConfigDict(env_prefix="COMMONSKY_", extra="forbid", frozen=True)

    database_url: str = Field(
        "sqlite:///commonsky.db",
        description="SQLAlchemy URL: sqlite:///PATH (embedded, one process) or postgresql+psycopg://... (several)",
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    allow_remote: bool = Field(False, description="allow a non-loopback host (put TLS in front of it)")
    migrate_on_start: bool = True
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        "FULL",
        description="FULL: a commit survives power loss; NORMAL (WAL): survives a process crash (kill -9) only",
    )
    max_body_bytes: int = Field(4_000_000, ge=1_024, le=64_000_000)
    max_vertices_per_intent: int = Field(10_000, ge=4, le=100_000, description="as ASTM F3548")
    max_volumes_per_intent: int = Field(100, ge=1, le=10_000)
    rate_per_s: float = Field(50.0, gt=0, description="requests per second per party (token bucket refill)")
    rate_burst: int = Field(100, ge=1, description="token bucket size per party")
    lock_cell_deg: float = Field(
        1.0, ge=0.05, le=90.0, description="PostgreSQL: size of the advisory-lock grid cells (same on all instances)"
    )
    max_lock_cells: int = Field(64, ge=1, le=10_000, description="above this many cells a write locks the world")
    notify_queue: int = Field(1_000, ge=1, description="events kept per WebSocket subscriber before dropping it")
    probe_budget_units: float = Field(
        15_000.0, ge=0, le=1e12, description="daily probe budget of a party without a grant (docs/broker.md)"
    )
    dss_public_keys: tuple[str, ...] = Field(
        (), description="PEM files of the keys trusted to sign DSS access tokens (RS256); none: /dss/v1 is off"
    )
    dss_audiences: tuple[str, ...] = Field((), description="accepted `aud` of DSS access tokens")
    dss_neutral_url: str = Field(
        "https://commonsky.invalid/uss",
        description="uss_base_url of the references by which the DSS shows the broker's intents to a USS",
    )
    max_in_flight: int = Field(
        24, ge=2, le=1_000, description="requests in progress at once, all parties; beyond: 503 with Retry-After"
    )
    max_in_flight_per_party: int = Field(
        4, ge=1, le=1_000, description="requests in progress at once for one party; beyond: 429 with Retry-After"
    )
    db_pool_size: int = Field(
        32, ge=2, le=1_000, description="database connections per process (at least max_in_flight + 4)"
    )
    db_pool_timeout_s: float = Field(
        2.0, gt=0, le=60, description="wait for a free connection at most this long, then 503 (never 30 s)"
    )
    max_request_cost: float = Field(
        600.0,
        gt=0,
        description="bounded work per request: a body whose estimated judging cost (`service.cost`, about ms of "
        "one core) is higher is refused with 413 before it is judged",
    )

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception as error:
            raise ValueError(f"database_url is not a SQLAlchemy URL ({type(error).__name__})") from None
        backend = url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"database_url: unsupported backend {backend!r} (use sqlite or postgresql)")
        if backend == "sqlite" and url.database in (None, "", ":memory:"):
            raise ValueError("database_url: an in-memory SQLite database would lose every write; give a file path")
        return value

    @model_validator(mode="after")
    def _loopback_unless_allowed(self) -> ServiceSettings:
        if not self.allow_remote and not is_loopback(self.host):
            raise ValueError(f"host {self.host!r} is not loopback: set allow_remote (and put TLS in front)")
        return self

    heavy_request_cost: float = Field(
        50.0, gt=0, description="a request estimated to cost more than this (`service.cost`) is heavy"
    )
    max_heavy_per_party: int = Field(1, ge=1, le=1_000, description="heavy requests of one party at once (429)")
    max_heavy: int = Field(2, ge=2, le=1_000, description="heavy requests of everyone at once (503): about the cores")

    @model_validator(mode="after")
    def _dss_audience_with_keys(self) -> ServiceSettings:
        if self.dss_public_keys and not self.dss_audiences:
            raise ValueError("dss_public_keys given without dss_audiences: name the audiences tokens must carry")
        return self

    @model_validator(mode="after")
    def _one_party_cannot_take_all(self) -> ServiceSettings:
        if self.max_heavy_per_party >= self.max_heavy:
            raise ValueError("max_heavy_per_party must be below max_heavy: one party may not take it all")
        if self.max_in_flight_per_party >= self.max_in_flight:
            raise ValueError("max_in_flight_per_party must be below max_in_flight: one party may not take it all")
        if self.db_pool_size < self.max_in_flight + 4:
            raise ValueError("db_pool_size must be at least max_in_flight + 4 (requests must never wait for a pool)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def safe_database_url(self) -> str:
        """The database URL with any password masked: the only form that may be logged."""
        return make_url(self.database_url).render_as_string(hide_password=True)
