"""The command workers: a small thread pool, one chat's messages in the order they came.

Why a pool: a command spends part of its time waiting on the database (a PostgreSQL round
trip, SQLite's commit), and one worker left every other chat waiting through it; 200 reps
sending at once waited seconds. Why order per chat: a rep's second message may answer the
question their first one asked (a guided flow, "2" picking from the last list, a button
pressed under an answer), and a group's messages must read as they were sent. So the key is
the chat, ``(platform, chat_id)``: it covers every rep in it, and a rep's flows are per chat
anyway (``storage.chat.flows``), so one rep's two chats may run side by side.

Why not an ``asyncio.Lock`` per chat: the dispatcher is driven from more than one event loop
in tests and tools (``asyncio.run`` per message), and a lock is bound to the loop that first
waits on it. The queues here are plain data behind a ``threading.Lock``, and a message's
place is taken synchronously when it is submitted, so arrival order is kept exactly.

Why not more threads than a few: commands are mostly Python, and Python runs one thread at a
time (the interpreter lock); past the point where the database waits overlap, more threads
only lengthen every command. ``DEFAULT_WORKERS`` was chosen by ``bench/bench_burst.py``; the
settings give SQLite one (``Settings.command_workers`` says why).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_WORKERS = 4

_Job = tuple[Callable[[], Any], "Future[Any]"]


class ChatOrderedPool:
    """``submit(key, fn)``: run ``fn`` on a worker, after every earlier job of the same key."""

    def __init__(self, workers: int = DEFAULT_WORKERS, name: str = "crm-commands") -> None:
        self.workers = max(1, workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        # A key is here while one of its jobs runs or waits in the pool; its deque holds the
        # jobs that came after, in order. Only one job per key is ever in the pool.
        self._behind: dict[Hashable, deque[_Job]] = {}

    def submit(self, key: Hashable, fn: Callable[[], T]) -> Future[T]:
        done: Future[T] = Future()
        with self._lock:
            waiting = self._behind.get(key)
            if waiting is not None:  # this chat has a message in progress: queue behind it
                waiting.append((fn, done))
                return done
            self._behind[key] = deque()
        self._pool.submit(self._run, key, fn, done)
        return done

    def busy_chats(self) -> int:
        """Chats with a message running or waiting (for tests and the log)."""
        with self._lock:
            return len(self._behind)

    def _run(self, key: Hashable, fn: Callable[[], Any], done: Future[Any]) -> None:
        try:
            if done.set_running_or_notify_cancel():  # False: cancelled while it waited
                try:
                    done.set_result(fn())
                except BaseException as error:  # handed to the awaiting coroutine
                    done.set_exception(error)
        finally:
            with self._lock:
                waiting = self._behind[key]
                following = waiting.popleft() if waiting else None
                if following is None:
                    del self._behind[key]
            if following is not None:
                # To the back of the pool's queue, not run here at once: a chat with many
                # messages takes its turn with the others instead of holding a worker.
                self._pool.submit(self._run, key, *following)
