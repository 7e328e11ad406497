"""A phone, an e-mail or an ``#id`` wherever a rep naturally puts it in /log and /task, and a
customer named at the start or the end of a task's text."""

from __future__ import annotations

import pytest

from storage.models import Interaction, Task
from tests.conftest import Chat, add_customer, add_rep, rows


@pytest.fixture
def ayse(services):
    return add_rep(services, "Ayşe Yılmaz", language="tr")


@pytest.fixture
def ozmen(services):
    return add_customer(
        services, "Uğur Hami Özmen", phone="+905321112233", email="ugur@ozmen.com.tr"
    )


@pytest.mark.parametrize(
    "text",
    [
        "/kaydet arama 0532 111 22 33 fiyat konuştuk",
        "/kaydet arama +90 532 111 22 33 fiyat konuştuk",
        "/kaydet arama 05321112233 fiyat konuştuk",
        "/kaydet arama ugur@ozmen.com.tr fiyat konuştuk",
        "/kaydet arama #{id} fiyat konuştuk",
        "/kaydet arama Özmen'le fiyat konuştuk",
    ],
)
def test_log_by_any_reference(services, ayse, ozmen, text) -> None:
    reply = Chat(services, ayse).say(text.format(id=ozmen.id))
    [item] = rows(services, Interaction)
    assert (item.customer_id, item.summary) == (ozmen.id, "fiyat konuştuk"), reply.text


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("/gorev teklif gönder cuma 0532 111 22 33", "teklif gönder"),
        ("/gorev teklif gönder cuma ugur@ozmen.com.tr", "teklif gönder"),
        ("/gorev teklif gönder cuma #{id}", "teklif gönder"),
        ("/gorev teklif gönder cuma Uğur Özmen", "teklif gönder"),
        ("/gorev Uğur Özmen'i ara cuma", "Uğur Özmen'i ara"),
        ("/gorev Özmen'e teklif gönder cuma 10:00", "Özmen'e teklif gönder"),
        ("/gorev #{id} teklif gönder cuma", "teklif gönder"),
        ("/gorev 0532 111 22 33 ara yarın", "ara"),
    ],
)
def test_task_names_its_customer_first_or_last(services, ayse, ozmen, text, title) -> None:
    reply = Chat(services, ayse).say(text.format(id=ozmen.id))
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == (title, ozmen.id), reply.text


def test_a_task_without_a_customer_stays_unlinked(services, ayse, ozmen) -> None:
    Chat(services, ayse).say("/gorev teklif hazırla cuma")
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == ("teklif hazırla", None)


def test_a_namesake_at_the_start_is_asked_about_and_the_title_kept(services, ayse) -> None:
    add_customer(services, "Mehmet Yıldırım", city="İzmir")
    ankara = add_customer(services, "Mehmet Yıldırım", city="Ankara")
    chat = Chat(services, ayse)
    reply = chat.say("/gorev Mehmet Yıldırım'ı ara cuma")
    assert rows(services, Task) == [] and len(reply.choices) == 2
    chat.press(reply, "Ankara")
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == ("Mehmet Yıldırım'ı ara", ankara.id)


def test_a_phone_no_customer_has_stays_in_the_title(services, ayse, ozmen) -> None:
    Chat(services, ayse).say("/gorev yeni bayiyi ara cuma 0212 555 66 77")
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == ("yeni bayiyi ara 0212 555 66 77", None)
