"""A task for someone else is marked explicitly ("@Ayşe", "for Ayşe", "Ayşe Yılmaz'a:"); any
other name is a customer's. The assignee is told; a rep may not give tasks to a colleague."""

from __future__ import annotations

import pytest

from storage.models import Notice, Task
from tests.conftest import Chat, add_customer, add_rep, count, rows


@pytest.fixture
def team(services):
    murat = add_rep(services, "Murat Kaya", role="manager", language="tr")
    ayse = add_rep(services, "Ayşe Yılmaz", language="tr", manager_id=murat.id)
    can = add_rep(services, "Can Demir", language="en", manager_id=murat.id)
    return murat, ayse, can


@pytest.mark.parametrize(
    ("text", "who", "title"),
    [
        ("/gorev teklif gönder cuma @Ayşe", "Ayşe Yılmaz", "teklif gönder"),
        ("/gorev @ayse numune yolla yarın", "Ayşe Yılmaz", "numune yolla"),
        ("/task send the quote friday for Can", "Can Demir", "send the quote"),
        ("/task send the quote friday for Can Demir", "Can Demir", "send the quote"),
        ("/gorev teklif gönder cuma Ayşe için", "Ayşe Yılmaz", "teklif gönder"),
        ("/gorev Ayşe Yılmaz'a: teklif gönder cuma", "Ayşe Yılmaz", "teklif gönder"),
        ("/gorev Can: depoyu ara yarın", "Can Demir", "depoyu ara"),
        ("/gorev teklif gönder cuma", "Murat Kaya", "teklif gönder"),
    ],
)
def test_the_assignee_is_marked(services, team, text, who, title) -> None:
    murat, *_ = team
    Chat(services, murat).say(text)
    [task] = rows(services, Task)
    names = {r.id: r.name for r in team}
    assert (names[task.assignee_id], task.title) == (who, title)


def test_a_name_without_a_marker_is_a_customer(services, team) -> None:
    murat, *_ = team
    ayse_customer = add_customer(services, "Ayşe Yılmaz Tekstil")
    Chat(services, murat).say("/gorev teklif gönder cuma Ayşe Yılmaz Tekstil")
    [task] = rows(services, Task)
    assert (task.assignee_id, task.customer_id) == (murat.id, ayse_customer.id)


def test_the_assignee_is_told_in_their_language(services, team) -> None:
    murat, _, can = team
    reply = Chat(services, murat).say("/gorev teklif gönder cuma @Can")
    assert reply.text.startswith("Can Demir için görev oluşturuldu: teklif gönder")
    [notice] = rows(services, Notice)
    assert notice.rep_id == can.id
    assert notice.payload["text"].startswith("Murat Kaya gave you a task: teklif gönder")


def test_a_rep_may_not_give_a_colleague_a_task(services, team) -> None:
    _, ayse, _ = team
    Chat(services, ayse).say("/gorev teklif gönder cuma @Can")
    assert count(services, Task) == 0
