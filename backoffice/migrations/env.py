"""Alembic environment: the URL comes from the caller (`backoffice.db.migrate`) or from DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from backoffice.db import make_engine
from backoffice.models import Base
from backoffice.settings import get_settings

config = context.config
database_url = config.attributes.get("database_url")
if database_url is None:
    # Run from the alembic command line: log as alembic.ini says. Programmatic runs keep the app's logging.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    database_url = get_settings().database_url


def run_migrations_offline() -> None:
    """Writes the SQL to stdout instead of running it."""
    context.configure(url=database_url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Runs the migrations on a live connection (batch mode on SQLite, which cannot ALTER much).

    The engine is built as the app builds it, so a missing SQLite folder is created first.
    """
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
