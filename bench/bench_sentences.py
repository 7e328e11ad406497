"""Reading one plain message: intent, the customer it names, the dates, without the database.

Why: every message without a slash is read as a sentence before anything else happens, so its
cost is paid on each of them (issue 11: p99 <= 2 ms per message, excluding the database). The
reference is looked up the way ``/read`` does it: each candidate the reader offers is checked
against the in-memory name index (every word a known name word, then a search and ``pick``),
over 100,000 generated customers. Messages are the trial's: Turkish and English, case endings,
no Turkish letters, dates, amounts, greetings, and names from the long tail.

    .venv/bin/python bench/bench_sentences.py             # 100,000 customers, 5,000 messages
    .venv/bin/python bench/bench_sentences.py --n 10000   # quick run
"""

from __future__ import annotations

import gc
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from measure import fmt_summary, parser, revision, save, stopwatch, summary, target_line
from names import CustomerRecord, ascii_fold, generate

P99_TARGET_MS = 2.0
MESSAGES = 5_000
THREADS = 4
TZ = ZoneInfo("Europe/Istanbul")
TURKISH = [
    "{n}'i aradım, fiyat konuştuk, {d} teklif göndereceğim",
    "{n}'e uğradım, numune bıraktım",
    "dün {n}'e gittim, stok sayımı yaptık",
    "{n} ile toplantı yaptık, {d} demo istiyorlar",
    "{n}'e mail attım, katalog gönderdim",
    "{n}'i kaybettik, fiyat yüksek bulundu",
    "{n} ile anlaştık 250 bin TL",
    "{d} {n}'i aramayı hatırlat",
    "{n}'le telefonda görüştük, siparişi onayladılar",
    "günaydın",
    "teşekkürler",
    "{n}",
]
ENGLISH = [
    "called {n}, discussed pricing, will send the quote {d}",
    "visited {n}, they want a demo {d}",
    "met with {n} about the renewal",
    "emailed {n} the brochure",
    "remind me to call {n} {d}",
    "we lost {n}, went with a competitor",
    "spoke with {n}, all good",
    "thanks",
    "{n}",
]
DATES_TR = ["cuma", "yarın 10da", "haftaya salı", "3 gün sonra", "5 aralık", "pazartesi sabah"]
DATES_EN = ["friday", "tomorrow at 10", "next tuesday", "in 3 days", "Dec 5", "monday morning"]


def messages(people: list[CustomerRecord], n: int, seed: int) -> list[tuple[str, bool]]:
    """(text, English?) for ``n`` messages around customers drawn from the whole book."""
    rng = random.Random(seed)
    found = []
    for _ in range(n):
        person = rng.choice(people)
        english = person.origin == "en"
        name = person.core.split()[-1] if rng.random() < 0.4 else person.core
        name = ascii_fold(name) if rng.random() < 0.3 else name
        template = rng.choice(ENGLISH if english else TURKISH)
        date = rng.choice(DATES_EN if english else DATES_TR)
        found.append((template.format(n=name, d=date), english))
    return found


def main() -> None:
    args = parser("Reading one plain message", 100_000).parse_args()
    from handlers.sentences.reader import understand
    from storage.endings import query_tokens
    from storage.search import NameIndex, pick

    people = generate(args.n, args.seed)
    with stopwatch() as built:
        index = NameIndex()
        for customer_id, person in enumerate(people, start=1):
            index.put(customer_id, person.name)
        gc.freeze()  # as NameIndex.refresh does after a bulk load
    texts = messages(people, MESSAGES, args.seed)
    now = datetime(2026, 11, 25, 15, 0, tzinfo=TZ).astimezone(UTC)

    def read(text: str, english: bool) -> int | None:
        """As ``handlers.proposals``: the first candidate naming anyone decides (0: namesakes)."""
        said = understand(text, now, TZ, english=english)
        for name in said.names or ([text] if said.kind is None else []):
            tokens = query_tokens(name)
            if not tokens or not all(index.knows(t) for t in tokens):
                continue
            if named := index.named(name):
                return named[0] if len(named) == 1 else 0
            matches = [m for m in index.search(name, limit=6) if m.inside]
            if matches:
                chosen = pick(matches)
                return chosen.customer_id if chosen else 0
        return None

    def timed(batch: list[tuple[str, bool]]) -> list[float]:
        latencies = []
        for text, english in batch:
            start = time.perf_counter()
            read(text, english)
            latencies.append((time.perf_counter() - start) * 1000)
        return latencies

    with stopwatch() as cold:
        read(*texts[0])
    one = timed(texts)
    with ThreadPoolExecutor(THREADS) as pool:
        shared = [ms for part in pool.map(timed, [texts[i::THREADS] for i in range(THREADS)])
                  for ms in part]  # fmt: skip
    outcomes = [read(text, english) for text, english in texts[:1000]]
    resolved, namesakes = sum(bool(o) for o in outcomes), outcomes.count(0)
    results = {
        "revision": revision(),
        "cores": os.cpu_count(),
        "customers": len(people),
        "index_build_s": built[0],
        "cold_first_message_ms": cold[0] * 1000,
        "one_thread": summary(one),
        f"{THREADS}_threads": summary(shared),
        "resolved_of_1000": resolved,
        "namesakes_of_1000": namesakes,
    }
    print(f"Reading plain messages, {len(people):,} customers, {os.cpu_count()} cores, "
          f"{results['revision']}")  # fmt: skip
    print(f"  index build {built[0]:.1f} s; first message {cold[0] * 1000:.0f} ms")
    print(f"  one thread:  {fmt_summary(results['one_thread'])}")
    print(f"  {THREADS} threads:   {fmt_summary(results[f'{THREADS}_threads'])}")
    print(f"  of the first 1,000 messages: {resolved} named one customer, {namesakes} namesakes "
          "(asked about), the rest none (greetings, or a word of no name)")  # fmt: skip
    p99 = results["one_thread"]["p99"]
    print(target_line("p99 per message, one thread", p99, P99_TARGET_MS, "ms"))
    print(f"  saved to {save('sentences', results)}")


if __name__ == "__main__":
    main()
