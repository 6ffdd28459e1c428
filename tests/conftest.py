"""Shared pytest configuration; fixtures live in `tests/fixtures/<area>.py`, registered here."""

pytest_plugins = [
    "tests.fixtures.processes",
    "tests.fixtures.backoffice",
    "tests.fixtures.open311_fake",
    "tests.fixtures.city",
    "tests.fixtures.media",
    "tests.fixtures.channels",
    "tests.fixtures.assistant",
    "tests.fixtures.twilio_fake",
    "tests.fixtures.telegram_fake",
    "tests.fixtures.stack",
    "tests.fixtures.browser",
]
