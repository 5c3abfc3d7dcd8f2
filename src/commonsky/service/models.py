"""SQLAlchemy 2 tables of the broker. Migrations in `service/migrations` create exactly these (a test compares).

Times are float Unix seconds (UTC); open time limits are ``-inf``/``+inf`` and unlimited ceilings ``+inf``,
which both SQLite REAL and PostgreSQL double precision store. Bounds columns (lon/lat box, altitude band in metres,
time envelope) exist only to prefilter candidates in SQL; the exact test is the strategic engine's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class BoundsMixin:
    """Lon/lat box (degrees), altitude band (m, on the engine's common scale) and time envelope (s)."""

    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    alt_lo_m: Mapped[float] = mapped_column(Float)
    alt_hi_m: Mapped[float] = mapped_column(Float)
    t0_s: Mapped[float] = mapped_column(Float)
    t1_s: Mapped[float] = mapped_column(Float)


class PartyRow(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_s: Mapped[float] = mapped_column(Float)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ApiKeyRow(Base):
    """An API key: the public ``key_id`` finds the row; only sha256 of the 256-bit secret is kept."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_s: Mapped[float] = mapped_column(Float)
    revoked_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class ZoneRow(BoundsMixin, Base):
    """A zone in the GeoJSON zone format (`commonsky.airspace.zone`), stored whole in ``feature``."""

    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    binding: Mapped[bool] = mapped_column(Boolean)
    feature: Mapped[dict[str, Any]] = mapped_column(JSON)
    version: Mapped[str] = mapped_column(String(32))
    updated_s: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_zones_box", "min_lon", "max_lon", "min_lat", "max_lat"),)


class IntentRow(BoundsMixin, Base):
    """An operational intent: party, priority, state, opaque version, volumes (engine JSON form)."""

    __tablename__ = "intents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))
    volumes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_s: Mapped[float] = mapped_column(Float)
    updated_s: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_intents_time", "t1_s"),)


class IntentCellRow(Base):
    """Where an intent is listed in the prefilter grid (`service.grid`): one row per (cell, day) key."""

    __tablename__ = "intent_cells"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    intent_id: Mapped[str] = mapped_column(ForeignKey("intents.id"), primary_key=True, index=True)


class AuditRow(Base):
    """One link of the hash chain: ``hash = sha256(prev_hash + canonical JSON of the entry)``."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at_s: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    change: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class DisclosurePolicyRow(Base):
    """The authority's disclosure policy (`service.disclosure`): one row, ``id`` 1; none means the defaults."""

    __tablename__ = "disclosure_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cell_deg: Mapped[float] = mapped_column(Float)
    step_s: Mapped[float] = mapped_column(Float)
    band_ft: Mapped[float] = mapped_column(Float)
    updated_s: Mapped[float] = mapped_column(Float)


class GrantRow(Base):
    """What the authority granted one party (`service.grants`): its highest priority and its probe budget."""

    __tablename__ = "party_grants"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    max_priority: Mapped[int] = mapped_column(Integer)
    budget_units: Mapped[float] = mapped_column(Float)
    updated_s: Mapped[float] = mapped_column(Float)


class IdempotencyRow(Base):
    """The answer to one party's write made with an ``Idempotency-Key`` (`service.idempotency`).

    ``status`` and ``body`` are first written inside the write's own transaction (the decision as it was taken),
    then replaced by the exact answer just before it is sent; ``request_sha256`` tells a retry from a reuse."""

    __tablename__ = "idempotency"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    final: Mapped[bool] = mapped_column(Boolean)
    created_s: Mapped[float] = mapped_column(Float, index=True)
