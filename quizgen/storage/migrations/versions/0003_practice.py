"""Practice with spaced repetition: learners, their cards' FSRS state, every review.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
# After teacher accounts (0002): practice shares their database.
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_learners",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retention", sa.Float(), nullable=False),
        sa.UniqueConstraint("code_hash", name="uq_practice_learners_code_hash"),
    )
    op.create_table(
        "practice_cards",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("learner_id", sa.Integer(),
                  sa.ForeignKey("practice_learners.id", ondelete="CASCADE", name="fk_practice_cards_learner"),
                  nullable=False),
        sa.Column("fact_id", sa.String(80), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("deck_id", sa.String(80), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.SmallInteger(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=False),
        sa.Column("difficulty", sa.Float(), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=False),
        sa.Column("introduced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.UniqueConstraint("learner_id", "fact_id", "direction", name="uq_practice_cards_learner_fact_direction"),
    )
    op.create_index("ix_practice_cards_learner_due", "practice_cards", ["learner_id", "due"])
    op.create_table(
        "practice_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("card_id", sa.Integer(),
                  sa.ForeignKey("practice_cards.id", ondelete="CASCADE", name="fk_practice_reviews_card"),
                  nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("deck_id", sa.String(80), nullable=False),
        sa.Column("fact_id", sa.String(80), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("chosen", sa.SmallInteger(), nullable=True),
        sa.Column("given", sa.String(200), nullable=False),
        sa.Column("response_ms", sa.Integer(), nullable=False),
        sa.Column("state_before", sa.SmallInteger(), nullable=True),
        sa.Column("step_before", sa.SmallInteger(), nullable=True),
        sa.Column("stability_before", sa.Float(), nullable=True),
        sa.Column("difficulty_before", sa.Float(), nullable=True),
        sa.Column("due_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_review_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_after", sa.SmallInteger(), nullable=False),
        sa.Column("stability_after", sa.Float(), nullable=False),
        sa.Column("difficulty_after", sa.Float(), nullable=False),
        sa.Column("due_after", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_practice_reviews_card_id", "practice_reviews", ["card_id"])
    op.create_index("ix_practice_reviews_learner_id", "practice_reviews", ["learner_id"])
    op.create_index("ix_practice_reviews_fact_id", "practice_reviews", ["fact_id"])


def downgrade() -> None:
    op.drop_index("ix_practice_reviews_fact_id", table_name="practice_reviews")
    op.drop_index("ix_practice_reviews_learner_id", table_name="practice_reviews")
    op.drop_index("ix_practice_reviews_card_id", table_name="practice_reviews")
    op.drop_table("practice_reviews")
    op.drop_index("ix_practice_cards_learner_due", table_name="practice_cards")
    op.drop_table("practice_cards")
    op.drop_table("practice_learners")
