"""Client for any city's back office over Open311 GeoReport v2, plus our back office's extensions.

Every public method either returns parsed values or raises `Open311Error`; nothing from `requests` or the
JSON decoder escapes. The api key travels only in POST bodies and is never logged; a POST is never followed
to another host. Values and lenient parsing live in `bot.open311.models`, wire formats in
`bot.open311.wire`.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import quote, urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from bot.open311.models import (
    Attribute,
    AttributeValue,
    ErrorKind,
    NewRequest,
    Open311Error,
    Service,
    ServiceDefinition,
    ServiceRequest,
    SubmitResult,
    bad,
    integer,
    parse_definition,
    parse_request,
    parse_service,
    parse_submit,
    text,
)
from bot.open311.wire import (
    coordinate,
    date_param,
    encode_request,
    interpret,
    read_body,
    safe_post_redirect,
)
from citydata.geometry import distance_m

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "Attribute",
    "AttributeValue",
    "ErrorKind",
    "NewRequest",
    "Open311Client",
    "Open311Error",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "SubmitResult",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

_USER_AGENT = "city-assistant-open311/1.0"


def _guarded(method: Callable[P, T]) -> Callable[P, T]:
    """Safety net: an unexpected exception becomes BAD_RESPONSE instead of escaping to the caller."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except Open311Error:
            raise
        except Exception as exc:  # the contract is "only Open311Error"
            logger.warning("Open311 %s failed unexpectedly: %s", method.__name__, type(exc).__name__)
            raise bad(f"unexpected {type(exc).__name__} while handling the answer") from exc

    return wrapper


class Open311Client:
    """Talks GeoReport v2 to one back office.

    Holds a `requests.Session` (pooled connections); give each thread its own client, or pass a session.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        jurisdiction_id: str = "",
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        parts = urlsplit((base_url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Open311Error(ErrorKind.UNSUPPORTED, "the Open311 base URL must be an http(s) URL")
        self._base = parts.geturl().rstrip("/") + "/"
        self._api_key = (api_key or "").strip()
        self._jurisdiction_id = (jurisdiction_id or "").strip()
        self._timeout = float(timeout) if timeout and timeout > 0 else 10.0
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"Open311Client({self._base!r}, jurisdiction_id={self._jurisdiction_id!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> Open311Client:
        """A client for the back office named in `bot.settings.Settings`."""
        return cls(
            settings.open311_url,
            settings.open311_api_key,
            settings.open311_jurisdiction_id,
            settings.open311_timeout,
        )

    # --- the spec ----------------------------------------------------------------------------------------

    @_guarded
    def services(self) -> list[Service]:
        """Every service the city accepts (GET services.json)."""
        return self._parse_all(self._get("services.json"), parse_service, "services")

    @_guarded
    def service_definition(self, service_code: str) -> ServiceDefinition:
        """The extra attributes of one service (GET services/{code}.json), sorted by `order`."""
        payload = self._get(f"services/{quote(str(service_code), safe='')}.json")
        items = self._items(payload, "service_definition")
        if not items:
            raise Open311Error(ErrorKind.NOT_FOUND, "no definition for that service")
        return parse_definition(items[0], str(service_code))

    @_guarded
    def submit(self, request: NewRequest) -> SubmitResult:
        """Files a new request (POST requests.json); the answer has an id, or a token for later."""
        headers = {"Idempotency-Key": request.idempotency_key} if request.idempotency_key else {}
        payload = self._post("requests.json", encode_request(request), headers)
        items = self._items(payload, "service_requests")
        if not items:
            raise bad("the submission answer is empty")
        return parse_submit(items[0])

    @_guarded
    def request(self, service_request_id: str) -> ServiceRequest:
        """One request by id (GET requests/{id}.json); NOT_FOUND when the server does not know it."""
        payload = self._get(f"requests/{quote(str(service_request_id), safe='')}.json")
        found = self._parse_all(payload, parse_request, "service_requests")
        # a lone answer counts even if the server spells the id differently (e.g. without leading zeros)
        wanted = [r for r in found if r.service_request_id == str(service_request_id)]
        wanted = wanted or (found if len(found) == 1 else [])
        if not wanted:
            raise Open311Error(ErrorKind.NOT_FOUND, "no such service request")
        return wanted[0]

    @_guarded
    def requests(
        self,
        *,
        service_request_ids: Iterable[str] | str | None = None,
        service_code: str | None = None,
        status: str | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
    ) -> list[ServiceRequest]:
        """Requests matching the spec's filters (GET requests.json)."""
        ids = [service_request_ids] if isinstance(service_request_ids, str) else service_request_ids
        params = {
            "service_request_id": ",".join(str(i) for i in ids) if ids else None,
            "service_code": service_code,
            "status": status,
            "start_date": date_param(start_date),
            "end_date": date_param(end_date),
        }
        return self._parse_all(self._get("requests.json", params), parse_request, "service_requests")

    @_guarded
    def request_id_for_token(self, token: str) -> str | None:
        """The id a token turned into (GET tokens/{token}.json); None while the server is still on it."""
        payload = self._get(f"tokens/{quote(str(token), safe='')}.json")
        for item in self._items(payload, "tokens"):
            if isinstance(item, dict) and text(item.get("service_request_id")):
                return text(item.get("service_request_id"))
        return None

    # --- our back office's extensions ---

    @_guarded
    def nearby(
        self,
        lat: float,
        long: float,
        radius_m: float,
        *,
        service_code: str | None = None,
        start_date: datetime | str | None = None,
    ) -> list[ServiceRequest]:
        """Open requests within `radius_m` metres of a point, nearest first (extension of requests.json).

        Raises:
            Open311Error: UNSUPPORTED when the server refuses the extension, or ignores it (answers with
                requests outside the radius and without `distance_m`).
        """
        if not (isinstance(radius_m, (int, float)) and math.isfinite(radius_m) and radius_m > 0):
            raise Open311Error(ErrorKind.REJECTED, "radius_m must be a positive number of metres")
        params = {
            "lat": coordinate(lat, 90, "lat"),
            "long": coordinate(long, 180, "long"),
            "radius": coordinate(radius_m, math.inf, "radius_m"),
            "status": "open",
            "service_code": service_code,
            "start_date": date_param(start_date),
        }
        try:
            payload = self._get("requests.json", params)
        except Open311Error as exc:
            if exc.kind in (ErrorKind.REJECTED, ErrorKind.NOT_FOUND, ErrorKind.UNSUPPORTED):
                raise Open311Error(ErrorKind.UNSUPPORTED, "nearby search refused", exc.status) from exc
            raise
        found = self._parse_all(payload, parse_request, "service_requests")
        return self._within(found, float(lat), float(long), float(radius_m), service_code)

    @_guarded
    def follow(self, service_request_id: str) -> int:
        """Adds a follower to a request (extension: POST requests/{id}/follow.json); returns the count.

        Raises:
            Open311Error: UNSUPPORTED when the server has no such endpoint (404, 405, 501); NOT_FOUND when
                the endpoint's 404 was about the request itself (a GET of the request finds nothing either).
        """
        path = f"requests/{quote(str(service_request_id), safe='')}/follow.json"
        try:
            payload = self._post(path, [], {})
        except Open311Error as exc:
            if exc.status == 404:
                self.request(service_request_id)  # raises NOT_FOUND when the request itself is unknown
            if exc.status in (404, 405, 501):
                raise Open311Error(ErrorKind.UNSUPPORTED, "following is not supported", exc.status) from exc
            raise
        for item in self._items(payload, "service_requests"):
            count = integer(item.get("followers")) if isinstance(item, dict) else None
            if count is not None:
                return count
        raise bad("the follow answer has no followers count")

    def close(self) -> None:
        """Closes the HTTP session's pooled connections."""
        self._session.close()

    # --- helpers ---

    def _within(
        self, found: list[ServiceRequest], lat: float, long: float, radius: float, service_code: str | None
    ) -> list[ServiceRequest]:
        """Checks that the server really searched near the point, and orders the answer by distance."""
        slack = radius * 1.5 + 25  # servers may measure to a polygon's edge or round coordinates
        result: list[tuple[float, ServiceRequest]] = []
        for item in found:
            distance = item.distance_m
            if distance is None:
                if item.lat is None or item.long is None:
                    raise Open311Error(ErrorKind.UNSUPPORTED, "the server ignored the nearby search")
                distance = distance_m(lat, long, item.lat, item.long)
                if distance > slack:
                    raise Open311Error(ErrorKind.UNSUPPORTED, "the server ignored the nearby search")
                item = _with_distance(item, distance)
            if item.status in ("open", "") and (service_code is None or item.service_code == service_code):
                result.append((distance, item))
        result.sort(key=lambda pair: pair[0])
        return [item for _, item in result]

    @staticmethod
    def _items(payload: Any, wrapper: str) -> list[Any]:
        """The answer as a list: arrays as they are, a bare object as one item, `{wrapper: [...]}` opened."""
        if isinstance(payload, list):
            return payload
        if isinstance(payload, dict):
            inner = payload.get(wrapper)
            return inner if isinstance(inner, list) else [payload]
        raise bad("the answer is neither a JSON array nor an object")

    def _parse_all(self, payload: Any, parse: Callable[[Any], T], wrapper: str) -> list[T]:
        """Parses every item, skipping broken ones; BAD_RESPONSE only when none of several parsed."""
        items = self._items(payload, wrapper)
        parsed: list[T] = []
        first_error: Open311Error | None = None
        for item in items:
            try:
                parsed.append(parse(item))
            except Open311Error as exc:
                first_error = first_error or exc
        if first_error is not None:
            logger.warning("Open311: skipped %d unusable %s entries", len(items) - len(parsed), wrapper)
            if not parsed:
                raise first_error
        return parsed

    def _get(self, path: str, params: dict[str, str | None] | None = None) -> Any:
        query = {key: value for key, value in (params or {}).items() if value is not None and value != ""}
        if self._jurisdiction_id:
            query["jurisdiction_id"] = self._jurisdiction_id
        return self._call("GET", path, query, None, {})

    def _post(self, path: str, form: list[tuple[str, str]], headers: dict[str, str]) -> Any:
        extra = [("jurisdiction_id", self._jurisdiction_id)] if self._jurisdiction_id else []
        key = [("api_key", self._api_key)] if self._api_key else []
        return self._call("POST", path, None, key + extra + form, headers)

    def _call(
        self,
        method: str,
        path: str,
        query: dict[str, str] | None,
        form: list[tuple[str, str]] | None,
        headers: dict[str, str],
    ) -> Any:
        started = time.monotonic()
        try:
            status, response_headers, body = self._exchange(
                method, urljoin(self._base, path), query, form, headers
            )
            payload = interpret(status, response_headers, body, self._api_key)
        except Open311Error as exc:
            logger.warning(
                "Open311 %s %s failed: %s (HTTP %s) after %.2fs",
                method, path, exc.kind.value, exc.status, time.monotonic() - started,
            )  # fmt: skip
            raise
        logger.debug("Open311 %s %s: HTTP %s in %.2fs", method, path, status, time.monotonic() - started)
        return payload

    def _exchange(
        self,
        method: str,
        url: str,
        query: dict[str, str] | None,
        form: list[tuple[str, str]] | None,
        headers: dict[str, str],
    ) -> tuple[int, Any, bytes]:
        """Sends one call (following safe redirects) and reads the whole body within the time budget."""
        deadline = time.monotonic() + 2 * self._timeout
        all_headers = {"Accept": "application/json", "User-Agent": _USER_AGENT, **headers}
        for _hop in range(4):
            try:
                response = self._session.request(
                    method, url, params=query, data=form, headers=all_headers,
                    timeout=(self._timeout, self._timeout), allow_redirects=method == "GET", stream=True,
                )  # fmt: skip
                try:
                    location = response.headers.get("Location")
                    if method == "POST" and response.is_redirect and location:
                        url = safe_post_redirect(url, urljoin(url, location), response.status_code)
                        continue
                    return response.status_code, response.headers, read_body(response, deadline)
                finally:
                    response.close()
            except requests.Timeout as exc:
                raise Open311Error(ErrorKind.TIMEOUT, "the server did not answer in time") from exc
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                if exc.args and isinstance(exc.args[0], ReadTimeoutError):  # a timeout while reading the body
                    raise Open311Error(ErrorKind.TIMEOUT, "the server did not answer in time") from exc
                raise Open311Error(ErrorKind.UNREACHABLE, "could not reach the server") from exc
            except requests.TooManyRedirects as exc:
                raise bad("the server redirected too many times") from exc
            except requests.RequestException as exc:
                raise bad(f"the HTTP exchange failed ({type(exc).__name__})") from exc
        raise bad("the server redirected the submission too many times")


def _with_distance(item: ServiceRequest, distance: float) -> ServiceRequest:
    return replace(item, distance_m=round(distance, 1))
