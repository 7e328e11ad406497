"""The Maven CRM dataset (85 accounts, 7 products, 35 agents, 8,800 opportunities) imported into
a fresh SQLite file, timed end to end through the real importer: batches of 500 rows, each its
own audited transaction. The second run is the idempotent re-import (everything unchanged).

    .venv/bin/python bench/bench_import.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from measure import revision, save, stopwatch, target_line

from storage import deals, migrate
from storage.db import Database
from storage.transfer import importer, maven

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"
TARGET_S = 10.0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "maven"
        shutil.copytree(DATASET, folder)
        db = Database(f"sqlite:///{Path(tmp) / 'maven.sqlite3'}")
        migrate.upgrade(db)
        with db.session(write=True) as session:
            deals.ensure_default_pipeline(session)
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


if __name__ == "__main__":
    main()
