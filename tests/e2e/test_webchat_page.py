"""The web chat page in a real headless Chromium, against the real connector on loopback and a scripted
stand-in for Rasa that answers as the assistant does (text, buttons including `/share_location`, an image).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from rasa.core.channels.channel import UserMessage

from bot.channels.webchat.connector import WebchatInput
from bot.photos.intake import PhotoIntake
from bot.photos.store import LocalMediaStore
from tests.fixtures.browser import DESKTOP, HELSINKI, PHONE, ChatPage, photo_file
from tests.fixtures.channels import ChannelServer
from tests.fixtures.media import phone_jpeg

pytestmark = pytest.mark.browser


SECRET = "browser-test-secret-0123456789abcdef"
MAX_PHOTO = 200_000
GPS = ("N", (60.0, 10.0, 12.0), "E", (24.0, 56.0, 24.0))
SAFE_TEXT = "<img src=x onerror=alert(1)> & <b>not bold</b>"


class Assistant:
    """Answers like the assistant would; its image is one of the chat's own files (same origin)."""

    def __init__(self) -> None:
        self.image_url = ""

    async def __call__(self, message: UserMessage) -> None:
        out, to, meta = message.output_channel, message.sender_id, message.metadata or {}
        if meta.get("photo_urls"):
            await out.send_text_message(to, "Thanks, I got your photo.")
        elif "latitude" in meta:
            await out.send_text_message(
                to, f"Got your location: {meta['latitude']:.4f}, {meta['longitude']:.4f}"
            )
        elif message.text == "/affirm":
            await out.send_text_message(to, "Great, your report is filed.")
        elif "pothole" in message.text:
            await out.send_text_with_buttons(
                to,
                "Where is the pothole? Is it on the road?",
                [
                    {"title": "Share my location", "payload": "/share_location"},
                    {"title": "Yes", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            )
            await out.send_image_url(to, self.image_url)
        else:
            await out.send_text_message(to, f"You said: {message.text}")


@pytest.fixture
def chat_server(channel_server: Callable[..., ChannelServer], tmp_path: Path) -> ChannelServer:
    store = LocalMediaStore(tmp_path / "media", "http://127.0.0.1:9/webhooks/media/files")
    channel = WebchatInput(SECRET, photos=PhotoIntake(store=store), max_photo_bytes=MAX_PHOTO)
    assistant = Assistant()
    server = channel_server(channel, assistant)
    assistant.image_url = server.webhook("static/icon.svg")
    return server


@pytest.fixture
def open_chat(
    chat_server: ChannelServer, browser_context: Callable[..., BrowserContext]
) -> Iterator[Callable[..., ChatPage]]:
    """Factory: the chat open in a new context; every request the page makes is checked to stay local."""
    requests_seen: list[str] = []
    errors: list[str] = []

    def open_page(viewport: dict[str, int] = PHONE, geolocation: dict[str, float] | None = None) -> ChatPage:
        context = browser_context(viewport=viewport, geolocation=geolocation)
        page = context.new_page()
        page.on("request", lambda request: requests_seen.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        return ChatPage(page, chat_server.webhook("chat")).open()

    yield open_page
    assert requests_seen, "the page made no requests at all?"
    outside = [url for url in requests_seen if not url.startswith((chat_server.url, "blob:"))]
    assert outside == []  # no CDN, no fonts, nothing but this server
    # No script errors, no CSP violations (Chromium also logs a refused photo's 422: the page handles that).
    assert [e for e in errors if "status of 422" not in e] == []


def focused(page: Page) -> dict[str, Any]:
    """What has the keyboard focus, and whether a focus outline is drawn (on it, or on its label)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const shown = el.id === 'photo' ? document.querySelector('label[for=photo]') : el;
            const style = getComputedStyle(shown);
            return {id: el.id, tag: el.tagName, text: (el.textContent || '').trim(),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
        }"""
    )


def tab_to(
    page: Page, predicate: Callable[[dict[str, Any]], bool], key: str = "Tab", limit: int = 15
) -> dict[str, Any]:
    """Presses Tab (or Shift+Tab) until the focused element matches; fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        if predicate(state):
            return state
    raise AssertionError(f"never reached the element with {key}; last focus: {focused(page)}")


def test_a_conversation_with_the_mouse(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    chat = open_chat(geolocation=HELSINKI)
    replies = chat.send("There is a pothole")
    assert [m.text for m in replies] == ["Where is the pothole? Is it on the road?", ""]
    assert replies[0].buttons == ("Use my location", "Yes", "No")
    assert replies[1].image == chat_server.webhook("static/icon.svg")
    assert chat.page.evaluate("() => document.querySelector('#log img.picture').naturalWidth") > 0
    assert chat.page.get_attribute("#log img.picture", "alt")

    assert [m.text for m in chat.click_button("Yes")] == ["Great, your report is filed."]
    pressed = chat_server.wait_for_messages(2)[1]
    assert (pressed.text, pressed.metadata["button"]) == ("/affirm", True)
    assert chat.page.locator("#log button.choice:enabled").count() == 0  # old buttons are retired

    assert [m.text for m in chat.upload_photo(phone_jpeg(gps=GPS))] == ["Thanks, I got your photo."]
    photo = chat_server.wait_for_messages(3)[2]
    assert photo.metadata["photo_urls"] and photo.metadata["photo_gps"] == pytest.approx([60.17, 24.94])

    assert [m.text for m in chat.use_my_location()] == ["Got your location: 60.1699, 24.9384"]
    position = chat_server.wait_for_messages(4)[3]
    assert (position.text, position.metadata["latitude"], position.metadata["longitude"]) == (
        "/share_location",
        HELSINKI["latitude"],
        HELSINKI["longitude"],
    )


def test_the_location_button_under_a_message_uses_the_browser(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    chat = open_chat(geolocation=HELSINKI)
    chat.send("pothole")
    assert chat.click_button("Use my location")[0].text.startswith("Got your location: 60.1699")
    assert chat_server.wait_for_messages(2)[1].metadata["latitude"] == HELSINKI["latitude"]


def test_message_text_is_shown_as_text(open_chat: Callable[..., ChatPage]) -> None:
    chat = open_chat()
    assert chat.send(SAFE_TEXT)[0].text == f"You said: {SAFE_TEXT}"
    assert chat.page.locator("#log b, #log img:not(.picture)").count() == 0  # nothing became markup


def test_the_conversation_survives_a_reload(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    chat = open_chat()
    chat.send("pothole")
    token, before = chat.token(), chat.messages()
    chat.reload()
    assert chat.token() == token and chat.messages() == before
    assert chat.page.locator("#log button.choice:enabled").count() == 3  # the last turn's buttons still work
    chat.click_button("Yes")
    first, second = chat_server.wait_for_messages(2)
    assert first.sender_id == second.sender_id and second.metadata["button"] is True

    chat.new_conversation()
    assert chat.messages() == [] and chat.token() not in (None, token)
    chat.send("hello again")
    assert chat_server.wait_for_messages(3)[2].sender_id != first.sender_id


def test_messages_the_assistant_sent_meanwhile_appear(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    import asyncio

    chat = open_chat()
    chat.send("hello")
    output = chat_server.channel.get_output_channel()
    assert output is not None and chat_server.loop is not None
    sender = chat_server.wait_for_messages(1)[0].sender_id
    coroutine = output.send_text_message(sender, "Your report #42 was fixed.")
    asyncio.run_coroutine_threadsafe(coroutine, chat_server.loop).result(5)
    chat.reload()  # the page fetches waiting messages when it opens (and every 20 s while open)
    assert chat.bot_texts()[-1] == "Your report #42 was fixed."


def test_a_photo_over_the_cap_is_refused_in_the_browser(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    chat = open_chat()
    too_big = phone_jpeg() + b"\0" * MAX_PHOTO
    chat.page.set_input_files("#photo", files=[photo_file(too_big, "big.jpg")])
    assert chat.status().startswith("Photo too large")
    assert chat.page.get_attribute("#status", "role") == "status"
    assert chat.messages() == [] and chat_server.messages == []


def test_a_file_that_is_not_a_photo_gets_a_kind_answer(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer
) -> None:
    chat = open_chat()
    page_as_jpg = photo_file(b"<!doctype html><p>not a photo</p>", "holiday.jpg")
    # The browser goes by the name and type it is given; the server looks at the bytes.
    chat.page.set_input_files("#photo", files=[page_as_jpg])
    chat.wait_idle()
    assert "JPEG, PNG or WebP" in chat.status()
    assert chat.page.locator("#log .msg.unsent").count() == 1  # the resident sees it did not go through
    assert chat_server.messages == []


def test_a_conversation_with_the_keyboard_only(
    open_chat: Callable[..., ChatPage], chat_server: ChannelServer, tmp_path: Path
) -> None:
    chat = open_chat(geolocation=HELSINKI)
    page = chat.page
    log = page.locator("#log")
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")

    state = tab_to(page, lambda s: s["id"] == "message")
    assert state["outline"]
    page.keyboard.type("There is a pothole")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#log .msg[data-from=bot]').length >= 2")
    chat.wait_idle()
    assert (
        log.locator(".msg[data-from=bot] .msg-text").first.inner_text()
        == "Where is the pothole? Is it on the road?"
    )

    state = tab_to(page, lambda s: s["text"] == "Yes", key="Shift+Tab")
    assert state["tag"] == "BUTTON" and state["outline"]
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelectorAll('#log .msg[data-from=bot]').length >= 3")
    chat.wait_idle()
    assert chat.bot_texts()[-1] == "Great, your report is filed."
    assert chat_server.wait_for_messages(2)[1].metadata["button"] is True

    assert focused(page)["id"] == "message"  # the pressed button was retired: the focus went to the input
    state = tab_to(page, lambda s: s["id"] == "photo")
    assert state["outline"]
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=[photo_file(phone_jpeg())])
    page.wait_for_function("() => document.querySelectorAll('#log .msg[data-from=bot]').length >= 4")
    chat.wait_idle()
    assert chat.bot_texts()[-1] == "Thanks, I got your photo."

    state = tab_to(page, lambda s: s["id"] == "share-location")
    assert state["outline"]
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#log .msg[data-from=bot]').length >= 5")
    chat.wait_idle()
    assert chat.bot_texts()[-1] == "Got your location: 60.1699, 24.9384"
    assert chat_server.wait_for_messages(4)[3].metadata["longitude"] == HELSINKI["longitude"]
    page.screenshot(path=str(tmp_path / "keyboard-phone.png"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_page_fits_the_screen(
    open_chat: Callable[..., ChatPage], tmp_path: Path, viewport: dict[str, int]
) -> None:
    chat = open_chat(viewport=viewport)
    chat.send("There is a pothole by the school")
    page = chat.page
    # Nothing runs off the side (no horizontal scrolling), text is at least 16px, controls are big enough.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    assert (
        page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.msg-text')).fontSize)")
        >= 16
    )
    for selector in ("#send", "#share-location", "label[for=photo]", "#log button.choice", "#message"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None and box["height"] >= 44, selector
    assert page.locator("#send").is_visible() and page.locator("#message").is_visible()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    page.screenshot(path=str(tmp_path / f"chat-{viewport['width']}.png"))
