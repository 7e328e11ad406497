"""/delete, /restore, /deleted and crm-bot purge, through the dispatcher: an archived record
leaves every surface, and a restore brings all of it back."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot import cli
from bot.jobs import Jobs
from handlers.kit import Reply, Services
from storage.archive import include_archived, with_archived
from storage.models import AuditEvent, Customer, Deal, Interaction, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, count, rows
from tests.scheduling import Recorder, local, notifier


def shown(reply: Reply) -> str:
    """Everything a rep sees of a reply: its text, card and buttons."""
    parts = [reply.text]
    if reply.card is not None:
        parts += [reply.card.title, *(f"{k} {v}" for k, v in reply.card.fields)]
    parts += [f"{b.label} {b.command}" for b in [*reply.choices, *reply.buttons]]
    return "\n".join(parts)


def row(services: Services, model: type, record_id: int):
    """The row as stored, archived or not (None: purged)."""
    with Session(services.db.engine) as s:
        return s.exec(with_archived(select(model).where(model.id == record_id))).first()


@pytest.fixture
def acme(services: Services, admin) -> Customer:
    return add_customer(services, "Acme Corporation", phone="+905321112233", owner_id=admin.id)


def surfaces(chat: Chat, acme_id: int) -> str:
    """What the lists, lookups and reports show, in one text."""
    said = [
        f"/customer #{acme_id}",
        "/find acme",
        "/find 0532 111 22 33",
        "/deals",
        "/tasks",
        "/pipeline",
        "/digest",
        "/dupes",
        "/quality",
    ]
    return "\n".join(shown(reply) for text in said for reply in chat.send(text))


def test_delete_asks_archives_everything_and_restore_brings_it_back(
    services, chat: Chat, admin, acme, clock, tmp_path, monkeypatch
) -> None:
    add_customer(services, "Acme Corp", phone="+905321112233")  # a duplicate /dupes would pair
    deal = add_deal(services, acme, "Yearly support contract", "48000", stage="Qualified")
    ayse = add_rep(services, "Ayşe Yılmaz", telegram_user_id=111)  # reminded on Telegram
    due = clock.now - timedelta(days=2)
    task = add_task(services, ayse, "Send the Acme quote", due, customer_id=acme.id)
    before = surfaces(chat, acme.id)
    assert "Yearly support contract" in before and "Send the Acme quote" in before
    assert "48,000" in before and "Acme Corporation" in before

    asked = chat.say(f"/delete customer #{acme.id}")
    assert asked.text.splitlines()[:3] == [
        f'Delete customer "Acme Corporation" (#{acme.id})?',
        "It takes with it: 1 deal and 1 task.",
        "You can restore it with /restore or from /deleted.",
    ]
    assert [b.label for b in asked.buttons] == ["Delete", "Cancel"]
    assert row(services, Customer, acme.id).archived_at is None  # nothing until confirmed

    done = chat.press(asked, "Delete")
    assert done.text == (
        f'Deleted customer "Acme Corporation" (#{acme.id}). With it: 1 deal and 1 task.'
    )
    assert [b.command for b in done.buttons] == [f"/restore customer #{acme.id}"]
    archived = [row(services, m, i) for m, i in ((Customer, acme.id), (Deal, deal.id),
                                                   (Task, task.id))]  # fmt: skip
    assert all(r.archived_at == clock.now and r.archived_by_id == admin.id for r in archived)
    assert row(services, Task, task.id).status == "open"  # archived is not done

    after = surfaces(chat, acme.id)
    for gone in ("Acme Corporation", "Yearly support contract", "Send the Acme quote", "48,000"):
        assert gone not in after, gone
    assert _reminded(services, clock) == 0
    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    out = tmp_path / "customers.csv"
    assert cli.main(["export", "customers", "--output", str(out)]) == 0
    assert [r["name"] for r in csv.DictReader(out.open(encoding="utf-8"))] == ["Acme Corp"]

    listed = chat.say("/deleted")
    assert listed.text.splitlines()[1].startswith(f'• customer "Acme Corporation" (#{acme.id})')
    assert [b.command for b in listed.buttons] == [f"/restore customer #{acme.id}"]

    back = chat.press(done, "Restore")
    assert back.text == (
        f'Restored customer "Acme Corporation" (#{acme.id}). With it: 1 deal and 1 task.'
    )
    assert back.card is not None and back.card.id == acme.id
    assert surfaces(chat, acme.id) == before
    assert _reminded(services, clock) == 1
    assert chat.say("/deleted").text == "You have deleted nothing in the last 30 days."


def _reminded(services: Services, clock) -> int:
    jobs = Jobs(services, notifier(Recorder()))
    day = clock.now.date().isoformat()
    return asyncio.run(jobs.reminders(local(day, "10:00")))


def test_turkish_delete_a_deal_by_yes_then_restore(services, acme) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", role="admin")
    deal = add_deal(services, acme, "Danışmanlık paketi", "60000", stage="Qualified")
    chat = Chat(services, ayse)
    asked = chat.say(f"/sil fırsat #{deal.id}")
    assert asked.text.splitlines()[0] == f'Silinsin mi: fırsat "Danışmanlık paketi" (#{deal.id})?'
    assert [b.label for b in asked.buttons] == ["Sil", "İptal"]
    assert chat.say("evet").text == f'Silindi: fırsat "Danışmanlık paketi" (#{deal.id}).'
    assert "Danışmanlık paketi" not in shown(chat.say("/firsatlar hepsi"))
    listed = chat.say("/silinenler")
    assert listed.text.splitlines()[0] == "Son 30 günde silinenler:"
    assert listed.buttons[0].label == f"#{deal.id} geri yükle"
    back = chat.say(f"/geriyukle fırsat #{deal.id}")
    assert back.text == f'Geri yüklendi: fırsat "Danışmanlık paketi" (#{deal.id}).'
    assert "Danışmanlık paketi" in shown(chat.say("/firsatlar hepsi"))


def test_cancel_deletes_nothing(services, chat: Chat, acme) -> None:
    asked = chat.say(f"/delete customer #{acme.id}")
    assert chat.press(asked, "Cancel").text == "Cancelled. Nothing was saved."
    assert chat.say("yes").text != f'Deleted customer "Acme Corporation" (#{acme.id}).'
    assert row(services, Customer, acme.id).archived_at is None


def test_a_deleted_customers_number_is_never_offered_as_a_new_name(
    services, chat: Chat, acme
) -> None:
    chat.press(chat.say(f"/delete customer #{acme.id}"), "Delete")
    for typed in (f"/find #{acme.id}", f"/customer #{acme.id}", "/find 0532 999 88 77"):
        reply = chat.say(typed)
        assert reply.card is None and reply.buttons == [], typed
    offered = chat.say("/find Zeytin Dalı Kooperatifi")  # a name that matches nobody may be added
    assert [b.command for b in offered.buttons] == ["/customer add Zeytin Dalı Kooperatifi"]
    assert count(services, Customer) == 0  # the deleted one is out of sight; none was added


def test_a_bare_number_asks_which_record_it_is(services, chat: Chat, admin, acme, clock) -> None:
    deal = add_deal(services, acme, "Support", "1000", stage="Qualified")
    task = add_task(services, admin, "Call", clock.now, customer_id=acme.id)
    assert acme.id == deal.id == task.id == 1
    asked = chat.say("/delete #1")
    assert asked.text == "#1 is more than one record. Which one?"
    assert [c.command for c in asked.choices] == [
        "/delete customer #1", "/delete deal #1", "/delete task #1",
    ]  # fmt: skip
    task_only = chat.say(f"/delete task #{task.id}")
    assert chat.press(task_only, "Delete").text == 'Deleted task "Call" (#1).'
    assert row(services, Customer, acme.id).archived_at is None


def test_a_rep_may_not_delete_a_colleagues_record(services, acme) -> None:
    boss = add_rep(services, "Mehmet Demir", role="manager")
    can = add_rep(services, "Can Öztürk", manager_id=boss.id)
    ayse = add_rep(services, "Ayşe Yılmaz", manager_id=boss.id)
    deal = add_deal(services, acme, "Can's deal", "5000", stage="Qualified", owner_id=can.id)
    reply = Chat(services, ayse).say(f"/delete deal #{deal.id}")
    assert "Deleted" not in reply.text and "Delete" not in [b.label for b in reply.buttons]
    assert row(services, Deal, deal.id).archived_at is None
    own = add_deal(services, acme, "Ayşe's deal", "5000", stage="Qualified", owner_id=ayse.id)
    chat = Chat(services, ayse)
    assert chat.press(chat.say(f"/delete deal #{own.id}"), "Delete").text.startswith("Deleted")
    assert "belongs to Can Öztürk" in chat.say(f"/restore deal #{deal.id}").text


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("/delete", "Usage: /delete <customer|deal|task> <#id|name>"),
        ("/delete customer", "Usage: /delete <customer|deal|task> <#id|name>"),
        ("/restore customer acme", "Name the record by its number, as /deleted shows it."),
        (
            "/delete #999",
            "Nothing of yours is numbered #999. Send /deleted to see what you deleted.",
        ),
        ("/restore customer #1", "The customer #1 is not deleted."),
        ("/sil", "Kullanım: /sil <müşteri|fırsat|görev> <#numara|ad>"),
    ],
)
def test_bad_input_gets_usage_and_writes_nothing(services, admin, acme, typed, answer) -> None:
    admin_tr = add_rep(services, "Ayşe Yılmaz", language="tr", role="admin")
    chat = Chat(services, admin_tr if typed.startswith("/sil") else admin)
    events = len(rows(services, AuditEvent))
    assert answer in chat.say(typed).text
    assert len(rows(services, AuditEvent)) == events
    assert row(services, Customer, acme.id).archived_at is None


def test_restoring_a_deal_of_a_deleted_customer_asks_for_the_customer(
    services, chat: Chat, acme
) -> None:
    deal = add_deal(services, acme, "Support", "1000", stage="Qualified")
    chat.press(chat.say(f"/delete customer #{acme.id}"), "Delete")
    assert chat.say(f"/restore deal #{deal.id}").text == (
        f"The customer #{acme.id} it belongs to is deleted: restore that first (/restore)."
    )


def test_purge_is_a_dry_run_first_and_then_leaves_only_an_audit_row(
    services, chat: Chat, admin, acme, clock, monkeypatch, capsys
) -> None:
    deal = add_deal(services, acme, "Yearly support contract", "48000", stage="Qualified")
    task = add_task(services, admin, "Send the quote", clock.now, customer_id=acme.id)
    chat.say(f"/log call #{acme.id} talked about the renewal")
    monkeypatch.setenv("CRM_DATABASE_URL", services.settings.crm_database_url)
    assert cli.main(["purge", "customer", str(acme.id), "--yes"]) == 2  # not deleted yet
    assert "is not deleted" in capsys.readouterr().err
    chat.press(chat.say(f"/delete customer #{acme.id}"), "Delete")
    assert cli.main(["purge", "customer", str(acme.id)]) == 2
    assert "Add --yes" in capsys.readouterr().out
    assert row(services, Customer, acme.id) is not None
    assert cli.main(["purge", "customer", str(acme.id), "--yes"]) == 0
    assert "Purged customer #" in capsys.readouterr().out
    assert row(services, Customer, acme.id) is None
    assert row(services, Deal, deal.id) is None and row(services, Task, task.id) is None
    trail = rows(services, AuditEvent)
    [purged] = [e for e in trail if e.action == "purge"]
    assert (purged.entity, purged.entity_id) == ("customer", acme.id)
    assert all("Acme" not in str(e.changes) and "renewal" not in str(e.changes) for e in trail)
    assert "purge" not in {c.command for c in [*chat.say("/help").buttons]}


def test_a_deleted_task_is_not_counted_and_a_deleted_deal_not_linked(
    services, chat: Chat, admin, acme, clock
) -> None:
    """/tasks counts and lists only the tasks not deleted, and /log links its note to the one
    open deal left when the other is deleted (their statements carry the archive's filter
    themselves: they run past the session's hooks)."""
    due = clock.now + timedelta(days=1)
    add_task(services, admin, "Call Acme back", due, customer_id=acme.id)
    gone = add_task(services, admin, "Old Acme errand", due, customer_id=acme.id)
    kept = add_deal(services, acme, "Yearly support", "48000")
    dropped = add_deal(services, acme, "Spare parts", "1000")
    for kind, record in (("task", gone), ("deal", dropped)):
        chat.press(chat.say(f"/delete {kind} #{record.id}"), "Delete")
    listed = chat.say("/tasks").text
    assert "Your open tasks (1):" in listed and "Call Acme back" in listed
    assert "Old Acme errand" not in listed
    chat.say(f"/log call #{acme.id} asked about the renewal")
    [logged] = [i for i in rows(services, Interaction) if i.summary == "asked about the renewal"]
    assert logged.deal_id == kept.id


def test_a_choice_lists_labels_leave_out_the_deleted_and_show_what_is_pending(
    services, chat: Chat, admin, acme
) -> None:
    """A choice list's labels, a customer by id and the phone and e-mail look-ups are read
    on the driver: as the session's own read would, they leave out a deleted namesake and
    show a change not yet flushed."""
    from storage import customers

    namesake = add_customer(
        services, "Acme Corporation", phone=acme.phone, email="buy@acme.test", owner_id=admin.id
    )
    chat.press(chat.say(f"/delete customer #{namesake.id}"), "Delete")
    with Session(services.db.engine) as session:
        assert list(customers.labels(session, [namesake.id, acme.id])) == [acme.id]
        assert customers.get(session, namesake.id) is None
        assert [c.id for c in customers.by_phone(session, acme.phone)] == [acme.id]
        assert customers.by_email(session, "buy@acme.test") == []
        held = session.get(Customer, acme.id)
        assert held is not None
        held.city = "İzmir"
        assert customers.labels(session, [acme.id])[acme.id].city == "İzmir"
        held.email = "sales@acme.test"
        assert customers.by_email(session, "Sales@Acme.test") == [held]
    with Session(services.db.engine) as session:
        include_archived(session)
        found = customers.by_phone(session, acme.phone)
        assert sorted(c.id for c in found) == sorted([acme.id, namesake.id])
        assert customers.get(session, namesake.id) is not None  # a purge's session sees it
