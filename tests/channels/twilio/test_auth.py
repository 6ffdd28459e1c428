"""Proving a webhook came from Twilio: published signature vectors, and forged, unsigned, oversized or
wrongly typed webhooks posted to the connector on loopback (`start`, `tests/fixtures/twilio_fake.py`)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.twilio.auth import SignatureCheck
from tests.fixtures.twilio_fake import DATA_DIR, Start, answer_with, encode_fields, with_fields

PUBLIC_WEBHOOK = "https://sms.city.example/webhooks/twilio/webhook"


# ------------------------------------------------------------------------------- signatures (unit)

VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
DOCS_PARAMS = {**VECTOR_PARAMS, "Caller": "+14158675310", "From": "+14158675310"}
DUPLICATE_PARAMS = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234"]}


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        # Twilio's documented worked example (S2).
        ("https://example.com/myapp.php?foo=1&bar=2", DOCS_PARAMS, "L/OH5YylLD5NRKLltdqwSvS0BnU="),
        # twilio-python's own vector (S3).
        ("https://mycompany.com/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
        # An explicit default port is signed as sent (SMS keeps the port).
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w="),
        ("http://mycompany.com:80/myapp.php?foo=1&bar=2", VECTOR_PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4="),
        # Repeated keys: every value is signed, sorted.
        ("https://mycompany.com/myapp.php?foo=1&bar=2", DUPLICATE_PARAMS, "IK+Dwps556ElfBT0I3Rgjkr1wJU="),
    ],
)
def test_published_vectors_validate(url: str, params: dict[str, Any], expected: str) -> None:
    fields = {key: value if isinstance(value, list) else [value] for key, value in params.items()}
    check = SignatureCheck("12345")
    assert check.is_valid(url, fields, expected)
    assert not check.is_valid(url, fields, expected[:-2] + "A=")  # one character off
    assert not SignatureCheck("54321").is_valid(url, fields, expected)  # another account's token
    assert not check.is_valid(url.replace("foo=1", "foo=2"), fields, expected)  # another URL
    if not any(isinstance(value, list) for value in params.values()):
        assert RequestValidator("12345").validate(url, params, expected)


def test_json_body_vector_validates_with_twilio_validator() -> None:
    body = '{"property": "value", "boolean": true}'
    url = (
        "https://mycompany.com/myapp.php?foo=1&bar=2"
        "&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
    )
    assert RequestValidator("12345").validate(url, body, "a9nBmqA0ju/hNViExpshrM61xv4=")
    assert not RequestValidator("12345").validate(
        url, body.replace("true", "false"), "a9nBmqA0ju/hNViExpshrM61xv4="
    )


def test_recorded_payloads_say_where_they_came_from() -> None:
    for path in DATA_DIR.glob("*.json"):
        assert json.loads(path.read_text())["_source"]


# -------------------------------------------------------------------------------- webhook: refusals


def test_forged_webhooks_are_refused_and_reach_no_one(start: Start) -> None:
    h = start(reply=answer_with({"text": "Thanks"}))
    fields = h.fields("forged report")
    forgeries: dict[str, dict[str, Any]] = {
        "forged signature": {"headers": {"X-Twilio-Signature": "L/OH5YylLD5NRKLltdqwSvS0BnU="}},
        "missing signature": {"headers": {"X-Twilio-Signature": None}},  # requests then sends no header
        "empty signature": {"headers": {"X-Twilio-Signature": ""}},
        "signed for another URL": {"signed_url": "https://evil.example/webhooks/twilio/webhook"},
        "signed with another token": {"token": "not-the-token"},
        "body changed after signing": {"body": encode_fields(with_fields(fields, Body="tampered"))},
        "field added after signing": {"body": encode_fields([*fields, ("Latitude", "60.1")])},
    }
    for what, kwargs in forgeries.items():
        assert h.post(fields, **kwargs).status_code == 403, what
    h.sms("the real one")  # same sender: queued behind anything a forgery might have started
    assert h.texts(1) == ["the real one"]
    assert len(h.twilio.wait_for_sent(1)) == 1
    time.sleep(0.2)
    assert len(h.server.messages) == 1
    assert len(h.twilio.sent) == 1  # only the real message was answered


def test_without_an_auth_token_every_webhook_is_refused(start: Start) -> None:
    h = start(twilio_auth_token="")
    assert h.post(h.fields("hello"), token="").status_code == 403  # "signed" with the empty token
    time.sleep(0.2)
    assert h.server.messages == []


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/json", 415),  # Twilio's message webhook is always form-encoded
        ("text/plain", 415),
        ("application/x-www-form-urlencoded; charset=UTF-8", 200),  # parameters after the type are fine
    ],
)
def test_content_type_must_be_form(start: Start, content_type: str, status: int) -> None:
    h = start()
    assert h.post(h.fields("hello"), headers={"Content-Type": content_type}).status_code == status


def test_oversized_bodies_are_refused(start: Start) -> None:
    h = start()
    big = h.fields("x" * 70_000)
    assert h.post(big).status_code == 413  # declared length over the 64 KB cap
    data = encode_fields(big)
    chunks = (data[i : i + 8192] for i in range(0, len(data), 8192))
    assert h.post(big, body=chunks).status_code == 413  # chunked, no declared length: counted while read
    h.sms("small")
    assert h.texts(1) == ["small"]


# ---------------------------------------------------------------------------- webhook: the URL signed


def test_configured_public_url_is_what_is_checked(start: Start) -> None:
    h = start(twilio_webhook_url=PUBLIC_WEBHOOK)
    # Behind a proxy Twilio signs the public URL, not the one the server sees.
    assert h.post(h.fields("seen through the proxy"), signed_url=PUBLIC_WEBHOOK).status_code == 200
    assert h.post(h.fields("signed for the inside URL")).status_code == 403
    assert h.texts(1) == ["seen through the proxy"]


@pytest.mark.parametrize(
    ("trust", "status"),
    [
        (True, 200),  # a trusted proxy's X-Forwarded-* rebuild the URL Twilio called
        (False, 403),  # untrusted, the headers are ignored: anyone can send them
    ],
)
def test_forwarded_headers_only_when_trusted(start: Start, trust: bool, status: int) -> None:
    h = start(trust_forwarded=trust)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.city.example"}
    answer = h.post(h.fields("hello"), signed_url=PUBLIC_WEBHOOK, headers=headers)
    assert answer.status_code == status
