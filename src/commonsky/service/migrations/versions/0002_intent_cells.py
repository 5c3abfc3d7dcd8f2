"""The prefilter grid of intents (service.grid): intent_cells, filled for the intents already stored; the range
index on intent boxes goes (SQLite's planner would prefer it to the grid, and it scans half the table).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intent_cells",
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("intent_id", sa.String(36), sa.ForeignKey("intents.id"), primary_key=True),
    )
    op.create_index("ix_intent_cells_intent_id", "intent_cells", ["intent_id"])
    op.drop_index("ix_intents_live_box", table_name="intents")
    from commonsky.service.engine import Bounds
    from commonsky.service.grid import grid_keys

    connection = op.get_bind()
    columns = "id, min_lon, min_lat, max_lon, max_lat, alt_lo_m, alt_hi_m, t0_s, t1_s"
    rows = connection.execute(sa.text(f"SELECT {columns} FROM intents WHERE state != 'ended'")).all()
    cells = [{"key": key, "intent_id": row[0]} for row in rows for key in grid_keys(Bounds(*row[1:]))]
    if cells:
        op.bulk_insert(sa.table("intent_cells", sa.column("key"), sa.column("intent_id")), cells)


def downgrade() -> None:
    op.create_index("ix_intents_live_box", "intents", ["state", "min_lon", "max_lon"])
    op.drop_table("intent_cells")
