"""new-media accounts: what a crawl or an activity export read of each account (account_checks, account_posts)

Revision ID: 0004_account_observations
Revises: 0003_rates_over_judged
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_account_observations"
down_revision = "0003_rates_over_judged"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("rendered", sa.Boolean(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("verified_subject", sa.String(length=200), nullable=True),
        sa.Column("followable", sa.Boolean(), nullable=True),
        sa.Column("interaction", sa.JSON(), nullable=True),
        sa.Column("post_count", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_checks")),
        sa.UniqueConstraint("run_id", "platform", "account", name=op.f("uq_account_checks_run_id")),
    )
    op.create_table(
        "account_posts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("post_key", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("time_text", sa.Text(), nullable=True),
        sa.Column("time_source", sa.String(length=10), nullable=True),
        sa.Column("original", sa.Boolean(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_posts")),
        sa.UniqueConstraint("run_id", "platform", "account", "post_key", name=op.f("uq_account_posts_run_id")),
    )


def downgrade() -> None:
    op.drop_table("account_posts")
    op.drop_table("account_checks")
