"""The DSS's own tables, on the broker's metadata (migration 0003 creates exactly these).

Times are integer microseconds since the Unix epoch (UTC), so F3548 times come back as given. The box, altitude
band and time envelope columns only prefilter candidates in SQL; `geometry.Extent` decides. ``volumes`` holds the
extent as `Extent.to_json` writes it.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from commonsky.service.models import Base


def _envelope() -> list[Column[object]]:
    return [
        Column("min_lon", Float, nullable=False),
        Column("min_lat", Float, nullable=False),
        Column("max_lon", Float, nullable=False),
        Column("max_lat", Float, nullable=False),
        Column("alt_lo_m", Float, nullable=False),
        Column("alt_hi_m", Float, nullable=False),
        Column("t0_us", BigInteger, nullable=False),
        Column("t1_us", BigInteger, nullable=False),
        Column("volumes", Text, nullable=False),
    ]


OPERATIONAL_INTENTS = Table(
    "dss_operational_intents",
    Base.metadata,
    Column("id", String(36), primary_key=True),
    Column("manager", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("ovn", String(128), nullable=False),
    Column("uss_base_url", String(1024), nullable=False),
    Column("subscription_id", String(36), nullable=False),
    *_envelope(),
    Index("ix_dss_oi_box", "min_lat", "max_lat"),
    Index("ix_dss_oi_subscription", "subscription_id"),
)

CONSTRAINTS = Table(
    "dss_constraints",
    Base.metadata,
    Column("id", String(36), primary_key=True),
    Column("manager", String(255), nullable=False),
    Column("version", Integer, nullable=False),
    Column("ovn", String(128), nullable=False),
    Column("uss_base_url", String(1024), nullable=False),
    *_envelope(),
    Index("ix_dss_cr_box", "min_lat", "max_lat"),
)

SUBSCRIPTIONS = Table(
    "dss_subscriptions",
    Base.metadata,
    Column("id", String(36), primary_key=True),
    Column("manager", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("notification_index", Integer, nullable=False),
    Column("uss_base_url", String(1024), nullable=False),
    Column("notify_for_operational_intents", Boolean, nullable=False),
    Column("notify_for_constraints", Boolean, nullable=False),
    Column("implicit", Boolean, nullable=False),
    *_envelope(),
    Index("ix_dss_sub_box", "min_lat", "max_lat"),
)

# The prefilter grid: each entity is listed under the `CELL_DEG` cells its lon/lat box covers (or under -1 when
# that is more than `MAX_CELLS`), so a search reads the entities near it instead of a range of the whole table.
CELLS = Table(
    "dss_cells",
    Base.metadata,
    Column("kind", String(32), primary_key=True),
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(36), primary_key=True),
    Index("ix_dss_cells_id", "kind", "id"),
)

USS_AVAILABILITY = Table(
    "dss_uss_availability",
    Base.metadata,
    Column("uss", String(255), primary_key=True),
    Column("availability", String(16), nullable=False),
    Column("version", String(64), nullable=False),
)
