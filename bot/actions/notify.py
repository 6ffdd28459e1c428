"""Delivers messages that wait for a resident outside their own turn (a queued report filed, a status change).

Workers ask Rasa to run this action in the resident's conversation (`POST /conversations/{id}/execute` with
`output_channel=latest`), so the message goes out on the channel the resident last used.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import resources
from bot.actions.common import run_blocking
from bot.workers.notifications import take_pending


class ReportUpdate(Action):
    """Sends every pending notification of this conversation and marks them delivered."""

    def name(self) -> str:
        return "action_report_update"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = await run_blocking(take_pending, resources.settings().database_url, tracker.sender_id)
        for note in pending:
            dispatcher.utter_message(text=note.text, image=note.image_url)
        # Run from outside a turn, the action would otherwise stand where Rasa expects `action_listen`, and
        # the resident's next message would match no rule (and not continue an open form).
        return [ActionExecuted("action_listen")]
