"""What the assistant offers: the list of services ("what can I report?") and the menu when it is unsure."""

from __future__ import annotations

import re
from collections import defaultdict

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import latest_intent, latest_text, run_blocking
from bot.actions.faq import faq_answer
from bot.actions.report_questions import COMMON_SERVICES, service_button
from bot.actions.slot_extraction import latest_report_ranking, top_intent_is_report
from bot.sentences import say

# Words of someone who has something to report but has not said what ("there's a problem on my street").
WANTS_TO_REPORT = re.compile(
    r"\b(problems?|broken|report\w*|complain\w*|complaint|issues?|fix\w*|damaged?|wrong|hazard\w*)\b",
    re.IGNORECASE,
)


def menu_buttons() -> list[dict[str, str]]:
    """What the assistant can do, as buttons."""
    return [
        {"title": say("menu.report_button"), "payload": "/list_services"},
        {"title": say("menu.status_button"), "payload": "/check_status"},
        {"title": say("menu.help_button"), "payload": "/help"},
    ]


def services_text() -> str:
    """The back office's services, grouped, as one message."""
    groups: dict[str, list[str]] = defaultdict(list)
    for service in resources.catalogue().services():
        groups[service.group or say("services.other_group")].append(service.name)
    lines = [say("services.heading")]
    for group, names in groups.items():
        lines.append(say("services.group", group=group, services=", ".join(names)))
    lines.append(say("services.how_to"))
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
            dispatcher.utter_message(text=say("menu.which_service"), buttons=buttons)
        elif WANTS_TO_REPORT.search(latest_text(tracker)):
            # "there's a problem on my street": a report, not yet which one. Ask what it is.
            codes = [*COMMON_SERVICES, "other"]
            buttons = await run_blocking(lambda: [service_button(c) for c in codes])
            dispatcher.utter_message(text=say("report.ask_service"), buttons=buttons)
        else:
            dispatcher.utter_message(text=say("menu.not_understood"), buttons=menu_buttons())
        if latest_intent(tracker)[0] == "nlu_fallback":
            return []  # Rasa's rule listens next; the words and place the message carried are kept
        # Run as Rasa's core fallback (no rule or story knew what to do): forget the message, like Rasa's own
        # fallback does, so the next thing is to listen (a report in progress carries on with its question).
        return [UserUtteranceReverted()]
