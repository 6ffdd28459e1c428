"""Alembic migrations (backoffice/migrations, backoffice/db.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from backoffice.db import alembic_config, migrate
from backoffice.models import Base
from tests.fixtures.backoffice import (
    API_KEY,
    PROJECT_ROOT,
    backoffice_test_settings,
    build_app,
    dispose_app,
    report_form,
)

TABLES = {
    "services",
    "service_attributes",
    "service_requests",
    "status_changes",
    "staff_users",
    "media",
    "idempotency_keys",
}


def _tables(url: str) -> set[str]:
    engine = create_engine(url, future=True)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _drift(url: str) -> list:
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            # sqlite_sequence is SQLite's own bookkeeping for AUTOINCREMENT, not part of our schema.
            opts = {"include_name": lambda name, kind, _parents: name != "sqlite_sequence"}
            return list(compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_head_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'db.sqlite'}"
    migrate(url)
    migrate(url)  # a second run is a no-op
    assert _tables(url) >= TABLES
    assert _drift(url) == []  # the models and the migrations describe the same schema


def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url)
    command.downgrade(alembic_config(url), "base")
    assert not TABLES & _tables(url)
    migrate(url)
    assert _tables(url) >= TABLES


def test_alembic_command_line_takes_database_url_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "backoffice/alembic.ini", "upgrade", "head"],
        cwd=PROJECT_ROOT,
        env={"DATABASE_URL": url, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert _tables(url) >= TABLES


def test_postgresql_migrations_and_a_round_trip(postgres_database_url: str, tmp_path: Path) -> None:
    settings = backoffice_test_settings(tmp_path, database_url=postgres_database_url)
    app = build_app(settings)
    try:
        assert _tables(postgres_database_url) >= TABLES
        assert _drift(postgres_database_url) == []
        client = app.test_client()
        created = client.post(
            "/open311/v2/requests.json",
            data=report_form(lat="60.185", long="24.95", email="resident@example.org"),
            headers={"Idempotency-Key": "pg-1"},
        )
        assert created.status_code == 201
        rid = created.get_json()[0]["service_request_id"]
        assert rid == "10001"  # the identity starts at 10001 on PostgreSQL too
        again = client.post(
            "/open311/v2/requests.json", data=report_form(), headers={"Idempotency-Key": "pg-1"}
        )
        assert again.get_json() == created.get_json()
        follow = client.post(f"/open311/v2/requests/{rid}/follow.json", data={"api_key": API_KEY})
        assert follow.get_json()["followers"] == 1
        shown = client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
        assert (shown["district"], shown["agency_responsible"]) == ("Kallio", "North Streets Crew")
        assert shown["requested_datetime"].endswith("+00:00")
        nearby = client.get("/open311/v2/requests.json?lat=60.185&long=24.95&radius=10").get_json()
        assert [r["service_request_id"] for r in nearby] == [rid]
        assert client.get("/open311/v2/requests.json?status=open").get_json()[0]["service_request_id"] == rid
    finally:
        dispose_app(app)
