"""Web chat sessions: random, signed, resumable, and forged or missing tokens refused.

Over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run` mounts it, and a
recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests

from bot.channels.webchat.tokens import SessionTokens
from tests.fixtures.channels import ChannelServer
from tests.fixtures.webchat import new_token, nothing_reached_rasa, post

# ------------------------------------------------------------------------------------------- sessions


def test_sessions_are_random_signed_and_resumable(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    first, second = new_token(server), new_token(server)
    assert first != second
    session_id, _, signature = first.partition(".")
    assert len(session_id) >= 22 and signature  # ≥128 bits of randomness, plus the signature
    resumed = requests.post(server.webhook("session"), json={"token": first}, timeout=10).json()
    assert resumed["token"] == first and resumed["resumed"] is True
    post(server, first, message_id="m1", text="hello")
    assert server.wait_for_messages(1)[0].sender_id == f"web:{session_id}"


@pytest.mark.parametrize(
    "forge",
    [
        # a session id the browser made up, signed with another secret: the signature is the whole point
        lambda token: SessionTokens("another-secret").issue(),
        # someone else's session id with this token's signature
        lambda token: "A" * 32 + "." + token.partition(".")[2],
        # the right session id with one character of the signature changed
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        # the bare session id, unsigned
        lambda token: token.partition(".")[0],
    ],
)
def test_forged_tokens_are_not_resumed(
    webchat: Callable[..., ChannelServer], forge: Callable[[str], str]
) -> None:
    server = webchat()
    forged = forge(new_token(server))
    answer = requests.post(server.webhook("session"), json={"token": forged}, timeout=10).json()
    assert answer["resumed"] is False and answer["token"] != forged


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header at all
        "Bearer ",  # an empty token
        "Bearer not-a-token",  # garbage
        "Basic dXNlcjpwYXNz",  # another scheme
    ],
)
def test_webhook_without_a_genuine_token_is_refused(
    webchat: Callable[..., ChannelServer], authorization: str | None
) -> None:
    server = webchat()
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.post(
        server.webhook(), json={"message_id": "1", "text": "hi"}, headers=headers, timeout=10
    )
    assert answer.status_code == 403
    assert nothing_reached_rasa(server)


def test_tampered_and_made_up_tokens_are_refused(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    tampered = ("B" if token[0] != "B" else "C") + token[1:]  # another session id under the same signature
    made_up = SessionTokens("guessed-secret").issue()
    for forged in (tampered, made_up):
        assert post(server, forged, message_id="1", text="hi").status_code == 403
        assert (
            requests.get(
                server.webhook("updates"), headers={"Authorization": f"Bearer {forged}"}, timeout=10
            ).status_code
            == 403
        )
    assert nothing_reached_rasa(server)


def test_without_a_secret_the_chat_refuses_to_start(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(secret="")
    for answer in (
        requests.post(server.webhook("session"), json={}, timeout=10),
        requests.get(server.webhook(""), timeout=10),
        post(server, SessionTokens("x").issue(), message_id="1", text="hi"),
    ):
        assert answer.status_code == 503
        assert "WEBCHAT_SECRET" in answer.json()["message"]
    assert nothing_reached_rasa(server)
