"""Web chat session tokens, signed so a browser can never pick or guess another resident's conversation.

The server picks every session id at random and signs it; a browser can only hold ids this server gave out.

A token is `<session id>.<signature>`: the id is 192 random bits (URL-safe base64), the signature is
HMAC-SHA256 of the id under `WEBCHAT_SECRET` (URL-safe base64, no padding).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

_ID_BYTES = 24  # 192 bits: far beyond guessing, and a whole number of base64 characters (32)
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes of HMAC-SHA256, unpadded base64
_CONTEXT = b"webchat-session:"  # keeps these signatures apart from anything else signed with the secret
MAX_TOKEN_LENGTH = 128


class SessionTokens:
    """Issues and verifies signed session tokens."""

    def __init__(self, secret: str) -> None:
        """Args: secret: `WEBCHAT_SECRET`; empty means the web chat is not configured."""
        self._key = secret.encode("utf-8")

    @property
    def configured(self) -> bool:
        """Whether a secret is set (without one no token can be issued or trusted)."""
        return bool(self._key)

    def issue(self) -> str:
        """A new token for a new, random session id.

        Raises:
            RuntimeError: no secret is configured.
        """
        if not self._key:
            raise RuntimeError("WEBCHAT_SECRET is not set")
        session_id = secrets.token_urlsafe(_ID_BYTES)
        return f"{session_id}.{self._sign(session_id)}"

    def verify(self, token: object) -> str | None:
        """The session id of a genuine token, or None for anything missing, malformed, forged or tampered."""
        if not self._key or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return None
        session_id, dot, signature = token.partition(".")
        if not dot or not _SESSION_ID.fullmatch(session_id) or not _SIGNATURE.fullmatch(signature):
            return None
        # Constant-time comparison: timing must not reveal how much of a forged signature was right.
        if not hmac.compare_digest(signature.encode("ascii"), self._sign(session_id).encode("ascii")):
            return None
        return session_id

    def from_authorization(self, header: str | None) -> str | None:
        """The session id in an `Authorization: Bearer <token>` header; None when missing or not genuine."""
        scheme, _, token = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.verify(token.strip())

    def _sign(self, session_id: str) -> str:
        digest = hmac.new(self._key, _CONTEXT + session_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
