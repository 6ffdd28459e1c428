"""The web chat on the real assistant, in headless Chromium: a pothole with a photo and a typed address goes
all the way to the back office, once with the mouse and once with the keyboard only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import requests
from playwright.sync_api import BrowserContext, Page

from tests.fixtures.browser import ChatPage, photo_file
from tests.fixtures.media import phone_jpeg
from tests.fixtures.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def reference(texts: list[str]) -> str:
    found = re.search(r"number is (\d+)", " ".join(texts))
    assert found, texts
    return found.group(1)


def assert_filed_with_photo(stack: Stack, number: str, address: str) -> None:
    request = requests.get(f"{stack.backoffice.url}requests/{number}.json", timeout=10).json()[0]
    assert request["service_code"] == "pothole" and request["address"] == address
    photo = requests.get(request["media_url"], timeout=10)
    assert photo.headers["content-type"] == "image/jpeg" and b"Exif" not in photo.content


def open_chat(stack: Stack, browser_context: Callable[..., BrowserContext]) -> ChatPage:
    context = browser_context()
    return ChatPage(context.new_page(), stack.webhook("webchat", "chat")).open()


def test_a_pothole_with_a_photo_and_a_typed_address(stack: Stack, browser_context):
    chat = open_chat(stack, browser_context)
    replies = chat.send("there's a pothole in the road")
    assert "Where is it?" in replies[-1].text
    replies = chat.send("Lönnrotinkatu 11")
    while any(b == "Skip" for r in replies for b in r.buttons) and "photo" not in replies[-1].text:
        replies = chat.click_button("Skip")  # the pothole's optional questions
    assert "photo" in replies[-1].text
    replies = chat.upload_photo(phone_jpeg())
    assert "Shall I send it" in replies[-1].text and "1 photo" in replies[-1].text
    replies = chat.click_button("Send it")
    assert_filed_with_photo(stack, reference([r.text for r in replies]), "Lönnrotinkatu 11")
    chat.reload()
    assert any("number is" in t for t in chat.bot_texts())  # the conversation survives a reload


def press_button(page: Page, title: str) -> None:
    """Tabs to a button of the latest message and presses it, without the mouse."""
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        active = page.evaluate(
            "() => [document.activeElement.tagName, document.activeElement.textContent.trim()]"
        )
        if active == ["BUTTON", title]:
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"could not reach the {title!r} button with the keyboard")


def tab_to(page: Page, element_id: str) -> None:
    """Tabs until the element has the focus (every earlier message's buttons are on the way)."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == element_id:
            return
    raise AssertionError(f"could not reach #{element_id} with the keyboard")


def wait_for_bot(chat: ChatPage, count: int) -> list[str]:
    chat.page.wait_for_function(
        f"() => document.querySelectorAll('#log .msg[data-from=bot]').length >= {count}"
    )
    chat.wait_idle()
    return chat.bot_texts()


def test_the_same_report_with_the_keyboard_only(stack: Stack, browser_context):
    chat = open_chat(stack, browser_context)
    page = chat.page
    page.focus("#message")
    seen = len(chat.bot_texts())
    page.keyboard.type("big pothole in the road")
    page.keyboard.press("Enter")
    texts = wait_for_bot(chat, seen + 1)
    page.keyboard.type("Simonkatu 8")
    page.keyboard.press("Enter")
    texts = wait_for_bot(chat, len(texts) + 1)
    while "photo" not in texts[-1]:
        press_button(page, "Skip")
        texts = wait_for_bot(chat, len(texts) + 1)
    tab_to(page, "photo")  # "Add a photo", then open the file chooser with Space
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=[photo_file(phone_jpeg())])
    texts = wait_for_bot(chat, len(texts) + 1)
    assert "Shall I send it" in texts[-1]
    press_button(page, "Send it")
    texts = wait_for_bot(chat, len(texts) + 1)
    assert_filed_with_photo(stack, reference(texts[-1:]), "Simonkatu 8")
