"""/crm, buttons, the stage select and "Share in channel", through the real Bolt app over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from handlers.kit import Context, Reply, command, unregister
from storage.models import Deal, Interaction, Task
from tests.conftest import START, add_customer, add_deal, add_rep, add_task, count, rows
from tests.fakes.slack_harness import block_texts, button, elements, run, slack_running


@pytest.fixture
def world(services):
    rep = add_rep(services, "Ayşe Yılmaz", slack_user_id="UREP1")
    acme = add_customer(services, "Acme Lojistik A.Ş.", city="İzmir")
    return rep, acme


def test_find_answers_ephemerally_with_a_card_its_buttons_and_share(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            sent = await slack.command("find acme")
            assert (sent.status, sent.body) == (200, "")  # an empty ack; the answer comes later
            [answer] = await slack.fake.wait_for("response_url")
            message = answer.args
            assert message["response_type"] == "ephemeral"
            header = next(b for b in message["blocks"] if b["type"] == "header")
            assert header["text"]["text"] == "Acme Lojistik A.Ş. (#1)"
            assert "*City*\nİzmir" in block_texts(message)
            assert button(message, "Log call")["value"] == "/log call #1"
            assert button(message, "New task")["value"] == "/task #1"
            assert button(message, "New deal")["value"] == "/deal add #1"
            assert button(message, "Share in channel")["value"] == "/find acme"
            await slack.settled()
            assert "chat.postMessage" not in slack.fake.methods()  # nothing public

    run(scenario())


def test_log_with_next_step_writes_once_and_offers_no_share(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("log call acme discussed pricing next: send quote fri")
            [answer] = await slack.fake.wait_for("response_url")
            text = block_texts(answer.args)
            assert "Logged: call · Acme Lojistik A.Ş." in text
            assert "Next step: send quote" in text
            assert "Share in channel" not in text  # a write is never re-run

    run(scenario())
    [logged] = rows(services, Interaction)
    assert (logged.kind, logged.summary) == ("call", "discussed pricing")
    assert (logged.source_platform, logged.source_message_id) == ("slack", "trigger-cmd-1")
    [task] = rows(services, Task)
    assert task.title == "send quote"


def test_an_empty_command_is_help_and_a_dm_gets_no_share_button(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("", channel="D0AYSE")
            [answer] = await slack.fake.wait_for("response_url")
            assert "/find" in block_texts(answer.args)
            await slack.command("find acme", channel="D0AYSE")
            calls = await slack.fake.wait_for("response_url", 2)
            assert "Share in channel" not in block_texts(calls[1].args)

    run(scenario())


def test_share_in_channel_reruns_the_read_command_publicly(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("find acme")
            [answer] = await slack.fake.wait_for("response_url")
            await slack.press(button(answer.args, "Share in channel"))
            shared = (await slack.fake.wait_for("response_url", 2))[1].args
            assert shared["response_type"] == "in_channel"
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(shared)
            assert "Share in channel" not in block_texts(shared)
            # conversations.info was asked once whether the channel is shared, then remembered
            assert len(slack.fake.of("conversations.info")) == 1

    run(scenario())


def test_a_forged_share_of_a_write_is_refused_and_writes_nothing(services, world):
    forged = {"type": "button", "action_id": "crm_share", "value": "/log call #1 forged"}

    async def scenario():
        async with slack_running(services) as slack:
            await slack.press(forged)
            [answer] = await slack.fake.wait_for("response_url")
            assert answer.args["response_type"] == "ephemeral"
            assert "Only answers that change nothing" in block_texts(answer.args)

    run(scenario())
    assert count(services, Interaction) == 0


def test_no_customer_data_is_shared_into_a_slack_connect_channel(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            slack.fake.channels["C0EXT"] = {"id": "C0EXT", "is_ext_shared": True}
            await slack.command("find acme", channel="C0EXT")
            [answer] = await slack.fake.wait_for("response_url")
            assert answer.args["response_type"] == "ephemeral"  # only the rep sees the card
            assert "Share in channel" not in block_texts(answer.args)
            share = {"type": "button", "action_id": "crm_share", "value": "/find acme"}
            await slack.press(share, channel="C0EXT")
            refused = (await slack.fake.wait_for("response_url", 2))[1].args
            assert refused["response_type"] == "ephemeral"
            assert "shared with another organisation" in block_texts(refused)
            await slack.settled()
            kinds = [c.args.get("response_type") for c in slack.fake.of("response_url")]
            assert "in_channel" not in kinds

    run(scenario())


def test_done_and_snooze_buttons_on_a_task_card(services, world):
    rep, _ = world
    task = add_task(services, rep, "send the contract", START + timedelta(days=1))

    async def scenario():
        async with slack_running(services) as slack:
            await slack.command(f"snooze #{task.id} tomorrow 9:00")
            [card] = await slack.fake.wait_for("response_url")
            assert button(card.args, "Done")["value"] == f"/done #{task.id}"
            assert button(card.args, "Next week")["value"].startswith(f"/snooze #{task.id} ")
            await slack.press(button(card.args, "Done"))
            done = (await slack.fake.wait_for("response_url", 2))[1].args
            assert "Done: send the contract." in block_texts(done)

    run(scenario())
    [stored] = rows(services, Task)
    assert stored.status == "done"
    assert stored.snoozed_until is not None


def test_stage_select_moves_a_deal_and_lost_asks_for_the_reason(services, world):
    _, acme = world
    deal = add_deal(services, acme, "Fleet tracking", "250000")

    async def scenario():
        async with slack_running(services) as slack:
            await slack.command(f"deal #{deal.id}")
            [card] = await slack.fake.wait_for("response_url")
            [select] = [e for e in elements(card.args) if e["type"] == "static_select"]
            assert select["placeholder"]["text"] == "Move to stage…"
            values = [o["value"] for o in select["options"]]
            assert f"/stage #{deal.id} lost" in values
            assert not any(
                e["type"] == "button" and "/stage" in e["value"] for e in elements(card.args)
            )
            await slack.press(select, option=f"/stage #{deal.id} lost")
            asked = (await slack.fake.wait_for("response_url", 2))[1].args
            assert 'Why was "Fleet tracking" lost?' in block_texts(asked)
            await slack.press(button(asked, "competitor"))
            moved = (await slack.fake.wait_for("response_url", 3))[2].args
            assert 'Moved "Fleet tracking" to Lost.' in block_texts(moved)

    run(scenario())
    [stored] = rows(services, Deal)
    assert stored.lost_reason == "competitor"


def test_an_unknown_slack_user_is_told_how_to_get_access_and_nothing_runs(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("log call acme sneaky", user="USTRANGER")
            [answer] = await slack.fake.wait_for("response_url")
            text = block_texts(answer.args)
            assert "not linked to a rep" in text
            assert "--slack-id USTRANGER" in text
            await slack.settled()
            assert "users.info" not in slack.fake.methods()  # e-mail matching is off by default

    run(scenario())
    assert count(services, Interaction) == 0


def test_an_inactive_rep_is_refused_like_a_stranger(services, world):
    add_rep(services, "Former Rep", slack_user_id="UGONE", active=False)

    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("find acme", user="UGONE")
            [answer] = await slack.fake.wait_for("response_url")
            assert "not linked to a rep" in block_texts(answer.args)

    run(scenario())


@pytest.fixture
def slow_command() -> Iterator[threading.Event]:
    """A real registered command that takes as long as the test wants (until it is released).

    Commands run on the dispatcher's own thread, so the gate is a thread-safe event (waited on
    with a timeout, so a failing test cannot park the command thread).
    """
    release = threading.Event()

    def slow(ctx: Context) -> Reply:
        release.wait(10)
        return Reply("finally done")

    command("slowpoke", writes=False)(slow)
    yield release
    release.set()
    unregister("slowpoke")


def test_the_ack_is_immediate_while_a_slow_command_is_still_working(services, world, slow_command):
    async def scenario():
        release = slow_command
        async with slack_running(services) as slack:
            sent = await slack.command("slowpoke")
            assert sent.status == 200  # acknowledged while the handler is still waiting
            assert slack.fake.of("response_url") == []
            release.set()
            [answer] = await slack.fake.wait_for("response_url")
            assert "finally done" in block_texts(answer.args)

    run(scenario())


def test_an_open_ended_command_opens_its_form_and_plain_words_answer_the_bot(services, world):
    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("log")
            [opened] = await slack.fake.wait_for("views.open")
            assert opened.args["view"]["callback_id"] == "crm_log"
            assert opened.args["trigger_id"] == "trigger-cmd-1"
            # a bare name is looked up, as in a chat
            await slack.command("acme")
            [found] = await slack.fake.wait_for("response_url")
            assert "Acme Lojistik A.Ş. (#1)" in block_texts(found.args)
            # a question the bot asks here is answered with /crm and plain words
            await slack.command("log call acme")
            asked = (await slack.fake.wait_for("response_url", 2))[1]
            assert "What happened with Acme Lojistik A.Ş.?" in block_texts(asked.args)
            await slack.command("agreed on a pilot")
            done = (await slack.fake.wait_for("response_url", 3))[2]
            assert "Logged: call · Acme Lojistik A.Ş." in block_texts(done.args)

    run(scenario())
    [logged] = rows(services, Interaction)
    assert logged.summary == "agreed on a pilot"


def test_a_turkish_rep_gets_slack_labels_and_forms_in_turkish(services, world):
    add_rep(services, "Mert Kaya", slack_user_id="UMERT", language="tr")

    async def scenario():
        async with slack_running(services) as slack:
            await slack.command("bul acme", user="UMERT")
            [card] = await slack.fake.wait_for("response_url")
            assert button(card.args, "Kanalda paylaş")["value"] == "/bul acme"
            assert button(card.args, "Yeni fırsat")["value"] == "/deal add #1"
            await slack.command("kaydet ziyaret #1", user="UMERT")
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert view["title"]["text"] == "Etkileşim kaydet"
            kind = next(b for b in view["blocks"] if b["block_id"] == "kind")
            assert kind["element"]["initial_option"]["text"]["text"] == "ziyaret"

    run(scenario())
