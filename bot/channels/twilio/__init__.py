"""SMS/MMS through Twilio. `credentials.yml` names `bot.channels.twilio.TwilioInput`."""

from bot.channels.twilio.connector import TwilioInput
from bot.channels.twilio.output import TwilioOutput

__all__ = ["TwilioInput", "TwilioOutput"]
