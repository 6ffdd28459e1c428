"""Operator commands: `python -m backoffice.manage add-staff NAME` and `python -m backoffice.manage seed`.

`add-staff` reads the password from BACKOFFICE_STAFF_PASSWORD or, when that is unset, from standard input
(first line), so it never appears in the process list or shell history.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .accounts import set_staff_user
from .db import make_engine, make_sessions, migrate
from .seed import seed_from_file
from .settings import get_settings

logger = logging.getLogger(__name__)
PASSWORD_ENV = "BACKOFFICE_STAFF_PASSWORD"  # noqa: S105 - a variable name, not a password


def _read_password() -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = sys.stdin.readline().rstrip("\r\n")
    return password


def add_staff(name: str) -> int:
    """Creates or updates the staff account `name`; returns the exit status."""
    settings = get_settings()
    password = _read_password()
    if not password:
        print("no password given (stdin or BACKOFFICE_STAFF_PASSWORD)", file=sys.stderr)
        return 2
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine)() as session:
            set_staff_user(session, name, password)
            session.commit()
    finally:
        engine.dispose()
    print(f"staff user {name} saved")
    return 0


def seed() -> int:
    """Migrates and seeds the catalogue from BACKOFFICE_CATALOGUE; returns the exit status."""
    settings = get_settings()
    migrate(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine)() as session:
            count = seed_from_file(session, settings.catalogue_path)
            session.commit()
    finally:
        engine.dispose()
    print(f"{count} services seeded")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parses the command line and runs the command."""
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m backoffice.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-staff", help="create a staff user or set its password")
    add.add_argument("name")
    commands.add_parser("seed", help="add or update the services from the catalogue file")
    args = parser.parse_args(argv)
    if args.command == "add-staff":
        return add_staff(args.name)
    return seed()


if __name__ == "__main__":
    sys.exit(main())
