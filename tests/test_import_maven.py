"""The real public Maven CRM dataset loads whole, its known flaws are reported, a second load
changes nothing, and the chat commands work on it. Expected figures come from the CSVs."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from storage.models import AuditEvent, Customer, Deal, Product, Rep, Stage
from storage.transfer import importer, maven
from storage.transfer.csvmap import product_key
from tests.conftest import Chat

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "maven-crm"


def read(name: str) -> list[dict[str, str]]:
    with (DATASET / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict[str, str]]]:
    if not DATASET.exists():
        pytest.fail(f"the Maven dataset is missing at {DATASET}")
    return {
        name: read(f"{name}.csv")
        for name in ("accounts", "products", "sales_teams", "sales_pipeline")
    }


def load(services, folder: Path) -> list[importer.Report]:
    options = importer.Options(kind="customers", create_missing=True)
    return maven.load(services.db, folder, options)


def test_maven_loads_whole_with_its_flaws_reported(services, tmp_path, data, admin) -> None:
    for name in data:
        shutil.copy(DATASET / f"{name}.csv", tmp_path)  # rejected-row files stay out of shared/
    accounts, products = data["accounts"], data["products"]
    teams, pipeline = data["sales_teams"], data["sales_pipeline"]
    reports = {r.kind: r for r in load(services, tmp_path)}

    managers = {t["manager"] for t in teams}
    assert dict(reports["customers"].counts) == {"new": len(accounts)}
    assert dict(reports["products"].counts) == {"new": len(products)}
    assert dict(reports["reps"].counts) == {"new": len(teams)}
    assert dict(reports["deals"].counts) == {"new": len(pipeline)}

    notes = {(i.code, i.args.get("value")): n for i, n in reports["customers"].notes.items()}
    assert notes[("industry_fixed", "technolgy")] == sum(
        a["sector"] == "technolgy" for a in accounts
    )
    listed = {p["product"] for p in products}
    off = Counter(p["product"] for p in pipeline if p["product"] not in listed)
    assert off and all(product_key(name) in {product_key(p) for p in listed} for name in off)
    deal_notes = reports["deals"].notes
    for name, rows in off.items():
        assert deal_notes[importer.Issue.of("product_spacing", value=name, fixed="GTX Pro")] == rows
    open_orphans = sum(
        not p["account"] and p["deal_stage"] not in ("Won", "Lost") for p in pipeline
    )
    assert deal_notes[importer.Issue.of("deal_no_customer_open")] == open_orphans
    assert open_orphans == 1425

    with Session(services.db.engine) as s:
        assert s.exec(select(func.count()).select_from(Rep)).one() == len(teams) + len(managers) + 1
        bosses = s.exec(select(Rep).where(col(Rep.name).in_(managers))).all()
        assert {b.role for b in bosses} == {"manager"}
        agent = s.exec(select(Rep).where(Rep.name == teams[0]["sales_agent"])).one()
        assert agent.region == teams[0]["regional_office"]
        assert s.get(Rep, agent.manager_id).name == teams[0]["manager"]
        stages = {st.name: st for st in s.exec(select(Stage))}
        assert stages["Won"].is_won and stages["Lost"].is_lost
        assert not stages["Prospecting"].is_closed and not stages["Engaging"].is_closed
        per_stage = Counter(
            stages_by_id
            for stages_by_id in s.exec(
                select(Stage.name).join(Deal, col(Deal.stage_id) == col(Stage.id))
            )
        )
        assert per_stage == Counter(p["deal_stage"] for p in pipeline)
        subsidiaries = s.exec(
            select(func.count()).where(col(Customer.parent_id).is_not(None))
        ).one()
        assert subsidiaries == sum(bool(a["subsidiary_of"]) for a in accounts)
        acme = s.exec(select(Customer).where(Customer.name == "Acme Corporation")).one()
        row = next(a for a in accounts if a["account"] == "Acme Corporation")
        assert (acme.industry, str(acme.revenue), acme.employees, acme.founded, acme.country) == (
            "technology",
            row["revenue"],
            int(row["employees"]),
            int(row["year_established"]),
            row["office_location"],
        )
        assert s.exec(select(func.count()).select_from(Product)).one() == len(products)

    # A second load changes nothing, not even the audit trail.
    audit = _count(services, AuditEvent)
    again = load(services, tmp_path)
    assert all(set(r.counts) == {"unchanged"} for r in again)
    assert _count(services, AuditEvent) == audit
    assert not list(tmp_path.glob("*.rejected.csv"))

    chat = Chat(services, admin)
    pipeline_text = chat.say("/pipeline").text
    engaging = sum(p["deal_stage"] == "Engaging" for p in pipeline)
    assert f"Engaging (40%): {engaging} ·" in pipeline_text
    found = chat.say("/find cancity")
    assert found.card is not None and found.card.title == "Cancity"
    listed_deals = chat.say("/deals cancity").text
    assert listed_deals.startswith(
        f"Cancity's deals ({min(20, sum(p['account'] == 'Cancity' for p in pipeline))})"
    )
    quality = chat.say("/quality").text
    assert f"Open deals without a customer: {open_orphans:,}" in quality


def _count(services, model) -> int:
    with Session(services.db.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()
