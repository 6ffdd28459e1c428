"""The report form's actions, run the way the action server runs them: a rasa-sdk Tracker in, events and
messages out, against a real back office."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from bot import resources
from bot.actions.report_form import ValidateReportForm
from bot.actions.report_questions import AskAttributeAnswer, AskConfirmReport, AskLocationText, AskServiceCode
from bot.actions.report_submit import CancelReport, SubmitReport
from bot.actions.slot_extraction import ValidateSlotMappings
from tests.fixtures.assistant import location_entity, message, slot_events, tracker

pytestmark = pytest.mark.usefixtures("assistant")


def fetch(open311_url: str, number: str) -> dict[str, Any]:
    """A request as the back office serves it (a plain blocking GET: the test waits for it anyway)."""
    return requests.get(f"{open311_url}requests/{number}.json", timeout=5).json()[0]


async def run(action: Any, dispatcher: Any, domain: dict[str, Any], t: Any) -> dict[str, Any]:
    return slot_events(await action.run(dispatcher, t, domain))


# --- what a first message already settles ---


async def test_a_confident_report_settles_the_service_and_the_place(dispatcher, domain):
    text = "huge pothole outside Mannerheimintie 5"
    latest = message(
        text,
        "report_pothole",
        0.93,
        [location_entity(text, "Mannerheimintie 5")],
        [("report_pothole", 0.93), ("report_sidewalk", 0.04)],
    )
    slots = await run(ValidateSlotMappings(), dispatcher, domain, tracker(latest))
    assert slots["service_code"] == "pothole"
    assert slots["location_text"] == "Mannerheimintie 5"
    assert slots["report_text"] == text


@pytest.mark.parametrize(
    "ranking",
    [
        # two services too close to call
        [("report_pothole", 0.48), ("report_sidewalk", 0.41), ("report_manhole", 0.05)],
        # one service, but not confident enough
        [("report_pothole", 0.35), ("report_sidewalk", 0.2), ("report_other", 0.1)],
    ],
)
async def test_an_unsure_report_leaves_the_service_empty_and_lists_candidates(dispatcher, domain, ranking):
    latest = message("the ground is broken near the school", ranking[0][0], ranking[0][1], ranking=ranking)
    slots = await run(ValidateSlotMappings(), dispatcher, domain, tracker(latest))
    assert slots["service_code"] is None
    assert slots["service_candidates"][:2] == [ranking[0][0][7:], ranking[1][0][7:]]


async def test_the_clarifying_question_offers_the_likely_services_as_buttons(dispatcher, domain):
    t = tracker(message("x", "report_pothole", 0.4), slots={"service_candidates": ["pothole", "sidewalk"]})
    await AskServiceCode().run(dispatcher, t, domain)
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons] == ["/report_pothole", "/report_sidewalk", "/report_other"]
    assert buttons[0]["title"] == "Pothole or damaged road"


async def test_a_button_choice_settles_the_service_even_without_confidence_margin(dispatcher, domain):
    latest = message("/report_sidewalk", "report_sidewalk", 1.0)
    slots = await run(ValidateSlotMappings(), dispatcher, domain, tracker(latest))
    assert slots["service_code"] == "sidewalk"


async def test_photos_and_their_gps_come_from_message_metadata(dispatcher, domain):
    latest = message(
        "/share_photo",
        "share_photo",
        1.0,
        metadata={"photo_urls": ["http://x/a.jpg"], "photo_gps": [60.1699, 24.9384]},
    )
    slots = await run(ValidateSlotMappings(), dispatcher, domain, tracker(latest, slots={"photo_urls": None}))
    assert slots["photo_urls"] == ["http://x/a.jpg"]
    assert slots["location_suggestion"] == {"lat": 60.1699, "lon": 24.9384}


# --- the form ---


def pothole_place_typed() -> Any:
    """A pothole report whose resident has just typed its address."""
    return tracker(
        message("it's at Mannerheimintie 5", "inform_location", 0.9),
        slots={"service_code": "pothole", "requested_slot": "location_text", "report_text": "pothole"},
        set_this_turn={"location_text": "Mannerheimintie 5"},
        active_loop="report_form",
    )


async def test_a_typed_address_is_geocoded_and_the_next_question_is_the_services_own(dispatcher, domain):
    slots = await run(ValidateReportForm(), dispatcher, domain, pothole_place_typed())
    assert slots["location_text"] == "Mannerheimintie 5"
    assert 60.16 < slots["latitude"] < 60.18 and 24.93 < slots["longitude"] < 24.95
    assert slots["requested_slot"] == "attribute_answer"  # no photo: pothole's optional questions are asked


async def test_a_city_that_spares_residents_optional_questions_goes_on_to_the_photo(
    dispatcher, domain, monkeypatch
):
    monkeypatch.setenv("ASK_OPTIONAL_QUESTIONS", "false")
    resources.reset()
    slots = await run(ValidateReportForm(), dispatcher, domain, pothole_place_typed())
    assert slots["requested_slot"] == "photo_step"  # the read-back invites those answers instead


async def test_a_place_outside_the_city_is_refused_politely(dispatcher, domain):
    t = tracker(
        message("/share_location", "share_location", 1.0, metadata={"latitude": 60.25, "longitude": 25.1}),
        slots={
            "service_code": "pothole",
            "requested_slot": "location_text",
            "latitude": 60.25,
            "longitude": 25.1,
        },
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert slots["location_text"] is None and slots["latitude"] is None
    assert "outside the area" in dispatcher.messages[0]["text"]
    assert slots["requested_slot"] == "location_text"


async def test_an_unknown_place_is_asked_again_then_kept_as_written(dispatcher, domain):
    slots_before = {"service_code": "graffiti", "requested_slot": "location_text"}
    first = tracker(
        message("behind the blue shed", "inform_location", 0.6),
        slots=slots_before,
        set_this_turn={"location_text": "behind the blue shed"},
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, first)
    assert slots["location_text"] is None and slots["location_attempts"] == 1
    second = tracker(
        message("the blue shed by the sea", "inform_location", 0.6),
        slots={**slots_before, "location_attempts": 1},
        set_this_turn={"location_text": "the blue shed by the sea"},
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, second)
    assert slots["location_text"] == "the blue shed by the sea"  # nothing the resident sent is lost


async def test_words_in_the_first_message_answer_the_services_questions(dispatcher, domain):
    t = tracker(
        message("street light flickering all night on Annankatu 5", "report_streetlight", 0.95),
        slots={
            "service_code": "streetlight",
            "location_text": "Annankatu 5",
            "latitude": 60.166,
            "longitude": 24.938,
            "report_text": "street light flickering all night on Annankatu 5",
            "requested_slot": None,
        },
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert slots["attributes"]["answers"] == {"light_problem": "flickering"}
    # the required question is answered; the optional pole number is asked because there is no photo
    assert slots["requested_slot"] == "attribute_answer"


async def test_an_optional_question_when_asked_can_be_skipped(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("ASK_OPTIONAL_QUESTIONS", "true")
    resources.reset()
    attributes = {"service": "streetlight", "answers": {"light_problem": "flickering"}, "skipped": []}
    t = tracker(message("x", "affirm"), slots={"service_code": "streetlight", "attributes": attributes})
    await AskAttributeAnswer().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith("Is there a number on the lamp post")
    assert dispatcher.messages[0]["buttons"][-1]["title"] == "Skip"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Bigger than a car wheel", "large"),  # the button's own words
        ("2", "medium"),  # SMS numbered option
        ("its bigger than a car wheel really", "large"),  # fuzzy match on the option name
        ("massive", "large"),  # a hint word
    ],
)
async def test_an_answer_to_a_list_question_maps_to_the_option_key(
    dispatcher, domain, monkeypatch, reply, expected
):
    monkeypatch.setenv("ASK_OPTIONAL_QUESTIONS", "true")
    resources.reset()
    attributes = {"service": "pothole", "answers": {"in_traffic_lane": "yes"}, "skipped": []}
    t = tracker(
        message(reply, "inform_location", 0.3),
        slots={
            "service_code": "pothole",
            "attributes": attributes,
            "requested_slot": "attribute_answer",
            "location_text": "Annankatu 5",
            "latitude": 60.166,
            "longitude": 24.938,
            "report_text": "a pothole",
        },
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert slots["attributes"]["answers"]["size"] == expected


async def test_a_photo_with_a_caption_naming_problem_and_place_goes_straight_to_the_read_back(
    dispatcher, domain
):
    text = "huge pothole outside Mannerheimintie 5"
    t = tracker(
        message(text, "report_pothole", 0.95, metadata={"photo_urls": ["http://x/p.jpg"]}),
        slots={"service_code": "pothole", "report_text": text, "photo_urls": ["http://x/p.jpg"]},
        set_this_turn={"location_text": "Mannerheimintie 5"},
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert slots["requested_slot"] == "confirm_report"  # no more questions: the caption is the description


async def test_the_read_back_shows_the_report_and_offers_send_change_cancel(dispatcher, domain):
    t = tracker(
        message("x", "affirm"),
        slots={
            "service_code": "pothole",
            "location_text": "Mannerheimintie 5",
            "description": "huge pothole",
            "photo_urls": ["http://x/p.jpg"],
            "attributes": {"service": "pothole", "answers": {"size": "large"}, "skipped": []},
        },
    )
    await AskConfirmReport().run(dispatcher, t, domain)
    text = dispatcher.messages[0]["text"]
    assert "Pothole or damaged road" in text and "Mannerheimintie 5" in text and "1 photo" in text
    assert "How big is it? Bigger than a car wheel" in text and "anonymously" in text
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads[0] == "/affirm" and "/cancel" in payloads


async def test_changing_the_place_at_the_read_back_asks_for_it_again(dispatcher, domain):
    t = tracker(
        message(
            '/change_report{"report_field":"location"}',
            "change_report",
            1.0,
            entities=[{"entity": "report_field", "value": "location"}],
        ),
        slots={
            "service_code": "pothole",
            "location_text": "Annankatu 5",
            "latitude": 60.1,
            "longitude": 24.9,
            "description": "huge pothole",
            "photo_urls": ["http://x/p.jpg"],
            "requested_slot": "confirm_report",
        },
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert slots["location_text"] is None and slots["latitude"] is None
    assert slots["requested_slot"] == "location_text"


async def test_the_photo_offer_in_the_location_question_uses_the_photos_gps(dispatcher, domain):
    t = tracker(
        message("x", "share_photo"), slots={"location_suggestion": {"lat": 60.16837, "lon": 24.94244}}
    )
    await AskLocationText().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith("Is this where you took the photo: near ")


# --- filing ---


def ready_report(**extra: Any) -> dict[str, Any]:
    return {
        "service_code": "pothole",
        "location_text": "Mannerheimintie 5",
        "latitude": 60.16901,
        "longitude": 24.93937,
        "description": "huge pothole, nearly lost a wheel",
        "photo_urls": ["http://127.0.0.1/p.jpg"],
        "attributes": {"service": "pothole", "answers": {"size": "large"}, "skipped": []},
        "confirm_report": "yes",
        **extra,
    }


def active_loop_event(ts: float) -> dict[str, Any]:
    return {"event": "active_loop", "name": "report_form", "timestamp": ts}


async def test_a_confirmed_report_is_filed_and_its_number_given(dispatcher, domain, shared_backoffice):
    t = tracker(message("/affirm", "affirm"), slots=ready_report(), events_before=[active_loop_event(5.0)])
    slots = await run(SubmitReport(), dispatcher, domain, t)
    number = slots["my_requests"][-1]
    assert f"Its number is {number}" in dispatcher.messages[0]["text"]
    filed = fetch(shared_backoffice.url, number)
    assert filed["service_code"] == "pothole" and filed["address"] == "Mannerheimintie 5"
    assert filed["description"].startswith("huge pothole") and filed["media_url"] == "http://127.0.0.1/p.jpg"
    assert slots["service_code"] is None and slots["report_outcome"] == "filed"  # ready for the next report


async def test_the_first_message_is_the_description_when_no_more_words_were_asked(
    dispatcher, domain, shared_backoffice
):
    caption = "huge pothole outside Mannerheimintie 5"
    t = tracker(
        message("/affirm", "affirm"),
        slots=ready_report(description=None, report_text=caption),
        events_before=[active_loop_event(6.0)],
    )
    slots = await run(SubmitReport(), dispatcher, domain, t)
    filed = fetch(shared_backoffice.url, slots["my_requests"][-1])
    assert filed["description"] == caption


async def test_yes_twice_files_one_request(dispatcher, domain, shared_backoffice):
    t = tracker(message("/affirm", "affirm"), slots=ready_report(), events_before=[active_loop_event(9.5)])
    first = await run(SubmitReport(), dispatcher, domain, t)
    second = await run(SubmitReport(), dispatcher, domain, t)
    assert first["my_requests"][-1] == second["my_requests"][-1]


async def test_with_the_back_office_down_the_resident_still_gets_a_reference(
    dispatcher, domain, monkeypatch, tmp_path
):
    from tests.fixtures.assistant import point_assistant_at
    from tests.fixtures.processes import free_port

    point_assistant_at(monkeypatch, tmp_path, f"http://127.0.0.1:{free_port()}/open311/v2/", "k")
    t = tracker(message("/affirm", "affirm"), slots=ready_report(), events_before=[active_loop_event(7.0)])
    slots = await run(SubmitReport(), dispatcher, domain, t)
    reference = slots["my_requests"][-1]
    assert reference.startswith("R-") and slots["report_outcome"] == "queued"
    assert f"saved with reference {reference}" in dispatcher.messages[0]["text"]


async def test_cancel_drops_the_report(dispatcher, domain):
    slots = await run(
        CancelReport(), dispatcher, domain, tracker(message("cancel", "cancel"), slots=ready_report())
    )
    assert slots["service_code"] is None and slots["location_text"] is None
    assert "Nothing was sent" in dispatcher.messages[0]["text"]


async def test_a_cancel_mid_report_is_not_taken_as_an_answer(dispatcher, domain):
    # The form must set nothing, so Rasa treats "cancel" as a digression and its cancel rule runs.
    t = tracker(
        message("cancel", "cancel", 0.92),
        slots={
            # the state right after the first message: its words already said the light is out
            "service_code": "streetlight",
            "report_text": "a street light is out",
            "description": "a street light is out",
            "attributes": {"service": "streetlight", "answers": {"light_problem": "out"}, "skipped": []},
            "requested_slot": "location_text",
        },
        active_loop="report_form",
    )
    slots = await run(ValidateReportForm(), dispatcher, domain, t)
    assert set(slots) <= {"requested_slot"}
