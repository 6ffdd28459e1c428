"""What SMS cannot do that chat can, done in words: splitting long texts, numbered options and keywords."""

from __future__ import annotations

import pytest

from bot.channels.twilio.sms import Keyword, Option, chosen_option, keyword, split_message

# ------------------------------------------------------------------------------------ SMS helpers


def test_split_prefers_paragraphs_then_lines_then_sentences() -> None:
    paragraph = "A" * 900
    assert split_message(f"{paragraph}\n\n{paragraph}", 1600) == [paragraph, paragraph]
    words = "word " * 500  # no sentence ends: cut between words
    parts = split_message(words, 1600)
    assert all(len(p) <= 1600 and not p.endswith("wor") for p in parts)
    assert " ".join(parts) == words.strip()
    assert split_message("x" * 3300, 1600) == ["x" * 1600, "x" * 1600, "x" * 100]  # no boundary at all
    assert split_message("   ") == []


def test_split_counts_emoji_as_twilio_does() -> None:
    parts = split_message("🚧" * 1000, 1600)  # 2,000 UTF-16 units
    assert [len(p) for p in parts] == [800, 200]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1", "/affirm"),
        ("2.", "/deny"),
        (" 2 ", "/deny"),
        ("2)", "/deny"),
        ("No", "/deny"),  # the option's own title
        ("3", None),  # out of range: plain text
        ("12 Main St", None),  # an address that starts with a number is not a pick
        ("", None),
    ],
)
def test_chosen_option(reply: str, expected: str | None) -> None:
    options = [Option("Yes", "/affirm"), Option("No", "/deny")]
    choice = chosen_option(reply, options)
    assert (choice.payload if choice else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STOP", Keyword.STOP),
        (" Quit! ", Keyword.STOP),
        ("stop it", None),  # Twilio: only single-word messages count
        ("UNSTOP", Keyword.START),
        ("Info", Keyword.HELP),
        ("helpful", None),
    ],
)
def test_keyword(text: str, expected: Keyword | None) -> None:
    assert keyword(text) is expected
