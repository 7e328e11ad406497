"""The process's Prometheus metrics, in a registry of its own (not the library's global one).

One ``Metrics`` per ``serve()``: the dispatcher, the adapters (through the dispatcher), the
notifier and the scheduler's jobs count into it, and ``/metrics`` (``bot.ops_http``) exposes it.
Tests build their own and read it back, so no test sees another's counts.

Labels stay few: a command is labelled with its registered canonical name (never the typed
text), a platform with its adapter's name, a scheduled run with its job kind and outcome (a
short fixed vocabulary), so the number of series is bounded by the code, not by the users.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

NO_COMMAND = "none"  # nothing ran: an unknown word, an unregistered user, a repeated delivery

# Seconds from a message reaching the dispatcher to its answer (waiting time included).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# API methods that put something in front of a user; other calls (getUpdates, auth.test,
# answerCallbackQuery, conversations.info) are not sends.
TELEGRAM_SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText"})
SLACK_SENDS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "files.completeUploadExternal"}
)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.command_seconds = Histogram(
            "crm_command_seconds",
            "Time from a message reaching the dispatcher to its answer, by command.",
            ["command"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.command_errors = Counter(
            "crm_command_errors",
            "Commands that failed with an internal error (the rep got a reference).",
            ["command"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "crm_dispatch_queue_depth", "Messages waiting for the command worker.", registry=r
        )
        self.sends = Counter(
            "crm_sends", "Messages posted or edited on a platform.", ["platform"], registry=r
        )
        self.send_failures = Counter(
            "crm_send_failures",
            "Posts a platform refused (other than rate limiting).",
            ["platform"],
            registry=r,
        )
        self.rate_limited = Counter(
            "crm_rate_limited",
            "HTTP 429 answers from a platform's API (each is waited out and retried).",
            ["platform"],
            registry=r,
        )
        self.scheduler_runs = Counter(
            "crm_scheduler_runs",
            "Scheduled runs by job (digest, report, reminders, notices, sweep) and outcome.",
            ["job", "outcome"],
            registry=r,
        )

    def api_answer(self, platform: str, method: str, status: int, sends: frozenset[str]) -> None:
        """One answer of a platform's API: a send, a refused send, or a 429."""
        if status == 429:
            self.rate_limited.labels(platform).inc()
        elif method in sends:
            if 200 <= status < 300:
                self.sends.labels(platform).inc()
            else:
                self.send_failures.labels(platform).inc()

    def ran(self, job: str, outcome: str) -> None:
        self.scheduler_runs.labels(job, outcome).inc()

    def value(self, name: str, **labels: str) -> float:
        """One sample's current value (0 when never counted): for tests and ``doctor``."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
