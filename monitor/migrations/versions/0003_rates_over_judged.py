"""analyst views: 合格率 over judged targets, 待定 counted apart (re-creates the views of sql/views.sql)

Revision ID: 0003_rates_over_judged
Revises: 0002_analyst_views
"""

from alembic import op

from monitor.report.views import FIRST_VIEWS, create_views, drop_views

revision = "0003_rates_over_judged"
down_revision = "0002_analyst_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0002 created the views from the then-current sql/views.sql; dropping and re-creating brings an existing
    # database to today's definitions (a fresh one gets them twice, harmlessly).
    drop_views(op.get_bind())
    create_views(op.get_bind(), FIRST_VIEWS)


def downgrade() -> None:
    pass  # the earlier definitions counted 待定 as 合格; they are not restored
