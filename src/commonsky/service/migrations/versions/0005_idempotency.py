"""Idempotency keys: one row per (party, Idempotency-Key) with the answer its write got (service.idempotency).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency",
        sa.Column("party_id", sa.String(36), sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("created_s", sa.Float(), nullable=False),
    )
    op.create_index("ix_idempotency_created_s", "idempotency", ["created_s"])


def downgrade() -> None:
    op.drop_table("idempotency")
