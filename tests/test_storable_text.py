"""Text the store cannot keep gets the same clear answer on SQLite and PostgreSQL.

Found by fuzzing on PostgreSQL, where a NUL byte or a value longer than its column was an
internal error (SQLite kept both without a word): each finding is a named case below, and the
main write commands are fuzzed with arbitrary text on whichever engine the suite runs on."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.models import Contact, Customer, Deal, Interaction, Task
from tests.conftest import Chat, add_customer, add_deal, count, rows

LONG = "Ş" * 201  # one past a name's 200 characters, in letters of two UTF-8 bytes
WRITES = (Customer, Contact, Deal, Interaction, Task)


def written(services) -> list[int]:
    return [count(services, model) for model in WRITES]


@pytest.fixture
def acme(services):
    customer = add_customer(services, "Acme")
    add_deal(services, customer, "Renewal", "100")
    with services.db.session(write=True) as session:
        session.add(Contact(customer_id=customer.id, name="Ayşe Kaya"))
    return customer


FINDINGS = {
    "customer_name_too_long": f"/customer add {LONG}",
    "customer_name_with_nul": "/customer add Acme\x00 Corp",
    "note_with_nul": "/log note acme met\x00 them",
    "task_title_too_long": f"/task {'ara ' * 130}tomorrow 10am",
    "task_title_with_nul": "/task call\x00 back tomorrow 10am",
    "deal_title_too_long": f"/deal add acme {LONG} 5000",
    "deal_title_with_nul": "/deal add acme big\x00 deal 5000",
    "edited_name_too_long": f"/edit #ACME name {LONG}",
    "edited_name_with_nul": "/edit #ACME name Ac\x00me",
    "contact_added_too_long": f"/edit contact #ACME add {LONG}",
    "contact_name_too_long": f"/edit contact #ACME 1 name {LONG}",
    "contact_name_with_nul": "/edit contact #ACME 1 name Ay\x00şe",
    "tag_with_nul": "/edit #ACME tags vip\x00",
    "search_with_nul": "/find acme\x00",
}


@pytest.mark.parametrize("text", FINDINGS.values(), ids=FINDINGS.keys())
def test_unstorable_text_is_refused_with_usage_and_nothing_is_written(chat, services, acme, text):
    before = written(services)
    reply = chat.say(text.replace("ACME", str(acme.id)))
    why = "characters" if "\x00" not in text else "cannot be kept"
    assert why in reply.text and "Usage: /" in reply.text and "Example: /" in reply.text
    assert written(services) == before
    assert [c.name for c in rows(services, Customer)] == ["Acme"]


def test_the_answer_is_in_the_reps_language(services, acme, admin):
    chat = Chat(services, admin)
    chat.say("/lang tr")
    reply = chat.say(f"/customer add {LONG}")
    assert "en çok 200" in reply.text and "Kullanım: /" in reply.text
    assert "saklanamayan" in chat.say("/musteri ekle Acme\x00").text


def test_a_name_of_exactly_its_column_is_kept(chat, services):
    chat.say(f"/customer add {'Ş' * 200}")
    assert len(rows(services, Customer)[-1].name) == 200


# Derandomised: CI sees the same examples each run; the database keeps what each example
# wrote (a fresh one per example would cost a second each on PostgreSQL), which is harmless.
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMMANDS = ("/customer add {}", "/log call acme {}", "/task {} tomorrow", "/deal add acme {} 5k",
            "/edit #ACME name {}", "/edit #ACME city {}", "/edit #ACME tags {}")  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
@FUZZ
@given(text=st.text(min_size=1, max_size=300))
def test_fuzzed_text_never_breaks_a_write_command(chat, acme, command, text):
    for reply in chat.send(command.replace("ACME", str(acme.id)).format(text)):
        assert "went wrong" not in reply.text and "Traceback" not in reply.text, reply.text
