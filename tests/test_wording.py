"""Sentences residents read: statuses in plain words and the read-back."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.open311 import ServiceRequest
from bot.wording import distance_words, is_thin, numbered, readback, status_sentence


def request(**fields) -> ServiceRequest:
    base = dict(
        service_request_id="10234",
        status="open",
        service_code="pothole",
        service_name="Pothole or damaged road",
        description=None,
        status_notes=None,
        agency_responsible=None,
        service_notice=None,
        requested_datetime=datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc),
        updated_datetime=None,
        expected_datetime=None,
        address="Mannerheimintie 5",
        zipcode=None,
        lat=None,
        long=None,
        media_url=None,
        detailed_status=None,
        followers=None,
        closing_media_url=None,
        district=None,
        distance_m=None,
    )
    base.update(fields)
    return ServiceRequest(**base)


def test_status_in_plain_words_with_the_latest_note_and_date():
    sentence = status_sentence(
        request(
            detailed_status="in_progress",
            status_notes="Crew booked for Thursday",
            updated_datetime=datetime(2026, 11, 21, 14, 0, tzinfo=timezone.utc),
            followers=2,
        )
    )
    assert sentence == (
        "Report 10234 (Pothole or damaged road at Mannerheimintie 5) is being worked on. "
        'Latest note: "Crew booked for Thursday". Last update: 21 November 2026. '
        "2 other residents reported it too."
    )


def test_a_closed_report_says_closed():
    assert "is closed." in status_sentence(request(status="closed", detailed_status="closed"))


@pytest.mark.parametrize(
    ("text", "place", "thin"),
    [
        ("pothole", None, True),  # one word
        ("pothole on Annankatu 5", "Annankatu 5", True),  # the place is not a description
        ("huge pothole outside Mannerheimintie 5", "Mannerheimintie 5", False),
        ("street light out", None, False),
    ],
)
def test_thin_descriptions(text, place, thin):
    assert is_thin(text, place) is thin


def test_the_read_back_lists_every_part():
    text = readback(
        "Graffiti",
        "Annankatu 5",
        "tags on the bus shelter",
        2,
        [("Is it offensive?", "No")],
        {"email": "a@b.fi"},
    )
    assert text.splitlines() == [
        "Here's your report: Graffiti",
        "- Where: Annankatu 5",
        '- What: "tags on the bus shelter"',
        "- 2 photos attached",
        "- Is it offensive? No",
        "- The city may contact you about it",
        "Shall I send it to the city?",
    ]


def test_small_helpers():
    assert numbered(["Yes", "No"]) == "1. Yes\n2. No"
    assert distance_words(12) == "about 10 m away" and distance_words(2) == "at the same spot"
