"""How long reading the date out of one message takes: the reader alone, no database.

Why: the reader runs on every /task, next step and snooze, and on every sentence a rep types
without a slash; its cost is per message, not per customer, so the target is a per-message
p99 (issue 11: p99 <= 2 ms). Messages are what the trial typed: a long tail of generated
customer names (both languages, with and without Turkish letters), titles, amounts, phones and
``#ids`` around a date phrase from the table below, or no date at all. Cold start (the first
message in a fresh process: catalogs and CLDR month names loading) is reported apart, and the
same messages are read again by several threads at once (their latency includes waiting for
the interpreter lock, as a busy bot's workers would). The reader keeps a bounded cache of word
forms; each timed run starts with it empty.

    .venv/bin/python bench/bench_reading.py             # 20,000 messages
    .venv/bin/python bench/bench_reading.py --n 2000    # quick run
"""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from measure import fmt_summary, parser, revision, save, stopwatch, summary, target_line
from names import ascii_fold, generate, local_phone

P99_TARGET_MS = 2.0
THREADS = 4
TZ = ZoneInfo("Europe/Istanbul")
DATES = [
    "yarın 10:00", "yarin 10da", "yarın saat 10", "yarından sonra 11:00", "öbür gün",
    "cuma", "cumaya", "cuma günü saat 14", "haftaya salı", "haftaya pazartesi 10da",
    "gelecek hafta", "3 gün sonra", "iki gün sonra", "bir hafta sonra", "1 ay sonra",
    "5 aralık", "5 aralik 14:00", "05.12.2026", "20 mart", "30 Kasım'da", "bugün 17:00",
    "yarın sabah", "yarın öğleden sonra", "akşam 6", "saat 3 buçukta", "3te", "hafta sonuna kadar",
    "tomorrow at 10", "tomorrow morning", "next tuesday", "on friday", "fri 10am", "in 2 hours",
    "in a week", "Dec 5", "5 December 2pm", "2026-12-05", "5/12", "the day after tomorrow at 5pm",
    "end of the week", "dün", "2 gün önce", "last friday",
]  # fmt: skip
TITLES = [
    "fiyat için ara", "teklif gönder", "numune yolla", "sözleşmeyi imzalat", "mart kampanyası",
    "ekim raporu hazırla", "tahsilat için ara", "demo ayarla", "call back about pricing",
    "send the quote", "may price list", "follow up on the demo", "renew insurance", "check stock",
]  # fmt: skip


def messages(n: int, seed: int) -> list[str]:
    """``n`` messages around names of a long tail of customers; one in five has no date."""
    rng = random.Random(seed)
    people = generate(max(n // 2, 100), seed)
    found = []
    for _ in range(n):
        person = rng.choice(people)
        name = person.name if rng.random() < 0.6 else ascii_fold(person.name)
        extras = [
            f"#{rng.randint(1, 99_999)}",
            f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d} TL",
            local_phone(person.phone) if person.phone else "",
            f"{rng.randint(2, 40)} adet",
            "",
        ]
        parts = [name, rng.choice(TITLES), rng.choice(extras)]
        if rng.random() < 0.8:
            parts.insert(rng.choice([1, 3]), rng.choice(DATES))
        found.append(" ".join(p for p in parts if p))
    return found


def timed(texts: list[str], now: datetime) -> list[float]:
    from handlers.when import find

    latencies = []
    for text in texts:
        start = time.perf_counter()
        find(text, now, TZ, english=text.isascii())
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def main() -> None:
    args = parser("Date reading per message", 20_000).parse_args()
    now = datetime(2026, 11, 27, 16, 0, tzinfo=TZ).astimezone(UTC)
    texts = messages(args.n, args.seed)
    with stopwatch() as cold:
        timed(texts[:1], now)
    from handlers.when import lexicon

    lexicon.forms.cache_clear()  # every word is new to the reader's word cache at first
    warm = timed(texts, now)
    fresh = messages(2_000, args.seed + 1)  # names never seen, then the cache dropped again
    lexicon.forms.cache_clear()
    unseen = timed(fresh, now)
    chunks = [texts[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        shared = [ms for part in pool.map(timed, chunks, [now] * THREADS) for ms in part]
    later = [timed(texts[:500], now + timedelta(days=d)) for d in (2, 34, 120)]
    results = {
        "revision": revision(),
        "cores": os.cpu_count(),
        "messages": len(texts),
        "cold_first_message_ms": cold[0] * 1000,
        "one_thread": summary(warm),
        "unseen_names": summary(unseen),
        f"{THREADS}_threads": summary(shared),
        "other_nows": summary([ms for run in later for ms in run]),
    }
    print(f"Date reading, {len(texts):,} messages, {os.cpu_count()} cores, {results['revision']}")
    print(f"  cold start (first message): {results['cold_first_message_ms']:.0f} ms")
    print(f"  one thread:  {fmt_summary(results['one_thread'])}")
    print(f"  unseen names, empty cache: {fmt_summary(results['unseen_names'])}")
    print(f"  {THREADS} threads:   {fmt_summary(results[f'{THREADS}_threads'])}")
    print(f"  other nows:  {fmt_summary(results['other_nows'])}")
    p99 = results["one_thread"]["p99"]
    print(target_line("p99 per message, one thread", p99, P99_TARGET_MS, "ms"))
    print(f"  saved to {save('reading', results)}")


if __name__ == "__main__":
    main()
