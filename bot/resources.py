"""The services the actions use (Open311 client, catalogue, outbox, geocoder).

They are built once per process on first use from the settings. Tests point the settings elsewhere and call
`reset()`.
"""

from __future__ import annotations

from functools import lru_cache

from bot.catalogue.services import ServiceCatalogue
from bot.geo import Geocoder
from bot.open311 import Open311Client
from bot.settings import Settings, get_settings
from bot.workers.outbox import Outbox
from citydata.catalogue import load_catalogue


def settings() -> Settings:
    """The process settings."""
    return get_settings()


@lru_cache(maxsize=1)
def open311() -> Open311Client:
    """The client of the city's back office."""
    return Open311Client.from_settings(get_settings())


@lru_cache(maxsize=1)
def catalogue() -> ServiceCatalogue:
    """Services and their questions."""
    city_services = load_catalogue(get_settings().city_data_dir / "services.yml")
    return ServiceCatalogue(open311(), city_services)


@lru_cache(maxsize=1)
def outbox() -> Outbox:
    """The persisted queue of reports on their way to the back office."""
    s = get_settings()
    return Outbox(
        s.database_url, open311(), base_delay=s.outbox_base_delay, max_attempts=s.outbox_max_attempts
    )


@lru_cache(maxsize=1)
def geocoder() -> Geocoder:
    """The offline geocoder of the city (with the optional HTTP geocoder behind it)."""
    return Geocoder.from_settings(get_settings())


def reset() -> None:
    """Forgets every built service and the settings, so the next call reads the environment again."""
    for factory in (open311, catalogue, outbox, geocoder):
        factory.cache_clear()
    get_settings.cache_clear()
