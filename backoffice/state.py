"""What the app holds for its whole life (settings, database, districts, photos), built by the factory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from citydata.areas import ServiceAreas

from .photo_store import MediaStore
from .settings import Settings

EXTENSION_KEY = "backoffice"


@dataclass
class BackofficeState:
    """The app's long-lived objects; views reach them through `state()`."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker
    areas: ServiceAreas
    media: MediaStore

    def session(self) -> Session:
        """A new database session (use it as a context manager)."""
        session: Session = self.sessions()
        return session


def state() -> BackofficeState:
    """The state of the app handling the current request."""
    found: BackofficeState = current_app.extensions[EXTENSION_KEY]
    return found
