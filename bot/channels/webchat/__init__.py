"""The web chat on the city's site. `credentials.yml` names `bot.channels.webchat.WebchatInput`."""

from bot.channels.webchat.connector import WebchatInput

__all__ = ["WebchatInput"]
