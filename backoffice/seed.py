"""Seeding the services table from the city's catalogue file, idempotently.

Services and attributes in the file are added or updated by code; those no longer in the file are marked
inactive (hidden from `services.json`) rather than deleted, because filed requests still point at them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from citydata.catalogue import Attribute, load_catalogue
from citydata.catalogue import Service as CatalogueService

from .models import Service, ServiceAttribute

logger = logging.getLogger(__name__)


def seed_catalogue(session: Session, services: tuple[CatalogueService, ...]) -> int:
    """Adds or updates `services` (and their attributes) in the database; the caller commits.

    Returns:
        How many services the catalogue holds.
    """
    existing = {s.service_code: s for s in session.execute(select(Service)).scalars()}
    for entry in services:
        row = existing.pop(entry.service_code, None)
        if row is None:
            row = Service(service_code=entry.service_code)
            session.add(row)
        row.service_name = entry.service_name
        row.description = entry.description
        row.group = entry.group
        row.keywords = ", ".join(entry.keywords)
        row.type = "realtime"
        row.active = True
        _seed_attributes(session, row, entry.attributes)
    for stale in existing.values():
        stale.active = False
    session.flush()
    logger.info("backoffice.seed services=%d retired=%d", len(services), len(existing))
    return len(services)


def _seed_attributes(session: Session, service: Service, attributes: tuple[Attribute, ...]) -> None:
    existing = {a.code: a for a in service.attributes}
    for entry in attributes:
        row = existing.pop(entry.code, None)
        if row is None:
            row = ServiceAttribute(code=entry.code)
            service.attributes.append(row)
        row.description = entry.description
        row.datatype = entry.datatype
        row.required = entry.required
        row.order = entry.order
        # Only key and name are Open311; the catalogue's `hints` are the assistant's business.
        row.values = [{"key": v.key, "name": v.name} for v in entry.values]
        row.active = True
    for stale in existing.values():
        stale.active = False


def seed_from_file(session: Session, path: Path) -> int:
    """Seeds from a `services.yml` file; see `seed_catalogue`."""
    return seed_catalogue(session, load_catalogue(Path(path)))
