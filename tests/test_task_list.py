"""/tasks: every task in a list names its customer and can be done or snoozed, page after page;
and the digest's items carry buttons of their own record, in lines a person would write."""

from __future__ import annotations

from datetime import timedelta

from handlers.digest import all_reps, audience, build
from handlers.kit import Reply, Services
from handlers.task_list import PAGE
from storage.models import Rep, Task
from tests.conftest import Chat, add_customer, add_deal, add_rep, add_task, rows
from tests.scheduling import IST


def many_tasks(services: Services, rep: Rep, n: int) -> list[Task]:
    now = services.clock()
    return [
        add_task(services, rep, f"task {i:02d}", now + timedelta(hours=i + 1)) for i in range(n)
    ]


def test_each_line_names_its_customer(services, chat: Chat, admin, clock) -> None:
    ozmen = add_customer(services, "Uğur Hami Özmen")
    add_task(
        services, admin, "send the offer", clock.now + timedelta(hours=2), customer_id=ozmen.id
    )
    add_task(services, admin, "plan the week", clock.now + timedelta(hours=3))
    lines = chat.say("/tasks").text.splitlines()
    assert lines[1].startswith("1. send the offer — ")
    assert lines[1].endswith(" · Uğur Hami Özmen (#1)")
    assert lines[2].startswith("2. plan the week — ") and "·" not in lines[2]


def test_the_fortieth_task_is_as_reachable_as_the_first(services, chat: Chat, admin) -> None:
    made = many_tasks(services, admin, 40)
    first = chat.say("/tasks")
    assert first.text.splitlines()[0] == "Your open tasks (40), page 1 of 3:"
    assert len(first.choices) == PAGE == len(first.text.splitlines()) - 1
    second = chat.press(first, f"Next {PAGE}")
    third = chat.press(second, f"Next {40 - 2 * PAGE}")
    assert third.text.splitlines()[0].endswith("page 3 of 3:")
    assert [b.label for b in third.buttons] == ["New task"]  # no next page after the last
    listed = [c.command for page in (first, second, third) for c in page.choices]
    assert listed == [f"/tasks #{t.id}" for t in made]
    card = chat.press(third, "task 39")
    assert card.card is not None and card.card.title == "task 39"
    assert {"Done", "Snooze 1h", "Tomorrow", "Next week"} <= {b.label for b in card.buttons}
    chat.press(card, "Done")
    assert {t.title: t.status for t in rows(services, Task)}["task 39"] == "done"
    assert chat.say("/tasks").text.splitlines()[0] == "Your open tasks (39), page 1 of 3:"


def test_a_typed_number_opens_that_task(services, chat: Chat, admin) -> None:
    made = many_tasks(services, admin, 3)
    chat.say("/tasks")
    card = chat.say("3")
    assert card.card is not None and card.card.id == made[2].id
    chat.press(card, "Tomorrow")
    stored = {t.id: t for t in rows(services, Task)}
    assert stored[made[2].id].snoozed_until is not None
    assert stored[made[0].id].snoozed_until is None


def test_pages_follow_when_the_task_needs_attention(services, chat: Chat, admin, clock) -> None:
    """A task snoozed past the others is listed last, even across a page boundary."""
    made = many_tasks(services, admin, PAGE + 1)
    add_task(services, admin, "snoozed early one", clock.now - timedelta(days=1),
             snoozed_until=clock.now + timedelta(days=30))  # fmt: skip
    first = chat.say("/tasks")
    second = chat.press(first, "Next 2")
    assert [c.label for c in second.choices] == [made[-1].title, "snoozed early one"]


def test_turkish_list_and_pages(services, clock) -> None:
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    many_tasks(services, ayse, PAGE + 2)
    chat = Chat(services, ayse)
    first = chat.say("/gorevler")
    assert first.text.splitlines()[0] == f"Açık görevleriniz ({PAGE + 2}), sayfa 1/2:"
    assert [b.label for b in first.buttons] == ["Sonraki 2 ›", "Yeni görev"]
    second = chat.say("/gorevler sayfa 2")
    assert [c.label for c in second.choices] == [f"task {PAGE:02d}", f"task {PAGE + 1:02d}"]


def test_a_rep_may_name_themselves_but_no_one_else(services, admin, clock) -> None:
    can = add_rep(services, "Can Demir")
    mine = add_task(services, can, "call the bank", clock.now + timedelta(hours=1))
    theirs = add_task(services, admin, "board pack", clock.now + timedelta(hours=1))
    chat = Chat(services, can)
    assert chat.say("/tasks can demir").text.startswith("Your open tasks (1):")
    assert chat.say(f"/tasks @#{can.id}").text.startswith("Your open tasks (1):")
    assert "Use /tasks or /tasks overdue" in chat.say("/tasks Elif Şahin").text
    assert chat.say(f"/tasks #{mine.id}").card is not None
    refused = chat.say(f"/tasks #{theirs.id}")
    assert refused.card is None and "board pack" not in refused.text


def test_a_manager_pages_through_a_reps_tasks(services, chat: Chat) -> None:
    can = add_rep(services, "Can Demir")
    many_tasks(services, can, PAGE + 1)
    first = chat.say("/tasks Can Demir")
    assert first.text.splitlines()[0] == f"Can Demir's open tasks ({PAGE + 1}), page 1 of 2:"
    assert [b.command for b in first.buttons] == [f"/tasks @#{can.id} page 2"]
    second = chat.press(first, "Next 1")
    assert [c.label for c in second.choices] == [f"task {PAGE:02d}"]


def digest_attention(services: Services, language: str) -> list[Reply]:
    with services.db.session() as s:
        reps = all_reps(s)
        who = audience(reps, "team", None, language, IST)
        _data, replies = build(s, services.settings, who, "test:1", services.clock(), reps)
    return [r for r in replies if r.text.startswith("⚠")]


def busy_team(services: Services) -> tuple[Rep, Rep, int, int]:
    """Two reps with overdue tasks and too many open ones, and a stale deal whose number is
    not its customer's."""
    now = services.clock()
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr")
    can = add_rep(services, "Can Demir")
    for i in range(21):
        add_task(services, ayse, f"a{i}", now + timedelta(days=1), created_at=now)
    add_task(services, can, "late", now - timedelta(days=1), created_at=now)
    for i in range(5):
        add_customer(services, f"Filler {i}")
    acme = add_customer(services, "Acme Corporation")
    old = now - timedelta(days=40)
    stale = add_deal(services, acme, "Fleet renewal", "5000", created_at=old, stage_changed_at=old)
    assert stale.id != acme.id
    return ayse, can, stale.id or 0, acme.id or 0


def test_digest_buttons_point_at_their_own_item(services, chat: Chat) -> None:
    ayse, can, deal_id, customer_id = busy_team(services)
    [page] = digest_attention(services, "en")
    commands = {b.label: b.command for b in page.buttons}
    assert commands[f"Open #{deal_id}"] == f"/deal #{deal_id}"
    assert commands[f"Log call #{deal_id}"] == f"/log call #{customer_id}"
    assert commands["Overdue: Can Demir"] == f"/tasks overdue @#{can.id}"
    assert commands["Tasks: Ayşe Yılmaz"] == f"/tasks @#{ayse.id}"
    assert len(commands) == len(page.buttons)  # no two buttons look alike
    listed = chat.press(page, "Overdue: Can Demir")
    assert listed.text.splitlines()[0] == "Can Demir's overdue tasks (1):"


def test_digest_lines_read_as_a_person_writes_them(services) -> None:
    busy_team(services)
    en = digest_attention(services, "en")[0].text
    assert "• Can Demir: 1 overdue task" in en.splitlines()
    assert "• Ayşe Yılmaz: 21 open tasks" in en.splitlines()
    tr = digest_attention(services, "tr")[0].text
    assert "• Ayşe Yılmaz: 21 açık görev" in tr.splitlines()
    for text in (en, tr):
        assert "0 of them" not in text and "0 tanesi" not in text and "fazlası" not in text


def test_digest_counts_old_tasks_only_when_there_are_some(services) -> None:
    now = services.clock()
    ayse = add_rep(services, "Ayşe Yılmaz")
    add_task(
        services, ayse, "ancient", now + timedelta(days=1), created_at=now - timedelta(days=45)
    )
    add_task(services, ayse, "older", now + timedelta(days=1), created_at=now - timedelta(days=50))
    lines = digest_attention(services, "en")[0].text.splitlines()
    assert "• Ayşe Yılmaz: 2 open tasks, 2 of them open for over 30 days" in lines
    tr = digest_attention(services, "tr")[0].text.splitlines()
    assert "• Ayşe Yılmaz: 2 açık görev, 2 görev 30 günden uzun süredir açık" in tr


def test_a_manager_presses_a_digest_rep_button(services, chat: Chat) -> None:
    busy_team(services)
    [page] = digest_attention(services, "en")
    listed = chat.press(page, "Tasks: Ayşe Yılmaz")
    assert listed.text.splitlines()[0] == "Ayşe Yılmaz's open tasks (21), page 1 of 2:"
    assert listed.card is None
