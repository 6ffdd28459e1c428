"""Initial schema: services, attributes, requests, history, staff, media, idempotency keys.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

FIRST_REQUEST_ID = 10001


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_code", sa.String(100), nullable=False, unique=True),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("group", sa.String(200), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "service_attributes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("datatype", sa.String(20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("service_id", "code", name="uq_service_attributes_service_code"),
    )
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), sa.Identity(start=FIRST_REQUEST_ID), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("service_id", sa.Integer(), sa.ForeignKey("services.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("detailed_status", sa.String(20), nullable=False),
        sa.Column("status_notes", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("agency_responsible", sa.String(200)),
        sa.Column("district", sa.String(200)),
        sa.Column("service_notice", sa.Text()),
        sa.Column("requested_datetime", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_datetime", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_datetime", sa.DateTime(timezone=True)),
        sa.Column("address", sa.String(500)),
        sa.Column("address_id", sa.String(200)),
        sa.Column("zipcode", sa.String(20)),
        sa.Column("lat", sa.Float()),
        sa.Column("lon", sa.Float()),
        sa.Column("media_url", sa.String(2000)),
        sa.Column("closing_media_url", sa.String(2000)),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("first_name", sa.String(100)),
        sa.Column("last_name", sa.String(100)),
        sa.Column("phone", sa.String(50)),
        sa.Column("device_id", sa.String(200)),
        sa.Column("account_id", sa.String(200)),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_service_requests_status", "service_requests", ["status"])
    op.create_index("ix_service_requests_requested_datetime", "service_requests", ["requested_datetime"])
    op.create_index("ix_service_requests_lat", "service_requests", ["lat"])
    op.create_index("ix_service_requests_lon", "service_requests", ["lon"])
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT continues from sqlite_sequence, so the first request gets 10001 as on PostgreSQL.
        op.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('service_requests', :seq)").bindparams(
                seq=FIRST_REQUEST_ID - 1
            )
        )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id", sa.Integer(), sa.ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("detailed_status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("photo_url", sa.String(2000)),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_users.id")),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_status_changes_request_id", "status_changes", ["request_id"])
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("service_requests.id")),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("idempotency_keys", "media", "status_changes", "service_requests", "staff_users"):
        op.drop_table(table)
    op.drop_table("service_attributes")
    op.drop_table("services")
