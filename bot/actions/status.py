"""Answers "what's the status of 10234?" from the back office (or the outbox, for reports still queued)."""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import entity_values, run_blocking
from bot.open311 import ErrorKind, Open311Error
from bot.sentences import say
from bot.wording import status_sentence

LOCAL_REFERENCE = re.compile(r"^R-[A-Z0-9]{6}$", re.IGNORECASE)
UNREACHABLE = (ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.SERVER_ERROR, ErrorKind.BAD_RESPONSE)


def status_text(number: str) -> str:
    """The answer to a status question about one report number or local reference."""
    if LOCAL_REFERENCE.match(number):
        entry = resources.outbox().find(number)
        if entry is None:
            return say("status.reference_unknown", reference=number.upper())
        if not entry.service_request_id:
            return say("status.reference_waiting", reference=entry.reference)
        number = entry.service_request_id
    client = resources.open311()
    try:
        request = client.request(number)
    except Open311Error as error:
        if error.kind is ErrorKind.NOT_FOUND:
            return say("status.number_unknown", number=number)
        if error.kind in UNREACHABLE:
            return say("status.unreachable")
        return say("status.lookup_failed", number=number)
    return status_sentence(request, resources.catalogue().name(request.service_code))


class CheckStatus(Action):
    """Tells the status of the report the resident names, or of their latest one."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        numbers = entity_values(tracker, "request_id")
        mine = list(tracker.get_slot("my_requests") or [])
        number = numbers[0] if numbers else (mine[-1] if mine else None)
        if number is None:
            dispatcher.utter_message(text=say("status.ask_number"))
            return []
        dispatcher.utter_message(text=await run_blocking(status_text, number.strip()))
        return [SlotSet("request_id", number)]
