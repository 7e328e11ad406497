"""The digest's figures (storage.schedule.digest): pipeline, changes, and every attention rule
at the edge of its threshold, on a real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from handlers.digest import all_reps, audience, build
from handlers.kit import Services
from storage import deals
from storage.models import Customer, Deal, Interaction, Rep
from storage.schedule.digest import DigestData, Scope, Thresholds, collect
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task
from tests.scheduling import IST, interaction


@pytest.fixture
def team(services: Services) -> dict[str, Rep]:
    murat = add_rep(services, "Murat Kaya", role="manager")
    return {
        "murat": murat,
        "ayse": add_rep(services, "Ayşe Yılmaz", manager_id=murat.id, language="tr"),
        "john": add_rep(services, "John Carter", timezone="America/New_York"),
    }


@pytest.fixture
def acme(services: Services) -> Customer:
    return add_customer(services, "Acme Corporation")


def deal(
    services: Services,
    customer: Customer | None,
    title: str,
    amount: str = "100000",
    stage: str = "Qualified",
    age: timedelta = timedelta(days=1),
    **kw: Any,
) -> Deal:
    """A deal created ``age`` ago (so it is neither new nor stale unless a test wants it)."""
    when = services.clock() - age
    kw = {"created_at": when, "stage_changed_at": when, "updated_at": when, **kw}
    if customer is None:
        with services.db.session(write=True) as s:
            st = next(x for x in deals.stages(s) if x.name == stage)
            return deals.create(s, Deal(title=title, amount=Decimal(amount), stage_id=st.id, **kw))
    return add_deal(services, customer, title, amount, stage, **kw)


def digest(services: Services, scope: Scope | None = None, since_days: float = 1, **limits: Any):
    now = services.clock()
    with services.db.session() as s:
        return collect(
            s,
            scope or Scope(),
            since=now - timedelta(days=since_days),
            now=now,
            today=now.astimezone(IST).date(),
            limits=Thresholds(**limits),
        )


def ids(listing) -> set[int]:
    return {d.id for d in listing.items}


def test_pipeline_by_stage_counts_totals_and_only_open_stages(services, team, acme):
    deal(services, acme, "a", "100000", "Lead")
    deal(services, acme, "b", "300000", "Lead")
    deal(services, acme, "c", "200000", "Proposal")
    deal(services, acme, "d", "50000", "Won", closed_at=services.clock())
    data = digest(services)
    rows = {(r.stage.name, r.currency): (r.count, r.total) for r in data.pipeline}
    assert rows == {
        ("Lead", "TRY"): (2, Decimal("400000")),
        ("Proposal", "TRY"): (1, Decimal("200000")),
    }


def test_pipeline_text_has_weighted_values(services, team, acme, admin):
    deal(services, acme, "a", "100000", "Lead")
    deal(services, acme, "c", "200000", "Proposal")
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", admin.id, "en", IST)
        _data, replies = build(s, services.settings, who, "test:1", services.clock(), reps)
    summary = replies[0].text
    assert "• Lead (10%): 1 · ₺100,000 · weighted ₺10,000" in summary
    assert "• Proposal (50%): 1 · ₺200,000 · weighted ₺100,000" in summary
    assert "Open total ₺300,000, weighted ₺110,000" in summary
    chart = replies[1].attachments[0]
    assert chart.mime == "image/png" and chart.data.startswith(b"\x89PNG")


def test_changes_new_moves_won_and_lost_with_reasons(services, team, acme):
    now = services.clock()
    old = deal(services, acme, "old one", age=timedelta(days=5))
    deal(services, acme, "fresh", "70000", "Lead", age=timedelta(hours=2))
    with services.db.session(write=True) as s:
        st = {x.name: x for x in deals.stages(s)}
        moving = s.get(Deal, old.id)
        deals.move(s, moving, st["Proposal"], None, now - timedelta(hours=3))
    won = deal(services, acme, "big win", "100000", "Won", closed_amount=Decimal("90000"))
    lost = deal(services, acme, "lost one", "5000", "Lost", lost_reason="price")
    with services.db.session(write=True) as s:
        for d in (s.get(Deal, won.id), s.get(Deal, lost.id)):
            d.closed_at = now - timedelta(hours=1)
            s.add(d)
    changes = digest(services).changes
    assert [(s.currency, s.count, s.total) for s in changes.new] == [("TRY", 1, Decimal("70000"))]
    assert [d.title for d in changes.new_deals.items] == ["fresh"]
    names = {x.id: x.name for x in digest(services).stages}
    assert {(names[m.from_stage_id], names[m.to_stage_id], m.count) for m in changes.moves} == {
        ("Qualified", "Proposal", 1)
    }
    assert [(d.title, d.closed_amount) for d in changes.won.items] == [
        ("big win", Decimal("90000"))
    ]
    assert [(d.title, d.lost_reason) for d in changes.lost.items] == [("lost one", "price")]
    assert changes.won.total == 1 and changes.lost.total == 1


def test_changes_window_excludes_what_came_before(services, team, acme):
    deal(services, acme, "yesterday's", age=timedelta(days=2))
    data = digest(services, since_days=1)
    assert data.changes.empty and data.changes.new_deals.total == 0


def test_empty_when_nothing_changed_and_nothing_needs_attention(services, team, acme):
    owner = team["ayse"].id
    deal(services, acme, "quiet", expected_close=services.clock().date(), owner_id=owner)
    interaction(services, acme.id, services.clock() - timedelta(days=2))
    data = digest(services)
    assert data.pipeline  # there is a pipeline to show…
    assert data.empty  # …but nothing new and nothing to act on: not worth a post
    deal(services, acme, "new today", age=timedelta(hours=1))
    assert not digest(services).empty


@pytest.mark.parametrize(("days_late", "flagged"), [(14, False), (15, True)])
def test_rule_past_expected_close_by_more_than_14_days(services, team, acme, days_late, flagged):
    today = services.clock().astimezone(IST).date()
    late = deal(services, acme, "late", expected_close=today - timedelta(days=days_late))
    assert (late.id in ids(digest(services).attention.close_overdue)) is flagged


@pytest.mark.parametrize(
    ("quiet", "touched", "flagged"),
    [
        (timedelta(days=14), None, False),
        (timedelta(days=14, minutes=1), None, True),
        (timedelta(days=30), timedelta(days=14), False),
        (timedelta(days=30), timedelta(days=14, minutes=1), True),
    ],
)
def test_rule_no_activity_for_more_than_n_days(services, team, acme, quiet, touched, flagged):
    stale = deal(services, acme, "sleepy", age=quiet)
    if touched is not None:
        interaction(services, acme.id, services.clock() - touched)
    found = digest(services).attention.stale
    assert (stale.id in ids(found)) is flagged
    if flagged:
        assert found.items[0].last_touch == (
            None if touched is None else services.clock() - touched
        )


def test_stale_lists_oldest_activity_first_with_customers_and_the_full_count(services, team, acme):
    """The stale list is cut to the first few after the count and the sort, and the deals'
    customers are joined to those: order, names, last touches and total must survive that."""
    globex = add_customer(services, "Globex Ltd")
    initech = add_customer(services, "Initech A.Ş.")
    orphan = deal(services, None, "no customer", age=timedelta(days=20))
    touched = deal(services, globex, "touched long ago", age=timedelta(days=60))
    oldest = deal(services, acme, "oldest", age=timedelta(days=90))
    busy = deal(services, initech, "busy", age=timedelta(days=90))
    interaction(services, globex.id, services.clock() - timedelta(days=30))
    interaction(services, initech.id, services.clock() - timedelta(days=2))
    found = digest(services, items_per_rule=2).attention.stale
    assert found.total == 3, "the customer touched two days ago has no stale deal"
    assert [(d.id, d.customer, d.last_touch) for d in found.items] == [
        (oldest.id, "Acme Corporation", None),
        (touched.id, "Globex Ltd", services.clock() - timedelta(days=30)),
    ]
    everything = digest(services).attention.stale
    assert [d.id for d in everything.items] == [oldest.id, touched.id, orphan.id]
    assert everything.items[2].customer is None
    assert busy.id not in ids(everything)


def test_rule_a_stage_move_is_activity(services, team, acme):
    moved = deal(services, acme, "moved", age=timedelta(days=40))
    with services.db.session(write=True) as s:
        st = next(x for x in deals.stages(s) if x.name == "Proposal")
        deals.move(s, s.get(Deal, moved.id), st, None, services.clock() - timedelta(days=3))
    assert moved.id not in ids(digest(services).attention.stale)


@pytest.mark.parametrize(("reason", "flagged"), [(None, True), ("  ", True), ("price", False)])
def test_rule_lost_without_a_reason(services, team, acme, reason, flagged):
    lost = deal(services, acme, "gone", stage="Lost", lost_reason=reason)
    assert (lost.id in ids(digest(services).attention.lost_no_reason)) is flagged


@pytest.mark.parametrize(
    ("closed", "flagged"),
    [("49999", True), ("50000", False), ("125000", False), ("125001", True)],
)
def test_rule_won_below_50_or_above_125_percent(services, team, acme, closed, flagged):
    won = deal(
        services,
        acme,
        "won",
        "100000",
        "Won",
        closed_amount=Decimal(closed),
        closed_at=services.clock() - timedelta(hours=1),
    )
    assert (won.id in ids(digest(services).attention.won_off)) is flagged


def test_rule_won_off_only_since_the_previous_digest(services, team, acme):
    won = deal(
        services,
        acme,
        "won long ago",
        "100000",
        "Won",
        closed_amount=Decimal("10"),
        closed_at=services.clock() - timedelta(days=3),
    )
    assert won.id not in ids(digest(services, since_days=1).attention.won_off)


def test_rule_leads_without_an_owner(services, team, acme):
    nobody = deal(services, acme, "nobody's", stage="Lead")
    owned = deal(services, acme, "mine", stage="Lead", owner_id=team["ayse"].id)
    assert ids(digest(services).attention.unowned) == {nobody.id}
    rep_only = Scope(frozenset({team["ayse"].id}), unowned=False)
    assert digest(services, rep_only).attention.unowned.total == 0
    assert owned.id not in ids(digest(services).attention.unowned)


@pytest.mark.parametrize(
    ("age", "contact", "flagged"),
    [
        (timedelta(days=3), None, False),
        (timedelta(days=3, minutes=1), None, True),
        (timedelta(days=5), timedelta(days=4), False),  # called after the lead came in
        (timedelta(days=5), timedelta(days=6), True),  # a call before the lead does not count
    ],
)
def test_rule_leads_not_contacted_within_x_days(services, team, acme, age, contact, flagged):
    lead = deal(services, acme, "lead", stage="Lead", age=age)
    if contact is not None:
        interaction(services, acme.id, services.clock() - contact)
    assert (lead.id in ids(digest(services).attention.uncontacted)) is flagged


def test_rule_a_lead_without_a_customer_is_uncontacted(services, team):
    orphan = deal(services, None, "orphan lead", stage="Lead", age=timedelta(days=10))
    assert orphan.id in ids(digest(services).attention.uncontacted)


def test_rule_overdue_tasks_per_rep(services, team):
    now = services.clock()
    ayse, john = team["ayse"], team["john"]
    add_task(services, ayse, "late", now - timedelta(minutes=1), created_at=now)
    add_task(services, ayse, "later", now - timedelta(days=2), created_at=now)
    add_task(services, john, "due soon", now + timedelta(minutes=1), created_at=now)
    add_task(
        services, john, "snoozed", now - timedelta(days=1), snoozed_until=now + timedelta(hours=1)
    )
    add_task(services, john, "done", now - timedelta(days=1), status="done", created_at=now)
    loads = {r.rep_id: r for r in digest(services).attention.loads}
    assert set(loads) == {ayse.id}
    assert (loads[ayse.id].overdue, loads[ayse.id].open) == (2, 2)


@pytest.mark.parametrize(("open_tasks", "flagged"), [(20, False), (21, True)])
def test_rule_more_than_x_open_tasks(services, team, open_tasks, flagged):
    now = services.clock()
    for n in range(open_tasks):
        add_task(services, team["ayse"], f"t{n}", now + timedelta(days=1), created_at=now)
    loads = digest(services).attention.loads
    assert bool(loads) is flagged
    if flagged:
        assert (loads[0].open, loads[0].overdue, loads[0].old) == (21, 0, 0)


@pytest.mark.parametrize(
    ("opened", "flagged"), [(timedelta(days=30), False), (timedelta(days=30, minutes=1), True)]
)
def test_rule_tasks_open_longer_than_y_days(services, team, opened, flagged):
    now = services.clock()
    add_task(services, team["ayse"], "ancient", now + timedelta(days=1), created_at=now - opened)
    loads = digest(services).attention.loads
    assert [r.old for r in loads] == ([1] if flagged else [])


def test_thresholds_are_configurable(services, team, acme):
    today = services.clock().astimezone(IST).date()
    late = deal(services, acme, "late", expected_close=today - timedelta(days=3))
    assert late.id not in ids(digest(services).attention.close_overdue)
    assert late.id in ids(digest(services, close_overdue_days=2).attention.close_overdue)


def test_scopes_team_rep_and_everyone(services, team, acme):
    fresh = timedelta(hours=2)
    for who in ("murat", "ayse", "john"):
        deal(services, acme, f"{who}'s", stage="Lead", owner_id=team[who].id, age=fresh)
    deal(services, acme, "nobody's", stage="Lead", age=fresh)
    with services.db.session() as s:
        reps = all_reps(s)

    def titles(scope: str, rep: str | None) -> set[str]:
        who = audience(reps, scope, team[rep].id if rep else None, "en", IST)
        return {d.title for d in digest(services, who.scope).changes.new_deals.items}

    assert titles("team", "murat") == {"murat's", "ayse's", "nobody's"}
    assert titles("rep", "ayse") == {"ayse's"}
    assert titles("team", None) == {"murat's", "ayse's", "john's", "nobody's"}


def _count_queries(services: Services, run) -> int:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", note)
    return len(statements)


def test_query_count_does_not_grow_with_the_number_of_deals(services, team, acme, admin):
    def run() -> DigestData:
        with services.db.session() as s:
            reps = all_reps(s)
            who = audience(reps, "team", admin.id, "en", IST)
            data, _ = build(s, services.settings, who, "test:1", services.clock(), reps)
            return data

    deal(services, acme, "one", stage="Lead", age=timedelta(days=20))
    small = _count_queries(services, run)
    now = services.clock()
    with services.db.session(write=True) as s:
        stage_ids = [x.id for x in deals.stages(s)]
        for n in range(300):
            when = now - timedelta(days=n % 40, hours=1)
            s.add(
                Deal(
                    title=f"deal {n}",
                    amount=Decimal(1000 + n),
                    stage_id=stage_ids[n % 6],
                    owner_id=[None, team["ayse"].id, team["john"].id][n % 3],
                    customer_id=acme.id,
                    created_at=when,
                    stage_changed_at=when,
                    closed_at=when if n % 6 >= 4 else None,
                    expected_close=when.date(),
                )
            )
            if n % 2 == 0:
                s.add(Interaction(kind="call", summary="x", occurred_at=when, customer_id=acme.id))
    large = _count_queries(services, run)
    assert run().pipeline  # the large data set is really there
    assert large == small


def test_monday_team_digest_carries_the_data_quality_section(services, clock) -> None:
    """Weekly (Mondays): what is missing or wrong in the data, for the managers' digest."""
    boss = add_rep(services, "Quality Boss", role="manager")
    add_customer(services, "No Contact Ltd")  # neither phone nor e-mail
    chat = Chat(services, boss)
    assert clock.now.weekday() == 0
    monday = [r.text for r in chat.send("/digest")]
    assert any(text.startswith("Data quality") for text in monday), monday
    clock.advance(days=1)
    tuesday = [r.text for r in chat.send("/digest")]
    assert not any(text.startswith("Data quality") for text in tuesday)
