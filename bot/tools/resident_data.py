"""Everything the assistant holds about one resident: export it, or erase it.

Covers the conversation (Rasa's SQL tracker store), the assistant's own records (outbox, subscriptions,
pending messages) and the photos the resident sent that are stored locally. Requests already filed stay in the
city's back office: they are the city's records, and carry contact details only where the resident gave them.

Run: `python -m bot.tools.resident_data export twilio:+358401234567 > resident.json`
     `python -m bot.tools.resident_data erase twilio:+358401234567`
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, delete, select

from bot.db import Notification, OutboxEntry, Subscription, session_factory
from bot.photos.store import is_valid_name
from bot.settings import Settings, get_settings

PHOTO_NAME = re.compile(r"/webhooks/media/files/([A-Za-z0-9_-]+\.jpg)")


def _events_table(tracker_db: Path) -> tuple[Any, Table] | None:
    if not tracker_db.exists():
        return None
    engine = create_engine(f"sqlite:///{tracker_db}", future=True)
    return engine, Table("events", MetaData(), autoload_with=engine)


def conversation(tracker_db: Path, sender_id: str) -> list[dict[str, Any]]:
    """The resident's conversation events, oldest first."""
    found = _events_table(tracker_db)
    if found is None:
        return []
    engine, events = found
    with engine.connect() as connection:
        rows = connection.execute(
            select(events.c.data).where(events.c.sender_id == sender_id).order_by(events.c.id)
        ).all()
    return [json.loads(row.data) for row in rows]


def assistant_records(settings: Settings, sender_id: str) -> dict[str, list[dict[str, Any]]]:
    """The resident's rows in the assistant's own database."""
    with session_factory(settings.database_url)() as session:
        return {
            table.__tablename__: [
                {c.name: _plain(getattr(row, c.name)) for c in table.__table__.columns}
                for row in session.execute(select(table).where(table.sender_id == sender_id)).scalars()
            ]
            for table in (OutboxEntry, Subscription, Notification)
        }


def photo_names(*blobs: Any) -> set[str]:
    """Names of locally stored photos mentioned anywhere in the given data."""
    return {m for m in PHOTO_NAME.findall(json.dumps(blobs, default=str)) if is_valid_name(m)}


def export(settings: Settings, tracker_db: Path, sender_id: str) -> dict[str, Any]:
    """All data about one resident as one JSON-able document."""
    events = conversation(tracker_db, sender_id)
    records = assistant_records(settings, sender_id)
    return {
        "sender_id": sender_id,
        "conversation": events,
        **records,
        "photos": sorted(photo_names(events, records)),
    }


def erase(settings: Settings, tracker_db: Path, sender_id: str) -> dict[str, int]:
    """Deletes the resident's conversation, records and stored photos; returns how many of each went."""
    data = export(settings, tracker_db, sender_id)
    removed = {"photos": 0}
    for name in data["photos"]:
        path = settings.media_dir / name
        if path.exists():
            path.unlink()
            removed["photos"] += 1
    with session_factory(settings.database_url)() as session, session.begin():
        for table in (OutboxEntry, Subscription, Notification):
            result = session.execute(delete(table).where(table.sender_id == sender_id))
            removed[table.__tablename__] = int(result.rowcount or 0)
    found = _events_table(tracker_db)
    if found is not None:
        engine, events = found
        with engine.begin() as connection:
            result = connection.execute(delete(events).where(events.c.sender_id == sender_id))
            removed["conversation_events"] = int(result.rowcount or 0)
    return removed


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Export or erase everything held about one resident.")
    parser.add_argument("command", choices=["export", "erase"])
    parser.add_argument("sender_id", help="the conversation id, e.g. twilio:+358401234567 or telegram:12345")
    args = parser.parse_args(argv)
    settings = get_settings()
    tracker_db = settings.rasa_tracker_db
    if args.command == "export":
        json.dump(export(settings, tracker_db, args.sender_id), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(json.dumps(erase(settings, tracker_db, args.sender_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
