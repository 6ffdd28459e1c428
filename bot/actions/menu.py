"""What the assistant offers: the list of services ("what can I report?") and the menu when it is unsure."""

from __future__ import annotations

from collections import defaultdict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import latest_intent, run_blocking
from bot.actions.faq import faq_answer
from bot.actions.report_questions import COMMON_SERVICES, service_button
from bot.actions.slot_extraction import latest_report_ranking, top_intent_is_report

MENU = [
    {"title": "Report a problem", "payload": "/list_services"},
    {"title": "Check a report", "payload": "/check_status"},
    {"title": "What can you do?", "payload": "/help"},
]


def services_text() -> str:
    """The back office's services, grouped, as one message."""
    groups: dict[str, list[str]] = defaultdict(list)
    for service in resources.catalogue().services():
        groups[service.group or "Other"].append(service.name)
    lines = ["Here's what I can report to the city for you:"]
    for group, names in groups.items():
        lines.append(f"- {group}: {', '.join(names)}")
    lines.append("Just tell me what's wrong and where, in your own words, and add a photo if you have one.")
    return "\n".join(lines)


class ListServices(Action):
    """Answers "what can I report?" from the back office's own service list."""

    def name(self) -> str:
        return "action_list_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = await run_blocking(services_text)
        buttons = await run_blocking(lambda: [service_button(c) for c in COMMON_SERVICES])
        dispatcher.utter_message(text=text, buttons=buttons)
        return []


class OfferMenu(Action):
    """When unsure what the resident meant: the likely services if it sounded like a report, else the menu."""

    def name(self) -> str:
        return "action_offer_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        faq = faq_answer(tracker)
        if faq:
            dispatcher.utter_message(response=faq)
        elif top_intent_is_report(tracker):
            codes = [code for code, _ in latest_report_ranking(tracker)[:3] if code != "other"] + ["other"]
            buttons = await run_blocking(lambda: [service_button(c) for c in codes])
            dispatcher.utter_message(
                text="I want to get this right. Is it about one of these?", buttons=buttons
            )
        else:
            dispatcher.utter_message(
                text="Sorry, I didn't quite get that. You can tell me about a problem and where it is, ask "
                "about a report by its number, or ask a question about city services.",
                buttons=MENU,
            )
        if latest_intent(tracker)[0] == "nlu_fallback":
            return []  # Rasa's rule listens next; the words and place the message carried are kept
        # Run as Rasa's core fallback (no rule or story knew what to do): forget the message, like Rasa's own
        # fallback does, so the next thing is to listen (a report in progress carries on with its question).
        return [UserUtteranceReverted()]
