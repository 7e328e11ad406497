"""The public Maven Analytics "CRM + Sales + Opportunities" dataset, loaded in one go.

Its four files are ordinary CSV imports whose headers the header map already knows; this
module only fixes the order (accounts and products and the sales team before the pipeline
that names them) and what the data dictionary says: values are US dollars (revenue in
millions), and its ids are Maven's own (source "maven"). The pipeline's stages Prospecting
and Engaging are not in the default pipeline, so a first load needs ``create_missing``. With
``--report FILE`` each file's problem rows go to FILE's name with the file's own inserted
(``report.accounts.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from storage.db import Database
from storage.transfer import importer

FILES = (
    ("customers", "accounts.csv"),
    ("products", "products.csv"),
    ("reps", "sales_teams.csv"),
    ("deals", "sales_pipeline.csv"),
)
SOURCE = "maven"
CURRENCY = "USD"


def load(
    db: Database,
    folder: Path,
    options: importer.Options,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    describe: Callable[[importer.Issue], str] = str,
) -> list[importer.Report]:
    """Import the dataset's files in order; one report per file."""
    reports = []
    for kind, name in FILES:
        opts = replace(options, kind=kind, source=SOURCE, currency=CURRENCY, region="US")
        if options.report is not None:  # one report per file: report.csv -> report.accounts.csv
            report = options.report
            opts.report = report.with_name(f"{report.stem}.{Path(name).stem}{report.suffix}")

        def step(done: int, total: int, name: str = name) -> None:
            if progress:
                progress(name, done, total)

        reports.append(importer.run(db, folder / name, opts, progress=step, describe=describe))
    return reports
