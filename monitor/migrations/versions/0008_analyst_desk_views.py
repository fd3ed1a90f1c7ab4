"""the analyst's desk: views of 责任部门 (v_responsible_units), 待定 counts (v_pending_counts), per-unit problem lists
(v_unit_problems), the trend over quarters (v_rates_trend) and the state of each violation (v_violation_states)

Revision ID: 0008_analyst_desk_views
Revises: 0007_run_process_and_cuts
"""

from alembic import op

from monitor.report.views import create_views, drop_views

revision = "0008_analyst_desk_views"
down_revision = "0007_run_process_and_cuts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_views(op.get_bind())
    create_views(op.get_bind())


def downgrade() -> None:
    pass  # the views stay; 0006's definitions are a subset of these
