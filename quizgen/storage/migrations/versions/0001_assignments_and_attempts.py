"""Assignments (a quiz stored as made) and attempts.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("deck_id", sa.String(80), nullable=False),
        sa.Column("quiz_json", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("assignment_id", sa.String(16),
                  sa.ForeignKey("assignments.id", ondelete="CASCADE", name="fk_attempts_assignment"),
                  nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attempts_assignment_id", "attempts", ["assignment_id"])


def downgrade() -> None:
    op.drop_index("ix_attempts_assignment_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("assignments")
