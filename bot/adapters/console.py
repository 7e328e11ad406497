"""The terminal chat: an interactive console for people and a JSON-lines mode for scripts.

Interactive mode numbers every choice and button; typing the number runs its command, which is
exactly what pressing the button would send. ``--jsonl`` reads one message per stdin line and
writes each Reply as one JSON line (DESIGN.md), with ``input`` the 1-based line it answers.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
from pathlib import Path
from typing import TextIO

from bot.dispatcher import Dispatcher
from handlers.kit import Button, Incoming, Reply, Translator, is_keyword


def render(reply: Reply, first_number: int | None = 1) -> tuple[str, list[Button]]:
    """Plain-text form of a reply, and the numbered actions in it (unnumbered if None)."""
    lines = [reply.text]
    if reply.card:
        lines.append(f"┌ {reply.card.title} (#{reply.card.id})")
        for label, value in reply.card.fields:
            head, *rest = value.split("\n")
            lines.append(f"│ {label}: {head}")
            lines += [f"│   {more}" for more in rest]
        lines.append("└")
    actions = [*reply.choices, *reply.buttons]
    for number, action in enumerate(actions, first_number or 1):
        mark = f"[{number}]" if first_number is not None else "•"
        lines.append(f"  {mark} {action.label}  ({action.command})")
    for attachment in reply.attachments:
        lines.append(f"  📎 {attachment.filename} ({attachment.mime}, {len(attachment.data)} B)")
    return "\n".join(lines), actions


class Lines:
    """Lines of a stream, read on a daemon thread.

    Not ``asyncio.to_thread``: a read blocked on the terminal would hold the loop's default
    executor, and the process would wait for one more Enter before it could exit after a
    Ctrl-C or SIGTERM. A daemon thread is simply left behind.
    """

    def __init__(self, stream: TextIO) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: TextIO) -> None:
        for line in iter(stream.readline, ""):
            if not self._put(line):
                return
        self._put("")  # end of input

    def _put(self, line: str) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the loop is closed: the process is ending
            return False
        return True

    async def next(self, stop: asyncio.Event | None = None) -> str:
        """The next line ("" at the end of input, or once ``stop`` is set)."""
        if stop is None:
            return await self._queue.get()
        line = asyncio.ensure_future(self._queue.get())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({line, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if line.done():
            return line.result()
        line.cancel()
        return ""


class ConsoleAdapter:
    """Also an ``Adapter``: proactive posts (digests, reminders) are printed."""

    platform = "console"

    def __init__(
        self,
        dispatcher: Dispatcher,
        rep_id: int,
        language: str,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.rep_id = rep_id
        self.t = Translator(language)
        self.stdin = stdin or sys.stdin  # read when built, not when this module was imported
        self.stdout = stdout or sys.stdout
        self._chatting = False
        self._files: Path | None = None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        """The goodbye, once everything else has stopped: it is the last thing printed."""
        if self._chatting:
            self._chatting = False
            self.stdout.write(self.t("console.bye") + "\n")
            self.stdout.flush()

    async def send(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            # Unnumbered: typing a number answers the last reply to what was typed, not this.
            self.stdout.write(f"[{chat_id}] {render(reply, None)[0]}\n")
        self.stdout.flush()

    def _save(self, reply: Reply) -> list[Path]:
        """A report's chart or CSV written where the person at the terminal can open it: a
        folder of this sitting's own, readable by its owner only (the files hold customer
        data), never the working directory, which may be shared or read-only."""
        paths = []
        for attachment in reply.attachments:
            if self._files is None:
                self._files = Path(tempfile.mkdtemp(prefix="crm-bot-"))
            name = Path(attachment.filename).name or "file"
            path = self._files / name
            number = 1
            while path.exists():
                number += 1
                path = self._files / f"{Path(name).stem}-{number}{Path(name).suffix}"
            path.write_bytes(attachment.data)
            paths.append(path)
        return paths

    def _incoming(self, text: str) -> Incoming:
        return Incoming(
            platform="console",
            chat_id="console",
            user_id=str(self.rep_id),
            text=text,
            message_id=None,
        )

    async def run_jsonl(self) -> None:
        lines, number = Lines(self.stdin), 0
        while line := await lines.next():
            number += 1
            for reply in await self.dispatcher.handle(self._incoming(line.strip())):
                self.stdout.write(json.dumps(reply.to_json(number), ensure_ascii=False) + "\n")
            self.stdout.flush()

    async def run_interactive(self, rep_name: str, stop: asyncio.Event | None = None) -> None:
        """Until "quit", the end of input or ``stop`` (Ctrl-C, SIGTERM): a command already
        running when it is set finishes and its answer is printed before the goodbye."""
        self.stdout.write(self.t("console.banner", rep=rep_name) + "\n")
        self._chatting = True
        lines = Lines(self.stdin)
        actions: list[Button] = []
        while stop is None or not stop.is_set():
            self.stdout.write("> ")
            self.stdout.flush()
            line = await lines.next(stop)
            if not line:
                self.stdout.write("\n")
                break
            text = line.strip()
            if is_keyword(text, "kw.quit"):
                break
            if text.isdigit() and 0 < int(text) <= len(actions):
                text = actions[int(text) - 1].command
                self.stdout.write(f"{text}\n")
            actions = []
            for reply in await self.dispatcher.handle(self._incoming(text)):
                body, more = render(reply, len(actions) + 1)
                actions += more
                self.stdout.write(body + "\n")
                for path in self._save(reply):
                    self.stdout.write("  " + self.t("console.saved", path=str(path)) + "\n")
