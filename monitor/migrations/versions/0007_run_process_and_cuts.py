"""runs record the host and pid of their process (a run left `running` by a killed process can be told apart from
one still going); pages record what extraction cut past its per-page caps

Revision ID: 0007_run_process_and_cuts
Revises: 0006_views_new_media_letters
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_run_process_and_cuts"
down_revision = "0006_views_new_media_letters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("cut", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("cut")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
