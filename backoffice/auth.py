"""Who may call what: Open311 `api_key` checks for POSTs and HTTP Basic logins for the staff API."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request

from .accounts import authenticate
from .errors import ApiError
from .state import state

F = TypeVar("F", bound=Callable[..., Any])

STAFF_CHALLENGE = {"WWW-Authenticate": 'Basic realm="backoffice staff", charset="UTF-8"'}


def key_is_valid(given: str, accepted: tuple[str, ...]) -> bool:
    """Whether `given` is an accepted key (constant-time compare); with no keys set, nothing is accepted."""
    found = False
    for key in accepted:
        # Every key is compared, so timing does not tell which one (or whether any) matched.
        found |= hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8"))
    return found and bool(given)


def require_api_key() -> None:
    """Refuses the current request with 403 unless its `api_key` parameter is an accepted key.

    Raises:
        ApiError: 403 when the key is missing, wrong, or the server accepts no keys at all.
    """
    given = request.values.get("api_key", "")
    if not key_is_valid(given, state().settings.api_keys):
        raise ApiError(403, "api_key was not provided or is not valid")


def staff_required(view: F) -> F:
    """Decorates a staff view: HTTP Basic auth against staff users, 401 with a challenge otherwise."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        auth = request.authorization
        if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
            raise ApiError(401, "staff login required", STAFF_CHALLENGE)
        with state().session() as session:
            user = authenticate(session, auth.username, auth.password)
        if user is None:
            raise ApiError(401, "wrong staff user name or password", STAFF_CHALLENGE)
        g.staff_user_id = user.id
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
