"""The metadata a connector attaches to a resident's message, the same on every channel.

Keys (all optional): `channel` (str), `photo_urls` (list of stored photo URLs), `photo_gps` ([lat, lon] of the
first photo), `latitude` / `longitude` (a shared position), `place_name` / `place_address` (a shared venue),
`button` (True when the text is the payload of a button the assistant offered).
"""

from __future__ import annotations

from typing import Any

from bot.photos.intake import StoredPhoto


def photo_metadata(photos: list[StoredPhoto]) -> dict[str, Any]:
    """Message metadata for stored photos (URLs, and the first GPS position found)."""
    if not photos:
        return {}
    meta: dict[str, Any] = {"photo_urls": [p.url for p in photos]}
    gps = next((p.gps for p in photos if p.gps), None)
    if gps:
        meta["photo_gps"] = [gps[0], gps[1]]
    return meta


# Text sent to Rasa for a message that has a photo or a position but no words: a payload only channels create.
PHOTO_ONLY = "/share_photo"
LOCATION_ONLY = "/share_location"
