"""analyst views over new-media readings and letters (v_account_readings, v_letters); v_open_violations names
accounts too

Revision ID: 0006_views_new_media_letters
Revises: 0005_letters_and_guides
"""

from alembic import op

from monitor.report.views import create_views, drop_views

revision = "0006_views_new_media_letters"
down_revision = "0005_letters_and_guides"
branch_labels = None
depends_on = None


def upgrade() -> None:
    drop_views(op.get_bind())
    create_views(op.get_bind())


def downgrade() -> None:
    pass  # the earlier definitions are not restored
