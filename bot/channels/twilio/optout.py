"""Numbers that texted STOP: nothing more is sent to them, proactive messages included, until they text START.

Twilio blocks them at the carrier level too (its API then answers error 21610); keeping our own list means we
never try, and it survives restarts in a small JSON file under `var/`. The file holds SHA-256 digests of the
numbers, not the numbers themselves.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
DEFAULT_PATH = PROJECT_ROOT / "var" / "twilio_opt_out.json"


def _digest(number: str) -> str:
    return hashlib.sha256(f"twilio-opt-out:{number.strip()}".encode()).hexdigest()


class OptOutStore:
    """Opted-out numbers, in memory and (when `path` is set) in a JSON file."""

    def __init__(self, path: Path | None = DEFAULT_PATH) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._digests: set[str] = self._load()
        self._changes = 0  # a save writes a snapshot; an older snapshot never overwrites a newer one
        self._written = 0

    def is_opted_out(self, number: str) -> bool:
        """True when `number` texted STOP and not START since."""
        return _digest(number) in self._digests

    async def opt_out(self, number: str) -> None:
        """Remembers that `number` wants no more messages."""
        digest = _digest(number)
        if digest not in self._digests:
            self._digests.add(digest)
            await self._persist()

    async def opt_in(self, number: str) -> None:
        """Forgets an opt-out (the resident texted START)."""
        digest = _digest(number)
        if digest in self._digests:
            self._digests.discard(digest)
            await self._persist()

    def _load(self) -> set[str]:
        if self._path is None or not self._path.exists():
            return set()
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            return {str(item) for item in data.get("numbers", [])}
        except (OSError, ValueError, AttributeError) as error:
            # Refusing to start would silence the whole channel; log loudly and start empty instead.
            logger.error("twilio.opt_out_unreadable error=%s", type(error).__name__)
            return set()

    async def _persist(self) -> None:
        self._changes += 1
        await asyncio.to_thread(self._save, sorted(self._digests), self._changes)

    def _save(self, digests: list[str], change: int) -> None:
        if self._path is None:
            return
        with self._lock:
            if change < self._written:
                return
            self._written = change
            payload = json.dumps({"version": 1, "numbers": digests})
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                handle, temp = tempfile.mkstemp(dir=self._path.parent, prefix=".opt_out.")
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(payload)
                os.replace(temp, self._path)
            except OSError as error:
                # Kept in memory still: this process goes on respecting the opt-out.
                logger.error("twilio.opt_out_not_saved error=%s", type(error).__name__)
