"""Chat platform adapters: console, Telegram, Slack."""

from __future__ import annotations

from bot.adapters.base import Adapter, DeliveryError, Notifier
from bot.dispatcher import Dispatcher
from handlers.kit import Services

__all__ = ["Adapter", "DeliveryError", "Notifier", "configured"]


def configured(services: Services, dispatcher: Dispatcher) -> list[Adapter]:
    """An adapter for every platform whose credentials are set (imported only then)."""
    settings = services.settings
    adapters: list[Adapter] = []
    if settings.telegram_bot_token:
        from bot.adapters.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(services, dispatcher))
    if settings.slack_bot_token:
        from bot.adapters.slack import SlackAdapter

        adapters.append(SlackAdapter(services, dispatcher))
    return adapters
