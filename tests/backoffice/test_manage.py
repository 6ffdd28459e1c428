"""Operator commands (backoffice/manage.py): add-staff and seed."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from backoffice import manage
from backoffice.accounts import authenticate
from backoffice.db import make_engine, make_sessions
from backoffice.models import Service
from backoffice.settings import get_settings


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv(manage.PASSWORD_ENV, raising=False)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _can_log_in(url: str, name: str, password: str) -> bool:
    engine = make_engine(url)
    try:
        with make_sessions(engine)() as session:
            return authenticate(session, name, password) is not None
    finally:
        engine.dispose()


def test_add_staff_reads_the_password_from_stdin(database_url: str, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret pass\n"))
    assert manage.main(["add-staff", "maija"]) == 0
    assert "s3cret" not in capsys.readouterr().out
    assert _can_log_in(database_url, "maija", "s3cret pass")
    assert not _can_log_in(database_url, "maija", "s3cret")


def test_add_staff_from_env_updates_an_existing_user(database_url: str, monkeypatch) -> None:
    monkeypatch.setenv(manage.PASSWORD_ENV, "first")
    manage.main(["add-staff", "maija"])
    monkeypatch.setenv(manage.PASSWORD_ENV, "second")
    manage.main(["add-staff", "maija"])
    assert _can_log_in(database_url, "maija", "second")
    assert not _can_log_in(database_url, "maija", "first")


def test_add_staff_without_a_password_fails(database_url: str, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert manage.main(["add-staff", "maija"]) == 2


def test_seed_command_migrates_and_seeds_once(database_url: str, capsys) -> None:
    assert manage.main(["seed"]) == 0
    assert manage.main(["seed"]) == 0
    assert "21 services seeded" in capsys.readouterr().out
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Service)).scalar_one() == 21
    finally:
        engine.dispose()
