"""letters channels and service guides: the registry's channels and what a reading saw (channel_checks, letters,
guides)

Revision ID: 0005_letters_and_guides
Revises: 0004_account_observations
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_letters_and_guides"
down_revision = "0004_account_observations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_code", sa.String(length=12), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("item_selector", sa.Text(), nullable=True),
        sa.Column("date_selector", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channels")),
        sa.UniqueConstraint("site_code", "url", name=op.f("uq_channels_site_code")),
    )
    op.create_table(
        "channel_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=12), nullable=False),
        sa.Column("channel_url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("pages_read", sa.Integer(), nullable=True),
        sa.Column("entries_seen", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_checks")),
        sa.UniqueConstraint("run_id", "channel_url", name=op.f("uq_channel_checks_run_id")),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=12), nullable=False),
        sa.Column("channel_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("received_text", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("run_id", "url", name=op.f("uq_letters_run_id")),
    )
    op.create_table(
        "guides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site_code", sa.String(length=12), nullable=False),
        sa.Column("channel_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("service_links", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guides")),
        sa.UniqueConstraint("run_id", "url", name=op.f("uq_guides_run_id")),
    )


def downgrade() -> None:
    for table in ("guides", "letters", "channel_checks", "channels"):
        op.drop_table(table)
