"""The disclosure policy (one row) and the authority's grants per party (highest priority, probe budget).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "disclosure_policy",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("cell_deg", sa.Float(), nullable=False),
        sa.Column("step_s", sa.Float(), nullable=False),
        sa.Column("band_ft", sa.Float(), nullable=False),
        sa.Column("updated_s", sa.Float(), nullable=False),
    )
    op.create_table(
        "party_grants",
        sa.Column("party_id", sa.String(36), sa.ForeignKey("parties.id"), primary_key=True),
        sa.Column("max_priority", sa.Integer(), nullable=False),
        sa.Column("budget_units", sa.Float(), nullable=False),
        sa.Column("updated_s", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("party_grants")
    op.drop_table("disclosure_policy")
