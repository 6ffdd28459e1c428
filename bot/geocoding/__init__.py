"""Offline geocoding from a city data folder; `bot.geo` is the public entry point."""
