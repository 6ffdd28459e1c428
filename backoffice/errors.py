"""Errors in the Open311 shape, `[{"code": <int>, "description": "..."}]`, for every failure answered."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A failure to answer with an Open311 error array and the matching HTTP status."""

    def __init__(self, status: int, description: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = headers or {}


def error_response(status: int, description: str, headers: dict[str, str] | None = None) -> Response:
    """An Open311 error array response."""
    response = jsonify([{"code": status, "description": description}])
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.description, error.headers)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if isinstance(error, RequestEntityTooLarge):
        return error_response(413, "the request body is too large")
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "www-authenticate")}
    return error_response(status, error.description or error.name, headers)


def _unexpected(error: Exception) -> Response:
    # Logged with its traceback for the operators; the client only learns that something failed.
    logger.exception("backoffice.unexpected_error type=%s", type(error).__name__)
    return error_response(500, "internal server error")


def register_error_handlers(app: Flask) -> None:
    """Makes every error the app answers (ours, Werkzeug's 404/405/413, crashes) an Open311 error array."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
