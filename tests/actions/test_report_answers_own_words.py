"""What a resident says to a question of the report form, in their own words: the read-back, the photo
offer, the open report nearby and the service's own questions (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest

from bot import resources
from bot.actions.menu import OfferMenu
from bot.actions.report_form import ValidateReportForm
from bot.actions.report_questions import AskConfirmReport
from bot.actions.report_submit import build_request
from tests.fixtures.assistant import location_entity, message, slot_events, tracker

pytestmark = pytest.mark.usefixtures("assistant")


def report_at(step: str, **extra: Any) -> dict[str, Any]:
    """A pothole report at Mannerheimintie 5 waiting at `step`."""
    return {
        "service_code": "pothole",
        "location_text": "Mannerheimintie 5",
        "latitude": 60.16901,
        "longitude": 24.93937,
        "description": "pothole by the tram stop",
        "photo_step": "skipped",
        "attributes": {
            "service": "pothole",
            "answers": {"in_traffic_lane": "yes", "size": "small"},
            "skipped": [],
        },
        "requested_slot": step,
        **extra,
    }


async def answer(
    dispatcher: Any, domain: Any, latest: dict[str, Any], slots: dict[str, Any]
) -> dict[str, Any]:
    t = tracker(latest, slots=slots, active_loop="report_form")
    return slot_events(await ValidateReportForm().run(dispatcher, t, domain))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("ya thats rite", "goodbye"),  # the classifier heard a goodbye; the words answer the read-back
        ("yup send it", "affirm"),
        ("👍", "out_of_scope"),
    ],
)
async def test_a_yes_in_own_words_sends_the_report(dispatcher, domain, text, intent):
    slots = await answer(dispatcher, domain, message(text, intent, 0.9), report_at("confirm_report"))
    assert slots["confirm_report"] == "yes"


async def test_a_detail_after_the_read_back_is_added_and_read_back_again(dispatcher, domain):
    latest = message("oh and it's really deep, my bike wheel went straight in", "change_report", 0.6)
    slots = await answer(dispatcher, domain, latest, report_at("confirm_report"))
    assert (
        slots["description"]
        == "pothole by the tram stop. oh and it's really deep, my bike wheel went straight in"
    )
    assert slots["requested_slot"] == "confirm_report" and slots.get("confirm_report") is None
    assert "added that" in dispatcher.messages[0]["text"]


async def test_a_yes_with_a_detail_sends_the_detail_too(dispatcher, domain):
    latest = message("yes and there's broken glass all round it", "affirm", 0.8)
    slots = await answer(dispatcher, domain, latest, report_at("confirm_report"))
    assert slots["confirm_report"] == "yes" and slots["description"].endswith(
        "and there's broken glass all round it"
    )


async def test_the_read_back_invites_the_optional_answers_and_takes_them_in_own_words(dispatcher, domain):
    slots_before = report_at(
        "confirm_report", attributes={"service": "pothole", "answers": {}, "skipped": []}
    )
    await AskConfirmReport().run(dispatcher, tracker(message("no", "deny"), slots=slots_before), domain)
    assert (
        "If you know, tell me too: Is it in the traffic lane? How big is it?"
        in dispatcher.messages[0]["text"]
    )
    latest = message("it's huge, right in the middle of the road", "report_pothole", 0.7)
    slots = await answer(dispatcher, domain, latest, slots_before)
    assert slots["attributes"]["answers"] == {"in_traffic_lane": "yes", "size": "large"}
    assert slots["description"].endswith("it's huge, right in the middle of the road")
    assert slots["requested_slot"] == "confirm_report"  # read back again before anything is sent


async def test_a_correction_of_an_answer_changes_that_answer(dispatcher, domain):
    latest = message("actually it's bigger than I said, more like a shoe box", "change_report", 0.7)
    slots = await answer(dispatcher, domain, latest, report_at("confirm_report"))
    assert slots["attributes"]["answers"] == {"in_traffic_lane": "yes", "size": "medium"}
    assert slots["requested_slot"] == "confirm_report"


async def test_a_correction_of_the_service_switches_it_and_keeps_the_place(dispatcher, domain):
    text = "oh wait, it's the traffic lights, not a street light"
    ranking = [("report_traffic_signal", 0.81), ("report_streetlight", 0.12)]
    slots = await answer(
        dispatcher,
        domain,
        message(text, "report_traffic_signal", 0.81, ranking=ranking),
        report_at("confirm_report", service_code="streetlight", attributes=None),
    )
    assert slots["service_code"] == "traffic_signal"
    assert "location_text" not in slots or slots["location_text"] == "Mannerheimintie 5"


async def test_a_correction_of_the_street_keeps_the_new_place_not_the_one_ruled_out(dispatcher, domain):
    from bot.actions.slot_extraction import ValidateSlotMappings

    text = "wait sorry, wrong street - it's Yrjönkatu 5, not Fredrikinkatu"
    latest = message(
        text,
        "inform_location",
        0.7,
        [location_entity(text, "Yrjönkatu 5"), location_entity(text, "Fredrikinkatu")],
    )
    t = tracker(latest, slots=report_at("confirm_report"), active_loop="report_form")
    slots = slot_events(await ValidateSlotMappings().run(dispatcher, t, domain))
    assert slots["location_text"] == "Yrjönkatu 5"


async def test_a_bare_no_asks_what_to_change_and_a_second_no_reads_back(dispatcher, domain):
    slots = await answer(dispatcher, domain, message("nope", "deny", 0.9), report_at("confirm_report"))
    assert slots["change_requested"] is True
    slots = await answer(
        dispatcher, domain, message("no", "deny", 0.9), report_at("confirm_report", change_requested="asked")
    )
    assert slots.get("change_requested") is None and slots["requested_slot"] == "confirm_report"


async def test_a_question_at_the_read_back_is_left_to_be_answered(dispatcher, domain):
    latest = message("how long will it take to fix?", "report_pothole", 0.5)
    t = tracker(latest, slots=report_at("confirm_report"), active_loop="report_form")
    events = await ValidateReportForm().run(dispatcher, t, domain)
    assert "confirm_report" not in slot_events(events) and "description" not in slot_events(events)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("yes", "follow"),
        ("yeah that's the one", "follow"),
        ("no mine is different", "new"),
        ("not sure", "unsure"),  # never a silent join
        ("it's the one by the building site I think", "unsure"),  # no clear answer: never a loop either
    ],
)
async def test_the_open_report_nearby(dispatcher, domain, text, step):
    duplicate = {"id": "10001", "address": "Mannerheimintie 5", "distance_m": 8}
    slots_before = report_at("duplicate_step", duplicate_candidate=duplicate)
    slots = await answer(dispatcher, domain, message(text, "inform", 0.5), slots_before)
    assert slots["duplicate_step"] == step


def test_a_report_unsure_of_the_open_one_names_it_for_the_crew():
    t = tracker(
        message("yes", "affirm"),
        slots=report_at("confirm_report", duplicate_candidate={"id": "10001"}, duplicate_step="unsure"),
    )
    assert "not sure whether this is report 10001" in build_request(t).description


async def test_a_yes_to_the_photo_offer_without_a_photo_keeps_the_report_going(dispatcher, domain):
    slots_before = report_at("photo_step", photo_step=None)
    slots = await answer(dispatcher, domain, message("sure", "affirm", 0.9), slots_before)
    assert slots["photo_step"] is None and slots["requested_slot"] == "photo_step"


async def test_an_answer_that_fits_no_option_is_kept_for_the_crew(dispatcher, domain, monkeypatch):
    monkeypatch.setenv("ASK_OPTIONAL_QUESTIONS", "true")  # the size question is asked
    resources.reset()
    slots_before = report_at(
        "attribute_answer",
        attributes={"service": "pothole", "answers": {"in_traffic_lane": "yes"}, "skipped": []},
    )
    slots = await answer(dispatcher, domain, message("maybe 40cm across", "out_of_scope", 0.8), slots_before)
    assert slots["attributes"]["notes"] == {"size": "maybe 40cm across"}
    t = tracker(message("yes", "affirm"), slots={**slots_before, **slots})
    assert "How big is it? maybe 40cm across" in build_request(t).description


async def test_a_question_mid_report_is_answered_and_the_same_step_asked_again(dispatcher, domain):
    latest = message("should I be calling 112 for this instead??", "nlu_fallback", 0.3)
    latest["response_selector"] = {
        "faq": {"response": {"confidence": 0.9, "utter_action": "utter_faq/emergencies"}}
    }
    t = tracker(latest, slots=report_at("photo_step", photo_step=None), active_loop="report_form")
    slots = slot_events(await ValidateReportForm().run(dispatcher, t, domain))
    assert dispatcher.messages[0]["response"] == "utter_faq/emergencies"
    assert slots == {"photo_step": None, "requested_slot": "photo_step"}  # not another step of the form


@pytest.mark.parametrize(
    ("text", "asks_what"),
    [
        ("there's a problem on my street", True),  # wants to report, has not said what
        ("I want to make a complaint", True),
        ("purple monkey dishwasher", False),  # nothing to go on: the menu
    ],
)
async def test_an_unclear_message_that_wants_to_report_is_asked_what_not_told_it_was_not_understood(
    dispatcher, domain, text, asks_what
):
    latest = message(text, "nlu_fallback", 0.3, ranking=[("nlu_fallback", 0.3), ("check_status", 0.2)])
    await OfferMenu().run(dispatcher, tracker(latest), domain)
    said = dispatcher.messages[0]["text"]
    assert ("What's the problem?" in said) is asks_what and ("didn't quite get that" in said) is not asks_what
