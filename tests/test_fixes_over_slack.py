"""Every way to fix a mistake, over the real Bolt stack (signed HTTP requests to the adapter,
the fake Web API behind it), in English and Turkish: /edit typed and by the Edit button's
modal, /delete with its confirmation then [Restore], /restore typed, /deleted, /undo typed and
by the [Undo] button, /assign (the new owner is told in a DM, with the record's buttons) and
/history. Each step checks the database, and each answer against the rep's own catalog."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.adapters.base import Notifier
from bot.notices import Courier
from handlers.kit import Translator
from storage.models import Customer, Deal
from tests.fakes.slack_harness import SlackHarness, block_texts, button, fill, run, slack_running
from tests.fix_words import (
    LANGUAGES,
    Team,
    edited,
    in_language,
    make_team,
    not_yours,
    record,
    stored,
    undone,
)

MURAT, AYSE, CAN = "UMURAT", "UAYSE", "UCAN"


@pytest.fixture(params=LANGUAGES)
def team(services, request) -> Team:
    return make_team(
        services,
        request.param,
        murat={"slack_user_id": MURAT},
        ayse={"slack_user_id": AYSE},
        can={"slack_user_id": CAN},
    )


def dm(user: str) -> str:
    """The user's DM with the app, as the fake names it."""
    return "D" + user[1:]


async def ask(slack: SlackHarness, user: str, text: str) -> dict:
    """Run ``/crm text`` in the user's DM with the app; the ephemeral answer's message."""
    before = len(slack.fake.of("response_url"))
    await slack.command(text, user=user, channel=dm(user))
    return (await slack.fake.wait_for("response_url", before + 1))[-1].args


async def press(slack: SlackHarness, user: str, message: dict, label: str) -> dict:
    """Press the button labelled ``label`` on ``message``; the answer's message."""
    before = len(slack.fake.of("response_url"))
    await slack.press(button(message, label), user=user, channel=dm(user))
    return (await slack.fake.wait_for("response_url", before + 1))[-1].args


def has(t: Translator, message: dict, *texts: str) -> None:
    shown = block_texts(message)
    in_language(t, shown)
    for text in texts:
        assert text in shown, (text, shown)


def test_typed_edit_then_typed_undo(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with slack_running(services) as slack:
            answer = await ask(slack, AYSE, f"{w.edit} #{acme.id} {w.city} Ankara")
            has(t, answer, *edited(t, "Acme Lojistik", "city", "—", "Ankara"))
            assert stored(services, Customer, acme.id).city == "Ankara"
            has(t, await ask(slack, AYSE, w.undo), undone(t, ("customer", acme.id)))

    run(scenario())
    assert stored(services, Customer, acme.id).city is None


def test_the_edit_button_opens_the_modal_and_saves(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with slack_running(services) as slack:
            card = await ask(slack, AYSE, f"{w.customer} #{acme.id}")
            await slack.press(button(card, t("button.edit")), user=AYSE, channel=dm(AYSE))
            [opened] = await slack.fake.wait_for("views.open")
            view = opened.args["view"]
            assert view["title"]["text"] == t("slack.modal.edit")
            by_label = {b["label"]["text"]: b["block_id"] for b in view["blocks"]}
            sent = await slack.submit(fill(view, **{by_label[t("edit.field.city")]: "Ankara"}),
                                      user=AYSE)  # fmt: skip
            assert (sent.status, sent.body) == (200, "")
            [posted] = await slack.fake.wait_for("chat.postMessage")  # the DM: only Ayşe sees it
            assert posted.args["channel"] == dm(AYSE)
            has(t, posted.args, *edited(t, "Acme Lojistik", "city", "—", "Ankara"))

    run(scenario())
    assert stored(services, Customer, acme.id).city == "Ankara"


def test_delete_confirm_restore_by_button_deleted_and_typed_restore(services, team) -> None:
    t, w, acme, deal = team.t, team.w, team.acme, team.deal
    customer = record(t, "customer", "Acme Lojistik", acme.id)
    the_deal = record(t, "deal", "Filo yenileme", deal.id)

    async def scenario() -> None:
        async with slack_running(services) as slack:
            asked = await ask(slack, AYSE, f"{w.delete} {w.customer} #{acme.id}")
            has(t, asked, t("archive.confirm", record=customer), t("archive.confirm_restore"))
            assert stored(services, Customer, acme.id).archived_at is None
            done = await press(slack, AYSE, asked, t("button.delete_confirm"))
            has(t, done, t("archive.done", record=customer))
            assert stored(services, Customer, acme.id).archived_at is not None
            assert stored(services, Deal, deal.id).archived_at is not None
            listed = await ask(slack, AYSE, w.deleted)
            has(t, listed, t("archive.list_title", days=30), customer)
            button(listed, t("button.restore_one", id=acme.id))
            back = await press(slack, AYSE, done, t("button.restore"))
            has(t, back, t("archive.restored", record=customer))
            assert stored(services, Customer, acme.id).archived_at is None
            assert stored(services, Deal, deal.id).archived_at is None

            asked = await ask(slack, AYSE, f"{w.delete} {w.deal} #{deal.id}")
            await press(slack, AYSE, asked, t("button.delete_confirm"))
            assert stored(services, Deal, deal.id).archived_at is not None
            typed = await ask(slack, AYSE, f"{w.restore} {w.deal} #{deal.id}")
            has(t, typed, t("archive.restored", record=the_deal))

    run(scenario())
    assert stored(services, Deal, deal.id).archived_at is None


def test_the_undo_button_and_someone_elses_change(services, team: Team) -> None:
    t, w, deal = team.t, team.w, team.deal

    async def scenario() -> None:
        async with slack_running(services) as slack:
            edit = f"{w.edit} {w.deal} #{deal.id} {w.title}"
            answer = await ask(slack, AYSE, f"{edit} Filo 2027")
            assert stored(services, Deal, deal.id).title == "Filo 2027"
            back = await press(slack, AYSE, answer, t("button.undo"))
            has(t, back, undone(t, ("deal", deal.id)))
            assert stored(services, Deal, deal.id).title == "Filo yenileme"

            answer = await ask(slack, AYSE, f"{edit} Filo 2028")
            theirs = button(answer, t("button.undo"))["value"].removeprefix("/")
            has(t, await ask(slack, MURAT, theirs), not_yours(t))

    run(scenario())
    assert stored(services, Deal, deal.id).title == "Filo 2028"


def test_a_manager_assigns_and_the_new_owner_is_told_with_buttons(services, team, clock):
    t, w, deal = team.t, team.w, team.deal
    what = {"record": t("entity.deal"), "title": "Filo yenileme"}

    async def scenario() -> None:
        async with slack_running(services) as slack:
            answer = await ask(slack, MURAT, f"{w.assign} {w.deal} #{deal.id} Can Demir")
            has(t, answer, t("assign.done", name="Can Demir", **what))
            assert stored(services, Deal, deal.id).owner_id == team.can.id
            courier = Courier(services, Notifier([slack.adapter]))
            assert await courier.deliver(clock.now + timedelta(minutes=2)) == 2
            dms = {c.args["channel"]: c.args for c in slack.fake.of("chat.postMessage")}
            to_can, to_ayse = dms[dm(CAN)], dms[dm(AYSE)]
            has(t, to_can, t("assign.given", by="Murat Kaya", **what))
            assert button(to_can, t("button.open"))["value"] == f"/deal #{deal.id}"
            has(t, to_ayse, t("assign.taken", by="Murat Kaya", to="Can Demir", **what))
            opened = await press(slack, CAN, to_can, t("button.open"))
            assert block_texts(opened).count("Filo yenileme") >= 1

    run(scenario())


def test_a_rep_may_not_assign(services, team: Team) -> None:
    t, w, deal = team.t, team.w, team.deal

    async def scenario() -> None:
        async with slack_running(services) as slack:
            refused = await ask(slack, AYSE, f"{w.assign} {w.deal} #{deal.id} Can Demir")
            has(t, refused, t("access.reassign"))

    run(scenario())
    assert stored(services, Deal, deal.id).owner_id == team.ayse.id


def test_history_shows_the_edit_before_and_after(services, team: Team) -> None:
    t, w, acme = team.t, team.w, team.acme

    async def scenario() -> None:
        async with slack_running(services) as slack:
            await ask(slack, AYSE, f"{w.edit} #{acme.id} {w.city} Ankara")
            shown = await ask(slack, MURAT, f"{w.history} {w.customer} #{acme.id}")
            header = t.plural("history.header", 2, record=t("entity.customer"),
                              title="Acme Lojistik")  # fmt: skip
            has(t, shown, header, f"Ayşe Yılmaz: {t('history.action.update')}")
            has(t, shown, f"{t('history.field.city')}: — → Ankara")

    run(scenario())
