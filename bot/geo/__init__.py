"""Geocoding for the assistant: residents' place descriptions -> points inside the city, and back.

    geocoder = Geocoder.from_settings(get_settings())
    place = geocoder.geocode("it's outside mannerheimintie 5 by the kiosk")   # Place(kind="address", ...)
    geocoder.reverse(60.1699, 24.9384)                                           # nearest address

The work is done in `bot.geo`; this module is the stable import path.
"""

from __future__ import annotations

from bot.geo.geocoder import MIN_SCORE, Geocoder, Place
from bot.geo.nominatim import NominatimClient, NominatimResult
from citydata.geometry import distance_m

__all__ = ["MIN_SCORE", "Geocoder", "NominatimClient", "NominatimResult", "Place", "distance_m"]
