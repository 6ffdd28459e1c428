"""The web chat page and its files: a strict policy, no inline script, nothing else served.

Over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run` mounts it, and a
recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

import html.parser
from collections.abc import Callable

import pytest
import requests

from bot.channels.webchat.connector import WebchatInput
from bot.settings import get_settings
from tests.fixtures.channels import ChannelServer
from tests.fixtures.webchat import SECRET, new_token, post

# --------------------------------------------------------------------------------------- page and files


class _Scripts(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.handlers: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [name for name in found if name.startswith("on")]
        if tag == "script" and not found.get("src"):
            self.inline.append(tag)
        for name in ("src", "href"):
            value = found.get(name) or ""
            if "//" in value or value.startswith("data:"):
                self.external.append(value)


def test_the_page_has_a_strict_policy_and_no_inline_script(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    answer = requests.get(server.webhook("chat"), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in answer.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    scripts = _Scripts()
    scripts.feed(answer.text)
    assert (scripts.inline, scripts.handlers, scripts.external) == ([], [], [])


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("chat.js", "text/javascript"),
        ("chat.css", "text/css"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_static_files_are_served_with_their_types(
    webchat: Callable[..., ChannelServer], name: str, content_type: str
) -> None:
    answer = requests.get(webchat().webhook(f"static/{name}"), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(content_type)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "static/index.html",  # in the folder, but not a static file: the page has its own route and policy
        "static/..%2Fwebchat.py",  # an encoded step out of the folder
        "static/%2e%2e%2f%2e%2e%2fsettings.py",  # two encoded steps up
        "static/../webchat.py",  # a plain step up (normalised or not, never served)
        "static/.hidden",
    ],
)
def test_nothing_else_is_served(webchat: Callable[..., ChannelServer], path: str) -> None:
    answer = requests.get(webchat().webhook(path), timeout=10)
    assert answer.status_code == 404, (answer.status_code, answer.headers, answer.text[:300])
    assert "import" not in answer.text


def test_health_is_json_and_a_browser_is_sent_to_the_page(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    assert requests.get(server.webhook(""), timeout=10).json() == {"status": "ok"}
    answer = requests.get(server.webhook(""), headers={"Accept": "text/html"}, timeout=10)
    assert answer.url.endswith("/webhooks/webchat/chat") and 'role="log"' in answer.text


def test_rasa_builds_it_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, channel_server: Callable[..., ChannelServer]
) -> None:
    monkeypatch.setenv("WEBCHAT_SECRET", SECRET)
    monkeypatch.setenv("PUBLIC_URL", "https://chat.city.example/assistant")
    monkeypatch.setenv("MEDIA_S3_PUBLIC_URL", "https://photos.city.example/bucket")
    get_settings.cache_clear()
    try:
        channel = WebchatInput.from_credentials(None)  # credentials.yml entries are empty
    finally:
        get_settings.cache_clear()
    assert isinstance(channel, WebchatInput)
    server = channel_server(channel)
    policy = requests.get(server.webhook("chat"), timeout=10).headers["Content-Security-Policy"]
    # The assistant's images may come from where photos are kept, and from nowhere else.
    assert "img-src 'self' blob: https://chat.city.example https://photos.city.example;" in policy
    post(server, new_token(server), message_id="1", text="hi")  # signed with the secret from the environment
    assert server.wait_for_messages(1)[0].text == "hi"
