"""Residents' typed text is only ever words: no commands, no control characters, capped."""

from __future__ import annotations

import pytest

from bot.text import as_plain_text


@pytest.mark.parametrize(
    ("typed", "seen_by_rasa"),
    [
        ("/restart", "restart"),  # Rasa would restart the conversation
        ('/inform{"service_code":"x"}', 'inform{"service_code":"x"}'),  # a forged payload
        ("  //stop", "stop"),
        ("/ /restart", "restart"),  # a slash, a space, then the command the first cleaning left behind
        (' / /report_pothole{"location":"x"}', 'report_pothole{"location":"x"}'),  # nested and spaced
        ("\u200b/restart", "restart"),  # a zero-width space in front hides nothing
        ("/\u200b/restart", "restart"),
        ("\ufeff / \u00a0/restart", "restart"),  # a byte-order mark and a no-break space
        ("\\/restart", "restart"),  # an escaped slash
        ("pothole on Annankatu 5", "pothole on Annankatu 5"),
        ("bad\x00bytes\x07here", "badbyteshere"),  # control characters never reach storage
        ("a" * 20_000, "a" * 10_000),  # capped
    ],
)
def test_typed_text_is_only_ever_words(typed, seen_by_rasa):
    assert as_plain_text(typed) == seen_by_rasa
