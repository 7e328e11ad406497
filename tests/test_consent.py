"""Consent and do-not-contact: answers recorded with their source and kept as history; a
customer who withdrew is marked do-not-contact, and reaching out to them asks first."""

from __future__ import annotations

from storage.models import Consent, Interaction, Task
from tests.conftest import Chat, add_customer, count, rows


def test_consent_is_recorded_shown_and_kept_as_history(chat: Chat, services):
    ugur = add_customer(services, "Uğur Özmen")
    given = chat.say(f"/consent #{ugur.id} given signed form at the fair")
    assert given.text == "Consent recorded: Uğur Özmen agreed to be contacted."
    assert dict(given.card.fields)["Consent"] == "given · Nov 23, 2026 · signed form at the fair"
    withdrawn = chat.say("/consent Uğur Özmen withdrawn phone call")
    fields = dict(withdrawn.card.fields)
    assert fields["Consent"].startswith("withdrawn") and fields["Do not contact"] == "yes"
    assert [c.status for c in rows(services, Consent)] == ["given", "withdrawn"]
    assert chat.say("/consent Uğur Özmen maybe").text.startswith("Usage: /consent")
    tr = Chat(services, chat.rep)
    tr.say("/lang tr")
    assert "İzin geri çekildi" in tr.say(f"/consent #{ugur.id} çekildi").text


def test_reaching_out_to_a_do_not_contact_customer_asks_first(chat: Chat, services):
    ugur = add_customer(services, "Uğur Özmen", do_not_contact=True)
    asked = chat.say(f"/log call #{ugur.id} offered the new tariff")
    assert asked.text.startswith("Uğur Özmen asked not to be contacted")
    assert count(services, Interaction) == 0
    logged = chat.press(asked, "Yes, log it")
    assert logged.text.startswith("Logged: call · Uğur Özmen")
    assert chat.say(f"/log visit #{ugur.id} he came to the stand").text.startswith("Logged")
    assert count(services, Interaction) == 2  # a visit is not reaching out: no question
    task = chat.say(f"/task call him back tomorrow 10am #{ugur.id}")
    assert "asked not to be contacted" in task.text and count(services, Task) == 0
    assert chat.press(task, "Yes, log it").text.startswith("Task set: call him back")
