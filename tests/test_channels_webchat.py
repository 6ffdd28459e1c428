"""The web chat connector over real HTTP: a Sanic server on loopback with the channel mounted as `rasa run`
mounts it, and a recording stand-in for Rasa (`tests/fixtures/channels.py`)."""

from __future__ import annotations

import asyncio
import html.parser
import io
import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from rasa.core.channels.channel import UserMessage

from bot.channels.webchat.connector import WebchatInput
from bot.channels.webchat.tokens import SessionTokens
from bot.photos.intake import PhotoIntake
from bot.photos.store import LocalMediaStore
from bot.settings import get_settings
from bot.text import MAX_TEXT
from tests.fixtures.channels import ChannelServer
from tests.fixtures.media import phone_jpeg

SECRET = "test-webchat-secret-0123456789abcdef"
# 60° 10' 12" N, 24° 56' 24" E: central Helsinki, as a phone writes it into EXIF.
GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 24.0))
BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Share my location", "payload": "/share_location"},
]


async def scripted_reply(message: UserMessage) -> None:
    """Answers like the assistant: buttons for "pothole", a note for photos/positions, else an echo."""
    out, to = message.output_channel, message.sender_id
    if message.text == "pothole":
        await out.send_text_with_buttons(to, "Is it on the road?", BUTTONS)
        await out.send_image_url(to, "https://city.example/pothole-example.jpg")
    elif message.text == "slow":
        await asyncio.sleep(0.8)
        await out.send_text_message(to, "Sorry, that took a while.")
    else:
        await out.send_text_message(to, f"echo: {message.text}")


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def webchat(channel_server: Callable[..., ChannelServer], media_dir: Path) -> Callable[..., ChannelServer]:
    """Factory: a running web chat (with the scripted assistant unless told otherwise)."""

    def start(secret: str = SECRET, reply: Any = scripted_reply, **options: Any) -> ChannelServer:
        store = LocalMediaStore(media_dir, "http://127.0.0.1:9/webhooks/media/files")
        channel = WebchatInput(secret, photos=PhotoIntake(store=store), **options)
        return channel_server(channel, reply)

    return start


def new_token(server: ChannelServer) -> str:
    response = requests.post(server.webhook("session"), json={}, timeout=10)
    assert response.status_code == 200
    return str(response.json()["token"])


def post(server: ChannelServer, token: str | None, timeout: float = 10, **body: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server.webhook(), json=body, headers=headers, timeout=timeout)


def upload(
    server: ChannelServer, token: str, data: bytes, name: str = "photo.jpg", **fields: str
) -> requests.Response:
    return requests.post(
        server.webhook(),
        files={"photo": (name, data, "image/jpeg")},
        data=fields,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def nothing_reached_rasa(server: ChannelServer) -> bool:
    return server.wait_for_messages(1, timeout=0.3) == []


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


# ------------------------------------------------------------------------------------------- messages


def test_text_reaches_rasa_and_the_replies_come_back(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    answer = post(server, token, message_id="m1", text="pothole")
    assert answer.status_code == 200
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.json() == {
        "messages": [
            {"text": "Is it on the road?", "buttons": BUTTONS, "image": None},
            {"text": "", "buttons": [], "image": "https://city.example/pothole-example.jpg"},
        ]
    }
    message = server.wait_for_messages(1)[0]
    assert (message.text, message.input_channel) == ("pothole", "webchat")
    assert message.metadata == {"channel": "webchat"}


def test_typed_commands_are_only_words(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    post(server, new_token(server), message_id="m1", text='/restart{"x": 1}')
    message = server.wait_for_messages(1)[0]
    assert message.text == 'restart{"x": 1}' and "button" not in message.metadata


def test_offered_buttons_are_payloads_and_anything_else_is_text(
    webchat: Callable[..., ChannelServer],
) -> None:
    server = webchat()
    token = new_token(server)
    post(server, token, message_id="m1", text="pothole")  # offers /affirm, /deny, /share_location
    post(server, token, message_id="m2", payload="/affirm")  # offered: a real button press
    post(server, token, message_id="m3", payload="/deny")  # offered one turn ago: stale now, so words
    post(server, token, message_id="m4", payload="/restart")  # never offered: forged, so words
    messages = server.wait_for_messages(4)
    assert [(m.text, m.metadata.get("button")) for m in messages[1:]] == [
        ("/affirm", True),
        ("deny", None),
        ("restart", None),
    ]


def test_the_location_button_is_never_a_payload(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    post(server, token, message_id="m1", text="pothole")
    post(server, token, message_id="m2", payload="/share_location")  # the page sends a position instead
    assert server.wait_for_messages(2)[1].text == "share_location"


def test_a_repeated_message_id_is_one_turn(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    first = post(server, token, message_id="same", text="hello")
    second = post(server, token, message_id="same", text="hello")
    assert first.json()["messages"][0]["text"] == "echo: hello"
    assert second.json() == {"messages": [], "duplicate": True}
    time.sleep(0.3)
    assert len(server.messages) == 1


def test_the_same_message_id_in_another_session_is_another_message(
    webchat: Callable[..., ChannelServer],
) -> None:
    server = webchat()
    post(server, new_token(server), message_id="1", text="a")
    post(server, new_token(server), message_id="1", text="b")
    assert [m.text for m in server.wait_for_messages(2)] == ["a", "b"]


def test_long_text_is_trimmed_and_empty_text_refused(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    for empty in ("", "   ", "/"):  # nothing, blanks, and a slash that is no words once cleaned
        answer = post(server, token, message_id=f"e{len(empty)}", text=empty)
        assert answer.status_code == 400 and answer.json()["message"]
    assert post(server, token, message_id="long", text="x" * 20_000).status_code == 200
    assert len(server.wait_for_messages(1)[0].text) == MAX_TEXT


def test_browser_location_becomes_metadata(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    assert post(server, token, message_id="g1", latitude=60.1699, longitude=24.9384).status_code == 200
    message = server.wait_for_messages(1)[0]
    assert message.text == "/share_location"
    assert message.metadata == {"channel": "webchat", "latitude": 60.1699, "longitude": 24.9384}
    # Out of range, or not numbers: refused before anything reaches Rasa.
    for latitude, longitude in ((91, 24.9), (60.1, "24.9"), (True, 24.9)):
        assert (
            post(server, token, message_id="bad", latitude=latitude, longitude=longitude).status_code == 400
        )
    assert len(server.messages) == 1


# --------------------------------------------------------------------------------------------- photos


def test_a_photo_is_stored_without_exif_and_its_position_kept(
    webchat: Callable[..., ChannelServer], media_dir: Path
) -> None:
    server = webchat()
    token = new_token(server)
    assert upload(server, token, phone_jpeg(gps=GPS), message_id="p1").status_code == 200
    assert upload(server, token, phone_jpeg(), message_id="p2", text="/big hole").status_code == 200
    first, second = server.wait_for_messages(2)
    assert first.text == "/share_photo"  # a photo with no words
    assert first.metadata["channel"] == "webchat"
    assert first.metadata["photo_gps"] == pytest.approx([60.17, 24.94], abs=1e-6)
    (url,) = first.metadata["photo_urls"]
    stored = media_dir / url.rsplit("/", 1)[1]
    assert stored.exists()
    assert not Image.open(io.BytesIO(stored.read_bytes())).getexif()  # the position left with the photo
    assert second.text == "big hole"  # a caption is words, a leading slash and all
    assert "photo_gps" not in second.metadata


def test_a_page_named_jpg_is_refused_kindly(webchat: Callable[..., ChannelServer], media_dir: Path) -> None:
    server = webchat()
    answer = upload(server, new_token(server), b"<!doctype html><script>alert(1)</script>", name="cat.jpg")
    assert answer.status_code == 422
    assert "JPEG, PNG or WebP" in answer.json()["message"]
    assert nothing_reached_rasa(server)
    assert not media_dir.exists() or not any(media_dir.iterdir())


def test_an_upload_over_the_cap_is_refused_before_it_is_read(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(max_photo_bytes=100_000)
    token = new_token(server)
    host, port = server.url.removeprefix("http://").split(":")
    # Only the headers are sent: the answer must come without the server waiting for the 5 MB body.
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /webhooks/webchat/webhook HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000\r\n\r\n"
        )
        head, _, body = _read_response(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert "too big" in json.loads(body)["message"]
    assert nothing_reached_rasa(server)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


# ---------------------------------------------------------------------------- the assistant on its own


def test_messages_sent_later_wait_for_the_browser(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    session_id = token.partition(".")[0]
    output = server.channel.get_output_channel()
    assert output is not None and output.name() == "webchat"

    async def say() -> None:
        await output.send_text_message(f"web:{session_id}", "Your report was filed: #42")
        await output.send_text_with_buttons(
            f"web:{session_id}", "Is it fixed?", [{"title": "Yes", "payload": "/fixed"}]
        )

    assert server.loop is not None
    asyncio.run_coroutine_threadsafe(say(), server.loop).result(5)
    auth = {"Authorization": f"Bearer {token}"}
    updates = requests.get(server.webhook("updates"), headers=auth, timeout=10).json()["messages"]
    assert [m["text"] for m in updates] == ["Your report was filed: #42", "Is it fixed?"]
    assert requests.get(server.webhook("updates"), headers=auth, timeout=10).json() == {"messages": []}
    # A button offered on its own is a real button too.
    post(server, token, message_id="b1", payload="/fixed")
    assert server.wait_for_messages(1)[0].metadata.get("button") is True


def test_waiting_messages_come_first_in_the_next_answer(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat()
    token = new_token(server)
    output = server.channel.get_output_channel()
    assert output is not None and server.loop is not None
    sender = "web:" + token.partition(".")[0]
    asyncio.run_coroutine_threadsafe(output.send_text_message(sender, "Status: fixed"), server.loop).result(5)
    texts = [m["text"] for m in post(server, token, message_id="m1", text="hi").json()["messages"]]
    assert texts == ["Status: fixed", "echo: hi"]


def test_a_slow_answer_is_fetched_later(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(turn_timeout=0.2)
    token = new_token(server)
    answer = post(server, token, message_id="s1", text="slow").json()
    assert answer == {"messages": [], "pending": True}
    auth = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 5
    texts: list[str] = []
    while not texts and time.monotonic() < deadline:
        time.sleep(0.1)
        texts = [
            m["text"]
            for m in requests.get(server.webhook("updates"), headers=auth, timeout=10).json()["messages"]
        ]
    assert texts == ["Sorry, that took a while."]


def test_one_sessions_messages_are_handled_in_order(webchat: Callable[..., ChannelServer]) -> None:
    server = webchat(turn_timeout=0.05)
    token = new_token(server)
    post(server, token, message_id="1", text="slow")  # still running when the next one arrives
    post(server, token, message_id="2", text="after")
    assert [m.text for m in server.wait_for_messages(2)] == ["slow", "after"]


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
