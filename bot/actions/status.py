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
from bot.wording import status_sentence

LOCAL_REFERENCE = re.compile(r"^R-[A-Z0-9]{6}$", re.IGNORECASE)
UNREACHABLE = (ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE, ErrorKind.SERVER_ERROR, ErrorKind.BAD_RESPONSE)


def status_text(number: str) -> str:
    """The answer to a status question about one report number or local reference."""
    if LOCAL_REFERENCE.match(number):
        entry = resources.outbox().find(number)
        if entry is None:
            return f"I couldn't find a report with reference {number.upper()}. Please check it."
        if not entry.service_request_id:
            return (
                f"Report {entry.reference} is saved and waiting to reach the city's system; it will be sent "
                "automatically and I'll tell you its number."
            )
        number = entry.service_request_id
    client = resources.open311()
    try:
        request = client.request(number)
    except Open311Error as error:
        if error.kind is ErrorKind.NOT_FOUND:
            return (
                f"I couldn't find a report with number {number}. Please check the number: it's in the "
                "message I sent when the report was filed."
            )
        if error.kind in UNREACHABLE:
            return "I can't reach the city's system right now. Please try again in a few minutes."
        return f"I couldn't look up report {number} just now. Please try again later."
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
            dispatcher.utter_message(
                text="Sure, what's the report number? It's the number I gave you when the report was filed."
            )
            return []
        dispatcher.utter_message(text=await run_blocking(status_text, number.strip()))
        return [SlotSet("request_id", number)]
