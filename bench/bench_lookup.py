"""How fast and how well ``NameIndex`` finds a customer among 100,000, and what it costs in memory.

Why in-process and without the database: this isolates the index, the part whose cost grows
with the customer count, from session and SQL overhead (``bench_dispatch.py`` measures the whole
path). Queries are what reps type (see ``variants.py``); beside latency we report how often the
intended customer, or a namesake with the same name key, came back, so a faster index that
finds less cannot pass unnoticed.

    .venv/bin/python bench/bench_lookup.py            # 100,000 customers, ~2,000 queries
    .venv/bin/python bench/bench_lookup.py --n 10000  # quick run
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import random
import time
import tracemalloc
from collections import Counter, defaultdict

from measure import (
    GcPauses,
    fmt_summary,
    parser,
    peak_rss_mb,
    revision,
    save,
    status_mb,
    stopwatch,
    summary,
    target_line,
)
from names import CustomerRecord, generate
from variants import VARIANTS, Query, make_queries

from storage.folding import name_key
from storage.search import Match, NameIndex, pick

P95_TARGET_MS = 5.0  # issue 14, at 1,000,000 customers
RSS_TARGET_MB = 400.0
QUERIES = 2_000
WARMUP = 20


def build_index(records: list[CustomerRecord]) -> NameIndex:
    """One put() per name, as the index grows in a running bot (the first build from the
    database goes faster, through ``NameStore.load``: see ``bench_dispatch.py``'s warm-up)."""
    index = NameIndex()
    for customer_id, record in enumerate(records, start=1):
        index.put(customer_id, record.name)
    return index


def traced_build(records: list[CustomerRecord]) -> tuple[float, float]:
    """(peak, retained) MB allocated by building an index; run last, as tracing costs memory."""
    gc.collect()
    tracemalloc.start()
    index = build_index(records)
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index
    return peak / 2**20, retained / 2**20


def is_hit(match: Match, wanted: str, keys: list[str]) -> bool:
    """The intended customer or a namesake: the index cannot tell those apart, nor should it."""
    return keys[match.customer_id - 1] == wanted


def run_queries(
    index: NameIndex, queries: list[Query], keys: list[str], unique: set[str]
) -> tuple[list[float], dict[str, dict[str, float]]]:
    """Latency of every search in ms, and per variant: latencies, hit@8, top-1, what pick() did.

    ``picked`` counts right resolutions of names no one else bears (a namesake must be asked
    about); ``wrong`` counts resolutions to another name, the one outcome that silently files
    a call under the wrong customer.
    """
    latencies: list[float] = []
    per: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_variant: dict[str, list[float]] = defaultdict(list)
    for query in queries:
        start, cpu = time.perf_counter_ns(), time.thread_time_ns()
        matches = index.search(query.text)
        elapsed = (time.perf_counter_ns() - start) / 1e6
        latencies.append(elapsed)
        per["_cpu"][str(len(latencies))] = (time.thread_time_ns() - cpu) / 1e6
        by_variant[query.variant].append(elapsed)
        wanted = keys[query.target]
        stats = per[query.variant]
        stats["n"] += 1
        stats["hit8"] += any(is_hit(m, wanted, keys) for m in matches)
        stats["top1"] += bool(matches) and is_hit(matches[0], wanted, keys)
        chosen = pick(matches)
        if wanted in unique:
            stats["unique"] += 1
            stats["picked"] += chosen is not None and is_hit(chosen, wanted, keys)
        stats["wrong"] += chosen is not None and not is_hit(chosen, wanted, keys)
        stats["empty"] += not matches
    for variant, samples in by_variant.items():
        per[variant].update({f"lat_{k}": v for k, v in summary(samples).items() if k != "n"})
    return latencies, {k: dict(v) for k, v in per.items()}


def profile_queries(index: NameIndex, queries: list[Query]) -> str:
    """cProfile of a second pass over the same queries (the timed pass stays unprofiled)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        index.search(query.text)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(15)
    return out.getvalue()


def main() -> None:
    args = parser("NameIndex lookup benchmark", 100_000).parse_args()
    rng = random.Random(args.seed)
    print(f"NameIndex lookup benchmark: {args.n:,} customers, seed {args.seed}")
    print(f"  code {revision()}")

    with stopwatch() as gen_time:
        records = generate(args.n, seed=args.seed)
        keys = [name_key(r.name) for r in records]
    distinct = len(set(keys))
    print(f"  data: {gen_time[0]:.1f} s to generate; {distinct:,} distinct name keys")
    rss_before = status_mb("VmRSS") or peak_rss_mb()

    gc.collect()
    with stopwatch() as build_time:
        index = build_index(records)
    rss_loaded = status_mb("VmRSS") or peak_rss_mb()
    vocab = index.vocabulary()
    print(
        f"  index build: {build_time[0]:.2f} s for {len(index):,} names, {vocab:,} distinct words"
    )

    per_variant = max(1, QUERIES // len(VARIANTS))
    queries = make_queries(records, per_variant, rng)
    for query in queries[:WARMUP]:
        index.search(query.text)
    counts = Counter(keys)
    unique = {key for key, count in counts.items() if count == 1}
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    latencies, per = run_queries(index, queries, keys, unique)
    gc.callbacks.remove(pauses)
    cpu = summary(list(per.pop("_cpu").values()))
    overall = summary(latencies)
    peak_rss = peak_rss_mb()

    print(f"\n  search() latency over {len(latencies)} queries (after {WARMUP} warm-up):")
    print(f"    {fmt_summary(overall)}")
    print(
        f"    CPU time of the same calls (other load on the machine left out): {fmt_summary(cpu)}"
    )
    header = f"    {'variant':<11} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}"
    print(header + f" {'hit@8':>6} {'top-1':>6} {'picked':>12} {'wrong':>5} {'empty':>5}")
    for variant in VARIANTS:
        s = per[variant]
        n, uniq = s["n"], s.get("unique", 0)
        picked = f"{int(s.get('picked', 0))}/{int(uniq)}"
        print(
            f"    {variant:<11} {int(n):>4} {s['lat_p50']:>7.2f} {s['lat_p95']:>7.2f} "
            f"{s['lat_max']:>7.2f} {s['hit8'] / n:>6.1%} {s['top1'] / n:>6.1%} "
            f"{picked:>12} {int(s.get('wrong', 0)):>5} {int(s.get('empty', 0)):>5}"
        )
    print("    hit@8 / top-1: the intended customer or a same-key namesake in the 8 / first;")
    print("    picked: pick() resolved it unasked, of queries for a name no one else bears;")
    print("    wrong: pick() resolved it to a customer with another name")
    print(f"    garbage collector during the queries: {pauses.describe() or 'no passes'}")
    # What a bot searches after a restart: its first build (``NameStore.load``) leaves every
    # word's customers packed in one array, where one grown by put() keeps up to a quarter of
    # them in per-word sets until its next compaction. The target is read on the figure above.
    with index._lock:
        index._store.compact()
    restarted, _ = run_queries(index, queries, keys, unique)
    packed = fmt_summary(summary(restarted))
    print(f"    the same queries on the index as a restart leaves it: {packed}")

    traced_peak, traced_retained = traced_build(records)
    print("\n  memory:")
    print(f"    RSS before build {rss_before:.1f} MB, with index loaded {rss_loaded:.1f} MB")
    print(f"    peak RSS (getrusage maxrss, before tracing) {peak_rss:.1f} MB")
    print(
        f"    tracemalloc during a build: peak {traced_peak:.1f} MB, retained {traced_retained:.1f}"
    )

    print("\n  targets:")
    print(target_line(f"lookup p95 at {args.n:,}", overall["p95"], P95_TARGET_MS, "ms"))
    print(target_line("peak RSS with the index loaded", peak_rss, RSS_TARGET_MB, "MB"))

    path = save(
        "bench_lookup" if args.n == 100_000 else f"bench_lookup_{args.n}",
        {
            "n": args.n,
            "revision": revision(),
            "seed": args.seed,
            "build_s": build_time[0],
            "latency_ms": overall,
            "cpu_ms": cpu,
            "per_variant": per,
            "rss_before_mb": rss_before,
            "rss_loaded_mb": rss_loaded,
            "peak_rss_mb": peak_rss,
            "tracemalloc_peak_mb": traced_peak,
            "tracemalloc_retained_mb": traced_retained,
        },
    )
    print(f"\n  figures saved to {path}")
    if args.profile:
        print("\n  cProfile of a second pass over the same queries:\n")
        print(profile_queries(index, queries))


if __name__ == "__main__":
    main()
