"""Modals (log interaction, new deal, new task, "Log to CRM") and the customer external select."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.models import Customer, Deal, Interaction, Task
from tests.conftest import add_customer, add_rep, count, rows
from tests.fakes.slack_harness import block_texts, button, fill, run, slack_running


@pytest.fixture
def world(services):
    rep = add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.", city="İzmir")
    add_customer(services, "Mehmet Yıldırım", city="Ankara", phone="+905321112233")
    add_customer(services, "Mehmet Yıldırım", city="Bursa", phone="+905334445566")
    return rep, acme


def opened_view(slack, n: int = 1) -> dict:
    return slack.fake.of("views.open")[n - 1].args["view"]


def test_log_button_opens_the_modal_preset_and_the_submission_logs_with_a_task(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("find acme")
            [card] = await slack.fake.wait_for("response_url")
            await slack.press(button(card.args, "Log call"))
            [opened] = await slack.fake.wait_for("views.open")
            assert opened.args["trigger_id"].startswith("trigger-block_actions-")
            view = opened.args["view"]
            assert view["callback_id"] == "crm_log"
            assert view["title"]["text"] == "Log interaction"
            customer = next(b for b in view["blocks"] if b["block_id"] == "customer")
            assert customer["element"]["type"] == "external_select"
            assert customer["element"]["initial_option"]["value"] == "#1"
            assert customer["element"]["initial_option"]["text"]["text"] == "Acme Lojistik A.Ş."
            kind = next(b for b in view["blocks"] if b["block_id"] == "kind")
            assert kind["element"]["initial_option"]["value"] == "call"
            filled = fill(
                view,
                customer="#1",
                kind="visit",
                summary="walked the\nwarehouse floor",
                next="send quote",
                due="2026-11-27",
            )
            sent = await slack.submit(filled)
            assert (sent.status, sent.body) == (200, "")  # the modal closes at once
            [posted] = await slack.fake.wait_for("chat.postEphemeral")
            assert posted.args["channel"] == "C0SALES"
            assert posted.args["user"] == "UREP1"
            assert "Logged: visit · Acme Lojistik A.Ş." in block_texts(posted.args)

    run(scenario())
    [logged] = rows(services, Interaction)
    assert (logged.kind, logged.summary) == ("visit", "walked the warehouse floor")
    [task] = rows(services, Task)
    assert task.title == "send quote"
    assert task.customer_id == 1


def test_customer_options_come_from_find_with_ids_as_values(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            sent = await slack.options("mehmet yildirim")
            options = sent.json()["options"]
            assert [o["value"] for o in options] == ["#2", "#3"]
            labels = " ".join(o["text"]["text"] for o in options)
            assert "Ankara" in labels
            assert "Bursa" in labels
            one = (await slack.options("acme")).json()["options"]
            assert one == [
                {"text": {"type": "plain_text", "text": "Acme Lojistik A.Ş."}, "value": "#1"}
            ]
            assert (await slack.options("zzzz qqqq")).json()["options"] == []
            assert (await slack.options("acme", user="USTRANGER")).json()["options"] == []

    run(scenario())


def test_a_next_step_without_a_date_is_shown_in_the_modal_and_nothing_is_written(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.shortcut("crm_log_shortcut")
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            customer = next(b for b in view["blocks"] if b["block_id"] == "customer")
            assert "initial_option" not in customer["element"]  # a shortcut knows no customer
            sent = await slack.submit(fill(view, customer="#1", summary="hello", next="call back"))
            assert sent.json() == {
                "response_action": "errors",
                "errors": {"due": "Give the next step a date."},
            }
            sent = await slack.submit(fill(view, summary="no customer"))
            assert "customer" in sent.json()["errors"]

    run(scenario())
    assert count(services, Interaction) == 0


def test_new_deal_from_the_global_shortcut(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.shortcut("crm_deal_shortcut")
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert view["callback_id"] == "crm_deal"
            bad = await slack.submit(fill(view, customer="#1", title="Fleet", amount="lots"))
            assert "amount" in bad.json()["errors"]
            filled = fill(
                view, customer="#1", title="Fleet tracking", amount="250k", close="2026-12-31"
            )
            await slack.submit(filled)
            [posted] = await slack.fake.wait_for("chat.postMessage")
            assert posted.args["channel"] == "UREP1"  # no channel: the answer goes to the DM
            assert 'Deal added: "Fleet tracking"' in block_texts(posted.args)

    run(scenario())
    [deal] = rows(services, Deal)
    assert (deal.title, deal.amount, str(deal.expected_close)) == (
        "Fleet tracking",
        Decimal("250000"),
        "2026-12-31",
    )


def test_new_deal_and_new_task_buttons_open_their_modals(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("customer #1")
            [card] = await slack.fake.wait_for("response_url")
            await slack.press(button(card.args, "New deal"))
            await slack.press(button(card.args, "New task"))
            await slack.fake.wait_for("views.open", 2)
            callbacks = sorted(c.args["view"]["callback_id"] for c in slack.fake.of("views.open"))
            assert callbacks == ["crm_deal", "crm_task"]
            task_view = next(
                c.args["view"]
                for c in slack.fake.of("views.open")
                if c.args["view"]["callback_id"] == "crm_task"
            )
            await slack.submit(
                fill(task_view, title="ring the buyer", due="2026-11-26", customer="#1")
            )
            [posted] = await slack.fake.wait_for("chat.postEphemeral")
            assert "Task set: ring the buyer" in block_texts(posted.args)

    run(scenario())
    [task] = rows(services, Task)
    assert (task.title, task.customer_id) == ("ring the buyer", 1)


def test_log_to_crm_stores_a_message_with_its_permalink_once(services, world):
    message = {
        "type": "message",
        "user": "UOTHER",
        "ts": "1700000123.000200",
        "text": "Acme asked for &lt;b&gt;net 60&lt;/b&gt; terms, "
        "see <https://acme.example/po|the PO>",
    }

    async def scenario():
        async with slack_running(services) as slack:
            await slack.message_shortcut(message)
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert view["callback_id"] == "crm_note"
            note = next(b for b in view["blocks"] if b["block_id"] == "text")
            assert note["element"]["initial_value"] == (
                "Acme asked for <b>net 60</b> terms, see the PO"
            )
            text = note["element"]["initial_value"]
            await slack.submit(fill(view, customer="#1", text=text))
            [posted] = await slack.fake.wait_for("chat.postEphemeral")
            assert "Logged: note · Acme Lojistik A.Ş." in block_texts(posted.args)
            # the same message logged again is recognised, not stored twice
            await slack.message_shortcut(message)
            await slack.fake.wait_for("views.open", 2)
            await slack.submit(fill(opened_view(slack, 2), customer="#1", text=text))
            again = (await slack.fake.wait_for("chat.postEphemeral", 2))[1]
            assert "Already logged from this message" in block_texts(again.args)

    run(scenario())
    [logged] = rows(services, Interaction)
    assert logged.kind == "note"
    assert logged.summary == (
        "Acme asked for <b>net 60</b> terms, see the PO\n"
        "https://acme-sales.slack.com/archives/C0SALES/p1700000123000200"
    )
    assert logged.source_message_id == "1700000123.000200"


def test_a_stranger_using_a_shortcut_sees_why_in_a_modal(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.shortcut("crm_log_shortcut", user="USTRANGER")
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert "callback_id" not in view  # nothing to submit
            assert "--slack-id USTRANGER" in view["blocks"][0]["text"]["text"]

    run(scenario())


def test_the_edit_button_opens_a_form_of_every_field_and_saves_what_changed(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("find acme")
            [card] = await slack.fake.wait_for("response_url")
            await slack.press(button(card.args, "Edit"))
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert (view["callback_id"], view["title"]["text"]) == ("crm_edit", "Edit")
            by_label = {b["label"]["text"]: b for b in view["blocks"]}
            city = by_label["City"]
            assert city["element"]["initial_value"] == "İzmir"
            unchanged = await slack.submit(fill(view, **{city["block_id"]: "İzmir"}))
            assert unchanged.json()["response_action"] == "errors"
            filled = fill(view, **{city["block_id"]: "Ankara", by_label["Tags"]["block_id"]: "vip"})
            sent = await slack.submit(filled)
            assert (sent.status, sent.body) == (200, "")
            [posted] = await slack.fake.wait_for("chat.postEphemeral")
            text = block_texts(posted.args)
            assert "İzmir → Ankara" in text

    run(scenario())
    acme = next(c for c in rows(services, Customer) if c.name == "Acme Lojistik A.Ş.")
    assert (acme.city, acme.tags) == ("Ankara", ["vip"])
