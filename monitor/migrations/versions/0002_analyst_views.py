"""analyst views: open violations, verdicts per quarter, rates per region and quarter

Revision ID: 0002_analyst_views
Revises: 0001_initial
"""

from alembic import op

from monitor.report.views import FIRST_VIEWS, create_views, drop_views

revision = "0002_analyst_views"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_views(op.get_bind(), FIRST_VIEWS)


def downgrade() -> None:
    drop_views(op.get_bind())
