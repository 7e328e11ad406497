"""Correct on real data: after the Maven dataset is imported, the reports reproduce figures
computed here straight from its CSVs with the csv module, never from our database."""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from storage.reports.cycle import cycle
from storage.reports.movement import open_pipeline
from storage.transfer import importer, maven
from tests.cli_harness import crm_bot  # noqa: F401  (the fixture)
from tests.conftest import Chat

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"
PERIOD = "2016-01-01..2018-12-31"
START, END = datetime(2016, 1, 1, tzinfo=UTC), datetime(2019, 1, 1, tzinfo=UTC)


def read(name: str) -> list[dict[str, str]]:
    with (DATASET / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    """The figures, from the CSVs alone."""
    pipeline, teams = read("sales_pipeline.csv"), read("sales_teams.csv")
    prices = {p["product"]: Decimal(p["sales_price"]) for p in read("products.csv")}
    manager = {t["sales_agent"]: t["manager"] for t in teams}
    office = {t["sales_agent"]: t["regional_office"] for t in teams}
    closed = [p for p in pipeline if p["deal_stage"] in ("Won", "Lost")]
    groups: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for p in closed:
        product = "GTX Pro" if p["product"] == "GTXPro" else p["product"]
        for by, key in (
            ("all", ""),
            ("rep", p["sales_agent"]),
            ("manager", manager[p["sales_agent"]]),
            ("region", office[p["sales_agent"]]),
            ("product", product),
        ):
            groups[by][key][p["deal_stage"]] += 1
    won = [p for p in closed if p["deal_stage"] == "Won"]
    days = [
        (date.fromisoformat(p["close_date"]) - date.fromisoformat(p["engage_date"])).days
        for p in won
    ]
    return {
        "groups": groups,
        "won_value": sum(Decimal(p["close_value"]) for p in won),
        "lost_list_value": sum(
            prices["GTX Pro" if p["product"] == "GTXPro" else p["product"]]
            for p in closed
            if p["deal_stage"] == "Lost"
        ),
        "average": statistics.mean(days),
        "median": statistics.median(days),
        "open": Counter(
            p["deal_stage"] for p in pipeline if p["deal_stage"] not in ("Won", "Lost")
        ),
    }


@pytest.fixture
def loaded(services, tmp_path, admin):
    for name in ("accounts", "products", "sales_teams", "sales_pipeline"):
        (tmp_path / f"{name}.csv").write_bytes((DATASET / f"{name}.csv").read_bytes())
    options = importer.Options(kind="customers", create_missing=True)
    maven.load(services.db, tmp_path, options)
    return services


def counts(rows: list[list[object]]) -> dict[str, Counter[str]]:
    return {str(r[0]): Counter({"Won": int(r[2]), "Lost": int(r[3])}) for r in rows}


def test_win_rate_by_count_per_group(loaded, crm_bot, expected) -> None:  # noqa: F811
    """One import for the four groupings (it is the test's cost: about 9 s each)."""
    for by in ("rep", "manager", "region", "product"):
        done = crm_bot(
            "report", "winrate", "--period", PERIOD, "--by", by, "--format", "json",
            db=loaded.settings.crm_database_url,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        want = {
            k: Counter({s: n for s, n in c.items() if n}) for k, c in expected["groups"][by].items()
        }
        got = {
            k: Counter({s: n for s, n in c.items() if n}) for k, c in counts(report["rows"]).items()
        }
        assert got == want, by
        for row in report["rows"]:
            c = expected["groups"][by][row[0]]
            assert row[1] == round(c["Won"] / (c["Won"] + c["Lost"]), 4), (by, row[0])


def test_overall_win_rate_won_value_cycle_and_open_pipeline(loaded, expected) -> None:
    overall = expected["groups"]["all"][""]

    with loaded.db.session() as session:
        from sqlmodel import select

        from storage.models import Rep

        admin = session.exec(select(Rep).where(Rep.role == "admin")).first()
        found = cycle(session, START, END, None)
        stages = {s.stage: s.deals for s in open_pipeline(session, None, today=END, base="USD")}
    assert found.won == overall["Won"]
    assert found.average_days == pytest.approx(expected["average"])
    assert found.median_days == expected["median"]
    assert stages == dict(expected["open"])
    reply = Chat(loaded, admin).say(f"/report winrate {PERIOD} everyone")
    rate = overall["Won"] / (overall["Won"] + overall["Lost"])
    assert (
        f"Win rate by count: {rate:.1%} ({overall['Won']:,} won, {overall['Lost']:,} lost)"
        in reply.text
    )
    assert "valued at their product's list price" in reply.text
    won, lost = expected["won_value"], expected["lost_list_value"]
    assert f"By value: {won / (won + lost):.1%} (${won:,.0f} won, ${lost:,.0f} lost)" in reply.text
