"""Nearby duplicates: an open report of the same service close to the place, offered to follow instead.

The search radius depends on the service (`DUPLICATE_RADII`: a pothole is a point, a dark street a stretch),
and only reports from the last `DUPLICATE_DAYS` count.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from bot import resources
from bot.actions.common import run_blocking
from bot.open311 import Open311Error

logger = logging.getLogger(__name__)


async def nearby_report_slots(service_code: str | None, lat: float, lon: float) -> dict[str, Any]:
    """Looks for an open report of the same service nearby, to offer following it instead of a duplicate."""
    if not service_code:
        return {}
    settings = resources.settings()
    since = datetime.now(timezone.utc) - timedelta(days=settings.duplicate_days)
    try:
        nearby = await run_blocking(
            resources.open311().nearby,
            lat,
            lon,
            settings.duplicate_radius(service_code),
            service_code=service_code,
            start_date=since,
        )
    except Open311Error as error:
        logger.info("duplicates.lookup_failed kind=%s", error.kind.name)
        return {"duplicate_candidate": None}
    if not nearby:
        return {"duplicate_candidate": None, "duplicate_step": None}
    match = nearby[0]
    return {
        "duplicate_candidate": {
            "id": match.service_request_id,
            "distance_m": match.distance_m,
            "address": match.address,
            "status": match.detailed_status or match.status,
            "requested": match.requested_datetime.isoformat() if match.requested_datetime else None,
            "media_url": match.media_url,
            "description": (match.description or "")[:140],
        },
        "duplicate_step": None,
    }
