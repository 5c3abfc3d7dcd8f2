"""The F3548 DSS (service.dss): operational intent references, constraint references, subscriptions and USS
availability, in their own tables.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _envelope() -> list[sa.Column[object]]:
    return [
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("alt_lo_m", sa.Float(), nullable=False),
        sa.Column("alt_hi_m", sa.Float(), nullable=False),
        sa.Column("t0_us", sa.BigInteger(), nullable=False),
        sa.Column("t1_us", sa.BigInteger(), nullable=False),
        sa.Column("volumes", sa.Text(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "dss_operational_intents",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("manager", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("ovn", sa.String(128), nullable=False),
        sa.Column("uss_base_url", sa.String(1024), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        *_envelope(),
    )
    op.create_index("ix_dss_oi_box", "dss_operational_intents", ["min_lat", "max_lat"])
    op.create_index("ix_dss_oi_subscription", "dss_operational_intents", ["subscription_id"])
    op.create_table(
        "dss_constraints",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("manager", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ovn", sa.String(128), nullable=False),
        sa.Column("uss_base_url", sa.String(1024), nullable=False),
        *_envelope(),
    )
    op.create_index("ix_dss_cr_box", "dss_constraints", ["min_lat", "max_lat"])
    op.create_table(
        "dss_subscriptions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("manager", sa.String(255), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("notification_index", sa.Integer(), nullable=False),
        sa.Column("uss_base_url", sa.String(1024), nullable=False),
        sa.Column("notify_for_operational_intents", sa.Boolean(), nullable=False),
        sa.Column("notify_for_constraints", sa.Boolean(), nullable=False),
        sa.Column("implicit", sa.Boolean(), nullable=False),
        *_envelope(),
    )
    op.create_index("ix_dss_sub_box", "dss_subscriptions", ["min_lat", "max_lat"])
    op.create_table(
        "dss_cells",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), primary_key=True),
    )
    op.create_index("ix_dss_cells_id", "dss_cells", ["kind", "id"])
    op.create_table(
        "dss_uss_availability",
        sa.Column("uss", sa.String(255), primary_key=True),
        sa.Column("availability", sa.String(16), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "dss_uss_availability",
        "dss_cells",
        "dss_subscriptions",
        "dss_constraints",
        "dss_operational_intents",
    ):
        op.drop_table(table)
