"""Teacher accounts and their sessions, class rosters, saved worksheets; on assignments their
teacher, when answers are released and a join code; on attempts the result's own address,
lateness, the folded name and the roster student.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
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
        "teachers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("teacher_id", sa.Integer(),
                  sa.ForeignKey("teachers.id", ondelete="CASCADE", name="fk_login_sessions_teacher"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_sessions_teacher_id", "login_sessions", ["teacher_id"])
    op.create_table(
        "roster",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("assignment_id", sa.String(16),
                  sa.ForeignKey("assignments.id", ondelete="CASCADE", name="fk_roster_assignment"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(6), nullable=False),
        sa.UniqueConstraint("assignment_id", "code", name="uq_roster_assignment_code"),
    )
    op.create_index("ix_roster_assignment_id", "roster", ["assignment_id"])
    op.create_table(
        "worksheets",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("teacher_id", sa.Integer(),
                  sa.ForeignKey("teachers.id", ondelete="CASCADE", name="fk_worksheets_teacher"), nullable=False),
        sa.Column("deck_id", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("variants", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_worksheets_teacher_id", "worksheets", ["teacher_id"])
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("teacher_id", sa.Integer(), nullable=True))
        # Assignments made before this migration keep their old behaviour as closely as is safe:
        # answers are released when they close.
        batch.add_column(sa.Column("reveal", sa.String(16), nullable=False, server_default="closed"))
        batch.add_column(sa.Column("join_code", sa.String(6), nullable=True))
        batch.create_foreign_key("fk_assignments_teacher", "teachers", ["teacher_id"], ["id"], ondelete="SET NULL")
        batch.create_index("ix_assignments_teacher_id", ["teacher_id"])
        batch.create_unique_constraint("uq_assignments_join_code", ["join_code"])
    # Assignments made before this migration get a join code too (drawn here, as the app draws them).
    import secrets

    alphabet = "ACEFHJKMNPRTWXY3479"  # quizgen.storage.assignments.CODE_ALPHABET, as it was at 0002
    conn = op.get_bind()
    used: set[str] = set()
    for (assignment_id,) in conn.execute(sa.text("SELECT id FROM assignments")).all():
        code = "".join(secrets.choice(alphabet) for _ in range(6))
        while code in used:
            code = "".join(secrets.choice(alphabet) for _ in range(6))
        used.add(code)
        conn.execute(sa.text("UPDATE assignments SET join_code = :c WHERE id = :i"), {"c": code, "i": assignment_id})
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("late", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("name_key", sa.String(200), nullable=True))
        batch.add_column(sa.Column("student_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_attempts_student", "roster", ["student_id"], ["id"], ondelete="SET NULL")
        batch.create_unique_constraint("uq_attempts_token_hash", ["token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_constraint("uq_attempts_token_hash", type_="unique")
        batch.drop_constraint("fk_attempts_student", type_="foreignkey")
        for column in ("student_id", "name_key", "late", "token_hash"):
            batch.drop_column(column)
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint("uq_assignments_join_code", type_="unique")
        batch.drop_index("ix_assignments_teacher_id")
        batch.drop_constraint("fk_assignments_teacher", type_="foreignkey")
        for column in ("join_code", "reveal", "teacher_id"):
            batch.drop_column(column)
    op.drop_index("ix_worksheets_teacher_id", table_name="worksheets")
    op.drop_table("worksheets")
    op.drop_index("ix_roster_assignment_id", table_name="roster")
    op.drop_table("roster")
    op.drop_index("ix_login_sessions_teacher_id", table_name="login_sessions")
    op.drop_table("login_sessions")
    op.drop_table("teachers")
