"""A report's CSV in the console: pressing the [CSV] button (its number) saves the file in a
folder of the sitting's own, readable by its owner only, and prints where."""

from __future__ import annotations

import csv
import re
import stat
from datetime import UTC, datetime
from pathlib import Path

from handlers.kit import Translator
from tests.conftest import add_customer, add_deal, add_rep


def test_the_csv_button_saves_the_report_where_the_console_says(services, crm_bot) -> None:
    t = Translator("tr")
    zeynep = add_rep(services, "Zeynep Kaya", role="admin", language="tr")
    acme = add_customer(services, "Acme Lojistik", owner_id=zeynep.id)
    closed = datetime(2026, 8, 10, 12, tzinfo=UTC)  # a fixed quarter: the console's own clock runs
    add_deal(services, acme, "Filo", "5000", "Won", owner_id=zeynep.id, closed_at=closed)
    db = services.settings.crm_database_url
    first = crm_bot(
        "console", "--as", "Zeynep Kaya", stdin="/rapor kazanma Q3 2026 herkes\nçıkış", db=db
    )
    [number] = re.findall(r"\[(\d+)\] CSV", first.stdout)
    done = crm_bot(
        "console",
        "--as",
        "Zeynep Kaya",
        stdin=f"/rapor kazanma Q3 2026 herkes\n{number}\nçıkış",
        db=db,
    )
    assert done.returncode == 0 and done.stderr == ""
    prefix = t("console.saved", path="")
    [saved] = [line.strip()[len(prefix) :] for line in done.stdout.splitlines() if prefix in line]
    path = Path(saved)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700  # customer data: the owner only
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][0] == "Temsilci" and rows[1][0] == "Zeynep Kaya"
