"""Import benchmarks through the real importer, into a fresh SQLite file.

Default: the Maven CRM dataset (85 accounts, 7 products, 35 agents, 8,800 opportunities),
timed end to end, then its idempotent re-import (everything unchanged).

``--reimport``: a generated customer file of ``--n`` rows (50,000 by default, as a rep's
spreadsheet export looks: ``import_file``), then contacts and deals of those customers (one
each per customer named once), each imported twice: rows/s for the first import and for the
re-import, where nearly every row matches an existing record. The re-import is where the
database must not be read once per row.

    .venv/bin/python bench/bench_import.py
    .venv/bin/python bench/bench_import.py --reimport            # 50,000 rows
    .venv/bin/python bench/bench_import.py --reimport --n 2000   # smoke
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import import_file
from measure import parser, revision, save, stopwatch, target_line
from sqlmodel import select

from storage import deals, migrate
from storage.db import Database
from storage.models import Customer
from storage.transfer import importer, maven

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"
TARGET_S = 10.0


def main() -> None:
    args = parser("import benchmarks", 50_000)
    args.add_argument("--reimport", action="store_true", help="a generated file, twice")
    parsed = args.parse_args()
    if parsed.reimport:
        reimport(parsed.n, parsed.seed)
    else:
        maven_bench()


def maven_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "maven"
        shutil.copytree(DATASET, folder)
        db = fresh(Path(tmp))
        options = importer.Options(kind="customers", create_missing=True)
        with stopwatch() as first:
            reports = maven.load(db, folder, options)
        with stopwatch() as second:
            again = maven.load(db, folder, options)
        db.dispose()
    print(f"Maven import into a fresh SQLite file · {revision()}")
    for report in reports:
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(report.counts.items()))
        print(f"  {report.path.name:<20} {report.seconds:6.2f} s  {counts}")
    print(target_line("first import", first[0], TARGET_S, "s"))
    unchanged = all(set(r.counts) == {"unchanged"} for r in again)
    print(f"  re-import (all unchanged: {unchanged})  {second[0]:6.2f} s")
    save("import", {"first_s": first[0], "again_s": second[0], "unchanged": unchanged})


def fresh(folder: Path) -> Database:
    db = Database(f"sqlite:///{folder / 'crm.sqlite3'}")
    migrate.upgrade(db)
    with db.session(write=True) as session:
        deals.ensure_default_pipeline(session)
    return db


def reimport(n: int, seed: int) -> None:
    results: dict[str, dict[str, float]] = {}
    print(f"First import and re-import, {n:,} rows · {revision()} · {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = fresh(folder)
        files = {"customers": folder / "customers.csv"}
        import_file.write(files["customers"], n, seed)
        for kind in ("customers", "contacts", "deals"):
            if kind == "contacts":
                files.update(related(db, folder))
            for run in ("first", "again"):
                options = importer.Options(kind=kind, create_missing=True)
                report = importer.run(db, files[kind], options)
                rate = report.total / report.seconds
                results.setdefault(kind, {})[f"{run}_rows_s"] = rate
                counts = ", ".join(f"{k} {v:,}" for k, v in sorted(report.counts.items()))
                print(
                    f"  {kind:<10} {run:<6} {report.total:7,} rows {report.seconds:6.1f} s "
                    f"{rate:7,.0f} rows/s  {counts}"
                )
        db.dispose()
    save("import_reimport", {"rows": n, **results})


def related(db: Database, folder: Path) -> dict[str, Path]:
    """A contact and a deal for every customer whose name is held by no other customer."""
    with db.session() as session:
        names = list(session.exec(select(Customer.name_key)))
    held = Counter(names)
    once = [name for name in names if held[name] == 1]
    contacts, deal_file = folder / "contacts.csv", folder / "deals.csv"
    with contacts.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("customer", "name", "role"))
        out.writerows((name, f"Ayşe {i % 997} Demir", "satın alma") for i, name in enumerate(once))
    with deal_file.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(("external_id", "title", "customer", "stage", "amount"))
        out.writerows(
            (f"D{i}", f"Teklif {i}", name, "Lead", 1000 + i) for i, name in enumerate(once)
        )
    return {"contacts": contacts, "deals": deal_file}


if __name__ == "__main__":
    main()
