"""Telegram: a real python-telegram-bot Application, started beside the other adapters.

Thin by design: an update becomes an ``Incoming`` (its update id is the delivery key, so a
repeated update runs once), the dispatcher answers, and each ``Reply`` becomes an HTML message
with an inline keyboard. A button press is answered at once, runs its command like typed text,
and edits the pressed message to show the new state. Long polling by default; a webhook (with
a secret token checked on every request) when TELEGRAM_WEBHOOK_URL is set.

Every send goes through the retry policy (``retrying``; how it combines with PTB's rate limiter
is in ``telegram_send``); HTML Telegram cannot parse is sent again as plain text, once; an
answer that still fails is logged with its update id and record. Long polling refuses to run
beside another poller of the same bot (Telegram's 409): a second process stops at start.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlparse

from telegram import BotCommand, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.adapters.base import DeliveryError
from bot.adapters.retrying import SendPolicy, lost, record_of
from bot.adapters.telegram_render import TOKEN_PREFIX, keyboard, reply_html, split_text, too_long
from bot.adapters.telegram_send import other_poller, plain_text, retry_after, transient, unparsable
from bot.adapters.telegram_updates import ChatOrder, Webhook
from bot.dispatcher import Dispatcher
from bot.errors import SetupError
from bot.metrics import TELEGRAM_SENDS, Metrics
from handlers.kit import LANGUAGES, REGISTRY, Accounts, Incoming, Reply, Services, Translator

log = logging.getLogger(__name__)
UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
START_WINDOW = 120.0  # seconds: a 409 this soon after start means we are the second poller
# Telegram's most: each webhook connection carries one update until we answer it, after the
# command (``telegram_updates``), so this is how many chats Telegram lets run at once.
WEBHOOK_CONNECTIONS = 100
T = TypeVar("T")


class CountedRequest(HTTPXRequest):
    """PTB's own HTTP client, counting what the Bot API answered: sends and 429s per call,
    including the retries that the rate limiter makes after a 429."""

    def __init__(self, metrics: Metrics, timeout: float | None = None) -> None:
        if timeout is None:
            super().__init__()
        else:
            super().__init__(read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout)
        self.metrics = metrics

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, *args, **kwargs)
        api_method = url.rsplit("/", 1)[-1]
        self.metrics.api_answer("telegram", api_method, status, TELEGRAM_SENDS)
        return status, payload


class TelegramAdapter:
    platform = "telegram"

    def __init__(
        self, services: Services, dispatcher: Dispatcher, policy: SendPolicy | None = None
    ) -> None:
        settings = services.settings
        self.policy = policy or SendPolicy()
        self.fatal: asyncio.Future[None] | None = None  # fails if we turn out a second poller
        self.webhook: Webhook | None = None
        self._started = 0.0
        assert settings.telegram_bot_token is not None
        self.services = services
        self.dispatcher = dispatcher
        self.accounts = Accounts(services)
        self._token = settings.telegram_bot_token.get_secret_value()
        builder = (
            Application.builder()
            .token(self._token)
            .rate_limiter(AIORateLimiter(max_retries=3))  # honours retry_after on 429
            .job_queue(None)  # scheduling is bot/scheduler.py's, for every platform alike
            .concurrent_updates(ChatOrder())  # chats at once, each chat's in order
            .request(CountedRequest(dispatcher.metrics, self.policy.timeout))
        )
        if settings.telegram_api_base_url:
            base = settings.telegram_api_base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(f"{base.removesuffix('/bot')}/file/bot")
        self.app = builder.build()
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_handler(MessageHandler(filters.TEXT | filters.LOCATION, self._on_message))
        self.app.add_error_handler(self._on_error)

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        try:
            await self.app.initialize()  # getMe: learns the bot's own username
        except InvalidToken:  # its message holds the whole token: never let it through
            raise SetupError("telegram.setup.refused") from None
        except TelegramError as problem:
            raise SetupError("telegram.setup.unreachable", error=type(problem).__name__) from None
        username = self.app.bot.username
        self.services.deep_links["telegram"] = f"https://t.me/{username}?start={{code}}"
        await self._register_commands()
        settings = self.services.settings
        if not settings.telegram_webhook_url:
            await self._refuse_second_poller()
        await self.app.start()
        if settings.telegram_webhook_url:
            await self._start_webhook(settings.telegram_webhook_url)
            return
        updater = self.app.updater
        assert updater is not None
        self.fatal = asyncio.get_running_loop().create_future()
        self._started = time.monotonic()
        await updater.start_polling(allowed_updates=UPDATES, error_callback=self._poll_error)

    async def _start_webhook(self, url: str) -> None:
        """Our server first, then Telegram told where it is (it may send at once)."""
        settings = self.services.settings
        self.webhook = Webhook(self.app, self.webhook_secret)
        path = urlparse(url).path or "/"
        await self.webhook.start(
            settings.telegram_webhook_listen, settings.telegram_webhook_port, path
        )
        try:
            await self.app.bot.set_webhook(
                url,
                secret_token=self.webhook_secret,
                allowed_updates=UPDATES,
                max_connections=WEBHOOK_CONNECTIONS,
            )
        except TelegramError as problem:
            raise SetupError("telegram.setup.unreachable", error=type(problem).__name__) from None

    async def _refuse_second_poller(self) -> None:
        """One short getUpdates before polling: a 409 from another poller stops us here."""
        try:
            await self.app.bot.get_updates(timeout=0, limit=1, allowed_updates=UPDATES)
        except TelegramError as problem:
            if other_poller(problem):
                await self.app.shutdown()
                raise SetupError("telegram.setup.conflict") from None
            # anything else (a webhook still set, a passing error): polling deals with it

    def _poll_error(self, problem: TelegramError) -> None:
        """Errors of the polling loop, which PTB retries: one line each, never a traceback.

        Telegram answers 409 to both pollers of one bot, in turns. Soon after our start it
        means we are the newcomer: we stop (``fatal``) and the one that was there goes on."""
        if other_poller(problem):
            if time.monotonic() - self._started < START_WINDOW and self.fatal is not None:
                if not self.fatal.done():
                    self.fatal.set_exception(SetupError("telegram.setup.conflict"))
                return
            log.warning("telegram: another process polls this bot too (409); still polling")
            return
        log.warning("telegram: polling failed (%s); trying again", type(problem).__name__)

    async def stop(self) -> None:
        if self.fatal is not None and not self.fatal.done():
            self.fatal.cancel()
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    @property
    def webhook_secret(self) -> str:
        """TELEGRAM_WEBHOOK_SECRET, or one derived from the token: the same on every replica."""
        configured = self.services.settings.telegram_webhook_secret
        if configured is not None:
            return configured.get_secret_value()
        return hashlib.sha256(f"crm-webhook:{self._token}".encode()).hexdigest()[:48]

    async def _register_commands(self) -> None:
        """The command menu, in English by default and in Turkish for Turkish clients."""
        names = [s for s in REGISTRY.values() if " " not in s.name and not s.hidden]
        for language in LANGUAGES:
            t = Translator(language)
            menu = [BotCommand(s.name, t(f"help.{s.key}.about")[:256]) for s in names]
            await self.app.bot.set_my_commands(
                menu, language_code=None if language == "en" else language
            )

    # -- incoming ------------------------------------------------------------------------
    async def _on_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None or user.is_bot:
            return
        text = message.text or ""
        private = chat.type == chat.PRIVATE
        replying_to_us = bool(
            message.reply_to_message
            and message.reply_to_message.from_user
            and message.reply_to_message.from_user.id == self.app.bot.id
        )
        if not private and not text.startswith("/") and not replying_to_us:
            return  # group chatter is not for the bot
        where = message.location
        incoming = Incoming(
            platform=self.platform,
            chat_id=str(chat.id),
            user_id=str(user.id),
            text=text,
            message_id=f"{chat.id}:{message.message_id}",  # unique across chats
            is_private=private,
            location=(where.latitude, where.longitude) if where else None,
            delivery_key=f"update:{update.update_id}",
        )
        for reply in await self.dispatcher.handle(incoming):
            await self._deliver(chat.id, reply, incoming.delivery_key)

    async def _on_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.from_user is None:
            return
        await query.answer()  # always, and first: the client stops its spinner
        message = query.message if isinstance(query.message, Message) else None
        if message is None:
            return
        command = await self._command_for(query.data or "")
        if command is None:
            expired = Translator(self.services.settings.crm_language)("telegram.expired")
            await self._deliver(message.chat.id, Reply(expired), f"update:{update.update_id}")
            return
        incoming = Incoming(
            platform=self.platform,
            chat_id=str(message.chat.id),
            user_id=str(query.from_user.id),
            text=command,
            message_id=f"callback:{query.id}",
            is_private=message.chat.type == message.chat.PRIVATE,
            is_action=True,
            delivery_key=f"update:{update.update_id}",
        )
        replies = await self.dispatcher.handle(incoming)
        if replies and await self._edit(message, replies[0]):
            replies = replies[1:]
        for reply in replies:
            await self._deliver(message.chat.id, reply, incoming.delivery_key)

    async def _command_for(self, data: str) -> str | None:
        if not data.startswith(TOKEN_PREFIX):
            return data
        return await self.accounts.button_command(data.removeprefix(TOKEN_PREFIX))

    # -- outgoing ------------------------------------------------------------------------
    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        """Proactive posts, retried; one that still fails is reported to the caller, which
        holds the ledger key and logs it (the scheduler marks the run failed, to retry)."""
        for reply in replies:
            try:
                await self._post(int(chat_id), reply)
            except TelegramError as problem:
                raise DeliveryError(f"telegram {chat_id} ({record_of(reply)}): {problem}") from (
                    problem
                )

    async def _deliver(self, chat_id: int, reply: Reply, key: str | None) -> None:
        """An answer, retried; one that still fails is logged with its delivery key."""
        try:
            await self._post(chat_id, reply)
        except TelegramError as problem:
            lost(self.platform, key, reply, problem, blocked=isinstance(problem, Forbidden))

    async def _api(self, call: Callable[[], Awaitable[T]]) -> T:
        return await self.policy.run(call, transient, retry_after)

    async def _text(self, chat_id: int, html: str, markup: InlineKeyboardMarkup | None) -> None:
        """One message; if Telegram cannot parse its HTML, the same words as plain text."""
        send = self.app.bot.send_message
        try:
            await self._api(
                lambda: send(chat_id, html, parse_mode=ParseMode.HTML, reply_markup=markup)
            )
        except BadRequest as problem:
            if not unparsable(problem):
                raise
            log.warning("telegram: HTML refused (%s); sending plain text", type(problem).__name__)
            await self._api(lambda: send(chat_id, plain_text(html), reply_markup=markup))

    async def _markup(self, reply: Reply) -> InlineKeyboardMarkup | None:
        """The inline keyboard; commands too long for a button are stored off the loop."""
        return keyboard(reply, await self.accounts.button_tokens(too_long(reply)))

    async def _post(self, chat_id: int, reply: Reply) -> None:
        pieces = split_text(reply_html(reply))
        markup = await self._markup(reply)
        for i, piece in enumerate(pieces):
            await self._text(chat_id, piece, markup if i == len(pieces) - 1 else None)
        bot = self.app.bot
        for item in reply.attachments:
            if item.mime.startswith("image/"):
                await self._api(
                    partial(bot.send_photo, chat_id, item.data, caption=item.title or None)
                )
            else:
                await self._api(
                    partial(bot.send_document, chat_id, item.data, filename=item.filename)
                )

    async def _edit(self, message: Message, reply: Reply) -> bool:
        """Show a press's answer in place of the pressed message, when it fits in one."""
        pieces = split_text(reply_html(reply))
        if len(pieces) > 1 or reply.attachments or not message.text:
            return False
        markup = await self._markup(reply)
        edit: Callable[..., Awaitable[Any]] = message.edit_text
        try:
            await self._api(lambda: edit(pieces[0], parse_mode=ParseMode.HTML, reply_markup=markup))
        except BadRequest as problem:  # too old to edit, unchanged, or unparsable HTML
            if unparsable(problem):
                return await self._plain_edit(edit, pieces[0], markup)
            log.info("could not edit message %s: %s", message.message_id, problem)
            return "not modified" in str(problem).lower()
        except TelegramError as problem:  # retries spent: the answer is posted instead
            log.warning("telegram: edit failed (%s); posting the answer", type(problem).__name__)
            return False
        return True

    async def _plain_edit(
        self, edit: Callable[..., Awaitable[Any]], html: str, markup: InlineKeyboardMarkup | None
    ) -> bool:
        try:
            await self._api(lambda: edit(plain_text(html), reply_markup=markup))
        except TelegramError:
            return False  # posted as a new message instead
        return True

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Errors outside the dispatcher (which answers its own): log them with the update."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed", update_id, exc_info=context.error)
