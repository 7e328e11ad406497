"""How fast and how well the duplicate scan works over 100,000 customers in a real database.

Why planted duplicates: a scan that is fast because it finds nothing would pass a timing alone.
Beside the generated customers (``names.py``, with their many real namesakes) we plant copies
of 1,000 of them written the way duplicates happen: without Turkish letters, in capitals,
words swapped, with a title or another legal suffix, with a typo, or under another name with
the same phone or e-mail. Each copy either shares a phone or e-mail with its original or has
no contact data at all (a name-only duplicate). We report how many planted pairs the scan put
into one likely-duplicate group, per kind; a name-only copy of a *common* name (more than
``COMMON_NAME`` customers share it) is not expected to be found, and is counted apart.

    .venv/bin/python bench/bench_dupes.py            # 100,000 customers + 1,000 planted
    .venv/bin/python bench/bench_dupes.py --n 20000  # quick run
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bulkload import BATCH, _table, batches, customer_rows
from measure import parser, revision, save, stopwatch, target_line
from names import CustomerRecord, ascii_fold, generate
from sqlalchemy import insert

from storage import migrate
from storage.db import Database
from storage.folding import name_key
from storage.models import Customer, Rep
from storage.quality import dupes

PLANTED = 1_000
TARGET_S = 10.0
KINDS = ("ascii", "capitals", "swapped", "title", "suffix", "typo", "renamed")


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    j = rng.randrange(1, len(w) - 2) if len(w) > 4 else 1
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def variant(record: CustomerRecord, kind: str, rng: random.Random) -> str:
    if kind == "ascii":
        return ascii_fold(record.name)
    if kind == "capitals":
        return record.name.upper()
    if kind == "swapped":
        words = record.core.split()
        return " ".join([words[-1], *words[:-1]]) + (f" {record.legal}" if record.legal else "")
    if kind == "title":
        return f"Dr. {record.core}" if record.kind == "person" else f"{record.core} Ltd. Şti."
    if kind == "suffix":
        return f"{record.core} A.Ş." if record.kind == "company" else f"{record.core} "
    if kind == "typo":
        return _typo(record.name, rng)
    return f"{record.core.split()[0]} Ofis"  # renamed: only the contact data ties it


def plant(records: list[CustomerRecord], rng: random.Random) -> list[tuple[int, int, str, bool]]:
    """Append planted copies; (original id, copy id, kind, shares contact data)."""
    planted = []
    for n, original in enumerate(rng.sample(range(len(records)), PLANTED)):
        record = records[original]
        kind = KINDS[n % len(KINDS)]
        shares = kind == "renamed" or n % 2 == 0
        if shares and not (record.phone or record.email):
            continue
        copy = replace(
            record,
            name=variant(record, kind, rng),
            phone=record.phone if shares else None,
            email=record.email if shares and not record.phone else None,
        )
        records.append(copy)
        planted.append((original + 1, len(records), kind, shares))
    return planted


def main() -> None:
    args = parser(__doc__ or "", 100_000).parse_args()
    rng = random.Random(args.seed)
    records = generate(args.n, args.seed)
    planted = plant(records, rng)
    keys = Counter(name_key(r.name) for r in records)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'dupes.sqlite3'}")
        migrate.upgrade(db)
        with db.engine.begin() as conn:
            rep_id = conn.execute(insert(_table(Rep)).values(name="Bench", role="admin")).lastrowid
            rows = customer_rows(records, rep_id, datetime.now(UTC), rng)
            for batch in batches(rows, BATCH):
                conn.execute(insert(_table(Customer)), batch)
        with stopwatch() as read, db.session() as session:
            people = dupes.load(session)
        with stopwatch() as scanned:
            groups = dupes.scan(people)
        db.dispose()
    likely = [g for g in groups if not g.homonym]
    groups_of: dict[int, set[int]] = {}
    for n, g in enumerate(likely):
        for i in g.ids:
            groups_of.setdefault(i, set()).add(n)
    found: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    common = 0
    for original, copy, kind, shares in planted:
        label = f"{kind}{'+contact' if shares else ''}"
        if not shares and keys[name_key(records[original - 1].name)] > dupes.COMMON_NAME:
            common += 1
            continue
        expected[label] += 1
        found[label] += bool(groups_of.get(original, set()) & groups_of.get(copy, set()))
    total_s = read[0] + scanned[0]
    recall = sum(found.values()) / max(sum(expected.values()), 1)
    print(f"duplicate scan, {len(people):,} customers ({len(planted):,} planted) · {revision()}")
    print(f"  read from the database            {read[0]:9.2f} s")
    print(f"  scan (blocking + process.cdist)   {scanned[0]:9.2f} s")
    print(target_line("read + scan", total_s, TARGET_S, "s"))
    print(f"  likely duplicate groups           {len(likely):9,}")
    print(f"  pairs in those groups             {sum(len(g.pairs) for g in likely):9,}")
    print(f"  homonym pairs kept apart          {len(groups) - len(likely):9,}")
    print(f"  planted pairs recalled            {recall:9.1%}")
    for label in sorted(expected):
        print(f"    {label:<18} {found[label]:5,} / {expected[label]:<5,}")
    print(f"  name-only copies of common names  {common:9,} (not expected: only data can tell)")
    save(
        "dupes",
        {
            "n": len(people),
            "read_s": read[0],
            "scan_s": scanned[0],
            "groups": len(likely),
            "recall": recall,
            "per_kind": {k: [found[k], expected[k]] for k in expected},
        },
    )


if __name__ == "__main__":
    main()
