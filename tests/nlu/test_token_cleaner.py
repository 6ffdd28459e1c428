"""Capitals, links and emoji never reach the classifier; the resident's words do."""

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.token_cleaner import TokenCleaner, is_noise


def tokens_after_cleaning(text: str) -> list[str]:
    message = Message({TEXT: text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    TokenCleaner().process([message])
    return [t.text for t in message.get(TOKENS_NAMES[TEXT])]


@pytest.mark.parametrize(
    ("word", "noise"),
    [
        ("https://example.org/photo.jpg", True),  # a link
        ("www.council.gov.uk/report", True),  # a link without a scheme
        ("bit.ly/3xYz", True),  # a short link
        ("😡", True),  # an emoji
        ("🚧🚧", True),  # several
        ("pothole", False),  # a word
        ("5a", False),  # a house number
        ("ä", False),  # a letter outside ASCII
    ],
)
def test_is_noise(word, noise):
    assert is_noise(word) is noise


def test_a_message_with_a_link_and_emoji_keeps_only_its_words():
    assert tokens_after_cleaning(
        "huge pothole 😡 https://example.org/p.jpg outside the school"
    ) == tokens_after_cleaning("huge pothole outside the school")


def test_a_message_of_only_emoji_keeps_its_tokens():
    assert tokens_after_cleaning("🚧 🚧") != []


def test_capitals_do_not_change_the_tokens():
    assert tokens_after_cleaning("STREET LIGHT OUT On Mannerheimintie") == tokens_after_cleaning(
        "street light out on mannerheimintie"
    )


def test_token_offsets_still_point_into_the_text():
    message = Message({TEXT: "Broken LAMP 💡 here"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    TokenCleaner().process([message])
    text = message.get(TEXT)
    assert [text[t.start : t.end].lower() for t in message.get(TOKENS_NAMES[TEXT])] == [
        "broken",
        "lamp",
        "here",
    ]
