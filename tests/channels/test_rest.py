"""The REST channel refuses every caller without the operator token."""

from __future__ import annotations

import pytest
import requests

from bot.channels.rest import TokenRestInput

BODY = {"sender": "operator-test", "message": "hi"}


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no token at all
        {"Authorization": "Bearer wrong"},  # a wrong token
        {"Authorization": "s3cret"},  # the right secret without the Bearer scheme
    ],
)
def test_calls_without_the_token_are_refused_and_reach_nobody(channel_server, headers):
    server = channel_server(TokenRestInput("s3cret"))
    response = requests.post(server.webhook(), json=BODY, headers=headers, timeout=5)
    assert response.status_code == 403
    assert server.messages == []


def test_with_the_token_the_message_reaches_the_conversation(channel_server):
    server = channel_server(TokenRestInput("s3cret"))
    headers = {"Authorization": "Bearer s3cret"}
    response = requests.post(server.webhook(), json=BODY, headers=headers, timeout=5)
    assert response.status_code == 200
    assert [m.text for m in server.messages] == ["hi"]
    assert server.messages[0].sender_id == "operator-test"


def test_no_configured_token_means_the_channel_is_closed(channel_server):
    server = channel_server(TokenRestInput(""))
    response = requests.post(server.webhook(), json=BODY, headers={"Authorization": "Bearer "}, timeout=5)
    assert response.status_code == 403
