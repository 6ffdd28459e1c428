"""Telegram; `credentials.yml` names `bot.channels.telegram.TelegramInput`.

`python -m bot.channels.telegram.admin` registers the webhook, or polls in development.
"""

from bot.channels.telegram.connector import TelegramInput
from bot.channels.telegram.output import TelegramOutput

__all__ = ["TelegramInput", "TelegramOutput"]
