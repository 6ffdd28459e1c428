"""Every path through the report form that a resident can take with the buttons it offers ends: no state of
the form is a loop with no way out (issue 11).

The walk plays the form the way Rasa runs it (the global slot extraction, then the form's validation, then
the question for the next step) and, at each question, sends back every button it offered (a place and a
description are typed: they have no buttons). Every reachable state must be able to reach "sent".
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import report_questions as ask
from bot.actions.report_form import ValidateReportForm
from bot.actions.slot_extraction import ValidateSlotMappings
from tests.fixtures.assistant import location_entity, message, slot_events, tracker
from tests.fixtures.city import DEMO_CITY

pytestmark = pytest.mark.usefixtures("assistant")

ASK = {
    "service_code": ask.AskServiceCode,
    "location_text": ask.AskLocationText,
    "attribute_answer": ask.AskAttributeAnswer,
    "photo_step": ask.AskPhotoStep,
    "description": ask.AskDescription,
    "duplicate_step": ask.AskDuplicateStep,
    "contact_step": ask.AskContactStep,
    "confirm_report": ask.AskConfirmReport,
}
# What a resident types where the form offers no button that answers.
TYPED = {
    "location_text": "Mannerheimintie 5",
    "description": "deep and wide, cyclists swerve round it",
    "contact_step": "resident@example.org",
}
DEVICE_ONLY = {"/share_location"}  # drawn by the channel as the phone's own control
MAX_STATES = 400
RANKING = [("report_pothole", 0.3), ("report_streetlight", 0.25), ("report_graffiti", 0.2)]
# The demo city's services (its catalogue file), one walk each.
SERVICES = [s["service_code"] for s in yaml.safe_load((DEMO_CITY / "services.yml").read_text())["services"]]


def parse(text: str) -> dict[str, Any]:
    """What the NLU makes of a button payload or of typed words (as sure as a button is)."""
    if text.startswith("/"):
        name, _, raw = text[1:].partition("{")
        entities = [{"entity": k, "value": v} for k, v in (json.loads("{" + raw) if raw else {}).items()]
        return message(text, name, 1.0, entities)
    if text == TYPED["location_text"]:
        return message(text, "inform_location", 0.95, [location_entity(text, text)])
    return message(text, "inform", 0.9)


def key(slots: dict[str, Any]) -> str:
    """A state of the form by what decides its next step (not the words typed into it)."""
    attributes = slots.get("attributes") or {}
    shape = {
        "filled": sorted(k for k, v in slots.items() if v not in (None, [], {})),
        "answered": sorted([*(attributes.get("answers") or {}), *(attributes.get("skipped") or [])]),
        **{k: slots.get(k) for k in ("requested_slot", "service_code", "change_requested", "duplicate_step")},
    }
    return json.dumps(shape, sort_keys=True, default=str)


async def turn(domain: Any, slots: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """One resident message: the slots after it and what the resident can send next."""
    latest = parse(text)
    extracted = slot_events(
        await ValidateSlotMappings().run(CollectingDispatcher(), tracker(latest, slots=slots), domain)
    )
    t = tracker(latest, slots=slots, set_this_turn=extracted, active_loop="report_form")
    validated = slot_events(await ValidateReportForm().run(CollectingDispatcher(), t, domain))
    assert extracted or validated, f"the form refused {text!r} at {slots.get('requested_slot')}"
    after = {**slots, **extracted, **validated}
    step = after.get("requested_slot")
    if step is None:
        return after, []
    dispatcher = CollectingDispatcher()
    after.update(slot_events(await ASK[step]().run(dispatcher, tracker(latest, slots=after), domain)))
    offered = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
    choices = [p for p in offered if p not in DEVICE_ONLY]
    return after, choices + ([TYPED[step]] if step in TYPED else [])


async def walk(domain: Any, first: str, first_slots: dict[str, Any]) -> None:
    """Explores every button path from a first message; fails on a state that cannot reach "sent"."""
    start, choices = await turn(domain, first_slots, first)
    edges: dict[str, set[str]] = {}
    sent = "sent"
    queue = deque([(start, choices)])
    seen = {key(start)}
    while queue:
        slots, options = queue.popleft()
        here = key(slots)
        edges.setdefault(here, set())
        for option in options:
            if option == "/cancel":
                edges[here].add(sent)  # a way out too
                continue
            after, next_options = await turn(domain, slots, option)
            if after.get("requested_slot") is None:
                assert after.get("confirm_report") == "yes" or after.get("duplicate_step") == "follow", after
                edges[here].add(sent)
                continue
            there = key(after)
            edges[here].add(there)
            if there not in seen:
                seen.add(there)
                queue.append((after, next_options))
        assert len(seen) < MAX_STATES, "the form has more states than a resident could walk"
    can_finish = {sent}
    changed = True
    while changed:
        changed = False
        for state, targets in edges.items():
            if state not in can_finish and targets & can_finish:
                can_finish.add(state)
                changed = True
    stuck = [json.loads(state) for state in edges if state not in can_finish]
    assert not stuck, f"{len(stuck)} states with no way out, e.g. asking {stuck[0].get('requested_slot')}"


async def test_every_button_path_from_the_clarifying_question_ends(domain):
    # "something's wrong out here": unsure, the form asks which of three likely services it is.
    unsure = message("something's wrong out here", "report_pothole", 0.3, ranking=RANKING)
    extracted = slot_events(await ValidateSlotMappings().run(CollectingDispatcher(), tracker(unsure), domain))
    assert extracted["service_code"] is None
    for choice in ("/report_pothole", "/report_streetlight", "/report_graffiti", "/report_other"):
        await walk(domain, choice, {**extracted, "requested_slot": "service_code"})


@pytest.mark.parametrize("code", SERVICES)
async def test_every_button_path_of_a_service_ends(domain, code):
    await walk(domain, f"/report_{code}", {})
