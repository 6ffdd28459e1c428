"""Lenient parsing of what Open311 servers answer (`bot/open311/models.py`)."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import pytest

from bot.open311.models import (
    ErrorKind,
    Open311Error,
    parse_definition,
    parse_request,
    parse_service,
    parse_submit,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2012-05-23T15:55:28-04:00", datetime(2012, 5, 23, 19, 55, 28, tzinfo=timezone.utc)),  # offset
        ("2012-05-23T19:55:28Z", datetime(2012, 5, 23, 19, 55, 28, tzinfo=timezone.utc)),  # Zulu
        (
            "2012-05-23T19:55:28.123456789+0000",
            datetime(2012, 5, 23, 19, 55, 28, 123456, tzinfo=timezone.utc),
        ),
        ("2012-05-23 19:55:28", datetime(2012, 5, 23, 19, 55, 28, tzinfo=timezone.utc)),  # naive = UTC
        ("2012-05-23", datetime(2012, 5, 23, tzinfo=timezone.utc)),  # date only
        (None, None),  # missing
        ("yesterday", None),  # garbage never fails the whole request
        ("2012-13-45T00:00:00Z", None),  # impossible date
    ],
)
def test_datetimes_become_aware_or_none(raw: Any, expected: datetime | None) -> None:
    parsed = parse_request({"service_request_id": "1", "requested_datetime": raw}).requested_datetime
    assert parsed == expected
    assert parsed is None or parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("lat", "long", "expected"),
    [
        ("60.17", "24.94", (60.17, 24.94)),  # numbers as strings
        (0, 0, (None, None)),  # 0/0 means "no location"
        ("0", "0.0", (None, None)),
        (None, 24.9, (None, None)),  # half a location is no location
        (91, 24.9, (None, None)),  # out of range
        ("", "", (None, None)),
    ],
)
def test_coordinates(lat: Any, long: Any, expected: tuple[Any, Any]) -> None:
    parsed = parse_request({"service_request_id": "1", "lat": lat, "long": long})
    assert (parsed.lat, parsed.long) == expected


def test_definition_with_strings_and_missing_order() -> None:
    definition = parse_definition(
        {"attributes": [{"code": "b", "required": "true", "variable": "false"}, {"code": "a", "order": "1"}]},
        "svc",
    )
    assert definition.service_code == "svc"
    assert [a.code for a in definition.attributes] == ["a", "b"]  # no order: last
    assert definition.attributes[1].required is True and definition.attributes[1].variable is False


def test_parsers_raise_only_open311_errors() -> None:
    # random JSON-ish values in every field: each parser returns a value or raises Open311Error, nothing else
    rng = random.Random(311)
    junk: list[Any] = [
        None,
        "",
        " ",
        "0",
        "true",
        0,
        -1,
        1.5e308,
        float("nan"),
        [],
        {},
        [1],
        {"a": 1},
        "x" * 5000,
    ]
    keys = ["service_code", "service_name", "metadata", "keywords", "service_request_id", "lat", "long"]
    keys += [
        "requested_datetime",
        "followers",
        "distance_m",
        "token",
        "attributes",
        "order",
        "values",
        "code",
    ]
    for _ in range(400):
        obj = {k: rng.choice(junk) for k in rng.sample(keys, rng.randint(0, len(keys)))}
        for parse in (parse_service, parse_request, parse_submit, lambda o: parse_definition(o, "c")):
            try:
                parse(rng.choice([obj, rng.choice(junk)]))
            except Open311Error as exc:
                assert exc.kind is ErrorKind.BAD_RESPONSE
