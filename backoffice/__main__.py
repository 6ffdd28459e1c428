"""`python -m backoffice`: migrate, seed, then serve the back office with waitress."""

from __future__ import annotations

import logging

import waitress

from .app import create_app, prepare_database
from .settings import get_settings

logger = logging.getLogger(__name__)


def main() -> None:
    """Prepares the database and serves until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    prepare_database(settings)
    app = create_app(settings)
    logger.info("backoffice.serving host=%s port=%d", settings.host, settings.port)
    waitress.serve(app, host=settings.host, port=settings.port, threads=8, ident="backoffice")


if __name__ == "__main__":
    main()
